import { createHash } from 'crypto';
import { Duration, Size, Yaml } from 'cdk8s';
import { ContainerResources, Cpu, k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { PrometheusStack } from './prometheus-stack';
import { RelabelRule } from './relabel';
import {
  checkHttpHeader, checkK8sLabelKey, checkPositiveDuration, checkRegex, fail, Where,
} from './validation';
import { BLACKBOX_EXPORTER_IMAGE, BLACKBOX_EXPORTER_VERSION } from './versions';
import {
  componentLabels, CONFIG_HASH_ANNOTATION, renderResources, resolveName, resolveNamespace, restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from './workload';

/** How a blackbox module probes its target. */
export enum BlackboxProber {
  /** An HTTP(S) request; the target is a URL or host:port. */
  HTTP = 'http',
  /** A TCP connection (optionally TLS); the target is host:port. */
  TCP = 'tcp',
}

/** HTTP methods a probe may use. */
export enum HttpMethod {
  /** GET */
  GET = 'GET',
  /** HEAD */
  HEAD = 'HEAD',
  /** POST */
  POST = 'POST',
  /** PUT */
  PUT = 'PUT',
  /** PATCH */
  PATCH = 'PATCH',
  /** DELETE */
  DELETE = 'DELETE',
  /** OPTIONS */
  OPTIONS = 'OPTIONS',
}

/** IP protocol a probe resolves its target to first (it falls back to the other one). */
export enum IpProtocol {
  /** IPv4 first: what most clusters have. */
  IP4 = 'ip4',
  /** IPv6 first (the exporter's own default). */
  IP6 = 'ip6',
}

/** Settings every module takes. */
export interface BlackboxModuleCommonOptions {
  /**
   * Name of the module: the `module` URL parameter of the probe. Letters, digits, `_`, `.` and `-`.
   */
  readonly name: string;
  /**
   * How long the probe may take. The exporter uses the smaller of this and the Prometheus scrape
   * timeout minus 0.5s.
   * @default - the Prometheus scrape timeout minus 0.5s
   */
  readonly timeout?: Duration;
  /**
   * IP protocol tried first when the target name resolves to both; the other one is the fallback.
   * @default IpProtocol.IP4
   */
  readonly preferredIpProtocol?: IpProtocol;
  /**
   * Accept any certificate from a TLS target. An explicit opt-in: never the default.
   * @default false
   */
  readonly insecureSkipVerify?: boolean;
}

/** Options of `BlackboxModule.http`. */
export interface HttpModuleOptions extends BlackboxModuleCommonOptions {
  /**
   * HTTP method.
   * @default HttpMethod.GET
   */
  readonly method?: HttpMethod;
  /**
   * Status codes that count as success.
   * @default - any 2xx
   */
  readonly validStatusCodes?: number[];
  /**
   * Request headers.
   * @default - none
   */
  readonly headers?: { [name: string]: string };
  /**
   * Request body.
   * @default - none
   */
  readonly body?: string;
  /**
   * Follow redirects (a redirect's final status counts).
   * @default true
   */
  readonly followRedirects?: boolean;
  /**
   * Fail unless the target answers over TLS.
   * @default false
   */
  readonly failIfNotSsl?: boolean;
  /**
   * Fail if the target answers over TLS.
   * @default false
   */
  readonly failIfSsl?: boolean;
  /**
   * Fail if the body matches any of these (Go RE2, unanchored).
   * @default - none
   */
  readonly failIfBodyMatches?: string[];
  /**
   * Fail unless the body matches every one of these (Go RE2, unanchored).
   * @default - none
   */
  readonly failIfBodyNotMatches?: string[];
}

/** Options of `BlackboxModule.tcp`. */
export interface TcpModuleOptions extends BlackboxModuleCommonOptions {
  /**
   * Start TLS right after connecting (and verify the certificate).
   * @default false
   */
  readonly tls?: boolean;
}

/**
 * Everything a module is, before rendering.
 * @internal
 */
export interface BlackboxModuleSpec {
  readonly name: string;
  readonly prober: BlackboxProber;
  readonly timeout?: Duration;
  readonly preferredIpProtocol: IpProtocol;
  readonly insecureSkipVerify?: boolean;
  readonly method?: HttpMethod;
  readonly validStatusCodes?: number[];
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly followRedirects?: boolean;
  readonly failIfNotSsl?: boolean;
  readonly failIfSsl?: boolean;
  readonly failIfBodyMatches?: string[];
  readonly failIfBodyNotMatches?: string[];
  readonly tls?: boolean;
}

/**
 * A blackbox exporter module: how a probe checks its target. Values are checked when the module
 * is given to a `BlackboxExporter`, so that errors name the construct path.
 */
export class BlackboxModule {
  /** `http_2xx`: GET, any 2xx status after redirects, IPv4 first. */
  public static http2xx(): BlackboxModule {
    return BlackboxModule.http({ name: 'http_2xx' });
  }

  /** `tcp_connect`: the port accepts a TCP connection, IPv4 first. */
  public static tcpConnect(): BlackboxModule {
    return BlackboxModule.tcp({ name: 'tcp_connect' });
  }

  /** An HTTP(S) module. */
  public static http(options: HttpModuleOptions): BlackboxModule {
    return new BlackboxModule({
      ...copy(options),
      prober: BlackboxProber.HTTP,
      preferredIpProtocol: options.preferredIpProtocol ?? IpProtocol.IP4,
    });
  }

  /** A TCP (optionally TLS) connect module. */
  public static tcp(options: TcpModuleOptions): BlackboxModule {
    return new BlackboxModule({
      ...copy(options),
      prober: BlackboxProber.TCP,
      preferredIpProtocol: options.preferredIpProtocol ?? IpProtocol.IP4,
    });
  }

  /** @internal */
  public readonly _spec: BlackboxModuleSpec;

  private constructor(spec: BlackboxModuleSpec) {
    this._spec = spec;
  }

  /** Name of the module (the `module` URL parameter). */
  public get name(): string {
    return this._spec.name;
  }

  /** The prober the module uses. */
  public get prober(): BlackboxProber {
    return this._spec.prober;
  }
}

/** A shallow copy that also copies arrays and maps, so later changes by the caller do not leak in. */
function copy<T extends object>(options: T): T {
  const out: Record<string, unknown> = { ...(options as Record<string, unknown>) };
  for (const [k, v] of Object.entries(out)) {
    if (Array.isArray(v)) out[k] = [...v];
    else if (v !== null && typeof v === 'object' && !(v instanceof Duration)) out[k] = { ...v };
  }
  return out as T;
}

// ---------------------------------------------------------------------------------------------
// blackbox.yml: the one place that writes the exporter's configuration keys (snake_case).
// ---------------------------------------------------------------------------------------------

/** A Go `time.Duration` string: whole seconds as `5s`, anything finer in milliseconds. */
function goDuration(d: Duration): string {
  const ms = d.toMilliseconds();
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function compact(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined
    && !(Array.isArray(v) && v.length === 0)
    && !(v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0)));
}

function renderModule(m: BlackboxModuleSpec): Record<string, unknown> {
  const tlsConfig = m.insecureSkipVerify ? { insecure_skip_verify: true } : undefined;
  const probe = m.prober === BlackboxProber.HTTP
    ? compact({
      method: m.method,
      valid_status_codes: m.validStatusCodes,
      headers: m.headers,
      body: m.body,
      follow_redirects: m.followRedirects === false ? false : undefined,
      fail_if_ssl: m.failIfSsl || undefined,
      fail_if_not_ssl: m.failIfNotSsl || undefined,
      fail_if_body_matches_regexp: m.failIfBodyMatches,
      fail_if_body_not_matches_regexp: m.failIfBodyNotMatches,
      preferred_ip_protocol: m.preferredIpProtocol,
      tls_config: tlsConfig,
    })
    : compact({
      preferred_ip_protocol: m.preferredIpProtocol,
      tls: m.tls || undefined,
      tls_config: tlsConfig,
    });
  return compact({
    prober: m.prober,
    timeout: m.timeout ? goDuration(m.timeout) : undefined,
    [m.prober]: probe,
  });
}

/** The whole `blackbox.yml`, modules sorted by name. */
export function renderBlackboxConfig(modules: BlackboxModule[]): string {
  const sorted = [...modules].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return Yaml.stringify({ modules: Object.fromEntries(sorted.map(m => [m.name, renderModule(m._spec)])) });
}

// ---------------------------------------------------------------------------------------------
// Validation of modules
// ---------------------------------------------------------------------------------------------

const MODULE_NAME = /^[A-Za-z0-9_.-]+$/;

function checkModule(where: Where, module: BlackboxModule): void {
  if (!(module instanceof BlackboxModule)) {
    fail(where, module, 'must be a BlackboxModule (use BlackboxModule.http2xx(), .tcpConnect(), .http() or .tcp())');
  }
  const m = module._spec;
  const at = (field: string): Where => ({ scope: where.scope, prop: `${where.prop}.${field}` });
  if (typeof m.name !== 'string' || !MODULE_NAME.test(m.name)) {
    fail(at('name'), m.name, 'a module name is a non-empty string of letters, digits, "_", "." and "-"');
  }
  if (m.timeout !== undefined) checkPositiveDuration(at('timeout'), m.timeout);
  if (!Object.values(IpProtocol).includes(m.preferredIpProtocol)) {
    fail(at('preferredIpProtocol'), m.preferredIpProtocol, `one of ${Object.values(IpProtocol).join(', ')}`);
  }
  if (m.prober !== BlackboxProber.HTTP) return;
  if (m.method !== undefined && !Object.values(HttpMethod).includes(m.method)) {
    fail(at('method'), m.method, `unknown HTTP method; one of ${Object.values(HttpMethod).join(', ')}`);
  }
  if (m.validStatusCodes !== undefined) {
    if (m.validStatusCodes.length === 0) {
      fail(at('validStatusCodes'), [], 'give at least one status code, or leave it out to accept any 2xx');
    }
    m.validStatusCodes.forEach((code, i) => {
      if (!Number.isInteger(code) || code < 100 || code > 599) {
        fail(at(`validStatusCodes[${i}]`), code, 'an HTTP status code is a whole number between 100 and 599');
      }
    });
  }
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    checkHttpHeader(at('headers'), name, value);
  }
  if (m.failIfSsl && m.failIfNotSsl) {
    fail(at('failIfSsl'), true, 'failIfSsl and failIfNotSsl together fail every probe; set one of them');
  }
  (m.failIfBodyMatches ?? []).forEach((re, i) => checkRegex(at(`failIfBodyMatches[${i}]`), re));
  (m.failIfBodyNotMatches ?? []).forEach((re, i) => checkRegex(at(`failIfBodyNotMatches[${i}]`), re));
}

