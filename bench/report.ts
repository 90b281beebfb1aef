/**
 * Writes bench/RESULTS.md from what bench/run.sh left in bench/.work/.
 *
 *   node bench/.work/js/bench/report.js <RESULTS.md>
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { median, ROOT, WORK } from './common';
import { HotFunction } from './cpuprofile';

const SIZES = [10, 100, 1000];
const TARGET_OVERHEAD = 1.2;
const TARGET_TIME_RATIO = 11;
const TARGET_RSS_RATIO = 2;
const TARGET_KEPT_PERCENT = 50;
/** Below this many ms (40 samples at 500 µs) a function's growth is sampling noise, shown in parentheses. */
const FEW_SAMPLES_MS = 20;

const read = (rel: string) => JSON.parse(fs.readFileSync(path.join(WORK, rel), 'utf8'));
const exists = (rel: string) => fs.existsSync(path.join(WORK, rel));

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;
const num = (n: number) => n.toLocaleString('en-US');
const pct = (x: number) => `${x.toFixed(1)}%`;
const pass = (ok: boolean) => (ok ? '**met**' : '**NOT met**');

interface HyperfineResult { command: string; mean: number; stddev: number; median: number; min: number; max: number; times: number[] }

function hyperfine(rel: string): Map<string, HyperfineResult> {
  return new Map((read(rel).results as HyperfineResult[]).map(r => [r.command, r]));
}

