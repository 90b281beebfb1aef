import { Construct } from 'constructs';
import { brand, hasBrand } from '../model/brand';
import { ATTACHED_NAMESPACE_META, ATTACHED_NODE_META } from '../model/discovery';
import { checkEndpoint, Scheme } from '../model/endpoint';
import { JobBuild, JobSpec, ScrapeOptions } from '../model/job';
import { checkPrometheus, IPrometheus, IScrapeJob } from '../model/prometheus';
import { RelabelRule } from '../model/relabel';
import { checkRelabelRule } from '../model/relabel-check';
import { checkDns1123Label, checkNonNegativeInteger, checkPositiveDuration, fail } from '../model/validation';
import { RuleNeeds, ruleGroup } from '../rules/built-in-rules';
import { BuiltInRulesOptions, PrometheusRuleGroup } from '../rules/prometheus-rule-group';
// The one import back up a layer, type-only: the public `prometheus` property keeps its type.
import type { PrometheusStack } from '../stack/prometheus-stack';

/**
 * Base class of every scrape construct: holds the job model, validates it against the stack's
 * global settings and registers it with the stack.
 */
export abstract class ScrapeJob extends Construct implements IScrapeJob {
  /** Whether `x` is a ScrapeJob, made by any copy of this library. */
  public static isScrapeJob(x: any): x is ScrapeJob {
    return hasBrand(x, 'ScrapeJob');
  }

  private _prometheus?: IPrometheus;
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
    // checkPrometheus admitted only a PrometheusStack (of any copy of this library).
    return this._prometheus as PrometheusStack;
  }

  /** @internal */
  public get _job(): JobSpec {
    if (!this._jobSpec) throw new Error(`${this.node.path}: scrape job was never registered (internal error)`);
    return this._jobSpec;
  }

  /**
   * The built-in rule group of this scrape (construct id `Rules`), from the rules of its set for
   * its `job` label; `check` refuses rules whose data this scrape does not produce.
   * @internal
   */
  protected _addBuiltInRules(
    defaultName: string, rulesFor: (job: string) => RuleNeeds[], options: BuiltInRulesOptions,
    check?: (rules: RuleNeeds[], omit: Set<string>) => void,
  ): PrometheusRuleGroup {
    const existing = this.node.tryFindChild('Rules');
    if (existing) {
      fail({ scope: this, prop: 'addRules' }, (existing as PrometheusRuleGroup).groupName,
        'the rules of this scrape were already added; call addRules() once, with every option');
    }
    const rules = rulesFor(this._job.jobLabel!);
    check?.(rules, new Set(options.omit ?? []));
    return new PrometheusRuleGroup(this, 'Rules', ruleGroup(this, this.prometheus, defaultName, this._job.jobLabel!, rules, options));
  }

  /**
   * Validates the job and registers it with its stack. Subclasses call it once, at the end of
   * their constructor.
   * @internal
   */
  protected _register(prometheus: IPrometheus, options: ScrapeOptions, build: JobBuild): void {
    // Copies first, checks after: what the user changes later cannot reach the config unchecked.
    const spec: JobBuild = {
      ...build,
      params: build.params && typeof build.params === 'object'
        ? Object.fromEntries(Object.entries(build.params).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]))
        : build.params,
      httpHeaders: build.httpHeaders && typeof build.httpHeaders === 'object' ? { ...build.httpHeaders } : build.httpHeaders,
      tls: build.tls && typeof build.tls === 'object' ? { ...build.tls } : build.tls,
      namespaces: Array.isArray(build.namespaces) ? [...build.namespaces] : build.namespaces,
      relabelings: [...build.relabelings],
      metricRelabelings: build.metricRelabelings ? [...build.metricRelabelings] : undefined,
    };
    options = {
      ...options,
      relabelings: Array.isArray(options.relabelings) ? [...options.relabelings] : options.relabelings,
      metricRelabelings: Array.isArray(options.metricRelabelings) ? [...options.metricRelabelings] : options.metricRelabelings,
    };
    checkPrometheus({ scope: this, prop: 'prometheus' }, prometheus);
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
    const extraMeta = [...(spec.attachNodeMetadata ? ATTACHED_NODE_META : []), ...(spec.attachNamespaceMetadata ? ATTACHED_NAMESPACE_META : [])];
    const check = (prop: string, rules: RelabelRule[], metric: boolean) => rules.forEach((rule, i) =>
      checkRelabelRule({ scope: this, prop: `${prop}[${i}]`, role: spec.role, scheme: nameScheme, metric, extraMeta }, rule));
    check('relabelings', userRelabelings, false);
    check('metricRelabelings', userMetricRelabelings, true);
    // The construct's own rules are checked too: a defect there must not reach a cluster.
    // The constructs' own rules are constants, proven by the unit tests (test/built-in-rules.test.ts)
    // and the real promtool (e2e): checked here only when they came from the user (a custom preset).
    if (spec.metricRelabelingsProp !== undefined) check(spec.metricRelabelingsProp, spec.metricRelabelings ?? [], true);

    this._jobSpec = {
      jobName,
      defaultJobName: options.jobName === undefined,
      jobLabel: fixedJobLabel,
      role: spec.role,
      staticTargets: spec.staticTargets ? [...spec.staticTargets] : undefined,
      staticConfigs: spec.staticConfigs?.map(c => ({ targets: [...c.targets], labels: c.labels ? { ...c.labels } : undefined })),
      namespaces: spec.namespaces ? [...new Set(spec.namespaces)] : undefined,
      selectors: spec.selectors?.map(s => ({ ...s })),
      attachNodeMetadata: spec.attachNodeMetadata,
      attachNamespaceMetadata: spec.attachNamespaceMetadata,
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
brand(ScrapeJob, 'ScrapeJob');
