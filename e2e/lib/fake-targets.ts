/**
 * Fake scrape targets for the cluster suite, served from this process on the 10.244.0.x
 * addresses of the suite's network namespace (e2e/in-namespace.sh):
 *
 * - a kubelet per node: HTTPS on <node IP>:10250 with a serving certificate signed by the
 *   cluster CA, `/metrics` (a small exposition) and `/metrics/cadvisor` (a real capture), behind
 *   the kubelet's webhook authentication and authorization (TokenReview + SubjectAccessReview
 *   against the real API server, see `Cluster.kubeletAuthorize`);
 * - plain HTTP exporters (pods, Service endpoints, kube-state-metrics, node-exporter) with fixed
 *   payloads;
 * - web sites (HTTP or HTTPS with a certificate of the cluster CA) answering fixed paths: what
 *   the blackbox exporter probes behind Services and Ingresses.
 *
 * Every request and every TCP connection is recorded, so tests can check what Prometheus and the
 * blackbox exporter actually sent.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as path from 'path';

export const FIXTURES_DIR = path.resolve(__dirname, '..', 'fixtures');
export const CADVISOR_FIXTURE = path.join(FIXTURES_DIR, 'kubelet-v1.35-metrics-cadvisor.prom');
export const KSM_FIXTURE = path.join(FIXTURES_DIR, 'kube-state-metrics-v2.19.0-metrics.prom');

/** Content type of the Prometheus text format 0.0.4. */
export const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8';

/** A small, valid kubelet `/metrics` exposition (what matters: a few gauges and a counter). */
/** The kubelet's /metrics/probes (a small exposition in the kubelet's format). */
const KUBELET_PROBES = [
  '# HELP prober_probe_total [ALPHA] Cumulative number of a liveness, readiness or startup probe for a container by result.',
  '# TYPE prober_probe_total counter',
  'prober_probe_total{container="web",namespace="default",pod="web-0",pod_uid="0b0e",probe_type="Readiness",result="successful"} 42',
  '',
].join('\n');

/** The kubelet's /metrics/resource (a small exposition in the kubelet's format). */
function kubeletResource(node: string): string {
  return [
    '# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds',
    '# TYPE node_cpu_usage_seconds_total counter',
    `node_cpu_usage_seconds_total ${node === 'node-a' ? 1234.5 : 987.6}`,
    '# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes',
    '# TYPE node_memory_working_set_bytes gauge',
    'node_memory_working_set_bytes 1.073741824e+09',
    '',
  ].join('\n');
}

export function kubeletMetrics(node: string): string {
  return [
    '# HELP kubelet_running_pods [ALPHA] Number of pods that have a running pod sandbox',
    '# TYPE kubelet_running_pods gauge',
    'kubelet_running_pods 2',
    '# HELP kubelet_running_containers [ALPHA] Number of containers currently running',
    '# TYPE kubelet_running_containers gauge',
    'kubelet_running_containers{container_state="running"} 3',
    'kubelet_running_containers{container_state="exited"} 1',
    '# HELP kubelet_node_name [ALPHA] The node\'s name. The count is always 1.',
    '# TYPE kubelet_node_name gauge',
    `kubelet_node_name{node="${node}"} 1`,
    '# HELP kubelet_pleg_relist_duration_seconds [ALPHA] Duration in seconds for relisting pods in PLEG.',
    '# TYPE kubelet_pleg_relist_duration_seconds histogram',
    'kubelet_pleg_relist_duration_seconds_bucket{le="0.005"} 10',
    'kubelet_pleg_relist_duration_seconds_bucket{le="0.01"} 15',
    'kubelet_pleg_relist_duration_seconds_bucket{le="+Inf"} 16',
    'kubelet_pleg_relist_duration_seconds_sum 0.09',
    'kubelet_pleg_relist_duration_seconds_count 16',
    '# HELP rest_client_requests_total [ALPHA] Number of HTTP requests, partitioned by status code, method, and host.',
    '# TYPE rest_client_requests_total counter',
    'rest_client_requests_total{code="200",host="10.244.0.1:6443",method="GET"} 42',
    '',
  ].join('\n');
}

