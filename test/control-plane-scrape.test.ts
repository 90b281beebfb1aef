import { ControlPlaneComponent, ControlPlaneScrape, SecretKey } from '../src';
import { simulateTarget } from './relabel-sim';
import { job, objects, one, promConfig, schemaProblems, stack, synth } from './util';

function pod(ip: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    __address__: ip,
    __meta_kubernetes_namespace: 'kube-system',
    __meta_kubernetes_pod_name: 'kube-scheduler-cp-1',
    __meta_kubernetes_pod_ip: ip,
    __meta_kubernetes_pod_node_name: 'cp-1',
    __meta_kubernetes_pod_container_init: 'false',
    ...extra,
  };
}

describe('ControlPlaneScrape', () => {
  test('kube-scheduler: its static pods in kube-system, HTTPS :10259 with the token, job kube-scheduler; rules only on request', () => {
    const { chart, prometheus } = stack();
    const s = new ControlPlaneScrape(chart, 'scheduler', { prometheus, component: ControlPlaneComponent.SCHEDULER, tls: { insecureSkipVerify: true } });
    const ms = synth(chart);
    expect(schemaProblems(ms)).toEqual([]);
    const j = job(ms, 'kube-scheduler');
    expect(j).toMatchSnapshot();
    expect(j).toMatchObject({
      scheme: 'https',
      tls_config: { insecure_skip_verify: true },
      authorization: { type: 'Bearer', credentials_file: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
      kubernetes_sd_configs: [{
        role: 'pod',
        namespaces: { names: ['kube-system'] },
        selectors: [{ role: 'pod', label: 'component=kube-scheduler', field: 'status.phase=Running' }],
      }],
    });
    // a Role in kube-system for pods; get /metrics cluster-wide (the scheduler asks the API server)
    expect(one(ms, 'Role').metadata.namespace).toBe('kube-system');
    expect(one(ms, 'ClusterRole').rules).toEqual([{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
    // a static pod declares no port: the pod IP at the scheduler's port; IPv6 in brackets
    expect(simulateTarget(j, pod('10.0.0.2'))).toEqual({
      url: 'https://10.0.0.2:10259/metrics',
      labels: { job: 'kube-scheduler', instance: '10.0.0.2:10259', namespace: 'kube-system', pod: 'kube-scheduler-cp-1', node: 'cp-1' },
    });
    expect(simulateTarget(j, pod('fd00::2'))?.url).toBe('https://[fd00::2]:10259/metrics');
    // no rules unless asked for: nothing can fire for a component that a managed control plane hides
    expect(promConfig(ms).rule_files).toBeUndefined();
    const group = s.addRules();
    expect(group.rules.map(r => r.name)).toEqual(['KubeSchedulerDown', 'KubeSchedulerTargetsDown']);
    expect(group.rules[0].expr).toBe('absent(up{job="kube-scheduler"} == 1)');
  });

  test('etcd with a client certificate from a Secret; CoreDNS at its metrics port only; kube-proxy over HTTP', () => {
    const { chart, prometheus } = stack();
    new ControlPlaneScrape(chart, 'etcd', {
      prometheus,
      component: ControlPlaneComponent.ETCD,
      tls: { ca: SecretKey.of('etcd-client', 'ca.crt'), cert: SecretKey.of('etcd-client', 'tls.crt'), key: SecretKey.of('etcd-client', 'tls.key') },
    });
    prometheus.addControlPlaneScrape('coredns', { component: ControlPlaneComponent.COREDNS });
    prometheus.addControlPlaneScrape('kube-proxy', { component: ControlPlaneComponent.KUBE_PROXY });
    prometheus.addControlPlaneScrape('controller-manager', { component: ControlPlaneComponent.CONTROLLER_MANAGER });
    const ms = synth(chart);
    const etcd = job(ms, 'etcd');
    expect(etcd.tls_config).toEqual({
      ca_file: '/etc/prometheus/secrets/etcd-client/ca.crt', cert_file: '/etc/prometheus/secrets/etcd-client/tls.crt', key_file: '/etc/prometheus/secrets/etcd-client/tls.key',
    });
    expect(etcd.authorization).toBeUndefined();
    expect(simulateTarget(etcd, pod('10.0.0.2'))?.url).toBe('https://10.0.0.2:2379/metrics');
    const dns = job(ms, 'coredns');
    const dnsPod = (port: string) => pod('10.0.1.5', { __address__: `10.0.1.5:${port}`, __meta_kubernetes_pod_container_port_number: port });
    expect(simulateTarget(dns, dnsPod('53'))).toBeUndefined();
    expect(simulateTarget(dns, dnsPod('9153'))).toMatchObject({ url: 'http://10.0.1.5:9153/metrics', labels: { job: 'kube-dns' } });
    expect(simulateTarget(job(ms, 'kube-proxy'), pod('10.0.0.3'))).toMatchObject({ url: 'http://10.0.0.3:10249/metrics', labels: { job: 'kube-proxy' } });
    expect(job(ms, 'kube-controller-manager')).toMatchObject({ scheme: 'https', tls_config: { ca_file: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' } });
    expect(simulateTarget(job(ms, 'kube-controller-manager'), pod('10.0.0.2'))?.url).toBe('https://10.0.0.2:10257/metrics');
    expect(objects(ms, 'Role').map(r => r.metadata.namespace)).toEqual(['kube-system']);
  });
});
