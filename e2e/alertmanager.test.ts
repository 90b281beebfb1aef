/**
 * The real amtool (built from the Go module proxy at the deployed Alertmanager version) on every
 * alertmanager.yml the examples synthesize, on a seeded matrix of random valid configurations
 * (the property test), and on broken controls; `amtool config routes test` shows that each label
 * set reaches exactly the receivers expected, for the README's routing tree (a hand-written
 * table) and for every matrix configuration (an independent model of Alertmanager's routing).
 * Nothing is rewritten to make a config pass.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as path from 'path';
import { distFiles, ROOT, tool, WORK } from './lib/tools';

const MATRIX_COUNT = Number(process.env.AM_MATRIX_COUNT ?? 300);
const MATRIX_SEED = process.env.AM_MATRIX_SEED ?? '20261201';
const matrixDir = path.join(WORK, 'alertmanager-matrix');

function checkConfig(files: string[]): { ok: string[]; failed: string[]; output: string } {
  const res = spawnSync(tool('AMTOOL'), ['check-config', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${res.stdout}\n${res.stderr}`;
  const ok = files.filter(f => output.includes(`Checking '${f}'  SUCCESS`));
  return { ok, failed: files.filter(f => !ok.includes(f)), output };
}

/** The receivers amtool resolves for a label set, comma-joined, in route order. */
function routesTest(file: string, labels: Record<string, string>): string {
  const res = spawnSync(tool('AMTOOL'), ['config', 'routes', 'test', `--config.file=${file}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)],
    { encoding: 'utf8' });
  assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
  return res.stdout.trim();
}

before(() => {
  fs.mkdirSync(WORK, { recursive: true });
  fs.rmSync(matrixDir, { recursive: true, force: true });
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'ts-node'),
    ['--project', path.join(ROOT, 'e2e', 'tsconfig.json'), path.join(ROOT, 'e2e', 'alertmanager-matrix.ts'), matrixDir, String(MATRIX_COUNT), MATRIX_SEED],
    { stdio: 'inherit', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' } });
});

test('amtool check-config accepts every example alertmanager.yml', () => {
  const files = distFiles('.alertmanager.yml');
  const { ok, failed, output } = checkConfig(files);
  console.log(`amtool: ${ok.length}/${files.length} example configs valid`);
  assert.deepEqual(failed, [], output);
  assert.ok(ok.length >= 2);
});

test(`amtool check-config accepts all ${MATRIX_COUNT} random valid configurations`, () => {
  const files = fs.readdirSync(matrixDir).filter(f => f.endsWith('.alertmanager.yml')).map(f => path.join(matrixDir, f));
  assert.equal(files.length, MATRIX_COUNT);
  const { ok, failed, output } = checkConfig(files);
  console.log(`amtool: ${ok.length}/${files.length} matrix configs valid (seed ${MATRIX_SEED}), ${failed.length} rejected`);
  assert.deepEqual(failed, [], output.split('\n').filter(l => /FAILED|error/i.test(l)).slice(0, 20).join('\n'));
});

test('amtool check-config rejects broken controls (the check can fail)', () => {
  const good = fs.readFileSync(distFiles('.alertmanager.yml')[0], 'utf8');
  const controls: Record<string, string> = {
    'unknown receiver': good.replace('receiver: db-pager', 'receiver: nobody'),
    'duplicate receiver': good.replace('- name: db-chat', '- name: db-pager'),
    'root route with matchers': good.replace('route:\n  receiver: platform-chat', 'route:\n  matchers: [team="x"]\n  receiver: platform-chat'),
    'zero group_interval': good.replace('group_interval: 5m', 'group_interval: 0s'),
    'unknown time interval': good.replace('- db-maintenance', '- no-such-interval'),
    'bad regex': good.replace('team=~"shop|payments"', 'team=~"(?=shop)"'),
    'inline and file secret': good.replace('routing_key_file:', 'routing_key: inline\n        routing_key_file:'),
  };
  for (const [what, text] of Object.entries(controls)) {
    assert.notEqual(text, good, `control "${what}" did not change the config`);
    const file = path.join(WORK, `control-${what.replace(/\W+/g, '-')}.alertmanager.yml`);
    fs.writeFileSync(file, text);
    const { failed, output } = checkConfig([file]);
    assert.deepEqual(failed, [file], `amtool accepted the control "${what}":\n${output}`);
  }
  console.log(`amtool: ${Object.keys(controls).length}/${Object.keys(controls).length} broken controls rejected`);
});

test('amtool config routes test: the README routing tree sends each label set to exactly the expected receivers', () => {
  const file = distFiles('.alertmanager.yml').find(f => path.basename(f) === 'constructs.alertmanager.alertmanager.yml')!;
  const table: Array<[Record<string, string>, string]> = [
    [{ team: 'db', severity: 'critical', alertname: 'DiskFull' }, 'db-pager,db-chat'],
    [{ team: 'db', severity: 'warning' }, 'db-chat'],
    [{ team: 'shop', severity: 'critical' }, 'shop-pager'],
    [{ team: 'payments', severity: 'warning' }, 'shop-email'],
    [{ team: 'shopping', severity: 'critical' }, 'platform-chat'],
    [{ team: 'platform', severity: 'critical' }, 'platform-chat'],
    [{ alertname: 'Watchdog' }, 'platform-chat'],
  ];
  for (const [labels, expected] of table) assert.equal(routesTest(file, labels), expected, JSON.stringify(labels));
  console.log(`amtool routes test: ${table.length}/${table.length} README label sets reach exactly the expected receivers`);
});

test('amtool config routes test agrees with the routing model on every matrix configuration', () => {
  let n = 0;
  const mismatches: string[] = [];
  for (let i = 0; i < MATRIX_COUNT; i++) {
    const file = path.join(matrixDir, `${i}.alertmanager.yml`);
    const cases: Array<{ labels: Record<string, string>; receivers: string[] }> = JSON.parse(fs.readFileSync(path.join(matrixDir, `${i}.routes.json`), 'utf8'));
    for (const c of cases) {
      const got = routesTest(file, c.labels);
      if (got !== c.receivers.join(',')) mismatches.push(`${file} ${JSON.stringify(c.labels)}: amtool ${got}, expected ${c.receivers.join(',')}`);
      n++;
    }
  }
  console.log(`amtool routes test: ${n - mismatches.length}/${n} matrix label sets reach exactly the expected receivers`);
  assert.deepEqual(mismatches.slice(0, 20), []);
});
