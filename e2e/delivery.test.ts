/**
 * Alert delivery end to end, with the real binaries only: two Prometheus replicas and an
 * Alertmanager cluster of two, started with the arguments the synthesized StatefulSets carry and
 * the prometheus.yml, rules.yml and alertmanager.yml the library renders, evaluate firing rules;
 * a webhook receiver in this test records every notification.
 *
 * Only addresses and paths differ from the pods: each pod's address is a loopback port (the
 * Alertmanagers gossip on 127.0.0.1:19094 and :19194), the config files live in a work
 * directory, and Prometheus is given the two Alertmanagers as static targets
 * (`AlertmanagerEndpoint.addresses`): what the headless-Service discovery yields in a cluster,
 * without an API server. Runs inside the e2e network namespace (e2e/run.sh): nothing leaves lo.
 *
 * Checks: exactly one notification per alert group (two Prometheus replicas, two Alertmanagers:
 * the `replica` label is dropped and the cluster deduplicates through its notification log); a
 * silence created through the Alertmanager API stops the next notification of its group (a
 * twin group without a silence is notified again); an inhibit rule suppresses the warning while
 * the critical alert fires, and the warning arrives once the critical resolves; the resolved
 * notification arrives. Every wait is bounded.
 */
import * as fs from 'fs';
import * as http from 'http';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Duration, Testing } from 'cdk8s';
import {
  Alertmanager, AlertmanagerEndpoint, AlertMatcher, PrometheusRule, PrometheusRuleGroup, PrometheusStack,
} from '../src';
import { httpGet, Processes, sleep, waitFor } from './lib/cluster';
import { tool, WORK } from './lib/tools';

const HOOK_PORT = 19099;
const AM = [{ web: 19093, cluster: 19094 }, { web: 19193, cluster: 19194 }];
const PROM_PORTS = [19090, 19190];
/** How long the critical alert fires (seconds from the start of the test). */
const CRITICAL_FOR_S = 50;
const REPEAT_S = 20;
/**
 * Longer than the Alertmanager peer timeout (15s, the default the StatefulSet keeps): the second
 * replica, which waits that long before it checks the shared notification log, then checks
 * before the first replica's next flush (as with the 5m default in production).
 */
const GROUP_INTERVAL_S = 20;

interface Notification { readonly at: number; readonly body: any }
const notifications: Notification[] = [];
let server: http.Server | undefined;
let processes: Processes | undefined;
let workDir = '';
let t0 = 0;
let resolveAt = 0;

function notified(alertname: string, status?: string): Notification[] {
  return notifications.filter(n => n.body.groupLabels?.alertname === alertname && (status === undefined || n.body.status === status));
}

function summary(): string {
  return notifications.map(n => `${((n.at - t0) / 1000).toFixed(1)}s ${n.body.groupLabels?.alertname} ${n.body.status} x${n.body.alerts?.length}`).join('; ');
}

/** The library's objects and files for this test. */
function render() {
  const chart = new Chart(new App(), 'delivery', { namespace: 'monitoring' });
  const prometheus = new PrometheusStack(chart, 'prometheus', {
    replicas: 2,
    evaluationInterval: Duration.seconds(1),
    scrapeInterval: Duration.seconds(5),
    scrapeTimeout: Duration.seconds(5),
    alertmanagers: [AlertmanagerEndpoint.addresses(AM.map(a => `127.0.0.1:${a.web}`))],
  });
  prometheus.addKubeletScrape('kubelet');
  const always = (alert: string, labels: Record<string, string>, expr = 'vector(1)') => PrometheusRule.alerting({ alert, expr, labels, annotations: { summary: alert } });
  new PrometheusRuleGroup(chart, 'delivery-rules', {
    prometheus,
    groupName: 'delivery',
    rules: [
      always('DeliveryCritical', { severity: 'critical', team: 'e2e' }, `vector(time()) < ${resolveAt}`),
      always('DeliveryWarning', { severity: 'warning', team: 'e2e' }),
      always('DeliverySilenced', { severity: 'info', team: 'repeat' }),
      always('DeliveryRepeated', { severity: 'info', team: 'repeat' }),
    ],
  });
  const am = new Alertmanager(chart, 'alertmanager', {
    prometheus,
    replicas: 2,
    receiveAlerts: false,
    route: {
      receiver: 'hook',
      groupBy: ['alertname'],
      groupWait: Duration.seconds(1),
      groupInterval: Duration.seconds(GROUP_INTERVAL_S),
      repeatInterval: Duration.hours(1),
      routes: [{ matchers: [AlertMatcher.equal('team', 'repeat')], repeatInterval: Duration.seconds(REPEAT_S) }],
    },
    receivers: [{ name: 'hook', webhooks: [{ url: `http://127.0.0.1:${HOOK_PORT}/hook` }] }],
    inhibitRules: [{
      sourceMatchers: [AlertMatcher.equal('severity', 'critical')],
      targetMatchers: [AlertMatcher.equal('severity', 'warning')],
      equal: ['team'],
    }],
  });
  const objects = Testing.synth(chart) as any[];
  const container = (kind: string, name: string) => objects.find(o => o.kind === kind && o.metadata.name === name).spec.template.spec.containers[0];
  return {
    prometheusYml: prometheus.renderConfig(),
    rulesYml: prometheus.renderRules()!,
    alertmanagerYml: am.renderConfig(),
    promArgs: container('StatefulSet', 'prometheus').args as string[],
    amArgs: container('StatefulSet', 'alertmanager').args as string[],
  };
}

