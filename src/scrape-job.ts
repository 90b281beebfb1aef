/**
 * The typed scrape model shared by every scrape construct: discovery roles and the meta labels
 * each produces, TLS and authorization, and the `ScrapeJob` base class that validates a job and
 * registers it with its `PrometheusStack`.
 */
import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import type { PrometheusStack } from './prometheus-stack';
import { RelabelAction, RelabelRule } from './relabel';
import {
  checkDns1123Label, checkHttpHeader, checkLabelName, checkNonNegativeInteger, checkPositiveDuration, checkRegex,
  checkReplacement, checkWritableLabel, fail, NameValidationScheme, regexGroupCount, Where,
} from './validation';

/** Kubernetes service discovery roles. */
export enum DiscoveryRole {
  /** One target per node, at the kubelet address. */
  NODE = 'node',
  /** One target per container port of every pod. */
  POD = 'pod',
  /** One target per Service port (blackbox probing). */
  SERVICE = 'service',
  /** One target per Endpoints address and port (deprecated API since Kubernetes 1.33). */
  ENDPOINTS = 'endpoints',
  /** One target per EndpointSlice endpoint and port. */
  ENDPOINT_SLICE = 'endpointslice',
  /** One target per Ingress path (blackbox probing). */
  INGRESS = 'ingress',
}

/** How Service endpoints are discovered. */
export enum EndpointDiscovery {
  /** discovery.k8s.io/v1 EndpointSlices (recommended). */
  ENDPOINT_SLICE = 'endpointslice',
  /** core/v1 Endpoints, deprecated since Kubernetes 1.33: only for old clusters. */
  ENDPOINTS = 'endpoints',
}

/** URL scheme of a scrape. */
export enum Scheme {
  /** Plain HTTP. */
  HTTP = 'http',
  /** HTTPS. */
  HTTPS = 'https',
}

/** TLS protocol versions. */
export enum TlsVersion {
  /** TLS 1.0. */
  TLS10 = 'TLS10',
  /** TLS 1.1. */
  TLS11 = 'TLS11',
  /** TLS 1.2. */
  TLS12 = 'TLS12',
  /** TLS 1.3. */
  TLS13 = 'TLS13',
}

/** Where Kubernetes mounts the ServiceAccount token and the cluster CA in every pod. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
export const SERVICE_ACCOUNT_TOKEN = `${SERVICE_ACCOUNT_DIR}/token`;
export const SERVICE_ACCOUNT_CA = `${SERVICE_ACCOUNT_DIR}/ca.crt`;

/** TLS settings of a scrape. */
export interface ScrapeTlsOptions {
  /**
   * CA bundle that verifies the target.
   * @default - the in-cluster CA (`/var/run/secrets/kubernetes.io/serviceaccount/ca.crt`) for the
   * kubelet and API server scrapes; the system roots elsewhere
   */
  readonly caFile?: string;
  /**
   * Server name expected in the target's certificate.
   * @default - the target host
   */
  readonly serverName?: string;
  /**
   * Skip verification of the target's certificate. An explicit opt-in: never the default.
   * @default false
   */
  readonly insecureSkipVerify?: boolean;
  /**
   * Client certificate file (requires `keyFile`).
   * @default - none
   */
  readonly certFile?: string;
  /**
   * Client key file (requires `certFile`).
   * @default - none
   */
  readonly keyFile?: string;
  /**
   * Minimum TLS version.
   * @default - Prometheus's default (TLS 1.2)
   */
  readonly minVersion?: TlsVersion;
}

/** Kinds of scrape authorization. */
export enum AuthorizationType {
  /** No credentials. */
  NONE = 'none',
  /** `Authorization: Bearer <file content>`. */
  BEARER_FILE = 'bearer-file',
  /** HTTP basic auth with a password file. */
  BASIC = 'basic',
}

/** Credentials sent with each scrape: one kind at a time, as Prometheus requires. */
export class ScrapeAuthorization {
  /** The pod's own ServiceAccount token (`authorization.credentials_file`). */
  public static serviceAccountToken(): ScrapeAuthorization {
    return new ScrapeAuthorization(AuthorizationType.BEARER_FILE, SERVICE_ACCOUNT_TOKEN);
  }

