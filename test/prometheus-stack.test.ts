import { Duration, Size, Testing } from 'cdk8s';
import { ServiceType } from 'cdk8s-plus-27';
import {
  AlertmanagerEndpoint, ApiServerScrape, CadvisorScrape, KubeletScrape, KubeStateMetrics, NameValidationScheme, PodPortScrape, PrometheusStack,
  PrometheusStorage, PROMETHEUS_IMAGE, Scheme, ServiceScrape,
} from '../src';
import { chart, job, objects, one, promConfig, schemaProblems, stack, synth } from './util';

function defaultStack() {
  const { chart: c, prometheus } = stack();
  new KubeletScrape(c, 'kubelet', { prometheus });
  return { c, prometheus, ms: synth(c) };
}

describe('PrometheusStack defaults', () => {
  const { ms } = defaultStack();
  const sts = one(ms, 'StatefulSet', 'prometheus');
  const pod = sts.spec.template.spec;
  const container = pod.containers[0];

  test('snapshot', () => {
    expect(ms).toMatchSnapshot();
  });

  test('emits the expected objects, all schema-valid, all in the namespace', () => {
    expect(ms.map(m => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'ClusterRole/monitoring-prometheus', 'ClusterRoleBinding/monitoring-prometheus', 'ConfigMap/prometheus-config',
      'Namespace/monitoring', 'NetworkPolicy/prometheus', 'Service/prometheus', 'Service/prometheus-headless', 'ServiceAccount/prometheus',
      'StatefulSet/prometheus',
    ]);
    expect(schemaProblems(ms)).toEqual([]);
    for (const m of ms.filter(x => !x.kind.startsWith('Cluster') && x.kind !== 'Namespace')) expect(m.metadata.namespace).toBe('monitoring');
  });

  test('a StatefulSet with one replica and a persistent volume claim template', () => {
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.serviceName).toBe('prometheus-headless');
    expect(sts.spec.volumeClaimTemplates).toEqual([expect.objectContaining({
      metadata: expect.objectContaining({ name: 'data' }),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20480Mi' } } },
    })]);
    expect(container.volumeMounts).toContainEqual({ name: 'data', mountPath: '/prometheus' });
    expect(pod.volumes.map((v: any) => v.name)).toEqual(['config']);
    expect(pod.affinity).toBeUndefined();
    expect(objects(ms, 'PodDisruptionBudget')).toEqual([]);
  });

  test('the config is mounted as a directory (no subPath) and reloaded in place', () => {
    expect(container.volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/prometheus', readOnly: true });
    for (const m of container.volumeMounts) expect(m.subPath).toBeUndefined();
    expect(pod.volumes[0]).toEqual({ name: 'config', configMap: { name: 'prometheus-config' } });
    expect(container.args).toEqual(expect.arrayContaining([
      '--config.file=/etc/prometheus/prometheus.yml', '--config.auto-reload', '--storage.tsdb.path=/prometheus',
    ]));
    // no unauthenticated lifecycle API
    expect(container.args).not.toContain('--web.enable-lifecycle');
    // hot reload: the pod template carries no checksum that would roll the pods
    expect(sts.spec.template.metadata.annotations).toBeUndefined();
    const cm = one(ms, 'ConfigMap');
    expect(sts.metadata.annotations['prometheus.cdk8s.io/config-hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(cm.metadata.annotations['prometheus.cdk8s.io/config-hash']).toBe(sts.metadata.annotations['prometheus.cdk8s.io/config-hash']);
  });

  test('probes: startup and readiness on /-/ready, liveness on /-/healthy; long grace period', () => {
    expect(container.startupProbe.httpGet.path).toBe('/-/ready');
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(600);
    expect(container.readinessProbe.httpGet.path).toBe('/-/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/-/healthy');
    expect(pod.terminationGracePeriodSeconds).toBe(600);
  });

  test('Pod Security restricted, pinned image, resources', () => {
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65534,
      runAsGroup: 65534,
      fsGroup: 65534,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.image).toBe(PROMETHEUS_IMAGE);
    expect(container.image).toMatch(/^quay\.io\/prometheus\/prometheus:v3\.\d+\.\d+$/);
    expect(container.resources).toEqual({
      requests: { 'cpu': '250m', 'memory': '1024Mi', 'ephemeral-storage': '64Mi' },
      limits: { 'cpu': '1', 'memory': '2048Mi', 'ephemeral-storage': '1024Mi' },
    });
  });

  test('the ServiceAccount token is mounted only into the Prometheus pod', () => {
    expect(one(ms, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.serviceAccountName).toBe('prometheus');
  });

  test('a ClusterIP Service and a headless governing Service', () => {
    const svc = one(ms, 'Service', 'prometheus');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports).toEqual([{ name: 'web', port: 9090, targetPort: 'web', protocol: 'TCP' }]);
    expect(one(ms, 'Service', 'prometheus-headless').spec.clusterIP).toBe('None');
    expect(svc.spec.selector).toEqual(sts.spec.selector.matchLabels);
    expect(svc.spec.selector['app.kubernetes.io/version']).toBeUndefined();
  });

  test('a NetworkPolicy admitting only the own namespace to port 9090, egress open', () => {
    const np = one(ms, 'NetworkPolicy');
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.egress).toEqual([{}]);
    expect(np.spec.ingress).toEqual([{ ports: [{ port: 9090, protocol: 'TCP' }], from: [{ podSelector: {} }] }]);
  });

  test('Prometheus scrapes itself in each pod, with no RBAC for it', () => {
    expect(job(ms, 'prometheus')).toEqual({
      job_name: 'prometheus', scheme: 'http', metrics_path: '/metrics', static_configs: [{ targets: ['localhost:9090'] }],
    });
    // only the kubelet scrape's needs in the ClusterRole
    expect(one(ms, 'ClusterRole').rules).toEqual([
      { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
    ]);
  });

  test('global config and retention (15d, 85% of the volume)', () => {
    const cfg = promConfig(ms);
    expect(cfg.global).toEqual({ scrape_interval: '30s', scrape_timeout: '10s', evaluation_interval: '30s' });
    expect(cfg.storage).toEqual({ tsdb: { retention: { time: '15d', size: '17GB' } } });
  });
});

describe('PrometheusStack options', () => {
  test('two replicas: PDB, anti-affinity, a replica external label per pod', () => {
    const { chart: c, prometheus } = stack({ replicas: 2, externalLabels: { cluster: 'prod' } });
    new KubeletScrape(c, 'kubelet', { prometheus });
    const ms = synth(c);
    const sts = one(ms, 'StatefulSet');
    expect(sts.spec.replicas).toBe(2);
    const pdb = one(ms, 'PodDisruptionBudget');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec).toEqual({ minAvailable: 1, selector: sts.spec.selector, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect(sts.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm)
      .toEqual({ topologyKey: 'kubernetes.io/hostname', labelSelector: sts.spec.selector });
    expect(sts.spec.template.spec.containers[0].env).toEqual([{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]);
    expect(promConfig(ms).global.external_labels).toEqual({ cluster: 'prod', replica: '${POD_NAME}' });
  });

  test('storage, retention, resources, image, service type, allowed namespaces', () => {
    const { chart: c, prometheus } = stack({
      storage: PrometheusStorage.persistent({ size: Size.gibibytes(100), storageClassName: 'fast' }),
      retention: Duration.days(30),
      retentionSize: Size.gibibytes(80),
      image: 'registry.example/prometheus:v3.16.0',
      serviceType: ServiceType.LOAD_BALANCER,
      allowFromNamespaces: ['grafana', 'monitoring'],
      scrapeInterval: Duration.minutes(1),
      scrapeTimeout: Duration.seconds(20),
      evaluationInterval: Duration.minutes(2),
    });
    new KubeletScrape(c, 'kubelet', { prometheus });
    const ms = synth(c);
    const sts = one(ms, 'StatefulSet');
    expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '102400Mi' } } });
    expect(sts.spec.template.spec.containers[0].image).toBe('registry.example/prometheus:v3.16.0');
    expect(one(ms, 'Service', 'prometheus').spec.type).toBe('LoadBalancer');
    expect(one(ms, 'NetworkPolicy').spec.ingress[0].from).toEqual([
      { podSelector: {} },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'grafana' } } },
    ]);
    const cfg = promConfig(ms);
    expect(cfg.global).toEqual({ scrape_interval: '1m', scrape_timeout: '20s', evaluation_interval: '2m' });
    expect(cfg.storage.tsdb.retention).toEqual({ time: '30d', size: '80GB' });
  });

  test('ephemeral storage is an explicit opt-in: an emptyDir and no claims', () => {
    const { chart: c, prometheus } = stack({ storage: PrometheusStorage.ephemeral({ sizeLimit: Size.gibibytes(4) }) });
    new KubeletScrape(c, 'kubelet', { prometheus });
    const sts = one(synth(c), 'StatefulSet');
    expect(sts.spec.volumeClaimTemplates).toBeUndefined();
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'data', emptyDir: { sizeLimit: '4096Mi' } });
    // the emptyDir counts against the pod's ephemeral-storage limit
    expect(sts.spec.template.spec.containers[0].resources.limits['ephemeral-storage']).toBe('5120Mi');
  });

  test('restartOnConfigChange puts the config checksum on the pod template', () => {
    const { chart: c, prometheus } = stack({ restartOnConfigChange: true });
    new KubeletScrape(c, 'kubelet', { prometheus });
    const sts = one(synth(c), 'StatefulSet');
    expect(sts.spec.template.metadata.annotations['prometheus.cdk8s.io/config-hash']).toBe(prometheus.configHash());
  });

  test('the checksum changes with the config', () => {
    const a = stack();
    new KubeletScrape(a.chart, 'kubelet', { prometheus: a.prometheus });
    const b = stack();
    new KubeletScrape(b.chart, 'kubelet', { prometheus: b.prometheus, interval: Duration.seconds(15) });
    expect(a.prometheus.configHash()).not.toBe(b.prometheus.configHash());
  });

  test('the namespace prop overrides the chart namespace', () => {
    const c = chart('other');
    const prometheus = new PrometheusStack(c, 'prometheus', { namespace: 'observability', name: 'prom' });
    new KubeletScrape(c, 'kubelet', { prometheus });
    const ms = synth(c);
    expect(one(ms, 'StatefulSet').metadata).toMatchObject({ name: 'prom', namespace: 'observability' });
    expect(one(ms, 'ClusterRoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'prom', namespace: 'observability' }]);
  });

  test('an id that is not a DNS label gets a name derived from the construct path', () => {
    const c = chart();
    const prometheus = new PrometheusStack(c, 'Prometheus');
    expect(prometheus.name).toMatch(/^test-prometheus-[0-9a-f]{8}$/);
  });

  test('selfMonitoring: false leaves the self-scrape out', () => {
    const { chart: c, prometheus } = stack({ selfMonitoring: false });
    new KubeletScrape(c, 'kubelet', { prometheus });
    expect(promConfig(synth(c)).scrape_configs.map((j: any) => j.job_name)).toEqual(['kubelet']);
    expect(() => prometheus.addSelfMonitoringRules()).toThrow(/test\/prometheus: invalid selfMonitoring false/);
  });

  test('alertmanagers go into alerting.alertmanagers', () => {
    const { chart: c, prometheus } = stack({
      alertmanagers: [
        AlertmanagerEndpoint.service({ name: 'alertmanager', namespace: 'monitoring' }),
        AlertmanagerEndpoint.addresses(['am-0.am.ops.svc:9093', 'am-1.am.ops.svc:9093'], Scheme.HTTPS),
      ],
    });
    new KubeletScrape(c, 'kubelet', { prometheus });
    expect(promConfig(synth(c)).alerting).toEqual({
      alertmanagers: [
        { scheme: 'http', static_configs: [{ targets: ['alertmanager.monitoring.svc:9093'] }] },
        { scheme: 'https', static_configs: [{ targets: ['am-0.am.ops.svc:9093', 'am-1.am.ops.svc:9093'] }] },
      ],
    });
  });

  test('fails on an alertmanager address with a scheme', () => {
    expect(() => stack({ alertmanagers: [AlertmanagerEndpoint.addresses(['http://am:9093'])] }))
      .toThrow('test/prometheus: invalid alertmanagers[0] "http://am:9093": a target is host:port, without scheme or path (port 1-65535)');
  });

  test('legacy name validation is written into the global config', () => {
    const { chart: c, prometheus } = stack({ nameValidationScheme: NameValidationScheme.LEGACY });
    new KubeletScrape(c, 'kubelet', { prometheus });
    expect(promConfig(synth(c)).global.metric_name_validation_scheme).toBe('legacy');
  });
});

