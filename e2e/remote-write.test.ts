/**
 * remote_write and agent mode with credentials from Secrets, through the real binaries:
 *
 * - the agent example (dist/agent.k8s.yaml) runs as its StatefulSet would, in agent mode, with its
 *   ConfigMap and the files of its Secret volumes where the kubelet would mount them; it discovers
 *   two Services through a real kube-apiserver with its own ServiceAccount token;
 * - the two fake targets answer 401 unless they get the credentials of the Secrets (a bearer
 *   token; basic auth);
 * - the receiver is a second real Prometheus (`--web.enable-remote-write-receiver`) behind basic
 *   auth (`--web.config.file` with a bcrypt hash made here), at the address the example's
 *   remote_write URL names (the pod's hosts file resolves it);
 * - then the Secret's password is changed to a wrong one: the agent's own metrics count the
 *   failed samples, nothing fails silently.
 *
 * Everything listens on 10.244.0.x inside the suite's network namespace (e2e/run.sh).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  addLoopbackAddresses, assertInsideSuiteNamespace, Cluster, E2E_DIR, K8sObject, makePki, Managed, manifestObjects, Processes,
  PrometheusRun, prometheusWorkload, removeLoopbackAddresses, REPO_DIR, resolveTools, startPrometheus, Tools, waitFor, writeServiceAccountFiles,
} from './lib/cluster';
import { appMetrics, TEXT_FORMAT } from './lib/fake-targets';

const AGENT_MANIFEST = path.join(REPO_DIR, 'dist', 'agent.k8s.yaml');
const BILLING_IP = '10.244.0.91';
const LEDGER_IP = '10.244.0.92';
const CENTRAL_IP = '10.244.0.95';
const TARGET_PORT = 8080;
const CENTRAL_HOST = 'central.monitoring-central.svc';
const SECRETS_DIR = '/etc/prometheus/secrets';

const BEARER = `billing-${randomBytes(12).toString('hex')}`;
const LEDGER_PASSWORD = `ledger-${randomBytes(12).toString('hex')}`;
const RW_PASSWORD = `remote-${randomBytes(12).toString('hex')}`;

let tools: Tools;
let workDir: string;
let processes: Processes;
let cluster: Cluster;
let agent: PrometheusRun;
let central: Managed;
let added: string[] = [];
const servers: http.Server[] = [];
/** Requests each fake target got: status by credentials given. */
const seen: Record<string, { ok: number; refused: number }> = { billing: { ok: 0, refused: 0 }, ledger: { ok: 0, refused: 0 } };

/** bcrypt, as Prometheus's --web.config.file wants it: crypt(3) of libxcrypt through perl (Debian). */
function bcrypt(password: string): string {
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const salt = [...randomBytes(21)].map(b => alphabet[b % 64]).join('') + '.';
  const r = spawnSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, `$2b$06$${salt}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, `perl crypt failed: ${r.stderr}`);
  assert.match(r.stdout, /^\$2b\$06\$[./A-Za-z0-9]{53}$/, `crypt(3) gave no bcrypt hash: ${r.stdout}`);
  return r.stdout;
}

/** A target that answers /metrics only with the right Authorization header. */
function fakeTarget(name: string, ip: string, expected: string): Promise<void> {
  const server = http.createServer((req, res) => {
    if (req.headers.authorization !== expected) {
      seen[name].refused++;
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="fake"' }).end('Unauthorized\n');
      return;
    }
    seen[name].ok++;
    res.writeHead(200, { 'content-type': TEXT_FORMAT }).end(appMetrics(name));
  });
  servers.push(server);
  return new Promise((resolve, reject) => server.once('error', reject).listen(TARGET_PORT, ip, () => resolve()));
}

async function get(url: string, auth?: string): Promise<{ status: number; body: string }> {
  const r = await fetch(url, { headers: auth ? { authorization: auth } : {}, signal: AbortSignal.timeout(10_000) });
  return { status: r.status, body: await r.text() };
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** An instant query on the receiver (which wants basic auth for its API too). */
async function centralQuery(query: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const r = await get(`http://${CENTRAL_IP}:9090/api/v1/query?query=${encodeURIComponent(query)}`, basic('agent', RW_PASSWORD));
  if (r.status !== 200) throw new Error(`query ${query}: HTTP ${r.status} ${r.body.slice(0, 300)}`);
  return JSON.parse(r.body).data.result;
}

