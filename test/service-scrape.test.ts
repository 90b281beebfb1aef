import { EndpointDiscovery, RelabelRule, Scheme, ServiceScrape } from '../src';
import { job, objects, one, stack, synth } from './util';

describe('ServiceScrape', () => {
  test('every Service endpoint but the API server, job from the Service name', () => {
    const { chart, prometheus } = stack();
    new ServiceScrape(chart, 'services', { prometheus });
    const ms = synth(chart);
    const j = job(ms, 'kubernetes-services');
    expect(j).toMatchSnapshot();
    expect(j.kubernetes_sd_configs).toEqual([{ role: 'endpointslice' }]);
    // only ports the Service exposes: discovery also yields the backing pods' other container ports
    expect(j.relabel_configs[0]).toEqual({ source_labels: ['__meta_kubernetes_endpointslice_port'], regex: '.+', action: 'keep' });
    expect(j.relabel_configs[1]).toEqual({
      source_labels: ['__meta_kubernetes_namespace', '__meta_kubernetes_service_name'], regex: 'default;kubernetes', action: 'drop',
    });
    expect(j.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_service_name'], target_label: 'job', action: 'replace' });
    expect(j.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace', action: 'replace' });
    // the library's own components (kube-state-metrics, node-exporter ...) are scraped by their own jobs
    expect(j.relabel_configs[2]).toEqual({
      source_labels: ['__meta_kubernetes_service_label_app_kubernetes_io_part_of'], regex: 'cdk8s-prometheus', action: 'drop',
    });
    // cluster-wide: a ClusterRole, no Role
    expect(objects(ms, 'Role')).toEqual([]);
    expect(one(ms, 'ClusterRole').rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'services'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ]);
  });

  test('namespaces go into discovery and into Roles; port name filter; fixed job label', () => {
    const { chart, prometheus } = stack();
    new ServiceScrape(chart, 'services', {
      prometheus, namespaces: ['apps', 'payments'], portName: 'http-metrics', jobLabel: 'apps', scheme: Scheme.HTTPS, metricsPath: '/internal/metrics',
    });
    const ms = synth(chart);
    const j = job(ms, 'kubernetes-services');
    expect(j.kubernetes_sd_configs).toEqual([{ role: 'endpointslice', namespaces: { names: ['apps', 'payments'] } }]);
    expect(j.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_endpointslice_port_name'], regex: 'http-metrics', action: 'keep' });
    expect(j.relabel_configs).toContainEqual({ target_label: 'job', replacement: 'apps', action: 'replace' });
    expect(j.relabel_configs.filter((r: any) => r.target_label === 'job')).toHaveLength(1);
    expect(j).toMatchObject({ scheme: 'https', metrics_path: '/internal/metrics' });
    expect(objects(ms, 'ClusterRole')).toEqual([]);
    expect(objects(ms, 'Role').map(r => r.metadata.namespace)).toEqual(['apps', 'payments']);
    expect(objects(ms, 'RoleBinding').map(r => r.metadata.namespace)).toEqual(['apps', 'payments']);
  });

  test('endpoints discovery', () => {
    const { chart, prometheus } = stack();
    new ServiceScrape(chart, 'services', { prometheus, discovery: EndpointDiscovery.ENDPOINTS, portName: 'metrics' });
    const j = job(synth(chart), 'kubernetes-services');
    expect(j.kubernetes_sd_configs[0].role).toBe('endpoints');
    expect(j.relabel_configs[0]).toEqual({ source_labels: ['__meta_kubernetes_endpoint_ready'], regex: '.+', action: 'keep' });
    expect(j.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_endpoint_port_name'], regex: 'metrics', action: 'keep' });
  });

  test('fails on a port name that is not an IANA service name', () => {
    const { chart, prometheus } = stack();
    expect(() => new ServiceScrape(chart, 'services', { prometheus, portName: 'Metrics_Port' }))
      .toThrow(/test\/services: invalid portName "Metrics_Port": a port name \(IANA service name\) must contain only a-z, 0-9 and "-"/);
  });

  test('fails on an endpoints meta label under the endpointslice role', () => {
    const { chart, prometheus } = stack();
    expect(() => new ServiceScrape(chart, 'services', {
      prometheus, relabelings: [RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_endpoint_port_name'], regex: 'web' })],
    })).toThrow(/invalid relabelings\[0\].sourceLabels\[0\] "__meta_kubernetes_endpoint_port_name": discovery role "endpointslice" never produces this meta label/);
  });

  test('fails on a metrics path with a query string', () => {
    const { chart, prometheus } = stack();
    expect(() => new ServiceScrape(chart, 'services', { prometheus, metricsPath: '/metrics?format=prometheus' }))
      .toThrow(/invalid metricsPath "\/metrics\?format=prometheus": a metrics path carries no query/);
  });

  test('fails on an invalid namespace', () => {
    const { chart, prometheus } = stack();
    expect(() => new ServiceScrape(chart, 'services', { prometheus, namespaces: ['Apps'] }))
      .toThrow(/test\/services: invalid namespaces\[0\] "Apps": must be a lowercase RFC 1123 label/);
  });
});
