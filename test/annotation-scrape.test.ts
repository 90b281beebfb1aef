import { Duration } from 'cdk8s';
import { AnnotatedObjects, AnnotationScrape, EndpointDiscovery } from '../src';
import { simulateTarget } from './relabel-sim';
import { job, objects, one, schemaProblems, stack, synth } from './util';

/** A Service endpoint as endpointslice discovery yields it. */
function endpoint(address: string, annotations: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  return {
    __address__: address,
    __meta_kubernetes_namespace: 'shop',
    __meta_kubernetes_service_name: 'web',
    __meta_kubernetes_service_label_app: 'web',
    __meta_kubernetes_endpointslice_port: address.replace(/.*:/, ''),
    __meta_kubernetes_pod_name: 'web-0',
    __meta_kubernetes_pod_node_name: 'node-a',
    ...Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`__meta_kubernetes_service_annotation_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`, v])),
    ...extra,
  };
}

/** A pod container port as pod discovery yields it. */
function podPort(
  ip: string, port: string | undefined, annotations: Record<string, string>, extra: Record<string, string> = {},
): Record<string, string> {
  return {
    __address__: port === undefined ? ip : (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`),
    __meta_kubernetes_namespace: 'shop',
    __meta_kubernetes_pod_name: 'worker-0',
    __meta_kubernetes_pod_ip: ip,
    __meta_kubernetes_pod_phase: 'Running',
    __meta_kubernetes_pod_container_init: 'false',
    __meta_kubernetes_pod_node_name: 'node-b',
    __meta_kubernetes_pod_label_app: 'worker',
    ...(port === undefined ? {} : { __meta_kubernetes_pod_container_port_number: port }),
    ...Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`__meta_kubernetes_pod_annotation_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`, v])),
    ...extra,
  };
}

describe('AnnotationScrape', () => {
  test('Service endpoints that opt in with prometheus.io/scrape, as the Helm chart reads the annotations', () => {
    const { chart, prometheus } = stack();
    new AnnotationScrape(chart, 'annotated', { prometheus });
    const ms = synth(chart);
    expect(schemaProblems(ms)).toEqual([]);
    const j = job(ms, 'kubernetes-service-endpoints');
    expect(j).toMatchSnapshot();
    expect(j.kubernetes_sd_configs).toEqual([{ role: 'endpointslice' }]);
    expect(j.scrape_interval).toBeUndefined();
    expect(j.relabel_configs.slice(0, 2)).toEqual([
      { source_labels: ['__meta_kubernetes_service_annotation_prometheus_io_scrape'], regex: 'true', action: 'keep' },
      { source_labels: ['__meta_kubernetes_service_annotation_prometheus_io_scrape_slow'], regex: 'true', action: 'drop' },
    ]);
    expect(one(ms, 'ClusterRole').rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'services'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ]);

    // unannotated, scrape "false", slow: dropped
    expect(simulateTarget(j, endpoint('10.0.0.5:8080', {}))).toBeUndefined();
    expect(simulateTarget(j, endpoint('10.0.0.5:8080', { 'prometheus.io/scrape': 'false' }))).toBeUndefined();
    expect(simulateTarget(j, endpoint('10.0.0.5:8080', { 'prometheus.io/scrape': 'true', 'prometheus.io/scrape-slow': 'true' }))).toBeUndefined();
    // a backing pod's container port that the Service does not expose
    expect(simulateTarget(j, endpoint('10.0.0.5:9999', { 'prometheus.io/scrape': 'true' }, { __meta_kubernetes_endpointslice_port: '' }))).toBeUndefined();
    // annotated, defaults: http, /metrics, the endpoint port
    expect(simulateTarget(j, endpoint('10.0.0.5:8080', { 'prometheus.io/scrape': 'true' }))).toEqual({
      url: 'http://10.0.0.5:8080/metrics',
      labels: { job: 'kubernetes-service-endpoints', instance: '10.0.0.5:8080', namespace: 'shop', service: 'web', node: 'node-a', app: 'web' },
    });
    // every annotation: scheme, path, port, params
    const all = { 'prometheus.io/scrape': 'true', 'prometheus.io/scheme': 'https', 'prometheus.io/path': '/admin/metrics', 'prometheus.io/port': '9102', 'prometheus.io/param_format': 'prometheus' };
    expect(simulateTarget(j, endpoint('10.0.0.5:8080', all))?.url).toBe('https://10.0.0.5:9102/admin/metrics?format=prometheus');
    // IPv6: the host keeps its brackets, only the port changes
    expect(simulateTarget(j, endpoint('[fd00::5]:8080', all))).toMatchObject({
      url: 'https://[fd00::5]:9102/admin/metrics?format=prometheus',
      labels: { instance: '[fd00::5]:9102' },
    });
    expect(simulateTarget(j, endpoint('[::1]:8080', { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9100' }))?.url).toBe('http://[::1]:9100/metrics');
    // a scheme other than http/https, a path without "/" and a port that is not a number are ignored
    expect(simulateTarget(j, endpoint('10.0.0.5:8080', {
      'prometheus.io/scrape': 'true', 'prometheus.io/scheme': 'ftp', 'prometheus.io/path': 'metrics', 'prometheus.io/port': 'http',
    }))?.url).toBe('http://10.0.0.5:8080/metrics');
  });

  test('the slow variant keeps scrape-slow, every 5 minutes by default', () => {
    const { chart, prometheus } = stack();
    new AnnotationScrape(chart, 'annotated', { prometheus });
    new AnnotationScrape(chart, 'slow', { prometheus, slow: true });
    new AnnotationScrape(chart, 'slow-pods', { prometheus, slow: true, objects: AnnotatedObjects.PODS, interval: Duration.minutes(2) });
    const ms = synth(chart);
    const j = job(ms, 'kubernetes-service-endpoints-slow');
    expect(j.scrape_interval).toBe('5m');
    expect(j.relabel_configs[0]).toEqual({ source_labels: ['__meta_kubernetes_service_annotation_prometheus_io_scrape_slow'], regex: 'true', action: 'keep' });
    expect(job(ms, 'kubernetes-pods-slow').scrape_interval).toBe('2m');
    const slow = endpoint('10.0.0.5:8080', { 'prometheus.io/scrape-slow': 'true' });
    expect(simulateTarget(j, slow)?.labels.job).toBe('kubernetes-service-endpoints-slow');
    expect(simulateTarget(job(ms, 'kubernetes-service-endpoints'), slow)).toBeUndefined();
    expect(simulateTarget(j, endpoint('10.0.0.5:8080', { 'prometheus.io/scrape': 'true' }))).toBeUndefined();
  });

  test('pods: running, annotated, IPv4 and IPv6, with or without declared ports', () => {
    const { chart, prometheus } = stack();
    new AnnotationScrape(chart, 'pods', { prometheus, objects: AnnotatedObjects.PODS, namespaces: ['shop'] });
    const ms = synth(chart);
    const j = job(ms, 'kubernetes-pods');
    expect(j).toMatchSnapshot();
    expect(j.kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: ['shop'] } }]);
    expect(objects(ms, 'ClusterRole')).toEqual([]);
    expect(one(ms, 'Role').rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] }]);

    const on = { 'prometheus.io/scrape': 'true' };
    expect(simulateTarget(j, podPort('10.0.0.7', '8080', {}))).toBeUndefined();
    expect(simulateTarget(j, podPort('10.0.0.7', '8080', on))).toEqual({
      url: 'http://10.0.0.7:8080/metrics',
      labels: { job: 'kubernetes-pods', instance: '10.0.0.7:8080', namespace: 'shop', pod: 'worker-0', node: 'node-b', app: 'worker' },
    });
    for (const phase of ['Pending', 'Succeeded', 'Failed']) {
      expect(simulateTarget(j, podPort('10.0.0.7', '8080', on, { __meta_kubernetes_pod_phase: phase }))).toBeUndefined();
    }
    expect(simulateTarget(j, podPort('10.0.0.7', '8080', on, { __meta_kubernetes_pod_container_init: 'true' }))).toBeUndefined();
    // a container without ports: only with the port annotation
    expect(simulateTarget(j, podPort('10.0.0.7', undefined, on))).toBeUndefined();
    expect(simulateTarget(j, podPort('10.0.0.7', undefined, { ...on, 'prometheus.io/port': '9100' }))?.url).toBe('http://10.0.0.7:9100/metrics');
    // IPv6 pod IPs: bare in the meta label, bracketed in the address
    expect(simulateTarget(j, podPort('fd00::7', undefined, { ...on, 'prometheus.io/port': '9100' }))?.url).toBe('http://[fd00::7]:9100/metrics');
    expect(simulateTarget(j, podPort('fd00:10:244::7', '8080', { ...on, 'prometheus.io/port': '9100', 'prometheus.io/path': '/m' }))).toMatchObject({
      url: 'http://[fd00:10:244::7]:9100/m', labels: { instance: '[fd00:10:244::7]:9100' },
    });
    expect(simulateTarget(j, podPort('fd00::7', '8080', on))?.url).toBe('http://[fd00::7]:8080/metrics');
  });

  test('a prefix of your own, endpoints discovery', () => {
    const { chart, prometheus } = stack();
    new AnnotationScrape(chart, 'annotated', { prometheus, annotationPrefix: 'metrics.example.com', discovery: EndpointDiscovery.ENDPOINTS, jobName: 'annotated' });
    const j = job(synth(chart), 'annotated');
    expect(j.kubernetes_sd_configs).toEqual([{ role: 'endpoints' }]);
    expect(j.relabel_configs[0]).toEqual({ source_labels: ['__meta_kubernetes_service_annotation_metrics_example_com_scrape'], regex: 'true', action: 'keep' });
    const target = {
      ...endpoint('10.0.0.5:8080', { 'metrics.example.com/scrape': 'true', 'metrics.example.com/param_module': 'http_2xx' }),
      __meta_kubernetes_endpoint_ready: 'true',
    };
    expect(simulateTarget(j, target)?.url).toBe('http://10.0.0.5:8080/metrics?module=http_2xx');
    expect(simulateTarget(j, endpoint('10.0.0.5:8080', { 'prometheus.io/scrape': 'true' }, { __meta_kubernetes_endpoint_ready: 'true' }))).toBeUndefined();
  });

  test('the stack factory', () => {
    const { chart, prometheus } = stack();
    const s = prometheus.addAnnotationScrape('pods', { objects: AnnotatedObjects.PODS });
    expect(s.jobName).toBe('kubernetes-pods');
    expect(s.annotationPrefix).toBe('prometheus.io');
    expect(job(synth(chart), 'kubernetes-pods').kubernetes_sd_configs).toEqual([{ role: 'pod' }]);
  });
});