function machine(): string[] {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? /^Hardware\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown';
  const memKb = Number(/^MemTotal:\s*(\d+) kB$/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  const osName = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(fs.existsSync('/etc/os-release') ? fs.readFileSync('/etc/os-release', 'utf8') : '')?.[1] ?? os.type();
  const commit = sh('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = sh('git', ['status', '--porcelain', '--', 'src', 'examples']).split('\n').filter(l => l).length;
  return [
    '| | |',
    '|---|---|',
    `| nproc | ${sh('nproc', [])} |`,
    `| CPU (/proc/cpuinfo) | ${model} |`,
    `| memory (MemTotal) | ${(memKb / 2 ** 20).toFixed(1)} GiB |`,
    `| OS, kernel | ${osName}, ${os.release()} |`,
    `| node | ${process.version} |`,
    `| hyperfine | ${process.env.HYPERFINE_VERSION ?? '?'} |`,
    `| Prometheus | ${process.env.PROMETHEUS_VERSION_LINE || 'not run'} |`,
    `| date | ${new Date().toISOString()} |`,
    `| commit | ${commit || '?'}${dirty ? ` plus uncommitted changes in ${dirty} file(s) of src/ and examples/ (measured as found)` : ''} |`,
  ];
}

function hotTable(rows: HotFunction[], n: number): string[] {
  return [
    '| function | location | ms | % of profile |',
    '|---|---|---:|---:|',
    ...rows.slice(0, n).map(r => `| \`${r.function}\` | ${r.location} | ${r.ms.toFixed(1)} | ${r.percent.toFixed(1)} |`),
  ];
}

// ---- 1 ---------------------------------------------------------------------------------------------
function overhead(): { lines: string[]; ratio: number } {
  const rounds = [1, 2, 3].map(k => hyperfine(`overhead/hyperfine-${k}.json`));
  const pooled = (name: string): HyperfineResult => {
    const times = rounds.flatMap(h => h.get(name)!.times);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    const stddev = Math.sqrt(times.reduce((a, b) => a + (b - mean) ** 2, 0) / (times.length - 1));
    return { command: name, mean, stddev, median: median(times), min: Math.min(...times), max: Math.max(...times), times };
  };
  const lib = pooled('library');
  const floor = pooled('floor');
  const ratio = lib.median / floor.median;
  const perRound = rounds.map(h => (h.get('library')!.median / h.get('floor')!.median).toFixed(3));
  const yaml = fs.readFileSync(path.join(WORK, 'overhead/lib/production.k8s.yaml'));
  const objects = read('overhead/objects.json').objects.length;
  const prof = read('overhead/profile.json');
  const row = (name: string, r: HyperfineResult) =>
    `| ${name} | ${ms(r.median)} | ${ms(r.mean)} ± ${ms(r.stddev)} | ${ms(r.min)} | ${ms(r.max)} | ${r.times.length} |`;
  return {
    ratio,
    lines: [
      '## 1. Synthesis overhead vs the floor',
      '',
      'Whole process, `node` to exit, on the production chart (`examples/production.ts`). **library**: '
      + '`productionStack(app); app.synth()` on the compiled library (lib/, from `npx projen compile`). **floor**: the '
      + 'same packages loaded (cdk8s, cdk8s-plus-27, constructs and this library), then the production chart\'s objects, '
      + 'precomputed by one library synth and saved as JSON, emitted with plain `new ApiObject(chart, id, json)` and '
      + '`app.synth()`.',
      '',
      `Byte-identity: both write \`production.k8s.yaml\` of ${num(yaml.length)} bytes (${objects} objects, sha256 `
      + `\`${createHash('sha256').update(yaml).digest('hex').slice(0, 16)}…\`), compared with \`cmp\` before timing and `
      + 'after each round; the run fails if they differ.',
      '',
      'hyperfine (`-N`, no shell), three rounds of 2 warm-up and 10 timed runs of each process, pooled (the CPU is shared: '
      + 'rounds spread a change of load over both sides):',
      '',
      '| process | median | mean ± σ | min | max | runs |',
      '|---|---:|---:|---:|---:|---:|',
      row('library', lib),
      row('floor', floor),
      '',
      `**median(library) / median(floor) = ${ratio.toFixed(3)}** (target ≤ ${TARGET_OVERHEAD}: ${pass(ratio <= TARGET_OVERHEAD)}); `
      + `the library's own work costs ${ms(lib.median - floor.median)} per synth. Per round: ${perRound.join(', ')}; `
      + `min(library)/min(floor) = ${(lib.min / floor.min).toFixed(3)}.`,
      '',
      'Where that goes: CPU profile of one library synth (`node --cpu-prof`, 200 µs sampling, src compiled by tsc '
      + `with source maps; ${prof.totalMs.toFixed(0)} ms profiled, GC ${prof.gcMs.toFixed(1)} ms). Library functions by total `
      + 'time (self plus callees; nested entries overlap):',
      '',
      ...hotTable(prof.libraryInclusiveTop, 12),
      '',
    ],
  };
}

// ---- 2 ---------------------------------------------------------------------------------------------
interface ScaleRow {
  n: number;
  jobs: number;
  objects: number;
  configBytes: number;
  manifestBytes: number;
  wall: HyperfineResult;
  rssKb: number;
  constructMs: number;
  synthMs: number;
}

function scaling(): { lines: string[]; timeRatio: number; rssRatio: number; superLinear: boolean } {
  const h = hyperfine('scale/hyperfine.json');
  const rows: ScaleRow[] = SIZES.map(n => {
    const stats = [1, 2, 3].map(k => read(`scale/stats-${n}-${k}.json`));
    const times = [1, 2, 3, 4, 5].map(k => fs.readFileSync(path.join(WORK, `scale/time-${n}-${k}.txt`), 'utf8').trim().split('\n').pop()!.split(' ').map(Number));
    return {
      n,
      jobs: stats[0].scrapeJobs,
      objects: stats[0].objects,
      configBytes: stats[0].configBytes,
      manifestBytes: stats[0].manifestBytes,
      wall: h.get(`n${n}`)!,
      rssKb: median(times.map(t => t[1])),
      constructMs: median(stats.map(s => s.constructMs)),
      synthMs: median(stats.map(s => s.synthMs)),
    };
  });
  const by = (n: number) => rows.find(r => r.n === n)!;
  const timeRatio = by(1000).wall.median / by(100).wall.median;
  const rssRatio = by(1000).rssKb / by(100).rssKb;
  const inproc = (r: ScaleRow) => r.constructMs + r.synthMs;
  const inprocRatio = inproc(by(1000)) / inproc(by(100));
  const marginal = (a: ScaleRow, b: ScaleRow) => (inproc(b) - inproc(a)) / (b.n - a.n);
  const m1 = marginal(by(10), by(100));
  const m2 = marginal(by(100), by(1000));
  const superLinear = timeRatio > TARGET_TIME_RATIO || inprocRatio > TARGET_TIME_RATIO || m2 > 1.5 * m1;

  const p100 = read('scale/profile-100.json');
  const p1000 = read('scale/profile-1000.json');
  const at100 = new Map<string, HotFunction>((p100.libraryInclusiveTop as HotFunction[]).map(r => [`${r.function} ${r.location}`, r]));
  const growth = (p1000.libraryInclusiveTop as HotFunction[]).slice(0, 15).map(r => {
    const before = at100.get(`${r.function} ${r.location}`);
    const ratio = before ? r.ms / before.ms : undefined;
    const few = !!before && before.ms < FEW_SAMPLES_MS;
    const shown = ratio === undefined ? '—' : few ? `(${ratio.toFixed(1)})` : `${ratio.toFixed(1)}${ratio > TARGET_TIME_RATIO ? ' ⚠' : ''}`;
    return `| \`${r.function}\` | ${r.location} | ${before ? before.ms.toFixed(1) : '< top 40'} | ${r.ms.toFixed(1)} | ${shown} |`;
  });

  return {
    timeRatio,
    rssRatio,
    superLinear,
    lines: [
      '## 2. Scaling',
      '',
      'One PrometheusStack with N scrape jobs, the six kinds in turn (KubeletScrape, CadvisorScrape, ApiServerScrape, '
      + 'ServiceScrape in a namespace of its own, PodPortScrape in a namespace of its own, KubeStateMetrics in a '
      + 'namespace of its own), each with its own jobName (`bench/common.ts` `scaleStack`); the stack adds its '
      + 'self-scrape job. Wall time: hyperfine (`-N`, 2 warm-up runs, 10 runs, median), whole process. Peak RSS: '
      + '`/usr/bin/time -f \'%e %M\'`, median of 5 runs. Construct and synth: in-process `performance.now()` around '
      + '`scaleStack()` and `app.synth()`, median of 3 separate runs.',
      '',
      '| N | scrape jobs | objects | prometheus.yml | manifest | wall (median) | peak RSS | construct | synth |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows.map(r => `| ${num(r.n)} | ${num(r.jobs)} | ${num(r.objects)} | ${num(r.configBytes)} B | ${num(r.manifestBytes)} B | `
        + `${ms(r.wall.median)} | ${(r.rssKb / 1024).toFixed(1)} MiB | ${r.constructMs.toFixed(0)} ms | ${r.synthMs.toFixed(0)} ms |`),
      '',
      `- **t(1000)/t(100) = ${timeRatio.toFixed(2)}** (whole process; target ≤ ${TARGET_TIME_RATIO}: ${pass(timeRatio <= TARGET_TIME_RATIO)})`,
      `- **RSS(1000)/RSS(100) = ${rssRatio.toFixed(2)}** (target ≤ ${TARGET_RSS_RATIO}: ${pass(rssRatio <= TARGET_RSS_RATIO)})`,
      `- in-process construct + synth: ${inprocRatio.toFixed(2)}× from 100 to 1,000 jobs; marginal cost per job `
      + `${m1.toFixed(2)} ms (10→100) and ${m2.toFixed(2)} ms (100→1,000).`,
      `- Verdict: ${superLinear
        ? '**super-linear** (a ratio above 11, or the marginal cost per job growing by more than half): see the profiles below.'
        : 'linear within noise (no ratio above 11, marginal cost per job not growing by more than half).'}`,
      '',
      'Library functions by total time, CPU profiles (`node --cpu-prof`, 500 µs sampling, src compiled by tsc with '
      + `source maps) at 100 jobs (${p100.totalMs.toFixed(0)} ms profiled) and 1,000 jobs (${p1000.totalMs.toFixed(0)} ms profiled); `
      + 'growth above 11× for 10× the jobs is marked ⚠; in parentheses when the function had under '
      + `${FEW_SAMPLES_MS} ms at 100 jobs (too few samples to tell). Times at 100 jobs still include JIT warm-up, which `
      + 'lands on whichever call site runs first: judge a ⚠ on one call site against its callers and the totals above.',
      '',
      '| function | location | ms at 100 | ms at 1,000 | growth |',
      '|---|---|---:|---:|---:|',
      ...growth,
      '',
      `Most self time at 1,000 jobs (any code; GC ${p1000.gcMs.toFixed(0)} ms):`,
      '',
      ...hotTable(p1000.selfTop, 8),
      '',
    ],
  };
}

// ---- 3 ---------------------------------------------------------------------------------------------
interface CardinalitySummary { lines: string[]; defaultCell: string; defaultMeets: boolean; meetingCell: string }

function cardinality(): CardinalitySummary {
  const r = read('cardinality/result.json');
  const presets = r.presets as any[];
  const none = presets.find(p => p.name === 'none');
  const base = none.cadvisorSeries as number;
  const shipped = presets.filter(p => !p.candidate);
  const label = (p: any) => `${p.candidate ? 'bench candidate' : `\`${p.constant}\``}${p.isDefault ? ' (default)' : ''}`;
  const lost = (p: any) => (r.mixin as any[]).reduce((s, m) => s + Math.max(0, m.counts.none - (m.counts[p.name] ?? 0)), 0);
  const lostSelectors = (p: any) => (r.mixin as any[]).filter(m => (m.counts[p.name] ?? 0) < m.counts.none).length;
  const meets = (p: any) => (100 * p.cadvisorSeries) / base <= TARGET_KEPT_PERCENT && lost(p) === 0;
  const families = Object.entries(r.families as Record<string, Record<string, number>>)
    .sort((a, b) => (b[1].none ?? 0) - (a[1].none ?? 0) || a[0].localeCompare(b[0]));
  const cell = (v: number | undefined) => (v ? num(v) : '—');
  const candidate = presets.find(p => p.candidate);
  const defaultPreset = presets.find(p => p.isDefault);

  const lines = [
    '## 3. Cardinality of the cAdvisor presets',
    '',
    `The real Prometheus (${r.prometheusVersion}, from \`e2e/tools/build.sh prometheus\`) on 127.0.0.1 only, with a temporary `
    + `TSDB directory, scrapes \`${r.fixture.path}\` (kubelet v1.35 \`/metrics/cadvisor\`, ${num(r.fixture.bytes)} bytes, `
    + `${num(r.fixture.samples)} samples in ${r.fixture.families} families) served by a tiny Node HTTP server on 127.0.0.1 at `
    + '`/metrics/cadvisor` (`bench/serve-fixture.ts`).',
    '',
    'One CadvisorScrape per preset is built with the library and its job taken from `stack.renderConfig()` (parsed with '
    + '`yaml`). Kept exactly as rendered: '
    + `${(presets[0].keptKeys as string[]).map(k => `\`${k}\``).join(', ')} (so \`honor_timestamps: ${presets[0].honorTimestamps}\`, `
    + `\`metrics_path: ${presets[0].metricsPath}\`, the \`job="kubelet"\`/\`metrics_path\` target labels, and every metric relabel rule). `
    + `Replaced: ${(presets[0].replacedKeys as string[]).map(k => `\`${k}\``).join(', ')}, by \`scheme: http\` and one `
    + `\`static_configs\` target, \`${r.target}\`, labelled \`preset="<name>"\` to tell the jobs apart. (The \`node\` target label `
    + 'comes from a discovery meta label and is absent here.) Global `scrape_interval`/`scrape_timeout` '
    + `${r.scrapeInterval}; the queries run once every preset's target had two successful scrapes (${(r.waitedMs / 1000).toFixed(1)} s).`,
    '',
    'Series counted: `count({__name__=~".+", preset="<name>"})` minus the synthetic per-target series '
    + `(\`count({__name__=~"up|scrape_.+", preset="<name>"})\` = ${presets[0].syntheticSeries}: ${(presets[0].syntheticNames as string[]).join(', ')}), `
    + 'i.e. the cAdvisor series in the head block; cross-checked against `scrape_samples_post_metric_relabeling`. '
    + `\`prometheus_tsdb_head_series\` (all jobs together, synthetic series included) was ${num(r.headSeriesTotal)} = `
    + `${presets.map(p => num(p.allSeries)).join(' + ')}.`,
    '',
    '| preset | cAdvisor series | % of all | families | post-relabel samples | mixin series lost | ≤ 50% and none lost |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...presets.map(p => `| ${label(p)} | ${num(p.cadvisorSeries)} | ${pct((100 * p.cadvisorSeries) / base)} | ${p.familiesKept} | `
      + `${num(p.scrapeSamplesPostMetricRelabeling)} | ${lost(p)}${lostSelectors(p) ? ` (${lostSelectors(p)} selector${lostSelectors(p) > 1 ? 's' : ''})` : ''} | ${meets(p) ? 'yes' : 'no'} |`),
    '',
    `"% of all" is relative to NONE (${num(base)} series = every sample of the payload; NONE only drops \`container_label_*\` labels).`,
    '',
    '### Series the kubernetes-mixin uses',
    '',
    'Every cAdvisor selector of the kubernetes-mixin\'s recording rules and alerts, with kube-prometheus\'s '
    + '`cadvisorSelector` (`job="kubelet", metrics_path="/metrics/cadvisor"`), listed with their source files in '
    + '`bench/mixin-cadvisor-selectors.json`. Query per preset: `count(<selector>{…, preset="<name>"})`.',
    '',
    `| selector | used by | ${presets.map(p => (p.candidate ? 'candidate' : p.name)).join(' | ')} |`,
    `|---|---|${presets.map(() => '---:').join('|')}|`,
    ...(r.mixin as any[]).map(m => `| \`${m.selector}\` | ${(m.usedBy as any[]).map(u => `${u.file}: ${u.rule}`).join('; ')} | `
      + presets.map(p => {
        const v = m.counts[p.name] ?? 0;
        return v < m.counts.none ? `**${v}** (lost ${m.counts.none - v})` : `${v}`;
      }).join(' | ') + ' |'),
    '',
    '### Largest families',
    '',
    `| family | ${presets.map(p => (p.candidate ? 'candidate' : p.name)).join(' | ')} |`,
    `|---|${presets.map(() => '---:').join('|')}|`,
    ...families.slice(0, 15).map(([name, c]) => `| \`${name}\` | ${presets.map(p => cell(c[p.name])).join(' | ')} |`),
    '',
    `(${families.length} families in all; — = dropped entirely.)`,
    '',
    '### Verdict',
    '',
    `- Target: the default preset keeps at most ${TARGET_KEPT_PERCENT}% of the series with no mixin-used series lost. The default is `
    + `\`${defaultPreset?.constant}\`: ${defaultPreset && meets(defaultPreset) ? 'it **meets** the target.' : 'it does **not** meet the target'}`
    + `${defaultPreset && !meets(defaultPreset) ? ` (${pct((100 * defaultPreset.cadvisorSeries) / base)} kept, ${lost(defaultPreset)} mixin series lost).` : ''}`,
    `- Shipped presets meeting it: ${shipped.filter(meets).map(p => `\`${p.constant}\``).join(', ') || '**none**'}.`,
  ];
  if (candidate) {
    lines.push(`- The bench candidate (not in the library) ${meets(candidate) ? 'meets it' : 'does not meet it either'}: `
      + `${pct((100 * candidate.cadvisorSeries) / base)} kept, ${lost(candidate)} mixin series lost. It is \`${candidate.constant}\` with these `
      + 'extra rules (`bench/cardinality.ts`):',
    '',
    '```yaml',
    ...(candidate.extraRules as any[]).map(x => `- ${JSON.stringify(x)}`),
    '```');
  }
  lines.push('');
  const shippedMeeting = shipped.filter(meets).map(p => `\`${p.constant}\``);
  return {
    lines,
    defaultCell: defaultPreset
      ? `\`${defaultPreset.constant}\`: ${pct((100 * defaultPreset.cadvisorSeries) / base)} kept, ${lost(defaultPreset)} lost`
      : 'no default found',
    defaultMeets: !!defaultPreset && meets(defaultPreset),
    meetingCell: `${shippedMeeting.length ? shippedMeeting.join(', ') : 'none of the shipped presets'}`
      + `${candidate && meets(candidate) ? '; the bench candidate does' : ''}`,
  };
}

