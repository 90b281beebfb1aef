import * as fs from 'fs';
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import { schemaProblems, Manifest } from './util';
import { constructsChart } from '../examples/constructs';

const root = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const examples = fs.readdirSync(path.join(root, 'examples')).filter(f => f.endsWith('.ts'))
  .map(f => fs.readFileSync(path.join(root, 'examples', f), 'utf8')).join('\n');

describe('README', () => {
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]);

  test('shows a TypeScript example for the quick start and every construct', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(12);
    for (const name of ['PrometheusStack', 'KubeletScrape', 'CadvisorScrape', 'ApiServerScrape', 'ServiceScrape', 'PodPortScrape', 'KubeStateMetrics',
      'BlackboxExporter', 'ServiceProbe', 'IngressProbe', 'NodeExporter']) {
      expect(readme).toContain(`### ${name}`);
    }
  });

  test.each(blocks.map((b, i) => [i, b]))('code block %i appears verbatim in a compiled example', (_i, block) => {
    expect(examples).toContain(block);
  });

  test('starts with the two commands for a fresh machine', () => {
    const firstSh = /```sh\n([\s\S]*?)```/.exec(readme)![1];
    expect(firstSh).toMatch(/^npm ci && npx projen synth:examples/m);
    expect(firstSh).toMatch(/^npm ci && npx projen test/m);
  });

  test('the per-construct snippets synthesize to schema-valid objects', () => {
    const ms = Testing.synth(constructsChart(Testing.app() as App)) as Manifest[];
    expect(schemaProblems(ms)).toEqual([]);
  });
});
