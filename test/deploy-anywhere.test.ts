/** Scheduling on every workload we deploy, and registry mirrors with the version each image runs. */
import {
  BlackboxExporter, KubeStateMetrics, KubeStateMetricsCollector, NodeExporter, PrometheusStack, SecretKey, ServiceScrape, WorkloadOptions,
} from '../src';
import { chart, job, Manifest, objects, one, schemaProblems, stack, synth } from './util';

const WORKLOADS: Array<[string, string]> = [['StatefulSet', 'prometheus'], ['Deployment', 'ksm'], ['DaemonSet', 'node-exporter'], ['Deployment', 'blackbox']];

function everything(options: WorkloadOptions & { imageRegistry?: string } = {}) {
  const c = chart();
  const prometheus = new PrometheusStack(c, 'prometheus', { ...options, replicas: 2 });
  new ServiceScrape(c, 'svc', { prometheus });
  new KubeStateMetrics(c, 'ksm', { prometheus, ...options });
  new NodeExporter(c, 'node-exporter', { prometheus, namespace: 'node-exporter', ...options });
  new BlackboxExporter(c, 'blackbox', { prometheus, ...options });
  return synth(c);
}
const pod = (ms: Manifest[], kind: string, name: string) => one(ms, kind, name).spec.template;

describe('scheduling on every workload', () => {
  const options: WorkloadOptions = {
    nodeSelector: { 'node-role.example.com/monitoring': 'true' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'monitoring', effect: 'NoSchedule' }],
    affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } }] } },
    priorityClassName: 'monitoring-critical',
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' }],
    imagePullSecrets: ['mirror-pull'],
    podLabels: { team: 'platform' },
    podAnnotations: { 'example.com/owner': 'platform' },
  };
  const ms = everything(options);

  test.each(WORKLOADS)('%s %s gets every option', (kind, name) => {
    const t = pod(ms, kind, name);
    expect(t.spec.nodeSelector['node-role.example.com/monitoring']).toBe('true');
    expect(t.spec.tolerations).toContainEqual({ key: 'dedicated', operator: 'Equal', value: 'monitoring', effect: 'NoSchedule' });
    expect(t.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight).toBe(50);
    expect(t.spec.priorityClassName).toBe('monitoring-critical');
    // without a labelSelector a constraint counts no pod (the API server warns): the workload's own
    expect(t.spec.topologySpreadConstraints).toEqual([{
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: one(ms, kind, name).spec.selector.matchLabels },
    }]);
    expect(t.spec.imagePullSecrets).toEqual([{ name: 'mirror-pull' }]);
    expect(t.metadata.labels.team).toBe('platform');
    expect(t.metadata.annotations['example.com/owner']).toBe('platform');
    // extra pod labels never reach the selector
    expect(one(ms, kind, name).spec.selector.matchLabels.team).toBeUndefined();
  });

  test('the components keep their own defaults: the exporters\' os selector, node-exporter\'s toleration of every taint, the HA anti-affinity', () => {
    expect(pod(ms, 'Deployment', 'ksm').spec.nodeSelector['kubernetes.io/os']).toBe('linux');
    expect(pod(ms, 'DaemonSet', 'node-exporter').spec.tolerations[0]).toEqual({ operator: 'Exists' });
    const affinity = pod(ms, 'StatefulSet', 'prometheus').spec.affinity;
    expect(affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    expect(affinity.nodeAffinity).toBeDefined();
    // the blackbox exporter's config checksum is still on its pods, beside the user's annotation
    expect(Object.keys(pod(ms, 'Deployment', 'blackbox').metadata.annotations).sort()).toEqual(['example.com/owner', 'prometheus.cdk8s.io/config-hash']);
    expect(schemaProblems(ms)).toEqual([]);
  });

  test('the options the user keeps do not reach the manifests after construction', () => {
    const tolerations = [{ key: 'a', operator: 'Exists' }];
    const { chart: c, prometheus } = stack({ tolerations });
    new ServiceScrape(c, 'svc', { prometheus });
    tolerations[0].key = 'b';
    expect(pod(synth(c), 'StatefulSet', 'prometheus').spec.tolerations).toEqual([{ key: 'a', operator: 'Exists' }]);
  });

  describe('fails', () => {
    test.each([
      ['a toleration with operator Exists and a value', { tolerations: [{ key: 'a', operator: 'Exists', value: 'x' }] },
        'test/prometheus: invalid tolerations[0].value "x": operator Exists takes no value'],
      ['an unknown taint effect', { tolerations: [{ key: 'a', value: 'x', effect: 'NoExecution' }] },
        'test/prometheus: invalid tolerations[0].effect "NoExecution": one of NoSchedule, PreferNoSchedule, NoExecute'],
      ['tolerationSeconds without NoExecute', { tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 30 }] },
        'test/prometheus: invalid tolerations[0].tolerationSeconds 30: only a NoExecute toleration takes tolerationSeconds'],
      ['a pod label the library owns', { podLabels: { 'app.kubernetes.io/name': 'x' } },
        'test/prometheus: invalid podLabels.app.kubernetes.io/name "app.kubernetes.io/name": the app.kubernetes.io/* labels are the library\'s'],
      ['a bad node selector value', { nodeSelector: { zone: 'a b' } }, 'test/prometheus: invalid nodeSelector.zone "a b"'],
      ['maxSkew 0', { topologySpreadConstraints: [{ maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }] },
        'test/prometheus: invalid topologySpreadConstraints[0].maxSkew 0: a whole number >= 1'],
      ['a bad priority class', { priorityClassName: 'Critical' }, 'test/prometheus: invalid priorityClassName "Critical": must be a lowercase RFC 1123 subdomain'],
      ['a pull secret that is not a name', { imagePullSecrets: ['a_b'] }, 'test/prometheus: invalid imagePullSecrets[0] "a_b"'],
    ])('%s', (_, bad, message) => {
      expect(() => stack(bad as WorkloadOptions)).toThrow(message);
    });
  });
});

