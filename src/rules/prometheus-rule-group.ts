import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { brand, hasBrand } from '../model/brand';
import { checkPrometheus, IPrometheus, IRuleGroup } from '../model/prometheus';
import { promqlSyntaxError } from '../model/promql';
import { checkLabelName, checkLabelValue, fail, NameValidationScheme, Where } from '../model/validation';
// The one import back up a layer, type-only: the public `prometheus` property keeps its type.
import type { PrometheusStack } from '../stack/prometheus-stack';

/** Options of a recording rule. */
export interface RecordingRuleOptions {
  /** Name of the recorded series (`level:metric:operations`). */
  readonly record: string;
  /** PromQL expression. */
  readonly expr: string;
  /**
   * Labels added to the recorded series.
   * @default - none
   */
  readonly labels?: { [name: string]: string };
}

/** Options of an alerting rule. */
export interface AlertingRuleOptions {
  /** Name of the alert. */
  readonly alert: string;
  /** PromQL expression; every series it returns is a firing alert. */
  readonly expr: string;
  /**
   * How long the expression must hold before the alert fires.
   * @default - fires at once
   */
  readonly for?: Duration;
  /**
   * How long the alert keeps firing after the expression stops returning it.
   * @default - stops at once
   */
  readonly keepFiringFor?: Duration;
  /**
   * Labels added to the alert (e.g. `severity`).
   * @default - none
   */
  readonly labels?: { [name: string]: string };
  /**
   * Annotations (`summary`, `description`, `runbook_url`), Go templates allowed.
   * @default - none
   */
  readonly annotations?: { [name: string]: string };
}

/** One recording or alerting rule. */
export class PrometheusRule {
  /** Whether `x` is a PrometheusRule, made by any copy of this library. */
  public static isPrometheusRule(x: any): x is PrometheusRule {
    return hasBrand(x, 'PrometheusRule');
  }

  /** A recording rule. */
  public static recording(options: RecordingRuleOptions): PrometheusRule {
    return new PrometheusRule({ record: options.record, expr: options.expr, labels: options.labels });
  }

  /** An alerting rule. */
  public static alerting(options: AlertingRuleOptions): PrometheusRule {
    return new PrometheusRule({
      alert: options.alert,
      expr: options.expr,
      labels: options.labels,
      annotations: options.annotations,
      forDuration: options.for,
      keepFiringFor: options.keepFiringFor,
    });
  }

  /** The recorded series name (recording rules). */
  public readonly record?: string;
  /** The alert name (alerting rules). */
  public readonly alert?: string;
  /** The PromQL expression. */
  public readonly expr: string;
  /** Pending period (alerting rules). */
  public readonly forDuration?: Duration;
  /** Keep-firing period (alerting rules). */
  public readonly keepFiringFor?: Duration;
  private readonly _labels?: { [name: string]: string };
  private readonly _annotations?: { [name: string]: string };

  private constructor(fields: RuleFields) {
    this.record = fields.record;
    this.alert = fields.alert;
    this.expr = fields.expr;
    this.forDuration = fields.forDuration;
    this.keepFiringFor = fields.keepFiringFor;
    this._labels = fields.labels ? { ...fields.labels } : undefined;
    this._annotations = fields.annotations ? { ...fields.annotations } : undefined;
  }

  /** The rule's name: its `record` or `alert`. */
  public get name(): string {
    return this.record ?? this.alert ?? '';
  }

  /** Labels (a copy). */
  public get labels(): { [name: string]: string } | undefined {
    return this._labels ? { ...this._labels } : undefined;
  }

  /** Annotations (a copy). */
  public get annotations(): { [name: string]: string } | undefined {
    return this._annotations ? { ...this._annotations } : undefined;
  }
}
brand(PrometheusRule, 'PrometheusRule');

interface RuleFields {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly forDuration?: Duration;
  readonly keepFiringFor?: Duration;
  readonly labels?: { [name: string]: string };
  readonly annotations?: { [name: string]: string };
}

/** Options of the `addRules()` methods of the scrape constructs. */
export interface BuiltInRulesOptions {
  /**
   * Names of rules (alert or record names) to leave out.
   * @default - none
   */
  readonly omit?: string[];
  /**
   * Name of the rule group.
   * @default - per set (`cadvisor`, `kubelet`, `apiserver`, `kube-state-metrics`, `prometheus`)
   */
  readonly groupName?: string;
}

/** Props of `PrometheusRuleGroup`. */
export interface PrometheusRuleGroupProps {
  /** The stack that evaluates the rules. */
  readonly prometheus: IPrometheus;
  /**
   * Name of the group, unique within the stack.
   * @default - the construct id
   */
  readonly groupName?: string;
  /**
   * How often the group is evaluated.
   * @default - the stack's `evaluationInterval`
   */
  readonly interval?: Duration;
  /**
   * The rules, evaluated in order.
   * @default - none; add with `addRule`
   */
  readonly rules?: PrometheusRule[];
  /**
   * Values of the `job` label the rules select. Each must be produced by a scrape registered with
   * the stack, or synth fails: an alert on a job nobody scrapes can never fire.
   * @default - not checked
   */
  readonly jobs?: string[];
}

