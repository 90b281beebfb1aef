/**
 * The cluster part of the end-to-end suite: the synthesized manifests against a real
 * kube-apiserver (strict validation, Pod Security at the level each namespace needs, RBAC), and
 * the real Prometheus started exactly as the quick start's StatefulSet starts it, discovering
 * and scraping a fake cluster through the quick start's own ServiceAccount and RBAC.
 *
 * Then the production example (dist/production.k8s.yaml) replaces the quick start: the real
 * blackbox_exporter runs from its Deployment and ConfigMap, the real Prometheus from the
 * production StatefulSet, prometheus.yml and rules.yml, with its ServiceAccount token; Services,
 * Ingresses and node-exporter endpoints of e2e/cluster/probes.yaml are discovered, probed through
 * the exporter against fake sites, and the fake node-exporters scraped. Both processes run in
 * sandboxes (lib/cluster.ts `sandboxCommand`) whose private /etc/hosts stands in for cluster DNS.
 *
 * Runs inside the private namespaces of e2e/in-namespace.sh (e2e/run.sh does this):
 *
 *   unshare --mount --net --fork -- bash e2e/in-namespace.sh \
 *     env TS_NODE_PROJECT=e2e/tsconfig.json TS_NODE_TRANSPILE_ONLY=1 \
 *     node --require ts-node/register --test e2e/cluster.test.ts
 *
 * Needs dist/*.k8s.yaml (`npx projen synth:examples`) and the tools of e2e/tools/build.sh.
 * Set E2E_KEEP_WORK=1 to keep the work directory (logs, PKI, etcd, TSDB) after a passing run; it
 * is always kept after a failure.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DiscoveryRole } from '../src';
import {
  addLoopbackAddresses, assertInsideSuiteNamespace, blackboxWorkload, Cluster, E2E_DIR, ExporterRun, issueCert, K8sObject,
  loadYamlFile, logProblems, makePki, manifestObjects, parseYaml, podFromTemplate, Processes, prometheusWorkload, PrometheusRun,
  promApi, promQuery, removeLoopbackAddresses, REPO_DIR, resolveTools, startBlackboxExporter, startPrometheus, Tools, WaitAbort,
  waitFor, workloads, writeServiceAccountFiles,
} from './lib/cluster';
import { appMetrics, CADVISOR_FIXTURE, FakeTargets, KSM_FIXTURE, nodeExporterMetrics } from './lib/fake-targets';
import { SELECTABLE_FIELDS } from '../src/model/selector';

const DIST = path.join(REPO_DIR, 'dist');
const QUICK_START = path.join(DIST, 'monitoring.k8s.yaml');
const PRODUCTION = path.join(DIST, 'production.k8s.yaml');
const PRODUCTION_RULES = path.join(DIST, 'production.prometheus.rules.yml');
const STATE_FILE = path.join(E2E_DIR, 'cluster', 'state.yaml');
const PROBE_STATE_FILE = path.join(E2E_DIR, 'cluster', 'probes.yaml');
const DISCOVERY = path.join(DIST, 'discovery.k8s.yaml');
const ANNOTATION_STATE_FILE = path.join(E2E_DIR, 'cluster', 'annotations.yaml');
const NODES = [{ name: 'node-a', ip: '10.244.0.11' }, { name: 'node-b', ip: '10.244.0.12' }];
const KUBELET_PORT = 10250;
const NODE_EXPORTER_PORT = 9100;
// Fake hosts of the production part (see e2e/cluster/probes.yaml), added to lo by the test.
const BLACKBOX_POD_IP = '10.244.0.61';
const SHOP_WEB_IP = '10.244.0.71';
const INGRESS_IP = '10.244.0.81';
/** The DaemonSet's pods on the fake nodes (named as the DaemonSet controller would), as in e2e/cluster/probes.yaml's EndpointSlice. */
const NODE_EXPORTER_PODS: Record<string, string> = { 'node-a': 'node-exporter-x7k2p', 'node-b': 'node-exporter-m9q4t' };

type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';
function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const mode of ['enforce', 'warn', 'audit']) {
    labels[`pod-security.kubernetes.io/${mode}`] = level;
    labels[`pod-security.kubernetes.io/${mode}-version`] = 'latest';
  }
  return labels;
}
/**
 * The Pod Security level of every namespace the examples run workloads in: Prometheus, kube-state-
 * metrics and the blackbox exporter pass `restricted`; node-exporter (host PID and network, host
 * paths) needs `privileged` in a namespace of its own, as its README section says.
 */
const POD_SECURITY: Record<string, PodSecurityLevel> = { 'monitoring': 'restricted', 'node-exporter': 'privileged' };

/**
 * What the quick start must discover from e2e/cluster/state.yaml, per scrape job: the active
 * targets by scrape URL with their complete label sets, and the dropped targets by address.
 * Derived from the README and src/*-scrape.ts, not from the rendered config.
 */
interface JobExpectation {
  readonly active: Record<string, Record<string, string>>;
  readonly dropped: string[];
  /** What identifies a dropped target in `dropped` (default: its discovered `__address__`). */
  readonly droppedKey?: (discoveredLabels: Record<string, string>) => string;
}
const EXPECTED: Record<string, JobExpectation> = {
  // ApiServerScrape: default/kubernetes port https only.
  'apiserver': {
    active: { 'https://10.244.0.1:6443/metrics': { job: 'apiserver', instance: '10.244.0.1:6443' } },
    // Service web (its port, and web-0's port the Service does not expose), Service api.
    dropped: ['10.244.0.21:9100', '10.244.0.21:8080', '10.244.0.41:8080'],
  },
  // KubeletScrape: every node, HTTPS to the kubelet port; job=kubelet, node, metrics_path.
  'kubelet': {
    active: Object.fromEntries(NODES.map(n => [`https://${n.ip}:${KUBELET_PORT}/metrics`,
      { job: 'kubelet', instance: n.name, node: n.name, metrics_path: '/metrics' }])),
    dropped: [],
  },
  // CadvisorScrape: the same targets at /metrics/cadvisor, with job="kubelet" (kubernetes-mixin).
  'cadvisor': {
    active: Object.fromEntries(NODES.map(n => [`https://${n.ip}:${KUBELET_PORT}/metrics/cadvisor`,
      { job: 'kubelet', instance: n.name, node: n.name, metrics_path: '/metrics/cadvisor' }])),
    dropped: [],
  },
  // ServiceScrape (namespaces: [default]): the endpoints of every Service but default/kubernetes;
  // job = Service name; namespace, service, pod labels. other/elsewhere is never discovered.
  'kubernetes-services': {
    active: {
      'http://10.244.0.21:9100/metrics': { job: 'web', instance: '10.244.0.21:9100', namespace: 'default', service: 'web', pod: 'web-0' },
      'http://10.244.0.41:8080/metrics': { job: 'api', instance: '10.244.0.41:8080', namespace: 'default', service: 'api' },
    },
    // default/kubernetes, and web-0's port 8080, which is not an endpoint of any Service
    // (Prometheus's endpointslice discovery adds a target for every container port of a
    // backing pod that the slice does not list).
    dropped: ['10.244.0.1:6443', '10.244.0.21:8080'],
  },
  // PodPortScrape (portName metrics): running pods in every namespace; job = container name.
  'pods': {
    active: {
      'http://10.244.0.21:9100/metrics': { job: 'web', instance: '10.244.0.21:9100', namespace: 'default', pod: 'web-0', container: 'web' },
      'http://10.244.0.22:9100/metrics': { job: 'worker', instance: '10.244.0.22:9100', namespace: 'apps', pod: 'worker-0', container: 'worker' },
    },
    dropped: [
      '10.244.0.21:8080', // web-0 port "http"
      '10.244.0.22', // worker-0 init container without ports
      '10.244.0.22:9901', // worker-0 sidecar port "admin"
      '10.244.0.23:9100', // batch-0: Succeeded
      '10.244.0.24:9100', // pending-0: Pending
    ],
  },
  // KubeStateMetrics: its Service's http-metrics port in monitoring.
  'kube-state-metrics': {
    active: { 'http://10.244.0.31:8080/metrics': { job: 'kube-state-metrics', instance: '10.244.0.31:8080' } },
    dropped: ['10.244.0.31:8081', '10.244.0.1:9090'],
  },
  // The stack's self-scrape (selfMonitoring, on by default): a static target in the pod.
  'prometheus': {
    active: { 'http://localhost:9090/metrics': { job: 'prometheus', instance: 'localhost:9090' } },
    dropped: [],
  },
};
const EDGE_IP = '10.244.0.91';
const EDGE_TOKEN = 'edge-e2e-token';
/**
 * What the discovery example (examples/discovery.ts) must keep from e2e/cluster/annotations.yaml,
 * from the README's AnnotationScrape section (the Helm chart's annotation semantics), not from
 * the rendered config.
 */
const ANN = { namespace: 'annotated' };
const DISCOVERY_EXPECTED: Record<string, JobExpectation> = {
  'kubernetes-service-endpoints': {
    active: {
      // Service web: every annotation, on its IPv4 and its IPv6 slice (the host keeps its brackets)
      'https://10.244.1.1:9102/admin/metrics?format=prometheus':
        { job: 'kubernetes-service-endpoints', instance: '10.244.1.1:9102', ...ANN, service: 'web', app: 'web' },
      'https://[fd00:10:244:1::1]:9102/admin/metrics?format=prometheus':
        { job: 'kubernetes-service-endpoints', instance: '[fd00:10:244:1::1]:9102', ...ANN, service: 'web', app: 'web' },
      // Service plain: scrape only; its endpoint is pod plain-0 on node-a
      'http://10.244.1.2:8080/metrics': { job: 'kubernetes-service-endpoints', instance: '10.244.1.2:8080', ...ANN, service: 'plain', app: 'plain', node: 'node-a' },
    },
    // plain-0's port the Service does not expose, Service hidden (unannotated), Service slow (scrape-slow)
    dropped: ['10.244.1.2:9999', '10.244.1.3:8080', '10.244.1.4:8080'],
  },
  'kubernetes-service-endpoints-slow': {
    active: { 'http://10.244.1.4:8080/metrics': { job: 'kubernetes-service-endpoints-slow', instance: '10.244.1.4:8080', ...ANN, service: 'slow' } },
    dropped: ['10.244.1.1:8080', '[fd00:10:244:1::1]:8080', '10.244.1.2:8080', '10.244.1.2:9999', '10.244.1.3:8080'],
  },
  'kubernetes-pods': {
    active: {
      // worker-0: port and path annotations, a param, no declared port
      'http://10.244.1.5:9100/m?debug=1': { job: 'kubernetes-pods', instance: '10.244.1.5:9100', ...ANN, pod: 'worker-0', node: 'node-b', app: 'worker' },
      // IPv6 pods: a declared port, and the port annotation on a bare pod IP
      'http://[fd00:10:244:1::6]:8080/metrics': { job: 'kubernetes-pods', instance: '[fd00:10:244:1::6]:8080', ...ANN, pod: 'v6-0', node: 'node-a', app: 'v6' },
      'http://[fd00:10:244:1::7]:9100/metrics': { job: 'kubernetes-pods', instance: '[fd00:10:244:1::7]:9100', ...ANN, pod: 'v6port-0', node: 'node-a', app: 'v6port' },
    },
    // plain-0 (unannotated, two ports), worker-0's init container, done-0 (Succeeded), noport-0 (no port at all)
    dropped: ['10.244.1.2:8080', '10.244.1.2:9999', '10.244.1.5', '10.244.1.8:8080', '10.244.1.9'],
  },
  'prometheus': {
    active: { 'http://localhost:9090/metrics': { job: 'prometheus', instance: 'localhost:9090' } },
    dropped: [],
  },
  // KubernetesScrape: the API server filters by label (app in (plain,v6,done)) and field
  // (status.phase=Running: not done-0); node labels attached through the node informer.
  'custom-pods': {
    active: {
      'http://10.244.1.2:8080/metrics': { job: 'custom-pods', instance: '10.244.1.2:8080', pod: 'plain-0', port: 'http', hostname: 'node-a' },
      'http://10.244.1.2:9999/metrics': { job: 'custom-pods', instance: '10.244.1.2:9999', pod: 'plain-0', port: 'debug', hostname: 'node-a' },
      'http://[fd00:10:244:1::6]:8080/metrics': { job: 'custom-pods', instance: '[fd00:10:244:1::6]:8080', pod: 'v6-0', port: 'http', hostname: 'node-a' },
    },
    dropped: [],
  },
  // KubeletEndpointScrape: every node, job="kubelet", metrics_path as kube-prometheus labels them.
  ...Object.fromEntries(['probes', 'resource'].map(e => [`kubelet-${e}`, {
    active: Object.fromEntries(NODES.map(n => [`https://${n.ip}:${KUBELET_PORT}/metrics/${e}`,
      { job: 'kubelet', instance: n.name, node: n.name, metrics_path: `/metrics/${e}` }])),
    dropped: [],
  }])),
  // ControlPlaneScrape: the pod IP and the component's port, the mixin's job labels; CoreDNS
  // only at its metrics port (IPv6: brackets), the failed CoreDNS pod never listed.
  ...Object.fromEntries([['kube-scheduler', 'https', 10259, 'kube-scheduler-node-a'], ['kube-controller-manager', 'https', 10257, 'kube-controller-manager-node-a'],
    ['etcd', 'https', 2379, 'etcd-node-a']].map(([job, scheme, port, pod]) => [job, {
    active: { [`${scheme}://10.244.0.11:${port}/metrics`]: { job, instance: `10.244.0.11:${port}`, namespace: 'kube-system', pod, node: 'node-a' } },
    dropped: [],
  }])),
  'kube-proxy': {
    active: { 'http://10.244.0.12:10249/metrics': { job: 'kube-proxy', instance: '10.244.0.12:10249', namespace: 'kube-system', pod: 'kube-proxy-7xk2p', node: 'node-b' } },
    dropped: [],
  },
  'coredns': {
    active: {
      'http://[fd00:10:244:1::20]:9153/metrics':
        { job: 'kube-dns', instance: '[fd00:10:244:1::20]:9153', namespace: 'kube-system', pod: 'coredns-668d6bf9bc-x2x7v', node: 'node-a' },
    },
    dropped: ['[fd00:10:244:1::20]:53', '[fd00:10:244:1::20]:53'],
  },
  // StaticScrape: exactly the listed targets, with their labels, scheme, path and params.
  'edge': {
    active: { 'https://edge.example.net:9443/prometheus?module=default': { job: 'edge', instance: 'edge.example.net:9443', site: 'fra' } },
    dropped: [],
  },
  'databases': {
    active: {
      'http://db-1.example.com:9187/metrics': { job: 'databases', instance: 'db-1.example.com:9187', role: 'primary' },
      'http://192.0.2.10:9187/metrics': { job: 'databases', instance: '192.0.2.10:9187', role: 'replica' },
      'http://[2001:db8::10]:9187/metrics': { job: 'databases', instance: '[2001:db8::10]:9187' },
    },
    dropped: [],
  },
};
/** Endpoints that no job may discover at all (outside every scrape's namespaces). */
const NEVER_DISCOVERED = ['10.244.0.51:8080'];

