import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { schemaProblems, Manifest } from './util';
import { constructsChart } from '../examples/constructs';

const root = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const examples = fs.readdirSync(path.join(root, 'examples')).filter(f => f.endsWith('.ts'))
  .map(f => fs.readFileSync(path.join(root, 'examples', f), 'utf8')).join('\n');

/** The quick start with a snippet pasted in, as a program importing what it uses. */
function pasted(snippet: string, all: string[]): string {
  const declared = (s: string) => [...s.matchAll(/const (\w+) =/g)].map(m => m[1]);
  // An identifier in the code, not in a string.
  const uses = (s: string, id: string) => new RegExp(`\\b${id}\\b`).test(s.replace(/'[^'\n]*'|`[^`]*`/g, "''"));
  // The snippets this one builds on (a variable another snippet declares and the quick start does
  // not), first.
  const own = declared(quickStart);
  const chain: string[] = [];
  const add = (s: string) => {
    for (const other of all) {
      const needed = declared(other).filter(id => !own.includes(id) && !declared(s).includes(id) && uses(s, id));
      if (other !== s && !chain.includes(other) && needed.length > 0) add(other);
    }
    if (!chain.includes(s)) chain.push(s);
  };
  add(snippet);
  // And the snippets that use what this one declares (a second stack comes with its scrapes).
  for (const other of all) {
    const uses_ = declared(snippet).filter(id => !own.includes(id) && !declared(other).includes(id) && uses(other, id));
    if (!chain.includes(other) && uses_.length > 0) add(other);
  }
  const code = chain.join('\n');
  const shown = new Set([...code.matchAll(/new (\w+)\(chart, '([^']+)'/g)].map(m => `${m[1]}/${m[2]}`));
  const body = /export function quickstart\(app: App\): Chart \{\n([\s\S]*)  return chart;\n\}/.exec(quickStart)![1];
  // The snippets take the place of the quick start's first statement creating a construct they
  // show again (same class and id; those statements go); else they come last.
  const statements = body.split(/(?<=;)\n/);
  const replaced = statements.map(st => {
    const m = /new (\w+)\(chart, '([^']+)'/.exec(st);
    return m !== null && shown.has(`${m[1]}/${m[2]}`);
  });
  const at = replaced.indexOf(true);
  const kept = statements.flatMap((st, i) => (i === at ? [code] : replaced[i] ? [] : [st]));
  const program = at === -1 ? `${kept.join('\n')}\n${code}` : kept.join('\n');
  const names = (module: object) => Object.keys(module).filter(n => uses(program, n)).sort();
  /* eslint-disable @typescript-eslint/no-require-imports */
  const lib = names(require('../src'));
  const cdk8s = names(require('cdk8s')).filter(n => !['App', 'Chart'].includes(n));
  const plus = names(require('cdk8s-plus-27')).filter(n => !lib.includes(n) && !cdk8s.includes(n));
  /* eslint-enable @typescript-eslint/no-require-imports */
  return [
    `import { App, Chart${cdk8s.map(n => `, ${n}`).join('')} } from 'cdk8s';`,
    plus.length > 0 ? `import { ${plus.join(', ')} } from 'cdk8s-plus-27';` : '',
    `import { ${lib.join(', ')} } from '../../src';`,
    '',
    'export function quickstart(app: App): Chart {',
    program,
    '  return chart;',
    '}',
    '',
  ].join('\n');
}

const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]);
const quickStart = /^## Quick start\s*\n[\s\S]*?```ts\n([\s\S]*?)```/m.exec(readme)![1];

describe('README', () => {

  test('shows a TypeScript example for the quick start and every construct', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(12);
    for (const name of ['PrometheusStack', 'KubeletScrape', 'CadvisorScrape', 'ApiServerScrape', 'ServiceScrape', 'PodPortScrape', 'KubeStateMetrics',
      'BlackboxExporter', 'ServiceProbe', 'IngressProbe', 'NodeExporter']) {
      expect(readme).toContain(`### ${name}`);
    }
  });

  test.each(blocks.map((b, i) => [i, b]))('code block %i appears verbatim in a compiled example', (_i, block) => {
    // The README shows a user's import; the examples import the source.
    expect(examples).toContain(block.replace(/from 'cdk8s-prometheus'/g, "from '../src'"));
  });

  test('the quick start imports from the package, as a user\'s app does', () => {
    expect(quickStart).toContain("} from 'cdk8s-prometheus';");
    expect(quickStart).not.toContain("'../src'");
  });

  // Every snippet, pasted into the quick start as a reader would (replacing the quick start's line
  // for a construct it shows again, after the snippets it builds on), compiles and synthesizes.
  const snippets = blocks.filter(b => b !== quickStart);
  test.each(snippets.map((b, i) => [i, b.split('\n')[0].trim(), b]))('snippet %i (%s) works pasted into the quick start', (i, _first, snippet) => {
    const source = pasted(snippet as string, snippets);
    const dir = path.join(root, '.cache', 'readme-paste');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `snippet-${i}.ts`);
    fs.writeFileSync(file, source);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the generated program, compiled by ts-jest
    const program = require(file) as { quickstart(app: App): Chart };
    const ms = Testing.synth(program.quickstart(Testing.app() as App)) as Manifest[];
    expect(ms.length).toBeGreaterThan(5);
    expect(schemaProblems(ms)).toEqual([]);
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