/** The value of one series of the agent's own /metrics (sum over matching lines). */
async function agentMetric(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const body = (await get(`${agent.url}/metrics`)).body;
  let sum: number | undefined;
  for (const line of body.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum = (sum ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

function service(ns: string, name: string, ip: string): K8sObject[] {
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { ports: [{ name: 'metrics', port: TARGET_PORT, protocol: 'TCP' }] } },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-1`, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [ip], conditions: { ready: true } }],
      ports: [{ name: 'metrics', port: TARGET_PORT, protocol: 'TCP' }],
    },
  ];
}

describe('remote_write: an agent-mode Prometheus with credentials from Secrets writes to a real receiver', () => {
  before(async () => {
    assertInsideSuiteNamespace();
    assert.ok(fs.existsSync(AGENT_MANIFEST), 'dist/agent.k8s.yaml is missing: run `npx projen synth:examples` first (e2e/run.sh does)');
    tools = resolveTools();
    fs.mkdirSync(path.join(E2E_DIR, '.work'), { recursive: true });
    workDir = fs.mkdtempSync(path.join(E2E_DIR, '.work', 'remote-write-'));
    processes = new Processes(workDir);
    added = addLoopbackAddresses([BILLING_IP, LEDGER_IP, CENTRAL_IP]);
    cluster = await Cluster.start({ tools, workDir, processes, pki: makePki(path.join(workDir, 'pki'), []) });

    // The agent's objects for real (its ServiceAccount, RBAC), and the two Services it scrapes.
    const objects = manifestObjects(AGENT_MANIFEST);
    await cluster.ensureNamespaces(['monitoring', 'billing', 'ledger']);
    const applied = await cluster.apply([...service('billing', 'billing', BILLING_IP), ...service('ledger', 'ledger', LEDGER_IP), ...objects]);
    assert.equal(applied.code, 0, applied.stderr);
    const { sts } = prometheusWorkload(objects);
    const token = (await cluster.kubectl(['-n', 'monitoring', 'create', 'token', sts.spec.template.spec.serviceAccountName, '--duration=1h'])).stdout.trim();
    writeServiceAccountFiles({ token, caCert: cluster.pki.ca.cert, namespace: 'monitoring' });

    await fakeTarget('billing', BILLING_IP, `Bearer ${BEARER}`);
    await fakeTarget('ledger', LEDGER_IP, basic('prometheus', LEDGER_PASSWORD));

    // The receiver: a second real Prometheus, remote-write receiver behind basic auth.
    const centralDir = path.join(workDir, 'central');
    fs.mkdirSync(path.join(centralDir, 'data'), { recursive: true });
    fs.writeFileSync(path.join(centralDir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\n');
    fs.writeFileSync(path.join(centralDir, 'web.yml'), `basic_auth_users:\n  agent: ${bcrypt(RW_PASSWORD)}\n`);
    central = processes.start('central', tools.prometheus, [
      `--config.file=${centralDir}/prometheus.yml`, `--storage.tsdb.path=${centralDir}/data`, `--web.config.file=${centralDir}/web.yml`,
      `--web.listen-address=${CENTRAL_IP}:9090`, '--web.enable-remote-write-receiver',
    ], { env: { PATH: '/usr/bin:/bin', HOME: centralDir } });
    await waitFor('central /-/ready', async () => (await get(`http://${CENTRAL_IP}:9090/-/ready`, basic('agent', RW_PASSWORD))).status === 200,
      { timeoutMs: 60_000, intervalMs: 300, processes, watch: [central] });

    agent = await startPrometheus({
      tools,
      objects,
      workDir,
      processes,
      name: 'agent',
      sandbox: { hosts: { [CENTRAL_HOST]: CENTRAL_IP } },
      secrets: {
        'billing-scrape': { token: BEARER },
        'ledger-scrape': { password: LEDGER_PASSWORD },
        'remote-write': { password: RW_PASSWORD },
      },
    });
  }, { timeout: 180_000 });

  after(async () => {
    await Promise.all(servers.map(s => new Promise<void>(resolve => {
      s.close(() => resolve());
      s.closeAllConnections();
    })));
    await processes?.stopAll();
    processes?.dispose();
    removeLoopbackAddresses(added);
    if (workDir && process.env.E2E_KEEP_WORK !== '1') fs.rmSync(workDir, { recursive: true, force: true });
  }, { timeout: 60_000 });

  test('the agent runs as the manifest says: --agent, the WAL on the data volume, the Secrets as files of their volumes', () => {
    assert.ok(agent.manifestArgs.includes('--agent'), agent.manifestArgs.join(' '));
    assert.ok(agent.manifestArgs.includes('--storage.agent.path=/prometheus'), agent.manifestArgs.join(' '));
    assert.deepEqual(agent.manifestArgs.filter(a => a.startsWith('--storage.tsdb')), []);
    for (const f of ['billing-scrape/token', 'ledger-scrape/password', 'remote-write/password']) {
      assert.ok(agent.configText.includes(`${SECRETS_DIR}/${f}`), `prometheus.yml names no ${SECRETS_DIR}/${f}`);
    }
  });

  test('the scrapes reach both targets with the credentials from the Secrets (bearer token, basic auth); without them the targets say 401',
    { timeout: 90_000 }, async () => {
      await waitFor('both targets scraped with credentials', async () => seen.billing.ok >= 2 && seen.ledger.ok >= 2,
        { timeoutMs: 60_000, intervalMs: 500, processes, watch: [agent.managed, central], describe: () => JSON.stringify(seen) });
      assert.deepEqual({ billing: seen.billing.refused, ledger: seen.ledger.refused }, { billing: 0, ledger: 0 }, 'the agent sent wrong or no credentials');
      console.log(`scrapes through the agent with the Secrets' credentials: ${JSON.stringify(seen)}`);
      // The controls: without the token, with a wrong password, the same targets refuse.
      assert.equal((await get(`http://${BILLING_IP}:${TARGET_PORT}/metrics`)).status, 401);
      assert.equal((await get(`http://${LEDGER_IP}:${TARGET_PORT}/metrics`, basic('prometheus', 'wrong'))).status, 401);
    });

  test('the targets\' series arrive at the receiver through basic auth, with the external label, minus what writeRelabelings drop',
    { timeout: 120_000 }, async () => {
      const series = await waitFor('demo_requests_total of both jobs at the receiver', async () => {
        const r = await centralQuery('demo_requests_total{cluster="edge-1"}');
        const jobs = new Set(r.map(s => s.metric.job));
        return jobs.has('billing') && jobs.has('ledger') ? r : undefined;
      }, { timeoutMs: 90_000, intervalMs: 1000, processes, watch: [agent.managed, central] });
      const up = await centralQuery('up{cluster="edge-1"}');
      assert.deepEqual(up.map(s => `${s.metric.job}=${s.value[1]}`).sort(), ['billing=1', 'ledger=1', 'prometheus=1']);
      for (const s of series) assert.equal(s.metric.namespace, s.metric.job);
      // The agent exposes go_gc_* itself; the write relabeling keeps them off the wire.
      assert.ok((await agentMetric('go_gc_duration_seconds_count', {})) !== undefined, 'the agent has no go_gc_duration_seconds');
      assert.deepEqual(await centralQuery('{__name__=~"go_gc_.*"}'), []);
      const sent = await agentMetric('prometheus_remote_storage_samples_total', { remote_name: 'central' });
      const failed = await agentMetric('prometheus_remote_storage_samples_failed_total', { remote_name: 'central' });
      console.log(`remote write: ${series.length} demo_requests_total series at the receiver, up=${JSON.stringify(up.map(s => s.metric.job).sort())}, `
        + `agent sent ${sent} samples, ${failed ?? 0} failed`);
      assert.ok((sent ?? 0) > 0);
      assert.equal(failed ?? 0, 0);
    });

  test('a wrong password (the Secret rotated to a bad value) shows as failed samples in the agent\'s own metrics, not silently',
    { timeout: 120_000 }, async () => {
      const failedBefore = (await agentMetric('prometheus_remote_storage_samples_failed_total', { remote_name: 'central' })) ?? 0;
      const file = path.join(workDir, 'agent-fs', SECRETS_DIR, 'remote-write', 'password');
      assert.ok(fs.existsSync(file), `${file}: the Secret volume's file is missing`);
      // What the kubelet does when the Secret changes: the mounted file changes, the pod stays.
      fs.writeFileSync(file, 'not-the-password');
      const failed = await waitFor('prometheus_remote_storage_samples_failed_total to grow', async () => {
        const v = (await agentMetric('prometheus_remote_storage_samples_failed_total', { remote_name: 'central' })) ?? 0;
        return v > failedBefore ? v : undefined;
      }, { timeoutMs: 90_000, intervalMs: 1000, processes, watch: [agent.managed, central] });
      const log = fs.readFileSync(agent.managed.logFile, 'utf8');
      assert.match(log, /401/, 'the agent logged no 401 from the receiver');
      console.log(`wrong password: prometheus_remote_storage_samples_failed_total{remote_name="central"} ${failedBefore} -> ${failed}`);
      // And back: the right password again, samples flow again.
      fs.writeFileSync(file, RW_PASSWORD);
      const sentBefore = (await agentMetric('prometheus_remote_storage_samples_total', { remote_name: 'central' })) ?? 0;
      await waitFor('samples sent again with the right password', async () => {
        const sentNow = await agentMetric('prometheus_remote_storage_samples_total', { remote_name: 'central' });
        const f = await agentMetric('prometheus_remote_storage_samples_failed_total', { remote_name: 'central' });
        return (sentNow ?? 0) > sentBefore && f === failed;
      }, { timeoutMs: 60_000, intervalMs: 1000, processes, watch: [agent.managed, central] });
    });
});