// ---------------------------------------------------------------------------------------------
// The exporter
// ---------------------------------------------------------------------------------------------

/** Options of `BlackboxExporter`. */
export interface BlackboxExporterOptions {
  /**
   * Namespace of the exporter's objects.
   * @default - the chart's namespace, else the stack's
   */
  readonly namespace?: string;
  /**
   * Base name of the exporter's objects (Deployment, Service, ConfigMap ...).
   * @default - the construct id when it is a valid DNS label, else a name derived from the construct path
   */
  readonly name?: string;
  /**
   * The modules the exporter offers; probes may only use these.
   * @default - `BlackboxModule.http2xx()` and `BlackboxModule.tcpConnect()`
   */
  readonly modules?: BlackboxModule[];
  /**
   * blackbox_exporter image.
   * @default - `quay.io/prometheus/blackbox-exporter` at the pinned version
   */
  readonly image?: string;
  /**
   * Resources of the container.
   * @default - requests 10m CPU / 32Mi memory / 16Mi ephemeral storage, limits 100m CPU / 64Mi
   * memory / 256Mi ephemeral storage
   */
  readonly resources?: ContainerResources;
}

/** Props of `BlackboxExporter`. */
export interface BlackboxExporterProps extends BlackboxExporterOptions {
  /** The stack whose pods may reach the exporter (NetworkPolicy). */
  readonly prometheus: PrometheusStack;
}

