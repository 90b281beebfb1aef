/**
 * Timed process, floor side: loads the same packages as the library process (cdk8s,
 * cdk8s-plus-27, constructs and this library), then emits the precomputed objects of the
 * production chart through plain `new ApiObject(chart, id, json)`. Whatever the library process
 * spends beyond this is the library's own work: building constructs, validating, deriving RBAC,
 * rendering prometheus.yml.
 *
 *   node bench/.work/js/bench/synth-floor.js <outdir> <objects.json>
 */
import * as fs from 'fs';
import { ApiObject, App, Chart } from 'cdk8s';
// Loaded only for their module-load cost, which the library process pays too.
import 'cdk8s-plus-27';
import 'constructs';
import '../src';

const [outdir, objectsFile] = process.argv.slice(2);
if (!outdir || !objectsFile) throw new Error('usage: synth-floor.js <outdir> <objects.json>');
const { chartId, objects } = JSON.parse(fs.readFileSync(objectsFile, 'utf8')) as { chartId: string; objects: any[] };
const app = new App({ outdir });
const chart = new Chart(app, chartId);
objects.forEach((obj, i) => new ApiObject(chart, `o${i}`, obj));
app.synth();
