import { KubeStateMetrics, KubeStateMetricsCollector, KUBE_STATE_METRICS_IMAGE } from '../src';
import { job, objects, one, RESTRICTED_CONTAINER_CONTEXT, RESTRICTED_POD_CONTEXT, schemaProblems, stack, synth } from './util';

describe('KubeStateMetrics', () => {
  const { chart, prometheus } = stack();
  new KubeStateMetrics(chart, 'kube-state-metrics', { prometheus });
  const ms = synth(chart);
  const ksmObjects = ms.filter(m => m.metadata.labels?.['app.kubernetes.io/name'] === 'kube-state-metrics');

  test('snapshot and schema', () => {
    expect(ksmObjects).toMatchSnapshot();
    expect(schemaProblems(ms)).toEqual([]);
    expect(ksmObjects.map(m => m.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'NetworkPolicy', 'Service', 'ServiceAccount']);
  });

  test('a pinned image, restricted pod security, probes and resources', () => {
    const dep = one(ms, 'Deployment', 'kube-state-metrics');
    const pod = dep.spec.template.spec;
    const c = pod.containers[0];
    expect(c.image).toBe(KUBE_STATE_METRICS_IMAGE);
    expect(c.image).toMatch(/^registry\.k8s\.io\/kube-state-metrics\/kube-state-metrics:v2\.\d+\.\d+$/);
    expect(pod.securityContext).toEqual(RESTRICTED_POD_CONTEXT);
    expect(c.securityContext).toEqual(RESTRICTED_CONTAINER_CONTEXT);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'http-metrics' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'telemetry' });
    expect(c.resources).toEqual({
      requests: { 'cpu': '10m', 'memory': '190Mi', 'ephemeral-storage': '16Mi' },
      limits: { 'cpu': '100m', 'memory': '250Mi', 'ephemeral-storage': '256Mi' },
    });
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(one(ms, 'ServiceAccount', 'kube-state-metrics').automountServiceAccountToken).toBe(false);
  });

  test('a list/watch-only ClusterRole derived from the collectors, no Secrets by default', () => {
    const role = one(ms, 'ClusterRole', 'monitoring-kube-state-metrics');
    for (const rule of role.rules) expect(rule.verbs).toEqual(['list', 'watch']);
    const resources = role.rules.flatMap((r: any) => r.resources);
    expect(resources).not.toContain('secrets');
    expect(resources).toEqual(expect.arrayContaining(['pods', 'deployments', 'nodes', 'endpointslices']));
    expect(role.rules).toContainEqual({ apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'], verbs: ['list', 'watch'] });
    const args = one(ms, 'Deployment', 'kube-state-metrics').spec.template.spec.containers[0].args;
    const enabled = args.find((a: string) => a.startsWith('--resources=')).slice('--resources='.length).split(',');
    expect(enabled.sort()).toEqual([...resources].sort());
  });

  test('scraped through its Service, honoring its labels, discovered only in its namespace', () => {
    const j = job(ms, 'kube-state-metrics');
    expect(j.honor_labels).toBe(true);
    expect(j.kubernetes_sd_configs).toEqual([{ role: 'endpointslice', namespaces: { names: ['monitoring'] } }]);
    expect(j.relabel_configs).toEqual([{
      source_labels: ['__meta_kubernetes_service_name', '__meta_kubernetes_endpointslice_port_name'],
      regex: 'kube-state-metrics;http-metrics',
      action: 'keep',
    }]);
    const svc = one(ms, 'Service', 'kube-state-metrics');
    expect(svc.spec.ports.map((p: any) => p.name)).toEqual(['http-metrics', 'telemetry']);
    // Prometheus gets a Role in its own namespace for this, not cluster-wide endpoint access
    expect(objects(ms, 'Role').map(r => r.metadata.namespace)).toEqual(['monitoring']);
  });

  test('a NetworkPolicy admits only the Prometheus pods to the metrics port', () => {
    const np = one(ms, 'NetworkPolicy', 'kube-state-metrics');
    expect(np.spec.podSelector).toEqual(one(ms, 'Deployment', 'kube-state-metrics').spec.selector);
    expect(np.spec.ingress).toEqual([{
      ports: [{ port: 8080, protocol: 'TCP' }],
      from: [{ podSelector: { matchLabels: one(ms, 'StatefulSet', 'prometheus').spec.selector.matchLabels } }],
    }]);
  });

  test('in another namespace than Prometheus, the NetworkPolicy names the Prometheus namespace', () => {
    const s = stack();
    new KubeStateMetrics(s.chart, 'ksm', { prometheus: s.prometheus, namespace: 'kube-system' });
    const out = synth(s.chart);
    const np = one(out, 'NetworkPolicy', 'ksm');
    expect(np.metadata.namespace).toBe('kube-system');
    expect(np.spec.ingress[0].from[0].namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } });
    expect(job(out, 'kube-state-metrics').kubernetes_sd_configs[0].namespaces).toEqual({ names: ['kube-system'] });
    expect(one(out, 'Role').metadata.namespace).toBe('kube-system');
  });

  test('custom collectors narrow the ClusterRole', () => {
    const s = stack();
    new KubeStateMetrics(s.chart, 'ksm', {
      prometheus: s.prometheus, collectors: [KubeStateMetricsCollector.PODS, KubeStateMetricsCollector.DEPLOYMENTS, KubeStateMetricsCollector.PODS],
    });
    const out = synth(s.chart);
    expect(one(out, 'ClusterRole', 'monitoring-ksm').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list', 'watch'] },
    ]);
    expect(one(out, 'Deployment', 'ksm').spec.template.spec.containers[0].args).toContain('--resources=deployments,pods');
  });

  test('fails on an empty collector list', () => {
    const s = stack();
    expect(() => new KubeStateMetrics(s.chart, 'ksm', { prometheus: s.prometheus, collectors: [] }))
      .toThrow(/test\/ksm: invalid collectors \[\]: enable at least one collector/);
  });
});