  /** A bearer token read from a file mounted in the Prometheus pod. */
  public static bearerTokenFile(path: string): ScrapeAuthorization {
    return new ScrapeAuthorization(AuthorizationType.BEARER_FILE, path);
  }

  /** HTTP basic auth; the password is read from a file mounted in the Prometheus pod. */
  public static basicAuth(username: string, passwordFile: string): ScrapeAuthorization {
    return new ScrapeAuthorization(AuthorizationType.BASIC, passwordFile, username);
  }

  /** No credentials. */
  public static none(): ScrapeAuthorization {
    return new ScrapeAuthorization(AuthorizationType.NONE);
  }

  private constructor(
    /** The kind of credentials. */
    public readonly type: AuthorizationType,
    /** The token or password file. */
    public readonly file?: string,
    /** Basic-auth user name. */
    public readonly username?: string,
  ) {}
}

/** Options every scrape construct takes. */
export interface ScrapeOptions {
  /**
   * The `job_name` of the scrape config: unique within the stack, and the `job` label of its
   * series unless `jobLabel` says otherwise.
   * @default - per construct (`kubelet`, `cadvisor`, `apiserver`, `kube-state-metrics` ...)
   */
  readonly jobName?: string;
  /**
   * Value of the `job` label on the scraped series.
   * @default - the job name; `kubelet` for CadvisorScrape (kubernetes-mixin), the Service name for
   * ServiceScrape and the container name for PodPortScrape (as in the book)
   */
  readonly jobLabel?: string;
  /**
   * Overrides the global scrape interval.
   * @default - the stack's `scrapeInterval`
   */
  readonly interval?: Duration;
  /**
   * Overrides the scrape timeout; must not exceed the interval.
   * @default - the smaller of the stack's `scrapeTimeout` and the interval
   */
  readonly timeout?: Duration;
  /**
   * Extra target relabel rules, applied after the construct's own.
   * @default - none
   */
  readonly relabelings?: RelabelRule[];
  /**
   * Extra metric relabel rules, applied after the construct's own.
   * @default - none
   */
  readonly metricRelabelings?: RelabelRule[];
  /**
   * Per-scrape limit on the number of samples; the scrape fails beyond it. 0 means no limit.
   * @default 0
   */
  readonly sampleLimit?: number;
  /**
   * Per-scrape limit on the number of labels of a series. 0 means no limit.
   * @default 0
   */
  readonly labelLimit?: number;
}

/** How a scrape reaches a target it discovers: for the constructs that scrape your workloads. */
export interface TargetEndpointOptions {
  /**
   * URL scheme of the scrape.
   * @default Scheme.HTTP
   */
  readonly scheme?: Scheme;
  /**
   * Path of the metrics endpoint; starts with "/", no query string (use `params`).
   * @default "/metrics"
   */
  readonly metricsPath?: string;
  /**
   * URL query parameters of the scrape.
   * @default - none
   */
  readonly params?: { [name: string]: string[] };
  /**
   * TLS settings for HTTPS targets.
   * @default - system roots, no client certificate
   */
  readonly tls?: ScrapeTlsOptions;
  /**
   * Credentials sent with each scrape.
   * @default ScrapeAuthorization.none()
   */
  readonly authorization?: ScrapeAuthorization;
  /**
   * Extra HTTP request headers (not the ones Prometheus sets itself, such as Authorization or
   * User-Agent).
   * @default - none
   */
  readonly httpHeaders?: { [name: string]: string };
}

/** The endpoint options of a props object, for `JobBuild` (so constructs pass them on in one line). */
export function endpointOptions(o: TargetEndpointOptions): TargetEndpointOptions {
  return {
    scheme: o.scheme,
    metricsPath: o.metricsPath,
    params: o.params,
    httpHeaders: o.httpHeaders,
    tls: o.tls,
    authorization: o.authorization,
  };
}

/**
 * What the stack renders and derives RBAC from. Built by each construct; not part of the public
 * API.
 * @internal
 */