/** A small node-exporter exposition for one node. */
export function nodeExporterMetrics(node: string): string {
  return [
    '# HELP node_uname_info Labeled system information as provided by the uname system call.',
    '# TYPE node_uname_info gauge',
    `node_uname_info{domainname="(none)",machine="x86_64",nodename="${node}",release="6.12.0",sysname="Linux",version="#1 SMP"} 1`,
    '# HELP node_load1 1m load average.',
    '# TYPE node_load1 gauge',
    'node_load1 0.25',
    '# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.',
    '# TYPE node_cpu_seconds_total counter',
    'node_cpu_seconds_total{cpu="0",mode="idle"} 12345.6',
    'node_cpu_seconds_total{cpu="0",mode="user"} 234.5',
    '# HELP node_memory_MemAvailable_bytes Memory information field MemAvailable_bytes.',
    '# TYPE node_memory_MemAvailable_bytes gauge',
    'node_memory_MemAvailable_bytes 4.2e+09',
    '',
  ].join('\n');
}

/** A small application exposition (pods and Service endpoints). */
export function appMetrics(app: string): string {
  return [
    '# HELP demo_requests_total Requests served.',
    '# TYPE demo_requests_total counter',
    `demo_requests_total{app="${app}",code="200"} 42`,
    `demo_requests_total{app="${app}",code="500"} 1`,
    '# HELP demo_build_info Build information.',
    '# TYPE demo_build_info gauge',
    `demo_build_info{app="${app}",version="1.0"} 1`,
    '',
  ].join('\n');
}

export interface KubeletSpec {
  readonly node: string;
  readonly ip: string;
  readonly port: number;
  readonly cert: string;
  readonly key: string;
}

export interface HttpTargetSpec {
  /** What the target stands for, e.g. `pod default/web-0`. */
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  /** Body of GET /metrics. */
  readonly body: string;
  /** Serve at this path instead of /metrics. */
  readonly path?: string;
  /** Serve HTTPS with this certificate. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Answer 401 unless the request carries `Authorization: Bearer <token>`. */
  readonly bearerToken?: string;
}

/** A web site: fixed responses by path (404 elsewhere), over HTTPS when `tls` is given. */
export interface WebTargetSpec {
  /** What the site stands for, e.g. `ingress controller`. */
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Host header values served (port stripped), as an ingress controller routes: others get 404. */
  readonly hosts?: string[];
  readonly paths: Record<string, { readonly status: number; readonly body: string }>;
}

/** The kubelet's authentication + authorization decision for a request. */
export type KubeletAuthorizer = (token: string, node: string, urlPath: string) => Promise<{ status: number; user?: string; reason: string }>;

export interface RequestRecord {
  readonly target: string;
  readonly path: string;
  readonly status: number;
  readonly user?: string;
  readonly reason?: string;
  /** Host header (web sites). */
  readonly host?: string;
  /** TLS server name (SNI) of the connection (HTTPS web sites). */
  readonly serverName?: string;
  readonly userAgent?: string;
}

export class FakeTargets {
  /** Starts every server; fails with a clear message if an address is not on lo. */
  public static async start(spec: {
    kubelets?: KubeletSpec[];
    cadvisor?: string;
    authorize?: KubeletAuthorizer;
    http?: HttpTargetSpec[];
    web?: WebTargetSpec[];
  }): Promise<FakeTargets> {
    const t = new FakeTargets();
    try {
      for (const k of spec.kubelets ?? []) {
        if (spec.cadvisor === undefined || !spec.authorize) throw new Error('fake kubelets need the cAdvisor payload and an authorizer');
        await t.startKubelet(k, spec.cadvisor, spec.authorize);
      }
      for (const h of spec.http ?? []) await t.startHttp(h);
      for (const w of spec.web ?? []) await t.startWeb(w);
    } catch (e) {
      await t.close();
      throw e;
    }
    return t;
  }

  public readonly requests: RequestRecord[] = [];
  /** TCP connections accepted, by target name (a TCP connect probe sends no request). */
  public readonly connections: Record<string, number> = {};
  private readonly servers: Array<{ name: string; server: http.Server }> = [];

  private constructor() {}

  /** Requests one target received. */
  public requestsTo(target: string): RequestRecord[] {
    return this.requests.filter(r => r.target === target);
  }

  /** TCP connections one target accepted. */
  public connectionsTo(target: string): number {
    return this.connections[target] ?? 0;
  }

  public async close(): Promise<void> {
    await Promise.all(this.servers.map(({ server }) => new Promise<void>(resolve => {
      server.close(() => resolve());
      server.closeAllConnections();
    })));
    this.servers.length = 0;
  }

