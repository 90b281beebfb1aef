/**
 * Harness of the cluster suite (e2e/cluster.test.ts): a real etcd and kube-apiserver (RBAC,
 * Pod Security admission, ServiceAccount tokens), a throwaway PKI, kubectl, and Prometheus and
 * the blackbox exporter started exactly as the synthesized StatefulSet and Deployment would
 * start them (optionally in a sandbox: a nested mount namespace with a private /etc/hosts
 * standing in for cluster DNS, and the ConfigMap volumes under /etc at their real paths).
 *
 * Everything runs inside the private mount + network namespace of e2e/in-namespace.sh: servers
 * listen on 10.244.0.x addresses of its loopback device only, and the ServiceAccount files go to
 * its private /run. Every process is started in its own process group and tracked by a
 * `Processes` registry, which stops them all (and SIGKILLs them when this process exits).
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';

export const E2E_DIR = path.resolve(__dirname, '..');
export const REPO_DIR = path.resolve(E2E_DIR, '..');
export const API_ADDR = '10.244.0.1';
export const API_PORT = 6443;
export const ETCD_URL = `http://${API_ADDR}:2379`;
export const PROMETHEUS_ADDR = `${API_ADDR}:9090`;
/** Where the kubelet mounts the ServiceAccount token, the cluster CA and the namespace. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

// ---------------------------------------------------------------------------------------------
// small utilities

/** A Kubernetes object, loosely typed. */
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: any }; [k: string]: any };

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** The last `lines` lines of a log file, for failure messages. */
export function tail(file: string, lines = 40): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return `(no log: ${(e as Error).message})`;
  }
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

/** The last warnings and errors of a log (logfmt `level=` or klog `W`/`E` lines), for failure messages. */
export function logProblems(file: string, lines = 20): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return `(no log: ${(e as Error).message})`;
  }
  const bad = text.split('\n').filter(l => /level=(warn|error)|^[WEF]\d{4} /i.test(l));
  return bad.length === 0 ? `(no warnings or errors in ${file})` : `--- warnings and errors in ${file}\n${bad.slice(-lines).join('\n')}`;
}

/** Parses YAML (1.1, as cdk8s writes it) into its non-empty documents. */
export function loadYamlFile(file: string): any[] {
  return Yaml.load(file);
}

/** Parses YAML text (goes through a file because cdk8s's loader reads files). */
export function parseYaml(text: string, scratchDir: string): any[] {
  const file = path.join(scratchDir, `parse-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(file, text);
  try {
    return Yaml.load(file);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** The environment for every child: no proxy settings (nothing may leave the namespace). */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/_proxy$/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, NO_PROXY: '*', no_proxy: '*', ...extra };
}

/**
 * Fails unless this process runs inside the namespaces e2e/in-namespace.sh prepares: a network
 * namespace with only `lo` carrying 10.244.0.1, and the private tmpfs on /run (so writing to
 * /var/run/secrets never touches the host).
 */
export function assertInsideSuiteNamespace(): void {
  const how = 'run the suite through e2e/run.sh, or: unshare --mount --net --fork -- bash e2e/in-namespace.sh <command>';
  const ifaces = os.networkInterfaces();
  const names = Object.keys(ifaces);
  if (names.length !== 1 || names[0] !== 'lo') {
    throw new Error(`not inside the suite's network namespace (interfaces: ${names.join(', ')}); ${how}`);
  }
  if (!(ifaces.lo ?? []).some(a => a.address === API_ADDR)) {
    throw new Error(`lo does not carry ${API_ADDR}; ${how}`);
  }
  const runDir = fs.realpathSync('/var/run');
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map(l => {
    const [pre, post] = l.split(' - ');
    const f = (pre ?? '').split(' ');
    const g = (post ?? '').split(' ');
    return { mountPoint: f[4], fsType: g[0], source: g[1] };
  });
  // The last mount on a path is the visible one.
  const visible = mounts.filter(m => m.mountPoint === runDir).pop();
  if (!visible || visible.fsType !== 'tmpfs' || visible.source !== 'e2e-run') {
    throw new Error(`${runDir} is not the private tmpfs of e2e/in-namespace.sh (found ${JSON.stringify(visible)}); ${how}`);
  }
}

// ---------------------------------------------------------------------------------------------
// tools

export interface Tools {
  readonly prometheus: string;
  readonly promtool: string;
  readonly kubeApiserver: string;
  readonly kubectl: string;
  readonly etcd: string;
  readonly blackboxExporter: string;
}

/**
 * The binaries built by e2e/tools/build.sh (cached; a cold build takes minutes). The environment
 * variables it prints (PROMETHEUS, KUBE_APISERVER ...) take precedence when all are set.
 */