const HTTP_PORT = 9115;
const CONFIG_DIR = '/etc/blackbox_exporter';
const CONFIG_FILE = 'blackbox.yml';

/**
 * The Prometheus blackbox exporter: a Deployment (Pod Security `restricted`) with its modules in a
 * ConfigMap (`blackbox.yml`, mounted as a directory), a ClusterIP Service on port 9115 (`http`)
 * and a NetworkPolicy that admits only the Prometheus pods. `ServiceProbe` and `IngressProbe`
 * send their probes through it.
 *
 * The pod template carries a checksum of `blackbox.yml`: a change of modules rolls the pod
 * (`maxUnavailable: 0`, so a pod always serves probes). The exporter is stateless and starts in
 * a second, and a bad configuration stalls the rollout visibly instead of being refused in a
 * log line.
 */
export class BlackboxExporter extends Construct {
  /** Namespace of the exporter's objects. */
  public readonly namespace: string;
  /** Name of the exporter's Service. */
  public readonly serviceName: string;
  /** Port of the exporter's Service. */
  public readonly port: number = HTTP_PORT;
  /** `<service>.<namespace>.svc:9115`: where Prometheus sends probes. */
  public readonly address: string;
  /** sha256 of `blackbox.yml`. */
  public readonly configHash: string;

