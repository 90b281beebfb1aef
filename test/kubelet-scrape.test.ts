import { Duration } from 'cdk8s';
import { KubeletScrape, RelabelRule } from '../src';
import { job, one, stack, synth } from './util';

describe('KubeletScrape', () => {
  test('HTTPS to the kubelet at the node address, token and in-cluster CA, mixin labels', () => {
    // GIVEN
    const { chart, prometheus } = stack();
    // WHEN
    new KubeletScrape(chart, 'kubelet', { prometheus });
    const ms = synth(chart);
    // THEN
    const j = job(ms, 'kubelet');
    expect(j).toMatchSnapshot();
    expect(j.scheme).toBe('https');
    expect(j.metrics_path).toBe('/metrics');
    expect(j.kubernetes_sd_configs).toEqual([{ role: 'node' }]);
    expect(j.authorization).toEqual({ type: 'Bearer', credentials_file: '/var/run/secrets/kubernetes.io/serviceaccount/token' });
    expect(j.bearer_token_file).toBeUndefined();
    expect(j.tls_config).toEqual({ ca_file: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' });
    expect(j.relabel_configs).toEqual([
      { source_labels: ['__meta_kubernetes_node_name'], target_label: 'node', action: 'replace' },
      { source_labels: ['__metrics_path__'], target_label: 'metrics_path', action: 'replace' },
    ]);
    // never through the API server proxy
    expect(JSON.stringify(j)).not.toMatch(/proxy/);
    const rules = one(ms, 'ClusterRole').rules;
    expect(rules).toEqual([
      { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
    ]);
  });

  test('insecureSkipVerify is an explicit opt-in and drops the CA', () => {
    const { chart, prometheus } = stack();
    new KubeletScrape(chart, 'kubelet', { prometheus, tls: { insecureSkipVerify: true } });
    expect(job(synth(chart), 'kubelet').tls_config).toEqual({ insecure_skip_verify: true });
  });

  test('common options: job name, interval, timeout, limits, extra rules', () => {
    const { chart, prometheus } = stack();
    new KubeletScrape(chart, 'kubelet', {
      prometheus,
      jobName: 'nodes',
      interval: Duration.seconds(15),
      timeout: Duration.seconds(5),
      sampleLimit: 50_000,
      labelLimit: 64,
      relabelings: [RelabelRule.copy('__meta_kubernetes_node_label_topology_kubernetes_io_zone', 'zone')],
      metricRelabelings: [RelabelRule.drop({ sourceLabels: ['__name__'], regex: 'rest_client_.*' })],
    });
    const j = job(synth(chart), 'nodes');
    expect(j).toMatchObject({ scrape_interval: '15s', scrape_timeout: '5s', sample_limit: 50000, label_limit: 64 });
    expect(j.relabel_configs[2]).toEqual({ source_labels: ['__meta_kubernetes_node_label_topology_kubernetes_io_zone'], target_label: 'zone', action: 'replace' });
    expect(j.metric_relabel_configs).toEqual([{ source_labels: ['__name__'], regex: 'rest_client_.*', action: 'drop' }]);
  });

  test('fails if the timeout exceeds the job interval', () => {
    const { chart, prometheus } = stack();
    expect(() => new KubeletScrape(chart, 'kubelet', { prometheus, interval: Duration.seconds(5), timeout: Duration.seconds(6) }))
      .toThrow('test/kubelet: invalid timeout 6000ms: the scrape timeout must not exceed the scrape interval (5000ms)');
  });

  test('fails if the timeout exceeds the global interval', () => {
    const { chart, prometheus } = stack();
    expect(() => new KubeletScrape(chart, 'kubelet', { prometheus, timeout: Duration.minutes(1) }))
      .toThrow(/invalid timeout 60000ms: the scrape timeout must not exceed the global scrape interval/);
  });

  test('fails on a meta label the node role never produces', () => {
    const { chart, prometheus } = stack();
    expect(() => new KubeletScrape(chart, 'kubelet', {
      prometheus, relabelings: [RelabelRule.copy('__meta_kubernetes_pod_name', 'pod')],
    })).toThrow(/test\/kubelet: invalid relabelings\[0\].sourceLabels\[0\] "__meta_kubernetes_pod_name": discovery role "node" never produces/);
  });
});