export function resolveTools(): Tools {
  const keys = ['PROMETHEUS', 'PROMTOOL', 'KUBE_APISERVER', 'KUBECTL', 'ETCD', 'BLACKBOX_EXPORTER'];
  let found: Record<string, string> = {};
  if (keys.every(k => process.env[k])) {
    for (const k of keys) found[k] = process.env[k]!;
  } else {
    const script = path.join(E2E_DIR, 'tools', 'build.sh');
    const r = spawnSync('bash', [script, 'prometheus', 'kubernetes', 'etcd', 'blackbox_exporter'], { encoding: 'utf8', env: childEnv(), maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) {
      throw new Error(`e2e/tools/build.sh failed (exit ${r.status ?? r.signal}): the e2e tools are missing\n${(r.stderr ?? '').slice(-4000)}`);
    }
    found = {};
    for (const line of r.stdout.split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      // printf %q: unquote backslash escapes (paths here have none in practice).
      if (m) found[m[1]] = m[2].replace(/\\(.)/g, '$1');
    }
  }
  for (const k of keys) {
    const p = found[k];
    if (!p) throw new Error(`e2e/tools/build.sh printed no ${k}=... line: tool missing`);
    try {
      fs.accessSync(p, fs.constants.X_OK);
    } catch {
      throw new Error(`${k}=${p} is not an executable file: tool missing (rebuild with e2e/tools/build.sh)`);
    }
  }
  return {
    prometheus: found.PROMETHEUS,
    promtool: found.PROMTOOL,
    kubeApiserver: found.KUBE_APISERVER,
    kubectl: found.KUBECTL,
    etcd: found.ETCD,
    blackboxExporter: found.BLACKBOX_EXPORTER,
  };
}

// ---------------------------------------------------------------------------------------------
// addresses

/**
 * Puts 10.244.0.x/32 addresses on `lo` (inside the suite's network namespace only, checked) for
 * the fake hosts of one test; returns the ones it added, for `removeLoopbackAddresses`.
 */
export function addLoopbackAddresses(addresses: string[]): string[] {
  assertInsideSuiteNamespace();
  const present = new Set(Object.values(os.networkInterfaces()).flatMap(list => (list ?? []).map(a => a.address)));
  const added: string[] = [];
  for (const a of addresses) {
    if (!net.isIPv4(a) || !a.startsWith('10.244.0.')) throw new Error(`refusing to add ${a}: only 10.244.0.x inside the suite's namespace`);
    if (present.has(a)) continue;
    const r = spawnSync('ip', ['addr', 'add', `${a}/32`, 'dev', 'lo'], { encoding: 'utf8', env: childEnv() });
    if (r.status !== 0) throw new Error(`ip addr add ${a}/32 dev lo failed: ${r.stderr ?? r.error?.message}`);
    added.push(a);
  }
  return added;
}

export function removeLoopbackAddresses(addresses: string[]): void {
  if (addresses.length === 0) return;
  assertInsideSuiteNamespace();
  for (const a of addresses) spawnSync('ip', ['addr', 'del', `${a}/32`, 'dev', 'lo'], { env: childEnv() });
}

// ---------------------------------------------------------------------------------------------
// processes

export interface Managed {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** Set once the process exited. */
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  readonly exited: Promise<void>;
}

/**
 * Every long-running process of the suite. Each one leads its own process group (detached), so a
 * stop reaches its children too. `stopAll` stops them in reverse start order; an `exit` hook
 * SIGKILLs whatever is left if this process ends any other way.
 */
export class Processes {
  private readonly all: Managed[] = [];
  private readonly onExit: () => void;
  private readonly onSignal: (signal: NodeJS.Signals) => void;

  public constructor(private readonly logDir: string) {
    this.onExit = () => this.killAllSync();
    this.onSignal = signal => {
      this.killAllSync();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.on('exit', this.onExit);
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  public get list(): readonly Managed[] {
    return this.all;
  }

  public start(name: string, command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Managed {
    const logFile = path.join(this.logDir, `${name}.log`);
    const fd = fs.openSync(logFile, 'a');
    fs.writeSync(fd, `# ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: options.env ?? childEnv(),
        cwd: options.cwd,
      });
    } finally {
      fs.closeSync(fd);
    }
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    let resolveExit!: () => void;
    const exited = new Promise<void>(resolve => (resolveExit = resolve));
    const managed: Managed = { name, pid: child.pid, logFile, child, exited };
    child.on('exit', (code, signal) => {
      managed.exit = { code, signal };
      resolveExit();
    });
    child.on('error', err => {
      fs.appendFileSync(logFile, `# spawn error: ${err.message}\n`);
      managed.exit ??= { code: -1, signal: null };
      resolveExit();
    });
    this.all.push(managed);
    return managed;
  }

  /** Throws (with the log tail) if the process is gone. */
  public assertRunning(m: Managed): void {
    if (m.exit) {
      throw new Error(`${m.name} exited (code ${m.exit.code}, signal ${m.exit.signal}); tail of ${m.logFile}:\n${tail(m.logFile)}`);
    }
  }

  /** SIGTERM to each process group (reverse order), SIGKILL after `graceMs`. */
  public async stopAll(graceMs = 10_000): Promise<string[]> {
    const report: string[] = [];
    for (const m of [...this.all].reverse()) {
      report.push(await this.stop(m, graceMs));
    }
    return report;
  }

  public async stop(m: Managed, graceMs = 10_000): Promise<string> {
    if (!m.exit) {
      signalGroup(m.pid, 'SIGTERM');
      const timer = sleep(graceMs).then(() => 'timeout');
      if (await Promise.race([m.exited.then(() => 'exited'), timer]) === 'timeout') {
        signalGroup(m.pid, 'SIGKILL');
        await Promise.race([m.exited, sleep(5_000)]);
      }
    }
    // Sweep the group: anything the leader started and left behind.
    signalGroup(m.pid, 'SIGKILL');
    return `${m.name} (pid ${m.pid}): ${m.exit ? `exited code=${m.exit.code} signal=${m.exit.signal}` : 'did not exit after SIGKILL'}`;
  }

  /** Last resort (process exit): SIGKILL every group still running. */
  public killAllSync(): void {
    for (const m of this.all) {
      if (!m.exit) signalGroup(m.pid, 'SIGKILL');
    }
  }

  public dispose(): void {
    process.off('exit', this.onExit);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

/** Runs a command to completion (asynchronously: the fake targets in this process keep serving). */
export function run(command: string, args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}):
Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? childEnv(), cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', b => out.push(b));
    child.stderr.on('data', b => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', e => {
      clearTimeout(timer);
      reject(new Error(`${command}: ${e.message}`));
    });
    child.on('close', code => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => { /* the child may exit before reading */ });
    child.stdin.end(options.stdin ?? '');
  });
}