  private readonly moduleList: BlackboxModule[];
  private readonly configYaml: string;

  public constructor(scope: Construct, id: string, props: BlackboxExporterProps) {
    super(scope, id);
    if (!props.prometheus || typeof (props.prometheus as any).addScrape !== 'function') {
      fail({ scope: this, prop: 'prometheus' }, String(props.prometheus), 'must be a PrometheusStack');
    }
    this.namespace = resolveNamespace(this, props.namespace, props.prometheus.namespace);
    const name = resolveName(this, props.name, 63);
    this.serviceName = name;
    this.address = `${name}.${this.namespace}.svc:${HTTP_PORT}`;

    const modules = props.modules ?? [BlackboxModule.http2xx(), BlackboxModule.tcpConnect()];
    if (!Array.isArray(modules) || modules.length === 0) {
      fail({ scope: this, prop: 'modules' }, modules, 'give at least one module, or leave it out for http_2xx and tcp_connect');
    }
    const seen = new Map<string, number>();
    modules.forEach((m, i) => {
      checkModule({ scope: this, prop: `modules[${i}]` }, m);
      if (seen.has(m.name)) {
        fail({ scope: this, prop: `modules[${i}].name` }, m.name, `module name already used by modules[${seen.get(m.name)}]`);
      }
      seen.set(m.name, i);
    });
    this.moduleList = [...modules];

    const config = renderBlackboxConfig(this.moduleList);
    this.configYaml = config;
    this.configHash = createHash('sha256').update(config).digest('hex');

    const labels = componentLabels('blackbox-exporter', name, 'exporter', BLACKBOX_EXPORTER_VERSION);
    const meta = (extra: Partial<k8s.ObjectMeta> = {}): k8s.ObjectMeta => ({
      name, namespace: this.namespace, labels: labels.all, ...extra,
    });
    const hash = { [CONFIG_HASH_ANNOTATION]: this.configHash };
    const configMapName = `${name}-config`;

    // Its own ServiceAccount, without a token: the exporter never calls the API server.
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: meta(), automountServiceAccountToken: false });

    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { ...meta(), name: configMapName, annotations: hash },
      data: { [CONFIG_FILE]: config },
    });

    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: meta({ annotations: hash }),
      spec: {
        replicas: 1,
        selector: { matchLabels: labels.selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) },
        },
        template: {
          // The checksum rolls the pod when the modules change.
          metadata: { labels: labels.all, annotations: hash },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(false),
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            containers: [{
              name: 'blackbox-exporter',
              image: props.image ?? BLACKBOX_EXPORTER_IMAGE,
              imagePullPolicy: 'IfNotPresent',
              args: [
                `--config.file=${CONFIG_DIR}/${CONFIG_FILE}`,
                `--web.listen-address=:${HTTP_PORT}`,
              ],
              ports: [{ name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' }],
              // Ready when HTTP answers; restarted only when nothing listens any more.
              readinessProbe: {
                httpGet: { path: '/-/healthy', port: k8s.IntOrString.fromString('http') },
                periodSeconds: 10,
                timeoutSeconds: 3,
                failureThreshold: 3,
              },
              livenessProbe: {
                tcpSocket: { port: k8s.IntOrString.fromString('http') },
                periodSeconds: 10,
                timeoutSeconds: 3,
                failureThreshold: 6,
              },
              resources: renderResources(props.resources, {
                cpu: { request: Cpu.millis(10), limit: Cpu.millis(100) },
                memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) },
                ephemeralStorage: { request: Size.mebibytes(16), limit: Size.mebibytes(256) },
              }),
              securityContext: restrictedContainerSecurityContext(),
              terminationMessagePolicy: 'FallbackToLogsOnError',
              // The whole directory, never a subPath (which never sees updates).
              volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
            }],
            volumes: [{ name: 'config', configMap: { name: configMapName } }],
          },
        },
      },
    });

    new k8s.KubeService(this, 'Service', {
      metadata: meta(),
      spec: {
        type: 'ClusterIP',
        selector: labels.selector,
        ports: [{ name: 'http', port: HTTP_PORT, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });

    // Only Prometheus may ask for probes (an open exporter is a port scanner for anyone in the
    // cluster); egress stays open, probes go everywhere.
    const promPods = { matchLabels: props.prometheus.selectorLabels };
    new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: meta(),
      spec: {
        podSelector: { matchLabels: labels.selector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{
          ports: [{ port: k8s.IntOrString.fromNumber(HTTP_PORT), protocol: 'TCP' }],
          from: [props.prometheus.namespace === this.namespace
            ? { podSelector: promPods }
            : { podSelector: promPods, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.prometheus.namespace } } }],
        }],
        egress: [{}],
      },
    });
  }

  /** The modules the exporter offers (a copy). */
  public get modules(): BlackboxModule[] {
    return [...this.moduleList];
  }

  /** The rendered `blackbox.yml`. */
  public renderConfig(): string {
    return this.configYaml;
  }

  /**
   * The exporter's module of that name, if any.
   */
  public findModule(name: string): BlackboxModule | undefined {
    return this.moduleList.find(m => m.name === name);
  }
}

