import { Duration } from 'cdk8s';
import { DiscoveryRole } from './discovery';
import { EndpointSpec, Scheme, ScrapeAuthorization, ScrapeTlsOptions } from './endpoint';
import { RelabelRule } from './relabel';
import { StaticConfigSpec } from './static-target';

/**
 * The typed job model: the options every scrape takes, what a construct contributes to its job,
 * and the frozen spec the renderer and the RBAC derivation read.
 */

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

/**
 * One discovery selector, checked.
 * @internal
 */
export interface SelectorSpec {
  readonly role: DiscoveryRole;
  readonly label?: string;
  readonly field?: string;
}

/**
 * What the stack renders and derives RBAC from. Built by each construct; not part of the public
 * API.
 * @internal
 */
export interface JobSpec {
  readonly jobName: string;
  /** The job name is the construct's default, not the user's `jobName`. */
  readonly defaultJobName?: boolean;
  /** The `job` label of the job's series, when it is fixed (not copied from a meta label). */
  readonly jobLabel?: string;
  /** Kubernetes discovery role; undefined for a job with static targets. */
  readonly role?: DiscoveryRole;
  /** Fixed targets (host:port), instead of Kubernetes discovery. */
  readonly staticTargets?: string[];
  /** Fixed targets with labels of their own (`static_configs`), instead of Kubernetes discovery. */
  readonly staticConfigs?: StaticConfigSpec[];
  /** Namespaces given to discovery; undefined means all (cluster-wide). */
  readonly namespaces?: string[];
  /** Label and field selectors given to discovery. */
  readonly selectors?: SelectorSpec[];
  /** `attach_metadata.node`: node labels on pod and endpoint targets (lists and watches nodes). */
  readonly attachNodeMetadata?: boolean;
  /** `attach_metadata.namespace`: namespace labels on targets (lists and watches namespaces). */
  readonly attachNamespaceMetadata?: boolean;
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

/**
 * What a construct contributes to its job, before the common options are merged in.
 * @internal
 */
export interface JobBuild extends EndpointSpec {
  readonly defaultJobName: string;
  readonly role?: DiscoveryRole;
  readonly staticTargets?: string[];
  readonly staticConfigs?: StaticConfigSpec[];
  readonly namespaces?: string[];
  readonly selectors?: SelectorSpec[];
  readonly attachNodeMetadata?: boolean;
  readonly attachNamespaceMetadata?: boolean;
  readonly honorLabels?: boolean;
  readonly honorTimestamps?: boolean;
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