/** Thrown by a `waitFor` check to stop waiting at once (the state settled and is wrong). */
export class WaitAbort extends Error {}

/**
 * Polls `check` until it returns something other than undefined/false. On timeout, throws with
 * the last error or state and the tail of the given processes' logs.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, options: {
  timeoutMs: number;
  intervalMs?: number;
  processes?: Processes;
  watch?: Managed[];
  describe?: () => string;
}): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    for (const m of options.watch ?? []) options.processes?.assertRunning(m);
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      last = options.describe ? options.describe() : '';
    } catch (e) {
      if (e instanceof WaitAbort) throw e;
      last = (e as Error).message;
    }
    if (Date.now() > deadline) {
      const logs = (options.watch ?? []).map(m => `${logProblems(m.logFile)}\n--- last lines of ${m.logFile}\n${tail(m.logFile, 15)}`).join('\n');
      throw new Error(`timed out after ${options.timeoutMs / 1000}s waiting for ${what}${last ? `\nlast state: ${last}` : ''}\n${logs}`);
    }
    await sleep(options.intervalMs ?? 250);
  }
}

// ---------------------------------------------------------------------------------------------
// PKI

export interface CertPair { readonly cert: string; readonly key: string }

export interface Pki {
  readonly dir: string;
  readonly ca: CertPair;
  readonly apiserver: CertPair;
  readonly admin: CertPair;
  readonly saKey: string;
  readonly saPub: string;
  /** Kubelet serving certificates by node name. */
  readonly kubelets: Record<string, CertPair>;
}

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', env: childEnv() });
  if (r.error) throw new Error(`openssl is missing: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${r.stderr}`);
}

