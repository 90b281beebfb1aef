/**
 * Property test input for Alertmanager: N random but valid configurations built through the
 * `Alertmanager` construct, each rendered to OUT_DIR/<i>.alertmanager.yml, plus
 * OUT_DIR/<i>.routes.json: label sets and the receivers each must reach, computed by an
 * independent model of Alertmanager's routing (dispatch/route.go `Route.Match`). The e2e
 * alertmanager test feeds every file to the real `amtool check-config` and every label set to
 * `amtool config routes test`.
 *
 *   ts-node e2e/alertmanager-matrix.ts OUT_DIR [COUNT=300] [SEED=20261201]
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Duration } from 'cdk8s';
import { RE2JS } from 're2js';
import {
  Alertmanager, AlertmanagerReceiver, AlertmanagerRoute, AlertmanagerTimeInterval, AlertMatcher, MatchOperator,
  PrometheusStack, SecretKey,
} from '../src';
import { rng, Rng } from './lib/rng';


/** The labels alerts of the matrix carry, and their values. */
const LABELS: Record<string, string[]> = {
  team: ['db', 'shop', 'payments', 'platform'],
  severity: ['critical', 'warning', 'info'],
  env: ['prod', 'staging', 'dev'],
  alertname: ['HighLatency', 'TargetDown', 'DiskFull'],
};
const REGEXES: Record<string, string[]> = {
  team: ['db|shop', 'pay.*', '(shop|payments)', '[a-z]+'],
  severity: ['critical|warning', 'crit.*', 'info'],
  env: ['prod|staging', 'dev', '.*ing'],
  alertname: ['High.*', 'Target(Down|Up)', '.+Full'],
};
const DURATIONS = [
  Duration.seconds(10), Duration.seconds(30), Duration.minutes(1), Duration.minutes(5), Duration.hours(1), Duration.hours(4), Duration.hours(12),
];

function matcher(r: Rng): AlertMatcher {
  const name = r.pick(Object.keys(LABELS));
  switch (r.int(0, 3)) {
    case 0: return AlertMatcher.equal(name, r.pick(LABELS[name]));
    case 1: return AlertMatcher.notEqual(name, r.pick(LABELS[name]));
    case 2: return AlertMatcher.regex(name, r.pick(REGEXES[name]));
    default: return AlertMatcher.notRegex(name, r.pick(REGEXES[name]));
  }
}

function secret(r: Rng, key: string): SecretKey {
  return SecretKey.of(r.pick(['alerting', 'receivers', 'am-secrets']), key);
}

function makeReceiver(r: Rng, name: string, globalSmtp: boolean): AlertmanagerReceiver {
  const kinds = r.some(['webhooks', 'emails', 'slack', 'pagerDuty', 'opsgenie', 'msTeams'] as const, 3);
  const out: Record<string, unknown> = { name };
  for (const kind of kinds) {
    const n = r.int(1, 2);
    const items = Array.from({ length: n }, (_, i) => {
      const sendResolved = r.bool(0.3) ? r.bool() : undefined;
      switch (kind) {
        case 'webhooks': return r.bool()
          ? { url: `http://${r.pick(['hook', 'router', 'bridge'])}.monitoring.svc:${r.int(1024, 9999)}/${r.pick(['', 'alerts', 'v1/am'])}`, sendResolved, maxAlerts: r.bool() ? r.int(0, 50) : undefined }
          : { urlSecret: secret(r, `webhook-${i}`), bearerToken: r.bool() ? secret(r, 'token') : undefined, timeout: r.bool() ? r.pick(DURATIONS.slice(0, 3)) : undefined, sendResolved };
        case 'emails': return {
          to: r.pick(['ops@example.org', 'a@example.org, b@example.org', 'oncall+db@example.org']),
          from: globalSmtp && r.bool() ? undefined : 'am@example.org',
          smarthost: globalSmtp && r.bool() ? undefined : r.pick(['smtp.example.org:587', 'mail.example.org:25', '[2001:db8::1]:465']),
          authUsername: r.bool() ? 'am' : undefined,
          authPassword: r.bool() ? secret(r, 'smtp') : undefined,
          requireTls: r.bool(0.3) ? r.bool() : undefined,
          sendResolved,
        };
        case 'slack': return { apiUrl: secret(r, 'slack'), channel: r.bool() ? r.pick(['#alerts', '#db', '@oncall']) : undefined, title: r.bool(0.3) ? '{{ .CommonLabels.alertname }}' : undefined, sendResolved };
        case 'pagerDuty': return r.bool()
          ? { routingKey: secret(r, 'pd-routing'), severity: r.bool() ? r.pick(['critical', 'error', '{{ .CommonLabels.severity }}']) : undefined, sendResolved }
          : { serviceKey: secret(r, 'pd-service'), url: r.bool(0.3) ? 'https://events.eu.pagerduty.com/generic/2010-04-15/create_event.json' : undefined, sendResolved };
        case 'opsgenie': return { apiKey: secret(r, 'opsgenie'), priority: r.bool() ? r.pick(['P1', 'P3', 'P5']) : undefined, tags: r.bool(0.3) ? 'k8s,prod' : undefined, apiUrl: r.bool(0.2) ? 'https://api.eu.opsgenie.com/' : undefined, sendResolved };
        default: return { webhookUrl: secret(r, 'teams'), title: r.bool(0.3) ? 'Alert' : undefined, sendResolved };
      }
    });
    out[kind] = items;
  }
  return out as any;
}

