/**
 * The web UI example (dist/web.k8s.yaml: route prefix, webTls, webBasicAuth) through the real
 * Prometheus:
 *
 * - the init container's own script (the manifest's `command` and `args`, run with `sh` here)
 *   composes web.yml and client.yml from the files of the Secret volumes, at their in-pod paths
 *   (a mount sandbox);
 * - the real Prometheus runs with the container's args (`--web.config.file`, `--web.route-prefix`)
 *   and the ConfigMap's prometheus.yml; it answers 401 without credentials and 200 with them,
 *   over TLS with the Secret's certificate (self-signed here, made with openssl);
 * - the three probes run as the kubelet would run them (the exec commands, in the pod's mounts);
 * - the self-scrape (https, the pinned certificate, basic auth from the password Secret) is up.
 *
 * Everything listens on 10.244.0.1 and the private loopback of the suite's network namespace.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TLSSocket } from 'node:tls';
import {
  API_ADDR, assertInsideSuiteNamespace, containerMounts, E2E_DIR, K8sObject, manifestObjects, Processes, PrometheusRun, prometheusWorkload,
  REPO_DIR, resolveTools, sandboxCommand, startPrometheus, Tools, waitFor,
} from './lib/cluster';

const MANIFEST = path.join(REPO_DIR, 'dist', 'web.k8s.yaml');
const SERVER_NAME = 'prometheus.example.com';
const PASSWORD = `ui-${randomBytes(12).toString('hex')}`;

let tools: Tools;
let workDir: string;
let processes: Processes;
let objects: K8sObject[];
let sts: K8sObject;
let container: any;
let init: any;
let prom: PrometheusRun;
let cert: string;
let secrets: Record<string, Record<string, string>>;
let prefix: string;
let username: string;

/** bcrypt, as Prometheus's --web.config.file wants it: crypt(3) of libxcrypt through perl (Debian). */
function bcrypt(password: string): string {
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const salt = [...randomBytes(21)].map(b => alphabet[b % 64]).join('') + '.';
  const r = spawnSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, `$2b$06$${salt}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, `perl crypt failed: ${r.stderr}`);
  assert.match(r.stdout, /^\$2b\$06\$[./A-Za-z0-9]{53}$/, `crypt(3) gave no bcrypt hash: ${r.stdout}`);
  return r.stdout;
}

/** A self-signed certificate for the server name, localhost and the pod address. */
function selfSigned(dir: string): { cert: string; key: string } {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${SERVER_NAME}`,
    '-addext', `subjectAltName=DNS:${SERVER_NAME},DNS:localhost,IP:127.0.0.1,IP:${API_ADDR}`,
    '-keyout', path.join(dir, 'tls.key'), '-out', path.join(dir, 'tls.crt')], { stdio: 'pipe' });
  return { cert: fs.readFileSync(path.join(dir, 'tls.crt'), 'utf8'), key: fs.readFileSync(path.join(dir, 'tls.key'), 'utf8') };
}

/** What the container's volume mounts under /etc are on this host (the harness's layout for the pod). */
function etcMounts(c: any): Array<{ mountPath: string; hostPath: string }> {
  return containerMounts(sts, c, objects, path.join(workDir, 'pod-fs'), secrets).filter(m => m.mountPath.startsWith('/etc/'));
}