/**
 * What the production example must discover for its probes and node-exporter, from
 * e2e/cluster/probes.yaml, per job. Derived from the README and src/probes/service-probe.ts,
 * src/probes/ingress-probe.ts and src/components/node-exporter.ts (the constructs' notes), not from the rendered
 * config: probes go to the exporter's Service `blackbox.monitoring.svc:9115` at /probe with the
 * module (tcp_connect for Services, http_2xx for Ingresses) and the target, which is also the
 * `instance`.
 */
const EXPORTER = 'blackbox.monitoring.svc:9115';
function probeUrl(module: string, target: string): string {
  return `http://${EXPORTER}/probe?module=${module}&target=${encodeURIComponent(target)}`;
}
function serviceProbe(namespace: string, service: string, port: number): [string, Record<string, string>] {
  const target = `${service}.${namespace}.svc:${port}`;
  return [probeUrl('tcp_connect', target), { job: 'blackbox-services', instance: target, namespace, service }];
}
function ingressProbe(namespace: string, ingress: string, url: string): [string, Record<string, string>] {
  return [probeUrl('http_2xx', url), { job: 'blackbox-ingresses', instance: url, namespace, ingress }];
}
/** A Service port as the service role discovers it: `<namespace>/<service> <port>/<protocol>`. */
function servicePortKey(d: Record<string, string>): string {
  return `${d.__meta_kubernetes_namespace}/${d.__meta_kubernetes_service_name} ${d.__meta_kubernetes_service_port_number}/${d.__meta_kubernetes_service_port_protocol}`;
}
const SERVICE_PROBES = [
  // shop/web: port 80/TCP (514/UDP is not probed); shop/cache 6379; kube-system/kube-dns: the TCP ports.
  serviceProbe('shop', 'web', 80), serviceProbe('shop', 'cache', 6379),
  serviceProbe('kube-system', 'kube-dns', 53), serviceProbe('kube-system', 'kube-dns', 9153),
];
/** Service ports that must be among the dropped ones (the rest of the cluster's Service ports is dropped too). */
const SERVICE_PORTS_NOT_PROBED = [
  'shop/web 514/UDP', // UDP
  'kube-system/kube-dns 53/UDP', // UDP, same port number as a probed TCP port
  'default/kubernetes 443/TCP', // annotated by the test, left out by ServiceProbe itself
  'shop/internal 8080/TCP', // not annotated
  'shop/legacy 80/TCP', // annotated "false"
];
function productionExpected(allServicePorts: string[]): Record<string, JobExpectation> {
  const probed = ['shop/web 80/TCP', 'shop/cache 6379/TCP', 'kube-system/kube-dns 53/TCP', 'kube-system/kube-dns 9153/TCP'];
  return {
    'blackbox-services': {
      active: Object.fromEntries(SERVICE_PROBES),
      dropped: allServicePorts.filter(p => !probed.includes(p)),
      droppedKey: servicePortKey,
    },
    'blackbox-ingresses': {
      active: Object.fromEntries([
        // shop/storefront: shop.example.com is in its TLS hosts (https), www.example.com is not.
        ingressProbe('shop', 'storefront', 'https://shop.example.com/'),
        ingressProbe('shop', 'storefront', 'https://shop.example.com/cart'),
        ingressProbe('shop', 'storefront', 'http://www.example.com/'),
        // apps/api: hosts matched by the TLS host *.example.com; a rule without paths is "/".
        ingressProbe('apps', 'api', 'https://api.example.com/healthz'),
        ingressProbe('apps', 'api', 'https://status.example.com/'),
      ]),
      // shop/catchall: the rule without a host and the wildcard host.
      dropped: ['shop/catchall ', 'shop/catchall *.example.com'],
      // (A label with an empty value is absent: the hostless rule has no __address__.)
      droppedKey: d => `${d.__meta_kubernetes_namespace}/${d.__meta_kubernetes_ingress_name} ${d.__address__ ?? ''}`,
    },
    // NodeExporter: the headless Service's EndpointSlice in node-exporter; instance = node name.
    'node-exporter': {
      active: Object.fromEntries(NODES.map(n => [`http://${n.ip}:${NODE_EXPORTER_PORT}/metrics`, {
        job: 'node-exporter', instance: n.name, namespace: 'node-exporter', pod: NODE_EXPORTER_PODS[n.name], service: 'node-exporter',
      }])),
      dropped: [],
    },
  };
}
const PRODUCTION_JOBS = ['blackbox-services', 'blackbox-ingresses', 'node-exporter'];
/**
 * probe_success by `<job> <instance>`: 1 where a fake site answers (a TCP listener behind
 * web.shop.svc:80, HTTP 200 and, for https, a certificate of the trusted CA for the host), 0
 * where nothing listens (cache.shop.svc:6379) or the name does not resolve.
 */
const PROBE_SUCCESS: Record<string, number> = {
  'blackbox-services web.shop.svc:80': 1,
  'blackbox-services cache.shop.svc:6379': 0,
  'blackbox-services kube-dns.kube-system.svc:53': 0,
  'blackbox-services kube-dns.kube-system.svc:9153': 0,
  'blackbox-ingresses https://shop.example.com/': 1,
  'blackbox-ingresses https://shop.example.com/cart': 1,
  'blackbox-ingresses http://www.example.com/': 1,
  'blackbox-ingresses https://api.example.com/healthz': 1,
  'blackbox-ingresses https://status.example.com/': 0,
};

const started = Date.now();
const summary: Record<string, unknown> = {};
let failures = 0;
let workDir = '';
let processes: Processes | undefined;
let tools: Tools;
let cluster: Cluster;
let targets: FakeTargets | undefined;
let prometheus: PrometheusRun | undefined;
let production: ProductionRun | undefined;
let discovery: PrometheusRun | undefined;
let edgeTargets: FakeTargets | undefined;
let discoveryKubelets: FakeTargets | undefined;
let addedAddresses: string[] = [];

/** Wraps a test body: counts failures (the work dir is kept for them). */
function tracked(fn: (t: any) => Promise<void>): (t: any) => Promise<void> {
  return async t => {
    try {
      await fn(t);
    } catch (e) {
      failures++;
      throw e;
    }
  };
}