  private async startKubelet(k: KubeletSpec, cadvisor: string, authorize: KubeletAuthorizer): Promise<void> {
    const name = `kubelet ${k.node}`;
    const server = https.createServer({ cert: fs.readFileSync(k.cert), key: fs.readFileSync(k.key) }, (req, res) => {
      const urlPath = (req.url ?? '/').split('?')[0];
      const record = (status: number, user?: string, reason?: string): void => {
        this.requests.push({ target: name, path: urlPath, status, user, reason });
      };
      const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      if (!auth) {
        record(401, undefined, 'no bearer token');
        res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized');
        return;
      }
      authorize(auth[1], k.node, urlPath).then(decision => {
        if (decision.status !== 200) {
          record(decision.status, decision.user, decision.reason);
          res.writeHead(decision.status, { 'content-type': 'text/plain' }).end(decision.reason);
          return;
        }
        const body = req.method === 'GET' && urlPath === '/metrics' ? kubeletMetrics(k.node)
          : req.method === 'GET' && urlPath === '/metrics/cadvisor' ? cadvisor
            : req.method === 'GET' && urlPath === '/metrics/probes' ? KUBELET_PROBES
              : req.method === 'GET' && urlPath === '/metrics/resource' ? kubeletResource(k.node) : undefined;
        if (body === undefined) {
          record(404, decision.user);
          res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
          return;
        }
        record(200, decision.user);
        res.writeHead(200, { 'content-type': TEXT_FORMAT }).end(body);
      }).catch(err => {
        record(500, undefined, String(err));
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
      });
    });
    await this.listen(name, server, k.ip, k.port);
  }

  private async startHttp(h: HttpTargetSpec): Promise<void> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      const urlPath = (req.url ?? '/').split('?')[0];
      if (h.bearerToken !== undefined && req.headers.authorization !== `Bearer ${h.bearerToken}`) {
        this.requests.push({ target: h.name, path: urlPath, status: 401, reason: 'no or wrong bearer token' });
        res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized');
        return;
      }
      const ok = req.method === 'GET' && urlPath === (h.path ?? '/metrics');
      this.requests.push({ target: h.name, path: urlPath, status: ok ? 200 : 404, serverName: (req.socket as any).servername || undefined });
      if (ok) res.writeHead(200, { 'content-type': TEXT_FORMAT }).end(h.body);
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
    };
    const server = h.tls
      ? https.createServer({ cert: fs.readFileSync(h.tls.cert), key: fs.readFileSync(h.tls.key) }, handler)
      : http.createServer(handler);
    await this.listen(h.name, server, h.ip, h.port);
  }

  private async startWeb(w: WebTargetSpec): Promise<void> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      const urlPath = (req.url ?? '/').split('?')[0];
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      const served = !w.hosts || w.hosts.includes(host);
      const page = served && (req.method === 'GET' || req.method === 'HEAD') ? w.paths[urlPath] : undefined;
      const status = page?.status ?? 404;
      this.requests.push({
        target: w.name,
        path: urlPath,
        status,
        host: req.headers.host,
        serverName: (req.socket as any).servername || undefined,
        userAgent: req.headers['user-agent'],
      });
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(page?.body ?? '404 page not found\n');
    };
    const server = w.tls
      ? https.createServer({ cert: fs.readFileSync(w.tls.cert), key: fs.readFileSync(w.tls.key) }, handler)
      : http.createServer(handler);
    await this.listen(w.name, server, w.ip, w.port);
  }

  private listen(name: string, server: http.Server, ip: string, port: number): Promise<void> {
    if (!net.isIPv4(ip) || !ip.startsWith('10.244.0.')) {
      return Promise.reject(new Error(`${name}: refusing to listen on ${ip}: only 10.244.0.x inside the suite's namespace`));
    }
    return new Promise((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(
        `${name}: cannot listen on ${ip}:${port}: ${e.code ?? e.message}`
        + (e.code === 'EADDRNOTAVAIL' ? ' (the address is not on lo: add it in e2e/in-namespace.sh)' : ''))));
      // Plain TCP connections, TLS or not ('connection' is the TCP accept of both http and https).
      server.on('connection', () => {
        this.connections[name] = (this.connections[name] ?? 0) + 1;
      });
      server.listen(port, ip, () => {
        this.servers.push({ name, server });
        resolve();
      });
    });
  }
}
