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
import { K8sObject } from './lib/cluster';
import { distFiles, ROOT, tool, WORK } from './lib/tools';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const MATRIX_COUNT = Number(process.env.MATRIX_COUNT ?? 500);
const MATRIX_SEED = process.env.MATRIX_SEED ?? '20261125';
const matrixDir = path.join(WORK, 'matrix');

const SECRETS_DIR = '/etc/prometheus/secrets';
/** Parsed manifests by file (declared before the hooks: the root before() runs while this module loads). */
const parsed = new Map<string, K8sObject[]>();

function promtool(files: string[], flags: string[] = []): { ok: string[]; failed: string[]; output: string } {
  const res = spawnSync(tool('PROMTOOL'), ['check', 'config', ...flags, ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
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

  // What the kubelet mounts from the Secret volumes of each Prometheus StatefulSet (examples and
  // matrix): one file per item, at <mountPath>/<path>. Only these files exist, so a config that
  // names a file no volume provides fails promtool (for scrapes) or the coverage test below.
  for (const objects of [...distFiles('.k8s.yaml'), ...matrixManifests()].map(manifestObjects)) {
    for (const [dir, files] of Object.entries(secretFiles(objects))) {
      fs.mkdirSync(dir, { recursive: true });
      for (const f of files) fs.writeFileSync(path.join(dir, f), `placeholder for ${dir}/${f}\n`);
    }
  }
});

/** The objects of a manifest, parsed once (500 matrix manifests are read twice). */
function manifestObjects(file: string): K8sObject[] {
  let objects = parsed.get(file);
  if (!objects) {
    objects = parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJS()).filter(o => o);
    parsed.set(file, objects);
  }
  return objects;
}

function matrixManifests(): string[] {
  return fs.readdirSync(matrixDir).filter(d => d.startsWith('manifests-')).sort()
    .flatMap(d => fs.readdirSync(path.join(matrixDir, d)).filter(f => f.endsWith('.k8s.yaml')).map(f => path.join(matrixDir, d, f)));
}

/** Mount directory -> file names, from the Secret volumes of the Prometheus StatefulSet(s). */
function secretFiles(objects: K8sObject[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const sts of objects.filter(o => o.kind === 'StatefulSet')) {
    const pod = sts.spec.template.spec;
    for (const c of pod.containers) {
      for (const m of c.volumeMounts ?? []) {
        const vol = (pod.volumes ?? []).find((v: any) => v.name === m.name);
        if (vol?.secret) out[m.mountPath] = (vol.secret.items ?? []).map((i: any) => i.path);
      }
    }
  }
  return out;
}

/** The files under the secrets directory that a prometheus.yml names. */
function secretPathsOf(config: string): string[] {
  return [...new Set([...config.matchAll(new RegExp(`${SECRETS_DIR}/[^\\s"']+`, 'g'))].map(m => m[0]))].sort();
}

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
  const good = fs.readFileSync(distFiles('.prometheus.yml').find(f => path.basename(f).startsWith('book.'))!, 'utf8');
  const broken = path.join(WORK, 'broken.prometheus.yml');
  fs.writeFileSync(broken, good.replace('regex: default;kubernetes;https', 'regex: "(?=default)"'));
  assert.notEqual(good, fs.readFileSync(broken, 'utf8'));
  const { failed, output } = promtool([broken]);
  assert.deepEqual(failed, [broken]);
  assert.match(output, /invalid or unsupported Perl syntax/);
});

test('promtool rejects a config whose credentials file is missing (the in-pod paths matter)', () => {
  const good = fs.readFileSync(distFiles('.prometheus.yml').find(f => path.basename(f).startsWith('book.'))!, 'utf8');
  const broken = path.join(WORK, 'missing-token.prometheus.yml');
  fs.writeFileSync(broken, good.split(`${SA_DIR}/token`).join(`${SA_DIR}/no-such-token`));
  const { failed } = promtool([broken]);
  assert.deepEqual(failed, [broken]);
});

test('every Secret file a config names (scrapes and remote_write) is mounted by a Secret volume of its own StatefulSet', () => {
  const pairs: Array<[string, string]> = [
    ...distFiles('.prometheus.yml').map(f => {
      const chart = path.basename(f).split('.')[0];
      return [f, path.join(ROOT, 'dist', `${chart}.k8s.yaml`)] as [string, string];
    }),
    ...fs.readdirSync(matrixDir).filter(f => f.endsWith('.prometheus.yml')).map(f => {
      const i = Number(f.slice('matrix-'.length, 'matrix-'.length + 4));
      return [path.join(matrixDir, f), path.join(matrixDir, `manifests-${i}`, `matrix-${i}.k8s.yaml`)] as [string, string];
    }),
  ];
  let named = 0;
  let withSecrets = 0;
  const missing: string[] = [];
  for (const [config, manifest] of pairs) {
    const mounted = new Set(Object.entries(secretFiles(manifestObjects(manifest))).flatMap(([dir, files]) => files.map(f => `${dir}/${f}`)));
    const paths = secretPathsOf(fs.readFileSync(config, 'utf8'));
    named += paths.length;
    if (paths.length > 0) withSecrets++;
    for (const p of paths) if (!mounted.has(p)) missing.push(`${path.basename(config)}: ${p}`);
  }
  console.log(`secret files: ${named} references in ${withSecrets} configs, all mounted by their own StatefulSet`);
  assert.deepEqual(missing, []);
  assert.ok(withSecrets >= 100, `only ${withSecrets} configs reference Secret files`);
});