function report(t: any, key: string, value: unknown): void {
  summary[key] = value;
  t.diagnostic(`${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}

function kubectlWarnings(stderr: string): string[] {
  return stderr.split('\n').filter(l => /warning/i.test(l));
}

function stripStatus(o: K8sObject): K8sObject {
  const { status: _status, ...rest } = o;
  return rest as K8sObject;
}

/** Creates objects for real, then writes their `status` (creating a Pod resets it; only the status subresource writes it). */
async function applyWithStatus(objects: K8sObject[]): Promise<void> {
  await cluster.apply(objects.map(stripStatus));
  for (const o of objects.filter(s => s.status)) {
    const ns = o.metadata.namespace ? ['-n', o.metadata.namespace] : [];
    await cluster.kubectl(['patch', o.kind.toLowerCase(), o.metadata.name, ...ns, '--subresource=status', '--type=merge',
      '-p', JSON.stringify({ status: o.status })]);
  }
}

/** Namespaces a manifest uses: of its namespaced objects and of its RBAC subjects (Roles in e.g. `apps`). */
function namespacesOf(objects: K8sObject[]): Set<string> {
  const namespaces = new Set<string>();
  for (const o of objects) {
    if (o.metadata.namespace) namespaces.add(o.metadata.namespace);
    for (const s of o.subjects ?? []) if (s.namespace) namespaces.add(s.namespace);
  }
  return namespaces;
}

/**
 * The Pod Security level a pod template needs, from what it asks for: host namespaces, host
 * paths, host ports or privileged containers need `privileged` (`baseline` forbids them);
 * everything else must pass `restricted`.
 */
function podSecurityLevelOf(workload: K8sObject): PodSecurityLevel {
  const spec = workload.spec.template.spec;
  const containers: any[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const host = spec.hostNetwork || spec.hostPID || spec.hostIPC || (spec.volumes ?? []).some((v: any) => v.hostPath)
    || containers.some(c => c.securityContext?.privileged || (c.ports ?? []).some((p: any) => p.hostPort));
  return host ? 'privileged' : 'restricted';
}

/**
 * The Pod Security labels of every namespace that runs workloads of the manifest, by what its pod
 * templates need; checked against POD_SECURITY (the levels the README asks for), so that a
 * construct that starts to need more is noticed here and not by a cluster admin.
 */
function podSecurityByContent(objects: K8sObject[]): Record<string, Record<string, string>> {
  const levels: Record<string, PodSecurityLevel> = {};
  for (const w of workloads(objects)) {
    const ns = w.metadata.namespace ?? assert.fail(`${w.kind} ${w.metadata.name} has no namespace`);
    const level = podSecurityLevelOf(w);
    if (levels[ns] === undefined || level === 'privileged') levels[ns] = level;
  }
  for (const [ns, level] of Object.entries(levels)) {
    assert.equal(level, POD_SECURITY[ns], `namespace ${ns}: its workloads need Pod Security "${level}", POD_SECURITY expects "${POD_SECURITY[ns]}"`);
  }
  return Object.fromEntries(Object.entries(levels).map(([ns, level]) => [ns, podSecurityLabels(level)]));
}

type Install = 'quick start' | 'production' | 'discovery';
const INSTALL_FILES: Record<Install, string> = { 'quick start': QUICK_START, 'production': PRODUCTION, 'discovery': DISCOVERY };
let installed: { which: Install; objects: K8sObject[] } | undefined;
let baseStateApplied = false;

/**
 * One example installed for real, with the fake cluster state: the quick start or the production
 * example (they share object names: the other one is uninstalled first, and its Prometheus
 * stopped; both listen on the pod's :9090).
 */
async function install(which: Install): Promise<K8sObject[]> {
  if (installed?.which === which) return installed.objects;
  await stopPrometheuses();
  if (installed) {
    // Not the Namespace objects: without a kube-controller-manager a deleted namespace is never
    // finalized (and the suite labels the namespaces itself).
    await cluster.delete(installed.objects.filter(o => o.kind !== 'Namespace'), ['--wait=true']);
    if (installed.which === 'production') await removeProductionState();
    if (installed.which === 'discovery') await cluster.delete((loadYamlFile(ANNOTATION_STATE_FILE) as K8sObject[]).filter(o => o.kind !== 'Namespace' && o.kind !== 'ServiceAccount'));
  }
  const file = INSTALL_FILES[which];
  const objects = manifestObjects(file);
  await cluster.ensureNamespaces(namespacesOf(objects), podSecurityByContent(objects));
  const applied = await cluster.apply(objects);
  assert.deepEqual(kubectlWarnings(applied.stderr), [], `applying ${path.relative(REPO_DIR, file)} printed warnings`);
  if (!baseStateApplied) {
    await applyWithStatus(loadYamlFile(STATE_FILE) as K8sObject[]);
    baseStateApplied = true;
  }
  if (which === 'production') await applyProductionState(objects);
  if (which === 'discovery') await applyWithStatus(loadYamlFile(ANNOTATION_STATE_FILE) as K8sObject[]);
  installed = { which, objects };
  return objects;
}

async function stopPrometheuses(): Promise<void> {
  for (const run of [prometheus, production?.prometheus, discovery]) {
    if (run && !run.managed.exit) await processes!.stop(run.managed);
  }
}

/** A token of the Prometheus ServiceAccount, where the kubelet would mount it. */
async function mountServiceAccount(objects: K8sObject[]): Promise<string> {
  const { sts } = prometheusWorkload(objects);
  const saName: string = sts.spec.template.spec.serviceAccountName;
  const ns = sts.metadata.namespace ?? assert.fail('the Prometheus StatefulSet has no namespace');
  assert.ok(saName, 'the Prometheus StatefulSet names no serviceAccountName');
  assert.notEqual(sts.spec.template.spec.automountServiceAccountToken, false, 'the Prometheus pod does not mount its token');
  const token = (await cluster.kubectl(['-n', ns, 'create', 'token', saName, '--duration=1h'])).stdout.trim();
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'kubectl create token returned no JWT');
  writeServiceAccountFiles({ token, caCert: cluster.pki.ca.cert, namespace: ns });
  return token;
}

/** Prometheus as the quick start runs it, with its own ServiceAccount token (once). */
async function ensurePrometheus(): Promise<PrometheusRun> {
  if (installed?.which === 'quick start' && prometheus && !prometheus.managed.exit) return prometheus;
  const objects = await install('quick start');
  await mountServiceAccount(objects);
  targets ??= await FakeTargets.start({
    kubelets: NODES.map(n => ({ node: n.name, ip: n.ip, port: KUBELET_PORT, ...cluster.pki.kubelets[n.name] })),
    cadvisor: fs.readFileSync(CADVISOR_FIXTURE, 'utf8'),
    authorize: (tok, node, p) => cluster.kubeletAuthorize(tok, node, p),
    http: [
      // 10.244.0.21:9100 is both pod web-0's metrics port and Service web's endpoint.
      { name: 'pod default/web-0', ip: '10.244.0.21', port: 9100, body: appMetrics('web') },
      { name: 'pod apps/worker-0', ip: '10.244.0.22', port: 9100, body: appMetrics('worker') },
      { name: 'kube-state-metrics', ip: '10.244.0.31', port: 8080, body: fs.readFileSync(KSM_FIXTURE, 'utf8') },
      { name: 'service default/api', ip: '10.244.0.41', port: 8080, body: appMetrics('api') },
    ],
  });
  prometheus = await startPrometheus({ tools, objects, workDir, processes: processes! });
  return prometheus;
}

// ---- the production example: probes and node-exporter -------------------------------------

interface ProductionRun {
  readonly objects: K8sObject[];
  readonly prometheus: PrometheusRun;
  readonly exporter: ExporterRun;
  readonly fakes: FakeTargets;
  /** The DNS name of the exporter's Service (`<service>.<namespace>.svc`). */
  readonly exporterHost: string;
  readonly hosts: Record<string, string>;
}

function nodeExporterDaemonSet(objects: K8sObject[]): K8sObject {
  const found = objects.filter(o => o.kind === 'DaemonSet' && o.spec.template.spec.containers.some((c: any) => c.name === 'node-exporter'));
  assert.equal(found.length, 1, 'expected one DaemonSet with a node-exporter container in dist/production.k8s.yaml');
  return found[0];
}

/**
 * The probe state (e2e/cluster/probes.yaml), the `prometheus.io/probe` annotation on
 * default/kubernetes (so that only ServiceProbe's own rule can leave it out), and the
 * node-exporter pods: created from the DaemonSet's template as its controller would, on each
 * node, admitted by Pod Security in the DaemonSet's namespace, Running with the node IP.
 */
async function applyProductionState(objects: K8sObject[]): Promise<void> {
  await applyWithStatus(loadYamlFile(PROBE_STATE_FILE) as K8sObject[]);
  await cluster.kubectl(['annotate', '--overwrite', '-n', 'default', 'service', 'kubernetes', 'prometheus.io/probe=true']);
  const ds = nodeExporterDaemonSet(objects);
  const pods = NODES.map(n => {
    const pod = podFromTemplate(ds, n.name);
    pod.metadata.name = NODE_EXPORTER_PODS[n.name];
    return {
      ...pod,
      status: {
        phase: 'Running',
        hostIP: n.ip,
        hostIPs: [{ ip: n.ip }],
        podIP: n.ip,
        podIPs: [{ ip: n.ip }],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    };
  });
  await applyWithStatus(pods);
}

async function removeProductionState(): Promise<void> {
  const ds = nodeExporterDaemonSet(manifestObjects(PRODUCTION));
  await cluster.kubectl(['delete', 'pod', '-n', ds.metadata.namespace!, '--ignore-not-found', '--grace-period=0', '--force',
    ...Object.values(NODE_EXPORTER_PODS)], { allowFailure: true });
  const state = (loadYamlFile(PROBE_STATE_FILE) as K8sObject[]).filter(o => o.kind !== 'Namespace');
  await cluster.delete(state);
  await cluster.kubectl(['annotate', '-n', 'default', 'service', 'kubernetes', 'prometheus.io/probe-']);
}

/** The ConfigMap the blackbox exporter's Deployment mounts. */
function blackboxConfigMap(objects: K8sObject[]): K8sObject {
  const { deployment } = blackboxWorkload(objects);
  const vol = (deployment.spec.template.spec.volumes ?? []).find((v: any) => v.configMap);
  const cm = objects.find(o => o.kind === 'ConfigMap' && o.metadata.name === vol?.configMap?.name && o.metadata.namespace === deployment.metadata.namespace);
  return cm ?? assert.fail('the blackbox exporter mounts no ConfigMap of the manifest');
}

/** Every port of every Service in the cluster, as `servicePortKey` writes it. */
async function servicePorts(): Promise<string[]> {
  const r = await cluster.api('GET', '/api/v1/services');
  assert.equal(r.status, 200, `GET /api/v1/services: ${r.status} ${r.body.slice(0, 300)}`);
  return (JSON.parse(r.body).items as any[]).flatMap(s => (s.spec.ports ?? []).map((p: any) => servicePortKey({
    __meta_kubernetes_namespace: s.metadata.namespace,
    __meta_kubernetes_service_name: s.metadata.name,
    __meta_kubernetes_service_port_number: String(p.port),
    __meta_kubernetes_service_port_protocol: p.protocol ?? 'TCP',
  }))).sort();
}

/** The Service whose selector picks a workload's pods. */
function serviceOf(objects: K8sObject[], workload: K8sObject): K8sObject {
  const labels = workload.spec.template.metadata?.labels ?? {};
  const found = objects.filter(o => o.kind === 'Service' && o.metadata.namespace === workload.metadata.namespace
    && o.spec.selector && Object.entries(o.spec.selector).every(([k, v]) => labels[k] === v));
  assert.equal(found.length, 1, `expected one Service selecting ${workload.kind} ${workload.metadata.name}, found ${found.length}`);
  return found[0];
}

/**
 * The production example running: its manifest applied with the probe state, the real
 * blackbox_exporter from its Deployment and ConfigMap, fake sites behind the probed names, fake
 * node-exporters on the nodes, and the real Prometheus with the production prometheus.yml,
 * rules.yml and ServiceAccount token. Both run in sandboxes whose /etc/hosts stands in for
 * cluster DNS: the exporter's Service name points at the exporter's pod IP, the probed Service
 * and Ingress names at the fake sites.
 */
async function ensureProduction(): Promise<ProductionRun> {
  if (installed?.which === 'production' && production && !production.prometheus.managed.exit) return production;
  const objects = await install('production');
  await mountServiceAccount(objects);
  addedAddresses = [...addedAddresses, ...addLoopbackAddresses([BLACKBOX_POD_IP, SHOP_WEB_IP, INGRESS_IP])];

  const exporterService = serviceOf(objects, blackboxWorkload(objects).deployment);
  const exporterHost = `${exporterService.metadata.name}.${exporterService.metadata.namespace}.svc`;
  const hosts: Record<string, string> = {
    [exporterHost]: BLACKBOX_POD_IP,
    'web.shop.svc': SHOP_WEB_IP,
    'cache.shop.svc': SHOP_WEB_IP,
    'shop.example.com': INGRESS_IP,
    'www.example.com': INGRESS_IP,
    'api.example.com': INGRESS_IP,
  };
  const fakes = production?.fakes ?? await FakeTargets.start({
    http: NODES.map(n => ({ name: `node-exporter ${n.name}`, ip: n.ip, port: NODE_EXPORTER_PORT, body: nodeExporterMetrics(n.name) })),
    web: [
      { name: 'service shop/web', ip: SHOP_WEB_IP, port: 80, paths: { '/': { status: 200, body: 'shop\n' } } },
      {
        name: 'ingress controller http',
        ip: INGRESS_IP,
        port: 80,
        hosts: ['www.example.com'],
        paths: { '/': { status: 200, body: 'www\n' } },
      },
      {
        name: 'ingress controller https',
        ip: INGRESS_IP,
        port: 443,
        hosts: ['shop.example.com', 'api.example.com'],
        tls: issueCert(cluster.pki.dir, 'ingress', '/CN=ingress.example.com', [
          'subjectAltName=DNS:shop.example.com,DNS:api.example.com', 'extendedKeyUsage=serverAuth',
        ]),
        paths: { '/': { status: 200, body: 'shop\n' }, '/cart': { status: 200, body: 'cart\n' }, '/healthz': { status: 200, body: 'ok\n' } },
      },
    ],
  });
  // The sites' certificates come from the suite's CA, which the exporter trusts as if it were a
  // public one (Go reads SSL_CERT_FILE); the probe still verifies chain and name.
  const exporter = production?.exporter ?? await startBlackboxExporter({
    tools, objects, workDir, processes: processes!, podIp: BLACKBOX_POD_IP, sandbox: { hosts }, env: { SSL_CERT_FILE: cluster.pki.ca.cert },
  });
  const { sts } = prometheusWorkload(objects);
  const prom = await startPrometheus({
    tools, objects, workDir, processes: processes!, name: 'prometheus-production', podName: `${sts.metadata.name}-0`, sandbox: { hosts },
  });
  production = { objects, prometheus: prom, exporter, fakes, exporterHost, hosts };
  return production;
}

/** Non-comment sample lines of an exposition. */
function sampleLines(text: string): string[] {
  return text.split('\n').filter(l => l.trim() !== '' && !l.startsWith('#'));
}

describe('cluster: manifests, discovery, scraping, probes and RBAC against a real kube-apiserver', () => {
  before(async () => {
    assertInsideSuiteNamespace();
    for (const f of ['monitoring', 'book', 'production']) {
      assert.ok(fs.existsSync(path.join(DIST, `${f}.k8s.yaml`)), `dist/${f}.k8s.yaml is missing: run \`npx projen synth:examples\` first (e2e/run.sh does)`);
    }
    tools = resolveTools();
    fs.mkdirSync(path.join(E2E_DIR, '.work'), { recursive: true });
    workDir = fs.mkdtempSync(path.join(E2E_DIR, '.work', 'cluster-'));
    processes = new Processes(workDir);
    const pki = makePki(path.join(workDir, 'pki'), NODES);
    cluster = await Cluster.start({ tools, workDir, processes, pki });
  }, { timeout: 150_000 });

  after(async () => {
    await targets?.close();
    await production?.fakes.close();
    await edgeTargets?.close();
    await discoveryKubelets?.close();
    const stopped = processes ? await processes.stopAll() : [];
    processes?.dispose();
    removeLoopbackAddresses(addedAddresses);
    summary.processes = stopped;
    summary.runtimeSeconds = Math.round((Date.now() - started) / 100) / 10;
    summary.workDir = workDir;
    const keep = failures > 0 || process.env.E2E_KEEP_WORK === '1';
    if (workDir && !keep) {
      fs.rmSync(workDir, { recursive: true, force: true });
      summary.workDir = `${workDir} (removed)`;
    }
    if (workDir) fs.writeFileSync(path.join(E2E_DIR, '.work', 'cluster-summary.json'), JSON.stringify(summary, null, 2) + '\n');
    console.log(`cluster e2e summary: ${JSON.stringify(summary, null, 2)}`);
  }, { timeout: 60_000 });

  test('every dist/*.k8s.yaml passes strict server-side validation; Pod Security admits every pod template at the level its namespace enforces, '
    + '"restricted" for all but node-exporter, which "baseline" and "restricted" refuse', { timeout: 120_000 },
  tracked(async t => {
    const files = fs.readdirSync(DIST).filter(f => f.endsWith('.k8s.yaml')).sort();
    assert.ok(files.length >= 3, `expected the example manifests in dist/, found ${files.join(', ')}`);
    const applied: Record<string, number> = {};
    const podsChecked: string[] = [];
    const refused: Record<string, string> = {};
    const levelsSeen: Record<string, string> = {};
    for (const file of files) {
      const full = path.join(DIST, file);
      const objects = manifestObjects(full);
      // Pod Security labels by what each namespace runs (checked against POD_SECURITY).
      const labels = podSecurityByContent(objects);
      await cluster.ensureNamespaces(namespacesOf(objects), labels);

      const r = await cluster.kubectl(['apply', '--server-side', '--dry-run=server', '--validate=strict',
        '--field-manager=cdk8s-prometheus-e2e', '-f', full], { allowFailure: true });
      assert.equal(r.code, 0, `${file}: server-side dry-run apply failed:\n${r.stderr}${r.stdout}`);
      assert.deepEqual(kubectlWarnings(r.stderr), [], `${file}: the API server warned (unknown fields, deprecations or PodSecurity)`);
      const lines = r.stdout.trim().split('\n').filter(l => /serverside-applied \(server dry run\)$/.test(l));
      assert.equal(lines.length, objects.length, `${file}: ${objects.length} objects, but the API server accepted ${lines.length}:\n${r.stdout}`);
      applied[file] = lines.length;

      // Pod Security admission enforces on Pods only (templates just warn): create each pod
      // template as the Pod its controller would create. Its ServiceAccount has to exist
      // (ServiceAccount admission), so the manifest's ServiceAccounts are applied for real.
      const sas = objects.filter(o => o.kind === 'ServiceAccount');
      if (sas.length > 0) await cluster.apply(sas);
      for (const w of workloads(objects)) {
        const ns = w.metadata.namespace!;
        const level = POD_SECURITY[ns];
        const what = `${file}: the pod of ${w.kind} ${ns}/${w.metadata.name}`;
        levelsSeen[`${w.kind} ${ns}/${w.metadata.name}`] = level;
        const pod = podFromTemplate(w, NODES[0].name);
        const p = await cluster.kubectl(['create', '--dry-run=server', '-o', 'name', '-f', '-'], { stdin: JSON.stringify(pod), allowFailure: true });
        assert.equal(p.code, 0, `${what} is refused in its namespace (Pod Security "${level}"):\n${p.stderr}`);
        assert.deepEqual(kubectlWarnings(p.stderr), [], `${what} got warnings`);
        podsChecked.push(`${what.replace(': the pod of', '')} (${level})`);
        if (level === 'restricted') continue;

        // A pod that needs "privileged": "baseline" and "restricted" namespaces refuse it, for
        // the host namespaces and host paths it uses (and nothing may pass it as baseline).
        const spec = w.spec.template.spec;
        const hostPathVolumes = (spec.volumes ?? []).filter((v: any) => v.hostPath).map((v: any) => `"${v.name}"`);
        assert.ok(spec.hostNetwork && spec.hostPID && hostPathVolumes.length > 0,
          `${what} needs "privileged" for something other than hostNetwork, hostPID and hostPath volumes`);
        for (const stricter of ['baseline', 'restricted'] as const) {
          const testNs = `psa-${stricter}`;
          await cluster.ensureNamespaces([testNs], { [testNs]: podSecurityLabels(stricter) });
          const sa = sas.find(s => s.metadata.name === spec.serviceAccountName && s.metadata.namespace === ns);
          if (sa) await cluster.apply([{ ...sa, metadata: { ...sa.metadata, namespace: testNs } }]);
          const moved = { ...pod, metadata: { ...pod.metadata, namespace: testNs } };
          const q = await cluster.kubectl(['create', '--dry-run=server', '-o', 'name', '-f', '-'], { stdin: JSON.stringify(moved), allowFailure: true });
          assert.notEqual(q.code, 0, `${what} was admitted in a "${stricter}" namespace`);
          assert.match(q.stderr, new RegExp(`violates PodSecurity "${stricter}:latest"`), `${what} in a "${stricter}" namespace`);
          assert.match(q.stderr, /host namespaces \(hostNetwork=true, hostPID=true\)/, `${what}: the refusal does not name hostNetwork and hostPID`);
          // baseline: `hostPath volumes (volumes "proc", ...)`; restricted: `restricted volume types
          // (volumes "proc", ... use restricted volume type "hostPath")`.
          const volumes = `volumes ${hostPathVolumes.join(', ')}`;
          assert.match(q.stderr, stricter === 'baseline' ? new RegExp(`hostPath volumes \\(${volumes}\\)`)
            : new RegExp(`restricted volume types \\(${volumes} use restricted volume type "hostPath"\\)`), `${what}: the refusal does not name the hostPath volumes`);
          refused[`${w.kind} ${ns}/${w.metadata.name} in "${stricter}"`] = (/violates PodSecurity [^\n]*/.exec(q.stderr) ?? [q.stderr])[0];
        }
      }
    }
    // A pod with Secret volumes, in agent mode, was among them (examples/agent.ts, issue 12).
    const agents = files.flatMap(f => manifestObjects(path.join(DIST, f)).filter(o => o.kind === 'StatefulSet'
      && o.spec.template.spec.containers.some((c: any) => (c.args ?? []).includes('--agent'))
      && o.spec.template.spec.volumes.some((v: any) => v.secret)).map(o => `${f} StatefulSet ${o.metadata.namespace}/${o.metadata.name} (restricted)`));
    assert.ok(agents.length > 0, 'no example has an agent-mode StatefulSet with Secret volumes: is examples/agent.ts gone?');
    for (const a of agents) assert.ok(podsChecked.includes(a), `${a} was not admitted as a Pod`);
    // node-exporter's namespace was among them, labelled privileged.
    assert.ok(Object.values(levelsSeen).includes('privileged'), 'no pod template needed "privileged": is the NodeExporter back in examples/production.ts?');
    const ns = await cluster.api('GET', '/api/v1/namespaces/node-exporter');
    assert.equal(JSON.parse(ns.body).metadata.labels?.['pod-security.kubernetes.io/enforce'], 'privileged', 'namespace node-exporter is not labelled enforce: privileged');
    // Control: enforcement is on (a pod without the restricted settings is refused).
    const bad = await cluster.kubectl(['create', '--dry-run=server', '-f', '-'], {
      allowFailure: true,
      stdin: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'psa-control', namespace: 'monitoring' },
        spec: { serviceAccountName: 'prometheus', containers: [{ name: 'c', image: 'example.invalid/c:1' }] },
      }),
    });
    assert.notEqual(bad.code, 0, 'control: a pod violating "restricted" was admitted: Pod Security admission is not enforcing');
    assert.match(bad.stderr, /violates PodSecurity "restricted:latest"/);

    report(t, 'objectsDryRunApplied', applied);
    report(t, 'objectsDryRunAppliedTotal', Object.values(applied).reduce((a, b) => a + b, 0));
    report(t, 'podTemplatesAdmittedInTheirNamespace', podsChecked);
    report(t, 'podTemplatesRefusedByStricterLevels', refused);
  }));

  test('the quick start discovers exactly the expected targets, with the expected labels, through its own ServiceAccount', { timeout: 150_000 },
    tracked(async t => {
      const prom = await ensurePrometheus();
      // The config Prometheus runs is the ConfigMap's value, byte for byte.
      const cm = manifestObjects(QUICK_START).find(o => o.kind === 'ConfigMap' && o.data?.['prometheus.yml']);
      assert.ok(cm, 'no ConfigMap with prometheus.yml in dist/monitoring.k8s.yaml');
      assert.equal(prom.configText, cm.data['prometheus.yml']);
      report(t, 'prometheusArgs', { manifest: prom.manifestArgs, run: prom.args });

      const config = parseYaml(prom.configText, workDir)[0];
      const jobs: string[] = (config.scrape_configs ?? []).map((j: any) => j.job_name);
      assert.deepEqual([...jobs].sort(), Object.keys(EXPECTED).sort(), 'the quick start\'s scrape jobs changed: update EXPECTED in e2e/cluster.test.ts');

      const data = await settledDiscovery(prom, jobs, d => compareTargets(d, jobs, EXPECTED, NEVER_DISCOVERED));

      // Discovery ran with exactly the RBAC of the manifest: no request was refused.
      const log = fs.readFileSync(prom.managed.logFile, 'utf8');
      const forbidden = log.split('\n').filter(l => /forbidden|Unauthorized/i.test(l));
      assert.deepEqual(forbidden, [], 'Prometheus was refused by the API server (RBAC of the manifest is insufficient)');

      const perJob: Record<string, { active: number; dropped: number }> = {};
      for (const j of jobs) {
        perJob[j] = {
          active: data.activeTargets.filter((a: any) => a.scrapePool === j).length,
          dropped: data.droppedTargets.filter((d: any) => droppedPool(d) === j).length,
        };
      }
      report(t, 'targetsPerJob', perJob);
      report(t, 'targetsAsserted', Object.values(perJob).reduce((a, b) => a + b.active + b.dropped, 0) + NEVER_DISCOVERED.length);
    }));

  test('every expected target is up and its samples land, labelled as the kubernetes-mixin expects', { timeout: 150_000 }, tracked(async t => {
    const prom = await ensurePrometheus();
    const expectedUrls = new Set(Object.values(EXPECTED).flatMap(e => Object.keys(e.active)));
    let down: string[] = [];
    await waitFor('every expected target to be up', async () => {
      const data = await promApi(prom.url, '/api/v1/targets?state=active');
      const seen = data.activeTargets.filter((a: any) => expectedUrls.has(a.scrapeUrl));
      down = seen.filter((a: any) => a.health !== 'up')
        .map((a: any) => `${a.scrapePool} ${a.scrapeUrl}: ${a.health} ${a.lastError}`);
      // Each URL is expected in one or two pools (pods and kubernetes-services share one).
      const pairs = Object.entries(EXPECTED).reduce((n, [, e]) => n + Object.keys(e.active).length, 0);
      if (seen.length < pairs) down.push(`${pairs - seen.length} expected target(s) not active yet`);
      const others = data.activeTargets.filter((a: any) => !expectedUrls.has(a.scrapeUrl) && a.health === 'unknown');
      return down.length === 0 && others.length === 0 ? data : false;
    }, { timeoutMs: 60_000, intervalMs: 1_000, processes, watch: [prom.managed], describe: () => down.join('\n  ') });
    const all = await promApi(prom.url, '/api/v1/targets?state=active');
    const unexpectedDown = all.activeTargets.filter((a: any) => !expectedUrls.has(a.scrapeUrl))
      .map((a: any) => `${a.scrapePool} ${a.scrapeUrl}: ${a.health} ${a.lastError}`);
    if (unexpectedDown.length > 0) report(t, 'unexpectedActiveTargets', unexpectedDown);

    // The fake kubelets authenticated and authorized every scrape (TokenReview + SAR nodes/metrics).
    const { sts } = prometheusWorkload(manifestObjects(QUICK_START));
    const user = `system:serviceaccount:${sts.metadata.namespace}:${sts.spec.template.spec.serviceAccountName}`;
    for (const n of NODES) {
      const reqs = targets!.requestsTo(`kubelet ${n.name}`);
      const refused = reqs.filter(r => r.status !== 200);
      assert.deepEqual(refused, [], `kubelet ${n.name} refused scrapes`);
      for (const p of ['/metrics', '/metrics/cadvisor']) {
        assert.ok(reqs.some(r => r.path === p && r.user === user), `kubelet ${n.name}: no authorized scrape of ${p} by ${user}`);
      }
    }

    // Control: the fake kubelets do enforce authentication and `get nodes/metrics`.
    const ksmToken = (await cluster.kubectl(['-n', sts.metadata.namespace!, 'create', 'token', 'kube-state-metrics', '--duration=10m'])).stdout.trim();
    assert.equal(await kubeletGet(NODES[0], '/metrics'), 401, 'the fake kubelet served /metrics without a token');
    assert.equal(await kubeletGet(NODES[0], '/metrics', 'not-a-token'), 401, 'the fake kubelet served /metrics to a bad token');
    assert.equal(await kubeletGet(NODES[0], '/metrics', ksmToken), 403, 'the fake kubelet served /metrics to a ServiceAccount without nodes/metrics');

    const q = (query: string) => promQuery(prom.url, query);
    const one = async (query: string): Promise<number> => {
      const r = await q(query);
      assert.equal(r.length, 1, `${query}: expected one series, got ${JSON.stringify(r)}`);
      return Number(r[0].value[1]);
    };
    const none = async (query: string): Promise<void> => assert.deepEqual(await q(query), [], `${query}: expected no series`);

    // prometheus (self-scrape): the binary under test is the version the manifest deploys.
    const { container } = prometheusWorkload(manifestObjects(QUICK_START));
    const tag = /:v?([^:@]+)$/.exec(container.image)?.[1];
    const build = await q('prometheus_build_info{job="prometheus",instance="localhost:9090"}');
    assert.equal(build.length, 1, `prometheus_build_info of the self-scrape: ${JSON.stringify(build)}`);
    assert.equal(build[0].metric.version, tag, `the manifest deploys ${container.image}, the suite runs Prometheus ${build[0].metric.version}`);

    // apiserver: the real API server's /metrics, through the manifest's RBAC (get /metrics).
    assert.equal(await one('up{job="apiserver"}'), 1);
    assert.ok(await one('count(apiserver_request_total{job="apiserver",instance="10.244.0.1:6443"})') > 0);

    // kubelet: job="kubelet", metrics_path="/metrics", node.
    for (const n of NODES) {
      assert.equal(await one(`up{job="kubelet",metrics_path="/metrics",node="${n.name}",instance="${n.name}"}`), 1);
      assert.equal(await one(`up{job="kubelet",metrics_path="/metrics/cadvisor",node="${n.name}",instance="${n.name}"}`), 1);
      assert.equal(await one(`kubelet_running_pods{job="kubelet",metrics_path="/metrics",node="${n.name}"}`), 2);
    }

    // cAdvisor: job="kubelet", metrics_path="/metrics/cadvisor"; the capture's June 2026
    // timestamps are ignored (honor_timestamps: false), else Prometheus would refuse the samples.
    const cadvisorText = fs.readFileSync(CADVISOR_FIXTURE, 'utf8');
    const cadvisorSamples = sampleLines(cadvisorText).length;
    const cpuSeries = sampleLines(cadvisorText).filter(l => l.startsWith('container_cpu_usage_seconds_total{')).length;
    assert.ok(await one('count({job="kubelet",metrics_path="/metrics/cadvisor"})') > 0);
    for (const n of NODES) {
      assert.equal(await one(`count(container_cpu_usage_seconds_total{job="kubelet",metrics_path="/metrics/cadvisor",node="${n.name}"})`), cpuSeries);
      assert.equal(await one(`scrape_samples_scraped{job="kubelet",metrics_path="/metrics/cadvisor",node="${n.name}"}`), cadvisorSamples);
    }
    const newest = await one('max(timestamp(container_cpu_usage_seconds_total{job="kubelet",metrics_path="/metrics/cadvisor"}))');
    assert.ok(Math.abs(Date.now() / 1000 - newest) < 120, `cAdvisor samples carry timestamp ${new Date(newest * 1000).toISOString()}, not the scrape time`);
    // The KUBE_PROMETHEUS drops and the container_label_* labeldrop took effect.
    const postRelabel = await one('sum(scrape_samples_post_metric_relabeling{job="kubelet",metrics_path="/metrics/cadvisor"})');
    assert.ok(postRelabel < 2 * cadvisorSamples, `no cAdvisor series were dropped (${postRelabel} of ${2 * cadvisorSamples})`);
    await none('{job="kubelet",__name__=~"container_(network_tcp_usage_total|network_udp_usage_total|tasks_state|cpu_load_average_10s)"}');
    await none('{job="kubelet",__name__=~"container_spec_.*|container_file_descriptors|container_sockets|container_threads_max|container_threads|container_start_time_seconds|container_last_seen",pod="",namespace=""}');
    await none('container_blkio_device_usage_total{job="kubelet",container!=""}');
    assert.ok(await one('count(container_spec_memory_limit_bytes{job="kubelet",pod!=""})') > 0, 'per-pod container_spec_* series must stay');

    // kube-state-metrics: honor_labels keeps the series' own namespace labels.
    const ksmText = fs.readFileSync(KSM_FIXTURE, 'utf8');
    assert.equal(await one('scrape_samples_scraped{job="kube-state-metrics"}'), sampleLines(ksmText).length);
    assert.ok(await one('count({job="kube-state-metrics"})') > 0);
    const fixtureNamespaces = [...new Set(sampleLines(ksmText).filter(l => l.startsWith('kube_pod_info{'))
      .map(l => /namespace="([^"]*)"/.exec(l)![1]))].sort();
    const seenNamespaces = (await q('count by (namespace) (kube_pod_info{job="kube-state-metrics"})')).map(r => r.metric.namespace).sort();
    assert.deepEqual(seenNamespaces, fixtureNamespaces);

    // pods: job = container name; namespace, pod, container.
    assert.equal(await one('count(demo_requests_total{job="web",namespace="default",pod="web-0",container="web",instance="10.244.0.21:9100"})'), 2);
    assert.equal(await one('count(demo_requests_total{job="worker",namespace="apps",pod="worker-0",container="worker",instance="10.244.0.22:9100"})'), 2);
    // kubernetes-services: job = Service name; namespace, service, pod (when the endpoint is a pod).
    assert.equal(await one('count(demo_requests_total{job="web",namespace="default",service="web",pod="web-0",instance="10.244.0.21:9100"})'), 2);
    assert.equal(await one('count(demo_requests_total{job="api",namespace="default",service="api",pod="",instance="10.244.0.41:8080"})'), 2);

    const perJob = await q('count by (job, metrics_path) ({__name__=~".+"})');
    const series: Record<string, number> = {};
    for (const r of perJob) series[r.metric.metrics_path ? `${r.metric.job} ${r.metric.metrics_path}` : r.metric.job] = Number(r.value[1]);
    report(t, 'seriesPerJobLabel', series);
    const perPool = await promApi(prom.url, '/api/v1/targets?state=active');
    const samples: Record<string, number> = {};
    for (const a of perPool.activeTargets) {
      const r = await q(`scrape_samples_post_metric_relabeling{${Object.entries(a.labels as Record<string, string>)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`);
      samples[`${a.scrapePool} ${a.scrapeUrl}`] = r.length === 1 ? Number(r[0].value[1]) : NaN;
    }
    report(t, 'samplesPerTarget', samples);
  }));

  test('the quick start\'s ServiceAccount can do what discovery and scraping need, and nothing more', { timeout: 60_000 }, tracked(async t => {
    const objects = await install('quick start');
    const { sts } = prometheusWorkload(objects);
    const ns = sts.metadata.namespace ?? assert.fail('the Prometheus StatefulSet has no namespace');
    const prom = `system:serviceaccount:${ns}:${sts.spec.template.spec.serviceAccountName}`;
    const ksm = `system:serviceaccount:${ns}:kube-state-metrics`;
    const checks: AccessCheck[] = [
      // allowed: discovery (pods cluster-wide, nodes; endpointslices/services/pods where scoped)
      access(prom, true, 'list', 'pods'), access(prom, true, 'watch', 'pods'), access(prom, true, 'list', 'pods', 'kube-system'),
      access(prom, true, 'list', 'nodes'), access(prom, true, 'watch', 'nodes'),
      access(prom, true, 'list', 'endpointslices', 'default', { group: 'discovery.k8s.io' }),
      access(prom, true, 'watch', 'endpointslices', 'default', { group: 'discovery.k8s.io' }),
      access(prom, true, 'list', 'services', 'default'), access(prom, true, 'list', 'pods', 'default'),
      access(prom, true, 'list', 'endpointslices', ns, { group: 'discovery.k8s.io' }), access(prom, true, 'list', 'services', ns),
      // allowed: scraping (kubelet metrics, API server /metrics)
      access(prom, true, 'get', 'nodes', '', { subresource: 'metrics' }),
      { user: prom, allowed: true, verb: 'get', path: '/metrics' },
      // denied
      access(prom, false, 'get', 'secrets'), access(prom, false, 'list', 'secrets'), access(prom, false, 'watch', 'secrets'),
      access(prom, false, 'get', 'secrets', ns), access(prom, false, 'list', 'secrets', ns), access(prom, false, 'list', 'secrets', 'default'),
      access(prom, false, 'get', 'nodes', '', { subresource: 'proxy' }), access(prom, false, 'create', 'nodes', '', { subresource: 'proxy' }),
      access(prom, false, 'create', 'pods', 'default'), access(prom, false, 'create', 'pods', '', { subresource: 'exec' }),
      access(prom, false, 'delete', 'pods', 'default'), access(prom, false, 'deletecollection', 'pods'), access(prom, false, 'delete', 'nodes'),
      access(prom, false, 'delete', 'services', 'default'), access(prom, false, 'delete', 'configmaps', ns),
      access(prom, false, 'delete', 'endpointslices', 'default', { group: 'discovery.k8s.io' }),
      access(prom, false, 'list', 'endpointslices', 'kube-system', { group: 'discovery.k8s.io' }),
      access(prom, false, 'list', 'endpointslices', '', { group: 'discovery.k8s.io' }),
      access(prom, false, 'list', 'services', 'kube-system'),
      access(prom, false, 'update', 'configmaps', ns), access(prom, false, 'get', 'configmaps', ns),
      access(prom, false, 'create', 'serviceaccounts', ns, { subresource: 'token' }),
      access(prom, false, 'impersonate', 'users'), access(prom, false, 'escalate', 'clusterroles', '', { group: 'rbac.authorization.k8s.io' }),
      { user: prom, allowed: false, verb: 'get', path: '/debug/pprof/' },
      // kube-state-metrics: list/watch only, never secrets
      access(ksm, true, 'list', 'pods'), access(ksm, true, 'watch', 'deployments', '', { group: 'apps' }),
      access(ksm, false, 'list', 'secrets'), access(ksm, false, 'get', 'secrets', ns), access(ksm, false, 'delete', 'pods', 'default'),
      access(ksm, false, 'get', 'nodes', '', { subresource: 'proxy' }),
    ];
    assert.deepEqual(await wrongAccess(checks), [], 'RBAC of dist/monitoring.k8s.yaml');
    report(t, 'rbacChecks', { allowed: checks.filter(c => c.allowed).length, denied: checks.filter(c => !c.allowed).length });
  }));


  // ---- the production example: blackbox probes of Services and Ingresses, node-exporter --------

  test('the production example discovers exactly the expected probe and node-exporter targets through its own ServiceAccount', { timeout: 150_000 },
    tracked(async t => {
      const t0 = Date.now();
      const run = await ensureProduction();
      report(t, 'productionReadySeconds', Math.round((Date.now() - t0) / 100) / 10);
      const prom = run.prometheus;
      // The config Prometheus runs is the ConfigMap's value, byte for byte, and its rule_files
      // entry is the ConfigMap's rules.yml, which is dist/production.prometheus.rules.yml.
      const cm = run.objects.find(o => o.kind === 'ConfigMap' && o.data?.['prometheus.yml']);
      assert.ok(cm, 'no ConfigMap with prometheus.yml in dist/production.k8s.yaml');
      assert.equal(prom.configText, cm.data['prometheus.yml']);
      assert.equal(prom.configText, fs.readFileSync(path.join(DIST, 'production.prometheus.prometheus.yml'), 'utf8'));
      const config = parseYaml(prom.configText, workDir)[0];
      assert.deepEqual(config.rule_files, ['/etc/prometheus/rules.yml']);
      assert.equal(cm.data['rules.yml'], fs.readFileSync(PRODUCTION_RULES, 'utf8'), 'the ConfigMap\'s rules.yml differs from dist/production.prometheus.rules.yml');
      const ruleGroups = (await promApi(prom.url, '/api/v1/rules')).groups as any[];
      const wantGroups = (parseYaml(cm.data['rules.yml'], workDir)[0].groups as any[]).map(g => g.name).sort();
      assert.deepEqual(ruleGroups.map(g => g.name).sort(), wantGroups, 'Prometheus did not load the rule groups of rules.yml');
      assert.deepEqual([...new Set(ruleGroups.map(g => g.file))], ['/etc/prometheus/rules.yml']);
      // replicas: 2 -> external label replica="${POD_NAME}", from the downward API.
      assert.equal(prom.containerEnv.POD_NAME, 'prometheus-0');
      const loaded = (await promApi(prom.url, '/api/v1/status/config')).yaml as string;
      assert.match(loaded, /\n\s+replica: prometheus-0\n/, 'external label replica is not the pod name');
      report(t, 'productionPrometheusArgs', { manifest: prom.manifestArgs, run: prom.args });
      report(t, 'sandboxHosts', run.hosts);

      const jobs = PRODUCTION_JOBS;
      const configured: string[] = (config.scrape_configs ?? []).map((j: any) => j.job_name);
      for (const j of jobs) assert.ok(configured.includes(j), `dist/production.prometheus.prometheus.yml has no job ${j}`);
      const exporterPort = serviceOf(run.objects, blackboxWorkload(run.objects).deployment).spec.ports.find((p: any) => p.name === 'http').port;
      assert.equal(`${run.exporterHost}:${exporterPort}`, 'blackbox.monitoring.svc:9115');
      // Every Service port of the cluster is discovered: the expected ones probed, all others dropped.
      const allServicePorts = await servicePorts();
      for (const p of SERVICE_PORTS_NOT_PROBED) assert.ok(allServicePorts.includes(p), `the cluster has no Service port ${p}`);
      const expected = productionExpected(allServicePorts);
      const data = await settledDiscovery(prom, jobs, d => compareTargets(d, jobs, expected, []));

      // __param_module comes from the job's params, __param_target from the relabelings: both
      // reach the exporter as the scrape URL's query (module first), and target = instance.
      const active = (data.activeTargets as any[]).filter(a => jobs.includes(a.scrapePool));
      const params: string[] = [];
      for (const a of active.filter(x => x.scrapePool.startsWith('blackbox-'))) {
        const u = new URL(a.scrapeUrl);
        const module = a.scrapePool === 'blackbox-services' ? 'tcp_connect' : 'http_2xx';
        assert.equal(`${u.host}${u.pathname}`, 'blackbox.monitoring.svc:9115/probe', a.scrapeUrl);
        assert.deepEqual([...u.searchParams.keys()], ['module', 'target'], a.scrapeUrl);
        assert.equal(u.searchParams.get('module'), module, a.scrapeUrl);
        assert.equal(a.discoveredLabels.__param_module, module, `${a.scrapeUrl}: __param_module`);
        assert.equal(u.searchParams.get('target'), a.labels.instance, `${a.scrapeUrl}: target is not the instance`);
        params.push(`${a.scrapePool} target=${u.searchParams.get('target')} module=${module}`);
      }
      assert.ok(active.some(a => a.scrapeUrl === 'http://blackbox.monitoring.svc:9115/probe?module=tcp_connect&target=web.shop.svc%3A80'));

      const log = fs.readFileSync(prom.managed.logFile, 'utf8');
      const forbidden = log.split('\n').filter(l => /forbidden|Unauthorized/i.test(l));
      assert.deepEqual(forbidden, [], 'Prometheus was refused by the API server (RBAC of the production manifest is insufficient)');

      const perJob: Record<string, { active: number; dropped: number }> = {};
      for (const j of jobs) {
        perJob[j] = {
          active: data.activeTargets.filter((a: any) => a.scrapePool === j).length,
          dropped: data.droppedTargets.filter((d: any) => droppedPool(d) === j).length,
        };
      }
      report(t, 'productionTargetsPerJob', perJob);
      report(t, 'probeTargets', params.sort());
    }));

  test('probes go through the real blackbox exporter: up for every probe target, probe_success as the fake sites answer', { timeout: 150_000 },
    tracked(async t => {
      const run = await ensureProduction();
      const prom = run.prometheus;
      assert.equal(run.exporter.configText, blackboxConfigMap(run.objects).data['blackbox.yml'], 'the exporter runs the ConfigMap\'s blackbox.yml');
      report(t, 'blackboxConfigCheck', run.exporter.configCheck);
      report(t, 'blackboxExporterArgs', { manifest: run.exporter.manifestArgs, run: run.exporter.args });
      const jobs = ['blackbox-services', 'blackbox-ingresses'];
      const want = Object.keys(PROBE_SUCCESS).length;
      const t0 = Date.now();
      let pending: string[] = [];
      await waitFor('every probe target to be scraped (scrape_interval 30s)', async () => {
        const data = await promApi(prom.url, '/api/v1/targets?state=active');
        const probes = (data.activeTargets as any[]).filter(a => jobs.includes(a.scrapePool));
        pending = probes.filter(a => a.health !== 'up').map(a => `${a.scrapePool} ${a.labels.instance}: ${a.health} ${a.lastError}`);
        if (probes.length !== want) pending.push(`${probes.length} of ${want} probe targets active`);
        return pending.length === 0;
      }, { timeoutMs: 80_000, intervalMs: 1_000, processes, watch: [prom.managed, run.exporter.managed], describe: () => pending.join('\n  ') });
      report(t, 'probesScrapedAfterSeconds', Math.round((Date.now() - t0) / 100) / 10);

      const q = (query: string) => promQuery(prom.url, query);
      const byInstance = async (query: string): Promise<Record<string, number>> =>
        Object.fromEntries((await q(query)).map(r => [`${r.metric.job} ${r.metric.instance}`, Number(r.value[1])]));
      const asText = (o: Record<string, number>) => sortKeys(Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)])));
      assert.deepEqual(asText(await byInstance('up{job=~"blackbox-.*"}')),
        asText(Object.fromEntries(Object.keys(PROBE_SUCCESS).map(k => [k, 1]))), 'up of the probe targets');
      assert.deepEqual(asText(await byInstance('probe_success{job=~"blackbox-.*"}')), asText(PROBE_SUCCESS), 'probe_success');
      // The HTTP probes: status 200, TLS where the Ingress lists the host (verified against the CA).
      assert.deepEqual(asText(await byInstance('probe_http_ssl{job="blackbox-ingresses"} and on (instance) probe_success == 1')), asText({
        'blackbox-ingresses https://shop.example.com/': 1,
        'blackbox-ingresses https://shop.example.com/cart': 1,
        'blackbox-ingresses https://api.example.com/healthz': 1,
        'blackbox-ingresses http://www.example.com/': 0,
      }), 'probe_http_ssl of the successful HTTP probes');
      assert.deepEqual([...new Set((await q('probe_http_status_code{job="blackbox-ingresses"} and on (instance) probe_success == 1')).map(r => r.value[1]))], ['200']);
      // Series carry exactly the labels of their target.
      const labels = (await q('probe_success{job="blackbox-services",instance="web.shop.svc:80"}'))[0].metric;
      assert.deepEqual(sortKeys(labels), sortKeys({ __name__: 'probe_success', job: 'blackbox-services', instance: 'web.shop.svc:80', namespace: 'shop', service: 'web' }));

      // The fake sites saw the probes: a TCP connection to Service shop/web, HTTP(S) requests
      // with the Ingress host (and TLS server name) from the exporter.
      assert.ok(run.fakes.connectionsTo('service shop/web') > 0, 'no TCP connection reached Service shop/web');
      const tlsRequests = run.fakes.requestsTo('ingress controller https');
      const cart = tlsRequests.find(r => r.path === '/cart');
      assert.ok(cart, `no probe request for /cart: ${JSON.stringify(tlsRequests)}`);
      assert.equal(cart.host, 'shop.example.com');
      assert.equal(cart.serverName, 'shop.example.com');
      assert.equal(cart.userAgent, 'Blackbox-Exporter/0.28.0');
      assert.ok(run.fakes.requestsTo('ingress controller http').some(r => r.path === '/' && r.host === 'www.example.com' && r.status === 200));
      report(t, 'probeSuccess', PROBE_SUCCESS);
      report(t, 'fakeSiteRequests', {
        'service shop/web (TCP connections)': run.fakes.connectionsTo('service shop/web'),
        'ingress controller http': run.fakes.requestsTo('ingress controller http').length,
        'ingress controller https': tlsRequests.length,
      });
    }));

  test('node-exporter: one target per node, up, instance = node name, with namespace, pod and service', { timeout: 120_000 }, tracked(async t => {
    const run = await ensureProduction();
    const prom = run.prometheus;
    let pending: string[] = [];
    await waitFor('the node-exporter targets to be up', async () => {
      const data = await promApi(prom.url, '/api/v1/targets?state=active');
      const ne = (data.activeTargets as any[]).filter(a => a.scrapePool === 'node-exporter');
      pending = ne.filter(a => a.health !== 'up').map(a => `${a.scrapeUrl}: ${a.health} ${a.lastError}`);
      if (ne.length !== NODES.length) pending.push(`${ne.length} of ${NODES.length} targets`);
      return pending.length === 0;
    }, { timeoutMs: 80_000, intervalMs: 1_000, processes, watch: [prom.managed], describe: () => pending.join('\n  ') });
    const q = (query: string) => promQuery(prom.url, query);
    const one = async (query: string): Promise<number> => {
      const r = await q(query);
      assert.equal(r.length, 1, `${query}: expected one series, got ${JSON.stringify(r)}`);
      return Number(r[0].value[1]);
    };
    for (const n of NODES) {
      const sel = `job="node-exporter",instance="${n.name}",namespace="node-exporter",pod="${NODE_EXPORTER_PODS[n.name]}",service="node-exporter"`;
      assert.equal(await one(`up{${sel}}`), 1);
      assert.equal(await one(`node_uname_info{${sel},nodename="${n.name}"}`), 1);
      assert.equal(await one(`scrape_samples_scraped{${sel}}`), sampleLines(nodeExporterMetrics(n.name)).length);
      assert.ok(run.fakes.requestsTo(`node-exporter ${n.name}`).some(r => r.path === '/metrics' && r.status === 200));
    }
    // The kubernetes-mixin joins node-exporter series to kube_pod_info on (namespace, pod).
    assert.equal(await one('count(count by (namespace, pod) (node_load1{job="node-exporter"}))'), NODES.length);
    report(t, 'nodeExporterTargets', NODES.map(n => `http://${n.ip}:${NODE_EXPORTER_PORT}/metrics instance=${n.name} pod=${NODE_EXPORTER_PODS[n.name]}`));
    // For the record: the health of every production target (the other jobs are asserted for the quick start).
    const health: Record<string, Record<string, number>> = {};
    for (const a of (await promApi(prom.url, '/api/v1/targets?state=active')).activeTargets as any[]) {
      health[a.scrapePool] ??= {};
      health[a.scrapePool][a.health] = (health[a.scrapePool][a.health] ?? 0) + 1;
    }
    report(t, 'productionTargetHealth', health);
  }));

  test('node-exporter is scraped once, by its own job (the production pods job also keeps container ports named "metrics")', {
    timeout: 60_000,
  }, async t => {
    const run = await ensureProduction();
    const nodeUrls = new Set(NODES.map(n => `http://${n.ip}:${NODE_EXPORTER_PORT}/metrics`));
    const data = await promApi(run.prometheus.url, '/api/v1/targets?state=active');
    const twice = (data.activeTargets as any[]).filter(a => nodeUrls.has(a.scrapeUrl) && a.scrapePool !== 'node-exporter')
      .map(a => `${a.scrapePool} ${a.scrapeUrl} ${JSON.stringify(a.labels)}`);
    report(t, 'nodeExporterAlsoScrapedBy', twice);
    assert.deepEqual(twice, [], 'node-exporter targets of other jobs');
  });

  test('the production Prometheus sends alerts to every Alertmanager replica, found through the headless Service\'s EndpointSlices', { timeout: 120_000 },
    tracked(async t => {
      const run = await ensureProduction();
      const prom = run.prometheus;
      const want = ['http://10.244.0.91:9093/api/v2/alerts', 'http://10.244.0.92:9093/api/v2/alerts'];
      let got: string[] = [];
      await waitFor('both Alertmanager replicas as alerting targets', async () => {
        const data = await promApi(prom.url, '/api/v1/alertmanagers');
        got = (data.activeAlertmanagers as any[]).map(a => a.url).sort();
        return JSON.stringify(got) === JSON.stringify(want);
      }, { timeoutMs: 60_000, intervalMs: 1_000, processes, watch: [prom.managed], describe: () => got.join(', ') });
      // Never the load-balanced Service: its ClusterIP is not an alerting target.
      const config = parseYaml(prom.configText, workDir)[0];
      assert.deepEqual(config.alerting.alertmanagers.map((a: any) => a.kubernetes_sd_configs?.[0]?.role), ['endpointslice']);
      report(t, 'alertmanagersDiscovered', got);
    }));

  test('the production ServiceAccount can list Services and Ingresses cluster-wide and EndpointSlices in node-exporter, and nothing more; '
    + 'the exporters\' ServiceAccounts can do nothing', { timeout: 60_000 }, tracked(async t => {
    const objects = await install('production');
    const { sts } = prometheusWorkload(objects);
    const ns = sts.metadata.namespace ?? assert.fail('the Prometheus StatefulSet has no namespace');
    const prom = `system:serviceaccount:${ns}:${sts.spec.template.spec.serviceAccountName}`;
    const bbx = blackboxWorkload(objects).deployment;
    const bb = `system:serviceaccount:${bbx.metadata.namespace}:${bbx.spec.template.spec.serviceAccountName}`;
    const ds = nodeExporterDaemonSet(objects);
    const neNs = ds.metadata.namespace!;
    const ne = `system:serviceaccount:${neNs}:${ds.spec.template.spec.serviceAccountName}`;
    const ing = { group: 'networking.k8s.io' };
    const eps = { group: 'discovery.k8s.io' };
    const checks: AccessCheck[] = [
      // ServiceProbe (cluster-wide): services; IngressProbe (cluster-wide): networking.k8s.io ingresses
      access(prom, true, 'list', 'services'), access(prom, true, 'watch', 'services'), access(prom, true, 'list', 'services', 'shop'),
      access(prom, true, 'list', 'services', 'kube-system'),
      access(prom, true, 'list', 'ingresses', '', ing), access(prom, true, 'watch', 'ingresses', '', ing), access(prom, true, 'list', 'ingresses', 'shop', ing),
      // NodeExporter: endpointslices, services and pods in its namespace only
      access(prom, true, 'list', 'endpointslices', neNs, eps), access(prom, true, 'watch', 'endpointslices', neNs, eps),
      access(prom, true, 'list', 'pods', neNs), access(prom, true, 'watch', 'pods', neNs), access(prom, true, 'list', 'services', neNs),
      // the other scrapes
      access(prom, true, 'list', 'pods'), access(prom, true, 'list', 'nodes'), access(prom, true, 'get', 'nodes', '', { subresource: 'metrics' }),
      access(prom, true, 'list', 'endpointslices', 'default', eps), access(prom, true, 'list', 'endpointslices', 'apps', eps),
      access(prom, true, 'list', 'endpointslices', ns, eps),
      { user: prom, allowed: true, verb: 'get', path: '/metrics' },
      // denied: more verbs on what it lists, other groups, other namespaces, secrets, writes
      access(prom, false, 'get', 'ingresses', 'shop', ing), access(prom, false, 'update', 'ingresses', 'shop', ing),
      access(prom, false, 'update', 'ingresses', 'shop', { ...ing, subresource: 'status' }), access(prom, false, 'list', 'ingresses', '', { group: 'extensions' }),
      access(prom, false, 'get', 'services', 'shop'), access(prom, false, 'patch', 'services', 'shop'), access(prom, false, 'delete', 'services', neNs),
      access(prom, false, 'get', 'services', 'shop', { subresource: 'proxy' }),
      access(prom, false, 'list', 'endpointslices', '', eps), access(prom, false, 'list', 'endpointslices', 'kube-system', eps),
      access(prom, false, 'list', 'endpointslices', 'shop', eps), access(prom, false, 'list', 'endpoints', neNs),
      access(prom, false, 'get', 'secrets'), access(prom, false, 'list', 'secrets'), access(prom, false, 'list', 'secrets', ns),
      access(prom, false, 'list', 'secrets', neNs), access(prom, false, 'get', 'secrets', 'shop'), access(prom, false, 'watch', 'secrets', neNs),
      access(prom, false, 'create', 'pods', neNs), access(prom, false, 'create', 'pods', neNs, { subresource: 'exec' }),
      access(prom, false, 'delete', 'pods', neNs), access(prom, false, 'update', 'daemonsets', neNs, { group: 'apps' }),
      access(prom, false, 'patch', 'deployments', ns, { group: 'apps' }), access(prom, false, 'get', 'configmaps', ns),
      access(prom, false, 'create', 'serviceaccounts', neNs, { subresource: 'token' }),
      access(prom, false, 'get', 'nodes', '', { subresource: 'proxy' }), access(prom, false, 'create', 'nodes', '', { subresource: 'proxy' }),
      { user: prom, allowed: false, verb: 'get', path: '/debug/pprof/' },
      // the blackbox exporter and node-exporter never call the API server
      access(bb, false, 'list', 'services'), access(bb, false, 'list', 'pods', bbx.metadata.namespace), access(bb, false, 'get', 'secrets', bbx.metadata.namespace),
      access(bb, false, 'list', 'ingresses', '', ing),
      access(ne, false, 'list', 'pods', neNs), access(ne, false, 'get', 'nodes'), access(ne, false, 'list', 'nodes'),
      access(ne, false, 'get', 'secrets', neNs), access(ne, false, 'get', 'nodes', '', { subresource: 'metrics' }),
    ];
    assert.deepEqual(await wrongAccess(checks), [], 'RBAC of dist/production.k8s.yaml');
    report(t, 'productionRbacChecks', { allowed: checks.filter(c => c.allowed).length, denied: checks.filter(c => !c.allowed).length });
  }));

  test('the discovery example keeps exactly the annotated Services and pods (IPv4, IPv6) and the static targets, with scheme, path, port and params; '
    + 'the static HTTPS target is scraped with the CA and token of a Secret; the kubelet\'s /metrics/probes and /metrics/resource land as job="kubelet"; '
    + 'the control-plane jobs find the fake control-plane pods at the ports and with the job labels of real clusters',
  { timeout: 150_000 }, tracked(async t => {
    const objects = await install('discovery');
    await mountServiceAccount(objects);
    const { sts } = prometheusWorkload(objects);
    // StaticScrape edge: HTTPS to a host outside the cluster, its CA and bearer token from the
    // user's Secret, which the StatefulSet mounts (created here, as the user would).
    addedAddresses = [...addedAddresses, ...addLoopbackAddresses([EDGE_IP])];
    const edgeTls = issueCert(cluster.pki.dir, 'edge', '/CN=edge.example.net', ['subjectAltName=DNS:edge.example.net', 'extendedKeyUsage=serverAuth']);
    const edgeSecret: K8sObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'edge-scrape', namespace: sts.metadata.namespace },
      stringData: { 'ca.crt': fs.readFileSync(cluster.pki.ca.cert, 'utf8'), 'token': EDGE_TOKEN },
    };
    // ControlPlaneScrape etcd: the client certificate from the user's Secret.
    const etcdClient = issueCert(cluster.pki.dir, 'etcd-client', '/CN=prometheus', ['extendedKeyUsage=clientAuth']);
    const etcdSecret: K8sObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'etcd-client', namespace: sts.metadata.namespace },
      stringData: {
        'ca.crt': fs.readFileSync(cluster.pki.ca.cert, 'utf8'),
        'tls.crt': fs.readFileSync(etcdClient.cert, 'utf8'),
        'tls.key': fs.readFileSync(etcdClient.key, 'utf8'),
      },
    };
    await cluster.apply([edgeSecret, etcdSecret]);
    // The fake kubelets, unless the quick start's are running already.
    if (!targets) {
      discoveryKubelets ??= await FakeTargets.start({
        kubelets: NODES.map(n => ({ node: n.name, ip: n.ip, port: KUBELET_PORT, ...cluster.pki.kubelets[n.name] })),
        cadvisor: fs.readFileSync(CADVISOR_FIXTURE, 'utf8'),
        authorize: (tok, node, p) => cluster.kubeletAuthorize(tok, node, p),
      });
    }
    edgeTargets ??= await FakeTargets.start({
      http: [{ name: 'static edge', ip: EDGE_IP, port: 9443, path: '/prometheus', tls: edgeTls, bearerToken: EDGE_TOKEN, body: appMetrics('edge') }],
    });
    discovery = await startPrometheus({
      tools,
      objects: [...objects, edgeSecret, etcdSecret],
      workDir,
      processes: processes!,
      name: 'prometheus-discovery',
      podName: `${sts.metadata.name}-0`,
      sandbox: { hosts: { 'edge.example.net': EDGE_IP } },
    });
    const cm = objects.find(o => o.kind === 'ConfigMap' && o.data?.['prometheus.yml']);
    assert.equal(discovery.configText, cm?.data['prometheus.yml']);
    const config = parseYaml(discovery.configText, workDir)[0];
    const jobs: string[] = (config.scrape_configs ?? []).map((j: any) => j.job_name);
    assert.deepEqual([...jobs].sort(), Object.keys(DISCOVERY_EXPECTED).sort(), 'the discovery example\'s jobs changed: update DISCOVERY_EXPECTED');
    // Roles in `annotated`; cluster-wide only the node informer of custom-pods' attach_metadata.
    // and the kubelet endpoints' nodes/metrics.
    assert.deepEqual(objects.filter(o => o.kind === 'ClusterRole').map(o => o.rules), [[
      { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] }, { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
      // and the scheduler's and controller-manager's /metrics (they ask the API server).
      { nonResourceURLs: ['/metrics'], verbs: ['get'] },
    ]]);
    const data = await settledDiscovery(discovery, jobs, d => compareTargets(d, jobs, DISCOVERY_EXPECTED, []));
    const log = fs.readFileSync(discovery.managed.logFile, 'utf8');
    assert.deepEqual(log.split('\n').filter(l => /forbidden|Unauthorized/i.test(l)), [], 'Prometheus was refused by the API server');
    const perJob: Record<string, { active: number; dropped: number }> = {};
    for (const j of jobs) {
      perJob[j] = {
        active: data.activeTargets.filter((a: any) => a.scrapePool === j).length,
        dropped: data.droppedTargets.filter((d: any) => droppedPool(d) === j).length,
      };
    }
    report(t, 'discoveryTargetsPerJob', perJob);

    // The edge target is scraped for real: TLS verified with the Secret's CA, its token sent.
    let edge: any;
    await waitFor('the static edge target to be up', async () => {
      const d = await promApi(discovery!.url, '/api/v1/targets?state=active&scrapePool=edge');
      edge = d.activeTargets[0];
      return edge?.health === 'up';
    }, { timeoutMs: 60_000, intervalMs: 1_000, processes, watch: [discovery.managed], describe: () => JSON.stringify(edge) });
    const served = edgeTargets!.requests.filter(r => r.target === 'static edge');
    assert.ok(served.some(r => r.status === 200 && r.path === '/prometheus' && r.serverName === 'edge.example.net'), JSON.stringify(served));
    assert.deepEqual(served.filter(r => r.status !== 200), [], 'the edge target refused a scrape');
    const up = await promQuery(discovery.url, 'up{job="edge"}');
    assert.deepEqual(up.map((r: any) => [r.metric.instance, r.metric.site, r.value[1]]), [['edge.example.net:9443', 'fra', '1']]);
    report(t, 'staticEdgeScrapes', served.length);

    // The kubelet's other endpoints are scraped through nodes/metrics and land with the mixin's labels.
    await waitFor('the kubelet-probes and kubelet-resource targets to be up', async () => {
      const d = await promApi(discovery!.url, '/api/v1/targets?state=active');
      const kubelet = d.activeTargets.filter((a: any) => a.scrapePool.startsWith('kubelet-'));
      return kubelet.length === 4 && kubelet.every((a: any) => a.health === 'up');
    }, { timeoutMs: 60_000, intervalMs: 1_000, processes, watch: [discovery.managed] });
    const probes = await promQuery(discovery.url, 'prober_probe_total{job="kubelet",metrics_path="/metrics/probes"}');
    assert.deepEqual(probes.map(r => r.metric.node).sort(), ['node-a', 'node-b']);
    const cpu = await promQuery(discovery.url, 'node_cpu_usage_seconds_total{job="kubelet",metrics_path="/metrics/resource"}');
    assert.deepEqual(cpu.map(r => [r.metric.node, r.value[1]]).sort(), [['node-a', '1234.5'], ['node-b', '987.6']]);
  }));

  test('the API server selects by exactly the fields KubernetesScrape accepts in field selectors, and refuses the others', { timeout: 60_000 },
    tracked(async t => {
      const paths: Record<string, string> = {
        pod: '/api/v1/pods',
        node: '/api/v1/nodes',
        service: '/api/v1/services',
        endpoints: '/api/v1/endpoints',
        endpointslice: '/apis/discovery.k8s.io/v1/endpointslices',
        ingress: '/apis/networking.k8s.io/v1/ingresses',
      };
      const refused: Record<string, string[]> = {
        pod: ['status.hostIP', 'spec.priority'],
        node: ['spec.nodeName', 'status.phase', 'metadata.namespace'],
        service: ['spec.selector'],
        endpoints: ['subsets'],
        endpointslice: ['addressType'],
        ingress: ['spec.ingressClassName'],
      };
      const wrong: string[] = [];
      let checked = 0;
      for (const [role, p] of Object.entries(paths)) {
        const accepted = ['metadata.name', ...(role === 'node' ? [] : ['metadata.namespace']), ...SELECTABLE_FIELDS[role as DiscoveryRole]];
        for (const [field, ok] of [...accepted.map(f => [f, true] as const), ...refused[role].map(f => [f, false] as const)]) {
          const r = await cluster.api('GET', `${p}?limit=1&fieldSelector=${encodeURIComponent(`${field}=x`)}`);
          checked++;
          if ((r.status === 200) !== ok) wrong.push(`${role} ${field}: HTTP ${r.status}, expected ${ok ? 200 : 400} ${r.body.slice(0, 200)}`);
        }
      }
      assert.deepEqual(wrong, []);
      report(t, 'fieldSelectorsChecked', checked);
    }));
});

