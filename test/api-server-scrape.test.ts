import { ApiServerScrape, EndpointDiscovery } from '../src';
import { job, objects, one, stack, synth } from './util';

describe('ApiServerScrape', () => {
  test('default/kubernetes:https over EndpointSlices, verified TLS, least privilege', () => {
    const { chart, prometheus } = stack();
    new ApiServerScrape(chart, 'apiserver', { prometheus });
    const ms = synth(chart);
    const j = job(ms, 'apiserver');
    expect(j).toMatchSnapshot();
    expect(j.kubernetes_sd_configs).toEqual([{ role: 'endpointslice', namespaces: { names: ['default'] } }]);
    expect(j.relabel_configs).toEqual([{
      source_labels: ['__meta_kubernetes_namespace', '__meta_kubernetes_service_name', '__meta_kubernetes_endpointslice_port_name'],
      regex: 'default;kubernetes;https',
      action: 'keep',
    }]);
    expect(j.tls_config).toEqual({ ca_file: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt', server_name: 'kubernetes' });
    expect(j.authorization.credentials_file).toBe('/var/run/secrets/kubernetes.io/serviceaccount/token');
    // discovery needs a Role in default only; /metrics is a cluster-level non-resource URL
    const role = one(ms, 'Role');
    expect(role.metadata.namespace).toBe('default');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'services'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ]);
    expect(one(ms, 'RoleBinding', role.metadata.name).subjects).toEqual([{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }]);
    expect(one(ms, 'ClusterRole').rules).toEqual([{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
  });

  test('endpoints discovery for old clusters uses the endpoints meta label', () => {
    const { chart, prometheus } = stack();
    new ApiServerScrape(chart, 'apiserver', { prometheus, discovery: EndpointDiscovery.ENDPOINTS });
    const ms = synth(chart);
    const j = job(ms, 'apiserver');
    expect(j.kubernetes_sd_configs[0].role).toBe('endpoints');
    expect(j.relabel_configs[0].source_labels[2]).toBe('__meta_kubernetes_endpoint_port_name');
    expect(objects(ms, 'Role')[0].rules).toEqual([{ apiGroups: [''], resources: ['endpoints', 'pods', 'services'], verbs: ['list', 'watch'] }]);
  });
});