// ---------------------------------------------------------------------------------------------------
const out = process.argv[2];
if (!out) throw new Error('usage: report.js <RESULTS.md>');
const phases: Record<string, string> = Object.fromEntries(fs.readFileSync(path.join(WORK, 'phases.env'), 'utf8').trim().split('\n').map(l => l.split('=')));
const o = exists('overhead/hyperfine-1.json') ? overhead() : undefined;
const s = exists('scale/hyperfine.json') ? scaling() : undefined;
const c = exists('cardinality/result.json') ? cardinality() : undefined;
const total = process.env.BENCH_START ? Math.round(Date.now() / 1000 - Number(process.env.BENCH_START)) : undefined;
const notRun = (title: string) => [title, '', 'Not run (`bash bench/run.sh` was given other parts).', ''];
const phase = (key: string, name: string) => (phases[key] !== undefined ? [`${name} ${phases[key]} s`] : []);

const md = [
  '# Benchmarks',
  '',
  'Written by `bash bench/run.sh` (`npm run bench`) from a real run; do not edit by hand. The CPU is shared with other '
  + 'work, so absolute times vary between runs: compare the ratios, which come from one run.',
  '',
  '## Summary',
  '',
  '| measure | result | target | |',
  '|---|---:|---:|---|',
  ...(o ? [`| synth overhead, median(library)/median(floor) | ${o.ratio.toFixed(3)} | ≤ ${TARGET_OVERHEAD} | ${pass(o.ratio <= TARGET_OVERHEAD)} |`] : []),
  ...(s ? [
    `| scaling, t(1000)/t(100) | ${s.timeRatio.toFixed(2)} | ≤ ${TARGET_TIME_RATIO} | ${pass(s.timeRatio <= TARGET_TIME_RATIO)} |`,
    `| scaling, RSS(1000)/RSS(100) | ${s.rssRatio.toFixed(2)} | ≤ ${TARGET_RSS_RATIO} | ${pass(s.rssRatio <= TARGET_RSS_RATIO)} |`,
  ] : []),
  ...(c ? [
    `| default cAdvisor preset: series kept, mixin-used series lost | ${c.defaultCell} | ≤ ${TARGET_KEPT_PERCENT}%, 0 | ${pass(c.defaultMeets)} |`,
    `| cAdvisor presets meeting that target | ${c.meetingCell} | | |`,
  ] : []),
  '',
  '## Machine',
  '',
  ...machine(),
  '',
  ...(o ? o.lines : notRun('## 1. Synthesis overhead vs the floor')),
  ...(s ? s.lines : notRun('## 2. Scaling')),
  ...(c ? c.lines : notRun('## 3. Cardinality of the cAdvisor presets')),
  '## Run',
  '',
  `\`bash bench/run.sh\` took ${total ?? '?'} s up to this report: `
  + [...phase('compile_s', 'compile (`npx projen compile`, tsc)'), ...phase('overhead_s', 'overhead'),
    ...phase('scaling_s', 'scaling'), ...phase('cardinality_s', 'cardinality')].join(', ')
  + '. Scratch files are in '
  + '`bench/.work/` (git-ignored): hyperfine JSON, CPU profiles (`*.cpuprofile`, open in Chrome DevTools), the bench\'s '
  + 'prometheus.yml and the raw query results.',
  '',
];
fs.writeFileSync(out, md.join('\n'));