export interface JobSpec {
  readonly jobName: string;
  /** The `job` label of the job's series, when it is fixed (not copied from a meta label). */
  readonly jobLabel?: string;
  /** Kubernetes discovery role; undefined for a job with static targets. */
  readonly role?: DiscoveryRole;
  /** Fixed targets (host:port), instead of Kubernetes discovery. */
  readonly staticTargets?: string[];
  /** Namespaces given to discovery; undefined means all (cluster-wide). */
  readonly namespaces?: string[];
  readonly scheme: Scheme;
  readonly metricsPath: string;
  readonly params?: Record<string, string[]>;
  readonly httpHeaders?: Record<string, string>;
  readonly honorLabels?: boolean;
  readonly honorTimestamps?: boolean;
  readonly interval?: Duration;
  readonly timeout?: Duration;
  readonly tls?: ScrapeTlsOptions;
  readonly authorization?: ScrapeAuthorization;
  readonly relabelings: RelabelRule[];
  readonly metricRelabelings: RelabelRule[];
  readonly sampleLimit?: number;
  readonly labelLimit?: number;
  /** The target is a kubelet: `get nodes/metrics`. */
  readonly kubeletMetrics?: boolean;
  /** Non-resource URLs the target serves through the API server's authorizer. */
  readonly nonResourceUrls?: string[];
}

/** Meta labels each discovery role produces (exact names, and prefixes ending in `_`). */
const POD_META = [
  'pod_name', 'pod_ip', 'pod_label_', 'pod_labelpresent_', 'pod_annotation_', 'pod_annotationpresent_',
  'pod_container_init', 'pod_container_name', 'pod_container_id', 'pod_container_image',
  'pod_container_port_name', 'pod_container_port_number', 'pod_container_port_protocol', 'pod_ready',
  'pod_phase', 'pod_node_name', 'pod_host_ip', 'pod_uid', 'pod_controller_kind', 'pod_controller_name',
];
const SERVICE_META = [
  'service_name', 'service_label_', 'service_labelpresent_', 'service_annotation_', 'service_annotationpresent_',
];
const NODE_META = [
  'node_name', 'node_provider_id', 'node_label_', 'node_labelpresent_', 'node_annotation_',
  'node_annotationpresent_', 'node_address_',
];
const META_BY_ROLE: Record<DiscoveryRole, string[]> = {
  [DiscoveryRole.NODE]: NODE_META,
  [DiscoveryRole.POD]: ['namespace', ...POD_META],
  [DiscoveryRole.SERVICE]: [
    'namespace', ...SERVICE_META, 'service_cluster_ip', 'service_loadbalancer_ip', 'service_external_name',
    'service_port_name', 'service_port_number', 'service_port_protocol', 'service_type',
  ],
  [DiscoveryRole.ENDPOINTS]: [
    'namespace', 'endpoints_name', 'endpoints_label_', 'endpoints_labelpresent_', 'endpoints_annotation_',
    'endpoints_annotationpresent_', 'endpoint_hostname', 'endpoint_node_name', 'endpoint_ready',
    'endpoint_port_name', 'endpoint_port_protocol', 'endpoint_address_target_kind',
    'endpoint_address_target_name', ...SERVICE_META, ...POD_META,
  ],
  [DiscoveryRole.ENDPOINT_SLICE]: [
    'namespace', 'endpointslice_name', 'endpointslice_label_', 'endpointslice_labelpresent_',
    'endpointslice_annotation_', 'endpointslice_annotationpresent_', 'endpointslice_address_target_kind',
    'endpointslice_address_target_name', 'endpointslice_address_type', 'endpointslice_endpoint_conditions_ready',
    'endpointslice_endpoint_conditions_serving', 'endpointslice_endpoint_conditions_terminating',
    'endpointslice_endpoint_topology_kubernetes_io_hostname',
    'endpointslice_endpoint_topology_present_kubernetes_io_hostname', 'endpointslice_endpoint_hostname',
    'endpointslice_endpoint_node_name', 'endpointslice_endpoint_zone', 'endpointslice_port',
    'endpointslice_port_app_protocol', 'endpointslice_port_name', 'endpointslice_port_protocol',
    ...SERVICE_META, ...POD_META,
  ],
  [DiscoveryRole.INGRESS]: [
    'namespace', 'ingress_name', 'ingress_label_', 'ingress_labelpresent_', 'ingress_annotation_',
    'ingress_annotationpresent_', 'ingress_class_name', 'ingress_scheme', 'ingress_path', 'ingress_host',
  ],
};