interface AccessCheck {
  user: string;
  allowed: boolean;
  verb: string;
  resource?: string;
  group?: string;
  subresource?: string;
  namespace?: string;
  path?: string;
}

function access(user: string, allowed: boolean, verb: string, resource: string, namespace = '', extra: Partial<AccessCheck> = {}): AccessCheck {
  return { user, allowed, verb, resource, namespace, ...extra };
}

/** SubjectAccessReviews of ServiceAccount users (with a token's groups); returns the checks that came out otherwise. */
async function wrongAccess(checks: AccessCheck[]): Promise<string[]> {
  const items = await Promise.all(checks.map(async c => {
    const saNamespace = /^system:serviceaccount:([^:]+):/.exec(c.user)?.[1] ?? assert.fail(`${c.user} is not a ServiceAccount`);
    const r = await cluster.api('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: c.user,
        // The groups of a ServiceAccount token.
        groups: ['system:serviceaccounts', `system:serviceaccounts:${saNamespace}`, 'system:authenticated'],
        ...(c.path
          ? { nonResourceAttributes: { verb: c.verb, path: c.path } }
          : { resourceAttributes: { verb: c.verb, group: c.group ?? '', resource: c.resource, subresource: c.subresource, namespace: c.namespace } }),
      },
    });
    assert.equal(r.status, 201, `SubjectAccessReview: HTTP ${r.status} ${r.body}`);
    return JSON.parse(r.body);
  }));
  const wrong: string[] = [];
  checks.forEach((c, i) => {
    const allowed = !!items[i].status.allowed;
    if (allowed !== c.allowed) {
      const what = c.path ? `${c.verb} ${c.path}` : `${c.verb} ${c.group ? `${c.resource}.${c.group}` : c.resource}`
        + `${c.subresource ? `/${c.subresource}` : ''} ${c.namespace ? `in ${c.namespace}` : 'cluster-wide'}`;
      wrong.push(`${c.user}: ${what}: expected ${c.allowed ? 'allowed' : 'denied'}, got ${allowed ? 'allowed' : 'denied'} ${items[i].status.reason ?? ''}`);
    }
  });
  return wrong;
}