describe('registry mirrors and image versions', () => {
  test('one mirror rewrites every pinned image, keeping paths and tags', () => {
    const ms = everything({ imageRegistry: 'mirror.example.com:5000/quay' });
    const images = WORKLOADS.map(([kind, name]) => pod(ms, kind, name).spec.containers[0].image);
    expect(images).toEqual([
      'mirror.example.com:5000/quay/prometheus/prometheus:v3.16.0',
      'mirror.example.com:5000/quay/kube-state-metrics/kube-state-metrics:v2.19.0',
      'mirror.example.com:5000/quay/prometheus/node-exporter:v1.12.1',
      'mirror.example.com:5000/quay/prometheus/blackbox-exporter:v0.28.0',
    ]);
  });

  test('an explicit image is used as given, and the version label follows it', () => {
    const { chart: c, prometheus } = stack({ imageRegistry: 'mirror.example.com', image: 'registry.example.com/prom/prometheus:v3.14.1' });
    new ServiceScrape(c, 'svc', { prometheus });
    new KubeStateMetrics(c, 'ksm', { prometheus, image: 'registry.example.com/ksm:latest' });
    const ms = synth(c);
    const sts = one(ms, 'StatefulSet', 'prometheus');
    expect(sts.spec.template.spec.containers[0].image).toBe('registry.example.com/prom/prometheus:v3.14.1');
    expect(sts.metadata.labels['app.kubernetes.io/version']).toBe('3.14.1');
    expect(one(ms, 'Deployment', 'ksm').metadata.labels['app.kubernetes.io/version']).toBe('latest');
    // no version label for a digest-only reference
    const d = stack({ image: `quay.io/prometheus/prometheus@sha256:${'a'.repeat(64)}` });
    new ServiceScrape(d.chart, 'svc', { prometheus: d.prometheus });
    expect(objects(synth(d.chart), 'StatefulSet')[0].metadata.labels['app.kubernetes.io/version']).toBeUndefined();
  });

  describe('fails', () => {
    test.each([
      ['a Prometheus older than the flags the stack renders', { image: 'quay.io/prometheus/prometheus:v3.5.0' },
        'test/prometheus: invalid image "quay.io/prometheus/prometheus:v3.5.0": this stack runs Prometheus 3 with --config.auto-reload (3.12 and later)'],
      ['Prometheus 2', { image: 'quay.io/prometheus/prometheus:v2.55.1' }, 'test/prometheus: invalid image "quay.io/prometheus/prometheus:v2.55.1"'],
      ['a tag with "+"', { image: 'quay.io/prometheus/prometheus:v3.5.0+build' },
        'test/prometheus: invalid image "quay.io/prometheus/prometheus:v3.5.0+build": an image reference is'],
      ['an uppercase name', { image: 'quay.io/Prometheus/prometheus' }, 'test/prometheus: invalid image "quay.io/Prometheus/prometheus"'],
      ['a mirror with a scheme', { imageRegistry: 'https://mirror.example.com' },
        'test/prometheus: invalid imageRegistry "https://mirror.example.com": a registry is a host[:port] with an optional path'],
    ])('%s', (_, props, message) => {
      expect(() => stack(props)).toThrow(message);
    });
  });
});