const META_PREFIX = '__meta_kubernetes_';

/** The meta label naming the port of an endpoint under the given endpoint discovery role. */
export function endpointPortNameLabel(role: EndpointDiscovery): string {
  return role === EndpointDiscovery.ENDPOINTS
    ? '__meta_kubernetes_endpoint_port_name'
    : '__meta_kubernetes_endpointslice_port_name';
}

/** Whether a `__meta_kubernetes_*` label exists under the role. */
export function roleProducesMetaLabel(role: DiscoveryRole, label: string): boolean {
  if (!label.startsWith(META_PREFIX)) return true;
  const rest = label.slice(META_PREFIX.length);
  return META_BY_ROLE[role].some(m => (m.endsWith('_') ? rest.startsWith(m) && rest.length > m.length : rest === m));
}

/** Where a rule's fields are checked, for error messages. */
interface RuleContext {
  readonly scope: Construct;
  readonly prop: string;
  /** Undefined for static targets: no meta labels at all. */
  readonly role?: DiscoveryRole;
  readonly scheme: NameValidationScheme;
  /** Metric relabeling runs on series: no `__meta_*` labels exist any more. */
  readonly metric: boolean;
}

const ALL_ACTIONS = new Set<string>(Object.values(RelabelAction));

/** Checks one rule as Prometheus would, plus the mistakes Prometheus would silently accept. */
export function checkRelabelRule(ctx: RuleContext, rule: RelabelRule): void {
  const at = (field: string): Where => ({ scope: ctx.scope, prop: `${ctx.prop}.${field}` });
  if (!(rule instanceof RelabelRule)) fail({ scope: ctx.scope, prop: ctx.prop }, rule, 'must be a RelabelRule (use the RelabelRule.* factories)');
  if (!ALL_ACTIONS.has(rule.action)) {
    fail(at('action'), rule.action, `unknown relabel action; one of ${[...ALL_ACTIONS].join(', ')}`);
  }
  const checkRead = (where: Where, label: string) => {
    checkLabelName(where, label, ctx.scheme);
    if (label.startsWith(META_PREFIX)) {
      if (ctx.metric) {
        fail(where, label, 'meta labels are gone after the scrape; use them in relabelings, not metricRelabelings');
      }
      if (ctx.role === undefined) {
        fail(where, label, 'this job has static targets: no Kubernetes discovery meta labels exist');
      }
      if (!roleProducesMetaLabel(ctx.role, label)) {
        fail(where, label, `discovery role "${ctx.role}" never produces this meta label; `
          + `it produces __meta_kubernetes_{${META_BY_ROLE[ctx.role].map(m => (m.endsWith('_') ? `${m}<name>` : m)).join(',')}}`);
      }
    }
  };
  (rule.sourceLabels ?? []).forEach((label, i) => checkRead(at(`sourceLabels[${i}]`), label));
  // keepequal/dropequal compare with targetLabel: it is read, not written.
  const readsTarget = rule.action === RelabelAction.KEEP_EQUAL || rule.action === RelabelAction.DROP_EQUAL;
  const needsSources = [RelabelAction.KEEP, RelabelAction.DROP, RelabelAction.HASHMOD,
    RelabelAction.KEEP_EQUAL, RelabelAction.DROP_EQUAL, RelabelAction.LOWERCASE, RelabelAction.UPPERCASE];
  if (needsSources.includes(rule.action) && (rule.sourceLabels ?? []).length === 0) {
    fail(at('sourceLabels'), rule.sourceLabels ?? [], `action ${rule.action} needs at least one source label`);
  }
  if (rule.regex !== undefined) {
    checkRegex(at('regex'), rule.regex);
  }
  if (rule.targetLabel !== undefined && readsTarget) {
    checkRead(at('targetLabel'), rule.targetLabel);
  } else if (rule.targetLabel !== undefined) {
    const hasTemplate = rule.action === RelabelAction.REPLACE && /\$(\{\w+\}|\w+)/.test(rule.targetLabel);
    if (hasTemplate) checkReplacement(at('targetLabel'), rule.targetLabel);
    else checkWritableLabel(at('targetLabel'), rule.targetLabel, ctx.scheme);
  }
  if (rule.replacement !== undefined) {
    checkReplacement(at('replacement'), rule.replacement);
    const groups = regexGroupCount(rule.regex ?? '(.*)');
    for (const m of rule.replacement.matchAll(/\$\{?(\d+)\}?/g)) {
      if (Number(m[1]) > groups) {
        fail(at('replacement'), rule.replacement, `refers to group $${m[1]} but the regex has ${groups} group(s)`);
      }
    }
    if (rule.action === RelabelAction.LABELMAP && !/\$/.test(rule.replacement)) {
      checkLabelName(at('replacement'), rule.replacement, ctx.scheme);
    }
  }
  if (rule.action === RelabelAction.HASHMOD) {
    const m = rule.modulus;
    if (m === undefined || !Number.isSafeInteger(m) || m <= 0) {
      fail(at('modulus'), m, 'hashmod needs a positive whole-number modulus');
    }
  }
  if ((rule.action === RelabelAction.KEEP_EQUAL || rule.action === RelabelAction.DROP_EQUAL)
    && rule.separator !== undefined && rule.separator !== ';') {
    fail(at('separator'), rule.separator, `action ${rule.action} takes no separator`);
  }
}

