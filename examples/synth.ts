/**
 * Synthesizes every example chart into dist/<chart>.k8s.yaml, plus each stack's prometheus.yml
 * as dist/<chart>.<stack>.prometheus.yml (what the e2e suite feeds to promtool and Prometheus).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { Alertmanager, PrometheusStack } from '../src';
import { agentStack } from './agent';
import { bookStack } from './book';
import { constructsChart } from './constructs';
import { discoveryStack } from './discovery';
import { productionStack } from './production';
import { quickstart } from './quickstart';
import { webStack } from './web';

export const EXAMPLES: Array<(app: App) => Chart> = [quickstart, bookStack, productionStack, agentStack, discoveryStack, webStack];

const outdir = path.resolve(__dirname, '..', 'dist');
// Only our own outputs: dist/js holds the npm package built by `projen package`.
fs.mkdirSync(outdir, { recursive: true });
for (const f of fs.readdirSync(outdir)) {
  if (f.endsWith('.k8s.yaml') || f.endsWith('.prometheus.yml') || f.endsWith('.rules.yml') || f.endsWith('.alertmanager.yml')) {
    fs.rmSync(path.join(outdir, f));
  }
}
const app = new App({ outdir });
const charts = EXAMPLES.map(build => build(app));
app.synth();
for (const chart of charts) {
  for (const stack of chart.node.findAll().filter((c): c is PrometheusStack => c instanceof PrometheusStack)) {
    fs.writeFileSync(path.join(outdir, `${chart.node.id}.${stack.name}.prometheus.yml`), stack.renderConfig());
    const rules = stack.renderRules();
    if (rules !== undefined) fs.writeFileSync(path.join(outdir, `${chart.node.id}.${stack.name}.rules.yml`), rules);
  }
}
// Each Alertmanager's alertmanager.yml (what the e2e suite feeds to amtool), also those of the
// README snippets (examples/constructs.ts), which are not deployed.
const snippets = constructsChart(new App({ outdir: os.tmpdir() }) /* never synthesized */);
for (const chart of [...charts, snippets]) {
  for (const am of chart.node.findAll().filter((c): c is Alertmanager => Alertmanager.isAlertmanager(c))) {
    fs.writeFileSync(path.join(outdir, `${chart.node.id}.${am.serviceName}.alertmanager.yml`), am.renderConfig());
  }
}
for (const f of fs.readdirSync(outdir).filter(x => x.endsWith('.yaml') || x.endsWith('.yml')).sort()) console.log(path.join('dist', f));
