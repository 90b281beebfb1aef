import { DiscoveryRole, KubernetesScrape, RelabelRule } from '../src';
import { simulateTarget } from './relabel-sim';
import { job, objects, one, schemaProblems, stack, synth } from './util';

describe('KubernetesScrape', () => {
  test('role, namespaces, selectors, node metadata and relabel rules of your own; RBAC derived', () => {
    const { chart, prometheus } = stack();
    new KubernetesScrape(chart, 'gpu-pods', {
      prometheus,
      role: DiscoveryRole.POD,
      namespaces: ['ml'],
      selectors: [
        { label: 'app.kubernetes.io/part-of=trainer,tier notin (test)', field: 'status.phase=Running' },
        { role: DiscoveryRole.NODE, label: 'accelerator' },
      ],
      attachNodeMetadata: true,
      relabelings: [
        RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_pod_container_port_name'], regex: 'metrics' }),
        RelabelRule.copy('__meta_kubernetes_node_label_accelerator', 'accelerator'),
        RelabelRule.copy('__meta_kubernetes_pod_name', 'pod'),
      ],
    });
    const ms = synth(chart);
    expect(schemaProblems(ms)).toEqual([]);
    const j = job(ms, 'gpu-pods');
    expect(j).toMatchSnapshot();
    expect(j.kubernetes_sd_configs).toEqual([{
      role: 'pod',
      namespaces: { names: ['ml'] },
      selectors: [
        { role: 'pod', label: 'app.kubernetes.io/part-of=trainer,tier notin (test)', field: 'status.phase=Running' },
        { role: 'node', label: 'accelerator' },
      ],
      attach_metadata: { node: true },
    }]);
    // pods in ml through a Role; the node informer is cluster-wide
    expect(one(ms, 'Role').metadata.namespace).toBe('ml');
    expect(one(ms, 'Role').rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] }]);
    expect(one(ms, 'ClusterRole').rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] }]);
    expect(simulateTarget(j, {
      __address__: '10.0.0.9:9400',
      __meta_kubernetes_pod_container_port_name: 'metrics',
      __meta_kubernetes_pod_name: 'trainer-0',
      __meta_kubernetes_node_label_accelerator: 'a100',
    })).toEqual({ url: 'http://10.0.0.9:9400/metrics', labels: { job: 'gpu-pods', instance: '10.0.0.9:9400', accelerator: 'a100', pod: 'trainer-0' } });
  });

  test('namespace metadata, cluster-wide endpointslices with service and pod selectors', () => {
    const { chart, prometheus } = stack();
    prometheus.addKubernetesScrape('team-endpoints', {
      role: DiscoveryRole.ENDPOINT_SLICE,
      selectors: [{ role: DiscoveryRole.SERVICE, label: 'team=a' }, { role: DiscoveryRole.POD, field: 'spec.nodeName!=' }],
      attachNamespaceMetadata: true,
      relabelings: [RelabelRule.copy('__meta_kubernetes_namespace_label_owner', 'owner')],
    });
    const ms = synth(chart);
    const j = job(ms, 'team-endpoints');
    expect(j.kubernetes_sd_configs[0].attach_metadata).toEqual({ namespace: true });
    expect(objects(ms, 'Role')).toEqual([]);
    expect(one(ms, 'ClusterRole').rules).toEqual([
      { apiGroups: [''], resources: ['namespaces', 'pods', 'services'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ]);
  });

  test('node role with a node selector: one ClusterRole rule', () => {
    const { chart, prometheus } = stack();
    new KubernetesScrape(chart, 'linux-nodes', { prometheus, role: DiscoveryRole.NODE, selectors: [{ label: 'kubernetes.io/os=linux' }], metricsPath: '/healthz' });
    const ms = synth(chart);
    expect(job(ms, 'linux-nodes').kubernetes_sd_configs).toEqual([{ role: 'node', selectors: [{ role: 'node', label: 'kubernetes.io/os=linux' }] }]);
    expect(one(ms, 'ClusterRole').rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] }]);
  });

  test('fails on node meta labels without attachNodeMetadata', () => {
    const { chart, prometheus } = stack();
    expect(() => new KubernetesScrape(chart, 'pods', {
      prometheus, role: DiscoveryRole.POD, relabelings: [RelabelRule.copy('__meta_kubernetes_node_label_zone', 'zone')],
    })).toThrow(/test\/pods: invalid relabelings\[0\].sourceLabels\[0\] "__meta_kubernetes_node_label_zone": discovery role "pod" never produces this meta label/);
  });
});