function timeInterval(r: Rng, name: string): AlertmanagerTimeInterval {
  const periods = Array.from({ length: r.int(1, 2) }, () => {
    const start = r.int(0, 22);
    return {
      times: r.bool(0.7) ? [{ startTime: `${String(start).padStart(2, '0')}:${r.pick(['00', '30'])}`, endTime: `${String(r.int(start + 1, 24)).padStart(2, '0')}:00` }] : undefined,
      weekdays: r.bool() ? [r.pick(['monday:friday', 'saturday', 'sunday', 'tuesday:thursday'])] : undefined,
      daysOfMonth: r.bool(0.2) ? [r.pick(['1:7', '-1', '15'])] : undefined,
      months: r.bool(0.2) ? [r.pick(['january:march', 'december', '6:8'])] : undefined,
      years: r.bool(0.1) ? ['2026:2030'] : undefined,
      location: r.bool(0.5) ? r.pick(['Europe/Berlin', 'America/New_York', 'UTC', 'Asia/Tokyo']) : undefined,
    };
  });
  return { name, periods };
}

function route(r: Rng, depth: number, receivers: string[], intervals: string[], root: boolean): AlertmanagerRoute {
  const groupBy = r.bool(0.5)
    ? (r.bool(0.15) ? ['...'] : r.some(Object.keys(LABELS), 2))
    : undefined;
  const children = depth < 3 && r.bool(root ? 0.9 : 0.35) ? r.int(1, 3) : 0;
  return {
    receiver: root || r.bool(0.7) ? r.pick(receivers) : undefined,
    matchers: root ? undefined : Array.from({ length: r.int(1, 2) }, () => matcher(r)),
    groupBy: groupBy?.length ? groupBy : undefined,
    groupWait: r.bool(0.3) ? r.pick(DURATIONS.slice(0, 3)) : undefined,
    groupInterval: r.bool(0.3) ? r.pick(DURATIONS.slice(1, 5)) : undefined,
    repeatInterval: r.bool(0.3) ? r.pick(DURATIONS.slice(3)) : undefined,
    continueMatching: !root && r.bool(0.3) ? true : undefined,
    muteTimeIntervals: !root && intervals.length && r.bool(0.25) ? r.some(intervals, 2) : undefined,
    activeTimeIntervals: !root && intervals.length && r.bool(0.15) ? [r.pick(intervals)] : undefined,
    routes: children ? Array.from({ length: children }, () => route(r, depth + 1, receivers, intervals, false)) : undefined,
  };
}

