/**
 * What a scrape, rule group or exporter needs from the Prometheus it belongs to. Constructs depend
 * on these interfaces, never on the stack's class, so imports flow one way (model → … → stack).
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { hasBrand } from './brand';
import { fail, NameValidationScheme, Where } from './validation';

/** A scrape job, as the Prometheus that scrapes it sees it. */
export interface IScrapeJob extends IConstruct {
  /** The `job_name` of the scrape config. */
  readonly jobName: string;
}

/** A rule group, as the Prometheus that evaluates it sees it. */
export interface IRuleGroup extends IConstruct {
  /** Name of the group, unique within its Prometheus. */
  readonly groupName: string;
}

/**
 * A Prometheus that scrape, rule and exporter constructs attach to. `PrometheusStack` implements
 * it.
 */
export interface IPrometheus extends IConstruct {
  /** Namespace of the Prometheus objects. */
  readonly namespace: string;
  /** Base name of the Prometheus objects. */
  readonly name: string;
  /** Name of the ServiceAccount Prometheus runs as. */
  readonly serviceAccountName: string;
  /** Name of the Service in front of Prometheus. */
  readonly serviceName: string;
  /** Port of the Prometheus web server and API. */
  readonly port: number;
  /** Global scrape interval. */
  readonly scrapeInterval: Duration;
  /** Global scrape timeout. */
  readonly scrapeTimeout: Duration;
  /** Label name syntax enforced. */
  readonly nameValidationScheme: NameValidationScheme;
  /** Whether the library emits the Namespace objects its workloads need (with their Pod Security labels). */
  readonly createsNamespaces: boolean;
  /** The registry mirror every image the library deploys for this Prometheus is pulled from, if any. */
  readonly imageRegistry?: string;
  /** Labels selecting the Prometheus pods (for NetworkPolicies of scraped workloads). */
  readonly selectorLabels: { [key: string]: string };

  /** Registers a scrape job; scrape constructs call this themselves. */
  addScrape(scrape: IScrapeJob): void;

  /** Registers a rule group; rule group constructs call this themselves. */
  addRuleGroup(group: IRuleGroup): void;
}

/** The brand `PrometheusStack` carries (see `brand.ts`). */
export const PROMETHEUS_STACK_BRAND = 'PrometheusStack';

/**
 * Checks that a construct was given a Prometheus this library can attach to (any copy of it).
 */
export function checkPrometheus(where: Where, prometheus: unknown): asserts prometheus is IPrometheus {
  if (!hasBrand(prometheus, PROMETHEUS_STACK_BRAND)) fail(where, String(prometheus), 'must be a PrometheusStack');
}
