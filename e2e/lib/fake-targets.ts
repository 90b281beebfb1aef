/**
 * Fake scrape targets for the cluster suite, served from this process on the 10.244.0.x
 * addresses of the suite's network namespace (e2e/in-namespace.sh):
 *
 * - a kubelet per node: HTTPS on <node IP>:10250 with a serving certificate signed by the
 *   cluster CA, `/metrics` (a small exposition) and `/metrics/cadvisor` (a real capture), behind
 *   the kubelet's webhook authentication and authorization (TokenReview + SubjectAccessReview
 *   against the real API server, see `Cluster.kubeletAuthorize`);
 * - plain HTTP exporters (pods, Service endpoints, kube-state-metrics) with fixed payloads.
 *
 * Every request is recorded, so tests can check what Prometheus actually sent.
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
}

/** The kubelet's authentication + authorization decision for a request. */
export type KubeletAuthorizer = (token: string, node: string, urlPath: string) => Promise<{ status: number; user?: string; reason: string }>;

export interface RequestRecord {
  readonly target: string;
  readonly path: string;
  readonly status: number;
  readonly user?: string;
  readonly reason?: string;
}

export class FakeTargets {
  /** Starts every server; fails with a clear message if an address is not on lo. */
  public static async start(spec: {
    kubelets: KubeletSpec[];
    cadvisor: string;
    authorize: KubeletAuthorizer;
    http: HttpTargetSpec[];
  }): Promise<FakeTargets> {
    const t = new FakeTargets();
    try {
      for (const k of spec.kubelets) await t.startKubelet(k, spec.cadvisor, spec.authorize);
      for (const h of spec.http) await t.startHttp(h);
    } catch (e) {
      await t.close();
      throw e;
    }
    return t;
  }

  public readonly requests: RequestRecord[] = [];
  private readonly servers: Array<{ name: string; server: http.Server }> = [];

  private constructor() {}

  /** Requests one target received. */
  public requestsTo(target: string): RequestRecord[] {
    return this.requests.filter(r => r.target === target);
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
          : req.method === 'GET' && urlPath === '/metrics/cadvisor' ? cadvisor : undefined;
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
    const server = http.createServer((req, res) => {
      const urlPath = (req.url ?? '/').split('?')[0];
      const ok = req.method === 'GET' && urlPath === '/metrics';
      this.requests.push({ target: h.name, path: urlPath, status: ok ? 200 : 404 });
      if (ok) res.writeHead(200, { 'content-type': TEXT_FORMAT }).end(h.body);
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
    });
    await this.listen(h.name, server, h.ip, h.port);
  }

  private listen(name: string, server: http.Server, ip: string, port: number): Promise<void> {
    if (!net.isIPv4(ip) || !ip.startsWith('10.244.0.')) {
      return Promise.reject(new Error(`${name}: refusing to listen on ${ip}: only 10.244.0.x inside the suite's namespace`));
    }
    return new Promise((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(
        `${name}: cannot listen on ${ip}:${port}: ${e.code ?? e.message}`
        + (e.code === 'EADDRNOTAVAIL' ? ' (the address is not on lo: add it in e2e/in-namespace.sh)' : ''))));
      server.listen(port, ip, () => {
        this.servers.push({ name, server });
        resolve();
      });
    });
  }
}