// ---- an independent model of Alertmanager's routing ------------------------------------------
function matches(m: AlertMatcher, labels: Record<string, string>): boolean {
  const v = labels[m.name] ?? '';
  switch (m.operator) {
    case MatchOperator.EQUAL: return v === m.value;
    case MatchOperator.NOT_EQUAL: return v !== m.value;
    case MatchOperator.REGEX: return RE2JS.compile(`^(?:${m.value})$`).matches(v);
    default: return !RE2JS.compile(`^(?:${m.value})$`).matches(v);
  }
}

/** dispatch/route.go: the routes an alert ends in, and their (inherited) receivers. */
function resolve(r: AlertmanagerRoute, labels: Record<string, string>, parentReceiver: string): string[] | undefined {
  if (!(r.matchers ?? []).every(m => matches(m, labels))) return undefined;
  const receiver = r.receiver ?? parentReceiver;
  const all: string[] = [];
  for (const child of r.routes ?? []) {
    const got = resolve(child, labels, receiver);
    if (got) all.push(...got);
    if (got && !child.continueMatching) break;
  }
  return all.length ? all : [receiver];
}

function labelSet(r: Rng): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, vs] of Object.entries(LABELS)) if (r.bool(0.8)) out[k] = r.pick(vs);
  return out;
}

export function generate(outDir: string, count: number, seed: number): void {
  fs.mkdirSync(outDir, { recursive: true });
  const r = rng(seed);
  for (let i = 0; i < count; i++) {
    const chart = new Chart(new App(), `m${i}`, { namespace: 'monitoring' });
    const prometheus = new PrometheusStack(chart, 'prometheus');
    const globalSmtp = r.bool();
    const receivers = Array.from({ length: r.int(1, 6) }, (_, k) => `r${k}-${r.pick(['team', 'pager', 'chat', 'mail'])}`);
    const intervals = Array.from({ length: r.int(0, 3) }, (_, k) => `ti-${k}`);
    const root = route(r, 0, receivers, intervals, true);
    const am = new Alertmanager(chart, 'alertmanager', {
      prometheus,
      replicas: r.int(1, 3),
      global: {
        resolveTimeout: r.bool(0.3) ? r.pick(DURATIONS.slice(2, 5)) : undefined,
        smtpSmarthost: globalSmtp ? 'smtp.example.org:587' : undefined,
        smtpFrom: globalSmtp ? 'alertmanager@example.org' : undefined,
        smtpAuthPassword: globalSmtp && r.bool() ? secret(r, 'smtp-global') : undefined,
        smtpRequireTls: r.bool(0.2) ? r.bool() : undefined,
        slackApiUrl: r.bool(0.3) ? secret(r, 'slack-global') : undefined,
        opsgenieApiKey: r.bool(0.3) ? secret(r, 'opsgenie-global') : undefined,
        pagerdutyUrl: r.bool(0.1) ? 'https://events.eu.pagerduty.com/v2/enqueue' : undefined,
      },
      route: root,
      receivers: receivers.map(name => makeReceiver(r, name, globalSmtp)),
      timeIntervals: intervals.map(name => timeInterval(r, name)),
      inhibitRules: Array.from({ length: r.int(0, 2) }, () => ({
        sourceMatchers: [matcher(r)],
        targetMatchers: [matcher(r), ...(r.bool() ? [matcher(r)] : [])],
        equal: r.bool() ? r.some(['alertname', 'namespace', 'team'], 2) : undefined,
      })),
    });
    fs.writeFileSync(path.join(outDir, `${i}.alertmanager.yml`), am.renderConfig());
    const cases = Array.from({ length: 4 }, () => {
      const labels = labelSet(r);
      return { labels, receivers: resolve(root, labels, root.receiver!)! };
    });
    fs.writeFileSync(path.join(outDir, `${i}.routes.json`), JSON.stringify(cases));
  }
}

if (require.main === module) {
  const [outDir, count = '300', seed = '20261201'] = process.argv.slice(2);
  if (!outDir) throw new Error('usage: alertmanager-matrix.ts OUT_DIR [COUNT] [SEED]');
  generate(outDir, Number(count), Number(seed));
}