/**
 * Base class of every scrape construct: holds the job model, validates it against the stack's
 * global settings and registers it with the stack.
 */
export abstract class ScrapeJob extends Construct {
  private _prometheus?: PrometheusStack;
  private _jobSpec?: JobSpec;

  protected constructor(scope: Construct, id: string) {
    super(scope, id);
  }

  /** The `job_name` of this scrape config. */
  public get jobName(): string {
    return this._job.jobName;
  }

  /** The stack that scrapes this job. */
  public get prometheus(): PrometheusStack {
    return this._prometheus!;
  }

  /** @internal */
  public get _job(): JobSpec {
    if (!this._jobSpec) throw new Error(`${this.node.path}: scrape job was never registered (internal error)`);
    return this._jobSpec;
  }

  /**
   * Validates the job and registers it with its stack. Subclasses call it once, at the end of
   * their constructor.
   * @internal
   */
  protected _register(prometheus: PrometheusStack, options: ScrapeOptions, spec: JobBuild): void {
    if (!prometheus || typeof (prometheus as any).addScrape !== 'function') {
      fail({ scope: this, prop: 'prometheus' }, String(prometheus), 'must be a PrometheusStack');
    }
    this._prometheus = prometheus;
    const jobName = options.jobName ?? spec.defaultJobName;
    const nameScheme = prometheus.nameValidationScheme;

    if (typeof jobName !== 'string' || jobName.trim() === '') {
      fail({ scope: this, prop: 'jobName' }, jobName, 'a job name must be a non-empty string');
    }
    if (options.interval !== undefined) checkPositiveDuration({ scope: this, prop: 'interval' }, options.interval);
    if (options.timeout !== undefined) checkPositiveDuration({ scope: this, prop: 'timeout' }, options.timeout);
    const interval = options.interval ?? prometheus.scrapeInterval;
    if (options.timeout !== undefined && options.timeout.toMilliseconds() > interval.toMilliseconds()) {
      fail({ scope: this, prop: 'timeout' }, options.timeout,
        `the scrape timeout must not exceed the ${options.interval ? '' : 'global '}scrape interval (${interval.toMilliseconds()}ms)`);
    }
    if (options.sampleLimit !== undefined) checkNonNegativeInteger({ scope: this, prop: 'sampleLimit' }, options.sampleLimit);
    if (options.labelLimit !== undefined) checkNonNegativeInteger({ scope: this, prop: 'labelLimit' }, options.labelLimit);
    (spec.namespaces ?? []).forEach((ns, i) => checkDns1123Label({ scope: this, prop: `namespaces[${i}]` }, ns));
    if (spec.namespaces !== undefined && spec.namespaces.length === 0) {
      fail({ scope: this, prop: 'namespaces' }, [], 'give at least one namespace, or leave it out to discover in all namespaces');
    }
    checkEndpoint(this, spec);

    if (options.jobLabel !== undefined && (typeof options.jobLabel !== 'string' || options.jobLabel === '')) {
      fail({ scope: this, prop: 'jobLabel' }, options.jobLabel, 'the job label must be a non-empty string');
    }
    // The job label: the user's, else the construct's fixed value or meta label, else the job name.
    const fixedJobLabel = options.jobLabel ?? (spec.jobLabelFrom ? undefined : spec.defaultJobLabel ?? jobName);
    const jobLabelRule = fixedJobLabel !== undefined
      ? (fixedJobLabel === jobName ? undefined : RelabelRule.setLabel('job', fixedJobLabel))
      : RelabelRule.copy(spec.jobLabelFrom!, 'job');
    const builtIn = jobLabelRule ? [...spec.relabelings, jobLabelRule] : spec.relabelings;
    const userRelabelings = options.relabelings ?? [];
    const userMetricRelabelings = options.metricRelabelings ?? [];
    const check = (prop: string, rules: RelabelRule[], metric: boolean) => rules.forEach((rule, i) =>
      checkRelabelRule({ scope: this, prop: `${prop}[${i}]`, role: spec.role, scheme: nameScheme, metric }, rule));
    check('relabelings', userRelabelings, false);
    check('metricRelabelings', userMetricRelabelings, true);
    // The construct's own rules are checked too: a defect there must not reach a cluster.
    // The constructs' own rules are constants, proven by the unit tests (test/built-in-rules.test.ts)
    // and the real promtool (e2e): checked here only when they came from the user (a custom preset).
    if (spec.metricRelabelingsProp !== undefined) check(spec.metricRelabelingsProp, spec.metricRelabelings ?? [], true);

    this._jobSpec = {
      jobName,
      jobLabel: fixedJobLabel,
      role: spec.role,
      staticTargets: spec.staticTargets ? [...spec.staticTargets] : undefined,
      namespaces: spec.namespaces ? [...new Set(spec.namespaces)] : undefined,
      scheme: spec.scheme ?? Scheme.HTTP,
      metricsPath: spec.metricsPath ?? '/metrics',
      params: spec.params,
      httpHeaders: spec.httpHeaders,
      honorLabels: spec.honorLabels,
      honorTimestamps: spec.honorTimestamps,
      interval: options.interval,
      timeout: options.timeout,
      tls: spec.tls,
      authorization: spec.authorization,
      relabelings: [...builtIn, ...userRelabelings],
      metricRelabelings: [...(spec.metricRelabelings ?? []), ...userMetricRelabelings],
      sampleLimit: options.sampleLimit,
      labelLimit: options.labelLimit,
      kubeletMetrics: spec.kubeletMetrics,
      nonResourceUrls: spec.nonResourceUrls,
    };
    prometheus.addScrape(this);
  }
}