describe('scrape registration', () => {
  test('construction order does not change the config', () => {
    const a = stack();
    new KubeletScrape(a.chart, 'kubelet', { prometheus: a.prometheus });
    new PodPortScrape(a.chart, 'pods', { prometheus: a.prometheus });
    new ApiServerScrape(a.chart, 'apiserver', { prometheus: a.prometheus });
    const b = stack();
    new ApiServerScrape(b.chart, 'apiserver', { prometheus: b.prometheus });
    new PodPortScrape(b.chart, 'pods', { prometheus: b.prometheus });
    new KubeletScrape(b.chart, 'kubelet', { prometheus: b.prometheus });
    expect(a.prometheus.renderConfig()).toBe(b.prometheus.renderConfig());
    expect(promConfig(synth(a.chart)).scrape_configs.map((j: any) => j.job_name)).toEqual(['apiserver', 'kubelet', 'pods', 'prometheus']);
  });

  test('factory methods create the constructs under the stack', () => {
    const { chart: c, prometheus } = stack();
    const kubelet = prometheus.addKubeletScrape('kubelet');
    const cadvisor = prometheus.addCadvisorScrape('cadvisor');
    const api = prometheus.addApiServerScrape('apiserver');
    const svc = prometheus.addServiceScrape('services', { namespaces: ['apps'] });
    const pods = prometheus.addPodPortScrape('pods');
    const ksm = prometheus.addKubeStateMetrics('ksm');
    expect([kubelet, cadvisor, api, svc, pods, ksm].map(s => s instanceof Object && s.node.scope)).toEqual(Array(6).fill(prometheus));
    expect(kubelet).toBeInstanceOf(KubeletScrape);
    expect(cadvisor).toBeInstanceOf(CadvisorScrape);
    expect(svc).toBeInstanceOf(ServiceScrape);
    expect(ksm).toBeInstanceOf(KubeStateMetrics);
    expect(prometheus.scrapes.map(s => s.jobName)).toEqual(['prometheus', 'kubelet', 'cadvisor', 'apiserver', 'kubernetes-services', 'pods', 'kube-state-metrics']);
    expect(job(synth(c), 'kubernetes-services').kubernetes_sd_configs).toEqual([{ role: 'endpointslice', namespaces: { names: ['apps'] } }]);
  });

  test('fails if a stack has no scrape jobs (at synth)', () => {
    const { chart: c } = stack();
    expect(() => Testing.synth(c)).toThrow(/test\/prometheus: no scrape jobs were added/);
  });

  test('fails if two scrapes share a job name, naming both construct paths', () => {
    const { chart: c, prometheus } = stack();
    new KubeletScrape(c, 'first', { prometheus, jobName: 'nodes' });
    expect(() => new PodPortScrape(c, 'second', { prometheus, jobName: 'nodes' }))
      .toThrow('test/second: invalid jobName "nodes": job name already used by test/first');
  });
});

