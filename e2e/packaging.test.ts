/**
 * The published packages work for a user: each one is installed the way a user installs it, in a
 * fresh app outside this repository's node_modules, runs the README's quick start, and must write
 * the same Kubernetes YAML as the library's own example (dist/monitoring.k8s.yaml from
 * `npx projen synth:examples`).
 *
 *  - npm: the packed tarball (dist/js) in a new cdk8s TypeScript app, `npx cdk8s synth`.
 *  - PyPI: the wheel (dist/python) in a new virtualenv with its dependencies from PyPI.
 *  - Go: the generated module (dist/go, source only: `package:go` runs jsii-pacmak --code-only)
 *    with cdk8s-core-go and cdk8s-plus-go generated locally by jsii-pacmak from the npm packages
 *    (the Go module proxy refuses cdk8s-team's modules here; constructs-go and jsii-runtime-go
 *    come from the proxy).
 *
 * It needs the package registries, so it runs OUTSIDE e2e/run.sh's network namespace, from the
 * repository root:
 *
 *   TS_NODE_PROJECT=e2e/tsconfig.json TS_NODE_TRANSPILE_ONLY=1 \
 *     node --require ts-node/register --test e2e/packaging.test.ts
 *
 * Missing or stale packages (older than src/) are built first by e2e/packaging/build.sh.
 * Work directories: e2e/.work/packaging/; logs of every step: e2e/.work/packaging/logs/.
 * Caches: ~/.npm, ~/.cache/pip, Go's GOMODCACHE and GOCACHE, and the generated Go bindings in
 * ${CDK8S_PROM_CACHE:-~/.cache/cdk8s-prometheus}/packaging/.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ROOT, WORK } from './lib/tools';

const SCRIPTS = path.join(ROOT, 'e2e', 'packaging');
const DIR = path.join(WORK, 'packaging');
const LOGS = path.join(DIR, 'logs');
const REFERENCE = path.join(ROOT, 'dist', 'monitoring.k8s.yaml');
const TIMEOUT = 20 * 60_000;
const inNamespace = process.env.CDK8S_PROM_E2E_NS === '1';

interface Run { code: number; stdout: string; output: string; seconds: number; log: string }

/** This process's environment without the ts-node settings of this run, which a user's app does not have. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TS_NODE_')) env[k] = v;
  return env;
}

/** Runs a command from the repository root, its output (stdout, then stderr) to logs/<step>.txt. */
function run(step: string, command: string, args: string[]): Run {
  fs.mkdirSync(LOGS, { recursive: true });
  const log = path.join(LOGS, `${step}.txt`);
  const start = process.hrtime.bigint();
  const res = spawnSync(command, args, {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: childEnv(),
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const output = `${res.stdout ?? ''}${res.stderr ?? ''}${res.error ? `\n${res.error.message}` : ''}`;
  fs.writeFileSync(log, output);
  console.log(`${step}: ${seconds.toFixed(1)}s (exit ${res.status}, log ${path.relative(ROOT, log)})`);
  return { code: res.status ?? 1, stdout: res.stdout ?? '', output, seconds, log };
}

/** Runs e2e/packaging/<file> with bash. */
function script(step: string, file: string, args: string[] = []): Run {
  return run(step, 'bash', [path.join(SCRIPTS, file), ...args]);
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function mustSucceed(step: Run, what: string): void {
  assert.equal(step.code, 0, `${what} failed (full log: ${path.relative(ROOT, step.log)}):\n${tail(step.output)}`);
}

/** The YAML documents of a file, as plain data. */
function documents(file: string): unknown[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => {
    assert.deepEqual(d.errors, [], `${file} does not parse`);
    return d.toJS();
  });
}

/** The app's output equals the example's, document by document; says whether the bytes match too. */
function assertSameAsExample(file: string, label: string): void {
  assert.ok(fs.existsSync(file), `${label} wrote no ${path.relative(ROOT, file)}`);
  const expected = documents(REFERENCE);
  const actual = documents(file);
  assert.deepEqual(actual, expected, `${label}: ${path.relative(ROOT, file)} differs from dist/monitoring.k8s.yaml`);
  const bytes = fs.readFileSync(file, 'utf8') === fs.readFileSync(REFERENCE, 'utf8');
  const kinds = actual.map(d => (d as { kind?: string }).kind).join(', ');
  console.log(`${label}: ${actual.length} documents equal to dist/monitoring.k8s.yaml (${kinds}); bytes ${bytes ? 'identical' : 'differ'}`);
}

function versions(dir: string): string {
  const f = path.join(dir, 'versions.txt');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim().split('\n').join(', ') : '';
}

/** The app ran the library on the node running this test (the Node version under test), not another on PATH. */
function assertSameNode(dir: string, label: string): void {
  const lines = fs.readFileSync(path.join(dir, 'versions.txt'), 'utf8').split('\n');
  assert.ok(lines.includes(`node ${process.version}`), `${label}: the app ran on ${lines.find(l => l.startsWith('node ')) ?? 'an unknown node'}, this test on node ${process.version}`);
}

if (inNamespace) {
  // e2e/run.sh runs every e2e/*.test.ts inside a namespace without network; this one needs the
  // registries and is run on its own (see the header).
  test('packaging needs the package registries', () => {
    assert.fail('run this file outside the e2e network namespace: npx projen e2e:packaging');
  });
} else {
  before(() => {
    const build = script('build', 'build.sh');
    mustSucceed(build, 'e2e/packaging/build.sh (building the packages)');
    for (const line of build.output.split('\n').filter(l => l.startsWith('build.sh:'))) console.log(`  ${line}`);
    assert.ok(fs.existsSync(REFERENCE), 'no dist/monitoring.k8s.yaml after npx projen synth:examples');
  }, { timeout: TIMEOUT });

  test('npm: the packed tarball in a fresh cdk8s TypeScript app synthesizes the README quick start', { timeout: TIMEOUT }, () => {
    const dir = path.join(DIR, 'ts');
    const app = script('ts-app', 'ts-app.sh', [dir]);
    mustSucceed(app, 'the TypeScript app (e2e/packaging/ts-app.sh)');
    console.log(`npm: ${versions(dir)}`);
    assertSameNode(dir, 'npm');
    assertSameAsExample(path.join(dir, 'dist', 'monitoring.k8s.yaml'), 'npm');
  });

  test('PyPI: the wheel in a fresh virtualenv synthesizes the quick start in Python', { timeout: TIMEOUT }, () => {
    const dir = path.join(DIR, 'python');
    const app = script('python-app', 'python-app.sh', [dir]);
    mustSucceed(app, 'the Python app (e2e/packaging/python-app.sh)');
    console.log(`PyPI: ${versions(dir)}`);
    assertSameNode(dir, 'PyPI');
    assertSameAsExample(path.join(dir, 'dist', 'monitoring.k8s.yaml'), 'PyPI');
  });

  test('Go: dist/go with cdk8s-core-go and cdk8s-plus-go generated locally by jsii-pacmak synthesizes the quick start in Go', { timeout: TIMEOUT }, () => {
    const bindings = script('go-bindings', 'go-bindings.sh');
    mustSucceed(bindings, 'generating the cdk8s Go bindings (e2e/packaging/go-bindings.sh)');
    const bindingsDir = bindings.stdout.trim();
    assert.ok(fs.existsSync(path.join(bindingsDir, 'cdk8s', 'go.mod')), `no bindings in ${bindingsDir}`);
    const dir = path.join(DIR, 'go-local');
    const app = script('go-local', 'go-app.sh', [dir, bindingsDir]);
    mustSucceed(app, 'the Go app (e2e/packaging/go-app.sh with local bindings)');
    console.log(`Go: ${versions(dir)}`);
    assertSameNode(dir, 'Go');
    assertSameAsExample(path.join(dir, 'dist', 'monitoring.k8s.yaml'), 'Go (local bindings)');
  });
}
