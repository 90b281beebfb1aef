/**
 * The cluster part of the end-to-end suite: the synthesized manifests against a real
 * kube-apiserver (strict validation, Pod Security `restricted`, RBAC), and the real Prometheus
 * started exactly as the quick start's StatefulSet starts it, discovering and scraping a fake
 * cluster through the quick start's own ServiceAccount and RBAC.
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
import {
  assertInsideSuiteNamespace, Cluster, E2E_DIR, K8sObject, loadYamlFile, logProblems, makePki, manifestObjects, parseYaml,
  podFromTemplate, Processes, prometheusWorkload, PrometheusRun, promApi, promQuery, REPO_DIR, resolveTools,
  startPrometheus, Tools, WaitAbort, waitFor, workloads, writeServiceAccountFiles,
} from './lib/cluster';
import { appMetrics, CADVISOR_FIXTURE, FakeTargets, KSM_FIXTURE } from './lib/fake-targets';

const DIST = path.join(REPO_DIR, 'dist');
const QUICK_START = path.join(DIST, 'monitoring.k8s.yaml');
const STATE_FILE = path.join(E2E_DIR, 'cluster', 'state.yaml');
const NODES = [{ name: 'node-a', ip: '10.244.0.11' }, { name: 'node-b', ip: '10.244.0.12' }];
const KUBELET_PORT = 10250;
const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/warn-version': 'latest',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/audit-version': 'latest',
};

/**
 * What the quick start must discover from e2e/cluster/state.yaml, per scrape job: the active
 * targets by scrape URL with their complete label sets, and the dropped targets by address.
 * Derived from the README and src/*-scrape.ts, not from the rendered config.
 */
interface JobExpectation {
  readonly active: Record<string, Record<string, string>>;
  readonly dropped: string[];
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
/** Endpoints that no job may discover at all (outside every scrape's namespaces). */
const NEVER_DISCOVERED = ['10.244.0.51:8080'];

const started = Date.now();
const summary: Record<string, unknown> = {};
let failures = 0;
let workDir = '';
let processes: Processes | undefined;
let tools: Tools;
let cluster: Cluster;
let targets: FakeTargets | undefined;
let prometheus: PrometheusRun | undefined;
let quickStart: Promise<void> | undefined;

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

/** The quick start applied for real, plus the fake cluster state (once). */
function applyQuickStartAndState(): Promise<void> {
  quickStart ??= (async () => {
    const objects = manifestObjects(QUICK_START);
    const namespaces = new Set(objects.map(o => o.metadata.namespace).filter((n): n is string => !!n));
    await cluster.ensureNamespaces(namespaces, { monitoring: RESTRICTED });
    const applied = await cluster.apply(objects);
    assert.deepEqual(kubectlWarnings(applied.stderr), [], 'applying dist/monitoring.k8s.yaml printed warnings');

    const state = loadYamlFile(STATE_FILE) as K8sObject[];
    await cluster.apply(state.map(stripStatus));
    // Creating a Pod resets its status, and only the status subresource writes it.
    for (const o of state.filter(s => s.status)) {
      const ns = o.metadata.namespace ? ['-n', o.metadata.namespace] : [];
      await cluster.kubectl(['patch', o.kind.toLowerCase(), o.metadata.name, ...ns, '--subresource=status', '--type=merge',
        '-p', JSON.stringify({ status: o.status })]);
    }
  })();
  return quickStart;
}

/** Prometheus as the quick start runs it, with its own ServiceAccount token (once). */
async function ensurePrometheus(): Promise<PrometheusRun> {
  if (prometheus) return prometheus;
  await applyQuickStartAndState();
  const objects = manifestObjects(QUICK_START);
  const { sts } = prometheusWorkload(objects);
  const saName: string = sts.spec.template.spec.serviceAccountName;
  const ns = sts.metadata.namespace ?? assert.fail('the Prometheus StatefulSet has no namespace');
  assert.ok(saName, 'the Prometheus StatefulSet names no serviceAccountName');
  assert.notEqual(sts.spec.template.spec.automountServiceAccountToken, false, 'the Prometheus pod does not mount its token');
  const token = (await cluster.kubectl(['-n', ns, 'create', 'token', saName, '--duration=1h'])).stdout.trim();
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'kubectl create token returned no JWT');
  writeServiceAccountFiles({ token, caCert: cluster.pki.ca.cert, namespace: ns });