test('promtool --agent accepts the agent example and every agent-mode matrix config; remote_write with every kind of credentials passes', () => {
  const agents = [
    ...distFiles('.prometheus.yml').filter(f => path.basename(f).startsWith('agent.')),
    ...fs.readdirSync(matrixDir).filter(f => f.endsWith('.agent.prometheus.yml')).map(f => path.join(matrixDir, f)),
  ];
  const { ok, failed, output } = promtool(agents, ['--agent']);
  const all = [...distFiles('.prometheus.yml'), ...fs.readdirSync(matrixDir).filter(f => f.endsWith('.prometheus.yml')).map(f => path.join(matrixDir, f))];
  const texts = all.map(f => fs.readFileSync(f, 'utf8'));
  const kinds: Record<string, number> = {};
  for (const t of texts) {
    for (const m of (t.split('remote_write:')[1] ?? '').matchAll(/^ {4}(basic_auth|authorization|oauth2|sigv4|tls_config|queue_config|metadata_config|write_relabel_configs|protobuf_message|headers):/gm)) {
      kinds[m[1]] = (kinds[m[1]] ?? 0) + 1;
    }
  }
  console.log(`promtool --agent: ${ok.length}/${agents.length} agent configs valid; remote_write in ${texts.filter(t => t.includes('remote_write:')).length} `
    + `of ${all.length} configs, fields: ${JSON.stringify(kinds)}`);
  assert.deepEqual(failed, [], output);
  assert.ok(agents.length >= 50, `only ${agents.length} agent configs`);
  for (const k of ['basic_auth', 'authorization', 'oauth2', 'sigv4', 'tls_config', 'queue_config', 'metadata_config', 'write_relabel_configs', 'protobuf_message', 'headers']) {
    assert.ok((kinds[k] ?? 0) > 0, `no matrix config has remote_write ${k}`);
  }
});

test('promtool rejects what the library refuses in remote_write and agent mode (the controls can fail)', () => {
  const base = distFiles('.prometheus.yml').find(f => path.basename(f).startsWith('agent.'))!;
  const good = fs.readFileSync(base, 'utf8');
  // The remote-write endpoint's credentials (the ledger scrape has basic_auth too).
  const RW_AUTH = '    basic_auth:\n      username: agent\n';
  assert.equal(good.split(RW_AUTH).length, 2, 'the agent example has one remote-write basic_auth');
  const cases: Array<[string, string, string[], RegExp]> = [
    ['rule files in agent mode', `${good}rule_files:\n  - /etc/prometheus/rules.yml\n`, ['--agent'], /field rule_files is not allowed in agent mode/],
    ['min_shards above max_shards', good.replace('max_shards: 10', 'max_shards: 10\n      min_shards: 11'), [], /min_shards must not be greater than max_shards/],
    ['max_backoff below min_backoff', good.replace('max_backoff: 2s', 'max_backoff: 50ms'), [], /max_backoff must not be less than min_backoff/],
    ['two kinds of credentials', good.replace(RW_AUTH, `    sigv4:\n      region: eu-west-1\n${RW_AUTH}`), [], /at most one of basic_auth, authorization, oauth2, sigv4/],
    ['an Authorization header', good.replace(RW_AUTH, `    headers:\n      Authorization: Bearer x\n${RW_AUTH}`), [], /authorization header must be changed via/],
    ['an unknown protobuf message', good.replace(RW_AUTH, `    protobuf_message: prometheus.WriteRequestV3\n${RW_AUTH}`), [], /invalid protobuf_message value/],
  ];
  for (const [what, text, flags, expected] of cases) {
    assert.notEqual(text, good, what);
    const file = path.join(WORK, `control-${what.replace(/\W+/g, '-')}.prometheus.yml`);
    fs.writeFileSync(file, text);
    const { failed, output } = promtool([file], flags);
    assert.deepEqual(failed, [file], `${what}: promtool accepted it\n${output}`);
    assert.match(output, expected, what);
  }
  // And the unchanged agent config passes both ways.
  assert.deepEqual(promtool([base], ['--agent']).failed, []);
  console.log(`promtool: ${cases.length}/${cases.length} remote_write / agent controls rejected`);
});