/** A CA and the certificates signed by it: API server, admin client, kubelets; the SA key pair. */
export function makePki(dir: string, nodes: Array<{ name: string; ip: string }>): Pki {
  fs.mkdirSync(dir, { recursive: true });
  const p = (f: string): string => path.join(dir, f);
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=cdk8s-prometheus-e2e-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', 'ca.key', '-out', 'ca.crt']);
  const leaf = (name: string, subject: string, ext: string[]): CertPair => issueCert(dir, name, subject, ext);
  const apiserver = leaf('apiserver', '/CN=kube-apiserver', [
    `subjectAltName=IP:${API_ADDR},IP:10.96.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,`
      + 'DNS:kubernetes.default.svc.cluster.local,DNS:localhost',
    'extendedKeyUsage=serverAuth',
  ]);
  const admin = leaf('admin', '/O=system:masters/CN=cdk8s-prometheus-e2e-admin', ['extendedKeyUsage=clientAuth']);
  const kubelets: Record<string, CertPair> = {};
  for (const n of nodes) {
    // What a kubelet with serverTLSBootstrap gets: signed by the cluster CA, node IP and name.
    kubelets[n.name] = leaf(`kubelet-${n.name}`, `/O=system:nodes/CN=system:node:${n.name}`, [
      `subjectAltName=IP:${n.ip},DNS:${n.name}`, 'extendedKeyUsage=serverAuth',
    ]);
  }
  openssl(dir, ['genrsa', '-out', 'sa.key', '2048']);
  openssl(dir, ['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
  return { dir, ca: { cert: p('ca.crt'), key: p('ca.key') }, apiserver, admin, saKey: p('sa.key'), saPub: p('sa.pub'), kubelets };
}

/** A certificate signed by the CA of `makePki(dir)`, with the given extensions (SANs, key usage). */
export function issueCert(dir: string, name: string, subject: string, ext: string[]): CertPair {
  const p = (f: string): string => path.join(dir, f);
  fs.writeFileSync(p(`${name}.ext`), ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', ...ext].join('\n') + '\n');
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
    '-out', `${name}.crt`, '-extfile', `${name}.ext`]);
  return { cert: p(`${name}.crt`), key: p(`${name}.key`) };
}

// ---------------------------------------------------------------------------------------------
// the control plane

export interface KubectlResult { readonly code: number | null; readonly stdout: string; readonly stderr: string }

/** etcd + kube-apiserver + an admin kubeconfig. */
export class Cluster {
  /**
   * Starts etcd and kube-apiserver in `workDir` and waits for /readyz. On failure, the caller's
   * `Processes.stopAll()` stops whatever was started.
   */
  public static async start(options: { tools: Tools; workDir: string; processes: Processes; pki: Pki }): Promise<Cluster> {
    const { tools, workDir, processes, pki } = options;
    const etcd = processes.start('etcd', tools.etcd, [
      '--name=e2e', `--data-dir=${path.join(workDir, 'etcd')}`,
      `--listen-client-urls=${ETCD_URL}`, `--advertise-client-urls=${ETCD_URL}`,
      `--listen-peer-urls=http://${API_ADDR}:2380`, `--initial-advertise-peer-urls=http://${API_ADDR}:2380`,
      `--initial-cluster=e2e=http://${API_ADDR}:2380`, '--listen-metrics-urls=',
      '--unsafe-no-fsync', '--quota-backend-bytes=268435456', '--log-level=warn',
    ]);
    await waitFor('etcd /health', async () => (await httpGet(`${ETCD_URL}/health`)).status === 200, {
      timeoutMs: 30_000, processes, watch: [etcd],
    });
    const apiserver = processes.start('kube-apiserver', tools.kubeApiserver, [
      `--etcd-servers=${ETCD_URL}`,
      `--advertise-address=${API_ADDR}`, `--bind-address=${API_ADDR}`, `--secure-port=${API_PORT}`,
      // The reconciler would write the "kubernetes" endpoints; the suite writes its EndpointSlice.
      '--endpoint-reconciler-type=none',
      '--service-cluster-ip-range=10.96.0.0/24',
      `--tls-cert-file=${pki.apiserver.cert}`, `--tls-private-key-file=${pki.apiserver.key}`,
      `--client-ca-file=${pki.ca.cert}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${pki.saPub}`, `--service-account-signing-key-file=${pki.saKey}`,
      '--authorization-mode=Node,RBAC',
      // Admission: the defaults, ServiceAccount and PodSecurity included (the suite creates the
      // "default" ServiceAccounts that kube-controller-manager would).
      `--cert-dir=${path.join(workDir, 'apiserver-certs')}`,
      '--profiling=false',
    ]);
    const cluster = new Cluster(tools, workDir, pki, processes, apiserver, etcd);
    await waitFor('kube-apiserver /readyz', async () => {
      const r = await cluster.api('GET', '/readyz');
      return r.status === 200 ? true : (() => {
        throw new Error(`/readyz ${r.status}: ${r.body.slice(0, 500)}`);
      })();
    }, { timeoutMs: 90_000, intervalMs: 500, processes, watch: [etcd, apiserver] });
    return cluster;
  }

  public readonly kubeconfig: string;
  public readonly server = `https://${API_ADDR}:${API_PORT}`;
  private readonly tokenCache = new Map<string, Promise<{ user?: any; error?: string }>>();
  private readonly sarCache = new Map<string, Promise<{ allowed: boolean; reason: string }>>();

  private constructor(
    public readonly tools: Tools,
    public readonly workDir: string,
    public readonly pki: Pki,
    public readonly processes: Processes,
    public readonly apiserver: Managed,
    public readonly etcd: Managed,
  ) {
    this.kubeconfig = path.join(workDir, 'admin.kubeconfig');
    const b64 = (f: string): string => fs.readFileSync(f).toString('base64');
    fs.writeFileSync(this.kubeconfig, Yaml.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'e2e', cluster: { 'server': this.server, 'certificate-authority-data': b64(pki.ca.cert) } }],
      users: [{ name: 'admin', user: { 'client-certificate-data': b64(pki.admin.cert), 'client-key-data': b64(pki.admin.key) } }],
      contexts: [{ name: 'e2e', context: { cluster: 'e2e', user: 'admin' } }],
      ['current-context']: 'e2e',
    }), { mode: 0o600 });
  }

  /** Runs kubectl as the cluster admin; throws on a non-zero exit unless `allowFailure`. */
  public async kubectl(args: string[], options: { stdin?: string; allowFailure?: boolean } = {}): Promise<KubectlResult> {
    const r = await run(this.tools.kubectl, args, {
      stdin: options.stdin,
      env: childEnv({ KUBECONFIG: this.kubeconfig, KUBECACHEDIR: path.join(this.workDir, 'kube-cache'), HOME: this.workDir }),
    });
    if (r.code !== 0 && !options.allowFailure) {
      throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
    }
    return r;
  }

  /** `kubectl apply --server-side` of objects (for real). */
  public async apply(objects: any[], extraArgs: string[] = []): Promise<KubectlResult> {
    return this.kubectl(['apply', '--server-side', '--field-manager=cdk8s-prometheus-e2e', ...extraArgs, '-f', '-'], {
      stdin: Yaml.stringify(...objects),
    });
  }

  /** `kubectl delete` of objects (those that do not exist are ignored). */
  public async delete(objects: any[], extraArgs: string[] = []): Promise<KubectlResult> {
    return this.kubectl(['delete', '--ignore-not-found', ...extraArgs, '-f', '-'], { stdin: Yaml.stringify(...objects) });
  }

  /** Creates the namespaces that do not exist yet (idempotent). */
  public async ensureNamespaces(names: Iterable<string>, labels: Record<string, Record<string, string>> = {}): Promise<void> {
    const objs = [...new Set(names)].sort().map(name => ({
      apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(labels[name] ? { labels: labels[name] } : {}) },
    }));
    if (objs.length > 0) await this.apply(objs);
  }

  /** A request to the API server as the admin. */
  public api(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = https.request({
        host: API_ADDR,
        port: API_PORT,
        path: urlPath,
        method,
        ca: fs.readFileSync(this.pki.ca.cert),
        cert: fs.readFileSync(this.pki.admin.cert),
        key: fs.readFileSync(this.pki.admin.key),
        headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {},
        timeout: 10_000,
      }, res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: timeout`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  /**
   * What a kubelet with `authentication.webhook` and `authorization.mode: Webhook` decides for a
   * request: TokenReview of the bearer token, then a SubjectAccessReview of `get nodes/<sub>`
   * (`/metrics` and `/metrics/*` map to the `metrics` subresource, everything else to `proxy`).
   */
  public async kubeletAuthorize(token: string, node: string, urlPath: string): Promise<{ status: number; user?: string; reason: string }> {
    let review = this.tokenCache.get(token);
    if (!review) {
      review = this.api('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token },
      }).then(r => {
        if (r.status !== 201 && r.status !== 200) return { error: `TokenReview HTTP ${r.status}: ${r.body.slice(0, 300)}` };
        const s = JSON.parse(r.body).status ?? {};
        return s.authenticated ? { user: s.user } : { error: `token not authenticated: ${s.error ?? 'no reason'}` };
      });
      this.tokenCache.set(token, review);
    }
    const who = await review;
    if (!who.user) return { status: 401, reason: who.error ?? 'unauthenticated' };
    const subresource = urlPath === '/metrics' || urlPath.startsWith('/metrics/') ? 'metrics' : 'proxy';
    const key = `${who.user.username}|${node}|${subresource}`;
    let sar = this.sarCache.get(key);
    if (!sar) {
      sar = this.api('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: who.user.username,
          uid: who.user.uid,
          groups: who.user.groups,
          extra: who.user.extra,
          resourceAttributes: { verb: 'get', resource: 'nodes', subresource, name: node },
        },
      }).then(r => {
        if (r.status !== 201 && r.status !== 200) return { allowed: false, reason: `SubjectAccessReview HTTP ${r.status}` };
        const s = JSON.parse(r.body).status ?? {};
        return { allowed: !!s.allowed, reason: s.reason ?? s.evaluationError ?? '' };
      });
      this.sarCache.set(key, sar);
    }
    const decision = await sar;
    return decision.allowed
      ? { status: 200, user: who.user.username, reason: decision.reason }
      : { status: 403, user: who.user.username, reason: `Forbidden (user=${who.user.username}, verb=get, resource=nodes, subresource=${subresource}) ${decision.reason}` };
  }
}

