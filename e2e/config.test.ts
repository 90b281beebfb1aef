/**
 * promtool check config, the real one (built from the Go module proxy at the deployed version),
 * on every prometheus.yml the examples synthesize and on a seeded matrix of random valid option
 * combinations (the property test). The configs are checked as they run in the pod: the
 * in-cluster token, CA and namespace files exist at their real paths, inside the private mount
 * namespace e2e/run.sh creates. Nothing is rewritten to make a config pass.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { distFiles, ROOT, tool, WORK } from './lib/tools';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const MATRIX_COUNT = Number(process.env.MATRIX_COUNT ?? 500);
const MATRIX_SEED = process.env.MATRIX_SEED ?? '20261125';
const matrixDir = path.join(WORK, 'matrix');

function promtool(files: string[]): { ok: string[]; failed: string[]; output: string } {
  const res = spawnSync(tool('PROMTOOL'), ['check', 'config', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${res.stdout}\n${res.stderr}`;
  const ok = files.filter(f => output.includes(`SUCCESS: ${f} is valid prometheus config file`));
  return { ok, failed: files.filter(f => !ok.includes(f)), output };
}

before(() => {
  if (process.env.CDK8S_PROM_E2E_NS !== '1') {
    throw new Error('run inside the e2e namespace (e2e/run.sh): the in-cluster paths must not be created on the host');
  }
  // What the kubelet mounts into every pod: the projected token, the cluster CA and the namespace.
  fs.mkdirSync(SA_DIR, { recursive: true });
  if (!fs.existsSync(path.join(SA_DIR, 'ca.crt'))) {
    const tmp = fs.mkdtempSync(path.join(WORK, 'ca-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=config-test-ca',
      '-keyout', path.join(tmp, 'ca.key'), '-out', path.join(SA_DIR, 'ca.crt')], { stdio: 'pipe' });
  }
  if (!fs.existsSync(path.join(SA_DIR, 'token'))) fs.writeFileSync(path.join(SA_DIR, 'token'), 'config-test-token\n');
  if (!fs.existsSync(path.join(SA_DIR, 'namespace'))) fs.writeFileSync(path.join(SA_DIR, 'namespace'), 'monitoring');

  // The config directory of the pod (/etc/prometheus, a ConfigMap there): an overlay on /etc,
  // private to this mount namespace, so the rule_files the configs list exist where they will.
  if (!fs.existsSync('/etc/prometheus')) {
    const overlay = fs.mkdtempSync('/run/etc-overlay-');
    fs.mkdirSync(path.join(overlay, 'upper'));
    fs.mkdirSync(path.join(overlay, 'work'));
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o',
      `lowerdir=/etc,upperdir=${overlay}/upper,workdir=${overlay}/work`, '/etc']);
    fs.mkdirSync('/etc/prometheus');
  }
  for (const rules of distFiles('.rules.yml')) fs.copyFileSync(rules, '/etc/prometheus/rules.yml');
  // What the kubelet mounts from the user's Secrets that the example StatefulSets reference
  // (credentials from SecretKey): a file per referenced key, at its mount path.
  for (const file of distFiles('.k8s.yaml')) {
    for (const o of parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJS())) {
      if (o?.kind !== 'StatefulSet') continue;
      const pod = o.spec.template.spec;
      for (const c of pod.containers) {
        for (const m of c.volumeMounts ?? []) {
          const secret = (pod.volumes ?? []).find((v: any) => v.name === m.name)?.secret;
          if (!secret) continue;
          fs.mkdirSync(m.mountPath, { recursive: true });
          for (const it of secret.items ?? []) fs.writeFileSync(path.join(m.mountPath, it.path), `placeholder for ${secret.secretName}/${it.key}\n`);
        }
      }
    }
  }

  fs.rmSync(matrixDir, { recursive: true, force: true });
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'ts-node'),
    ['--project', path.join(ROOT, 'e2e', 'tsconfig.json'), path.join(ROOT, 'e2e', 'matrix.ts'), matrixDir, String(MATRIX_COUNT), MATRIX_SEED],
    { stdio: 'inherit', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' } });
});

test('promtool accepts every example prometheus.yml', () => {
  const files = distFiles('.prometheus.yml');
  const { ok, failed, output } = promtool(files);
  console.log(`promtool: ${ok.length}/${files.length} example configs valid`);
  assert.deepEqual(failed, [], output);
  assert.ok(ok.length >= 3);
});

test(`promtool accepts all ${MATRIX_COUNT} random valid option combinations`, () => {
  const files = fs.readdirSync(matrixDir).filter(f => f.endsWith('.prometheus.yml')).map(f => path.join(matrixDir, f));
  assert.equal(files.length, MATRIX_COUNT);
  const { ok, failed, output } = promtool(files);
  console.log(`promtool: ${ok.length}/${files.length} matrix configs valid (seed ${MATRIX_SEED}), ${failed.length} rejected`);
  assert.deepEqual(failed, [], output.split('\n').filter(l => /FAILED|error/i.test(l)).slice(0, 20).join('\n'));
});

test('promtool rejects a broken config (the check can fail)', () => {
  const good = fs.readFileSync(distFiles('.prometheus.yml')[0], 'utf8');
  const broken = path.join(WORK, 'broken.prometheus.yml');
  fs.writeFileSync(broken, good.replace('regex: default;kubernetes;https', 'regex: "(?=default)"'));
  assert.notEqual(good, fs.readFileSync(broken, 'utf8'));
  const { failed, output } = promtool([broken]);
  assert.deepEqual(failed, [broken]);
  assert.match(output, /invalid or unsupported Perl syntax/);
});

test('promtool rejects a config whose credentials file is missing (the in-pod paths matter)', () => {
  const good = fs.readFileSync(distFiles('.prometheus.yml')[0], 'utf8');
  const broken = path.join(WORK, 'missing-token.prometheus.yml');
  fs.writeFileSync(broken, good.split(`${SA_DIR}/token`).join(`${SA_DIR}/no-such-token`));
  const { failed } = promtool([broken]);
  assert.deepEqual(failed, [broken]);
});