/** A pod's arguments with its addresses and paths replaced; fails if an argument is unknown. */
function localArgs(args: string[], replace: Record<string, string | string[] | null>): string[] {
  return args.flatMap(a => {
    const flag = a.split('=')[0];
    if (!(flag in replace)) throw new Error(`unexpected argument ${a}: the test does not know how to run it locally`);
    const v = replace[flag];
    if (v === null) return [a];
    return Array.isArray(v) ? v : [`${flag}=${v}`];
  });
}

before(async () => {
  if (process.env.CDK8S_PROM_E2E_NS !== '1' || Object.keys(os.networkInterfaces()).join() !== 'lo') {
    throw new Error('run inside the e2e namespace (e2e/run.sh): the test listens on loopback ports only');
  }
  t0 = Date.now();
  resolveAt = Math.floor(t0 / 1000) + CRITICAL_FOR_S;
  workDir = fs.mkdtempSync(path.join(WORK, 'delivery-'));
  const files = render();
  // The config directory of the Prometheus pods, here: rule_files point at the work dir copy.
  const rulesFile = path.join(workDir, 'rules.yml');
  fs.writeFileSync(rulesFile, files.rulesYml);
  fs.writeFileSync(path.join(workDir, 'prometheus.yml'), files.prometheusYml.replace('/etc/prometheus/rules.yml', rulesFile));
  fs.writeFileSync(path.join(workDir, 'alertmanager.yml'), files.alertmanagerYml);
  assert.match(files.prometheusYml, /alert_relabel_configs:\n\s+- action: labeldrop\n\s+regex: replica/);

  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', () => {
      notifications.push({ at: Date.now(), body: JSON.parse(body) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>(resolve => server!.listen(HOOK_PORT, '127.0.0.1', resolve));

  processes = new Processes(workDir);
  const peers = AM.map(a => `--cluster.peer=127.0.0.1:${a.cluster}`);
  const ams = AM.map((a, i) => processes!.start(`alertmanager-${i}`, tool('ALERTMANAGER'), localArgs(files.amArgs, {
    '--config.file': path.join(workDir, 'alertmanager.yml'),
    '--storage.path': path.join(workDir, `am-data-${i}`),
    '--data.retention': null,
    '--web.listen-address': `127.0.0.1:${a.web}`,
    '--cluster.listen-address': `127.0.0.1:${a.cluster}`,
    '--cluster.advertise-address': `127.0.0.1:${a.cluster}`,
    '--cluster.peer': [],
  }).concat(peers)));
  for (const [i, m] of ams.entries()) {
    await waitFor(`alertmanager-${i} ready`, async () => (await httpGet(`http://127.0.0.1:${AM[i].web}/-/ready`, 2000)).status === 200,
      { timeoutMs: 30_000, processes, watch: [m] });
  }
  await waitFor('the Alertmanager cluster of two', async () => {
    const s = JSON.parse((await httpGet(`http://127.0.0.1:${AM[0].web}/api/v2/status`, 2000)).body);
    return s.cluster?.status === 'ready' && s.cluster.peers?.length === 2;
  }, { timeoutMs: 60_000, processes, watch: ams });

  // The critical alert's end is counted from here, when Prometheus starts (the Alertmanager cluster
  // can take long to settle on a busy machine): the rules are written again with it.
  resolveAt = Math.floor(Date.now() / 1000) + CRITICAL_FOR_S;
  fs.writeFileSync(rulesFile, render().rulesYml);
  PROM_PORTS.forEach((port, i) => processes!.start(`prometheus-${i}`, tool('PROMETHEUS'), localArgs(files.promArgs, {
    '--config.file': path.join(workDir, 'prometheus.yml'),
    '--config.auto-reload': null,
    '--config.auto-reload-interval': null,
    '--storage.tsdb.path': path.join(workDir, `prom-data-${i}`),
    '--web.listen-address': `127.0.0.1:${port}`,
  }), { env: { ...process.env, POD_NAME: `prometheus-${i}` } }));
});

after(async () => {
  await processes?.stopAll(5000);
  processes?.dispose();
  await new Promise<void>(resolve => (server ? server.close(() => resolve()) : resolve()));
  console.log(`delivery: notifications ${summary()}`);
});

test('one notification per group from 2 Prometheus replicas and 2 Alertmanagers; the inhibited warning waits', async () => {
  const watch = processes!.list.slice();
  await waitFor('the critical notification', async () => notified('DeliveryCritical', 'firing').length > 0,
    { timeoutMs: 60_000, processes, watch, describe: summary });
  // Long enough for the second Alertmanager (peer timeout 15s) to have sent a duplicate.
  await sleep(20_000);
  const critical = notified('DeliveryCritical', 'firing');
  assert.equal(critical.length, 1, summary());
  // One alert in it: both replicas' copies are the same alert (the replica label is dropped).
  assert.equal(critical[0].body.alerts.length, 1, JSON.stringify(critical[0].body.alerts));
  assert.equal(critical[0].body.alerts[0].labels.replica, undefined);
  assert.equal(notified('DeliveryWarning').length, 0, `the warning was not inhibited: ${summary()}`);
});

test('a silence created through the Alertmanager API stops the next notification of its group', async () => {
  const watch = processes!.list.slice();
  await waitFor('the first notifications of the repeating groups', async () =>
    notified('DeliverySilenced').length > 0 && notified('DeliveryRepeated').length > 0, { timeoutMs: 40_000, processes, watch, describe: summary });
  const silence = JSON.stringify({
    matchers: [{ name: 'alertname', value: 'DeliverySilenced', isRegex: false, isEqual: true }],
    startsAt: new Date().toISOString(),
    endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    createdBy: 'e2e',
    comment: 'delivery test',
  });
  const created = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(`http://127.0.0.1:${AM[0].web}/api/v2/silences`, { method: 'POST', headers: { 'content-type': 'application/json' } }, res => {
      let b = '';
      res.on('data', c => (b += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
    });
    req.on('error', reject);
    req.end(silence);
  });
  assert.equal(created.status, 200, created.body);
  // A flush that passed the silence stage before the silence existed may still be waiting out the
  // peer timeout (15s) on the second replica; what starts after it is silenced.
  const inFlightUntil = Date.now() + 16_000;
  await sleep(16_000);
  // The twin group is notified again after its repeat interval; the silenced one is not.
  await waitFor('a repeat of the unsilenced twin group', async () => notified('DeliveryRepeated').some(n => n.at > inFlightUntil),
    { timeoutMs: (REPEAT_S + 2 * GROUP_INTERVAL_S + 10) * 1000, processes, watch, describe: summary });
  await sleep(3000);
  assert.deepEqual(notified('DeliverySilenced').filter(n => n.at > inFlightUntil), [], summary());
});

test('the critical alert resolves: the resolved notification arrives, then the warning it inhibited', async () => {
  const watch = processes!.list.slice();
  const deadline = resolveAt * 1000 - Date.now() + (GROUP_INTERVAL_S + 30) * 1000;
  await waitFor('the resolved notification', async () => notified('DeliveryCritical', 'resolved').length > 0,
    { timeoutMs: Math.max(deadline, 10_000), processes, watch, describe: summary });
  const resolvedAt = notified('DeliveryCritical', 'resolved')[0].at;
  assert.ok(resolvedAt >= resolveAt * 1000, 'resolved before the rule stopped firing');
  await waitFor('the warning once nothing inhibits it', async () => notified('DeliveryWarning', 'firing').length > 0,
    { timeoutMs: (GROUP_INTERVAL_S + 15) * 1000, processes, watch, describe: summary });
  assert.ok(notified('DeliveryWarning')[0].at >= resolveAt * 1000, summary());
  await sleep(17_000);
  assert.equal(notified('DeliveryCritical', 'resolved').length, 1, summary());
  assert.equal(notified('DeliveryCritical', 'firing').length, 1, summary());
  assert.equal(notified('DeliveryWarning', 'firing').length, 1, summary());
});