/** A plain HTTP GET (Prometheus API, etcd health) inside the namespace. */
export function httpGet(url: string, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, res => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timeout`)));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------
// manifests

export function manifestObjects(file: string): K8sObject[] {
  return loadYamlFile(file) as K8sObject[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/** Workloads with a pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job). */
export function workloads(objects: K8sObject[]): K8sObject[] {
  return objects.filter(o => WORKLOAD_KINDS.has(o.kind) && o.spec?.template);
}

/**
 * The Pod a workload controller would create from the template: the template's metadata and
 * spec, a node (there is no scheduler), and for a StatefulSet the claim volumes of its volume
 * claim templates (`<claim>-<statefulset>-0`), as the StatefulSet controller adds them.
 */
export function podFromTemplate(workload: K8sObject, nodeName: string): K8sObject {
  const tpl = JSON.parse(JSON.stringify(workload.spec.template));
  const spec = { ...tpl.spec, nodeName };
  let name = `${workload.metadata.name}-template-check`;
  if (workload.kind === 'StatefulSet') {
    name = `${workload.metadata.name}-0`;
    const claims: any[] = workload.spec.volumeClaimTemplates ?? [];
    const volumes: any[] = [...(spec.volumes ?? [])];
    for (const c of claims) {
      volumes.push({ name: c.metadata.name, persistentVolumeClaim: { claimName: `${c.metadata.name}-${workload.metadata.name}-0` } });
    }
    spec.volumes = volumes;
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...(tpl.metadata ?? {}), name, namespace: workload.metadata.namespace },
    spec,
  };
}

// ---------------------------------------------------------------------------------------------
// containers, as their pods run them

/**
 * What a pod's resolver answers: `/etc/hosts` entries standing in for cluster DNS (a Service name
 * pointing at the address of its fake endpoint), and no nameserver that answers, so every other
 * name fails at once.
 */
export interface PodSandbox {
  /** Name -> 10.244.0.x address. */
  readonly hosts: Record<string, string>;
}

/** Mounts the /etc overlay and the binds, then execs the command (same pid: stops reach it). */
const SANDBOX_SCRIPT = `set -euo pipefail
dir=$1; shift
mount -t overlay e2e-pod -o "lowerdir=/etc,upperdir=$dir/upper,workdir=$dir/work" /etc
while [[ $1 != -- ]]; do mkdir -p "$2"; mount --bind "$1" "$2"; shift 2; done
shift
exec "$@"
`;

/**
 * The command line that runs `command args` in a mount namespace of its own, nested in the
 * suite's (nothing shows outside that process): /etc is an overlay whose upper layer lives on the
 * suite's private /run and holds the sandbox's `hosts` and a `resolv.conf` without a reachable
 * nameserver; each of `etcMounts` (volume mounts under /etc, e.g. a ConfigMap at /etc/prometheus)
 * is bind-mounted at its real path, for absolute paths inside configuration files.
 */
export function sandboxCommand(name: string, sandbox: PodSandbox, etcMounts: Array<{ mountPath: string; hostPath: string }>,
  command: string, args: string[]): { command: string; args: string[]; dir: string } {
  assertInsideSuiteNamespace();
  const dir = fs.mkdtempSync(path.join(fs.realpathSync('/var/run'), `e2e-pod-${name}-`));
  fs.mkdirSync(path.join(dir, 'upper'));
  fs.mkdirSync(path.join(dir, 'work'));
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  for (const [host, ip] of Object.entries(sandbox.hosts).sort(([a], [b]) => a.localeCompare(b))) {
    if (!net.isIPv4(ip) || !ip.startsWith('10.244.0.')) throw new Error(`sandbox ${name}: ${host} -> ${ip}: only 10.244.0.x addresses`);
    lines.push(`${ip}\t${host}`);
  }
  fs.writeFileSync(path.join(dir, 'upper', 'hosts'), lines.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'upper', 'resolv.conf'),
    '# e2e pod sandbox: no cluster DNS, only /etc/hosts answers (nothing listens on 127.0.0.1:53)\nnameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
  const script = path.join(dir, 'enter.sh');
  fs.writeFileSync(script, SANDBOX_SCRIPT);
  const binds: string[] = [];
  for (const m of etcMounts) {
    if (!m.mountPath.startsWith('/etc/')) throw new Error(`sandbox ${name}: ${m.mountPath} is not under /etc`);
    binds.push(m.hostPath, m.mountPath);
  }
  return { command: 'unshare', args: ['--mount', '--propagation', 'private', '--', 'bash', script, dir, ...binds, '--', command, ...args], dir };
}

interface VolumeMountDir { readonly mountPath: string; readonly hostPath: string }

/**
 * The volume mounts of a workload's container as directories under `root`: ConfigMap volumes get
 * the ConfigMap's data verbatim; emptyDirs and claim templates stay empty. Any other volume fails.
 */
export function containerMounts(workload: K8sObject, container: any, objects: K8sObject[], root: string,
  secrets: Record<string, Record<string, string>> = {}): VolumeMountDir[] {
  const podSpec = workload.spec.template.spec;
  const ns = workload.metadata.namespace;
  const mounts: VolumeMountDir[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const hostPath = path.join(root, vm.mountPath);
    fs.mkdirSync(hostPath, { recursive: true });
    const vol = (podSpec.volumes ?? []).find((v: any) => v.name === vm.name);
    const claim = (workload.spec.volumeClaimTemplates ?? []).find((c: any) => c.metadata.name === vm.name);
    if (vol?.configMap) {
      const cm = objects.find(o => o.kind === 'ConfigMap' && o.metadata.name === vol.configMap.name && o.metadata.namespace === ns);
      if (!cm) throw new Error(`volume ${vm.name}: ConfigMap ${ns}/${vol.configMap.name} is not in the manifest`);
      const items: Array<{ key: string; path: string }> = vol.configMap.items ?? Object.keys(cm.data ?? {}).map(k => ({ key: k, path: k }));
      for (const it of items) fs.writeFileSync(path.join(hostPath, it.path), cm.data[it.key]);
    } else if (vol?.secret) {
      // What the kubelet writes from the Secret (Secrets are the user's, not in the manifests):
      // given by the test, either as data by Secret name or as Secret objects beside the
      // manifest's; exactly the volume's items, with the volume's mode.
      const secret = objects.find(o => o.kind === 'Secret' && o.metadata.name === vol.secret.secretName && o.metadata.namespace === ns);
      const data: Record<string, string> | undefined = secrets[vol.secret.secretName] ?? (secret ? {
        ...Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString()])),
        ...secret.stringData,
      } : undefined);
      if (!data) throw new Error(`volume ${vm.name}: the test gave no data for Secret ${ns}/${vol.secret.secretName}`);
      const items: Array<{ key: string; path: string }> = vol.secret.items ?? Object.keys(data).map(k => ({ key: k, path: k }));
      for (const it of items) {
        if (data[it.key] === undefined) throw new Error(`volume ${vm.name}: Secret ${ns}/${vol.secret.secretName} has no key ${it.key}`);
        fs.writeFileSync(path.join(hostPath, it.path), data[it.key], { mode: vol.secret.defaultMode ?? 0o644 });
      }
    } else if (!claim && !vol?.emptyDir) {
      throw new Error(`volume ${vm.name} of the ${container.name} container is neither a ConfigMap, a Secret, an emptyDir nor a claim template`);
    }
    mounts.push({ mountPath: vm.mountPath, hostPath });
  }
  return mounts;
}

/** `--flag=/path` with the path on a volume mount -> the same file under the mount's directory. */
function rewritePathArg(arg: string, flag: string, value: string, mounts: VolumeMountDir[]): string {
  const mount = mounts.filter(x => value === x.mountPath || value.startsWith(x.mountPath.replace(/\/?$/, '/')))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  if (!mount) throw new Error(`${arg}: the path is on no volume mount of the container (read-only root filesystem)`);
  return `${flag}=${mount.hostPath}${value.slice(mount.mountPath.length)}`;
}

/**
 * The container's environment as the kubelet sets it: literal values, and the downward API
 * fields given in `fieldRefs` (`metadata.name` ...); anything else fails.
 */
function containerEnv(container: any, fieldRefs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) {
      env[e.name] = e.value;
    } else if (e.valueFrom?.fieldRef?.fieldPath && fieldRefs[e.valueFrom.fieldRef.fieldPath] !== undefined) {
      env[e.name] = fieldRefs[e.valueFrom.fieldRef.fieldPath];
    } else {
      throw new Error(`env ${e.name} of the ${container.name} container: only literal values and the fieldRefs `
        + `${Object.keys(fieldRefs).join(', ')} are supported by the harness (got ${JSON.stringify(e.valueFrom ?? e)})`);
    }
  }
  return env;
}

/** `$(VAR)` in container args, expanded from the container's environment as the kubelet does. */
function expandArgs(args: string[], env: Record<string, string>): string[] {
  return args.map(a => a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, name: string) => env[name] ?? all));
}

// ---------------------------------------------------------------------------------------------
// Prometheus, as the StatefulSet runs it

export interface PrometheusRun {
  readonly managed: Managed;
  readonly url: string;
  /** The container's args as synthesized. */
  readonly manifestArgs: string[];
  /** The args run: only paths (to mounted volumes) and the listen address (pod IP, loopback) replaced. */
  readonly args: string[];
  /** The config file, byte for byte the ConfigMap's value. */
  readonly configFile: string;
  readonly configText: string;
  readonly readinessPath: string;
  /** The environment from the manifest (downward API fields resolved). */
  readonly containerEnv: Record<string, string>;
}

/** The Prometheus StatefulSet and its container (named `prometheus`) of a manifest. */
/** The one workload of `kind` in the objects that runs a container named `container`. */
function workloadWith(objects: K8sObject[], kind: string, container: string): { workload: K8sObject; container: any } {
  const found = objects.filter(o => o.kind === kind)
    .map(workload => ({ workload, container: (workload.spec.template.spec.containers ?? []).find((c: any) => c.name === container) }))
    .filter(x => x.container);
  if (found.length !== 1) throw new Error(`expected exactly one ${kind} with a "${container}" container, found ${found.length}`);
  return found[0];
}

export function prometheusWorkload(objects: K8sObject[]): { sts: K8sObject; container: any } {
  const { workload, container } = workloadWith(objects, 'StatefulSet', 'prometheus');
  return { sts: workload, container };
}

/**
 * Starts the real Prometheus with the container args of the manifest's StatefulSet. Each volume
 * mount becomes a directory under `<workDir>/<name>-fs/<mountPath>`; ConfigMap volumes get the
 * ConfigMap's data verbatim; the listen address moves to 10.244.0.1 (same port). Any other path
 * in the args fails the run rather than being guessed. With a `sandbox`, it runs in a mount
 * namespace of its own where the volume mounts under /etc also appear at their real paths (the
 * `rule_files` of prometheus.yml name /etc/prometheus/rules.yml) and names resolve through the
 * sandbox's hosts file.
 */
export async function startPrometheus(options: {
  tools: Tools;
  objects: K8sObject[];
  workDir: string;
  processes: Processes;
  /** Name of the process and its log (default `prometheus`). */
  name?: string;
  /** The pod's name, for `fieldRef: metadata.name` (default `<statefulset>-0`). */
  podName?: string;
  sandbox?: PodSandbox;
  /** Data of the Secrets the pod mounts, by Secret name then key. */
  secrets?: Record<string, Record<string, string>>;
  /** Whether the started Prometheus is ready (default: plain GET of the readiness probe's path answers 200). */
  ready?: () => Promise<boolean>;
}): Promise<PrometheusRun> {
  const { tools, objects, workDir, processes } = options;
  const name = options.name ?? 'prometheus';
  const { sts, container } = prometheusWorkload(objects);
  const ns = sts.metadata.namespace;
  const root = path.join(workDir, name === 'prometheus' ? 'pod-fs' : `${name}-fs`);
  const mounts = containerMounts(sts, container, objects, root, options.secrets);
  const podName = options.podName ?? `${sts.metadata.name}-0`;
  const env = containerEnv(container, {
    'metadata.name': podName,
    'metadata.namespace': ns!,
    'status.podIP': API_ADDR,
    'spec.serviceAccountName': sts.spec.template.spec.serviceAccountName,
  });
  const manifestEnv = { ...env };
  const webPort = (container.ports ?? []).find((p: any) => p.name === 'web')?.containerPort;
  const manifestArgs: string[] = [...(container.args ?? [])];
  const args = expandArgs(manifestArgs, env).flatMap(arg => {
    const m = /^(--[^=]+)=(.*)$/.exec(arg);
    if (!m) return [arg];
    const [, flag, value] = m;
    if (flag === '--web.listen-address') {
      // In the pod, ":9090" means the pod IP and the pod's loopback (the self-scrape uses
      // localhost:9090): here the namespace's 10.244.0.1 and its own private 127.0.0.1.
      const i = value.lastIndexOf(':');
      const host = value.slice(0, i);
      const port = value.slice(i + 1);
      if (!['', '0.0.0.0', '[::]'].includes(host)) throw new Error(`${arg}: expected a listen address on every interface`);
      if (String(webPort) !== port) throw new Error(`${arg}: port does not match the container port "web" (${webPort})`);
      return [`${flag}=${API_ADDR}:${port}`, `${flag}=127.0.0.1:${port}`];
    }
    // --web.route-prefix is a URL path, not a file (/prometheus is also the data volume's mount).
    return value.startsWith('/') && flag !== '--web.route-prefix' ? [rewritePathArg(arg, flag, value, mounts)] : [arg];
  });
  const configArg = args.find(a => a.startsWith('--config.file='));
  if (!configArg) throw new Error(`the prometheus container has no --config.file argument: ${manifestArgs.join(' ')}`);
  const configFile = configArg.slice('--config.file='.length);
  if (!fs.existsSync(configFile)) throw new Error(`${configArg}: no such file from the mounted ConfigMap`);
  // What the kubelet adds for the in-cluster client (rest.InClusterConfig).
  env.KUBERNETES_SERVICE_HOST = API_ADDR;
  env.KUBERNETES_SERVICE_PORT = String(API_PORT);
  env.KUBERNETES_SERVICE_PORT_HTTPS = String(API_PORT);
  env.KUBERNETES_PORT = `tcp://${API_ADDR}:${API_PORT}`;
  env.PATH = '/usr/bin:/bin';
  env.HOME = path.join(root, 'home');
  env.NO_PROXY = '*';
  fs.mkdirSync(env.HOME, { recursive: true });
  const readinessPath = container.readinessProbe?.httpGet?.path ?? '/-/ready';
  const cmd = options.sandbox
    ? sandboxCommand(name, options.sandbox, mounts.filter(x => x.mountPath.startsWith('/etc/')), tools.prometheus, args)
    : { command: tools.prometheus, args };
  const managed = processes.start(name, cmd.command, cmd.args, { env, cwd: root });
  const url = `http://${PROMETHEUS_ADDR}`;
  await waitFor(`${name} ${readinessPath}`, options.ready ?? (async () => (await httpGet(`${url}${readinessPath}`)).status === 200), {
    timeoutMs: 60_000, intervalMs: 300, processes, watch: [managed],
  });
  return { managed, url, manifestArgs, args, configFile, configText: fs.readFileSync(configFile, 'utf8'), readinessPath, containerEnv: manifestEnv };
}