describe('kube-state-metrics scoped to namespaces, ConfigMaps opt-in', () => {
  test('by default neither Secrets nor ConfigMaps are listed (their data comes with a list)', () => {
    const { chart: c, prometheus } = stack();
    new KubeStateMetrics(c, 'ksm', { prometheus });
    const ms = synth(c);
    const resources = one(ms, 'ClusterRole', 'monitoring-ksm').rules.flatMap((r: any) => r.resources);
    expect(resources).not.toContain('configmaps');
    expect(resources).not.toContain('secrets');
    expect(resources).toContain('pods');
  });

  test('with namespaces: --namespaces, a Role per namespace for namespaced resources, the ClusterRole for cluster-scoped ones only', () => {
    const { chart: c, prometheus } = stack();
    new KubeStateMetrics(c, 'ksm', { prometheus, namespaces: ['team-b', 'monitoring', 'team-b'] });
    const ms = synth(c);
    const args = pod(ms, 'Deployment', 'ksm').spec.containers[0].args;
    expect(args).toContain('--namespaces=monitoring,team-b');
    const cluster = one(ms, 'ClusterRole', 'monitoring-ksm').rules.flatMap((r: any) => r.resources).sort();
    expect(cluster).toEqual(['certificatesigningrequests', 'ingressclasses', 'mutatingwebhookconfigurations', 'namespaces', 'nodes',
      'persistentvolumes', 'storageclasses', 'validatingwebhookconfigurations', 'volumeattachments']);
    const roles = objects(ms, 'Role').filter(r => r.metadata.name.endsWith('ksm'));
    expect(roles.map(r => `${r.metadata.namespace}/${r.metadata.name}`).sort()).toEqual(['monitoring/ksm', 'team-b/monitoring-ksm']);
    const namespaced = roles[0].rules.flatMap((r: any) => r.resources);
    expect(namespaced).toContain('pods');
    expect(namespaced).not.toContain('nodes');
    const bindings = objects(ms, 'RoleBinding').filter(r => r.metadata.name.endsWith('ksm'));
    expect(bindings.every(b => b.subjects[0].name === 'ksm' && b.subjects[0].namespace === 'monitoring')).toBe(true);
    expect(schemaProblems(ms)).toEqual([]);
  });

  test('only namespaced collectors: no ClusterRole at all', () => {
    const { chart: c, prometheus } = stack();
    new KubeStateMetrics(c, 'ksm', { prometheus, namespaces: ['team-a'], collectors: [KubeStateMetricsCollector.PODS, KubeStateMetricsCollector.DEPLOYMENTS] });
    const ms = synth(c);
    expect(objects(ms, 'ClusterRole').filter(r => r.metadata.name.endsWith('ksm'))).toEqual([]);
    expect(one(ms, 'Role', 'monitoring-ksm').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list', 'watch'] },
    ]);
  });

  test('fails: an empty namespace list', () => {
    const { chart: c, prometheus } = stack();
    expect(() => new KubeStateMetrics(c, 'ksm', { prometheus, namespaces: [] })).toThrow(
      'test/ksm: invalid namespaces []: give at least one namespace, or leave it out to watch every namespace');
  });
});

