/**
 * Timed process for the scaling benchmark: a stack with N scrape jobs of every kind (see
 * scaleStack), synthesized into <outdir>.
 *
 *   node bench/.work/js/bench/synth-scale.js <n> <outdir>                  # the timed run
 *   node bench/.work/js/bench/synth-scale.js <n> <outdir> --stats <json>  # plus phase times and sizes
 *
 * With --stats the process also records, in-process, how long construction and `app.synth()`
 * took, and what was produced (objects, scrape jobs, prometheus.yml bytes): not part of the
 * timed runs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App } from 'cdk8s';
import { PrometheusStack } from '../src';
import { scaleStack, writeJson } from './common';

const [nArg, outdir, flag, statsFile] = process.argv.slice(2);
const n = Number(nArg);
if (!Number.isInteger(n) || n < 1 || !outdir || (flag !== undefined && (flag !== '--stats' || !statsFile))) {
  throw new Error('usage: synth-scale.js <n> <outdir> [--stats <json>]');
}

// Warnings (a prometheus.yml over 256 KiB) are expected at 1,000 jobs; keep stderr for errors.
process.removeAllListeners('warning');
const warnings: string[] = [];
process.on('warning', w => warnings.push(w.message));

const t0 = performance.now();
const app = new App({ outdir });
const chart = scaleStack(app, n);
const t1 = performance.now();
app.synth();
const t2 = performance.now();

// process.emitWarning delivers on the next tick: write the stats after it.
if (statsFile) setImmediate(writeStats);

function writeStats(): void {
  const stack = chart.node.findAll().find((c): c is PrometheusStack => c instanceof PrometheusStack)!;
  const yamlFile = path.join(outdir, `${chart.node.id}.k8s.yaml`);
  const config = stack.renderConfig();
  writeJson(statsFile, {
    n,
    constructMs: t1 - t0,
    synthMs: t2 - t1,
    objects: chart.toJson().length,
    scrapeJobs: stack.scrapes.length,
    configBytes: Buffer.byteLength(config, 'utf8'),
    manifestBytes: fs.statSync(yamlFile).size,
    warnings,
  });
}
