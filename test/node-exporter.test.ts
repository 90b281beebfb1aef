import { Cpu } from 'cdk8s-plus-27';
import { NameValidationScheme, NODE_EXPORTER_IMAGE, NodeExporter, ServiceScrape } from '../src';
import { rulesFromConfig } from './relabel-config';
import { simulateTarget } from './relabel-sim';
import { job, Manifest, objects, one, RESTRICTED_CONTAINER_CONTEXT, RESTRICTED_POD_CONTEXT, schemaProblems, stack, synth } from './util';

const neObjects = (ms: Manifest[]) => ms.filter(m => m.metadata.labels?.['app.kubernetes.io/name'] === 'node-exporter');

/** What endpointslice discovery yields for the node-exporter pod on one node. */
function nodeExporterEndpoint(node: string, ip: string, extra: Record<string, string> = {}) {
  return {
    __address__: `${ip}:9100`,
    __meta_kubernetes_namespace: 'node-exporter',
    __meta_kubernetes_service_name: 'node-exporter',
    __meta_kubernetes_endpointslice_port_name: 'metrics',
    __meta_kubernetes_endpointslice_port: '9100',
    __meta_kubernetes_pod_name: `node-exporter-${node}`,
    __meta_kubernetes_pod_node_name: node,
    __meta_kubernetes_pod_ip: ip,
    ...extra,
  };
}