/**
 * What a construct contributes to its job, before the common options are merged in.
 * @internal
 */
export interface JobBuild {
  readonly defaultJobName: string;
  readonly role?: DiscoveryRole;
  readonly staticTargets?: string[];
  readonly namespaces?: string[];
  readonly scheme?: Scheme;
  readonly metricsPath?: string;
  readonly params?: Record<string, string[]>;
  readonly httpHeaders?: Record<string, string>;
  readonly honorLabels?: boolean;
  readonly honorTimestamps?: boolean;
  readonly tls?: ScrapeTlsOptions;
  readonly authorization?: ScrapeAuthorization;
  readonly relabelings: RelabelRule[];
  /** The `job` label when the user gives no `jobLabel` (default: the job name). */
  readonly defaultJobLabel?: string;
  /** Or: the meta label the `job` label is copied from when the user gives no `jobLabel`. */
  readonly jobLabelFrom?: string;
  readonly metricRelabelings?: RelabelRule[];
  /** The prop the construct's metric relabelings came from, when the user wrote them (they are then checked). */
  readonly metricRelabelingsProp?: string;
  readonly kubeletMetrics?: boolean;
  readonly nonResourceUrls?: string[];
}

/** Headers Prometheus sets or that change the connection (prometheus/common config.ReservedHeaders). */
const RESERVED_HEADERS = new Set([
  'Authorization', 'Host', 'Content-Encoding', 'Content-Length', 'Content-Type', 'User-Agent', 'Connection',
  'Keep-Alive', 'Proxy-Authenticate', 'Proxy-Authorization', 'Www-Authenticate', 'Accept-Encoding',
  'X-Prometheus-Remote-Write-Version', 'X-Prometheus-Remote-Read-Version', 'X-Prometheus-Scrape-Timeout-Seconds',
  'X-Amz-Date', 'X-Amz-Security-Token', 'X-Amz-Content-Sha256',
]);