  targets = await FakeTargets.start({
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

/** Non-comment sample lines of an exposition. */
function sampleLines(text: string): string[] {
  return text.split('\n').filter(l => l.trim() !== '' && !l.startsWith('#'));
}

describe('cluster: manifests, discovery, scraping and RBAC against a real kube-apiserver', () => {
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
    const stopped = processes ? await processes.stopAll() : [];
    processes?.dispose();
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

  test('every dist/*.k8s.yaml passes strict server-side validation, and Pod Security "restricted" admits every pod template', { timeout: 120_000 },
    tracked(async t => {
      const files = fs.readdirSync(DIST).filter(f => f.endsWith('.k8s.yaml')).sort();
      assert.ok(files.length >= 3, `expected the example manifests in dist/, found ${files.join(', ')}`);
      const applied: Record<string, number> = {};
      const podsChecked: string[] = [];
      for (const file of files) {
        const full = path.join(DIST, file);
        const objects = manifestObjects(full);
        // Namespaces used by namespaced objects and by RBAC subjects (Roles in e.g. `apps`).
        const namespaces = new Set<string>();
        for (const o of objects) {
          if (o.metadata.namespace) namespaces.add(o.metadata.namespace);
          for (const s of o.subjects ?? []) if (s.namespace) namespaces.add(s.namespace);
        }
        await cluster.ensureNamespaces(namespaces, { monitoring: RESTRICTED });

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
          const ns = w.metadata.namespace;
          assert.equal(ns, 'monitoring', `${file}: ${w.kind} ${w.metadata.name} is in namespace ${ns}, expected monitoring`);
          const pod = podFromTemplate(w, NODES[0].name);
          const p = await cluster.kubectl(['create', '--dry-run=server', '-o', 'name', '-f', '-'], { stdin: JSON.stringify(pod), allowFailure: true });
          assert.equal(p.code, 0, `${file}: the pod of ${w.kind} ${ns}/${w.metadata.name} is refused in a "restricted" namespace:\n${p.stderr}`);
          assert.deepEqual(kubectlWarnings(p.stderr), [], `${file}: the pod of ${w.kind} ${ns}/${w.metadata.name} got warnings`);
          podsChecked.push(`${file}: ${w.kind} ${ns}/${w.metadata.name}`);
        }
      }
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
      report(t, 'podTemplatesAdmittedAsRestrictedPods', podsChecked);
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
        problems = compareTargets(data, jobs);
        if (problems.length === 0) return true;
        // Discovery settled (every job discovered something, nothing changed for 15s): fail now.
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
    await applyQuickStartAndState();
    const { sts } = prometheusWorkload(manifestObjects(QUICK_START));
    const ns = sts.metadata.namespace ?? assert.fail('the Prometheus StatefulSet has no namespace');
    const prom = `system:serviceaccount:${ns}:${sts.spec.template.spec.serviceAccountName}`;
    const ksm = `system:serviceaccount:${ns}:kube-state-metrics`;
    interface Check {
      user: string;
      allowed: boolean;
      verb: string;
      resource?: string;
      group?: string;
      subresource?: string;
      namespace?: string;
      path?: string;
    }
    const res = (user: string, allowed: boolean, verb: string, resource: string, namespace = '', extra: Partial<Check> = {}): Check =>
      ({ user, allowed, verb, resource, namespace, ...extra });
    const checks: Check[] = [
      // allowed: discovery (pods cluster-wide, nodes; endpointslices/services/pods where scoped)
      res(prom, true, 'list', 'pods'), res(prom, true, 'watch', 'pods'), res(prom, true, 'list', 'pods', 'kube-system'),
      res(prom, true, 'list', 'nodes'), res(prom, true, 'watch', 'nodes'),
      res(prom, true, 'list', 'endpointslices', 'default', { group: 'discovery.k8s.io' }),
      res(prom, true, 'watch', 'endpointslices', 'default', { group: 'discovery.k8s.io' }),
      res(prom, true, 'list', 'services', 'default'), res(prom, true, 'list', 'pods', 'default'),
      res(prom, true, 'list', 'endpointslices', ns, { group: 'discovery.k8s.io' }), res(prom, true, 'list', 'services', ns),
      // allowed: scraping (kubelet metrics, API server /metrics)
      res(prom, true, 'get', 'nodes', '', { subresource: 'metrics' }),
      { user: prom, allowed: true, verb: 'get', path: '/metrics' },
      // denied
      res(prom, false, 'get', 'secrets'), res(prom, false, 'list', 'secrets'), res(prom, false, 'watch', 'secrets'),
      res(prom, false, 'get', 'secrets', ns), res(prom, false, 'list', 'secrets', ns), res(prom, false, 'list', 'secrets', 'default'),
      res(prom, false, 'get', 'nodes', '', { subresource: 'proxy' }), res(prom, false, 'create', 'nodes', '', { subresource: 'proxy' }),
      res(prom, false, 'create', 'pods', 'default'), res(prom, false, 'create', 'pods', '', { subresource: 'exec' }),
      res(prom, false, 'delete', 'pods', 'default'), res(prom, false, 'deletecollection', 'pods'), res(prom, false, 'delete', 'nodes'),
      res(prom, false, 'delete', 'services', 'default'), res(prom, false, 'delete', 'configmaps', ns),
      res(prom, false, 'delete', 'endpointslices', 'default', { group: 'discovery.k8s.io' }),
      res(prom, false, 'list', 'endpointslices', 'kube-system', { group: 'discovery.k8s.io' }),
      res(prom, false, 'list', 'endpointslices', '', { group: 'discovery.k8s.io' }),
      res(prom, false, 'list', 'services', 'kube-system'),
      res(prom, false, 'update', 'configmaps', ns), res(prom, false, 'get', 'configmaps', ns),
      res(prom, false, 'create', 'serviceaccounts', ns, { subresource: 'token' }),
      res(prom, false, 'impersonate', 'users'), res(prom, false, 'escalate', 'clusterroles', '', { group: 'rbac.authorization.k8s.io' }),
      { user: prom, allowed: false, verb: 'get', path: '/debug/pprof/' },
      // kube-state-metrics: list/watch only, never secrets
      res(ksm, true, 'list', 'pods'), res(ksm, true, 'watch', 'deployments', '', { group: 'apps' }),
      res(ksm, false, 'list', 'secrets'), res(ksm, false, 'get', 'secrets', ns), res(ksm, false, 'delete', 'pods', 'default'),
      res(ksm, false, 'get', 'nodes', '', { subresource: 'proxy' }),
    ];
    const items = await Promise.all(checks.map(async c => {
      const r = await cluster.api('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: c.user,
          // The groups of a ServiceAccount token.
          groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
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
    assert.deepEqual(wrong, [], 'RBAC of dist/monitoring.k8s.yaml');
    report(t, 'rbacChecks', { allowed: checks.filter(c => c.allowed).length, denied: checks.filter(c => !c.allowed).length });
  }));
});

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

/** Every difference between Prometheus's targets and EXPECTED, as readable lines. */
function compareTargets(data: any, jobs: string[]): string[] {
  const problems: string[] = [];
  for (const job of jobs) {
    const exp = EXPECTED[job];
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
    const dropped = (data.droppedTargets as any[]).filter(d => droppedPool(d) === job).map(d => d.discoveredLabels.__address__ as string).sort();
    const want = [...exp.dropped].sort();
    if (JSON.stringify(dropped) !== JSON.stringify(want)) {
      problems.push(`${job}: dropped targets ${JSON.stringify(dropped)}, expected ${JSON.stringify(want)}`);
    }
    const counted = data.droppedTargetCounts?.[job];
    if (counted !== undefined && counted !== dropped.length) {
      problems.push(`${job}: droppedTargetCounts says ${counted} but ${dropped.length} are listed (keep_dropped_targets limit?)`);
    }
  }
  for (const addr of NEVER_DISCOVERED) {
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