describe('NodeExporter', () => {
  const { chart, prometheus } = stack();
  const nodeExporter = new NodeExporter(chart, 'node-exporter', { prometheus, namespace: 'node-exporter' });
  const ms = synth(chart);
  const ds = one(ms, 'DaemonSet', 'node-exporter');
  const pod = ds.spec.template.spec;
  const c = pod.containers[0];

  test('snapshot and schema', () => {
    expect(neObjects(ms)).toMatchSnapshot();
    expect(schemaProblems(ms)).toEqual([]);
    expect(neObjects(ms).map(m => [m.kind, m.metadata.namespace]).sort()).toEqual([
      ['DaemonSet', 'node-exporter'], ['Service', 'node-exporter'], ['ServiceAccount', 'node-exporter'],
    ]);
  });

  test('on every node, in the host PID and network namespaces, listening on the node IP', () => {
    expect(c.image).toBe(NODE_EXPORTER_IMAGE);
    expect(c.image).toBe('quay.io/prometheus/node-exporter:v1.12.1');
    expect(pod.hostNetwork).toBe(true);
    expect(pod.hostPID).toBe(true);
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } });
    expect(c.env).toEqual([{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }]);
    expect(c.args).toEqual([
      '--web.listen-address=[$(POD_IP)]:9100',
      '--path.procfs=/host/proc',
      '--path.sysfs=/host/sys',
      '--path.rootfs=/host/root',
      '--path.udev.data=/host/root/run/udev/data',
      '--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/credentials/.+|run/k3s/containerd/.+|var/lib/docker/.+|var/lib/containers/storage/.+|var/lib/kubelet/pods/.+)($|/)',
      '--collector.netclass.ignored-devices=^(veth.*|[a-f0-9]{15})$',
      '--collector.netdev.device-exclude=^(veth.*|[a-f0-9]{15})$',
    ]);
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: 9100, protocol: 'TCP' }]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/', port: 'metrics' });
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 'metrics' });
  });

  test('host paths mounted read-only; the root and /sys follow later host mounts', () => {
    expect(pod.volumes).toEqual([
      { name: 'proc', hostPath: { path: '/proc', type: 'Directory' } },
      { name: 'sys', hostPath: { path: '/sys', type: 'Directory' } },
      { name: 'root', hostPath: { path: '/', type: 'Directory' } },
    ]);
    expect(c.volumeMounts).toEqual([
      { name: 'proc', mountPath: '/host/proc', readOnly: true },
      { name: 'sys', mountPath: '/host/sys', readOnly: true, mountPropagation: 'HostToContainer' },
      { name: 'root', mountPath: '/host/root', readOnly: true, mountPropagation: 'HostToContainer' },
    ]);
    for (const m of c.volumeMounts) expect(m.readOnly).toBe(true);
  });

  test('hardened apart from what it needs: non-root, no capabilities, read-only root filesystem, no token', () => {
    expect(pod.securityContext).toEqual(RESTRICTED_POD_CONTEXT);
    expect(c.securityContext).toEqual(RESTRICTED_CONTAINER_CONTEXT);
    expect(c.securityContext.capabilities.add).toBeUndefined();
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(one(ms, 'ServiceAccount', 'node-exporter').automountServiceAccountToken).toBe(false);
    expect(c.resources).toEqual({
      requests: { 'cpu': '102m', 'memory': '180Mi', 'ephemeral-storage': '16Mi' },
      limits: { 'cpu': '250m', 'memory': '180Mi', 'ephemeral-storage': '256Mi' },
    });
  });

  test('what keeps it out of Pod Security baseline/restricted is exactly hostNetwork, hostPID and hostPath', () => {
    // the fields Pod Security baseline checks at pod level (pod-security-admission policy/check_*.go)
    const baselineViolations = [
      pod.hostNetwork && 'hostNetwork',
      pod.hostPID && 'hostPID',
      pod.hostIPC && 'hostIPC',
      pod.volumes.some((v: any) => v.hostPath) && 'hostPath volumes',
      c.securityContext.privileged && 'privileged',
      (c.ports ?? []).some((p: any) => p.hostPort) && 'hostPort',
      (c.securityContext.capabilities.add ?? []).length > 0 && 'capabilities.add',
    ].filter(Boolean);
    expect(baselineViolations).toEqual(['hostNetwork', 'hostPID', 'hostPath volumes']);
  });

  test('a headless Service; scraped through its EndpointSlices in its own namespace, instance = node name', () => {
    expect(one(ms, 'Service', 'node-exporter').spec).toEqual({
      clusterIP: 'None',
      selector: ds.spec.selector.matchLabels,
      ports: [{ name: 'metrics', port: 9100, targetPort: 'metrics', protocol: 'TCP' }],
    });
    const j = job(ms, 'node-exporter');
    expect(j).toMatchSnapshot();
    expect(j.kubernetes_sd_configs).toEqual([{ role: 'endpointslice', namespaces: { names: ['node-exporter'] } }]);
    expect(j.relabel_configs).toEqual([
      { source_labels: ['__meta_kubernetes_service_name', '__meta_kubernetes_endpointslice_port_name'], regex: 'node-exporter;metrics', action: 'keep' },
      { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'instance', action: 'replace' },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace', action: 'replace' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod', action: 'replace' },
      { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service', action: 'replace' },
    ]);
    expect(simulateTarget(j, nodeExporterEndpoint('worker-1', '10.0.0.11'))).toEqual({
      labels: { job: 'node-exporter', instance: 'worker-1', namespace: 'node-exporter', pod: 'node-exporter-worker-1', service: 'node-exporter' },
      url: 'http://10.0.0.11:9100/metrics',
    });
    // other ports of the pod that the Service does not expose carry no endpointslice port name
    expect(simulateTarget(j, nodeExporterEndpoint('worker-1', '10.0.0.11', { __meta_kubernetes_endpointslice_port_name: '' }))).toBeUndefined();
    expect(nodeExporter.jobName).toBe('node-exporter');
  });

  test('RBAC: a Role in its namespace only (endpointslices, services, pods), no cluster-wide access', () => {
    expect(objects(ms, 'ClusterRole').filter(r => r.metadata.labels['app.kubernetes.io/name'] === 'prometheus')).toEqual([]);
    const role = one(ms, 'Role', 'monitoring-prometheus');
    expect(role.metadata.namespace).toBe('node-exporter');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'services'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ]);
    expect(one(ms, 'RoleBinding', 'monitoring-prometheus').metadata.namespace).toBe('node-exporter');
  });

  test('namespace defaults to the chart\'s; port, name, resources and job name are settable', () => {
    // the chart's namespace runs Prometheus too: namespaces are the user's to label here
    const s = stack({ createNamespaces: false });
    const ne = new NodeExporter(s.chart, 'nodes', {
      prometheus: s.prometheus, name: 'node-metrics', port: 9200, jobName: 'nodes', resources: { cpu: { limit: Cpu.millis(500) } },
    });
    const out = synth(s.chart);
    expect(schemaProblems(out)).toEqual([]);
    expect(ne.namespace).toBe('monitoring');
    const c2 = one(out, 'DaemonSet', 'node-metrics').spec.template.spec.containers[0];
    expect(c2.args[0]).toBe('--web.listen-address=[$(POD_IP)]:9200');
    expect(c2.ports).toEqual([{ name: 'metrics', containerPort: 9200, protocol: 'TCP' }]);
    expect(c2.resources.limits.cpu).toBe('500m');
    expect(c2.resources.requests.cpu).toBe('102m');
    expect(one(out, 'Service', 'node-metrics').spec.ports[0].port).toBe(9200);
    const j = job(out, 'nodes');
    expect(j.relabel_configs[0].regex).toBe('node-metrics;metrics');
  });

  test.each([NameValidationScheme.UTF8, NameValidationScheme.LEGACY])('built-in relabel rules pass the checks for role endpointslice (%s names)', scheme => {
    const s = stack({ nameValidationScheme: scheme });
    new NodeExporter(s.chart, 'node-exporter', { prometheus: s.prometheus, namespace: 'node-exporter' });
    const own = job(synth(s.chart), 'node-exporter').relabel_configs;
    expect(own).toHaveLength(5);
    // given back as user rules to a scrape of the same role (endpointslice), they go through every
    // synth-time check a user rule does
    const replay = stack({ nameValidationScheme: scheme });
    new ServiceScrape(replay.chart, 'replay', { prometheus: replay.prometheus, relabelings: rulesFromConfig(own) });
    expect(job(synth(replay.chart), 'kubernetes-services').relabel_configs.slice(-own.length)).toEqual(own);
  });

  describe('fails', () => {
    const make = (props: object) => {
      const s = stack();
      return new NodeExporter(s.chart, 'node-exporter', { prometheus: s.prometheus, ...props });
    };

    test('fails if the port is out of range', () => {
      expect(() => make({ port: 70000 }))
        .toThrow(/^test\/node-exporter: invalid port 70000: must be a whole number between 1 and 65535$/);
    });

    test('fails if the namespace is not a DNS label', () => {
      expect(() => make({ namespace: 'Node-Exporter' }))
        .toThrow(/^test\/node-exporter: invalid namespace "Node-Exporter": must be a lowercase RFC 1123 label/);
    });

    test('fails if the name is not a DNS label', () => {
      expect(() => make({ name: 'node_exporter' }))
        .toThrow(/^test\/node-exporter: invalid name "node_exporter": must be a lowercase RFC 1035 label/);
    });

    test('fails if the job name is taken', () => {
      const s = stack();
      new NodeExporter(s.chart, 'a', { prometheus: s.prometheus, namespace: 'a' });
      expect(() => new NodeExporter(s.chart, 'b', { prometheus: s.prometheus, namespace: 'b' }))
        .toThrow(/^test\/b: invalid jobName "node-exporter": this scrape.s default job name is already used by test\/a; give one of them its own `jobName`/);
    });

    test('fails if prometheus is not a PrometheusStack', () => {
      const s = stack();
      expect(() => new NodeExporter(s.chart, 'node-exporter', { prometheus: {} as any }))
        .toThrow(/^test\/node-exporter: invalid prometheus "\[object Object\]": must be a PrometheusStack$/);
    });
  });
});