// ---------------------------------------------------------------------------------------------
// the blackbox exporter, as its Deployment runs it

export interface ExporterRun {
  readonly managed: Managed;
  /** `http://<pod IP>:<port>` */
  readonly url: string;
  readonly manifestArgs: string[];
  readonly args: string[];
  /** The config file, byte for byte the ConfigMap's value. */
  readonly configFile: string;
  readonly configText: string;
  /** What `--config.check` printed. */
  readonly configCheck: string;
}

/** The Deployment with a container named `blackbox-exporter`, and that container. */
export function blackboxWorkload(objects: K8sObject[]): { deployment: K8sObject; container: any } {
  const { workload, container } = workloadWith(objects, 'Deployment', 'blackbox-exporter');
  return { deployment: workload, container };
}

/**
 * The real blackbox_exporter with the container args of the manifest's Deployment and its
 * ConfigMap's blackbox.yml (checked first with `--config.check`), listening on `podIp` at the
 * container port `http`, in a sandbox whose hosts file stands in for cluster DNS.
 */
export async function startBlackboxExporter(options: {
  tools: Tools;
  objects: K8sObject[];
  workDir: string;
  processes: Processes;
  podIp: string;
  sandbox: PodSandbox;
  /** Extra environment (e.g. SSL_CERT_FILE: the CA that issued the probed sites' certificates). */
  env?: Record<string, string>;
}): Promise<ExporterRun> {
  const { tools, objects, workDir, processes, podIp } = options;
  const { deployment, container } = blackboxWorkload(objects);
  const root = path.join(workDir, 'blackbox-fs');
  const mounts = containerMounts(deployment, container, objects, root);
  const env = containerEnv(container, { 'metadata.name': `${deployment.metadata.name}-0`, 'metadata.namespace': deployment.metadata.namespace!, 'status.podIP': podIp });
  const httpPort = (container.ports ?? []).find((p: any) => p.name === 'http')?.containerPort;
  const manifestArgs: string[] = [...(container.args ?? [])];
  const args = expandArgs(manifestArgs, env).map(arg => {
    const m = /^(--[^=]+)=(.*)$/.exec(arg);
    if (!m) return arg;
    const [, flag, value] = m;
    if (flag === '--web.listen-address') {
      const i = value.lastIndexOf(':');
      if (!['', '0.0.0.0', '[::]'].includes(value.slice(0, i))) throw new Error(`${arg}: expected a listen address on every interface`);
      if (String(httpPort) !== value.slice(i + 1)) throw new Error(`${arg}: port does not match the container port "http" (${httpPort})`);
      return `${flag}=${podIp}:${httpPort}`;
    }
    return value.startsWith('/') ? rewritePathArg(arg, flag, value, mounts) : arg;
  });
  const configArg = args.find(a => a.startsWith('--config.file='));
  if (!configArg) throw new Error(`the blackbox-exporter container has no --config.file argument: ${manifestArgs.join(' ')}`);
  const configFile = configArg.slice('--config.file='.length);
  if (!fs.existsSync(configFile)) throw new Error(`${configArg}: no such file from the mounted ConfigMap`);
  const check = await run(tools.blackboxExporter, ['--config.check', configArg], { env: childEnv() });
  const configCheck = `${check.stdout}${check.stderr}`.trim();
  if (check.code !== 0) throw new Error(`blackbox_exporter --config.check refused the ConfigMap's blackbox.yml (exit ${check.code}):\n${configCheck}`);
  Object.assign(env, { PATH: '/usr/bin:/bin', HOME: path.join(root, 'home'), NO_PROXY: '*' }, options.env ?? {});
  fs.mkdirSync(env.HOME, { recursive: true });
  const cmd = sandboxCommand('blackbox-exporter', options.sandbox, mounts.filter(x => x.mountPath.startsWith('/etc/')), tools.blackboxExporter, args);
  const managed = processes.start('blackbox-exporter', cmd.command, cmd.args, { env, cwd: root });
  const url = `http://${podIp}:${httpPort}`;
  const readinessPath = container.readinessProbe?.httpGet?.path ?? '/-/healthy';
  await waitFor(`blackbox-exporter ${readinessPath}`, async () => (await httpGet(`${url}${readinessPath}`)).status === 200, {
    timeoutMs: 30_000, intervalMs: 200, processes, watch: [managed],
  });
  return { managed, url, manifestArgs, args, configFile, configText: fs.readFileSync(configFile, 'utf8'), configCheck };
}

