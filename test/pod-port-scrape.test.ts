import { PodPortScrape } from '../src';
import { job, objects, one, stack, synth } from './util';

describe('PodPortScrape', () => {
  test('container ports named metrics of running pods, job from the container name', () => {
    const { chart, prometheus } = stack();
    new PodPortScrape(chart, 'pods', { prometheus });
    const ms = synth(chart);
    const j = job(ms, 'pods');
    expect(j).toMatchSnapshot();
    expect(j.kubernetes_sd_configs).toEqual([{ role: 'pod' }]);
    expect(j.relabel_configs.slice(0, 3)).toEqual([
      { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: 'metrics', action: 'keep' },
      { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Pending|Succeeded|Failed|Completed', action: 'drop' },
      // node-exporter's port is named metrics too: it has its own job
      { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_part_of'], regex: 'cdk8s-prometheus', action: 'drop' },
    ]);
    expect(j.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'job', action: 'replace' });
    expect(one(ms, 'ClusterRole').rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] }]);
  });

  test('another port name, namespaced', () => {
    const { chart, prometheus } = stack();
    new PodPortScrape(chart, 'pods', { prometheus, portName: 'prom', namespaces: ['apps'] });
    const ms = synth(chart);
    expect(job(ms, 'pods').relabel_configs[0].regex).toBe('prom');
    expect(objects(ms, 'ClusterRole')).toEqual([]);
    expect(one(ms, 'Role').metadata.namespace).toBe('apps');
    expect(one(ms, 'Role').rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] }]);
  });

  test('fails on a port name longer than 15 characters', () => {
    const { chart, prometheus } = stack();
    expect(() => new PodPortScrape(chart, 'pods', { prometheus, portName: 'prometheus-metrics' }))
      .toThrow(/test\/pods: invalid portName "prometheus-metrics": a port name \(IANA service name\) must be no more than 15 characters/);
  });
});
