/**
 * Timed process, library side: synthesizes examples/production.ts into the directory given as
 * the first argument (production.k8s.yaml).
 *
 *   node bench/.work/js/bench/synth-lib.js <outdir>
 */
import { App } from 'cdk8s';
import { productionStack } from '../examples/production';

const outdir = process.argv[2];
if (!outdir) throw new Error('usage: synth-lib.js <outdir>');
const app = new App({ outdir });
productionStack(app);
app.synth();
