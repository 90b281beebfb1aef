import { KubeletEndpoint, KubeletEndpointScrape, KubeletScrape } from '../src';
import { simulateTarget } from './relabel-sim';
import { job, one, stack, synth } from './util';

describe('KubeletEndpointScrape', () => {
  test('/metrics/probes and /metrics/resource, labelled job="kubelet" and metrics_path as kube-prometheus does', () => {
    const { chart, prometheus } = stack();
    new KubeletScrape(chart, 'kubelet', { prometheus });
    new KubeletEndpointScrape(chart, 'probes', { prometheus, endpoint: KubeletEndpoint.PROBES });
    prometheus.addKubeletEndpointScrape('resource', { endpoint: KubeletEndpoint.RESOURCE });
    const ms = synth(chart);
    const probes = job(ms, 'kubelet-probes');
    expect(probes).toMatchSnapshot();
    expect(probes).toMatchObject({
      scheme: 'https',
      metrics_path: '/metrics/probes',
      kubernetes_sd_configs: [{ role: 'node' }],
      authorization: { type: 'Bearer', credentials_file: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
      tls_config: { ca_file: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' },
    });
    expect(job(ms, 'kubelet-resource').metrics_path).toBe('/metrics/resource');
    const node = { __address__: '10.0.0.11:10250', __meta_kubernetes_node_name: 'node-a', instance: 'node-a' };
    expect(simulateTarget(probes, node)).toEqual({
      url: 'https://10.0.0.11:10250/metrics/probes',
      labels: { job: 'kubelet', instance: 'node-a', node: 'node-a', metrics_path: '/metrics/probes' },
    });
    expect(simulateTarget(job(ms, 'kubelet-resource'), node)?.labels).toEqual({ job: 'kubelet', instance: 'node-a', node: 'node-a', metrics_path: '/metrics/resource' });
    // nodes/metrics covers every /metrics/* path of the kubelet: the same two rules as KubeletScrape alone
    expect(one(ms, 'ClusterRole').rules).toEqual([
      { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
    ]);
  });
});
