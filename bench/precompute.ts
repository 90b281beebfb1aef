/**
 * Synthesizes the production chart once with the library and saves its objects (resolved JSON,
 * in output order) for the floor process.
 *
 *   node bench/.work/js/bench/precompute.js <outdir> <objects.json>
 */
import { App } from 'cdk8s';
import { writeJson } from './common';
import { productionStack } from '../examples/production';

const [outdir, objectsFile] = process.argv.slice(2);
if (!outdir || !objectsFile) throw new Error('usage: precompute.js <outdir> <objects.json>');
const app = new App({ outdir });
const chart = productionStack(app);
app.synth();
const objects = chart.toJson();
writeJson(objectsFile, { chartId: chart.node.id, objects });
console.log(`${objects.length} objects of chart ${chart.node.id} -> ${objectsFile}`);