/** GET on a fake kubelet, verifying it with the cluster CA; returns the HTTP status. */
function kubeletGet(node: { name: string; ip: string }, urlPath: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.get({
      host: node.ip,
      port: KUBELET_PORT,
      path: urlPath,
      ca: fs.readFileSync(cluster.pki.ca.cert),
      timeout: 10_000,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    }, res => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${node.ip}${urlPath}: timeout`)));
    req.on('error', reject);
  });
}

/** The pool of a dropped target (Prometheus puts the job in its discovered labels). */
function droppedPool(d: any): string | undefined {
  return d.scrapePool ?? d.discoveredLabels?.job;
}

/**
 * Waits until Prometheus's targets pass `compare` (no problems); fails as soon as discovery has
 * settled (every job discovered something, nothing changed for 15 s) with problems left.
 */
async function settledDiscovery(prom: PrometheusRun, jobs: string[], compare: (data: any) => string[]): Promise<any> {
  let observed = '';
  let stableSince = Date.now();
  let problems: string[] = [];
  let data: any;
  await waitFor('the discovered targets to match the expectation', async () => {
    data = await promApi(prom.url, '/api/v1/targets?state=any');
    // Order-independent: the API lists targets in map order.
    const snapshot = JSON.stringify([
      ...data.activeTargets.map((a: any) => JSON.stringify([a.scrapePool, a.scrapeUrl, sortKeys(a.labels)])),
      ...data.droppedTargets.map((d: any) => JSON.stringify(sortKeys(d.discoveredLabels))),
    ].sort());
    if (snapshot !== observed) {
      observed = snapshot;
      stableSince = Date.now();
    }
    problems = compare(data);
    if (problems.length === 0) return true;
    const everyJobSeen = jobs.every(j => data.activeTargets.some((a: any) => a.scrapePool === j)
      || data.droppedTargets.some((d: any) => d.discoveredLabels?.job === j));
    if (everyJobSeen && Date.now() - stableSince > 15_000) {
      throw new WaitAbort(`discovery settled with mismatches:\n  ${problems.join('\n  ')}`);
    }
    return false;
  }, {
    timeoutMs: 60_000,
    intervalMs: 1_000,
    processes,
    watch: [prom.managed],
    describe: () => `mismatches:\n  ${problems.join('\n  ')}`,
  }).catch(e => {
    throw new Error(`${(e as Error).message}\n${logProblems(prom.managed.logFile)}`);
  });
  return data;
}

/** Every difference between Prometheus's targets of `jobs` and the expectation, as readable lines. */
function compareTargets(data: any, jobs: string[], expected: Record<string, JobExpectation>, neverDiscovered: string[]): string[] {
  const problems: string[] = [];
  for (const job of jobs) {
    const exp = expected[job];
    if (!exp) {
      problems.push(`${job}: no expectation for this job`);
      continue;
    }
    const active = (data.activeTargets as any[]).filter(a => a.scrapePool === job);
    const got = new Map<string, Record<string, string>>();
    for (const a of active) {
      if (got.has(a.scrapeUrl)) problems.push(`${job}: ${a.scrapeUrl} is active twice`);
      got.set(a.scrapeUrl, a.labels);
    }
    for (const [url, labels] of Object.entries(exp.active)) {
      const l = got.get(url);
      if (!l) {
        problems.push(`${job}: missing active target ${url}`);
      } else if (JSON.stringify(sortKeys(l)) !== JSON.stringify(sortKeys(labels))) {
        problems.push(`${job}: ${url} has labels ${JSON.stringify(sortKeys(l))}, expected ${JSON.stringify(sortKeys(labels))}`);
      }
    }
    for (const a of active) {
      if (!exp.active[a.scrapeUrl]) {
        problems.push(`${job}: unexpected active target ${a.scrapeUrl} ${JSON.stringify(a.labels)} (discovered as ${describeDiscovered(a.discoveredLabels)})`);
      }
    }
    const key = exp.droppedKey ?? ((d: Record<string, string>) => d.__address__);
    const dropped = (data.droppedTargets as any[]).filter(d => droppedPool(d) === job).map(d => key(d.discoveredLabels)).sort();
    const want = [...exp.dropped].sort();
    if (JSON.stringify(dropped) !== JSON.stringify(want)) {
      problems.push(`${job}: dropped targets ${JSON.stringify(dropped)}, expected ${JSON.stringify(want)}`);
    }
    const counted = data.droppedTargetCounts?.[job];
    if (counted !== undefined && counted !== dropped.length) {
      problems.push(`${job}: droppedTargetCounts says ${counted} but ${dropped.length} are listed (keep_dropped_targets limit?)`);
    }
  }
  for (const addr of neverDiscovered) {
    const hits = [...data.activeTargets, ...data.droppedTargets].filter((x: any) => x.discoveredLabels?.__address__ === addr);
    if (hits.length > 0) problems.push(`${addr} (outside every scrape's namespaces) was discovered by ${hits.map(droppedPool).join(', ')}`);
  }
  return problems;
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

function describeDiscovered(d: Record<string, string> = {}): string {
  const keys = ['__meta_kubernetes_namespace', '__meta_kubernetes_service_name', '__meta_kubernetes_pod_name',
    '__meta_kubernetes_pod_container_name', '__meta_kubernetes_pod_container_port_name', '__meta_kubernetes_endpointslice_port_name'];
  return keys.filter(k => d[k] !== undefined).map(k => `${k.replace('__meta_kubernetes_', '')}=${d[k]}`).join(' ') || JSON.stringify(d);
}
