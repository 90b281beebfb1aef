/**
 * Synthesizes every example into dist/<example>/<chart>.k8s.yaml, plus each stack's
 * prometheus.yml beside it (what the e2e suite feeds to promtool and Prometheus).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { PrometheusStack } from '../src';
import { bookStack } from './book';
import { productionStack } from './production';
import { quickstart } from './quickstart';

export const EXAMPLES: Record<string, (app: App) => Chart> = {
  quickstart,
  book: bookStack,
  production: productionStack,
};

const outRoot = path.resolve(__dirname, '..', 'dist');
for (const [name, build] of Object.entries(EXAMPLES)) {
  const outdir = path.join(outRoot, name);
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir });
  const chart = build(app);
  app.synth();
  for (const stack of chart.node.findAll().filter((c): c is PrometheusStack => c instanceof PrometheusStack)) {
    fs.writeFileSync(path.join(outdir, `${stack.name}.prometheus.yml`), stack.renderConfig());
  }
  console.log(`${name}: ${fs.readdirSync(outdir).map(f => path.join('dist', name, f)).join(' ')}`);
}