describe('PrometheusStack input errors', () => {
  test('fails if no namespace is known', () => {
    expect(() => new PrometheusStack(Testing.chart(), 'prometheus'))
      .toThrow(/prometheus: invalid namespace undefined: a namespace is required/);
  });
  test('an unset timeout follows a short interval down (as Prometheus caps it)', () => {
    expect(stack({ scrapeInterval: Duration.seconds(5) }).prometheus.scrapeTimeout.toMilliseconds()).toBe(5000);
    expect(stack({ scrapeInterval: Duration.minutes(1) }).prometheus.scrapeTimeout.toMilliseconds()).toBe(10_000);
  });
  test('fails if the global timeout exceeds the global interval', () => {
    expect(() => stack({ scrapeInterval: Duration.seconds(5), scrapeTimeout: Duration.seconds(10) }))
      .toThrow(/test\/prometheus: invalid scrapeTimeout 10000ms: the global scrape timeout must not exceed the global scrape interval \(5000ms\)/);
  });
  test('fails on zero replicas', () => {
    expect(() => stack({ replicas: 0 })).toThrow(/invalid replicas 0: must be a whole number >= 1/);
  });
  test('fails on a retention size larger than the volume', () => {
    expect(() => stack({ retentionSize: Size.gibibytes(30) })).toThrow(/invalid retentionSize .*at most the storage size/);
  });
  test('fails on a legacy-invalid external label name', () => {
    expect(() => stack({ nameValidationScheme: NameValidationScheme.LEGACY, externalLabels: { 'my-cluster': 'a' } }))
      .toThrow(/invalid externalLabels.my-cluster "my-cluster": a label name must match/);
  });
  test('fails on a user replica label with replicas > 1', () => {
    expect(() => stack({ replicas: 2, externalLabels: { replica: 'a' } })).toThrow(/externalLabels.replica "a"/);
  });
  test('fails on a bad name', () => {
    expect(() => stack({ name: 'Prometheus_1' })).toThrow(/invalid name "Prometheus_1": must be a lowercase RFC 1035 label/);
  });
});