describe('Namespace objects', () => {
  test('the stack\'s namespace enforces restricted, node-exporter\'s privileged, each once and before the objects in it', () => {
    const ms = everything();
    const namespaces = objects(ms, 'Namespace');
    expect(namespaces.map(n => n.metadata.name)).toEqual(['monitoring', 'node-exporter']);
    const level = (n: Manifest) => n.metadata.labels['pod-security.kubernetes.io/enforce'];
    expect(namespaces.map(level)).toEqual(['restricted', 'privileged']);
    expect(namespaces[0].metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    for (const n of namespaces) {
      const first = ms.findIndex(m => m.metadata.namespace === n.metadata.name);
      expect(ms.indexOf(n)).toBeLessThan(first);
      expect(n.metadata.namespace).toBeUndefined();
    }
  });

  test('createNamespaces: false leaves namespaces to whoever manages them', () => {
    const c = chart();
    const prometheus = new PrometheusStack(c, 'prometheus', { createNamespaces: false });
    new ServiceScrape(c, 'svc', { prometheus });
    new NodeExporter(c, 'node-exporter', { prometheus });
    expect(objects(synth(c), 'Namespace')).toEqual([]);
  });

  test('fails: node-exporter in the restricted namespace of the stack', () => {
    const { chart: c, prometheus } = stack();
    expect(() => new NodeExporter(c, 'node-exporter', { prometheus })).toThrow(
      'test/node-exporter: invalid namespace "monitoring": the namespace also holds test/prometheus, which needs Pod Security "restricted", and this needs "privileged"');
  });
});

describe('the web UI: external URL, route prefix, Ingress', () => {
  const web = (props: Parameters<typeof stack>[0]) => {
    const { chart: c, prometheus } = stack(props);
    new ServiceScrape(c, 'svc', { prometheus });
    return { ms: synth(c), prometheus };
  };
  const container = (ms: Manifest[]) => one(ms, 'StatefulSet', 'prometheus').spec.template.spec.containers[0];

  test('by default: no web flags, probes and self-scrape at the root, no Ingress', () => {
    const { ms, prometheus } = web({});
    expect(container(ms).args.filter((a: string) => a.startsWith('--web.'))).toEqual(['--web.listen-address=:9090']);
    expect(container(ms).readinessProbe.httpGet.path).toBe('/-/ready');
    expect(job(ms, 'prometheus').metrics_path).toBe('/metrics');
    expect(objects(ms, 'Ingress')).toEqual([]);
    expect(prometheus.webRoutePrefix).toBe('/');
  });

  test('a route prefix moves the probes and the self-scrape\'s metrics path', () => {
    const { ms, prometheus } = web({ webExternalUrl: 'https://prom.example.com/prometheus/', webRoutePrefix: '/prometheus/' });
    const c = container(ms);
    expect(c.args).toContain('--web.external-url=https://prom.example.com/prometheus/');
    expect(c.args).toContain('--web.route-prefix=/prometheus');
    expect(c.startupProbe.httpGet.path).toBe('/prometheus/-/ready');
    expect(c.readinessProbe.httpGet.path).toBe('/prometheus/-/ready');
    expect(c.livenessProbe.httpGet.path).toBe('/prometheus/-/healthy');
    expect(job(ms, 'prometheus').metrics_path).toBe('/prometheus/metrics');
    expect(job(ms, 'prometheus').static_configs).toEqual([{ targets: ['localhost:9090'] }]);
    expect(prometheus.webRoutePrefix).toBe('/prometheus');
    expect(schemaProblems(ms)).toEqual([]);
  });

  test('without webRoutePrefix the prefix is the external URL\'s path, as in Prometheus', () => {
    const { ms } = web({ webExternalUrl: 'http://example.com/tools/prom' });
    expect(container(ms).args.filter((a: string) => a.startsWith('--web.route'))).toEqual([]);
    expect(container(ms).livenessProbe.httpGet.path).toBe('/tools/prom/-/healthy');
    expect(job(ms, 'prometheus').metrics_path).toBe('/tools/prom/metrics');
  });

  test('an Ingress to the Service, and the NetworkPolicy admits its controller to the web port', () => {
    const { ms } = web({
      webRoutePrefix: '/prometheus',
      ingress: {
        host: 'prometheus.example.com',
        controllerNamespace: 'ingress-nginx',
        controllerPodLabels: { 'app.kubernetes.io/name': 'ingress-nginx' },
        className: 'nginx',
        tlsSecretName: 'prometheus-tls',
        annotations: { 'nginx.ingress.kubernetes.io/auth-type': 'basic' },
      },
    });
    const ing = one(ms, 'Ingress', 'prometheus');
    expect(ing.apiVersion).toBe('networking.k8s.io/v1');
    expect(ing.metadata.namespace).toBe('monitoring');
    expect(ing.metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/auth-type': 'basic' });
    expect(ing.spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['prometheus.example.com'], secretName: 'prometheus-tls' }],
      rules: [{
        host: 'prometheus.example.com',
        http: { paths: [{ path: '/prometheus', pathType: 'Prefix', backend: { service: { name: 'prometheus', port: { name: 'web' } } } }] },
      }],
    });
    // The external URL follows the Ingress.
    expect(container(ms).args).toContain('--web.external-url=https://prometheus.example.com/prometheus');
    const policy = one(ms, 'NetworkPolicy', 'prometheus');
    expect(policy.spec.ingress).toEqual([{
      ports: [{ port: 9090, protocol: 'TCP' }],
      from: [
        { podSelector: {} },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } },
      ],
    }]);
    expect(schemaProblems(ms)).toEqual([]);
  });

  test('an Ingress with only its host and controller: path "/", every pod of the controller\'s namespace, an http:// external URL', () => {
    const { ms } = web({ ingress: { host: 'prometheus.example.com', controllerNamespace: 'ingress' } });
    const ing = one(ms, 'Ingress', 'prometheus');
    expect(ing.metadata.annotations).toBeUndefined();
    expect(ing.spec.tls).toBeUndefined();
    expect(ing.spec.rules[0].http.paths[0].path).toBe('/');
    expect(one(ms, 'NetworkPolicy', 'prometheus').spec.ingress[0].from[1])
      .toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } }, podSelector: {} });
    expect(container(ms).args).toContain('--web.external-url=http://prometheus.example.com/');
    expect(schemaProblems(ms)).toEqual([]);
  });

  test('the ingress options the user keeps do not reach the manifests after construction', () => {
    const annotations: Record<string, string> = { 'a.example.com/x': '1' };
    const ingress = { host: 'p.example.com', controllerNamespace: 'ingress', annotations };
    const { chart: c, prometheus } = stack({ ingress });
    new ServiceScrape(c, 'svc', { prometheus });
    annotations['a.example.com/x'] = '2';
    ingress.host = 'q.example.com';
    const ing = one(synth(c), 'Ingress', 'prometheus');
    expect(ing.metadata.annotations).toEqual({ 'a.example.com/x': '1' });
    expect(ing.spec.rules[0].host).toBe('p.example.com');
  });

  describe('fails', () => {
    const ingress = { host: 'prometheus.example.com', controllerNamespace: 'ingress' };
    test.each([
      ['a relative external URL', { webExternalUrl: 'prometheus.example.com' },
        'test/prometheus: invalid webExternalUrl "prometheus.example.com": an absolute http:// or https:// URL with a host, without credentials, query or fragment (e.g. "https://prometheus.example.com/")'],
      ['an external URL with another scheme', { webExternalUrl: 'ftp://example.com/' },
        'test/prometheus: invalid webExternalUrl "ftp://example.com/": an absolute http:// or https:// URL with a host, without credentials, query or fragment (e.g. "https://prometheus.example.com/")'],
      ['an external URL with a query', { webExternalUrl: 'https://example.com/?a=b' },
        'test/prometheus: invalid webExternalUrl "https://example.com/?a=b": an absolute http:// or https:// URL with a host, without credentials, query or fragment (e.g. "https://prometheus.example.com/")'],
      ['a route prefix without a leading "/"', { webRoutePrefix: 'prometheus' },
        'test/prometheus: invalid webRoutePrefix "prometheus": a URL path starting with "/" (e.g. "/prometheus"), without query, fragment, "//", "." or ".." segments'],
      ['a route prefix with a ".." segment', { webRoutePrefix: '/a/../b' },
        'test/prometheus: invalid webRoutePrefix "/a/../b": a URL path starting with "/" (e.g. "/prometheus"), without query, fragment, "//", "." or ".." segments'],
      ['an Ingress host that is not a DNS name', { ingress: { ...ingress, host: 'Prometheus_1' } },
        'test/prometheus: invalid ingress.host "Prometheus_1": a DNS name of lowercase letters, digits, "-" and "." (a leading "*." for a wildcard), not an IP address'],
      ['an Ingress host that is an IP address', { ingress: { ...ingress, host: '10.0.0.1' } },
        'test/prometheus: invalid ingress.host "10.0.0.1": a DNS name of lowercase letters, digits, "-" and "." (a leading "*." for a wildcard), not an IP address'],
      ['a controller namespace that is not a namespace name', { ingress: { ...ingress, controllerNamespace: 'Ingress' } },
        'test/prometheus: invalid ingress.controllerNamespace "Ingress": must be a lowercase RFC 1123 label: at most 63 characters of a-z, 0-9 and "-", starting and ending with a letter or digit'],
      ['a bad controller pod label value', { ingress: { ...ingress, controllerPodLabels: { app: 'a b' } } },
        'test/prometheus: invalid ingress.controllerPodLabels.app "a b": a label value must be empty or at most 63 characters of alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric character'],
      ['an Ingress path without a leading "/"', { ingress: { ...ingress, path: 'prometheus' } },
        'test/prometheus: invalid ingress.path "prometheus": a path starting with "/" of letters, digits and "-._~/", without "//", "." or ".." segments'],
      ['an Ingress path with "//"', { ingress: { ...ingress, path: '/a//b' } },
        'test/prometheus: invalid ingress.path "/a//b": a path starting with "/" of letters, digits and "-._~/", without "//", "." or ".." segments'],
      ['a TLS Secret name that is not a name', { ingress: { ...ingress, tlsSecretName: 'Prometheus TLS' } },
        'test/prometheus: invalid ingress.tlsSecretName "Prometheus TLS": must be a lowercase RFC 1123 subdomain: at most 253 characters of a-z, 0-9, "-" and ".", starting and ending with a letter or digit'],
      ['an IngressClass name that is not a name', { ingress: { ...ingress, className: 'NGINX' } },
        'test/prometheus: invalid ingress.className "NGINX": must be a lowercase RFC 1123 subdomain: at most 253 characters of a-z, 0-9, "-" and ".", starting and ending with a letter or digit'],
      ['an annotation key that is not a key', { ingress: { ...ingress, annotations: { 'a b': 'x' } } },
        'test/prometheus: invalid ingress.annotations.a b "a b": a label key name part must be at most 63 characters of alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric character'],
      ['an annotation of the library', { ingress: { ...ingress, annotations: { 'prometheus.cdk8s.io/config-hash': 'x' } } },
        'test/prometheus: invalid ingress.annotations.prometheus.cdk8s.io/config-hash "prometheus.cdk8s.io/config-hash": prometheus.cdk8s.io/* annotations are the library\'s; pick another key'],
    ])('%s', (_name, props, message) => {
      expect(() => stack(props as any)).toThrow(message);
    });
  });
});

