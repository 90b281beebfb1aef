import { BlackboxExporter, BlackboxModule, KubeletScrape, NameValidationScheme, RelabelRule, ServiceProbe } from '../src';
import { rulesFromConfig } from './relabel-config';
import { simulateTarget } from './relabel-sim';
import { job, objects, one, schemaProblems, stack, synth } from './util';

function setup(exporterProps: Partial<ConstructorParameters<typeof BlackboxExporter>[2]> = {}) {
  const s = stack();
  const blackboxExporter = new BlackboxExporter(s.chart, 'blackbox', { prometheus: s.prometheus, ...exporterProps });
  return { ...s, blackboxExporter };
}

/** What the service role discovers for one Service port. */
function servicePort(namespace: string, service: string, port: number, extra: Record<string, string> = {}) {
  return {
    __address__: `${service}.${namespace}.svc:${port}`,
    __meta_kubernetes_namespace: namespace,
    __meta_kubernetes_service_name: service,
    __meta_kubernetes_service_port_number: String(port),
    __meta_kubernetes_service_port_protocol: 'TCP',
    __meta_kubernetes_service_type: 'ClusterIP',
    ...extra,
  };
}

describe('ServiceProbe', () => {
  test('every TCP Service port probed with tcp_connect through the exporter', () => {
    const { chart, prometheus, blackboxExporter } = setup();
    new ServiceProbe(chart, 'service-probes', { prometheus, blackboxExporter });
    const ms = synth(chart);
    expect(schemaProblems(ms)).toEqual([]);
    const j = job(ms, 'blackbox-services');
    expect(j).toMatchSnapshot();
    expect(j.kubernetes_sd_configs).toEqual([{ role: 'service' }]);
    expect(j.metrics_path).toBe('/probe');
    expect(j.scheme).toBe('http');
    expect(j.params).toEqual({ module: ['tcp_connect'] });
    expect(j.relabel_configs).toEqual([
      { source_labels: ['__meta_kubernetes_namespace', '__meta_kubernetes_service_name'], regex: 'default;kubernetes', action: 'drop' },
      { source_labels: ['__meta_kubernetes_service_port_protocol'], regex: 'TCP', action: 'keep' },
      { source_labels: ['__address__'], target_label: '__param_target', action: 'replace' },
      { target_label: '__address__', replacement: 'blackbox.monitoring.svc:9115', action: 'replace' },
      { source_labels: ['__param_target'], target_label: 'instance', action: 'replace' },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace', action: 'replace' },
      { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service', action: 'replace' },
    ]);
  });

  test('a Service port becomes a probe of its address through the exporter', () => {
    const { chart, prometheus, blackboxExporter } = setup();
    new ServiceProbe(chart, 'service-probes', { prometheus, blackboxExporter });
    const j = job(synth(chart), 'blackbox-services');
    expect(simulateTarget(j, servicePort('shop', 'web', 80))).toEqual({
      labels: { job: 'blackbox-services', instance: 'web.shop.svc:80', namespace: 'shop', service: 'web' },
      url: 'http://blackbox.monitoring.svc:9115/probe?module=tcp_connect&target=web.shop.svc%3A80',
    });
    // the API server and UDP ports are left out
    expect(simulateTarget(j, servicePort('default', 'kubernetes', 443))).toBeUndefined();
    expect(simulateTarget(j, servicePort('kube-system', 'kube-dns', 53, { __meta_kubernetes_service_port_protocol: 'UDP' }))).toBeUndefined();
    expect(simulateTarget(j, servicePort('kube-system', 'kube-dns', 53))?.labels.instance).toBe('kube-dns.kube-system.svc:53');
  });

  test('RBAC: list/watch services only, cluster-wide without namespaces', () => {
    const { chart, prometheus, blackboxExporter } = setup();
    new ServiceProbe(chart, 'service-probes', { prometheus, blackboxExporter });
    const ms = synth(chart);
    expect(objects(ms, 'Role')).toEqual([]);
    expect(one(ms, 'ClusterRole', 'monitoring-prometheus').rules).toEqual([
      { apiGroups: [''], resources: ['services'], verbs: ['list', 'watch'] },
    ]);
  });

  test('namespaces go into discovery and into Roles granting services', () => {
    const { chart, prometheus, blackboxExporter } = setup();
    new ServiceProbe(chart, 'service-probes', { prometheus, blackboxExporter, namespaces: ['shop', 'payments'] });
    const ms = synth(chart);
    expect(job(ms, 'blackbox-services').kubernetes_sd_configs).toEqual([{ role: 'service', namespaces: { names: ['shop', 'payments'] } }]);
    expect(objects(ms, 'ClusterRole').filter(r => r.metadata.labels['app.kubernetes.io/name'] === 'prometheus')).toEqual([]);
    const roles = objects(ms, 'Role');
    expect(roles.map(r => r.metadata.namespace).sort()).toEqual(['payments', 'shop']);
    for (const r of roles) expect(r.rules).toEqual([{ apiGroups: [''], resources: ['services'], verbs: ['list', 'watch'] }]);
    expect(objects(ms, 'RoleBinding').map(r => r.metadata.namespace).sort()).toEqual(['payments', 'shop']);
  });

  test('opt-in annotation, port name, HTTP module, own job name', () => {
    const { chart, prometheus, blackboxExporter } = setup();
    new ServiceProbe(chart, 'web-probes', {
      prometheus, blackboxExporter, module: BlackboxModule.http2xx(), optInAnnotation: 'prometheus.io/probe', portName: 'http', jobName: 'web-probes',
    });
    const j = job(synth(chart), 'web-probes');
    expect(j.params).toEqual({ module: ['http_2xx'] });
    expect(j.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_service_annotation_prometheus_io_probe'], regex: 'true', action: 'keep' });
    expect(j.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_service_port_name'], regex: 'http', action: 'keep' });
    const annotated = { __meta_kubernetes_service_annotation_prometheus_io_probe: 'true', __meta_kubernetes_service_port_name: 'http' };
    expect(simulateTarget(j, servicePort('shop', 'web', 8080, annotated))).toEqual({
      labels: { job: 'web-probes', instance: 'web.shop.svc:8080', namespace: 'shop', service: 'web' },
      url: 'http://blackbox.monitoring.svc:9115/probe?module=http_2xx&target=web.shop.svc%3A8080',
    });
    expect(simulateTarget(j, servicePort('shop', 'web', 8080, { ...annotated, __meta_kubernetes_service_annotation_prometheus_io_probe: 'false' }))).toBeUndefined();
    expect(simulateTarget(j, servicePort('shop', 'web', 8080, { __meta_kubernetes_service_port_name: 'http' }))).toBeUndefined();
    expect(simulateTarget(j, servicePort('shop', 'web', 9090, { ...annotated, __meta_kubernetes_service_port_name: 'metrics' }))).toBeUndefined();
  });

  test('a module equal to the exporter\'s (same name, same definition) is accepted; custom modules by reference', () => {
    const post = BlackboxModule.http({ name: 'http_post_2xx', method: 'POST' as any });
    const { chart, prometheus, blackboxExporter } = setup({ modules: [BlackboxModule.http2xx(), post] });
    new ServiceProbe(chart, 'a', { prometheus, blackboxExporter, module: BlackboxModule.http2xx(), jobName: 'a' });
    const b = new ServiceProbe(chart, 'b', { prometheus, blackboxExporter, module: blackboxExporter.findModule('http_post_2xx')!, jobName: 'b' });
    expect(b.moduleName).toBe('http_post_2xx');
    expect(job(synth(chart), 'b').params).toEqual({ module: ['http_post_2xx'] });
  });

  test('the exporter in another namespace: probes go to its DNS name there', () => {
    const { chart, prometheus, blackboxExporter } = setup({ namespace: 'probing', name: 'bbx' });
    new ServiceProbe(chart, 'service-probes', { prometheus, blackboxExporter });
    const j = job(synth(chart), 'blackbox-services');
    expect(j.relabel_configs).toContainEqual({ target_label: '__address__', replacement: 'bbx.probing.svc:9115', action: 'replace' });
  });

  test('order of construction does not matter for the stack', () => {
    const { chart, prometheus, blackboxExporter } = setup();
    new ServiceProbe(chart, 'service-probes', { prometheus, blackboxExporter });
    new KubeletScrape(chart, 'kubelet', { prometheus });
    const names = synth(chart) && prometheus.scrapes.map(s => s.jobName).sort();
    expect(names).toEqual(expect.arrayContaining(['blackbox-services', 'kubelet']));
    expect(job(synth(chart), 'blackbox-services').params).toEqual({ module: ['tcp_connect'] });
  });

  test.each([NameValidationScheme.UTF8, NameValidationScheme.LEGACY])('built-in relabel rules pass the checks for role service (%s names)', scheme => {
    const probe = (relabelings: RelabelRule[] = []) => {
      const { chart, prometheus } = stack({ nameValidationScheme: scheme });
      const blackboxExporter = new BlackboxExporter(chart, 'blackbox', { prometheus });
      new ServiceProbe(chart, 'service-probes', {
        prometheus, blackboxExporter, optInAnnotation: 'example.com/probe-me.please', portName: 'http', namespaces: ['shop'], relabelings,
      });
      return job(synth(chart), 'blackbox-services').relabel_configs;
    };
    const own = probe();
    expect(own).toHaveLength(9);
    expect(own[2]).toEqual({ source_labels: ['__meta_kubernetes_service_annotation_example_com_probe_me_please'], regex: 'true', action: 'keep' });
    // given back as user rules, they go through every synth-time check a user rule of role service does
    expect(probe(rulesFromConfig(own))).toEqual([...own, ...own]);
  });

  describe('fails', () => {
    const probe = (props: object, exporterProps: object = {}) => {
      const { chart, prometheus, blackboxExporter } = setup(exporterProps);
      return new ServiceProbe(chart, 'probes', { prometheus, blackboxExporter, ...props });
    };

    test('fails if the module is not offered by the exporter', () => {
      expect(() => probe({ module: BlackboxModule.http({ name: 'http_post_2xx' }) }))
        .toThrow(/^test\/probes: invalid module "http_post_2xx": the blackbox exporter test\/blackbox has no such module \(it has http_2xx, tcp_connect\); add it to the exporter's modules or probe with one of those$/);
    });

    test('fails if the default module is not offered by the exporter', () => {
      expect(() => probe({}, { modules: [BlackboxModule.http2xx()] }))
        .toThrow(/^test\/probes: invalid module "tcp_connect": the blackbox exporter test\/blackbox has no such module \(it has http_2xx\)/);
    });

    test('fails if the exporter defines the module differently', () => {
      expect(() => probe({ module: BlackboxModule.http({ name: 'http_2xx', validStatusCodes: [200] }) }))
        .toThrow(/^test\/probes: invalid module "http_2xx": the blackbox exporter test\/blackbox defines this module differently/);
    });

    test('fails if the module is not a BlackboxModule', () => {
      expect(() => probe({ module: 'http_2xx' }))
        .toThrow(/^test\/probes: invalid module "http_2xx": must be a BlackboxModule/);
    });

    test('fails if blackboxExporter is not a BlackboxExporter', () => {
      const { chart, prometheus } = stack();
      expect(() => new ServiceProbe(chart, 'probes', { prometheus, blackboxExporter: {} as any }))
        .toThrow(/^test\/probes: invalid blackboxExporter "\[object Object\]": must be a BlackboxExporter$/);
    });

    test('fails if the opt-in annotation is not an annotation name', () => {
      expect(() => probe({ optInAnnotation: 'prometheus.io/probe me' }))
        .toThrow(/^test\/probes: invalid optInAnnotation "prometheus.io\/probe me": a label key name part must be/);
      expect(() => probe({ optInAnnotation: 'Prometheus.IO/probe' }))
        .toThrow(/^test\/probes: invalid optInAnnotation "Prometheus.IO\/probe": a label key prefix must be a lowercase DNS subdomain$/);
    });

    test('fails if the opt-in annotation is empty', () => {
      expect(() => probe({ optInAnnotation: '' }))
        .toThrow(/^test\/probes: invalid optInAnnotation "": an annotation name must be a non-empty string$/);
    });

    test('fails if a namespace is not a DNS label', () => {
      expect(() => probe({ namespaces: ['shop', 'Payments'] }))
        .toThrow(/^test\/probes: invalid namespaces\[1\] "Payments": must be a lowercase RFC 1123 label/);
    });

    test('fails if the namespace list is empty', () => {
      expect(() => probe({ namespaces: [] }))
        .toThrow(/^test\/probes: invalid namespaces \[\]: give at least one namespace, or leave it out/);
    });

    test('fails if the port name is not an IANA service name', () => {
      expect(() => probe({ portName: 'HTTP_port' }))
        .toThrow(/^test\/probes: invalid portName "HTTP_port": a port name \(IANA service name\)/);
    });

    test('fails if the job name is taken', () => {
      const { chart, prometheus, blackboxExporter } = setup();
      new ServiceProbe(chart, 'a', { prometheus, blackboxExporter });
      expect(() => new ServiceProbe(chart, 'b', { prometheus, blackboxExporter }))
        .toThrow(/^test\/b: invalid jobName "blackbox-services": this scrape.s default job name is already used by test\/a; give one of them its own `jobName`/);
    });
  });
});