const LEGACY_METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** The library's own rules: constants whose PromQL the unit tests and promtool prove, not parsed again per synth. */
const BUILT_IN = new WeakSet<PrometheusRule>();

/** Marks a rule as one of the library's built-in rules. */
export function builtInRule(rule: PrometheusRule): PrometheusRule {
  BUILT_IN.add(rule);
  return rule;
}

/**
 * A group of recording and alerting rules, rendered into `rules.yml` beside `prometheus.yml`
 * (same ConfigMap, listed in `rule_files`, reloaded in place like the config). Every expression is
 * parsed at synth time: a PromQL syntax error fails `cdk8s synth` with the group, the rule and the
 * position.
 */
export class PrometheusRuleGroup extends Construct implements IRuleGroup {
  /** Whether `x` is a PrometheusRuleGroup, made by any copy of this library. */
  public static isPrometheusRuleGroup(x: any): x is PrometheusRuleGroup {
    return hasBrand(x, 'PrometheusRuleGroup');
  }

  /** Name of the group. */
  public readonly groupName: string;
  /** Evaluation interval, if set. */
  public readonly interval?: Duration;
  /** The stack that evaluates the rules. */
  public readonly prometheus: PrometheusStack;
  private readonly _rules: PrometheusRule[] = [];
  private readonly _jobs: string[];

  public constructor(scope: Construct, id: string, props: PrometheusRuleGroupProps) {
    super(scope, id);
    checkPrometheus({ scope: this, prop: 'prometheus' }, props.prometheus);
    // checkPrometheus admits only a PrometheusStack (of any copy of this library).
    this.prometheus = props.prometheus as PrometheusStack;
    this.groupName = props.groupName ?? id;
    this.interval = props.interval;
    if (typeof this.groupName !== 'string' || this.groupName.trim() === '') {
      fail({ scope: this, prop: 'groupName' }, this.groupName, 'a rule group needs a non-empty name');
    }
    if (this.interval !== undefined && !(this.interval.toMilliseconds() > 0)) {
      fail({ scope: this, prop: 'interval' }, this.interval, 'must be a positive duration');
    }
    this._jobs = [...(props.jobs ?? [])];
    this._jobs.forEach((j, i) => {
      if (typeof j !== 'string' || j === '') fail({ scope: this, prop: `jobs[${i}]` }, j, 'a job label value must be a non-empty string');
    });
    (props.rules ?? []).forEach(r => this.addRule(r));
    props.prometheus.addRuleGroup(this);
  }

  /** Adds a rule at the end of the group. */
  public addRule(rule: PrometheusRule): void {
    this.checkRule({ scope: this, prop: `rules[${this._rules.length}]` }, rule);
    this._rules.push(rule);
  }

  /** The rules (a copy). */
  public get rules(): PrometheusRule[] {
    return [...this._rules];
  }

  /** The `job` label values the rules select (a copy). */
  public get jobs(): string[] {
    return [...this._jobs];
  }

  private checkRule(where: Where, rule: PrometheusRule): void {
    const at = (field: string): Where => ({ scope: where.scope, prop: `${where.prop}.${field}` });
    const scheme = this.prometheus.nameValidationScheme;
    if (!PrometheusRule.isPrometheusRule(rule)) fail(where, rule, 'use PrometheusRule.recording() or PrometheusRule.alerting()');
    const which = `(group "${this.groupName}", rule "${rule.name}")`;
    if (rule.record !== undefined) {
      if (rule.record === '' || (scheme === NameValidationScheme.LEGACY && !LEGACY_METRIC.test(rule.record))) {
        fail(at('record'), rule.record, `a recorded series needs a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) ${which}`);
      }
      if (this._rules.some(r => r.record === rule.record)) {
        fail(at('record'), rule.record, `the series is already recorded by another rule of this group ${which}`);
      }
    } else if (typeof rule.alert !== 'string' || rule.alert.trim() === '') {
      fail(at('alert'), rule.alert, `an alerting rule needs a non-empty name ${which}`);
    }
    if (typeof rule.expr !== 'string') fail(at('expr'), rule.expr, `the expression must be a string ${which}`);
    const error = BUILT_IN.has(rule) ? undefined : promqlSyntaxError(rule.expr);
    if (error) {
      fail(at('expr'), rule.expr, `PromQL syntax error at position ${error.position} near ${JSON.stringify(error.near)} ${which}`);
    }
    for (const [field, d] of [['for', rule.forDuration], ['keepFiringFor', rule.keepFiringFor]] as const) {
      if (d !== undefined) {
        let ms: number;
        try {
          ms = d.toMilliseconds();
        } catch {
          fail(at(field), d, `must be a whole number of milliseconds ${which}`);
        }
        if (ms < 0) fail(at(field), d, `must not be negative ${which}`);
      }
    }
    for (const [k, v] of Object.entries(rule.labels ?? {})) {
      checkLabelName(at(`labels.${k}`), k, scheme);
      checkLabelValue(at(`labels.${k}`), v);
      if (k === '__name__' || k.startsWith('__')) fail(at(`labels.${k}`), k, `rule labels must not begin with "__" ${which}`);
    }
    for (const k of Object.keys(rule.annotations ?? {})) {
      checkLabelName(at(`annotations.${k}`), k, scheme);
    }
  }
}
brand(PrometheusRuleGroup, 'PrometheusRuleGroup');