describe('Prometheus\'s own TLS and basic auth (--web.config.file)', () => {
  const tls = { cert: SecretKey.of('web-tls', 'tls.crt'), key: SecretKey.of('web-tls', 'tls.key'), serverName: 'prometheus.example.com' };
  const basicAuth = { username: 'admin', passwordHash: SecretKey.of('web-auth', 'hash'), password: SecretKey.of('web-auth', 'password') };
  const build = (props: Parameters<typeof stack>[0]) => {
    const { chart: c, prometheus } = stack(props);
    new ServiceScrape(c, 'svc', { prometheus });
    const ms = synth(c);
    return { ms, pod: one(ms, 'StatefulSet', 'prometheus').spec.template.spec, prometheus };
  };

  test('without them: no web config file, no init container, httpGet probes over HTTP', () => {
    const { pod: spec, ms } = build({});
    expect(spec.initContainers).toBeUndefined();
    expect(spec.containers[0].args.some((a: string) => a.startsWith('--web.config.file'))).toBe(false);
    expect(spec.containers[0].readinessProbe.httpGet).toEqual({ path: '/-/ready', port: 'web' });
    expect(job(ms, 'prometheus').scheme).toBe('http');
  });

  test('TLS only: HTTPS httpGet probes, the self-scrape pins the certificate, the init container writes tls_server_config', () => {
    const { pod: spec, ms } = build({ webTls: tls });
    const c = spec.containers[0];
    expect(c.args).toContain('--web.config.file=/etc/prometheus/web/web.yml');
    expect(c.startupProbe.httpGet).toEqual({ path: '/-/ready', port: 'web', scheme: 'HTTPS' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/-/ready', port: 'web', scheme: 'HTTPS' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/-/healthy', port: 'web', scheme: 'HTTPS' });
    expect(c.volumeMounts).toContainEqual({ name: 'web-config', mountPath: '/etc/prometheus/web', readOnly: true });
    expect(c.volumeMounts).toContainEqual({ name: 'secret-web-tls', mountPath: '/etc/prometheus/secrets/web-tls', readOnly: true });
    const self = job(ms, 'prometheus');
    expect(self.scheme).toBe('https');
    expect(self.tls_config).toEqual({ ca_file: '/etc/prometheus/secrets/web-tls/tls.crt', server_name: 'prometheus.example.com' });
    expect(self.basic_auth).toBeUndefined();
    const init = spec.initContainers[0];
    expect(init.name).toBe('web-config');
    expect(init.command).toEqual(['/bin/sh', '-c']);
    expect(init.image).toBe(c.image);
    expect(init.args[0]).toContain("printf '%s\\n' 'tls_server_config:' '  cert_file: /etc/prometheus/secrets/web-tls/tls.crt' '  key_file: /etc/prometheus/secrets/web-tls/tls.key'");
    expect(init.args[0]).not.toContain('basic_auth_users');
    expect(spec.volumes).toContainEqual({ name: 'web-config', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    expect(spec.volumes.find((v: any) => v.name === 'web-password-hash')).toBeUndefined();
    expect(schemaProblems(ms)).toEqual([]);
  });

  test('basic auth: the hash only in the init container\'s own volume, promtool exec probes, the self-scrape logs in', () => {
    const { pod: spec, ms } = build({ webTls: tls, webBasicAuth: basicAuth, webRoutePrefix: '/prom' });
    const c = spec.containers[0];
    const cmd = (check: string) => ['/bin/promtool', 'check', check, '--url=https://localhost:9090/prom', '--http.config.file=/etc/prometheus/web/client.yml'];
    expect(c.startupProbe).toEqual({ exec: { command: cmd('ready') }, periodSeconds: 15, failureThreshold: 60, timeoutSeconds: 5 });
    expect(c.readinessProbe).toEqual({ exec: { command: cmd('ready') }, periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 5 });
    expect(c.livenessProbe).toEqual({ exec: { command: cmd('healthy') }, periodSeconds: 5, failureThreshold: 6, timeoutSeconds: 5 });
    // The Prometheus container reads the password (for its clients), never the hash.
    expect(spec.volumes).toContainEqual({ name: 'secret-web-auth', secret: { secretName: 'web-auth', defaultMode: 0o440, items: [{ key: 'password', path: 'password' }] } });
    expect(spec.volumes).toContainEqual({ name: 'web-password-hash', secret: { secretName: 'web-auth', defaultMode: 0o440, items: [{ key: 'hash', path: 'hash' }] } });
    expect(c.volumeMounts.map((m: any) => m.name)).not.toContain('web-password-hash');
    const init = spec.initContainers[0];
    expect(init.volumeMounts).toEqual([
      { name: 'web-config', mountPath: '/etc/prometheus/web' },
      { name: 'web-password-hash', mountPath: '/etc/prometheus/web-hash', readOnly: true },
    ]);
    expect(init.securityContext).toEqual(c.securityContext);
    expect(init.args[0]).toContain("hash=$(cat '/etc/prometheus/web-hash/hash')");
    expect(init.args[0]).toContain("printf 'basic_auth_users:\\n  %s: %s\\n'");
    const self = job(ms, 'prometheus');
    expect(self.metrics_path).toBe('/prom/metrics');
    expect(self.basic_auth).toEqual({ username: 'admin', password_file: '/etc/prometheus/secrets/web-auth/password' });
    // No ConfigMap holds anything of the Secrets.
    expect(JSON.stringify(objects(ms, 'ConfigMap'))).not.toContain('web-hash');
    expect(schemaProblems(ms)).toEqual([]);
  });

  test('basic auth without TLS: probes over http://', () => {
    const { pod: spec } = build({ webBasicAuth: basicAuth });
    expect(spec.containers[0].readinessProbe.exec.command[3]).toBe('--url=http://localhost:9090');
  });

  describe('fails', () => {
    test.each([
      ['a TLS certificate that is not a SecretKey', { webTls: { ...tls, cert: '/tls.crt' } },
        'test/prometheus: invalid webTls.cert "/tls.crt": use SecretKey.of(secretName, key) or SecretKey.fromSecret(secret, key)'],
      ['a TLS key written inline', { webTls: { ...tls, key: '-----BEGIN PRIVATE KEY-----' } },
        'test/prometheus: invalid webTls.key "(a string)": a credential written in the config would be stored in the ConfigMap; put it in a Secret and give SecretKey.of(secretName, key)'],
      ['a TLS server name that is not a DNS name', { webTls: { ...tls, serverName: 'Prometheus' } },
        'test/prometheus: invalid webTls.serverName "Prometheus": a DNS name the certificate is issued for (lowercase letters, digits, "-" and ".")'],
      ['a user name with a colon', { webBasicAuth: { ...basicAuth, username: 'a:b' } },
        'test/prometheus: invalid webBasicAuth.username "a:b": at most 128 letters, digits, ".", "_", "-" and "@"'],
      ['a password hash written inline', { webBasicAuth: { ...basicAuth, passwordHash: '$2y$10$abc' } },
        'test/prometheus: invalid webBasicAuth.passwordHash "(a string)": a credential written in the config would be stored in the ConfigMap; put it in a Secret and give SecretKey.of(secretName, key)'],
      ['a password in a Secret with a bad name', { webBasicAuth: { ...basicAuth, password: SecretKey.of('Web', 'password') } },
        'test/prometheus: invalid webBasicAuth.password.secretName "Web": a Secret name is a DNS-1123 subdomain: at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit'],
      ['the password and its hash in the same key', { webBasicAuth: { ...basicAuth, password: SecretKey.of('web-auth', 'hash') } },
        'test/prometheus: invalid webBasicAuth.password "web-auth/hash": the plain password and its bcrypt hash are two keys; give the hash as passwordHash and the password itself as password'],
    ])('%s', (_name, props, message) => {
      expect(() => stack(props as any)).toThrow(message);
    });
  });
});