/** A command in the pod's mounts (volume mounts at their in-pod paths). */
function inPod(name: string, c: any, command: string[]): { code: number | null; stdout: string; stderr: string } {
  const cmd = sandboxCommand(name, { hosts: {} }, etcMounts(c), command[0], command.slice(1));
  const r = spawnSync(cmd.command, cmd.args, { encoding: 'utf8', timeout: 30_000, env: { PATH: '/usr/bin:/bin', HOME: workDir } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The exec probe's command as the kubelet runs it in the container (the image's /bin/promtool is the built one). */
function probe(p: any): { code: number | null; stdout: string; stderr: string } {
  assert.ok(p?.exec?.command, `expected an exec probe, got ${JSON.stringify(p)}`);
  const [bin, ...args] = p.exec.command as string[];
  assert.equal(bin, '/bin/promtool');
  return inPod('probe', container, [tools.promtool, ...args]);
}

/** GET over TLS, trusting only the Secret's certificate. */
function get(url: string, auth?: string): Promise<{ status: number; body: string; peerCert: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, {
      ca: cert,
      servername: SERVER_NAME,
      timeout: 10_000,
      agent: false,
      headers: auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {},
    }, res => {
      const peer = (res.socket as TLSSocket).getPeerCertificate();
      let body = '';
      res.on('data', d => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, peerCert: peer?.fingerprint256 ?? '' }));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: timeout`)));
    req.on('error', reject);
  });
}

describe('web UI: the init container\'s web.yml, TLS and basic auth with the real Prometheus', () => {
  before(async () => {
    assertInsideSuiteNamespace();
    assert.ok(fs.existsSync(MANIFEST), 'dist/web.k8s.yaml is missing: run `npx projen synth:examples` first (e2e/run.sh does)');
    tools = resolveTools();
    fs.mkdirSync(path.join(E2E_DIR, '.work'), { recursive: true });
    workDir = fs.mkdtempSync(path.join(E2E_DIR, '.work', 'web-'));
    processes = new Processes(workDir);
    objects = manifestObjects(MANIFEST);
    ({ sts, container } = prometheusWorkload(objects));
    init = (sts.spec.template.spec.initContainers ?? []).find((c: any) => c.name === 'web-config');
    assert.ok(init, 'the StatefulSet has no web-config init container');
    prefix = (container.args as string[]).find(a => a.startsWith('--web.route-prefix='))!.split('=')[1];
    assert.equal(prefix, '/prometheus');

    // The user's Secrets, as the kubelet mounts them: a certificate, its key, the password and its hash.
    const tls = selfSigned(path.join(workDir, 'tls'));
    cert = tls.cert;
    const tlsVol = sts.spec.template.spec.volumes.find((v: any) => v.secret?.items?.some((i: any) => i.key === 'tls.crt'));
    const hashVol = sts.spec.template.spec.volumes.find((v: any) => v.name === 'web-password-hash');
    const pwVol = sts.spec.template.spec.volumes.find((v: any) => v.name !== 'web-password-hash' && v.secret?.secretName === hashVol.secret.secretName);
    secrets = {
      [tlsVol.secret.secretName]: { 'tls.crt': tls.cert, 'tls.key': tls.key },
      [hashVol.secret.secretName]: { [hashVol.secret.items[0].key]: bcrypt(PASSWORD) + '\n', [pwVol.secret.items[0].key]: PASSWORD },
    };

    // The init container, run as the kubelet would: its command and args, in its mounts.
    assert.deepEqual(init.command, ['/bin/sh', '-c']);
    const r = inPod('web-config', init, ['/bin/sh', '-c', init.args[0]]);
    assert.equal(r.code, 0, `the init container's script failed:\n${r.stderr}`);
    username = /^ {2}username: '([^']+)'$/m.exec(fs.readFileSync(path.join(workDir, 'pod-fs', 'etc', 'prometheus', 'web', 'client.yml'), 'utf8'))![1];

    let last = '';
    try {
      prom = await startPrometheus({
        tools,
        objects,
        workDir,
        processes,
        secrets,
        sandbox: { hosts: {} },
        ready: async () => {
          const p = probe(container.readinessProbe);
          last = `exit ${p.code}: ${p.stderr}${p.stdout}`;
          return p.code === 0;
        },
      });
    } catch (e) {
      const direct = await get(`https://${API_ADDR}:9090${prefix}/-/ready`, `${username}:${PASSWORD}`).catch(err => ({ status: String(err), body: '' }));
      const root = await get(`https://${API_ADDR}:9090/-/ready`, `${username}:${PASSWORD}`).catch(err => ({ status: String(err), body: '' }));
      throw new Error(`${(e as Error).message}\nthe readiness probe last said: ${last}\ndirect: ${direct.status} ${direct.body}; root: ${root.status} ${root.body}`);
    }
  });

  after(async () => {
    await processes?.stopAll();
  });

  test('the init container composed web.yml from the Secret files; no ConfigMap holds the hash', () => {
    const webYml = fs.readFileSync(path.join(workDir, 'pod-fs', 'etc', 'prometheus', 'web', 'web.yml'), 'utf8');
    const hash = Object.values(secrets).flatMap(s => Object.values(s)).find(v => v.startsWith('$2b$'))!.trim();
    assert.equal(webYml, 'tls_server_config:\n  cert_file: /etc/prometheus/secrets/prometheus-ui-tls/tls.crt\n'
      + `  key_file: /etc/prometheus/secrets/prometheus-ui-tls/tls.key\nbasic_auth_users:\n  '${username}': '${hash}'\n`);
    assert.ok((container.args as string[]).includes('--web.config.file=/etc/prometheus/web/web.yml'));
    for (const cm of objects.filter(o => o.kind === 'ConfigMap')) assert.ok(!JSON.stringify(cm).includes('$2b$'), 'a ConfigMap holds a bcrypt hash');
    console.log(`web.yml: ${webYml.length} bytes, composed by the init container's own script`);
  });

  test('without credentials 401, with them 200, over TLS with the Secret\'s certificate', async () => {
    const base = `https://${API_ADDR}:9090${prefix}`;
    const fingerprint = new X509Certificate(cert).fingerprint256;
    const results: Record<string, number> = {};
    for (const p of ['/-/ready', '/-/healthy', '/metrics', '/api/v1/status/buildinfo', '/api/v1/query?query=up']) {
      const anon = await get(`${base}${p}`);
      const wrong = await get(`${base}${p}`, `${username}:wrong-${PASSWORD}`);
      const ok = await get(`${base}${p}`, `${username}:${PASSWORD}`);
      assert.equal(anon.status, 401, `${p} without credentials`);
      assert.equal(wrong.status, 401, `${p} with a wrong password`);
      assert.equal(ok.status, 200, `${p} with the credentials: ${ok.body.slice(0, 200)}`);
      assert.equal(ok.peerCert, fingerprint, `${p}: served another certificate`);
      results[p] = ok.status;
    }
    // Plain HTTP on the same port is not served.
    const plain = await fetch(`http://${API_ADDR}:9090${prefix}/-/ready`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(plain.status, 400);
    // The route prefix is the only root.
    assert.equal((await get(`https://${API_ADDR}:9090/-/ready`, `${username}:${PASSWORD}`)).status, 404);
    console.log(`TLS (certificate ${fingerprint.slice(0, 23)}...) and basic auth: 401 without / with a wrong password, 200 with it on ${Object.keys(results).join(', ')}; plain HTTP 400`);
  });

  test('the probes succeed as the kubelet runs them; without the client config they fail', () => {
    const codes: Record<string, number | null> = {};
    for (const name of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      const p = container[name];
      assert.match(p.exec.command.join(' '), new RegExp(`--url=https://localhost:9090${prefix}( |$)`));
      const r = probe(p);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      codes[name] = r.code;
    }
    const [, ...args] = container.readinessProbe.exec.command as string[];
    const without = inPod('probe-control', container, [tools.promtool, ...args.filter(a => !a.startsWith('--http.config.file='))]);
    assert.notEqual(without.code, 0, 'promtool check ready passed without credentials');
    console.log(`probes: ${JSON.stringify(codes)} (exit codes); without the client config: exit ${without.code}`);
  });

  test('the self-scrape (https, pinned certificate, basic auth from the password Secret) is up', async () => {
    const target = await waitFor('the self-scrape to be up', async () => {
      const r = await get(`https://${API_ADDR}:9090${prefix}/api/v1/targets?state=active`, `${username}:${PASSWORD}`);
      const t = JSON.parse(r.body).data.activeTargets.find((x: any) => x.labels.job === 'prometheus');
      return t?.health === 'up' ? t : undefined;
    }, { timeoutMs: 90_000, intervalMs: 1000, processes, watch: [prom.managed] });
    assert.equal(target.scrapeUrl, `https://localhost:9090${prefix}/metrics`);
    const up = await get(`https://${API_ADDR}:9090${prefix}/api/v1/query?query=${encodeURIComponent('up{job="prometheus"}')}`, `${username}:${PASSWORD}`);
    assert.equal(JSON.parse(up.body).data.result[0]?.value[1], '1');
    console.log(`self-scrape: ${target.scrapeUrl} health=${target.health}, up{job="prometheus"} = 1`);
  });

  test('the init container refuses a password hash that is not bcrypt', () => {
    const hashVol = sts.spec.template.spec.volumes.find((v: any) => v.name === 'web-password-hash');
    const saved = secrets;
    const cases: Array<[string, string, RegExp]> = [
      ['the plain password', PASSWORD, /holds no bcrypt hash/],
      ['a hash with a quote', "$2b$06$abc'def", /only the characters/],
    ];
    try {
      for (const [what, value, expected] of cases) {
        secrets = { ...saved, [hashVol.secret.secretName]: { ...saved[hashVol.secret.secretName], [hashVol.secret.items[0].key]: value } };
        const r = inPod('web-config-control', init, ['/bin/sh', '-c', init.args[0].split('/etc/prometheus/web/').join('/etc/prometheus/web/control-')]);
        assert.equal(r.code, 1, `${what}: the script accepted it`);
        assert.match(r.stderr, expected, what);
      }
    } finally {
      secrets = saved;
      etcMounts(init); // the real files back
    }
    console.log(`init container: ${cases.length}/${cases.length} bad hashes refused`);
  });
});