/** Go's http.CanonicalHeaderKey. */
function canonicalHeader(name: string): string {
  return name.split('-').map(w => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('-');
}

function checkAbsoluteFile(where: Where, file: string | undefined): void {
  if (file === undefined) return;
  if (typeof file !== 'string' || !file.startsWith('/')) {
    fail(where, file, 'give an absolute path of a file mounted in the Prometheus pod (a relative path resolves against the read-only config directory)');
  }
}

/** Scheme, path, params, headers, TLS and credentials of a job: what Prometheus refuses, or silently breaks on. */
function checkEndpoint(scope: Construct, spec: JobBuild): void {
  const at = (prop: string): Where => ({ scope, prop });
  if (spec.scheme !== undefined && !Object.values(Scheme).includes(spec.scheme)) {
    fail(at('scheme'), spec.scheme, 'the scheme must be Scheme.HTTP or Scheme.HTTPS');
  }
  if (spec.metricsPath !== undefined) {
    const path = spec.metricsPath;
    if (typeof path !== 'string' || !path.startsWith('/')) fail(at('metricsPath'), path, 'a metrics path must start with "/"');
    if (/[?#]/.test(path)) fail(at('metricsPath'), path, 'a metrics path carries no query or fragment; pass URL parameters with `params`');
  }
  for (const [name, values] of Object.entries(spec.params ?? {})) {
    if (name === '') fail(at('params'), name, 'a URL parameter needs a name');
    if (!Array.isArray(values) || values.length === 0 || values.some(v => typeof v !== 'string')) {
      fail(at(`params.${name}`), values, 'give a non-empty list of strings');
    }
  }
  for (const [name, value] of Object.entries(spec.httpHeaders ?? {})) {
    checkHttpHeader(at('httpHeaders'), name, value);
    if (RESERVED_HEADERS.has(canonicalHeader(name))) {
      fail(at('httpHeaders'), name, `Prometheus refuses to set "${canonicalHeader(name)}" (reserved: ${[...RESERVED_HEADERS].join(', ')}); use \`authorization\` for credentials`);
    }
  }
  const tls = spec.tls;
  if (tls) {
    if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
      fail(at(tls.certFile === undefined ? 'tls.keyFile' : 'tls.certFile'), tls.certFile ?? tls.keyFile,
        'a client certificate needs both certFile and keyFile');
    }
    checkAbsoluteFile(at('tls.caFile'), tls.caFile);
    checkAbsoluteFile(at('tls.certFile'), tls.certFile);
    checkAbsoluteFile(at('tls.keyFile'), tls.keyFile);
    if (tls.minVersion !== undefined && !Object.values(TlsVersion).includes(tls.minVersion)) {
      fail(at('tls.minVersion'), tls.minVersion, `unknown TLS version; one of ${Object.values(TlsVersion).join(', ')}`);
    }
    if (tls.serverName !== undefined && (typeof tls.serverName !== 'string' || tls.serverName.trim() === '')) {
      fail(at('tls.serverName'), tls.serverName, 'a server name must be a non-empty host name');
    }
  }
  const auth = spec.authorization;
  if (auth !== undefined) {
    if (!(auth instanceof ScrapeAuthorization)) fail(at('authorization'), auth, 'use ScrapeAuthorization.serviceAccountToken(), .bearerTokenFile(), .basicAuth() or .none()');
    checkAbsoluteFile(at('authorization'), auth.file);
    if (auth.type === AuthorizationType.BASIC && (typeof auth.username !== 'string' || auth.username === '')) {
      fail(at('authorization'), auth.username, 'basic auth needs a non-empty user name');
    }
  }
}
