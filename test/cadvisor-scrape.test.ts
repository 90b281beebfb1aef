import { CadvisorMetrics, CadvisorScrape, KubeletScrape, RelabelRule } from '../src';
import { job, one, stack, synth } from './util';

describe('CadvisorScrape', () => {
  test('kubelet /metrics/cadvisor, job="kubelet", own timestamps ignored, recommended drops', () => {
    const { chart, prometheus } = stack();
    new CadvisorScrape(chart, 'cadvisor', { prometheus });
    const ms = synth(chart);
    const j = job(ms, 'cadvisor');
    expect(j).toMatchSnapshot();
    expect(j.metrics_path).toBe('/metrics/cadvisor');
    expect(j.scheme).toBe('https');
    expect(j.honor_timestamps).toBe(false);
    expect(j.relabel_configs).toContainEqual({ target_label: 'job', replacement: 'kubelet', action: 'replace' });
    expect(j.relabel_configs).toContainEqual({ source_labels: ['__metrics_path__'], target_label: 'metrics_path', action: 'replace' });
    expect(j.metric_relabel_configs.map((r: any) => r.regex)).toEqual([
      'container_(network_tcp_usage_total|network_udp_usage_total|tasks_state|cpu_load_average_10s)',
      '(container_spec_.*|container_file_descriptors|container_sockets|container_threads_max|container_threads|container_start_time_seconds|container_last_seen);;',
      '(container_blkio_device_usage_total);.+',
      'container_network_.*;(erspan|gre|gretap|ip6_vti|ip6gre|ip6tnl|ip_vti|sit|tunl)[0-9]*',
      'container_memory_failures_total|container_pressure_.*',
      'container_label_.*',
    ]);
    expect(j.metric_relabel_configs[3].source_labels).toEqual(['__name__', 'interface']);
    expect(j.metric_relabel_configs[5].action).toBe('labeldrop');
    expect(one(ms, 'ClusterRole').rules).toContainEqual({ apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] });
  });

  test('RECOMMENDED is KUBE_PROMETHEUS plus three drops', () => {
    const kp = CadvisorMetrics.KUBE_PROMETHEUS.metricRelabelings;
    const rec = CadvisorMetrics.RECOMMENDED.metricRelabelings;
    expect(rec.slice(0, kp.length)).toEqual(kp);
    expect(rec).toHaveLength(kp.length + 2);
  });

  test('presets: NONE keeps everything, AGGRESSIVE drops more, custom rules', () => {
    const { chart, prometheus } = stack();
    new CadvisorScrape(chart, 'none', { prometheus, jobName: 'c-none', metrics: CadvisorMetrics.NONE });
    new CadvisorScrape(chart, 'aggr', { prometheus, jobName: 'c-aggr', metrics: CadvisorMetrics.AGGRESSIVE });
    new CadvisorScrape(chart, 'custom', {
      prometheus,
      jobName: 'c-custom',
      metrics: CadvisorMetrics.custom([RelabelRule.keep({ sourceLabels: ['__name__'], regex: 'container_memory_working_set_bytes' })]),
    });
    const ms = synth(chart);
    expect(job(ms, 'c-none').metric_relabel_configs).toEqual([{ regex: 'container_label_.*', action: 'labeldrop' }]);
    expect(job(ms, 'c-aggr').metric_relabel_configs).toHaveLength(CadvisorMetrics.AGGRESSIVE.metricRelabelings.length + 1);
    expect(job(ms, 'c-aggr').metric_relabel_configs).toContainEqual({ source_labels: ['id', 'pod'], regex: '.+;', action: 'drop' });
    expect(job(ms, 'c-custom').metric_relabel_configs[0]).toEqual({ source_labels: ['__name__'], regex: 'container_memory_working_set_bytes', action: 'keep' });
  });

  test('coexists with KubeletScrape: distinct job names, both labelled job="kubelet"', () => {
    const { chart, prometheus } = stack();
    new KubeletScrape(chart, 'kubelet', { prometheus });
    new CadvisorScrape(chart, 'cadvisor', { prometheus });
    const ms = synth(chart);
    expect(job(ms, 'kubelet').relabel_configs.filter((r: any) => r.target_label === 'job')).toEqual([]);
    expect(job(ms, 'cadvisor').relabel_configs.filter((r: any) => r.target_label === 'job')).toEqual([{ target_label: 'job', replacement: 'kubelet', action: 'replace' }]);
  });

  test('jobLabel overrides the mixin label', () => {
    const { chart, prometheus } = stack();
    new CadvisorScrape(chart, 'cadvisor', { prometheus, jobLabel: 'cadvisor' });
    // job label == job name: Prometheus's own default, no rule needed
    expect(job(synth(chart), 'cadvisor').relabel_configs.filter((r: any) => r.target_label === 'job')).toEqual([]);
  });

  test('fails on a meta label in metric relabelings', () => {
    const { chart, prometheus } = stack();
    expect(() => new CadvisorScrape(chart, 'cadvisor', {
      prometheus, metricRelabelings: [RelabelRule.drop({ sourceLabels: ['__meta_kubernetes_node_name'], regex: 'x' })],
    })).toThrow(/test\/cadvisor: invalid metricRelabelings\[0\].sourceLabels\[0\] "__meta_kubernetes_node_name": meta labels are gone after the scrape/);
  });
});
