import { BlackboxExporter, BlackboxModule, IngressProbe, NameValidationScheme, RelabelRule, ServiceProbe } from '../src';
import { rulesFromConfig } from './relabel-config';
import { simulateTarget } from './relabel-sim';
import { job, objects, one, schemaProblems, stack, synth } from './util';

function setup(exporterProps: Partial<ConstructorParameters<typeof BlackboxExporter>[2]> = {}) {
  const s = stack();
  const blackboxExporter = new BlackboxExporter(s.chart, 'blackbox', { prometheus: s.prometheus, ...exporterProps });
  return { ...s, blackboxExporter };
}

/** What the ingress role discovers for one rule path (discovery/kubernetes/ingress.go). */
function ingressPath(namespace: string, ingress: string, host: string, path: string, scheme: 'http' | 'https', extra: Record<string, string> = {}) {
  return {
    __address__: host,
    __meta_kubernetes_namespace: namespace,
    __meta_kubernetes_ingress_name: ingress,
    __meta_kubernetes_ingress_host: host,
    __meta_kubernetes_ingress_path: path,
    __meta_kubernetes_ingress_scheme: scheme,
    __meta_kubernetes_ingress_class_name: 'nginx',
    ...extra,
  };
}

describe('IngressProbe', () => {
  test('every Ingress URL probed with http_2xx through the exporter', () => {
    const { chart, prometheus, blackboxExporter } = setup();
    new IngressProbe(chart, 'ingress-probes', { prometheus, blackboxExporter });
    const ms = synth(chart);
    expect(schemaProblems(ms)).toEqual([]);
    const j = job(ms, 'blackbox-ingresses');
    expect(j).toMatchSnapshot();
    expect(j.kubernetes_sd_configs).toEqual([{ role: 'ingress' }]);
    expect(j.metrics_path).toBe('/probe');
    expect(j.params).toEqual({ module: ['http_2xx'] });
    expect(j.relabel_configs).toEqual([
      { source_labels: ['__meta_kubernetes_ingress_host'], regex: '[^*]+', action: 'keep' },
      {
        source_labels: ['__meta_kubernetes_ingress_scheme', '__address__', '__meta_kubernetes_ingress_path'],
        regex: '(.+);(.+);(.+)',
        target_label: '__param_target',
        replacement: '${1}://${2}${3}',
        action: 'replace',
      },
      { target_label: '__address__', replacement: 'blackbox.monitoring.svc:9115', action: 'replace' },
      { source_labels: ['__param_target'], target_label: 'instance', action: 'replace' },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace', action: 'replace' },
      { source_labels: ['__meta_kubernetes_ingress_name'], target_label: 'ingress', action: 'replace' },
    ]);
  });

  test('an Ingress rule path becomes a probe of its URL through the exporter', () => {
    const { chart, prometheus, blackboxExporter } = setup();
    new IngressProbe(chart, 'ingress-probes', { prometheus, blackboxExporter });
    const j = job(synth(chart), 'blackbox-ingresses');
    expect(simulateTarget(j, ingressPath('shop', 'web', 'shop.example.com', '/cart', 'https'))).toEqual({
      labels: { job: 'blackbox-ingresses', instance: 'https://shop.example.com/cart', namespace: 'shop', ingress: 'web' },
      url: 'http://blackbox.monitoring.svc:9115/probe?module=http_2xx&target=https%3A%2F%2Fshop.example.com%2Fcart',
    });
    // a rule without paths is discovered with path "/"; a host outside the TLS hosts is http
    expect(simulateTarget(j, ingressPath('shop', 'web', 'www.example.com', '/', 'http'))?.labels.instance).toBe('http://www.example.com/');
    // no host, or a wildcard host: nothing to probe
    expect(simulateTarget(j, ingressPath('shop', 'web', '', '/', 'http'))).toBeUndefined();
    expect(simulateTarget(j, ingressPath('shop', 'web', '*.example.com', '/', 'https'))).toBeUndefined();
  });

  test('RBAC: list/watch networking.k8s.io ingresses only, cluster-wide without namespaces', () => {
    const { chart, prometheus, blackboxExporter } = setup();
    new IngressProbe(chart, 'ingress-probes', { prometheus, blackboxExporter });
    const ms = synth(chart);
    expect(objects(ms, 'Role')).toEqual([]);
    expect(one(ms, 'ClusterRole', 'monitoring-prometheus').rules).toEqual([
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['list', 'watch'] },
    ]);
  });

  test('namespaces go into discovery and into Roles granting ingresses; with a ServiceProbe, both resources', () => {
    const { chart, prometheus, blackboxExporter } = setup();
    new IngressProbe(chart, 'ingress-probes', { prometheus, blackboxExporter, namespaces: ['shop'] });
    new ServiceProbe(chart, 'service-probes', { prometheus, blackboxExporter, namespaces: ['shop', 'payments'] });
    const ms = synth(chart);
    expect(job(ms, 'blackbox-ingresses').kubernetes_sd_configs).toEqual([{ role: 'ingress', namespaces: { names: ['shop'] } }]);
    expect(objects(ms, 'ClusterRole').filter(r => r.metadata.labels['app.kubernetes.io/name'] === 'prometheus')).toEqual([]);
    const byNs = Object.fromEntries(objects(ms, 'Role').map(r => [r.metadata.namespace, r.rules]));
    expect(byNs).toEqual({
      payments: [{ apiGroups: [''], resources: ['services'], verbs: ['list', 'watch'] }],
      shop: [
        { apiGroups: [''], resources: ['services'], verbs: ['list', 'watch'] },
        { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['list', 'watch'] },
      ],
    });
  });

  test('opt-in annotation and a custom module', () => {
    const login = BlackboxModule.http({ name: 'http_login', validStatusCodes: [200, 401] });
    const { chart, prometheus, blackboxExporter } = setup({ modules: [BlackboxModule.http2xx(), login] });
    new IngressProbe(chart, 'ingress-probes', { prometheus, blackboxExporter, module: login, optInAnnotation: 'prometheus.io/probe' });
    const j = job(synth(chart), 'blackbox-ingresses');
    expect(j.params).toEqual({ module: ['http_login'] });
    expect(j.relabel_configs[1]).toEqual({ source_labels: ['__meta_kubernetes_ingress_annotation_prometheus_io_probe'], regex: 'true', action: 'keep' });
    const annotated = { __meta_kubernetes_ingress_annotation_prometheus_io_probe: 'true' };
    expect(simulateTarget(j, ingressPath('shop', 'web', 'shop.example.com', '/', 'https', annotated))?.url)
      .toBe('http://blackbox.monitoring.svc:9115/probe?module=http_login&target=https%3A%2F%2Fshop.example.com%2F');
    expect(simulateTarget(j, ingressPath('shop', 'web', 'shop.example.com', '/', 'https'))).toBeUndefined();
  });

  test.each([NameValidationScheme.UTF8, NameValidationScheme.LEGACY])('built-in relabel rules pass the checks for role ingress (%s names)', scheme => {
    const probe = (relabelings: RelabelRule[] = []) => {
      const { chart, prometheus } = stack({ nameValidationScheme: scheme });
      const blackboxExporter = new BlackboxExporter(chart, 'blackbox', { prometheus });
      new IngressProbe(chart, 'ingress-probes', { prometheus, blackboxExporter, optInAnnotation: 'example.com/probe', namespaces: ['shop'], relabelings });
      return job(synth(chart), 'blackbox-ingresses').relabel_configs;
    };
    const own = probe();
    expect(own).toHaveLength(7);
    expect(own[1]).toEqual({ source_labels: ['__meta_kubernetes_ingress_annotation_example_com_probe'], regex: 'true', action: 'keep' });
    // given back as user rules, they go through every synth-time check a user rule of role ingress does
    expect(probe(rulesFromConfig(own))).toEqual([...own, ...own]);
  });

  describe('fails', () => {
    const probe = (props: object, exporterProps: object = {}) => {
      const { chart, prometheus, blackboxExporter } = setup(exporterProps);
      return new IngressProbe(chart, 'probes', { prometheus, blackboxExporter, ...props });
    };

    test('fails if the module is not offered by the exporter', () => {
      expect(() => probe({ module: BlackboxModule.http({ name: 'http_login' }) }))
        .toThrow(/^test\/probes: invalid module "http_login": the blackbox exporter test\/blackbox has no such module \(it has http_2xx, tcp_connect\)/);
    });

    test('fails if the default module is not offered by the exporter', () => {
      expect(() => probe({}, { modules: [BlackboxModule.tcpConnect()] }))
        .toThrow(/^test\/probes: invalid module "http_2xx": the blackbox exporter test\/blackbox has no such module \(it has tcp_connect\)/);
    });

    test('fails if the exporter defines the module differently', () => {
      expect(() => probe({ module: BlackboxModule.http({ name: 'http_2xx', failIfNotSsl: true }) }))
        .toThrow(/^test\/probes: invalid module "http_2xx": the blackbox exporter test\/blackbox defines this module differently/);
    });

    test('fails if blackboxExporter is missing', () => {
      const { chart, prometheus } = stack();
      expect(() => new IngressProbe(chart, 'probes', { prometheus } as any))
        .toThrow(/^test\/probes: invalid blackboxExporter "undefined": must be a BlackboxExporter$/);
    });

    test('fails if the opt-in annotation has a bad prefix', () => {
      expect(() => probe({ optInAnnotation: 'example_com/probe' }))
        .toThrow(/^test\/probes: invalid optInAnnotation "example_com\/probe": a label key prefix must be a lowercase DNS subdomain$/);
    });

    test('fails if a namespace is not a DNS label', () => {
      expect(() => probe({ namespaces: ['web_shop'] }))
        .toThrow(/^test\/probes: invalid namespaces\[0\] "web_shop": must be a lowercase RFC 1123 label/);
    });

    test('fails if prometheus is not a PrometheusStack', () => {
      const { chart, blackboxExporter } = setup();
      expect(() => new IngressProbe(chart, 'probes', { prometheus: {} as any, blackboxExporter }))
        .toThrow(/^test\/probes: invalid prometheus "\[object Object\]": must be a PrometheusStack$/);
    });
  });
});
