/**
 * Cardinality of the CadvisorMetrics presets, measured with the real Prometheus on a recorded
 * kubelet cAdvisor payload.
 *
 *   node cardinality.js config <fixturePort> <prometheus.yml> <meta.json>
 *     Builds one CadvisorScrape per preset with the library, takes each rendered job from
 *     stack.renderConfig() and keeps it as rendered (job_name, metrics_path, honor_timestamps,
 *     relabel_configs, metric_relabel_configs ...) except for the parts that reach a real kubelet
 *     (kubernetes_sd_configs, scheme, authorization/basic_auth, tls_config), replaced by one
 *     static target: the fixture server on 127.0.0.1, labelled preset="<name>".
 *
 *   node cardinality.js query <prometheusUrl> <meta.json> <selectors.json> <fixture.prom> <out.json>
 *     Waits for two scrapes of every preset, then counts the series per preset and the series
 *     each kubernetes-mixin selector finds per preset.
 */
import * as fs from 'fs';
import { App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import { CadvisorMetrics, CadvisorScrape, PrometheusStack } from '../src';
import { writeJson } from './common';

interface PresetUnderTest {
  /** How the preset is written in code. */
  readonly constant: string;
  readonly preset: CadvisorMetrics;
  /** A bench-only candidate, not shipped by the library. */
  readonly candidate: boolean;
}

/** The presets measured: the library's own, as it exports them. */
const PRESETS: PresetUnderTest[] = [
  { constant: 'CadvisorMetrics.NONE', preset: CadvisorMetrics.NONE, candidate: false },
  { constant: 'CadvisorMetrics.KUBE_PROMETHEUS', preset: CadvisorMetrics.KUBE_PROMETHEUS, candidate: false },
  { constant: 'CadvisorMetrics.AGGRESSIVE', preset: CadvisorMetrics.AGGRESSIVE, candidate: false },
  { constant: 'CadvisorMetrics.RECOMMENDED', preset: CadvisorMetrics.RECOMMENDED, candidate: false },
];
/** Keys of a rendered job that reach a real kubelet: replaced by a static target. */
const REPLACED_KEYS = ['kubernetes_sd_configs', 'scheme', 'authorization', 'basic_auth', 'tls_config'];
const SCRAPE_INTERVAL = '2s';

interface PresetMeta {
  readonly constant: string;
  readonly candidate: boolean;
  /** The candidate's rules beyond KUBE_PROMETHEUS, as rendered. */
  readonly extraRules?: unknown[];
  readonly name: string;
  readonly jobName: string;
  readonly isDefault: boolean;
  readonly replacedKeys: string[];
  readonly keptKeys: string[];
  readonly honorTimestamps: unknown;
  readonly metricsPath: unknown;
  readonly metricRelabelConfigs: number;
}

interface Meta {
  readonly defaultPreset: string;
  readonly scrapeInterval: string;
  readonly target: string;
  readonly presets: PresetMeta[];
}

function config(fixturePort: string, promConfigFile: string, metaFile: string): void {
  const app = new App({ outdir: '/nonexistent' });
  const chart = new Chart(app, 'cardinality', { namespace: 'monitoring' });
  const prometheus = new PrometheusStack(chart, 'prometheus');
  const defaultPreset = new CadvisorScrape(chart, 'default-probe', { prometheus, jobName: 'cadvisor-default-probe' }).metrics.name;
  for (const { preset } of PRESETS) {
    new CadvisorScrape(chart, `cadvisor-${preset.name}`, { prometheus, jobName: `cadvisor-${preset.name}`, metrics: preset });
  }
  const rendered = parse(prometheus.renderConfig()) as { scrape_configs: Array<Record<string, unknown>> };
  const target = `127.0.0.1:${Number(fixturePort)}`;
  const jobs: Array<Record<string, unknown>> = [];
  const presets: PresetMeta[] = [];
  for (const { constant, preset, candidate } of PRESETS) {
    const jobName = `cadvisor-${preset.name}`;
    const job = rendered.scrape_configs.find(j => j.job_name === jobName);
    if (!job) throw new Error(`job ${jobName} is missing from the rendered prometheus.yml`);
    const kept = Object.fromEntries(Object.entries(job).filter(([k]) => !REPLACED_KEYS.includes(k)));
    jobs.push({
      ...kept,
      scheme: 'http',
      static_configs: [{ targets: [target], labels: { preset: preset.name } }],
    });
    presets.push({
      constant,
      candidate,
      name: preset.name,
      jobName,
      isDefault: preset.name === defaultPreset,
      replacedKeys: REPLACED_KEYS.filter(k => k in job),
      keptKeys: Object.keys(kept),
      honorTimestamps: job.honor_timestamps,
      metricsPath: job.metrics_path,
      metricRelabelConfigs: (job.metric_relabel_configs as unknown[] | undefined)?.length ?? 0,
    });
  }
  const doc = { global: { scrape_interval: SCRAPE_INTERVAL, scrape_timeout: SCRAPE_INTERVAL }, scrape_configs: jobs };
  fs.writeFileSync(promConfigFile, JSON.stringify(doc, null, 2) + '\n'); // JSON is YAML
  const meta: Meta = { defaultPreset, scrapeInterval: SCRAPE_INTERVAL, target, presets };
  writeJson(metaFile, meta);
}

// ---------------------------------------------------------------------------------------------

interface Sample { metric: Record<string, string>; value: [number, string] }

class Prom {
  public constructor(private readonly url: string) {}

  public async query(expr: string, time?: number): Promise<Sample[]> {
    const params = new URLSearchParams({ query: expr });
    if (time !== undefined) params.set('time', String(time));
    const res = await fetch(`${this.url}/api/v1/query?${params}`);
    const body = await res.json() as any;
    if (body.status !== 'success') throw new Error(`query ${expr}: ${JSON.stringify(body)}`);
    return body.data.result as Sample[];
  }

  /** The value of a single-series query, 0 when the result is empty. */
  public async scalar(expr: string, time: number): Promise<number> {
    const r = await this.query(expr, time);
    if (r.length > 1) throw new Error(`query ${expr}: ${r.length} series, expected at most one`);
    return r.length ? Number(r[0].value[1]) : 0;
  }

  public async json(path: string): Promise<any> {
    const res = await fetch(`${this.url}${path}`);
    return res.json();
  }

  public async text(path: string): Promise<string> {
    const res = await fetch(`${this.url}${path}`);
    return res.text();
  }
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Waits until every preset's target has been scraped at least twice, successfully. */
async function waitForScrapes(prom: Prom, meta: Meta, deadlineMs: number): Promise<void> {
  const start = Date.now();
  for (;;) {
    let ready = 0;
    try {
      for (const p of meta.presets) {
        const scrapes = await prom.scalar(`count_over_time(up{preset="${p.name}"}[5m])`, Date.now() / 1000);
        const up = await prom.scalar(`up{preset="${p.name}"}`, Date.now() / 1000);
        if (scrapes >= 2 && up === 1) ready++;
      }
    } catch {
      // Prometheus is still starting.
    }
    if (ready === meta.presets.length) return;
    if (Date.now() - start > deadlineMs) {
      let targets = '';
      try {
        const t = await prom.json('/api/v1/targets');
        targets = JSON.stringify(t.data.activeTargets.map((x: any) => ({ job: x.scrapePool, health: x.health, lastError: x.lastError })));
      } catch (e: any) {
        targets = `(targets unavailable: ${e.message})`;
      }
      throw new Error(`timed out after ${deadlineMs}ms waiting for two successful scrapes of every preset; targets: ${targets}`);
    }
    await sleep(500);
  }
}

async function query(url: string, metaFile: string, selectorsFile: string, fixture: string, outFile: string): Promise<void> {
  const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as Meta;
  const selectors = JSON.parse(fs.readFileSync(selectorsFile, 'utf8'));
  const prom = new Prom(url);
  const waitStart = Date.now();
  await waitForScrapes(prom, meta, 60_000);
  const waitedMs = Date.now() - waitStart;
  const at = Date.now() / 1000;

  const fixtureText = fs.readFileSync(fixture, 'utf8');
  const fixtureSamples = fixtureText.split('\n').filter(l => l !== '' && !l.startsWith('#')).length;
  const fixtureFamilies = new Set(fixtureText.split('\n').filter(l => l.startsWith('# TYPE ')).map(l => l.split(' ')[2])).size;

  const presets = [];
  const families: Record<string, Record<string, number>> = {};
  for (const p of meta.presets) {
    const sel = `preset="${p.name}"`;
    const all = await prom.scalar(`count({__name__=~".+", ${sel}})`, at);
    const synthetic = await prom.scalar(`count({__name__=~"up|scrape_.+", ${sel}})`, at);
    const syntheticNames = (await prom.query(`count by (__name__) ({__name__=~"up|scrape_.+", ${sel}})`, at)).map(s => s.metric.__name__).sort();
    for (const s of await prom.query(`count by (__name__) ({__name__!~"up|scrape_.+", ${sel}})`, at)) {
      (families[s.metric.__name__] ??= {})[p.name] = Number(s.value[1]);
    }
    presets.push({
      ...p,
      allSeries: all,
      syntheticSeries: synthetic,
      syntheticNames,
      cadvisorSeries: all - synthetic,
      scrapeSamplesScraped: await prom.scalar(`scrape_samples_scraped{${sel}}`, at),
      scrapeSamplesPostMetricRelabeling: await prom.scalar(`scrape_samples_post_metric_relabeling{${sel}}`, at),
      scrapes: await prom.scalar(`count_over_time(up{${sel}}[5m])`, at),
      familiesKept: (await prom.query(`count by (__name__) ({__name__!~"up|scrape_.+", ${sel}})`, at)).length,
    });
  }

  const mixin = [];
  for (const s of selectors.selectors) {
    const matchers = [selectors.cadvisorSelector, s.matchers].filter((m: string) => m).join(', ');
    const expr = `${s.metric}{${matchers}}`;
    const counts: Record<string, number> = {};
    for (const p of meta.presets) {
      counts[p.name] = await prom.scalar(`count(${s.metric}{${matchers}, preset="${p.name}"})`, at);
    }
    mixin.push({ metric: s.metric, selector: expr, usedBy: s.usedBy, counts });
  }

  const metricsText = await prom.text('/metrics');
  const head = /^prometheus_tsdb_head_series (\S+)$/m.exec(metricsText);
  const build = await prom.json('/api/v1/status/buildinfo');

  writeJson(outFile, {
    prometheusVersion: build?.data?.version,
    evaluatedAt: new Date(at * 1000).toISOString(),
    waitedMs,
    fixture: { path: fixture, bytes: Buffer.byteLength(fixtureText), samples: fixtureSamples, families: fixtureFamilies },
    headSeriesTotal: head ? Number(head[1]) : null,
    defaultPreset: meta.defaultPreset,
    scrapeInterval: meta.scrapeInterval,
    target: meta.target,
    presets,
    families,
    mixin,
  });
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'config' && args.length === 3) {
  config(args[0], args[1], args[2]);
} else if (cmd === 'query' && args.length === 5) {
  query(args[0], args[1], args[2], args[3], args[4]).catch(e => {
    console.error(`cardinality: ${e.message}`);
    process.exit(1);
  });
} else {
  throw new Error('usage: cardinality.js config <fixturePort> <prometheus.yml> <meta.json> | '
    + 'query <url> <meta.json> <selectors.json> <fixture.prom> <out.json>');
}