/** Prometheus HTTP API call (`/api/v1/...`), returning `data`. */
export async function promApi(baseUrl: string, apiPath: string): Promise<any> {
  const r = await httpGet(`${baseUrl}${apiPath}`);
  if (r.status !== 200) throw new Error(`GET ${apiPath}: HTTP ${r.status}: ${r.body.slice(0, 500)}`);
  const body = JSON.parse(r.body);
  if (body.status !== 'success') throw new Error(`GET ${apiPath}: ${r.body.slice(0, 500)}`);
  return body.data;
}

/** An instant PromQL query; returns the vector. */
export async function promQuery(baseUrl: string, query: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const data = await promApi(baseUrl, `/api/v1/query?query=${encodeURIComponent(query)}`);
  if (data.resultType !== 'vector') throw new Error(`query ${query}: expected a vector, got ${data.resultType}`);
  return data.result;
}

/**
 * Writes the ServiceAccount files the kubelet projects into every pod: `token`, `ca.crt`,
 * `namespace`. Only inside the suite's private /run (checked).
 */
export function writeServiceAccountFiles(files: { token: string; caCert: string; namespace: string }): void {
  assertInsideSuiteNamespace();
  fs.mkdirSync(SERVICE_ACCOUNT_DIR, { recursive: true, mode: 0o755 });
  fs.writeFileSync(path.join(SERVICE_ACCOUNT_DIR, 'token'), files.token, { mode: 0o644 });
  fs.copyFileSync(files.caCert, path.join(SERVICE_ACCOUNT_DIR, 'ca.crt'));
  fs.writeFileSync(path.join(SERVICE_ACCOUNT_DIR, 'namespace'), files.namespace, { mode: 0o644 });
}