// ---------------------------------------------------------------------------------------------
// What ServiceProbe and IngressProbe share
// ---------------------------------------------------------------------------------------------

/**
 * Checks that a probe's exporter is a BlackboxExporter and offers the module (same name, same
 * definition). Returns the module name.
 * @internal
 */
export function resolveProbeModule(scope: Construct, exporter: BlackboxExporter, module: BlackboxModule): string {
  if (!(exporter instanceof BlackboxExporter)) {
    fail({ scope, prop: 'blackboxExporter' }, String(exporter), 'must be a BlackboxExporter');
  }
  if (!(module instanceof BlackboxModule)) {
    fail({ scope, prop: 'module' }, module, 'must be a BlackboxModule (use BlackboxModule.http2xx(), .tcpConnect(), .http() or .tcp())');
  }
  const theirs = exporter.findModule(module.name);
  if (!theirs) {
    fail({ scope, prop: 'module' }, module.name, `the blackbox exporter ${exporter.node.path} has no such module `
      + `(it has ${exporter.modules.map(m => m.name).join(', ')}); add it to the exporter's modules or probe with one of those`);
  }
  if (theirs !== module && JSON.stringify(renderModule(theirs._spec)) !== JSON.stringify(renderModule(module._spec))) {
    fail({ scope, prop: 'module' }, module.name, `the blackbox exporter ${exporter.node.path} defines this module differently; `
      + 'pass the exporter\'s own module (exporter.findModule(name)) or give this one another name');
  }
  return module.name;
}

/**
 * The keep rule of an opt-in annotation: Kubernetes discovery turns the annotation name into a
 * label name by replacing every character outside [a-zA-Z0-9_] with "_".
 * @internal
 */
export function optInRule(scope: Construct, kind: 'service' | 'ingress', annotation: string): RelabelRule {
  const where = { scope, prop: 'optInAnnotation' };
  if (typeof annotation !== 'string' || annotation === '') fail(where, annotation, 'an annotation name must be a non-empty string');
  checkK8sLabelKey(where, annotation);
  const label = `__meta_kubernetes_${kind}_annotation_${annotation.replace(/[^a-zA-Z0-9_]/g, '_')}`;
  return RelabelRule.keep({ sourceLabels: [label], regex: 'true' });
}

/**
 * Sends the probe to the exporter: the target in `__param_target` becomes `instance`, and the
 * scrape goes to the exporter's Service.
 * @internal
 */
export function exporterRewrite(exporter: BlackboxExporter): RelabelRule[] {
  return [
    RelabelRule.setLabel('__address__', exporter.address),
    RelabelRule.copy('__param_target', 'instance'),
  ];
}
