/**
 * Typed relabel rules. Each factory takes exactly the fields its action allows, so a rule that
 * Prometheus would refuse for a forbidden field (a regex on `keepequal`, source labels on
 * `labeldrop` ...) cannot be written. Values (regexes, label names, replacements, modulus) are
 * checked when the rule is attached to a scrape, so that the error can name the construct path.
 */

import { brand, hasBrand } from './brand';

/** The relabel actions Prometheus 3 knows. */
export enum RelabelAction {
  /** Write `replacement` (with regex groups) into `targetLabel`. */
  REPLACE = 'replace',
  /** Keep targets (or series) whose joined source labels match the regex. */
  KEEP = 'keep',
  /** Drop targets (or series) whose joined source labels match the regex. */
  DROP = 'drop',
  /** Keep targets whose joined source labels equal `targetLabel`'s value. */
  KEEP_EQUAL = 'keepequal',
  /** Drop targets whose joined source labels equal `targetLabel`'s value. */
  DROP_EQUAL = 'dropequal',
  /** Set `targetLabel` to the hash of the joined source labels modulo `modulus`. */
  HASHMOD = 'hashmod',
  /** Copy labels whose name matches the regex to the name given by `replacement`. */
  LABELMAP = 'labelmap',
  /** Remove labels whose name matches the regex. */
  LABELDROP = 'labeldrop',
  /** Remove labels whose name does not match the regex. */
  LABELKEEP = 'labelkeep',
  /** Write the lower-cased joined source labels into `targetLabel`. */
  LOWERCASE = 'lowercase',
  /** Write the upper-cased joined source labels into `targetLabel`. */
  UPPERCASE = 'uppercase',
}

/** Options of `keep` and `drop`. */
export interface RelabelMatchOptions {
  /** Labels whose values are joined with `separator` and matched. */
  readonly sourceLabels: string[];
  /** RE2 regex, anchored at both ends by Prometheus. */
  readonly regex: string;
  /**
   * Separator between the joined source label values.
   * @default ";"
   */
  readonly separator?: string;
}

/** Options of `replace`. */
export interface RelabelReplaceOptions {
  /**
   * Labels whose values are joined and matched.
   * @default - none: the regex matches the empty string
   */
  readonly sourceLabels?: string[];
  /**
   * RE2 regex, anchored at both ends.
   * @default "(.*)"
   */
  readonly regex?: string;
  /**
   * Separator between joined source label values.
   * @default ";"
   */
  readonly separator?: string;
  /** Label to write. */
  readonly targetLabel: string;
  /**
   * Value written, with `${1}`-style references to regex groups.
   * @default "$1"
   */
  readonly replacement?: string;
}

/** Options of `hashmod`. */
export interface RelabelHashModOptions {
  /** Labels whose joined values are hashed. */
  readonly sourceLabels: string[];
  /** Positive modulus. */
  readonly modulus: number;
  /** Label receiving the hash. */
  readonly targetLabel: string;
  /**
   * Separator between joined source label values.
   * @default ";"
   */
  readonly separator?: string;
}

/** Options of `keepequal`, `dropequal`, `lowercase` and `uppercase`. */
export interface RelabelCompareOptions {
  /** Labels whose values are joined. */
  readonly sourceLabels: string[];
  /** The label compared against, or written. */
  readonly targetLabel: string;
  /**
   * Separator between joined source label values (not allowed for keepequal/dropequal).
   * @default ";"
   */
  readonly separator?: string;
}

/** Options of `labelmap`. */
export interface RelabelLabelMapOptions {
  /** RE2 regex matched against every label name. */
  readonly regex: string;
  /**
   * New label name, with `${1}`-style group references.
   * @default "$1"
   */
  readonly replacement?: string;
}

/**
 * One relabel rule: for `relabel_configs` (targets, before the scrape) or
 * `metric_relabel_configs` (series, after the scrape).
 */
export class RelabelRule {
  /** Whether `x` is a RelabelRule, made by any copy of this library. */
  public static isRelabelRule(x: any): x is RelabelRule {
    return hasBrand(x, 'RelabelRule');
  }

  /** Keep only targets or series whose source labels match. */
  public static keep(options: RelabelMatchOptions): RelabelRule {
    return new RelabelRule(RelabelAction.KEEP, options);
  }

  /** Drop targets or series whose source labels match. */
  public static drop(options: RelabelMatchOptions): RelabelRule {
    return new RelabelRule(RelabelAction.DROP, options);
  }

  /** Write a (templated) value into a label. */
  public static replace(options: RelabelReplaceOptions): RelabelRule {
    return new RelabelRule(RelabelAction.REPLACE, options);
  }

  /** Copy the value of one label into another, unchanged. */
  public static copy(sourceLabel: string, targetLabel: string): RelabelRule {
    return new RelabelRule(RelabelAction.REPLACE, { sourceLabels: [sourceLabel], targetLabel });
  }

  /** Set a label to a fixed value. */
  public static setLabel(targetLabel: string, value: string): RelabelRule {
    // `$` in a fixed value would be read as a group reference: escape it as `$$`.
    return new RelabelRule(RelabelAction.REPLACE, { targetLabel, replacement: value.replace(/\$/g, '$$$$') });
  }

  /** Hash source labels into `targetLabel` (sharding). */
  public static hashMod(options: RelabelHashModOptions): RelabelRule {
    return new RelabelRule(RelabelAction.HASHMOD, options);
  }

  /** Keep targets whose source labels equal the target label. */
  public static keepEqual(options: RelabelCompareOptions): RelabelRule {
    return new RelabelRule(RelabelAction.KEEP_EQUAL, options);
  }

  /** Drop targets whose source labels equal the target label. */
  public static dropEqual(options: RelabelCompareOptions): RelabelRule {
    return new RelabelRule(RelabelAction.DROP_EQUAL, options);
  }

  /** Lower-case the joined source labels into the target label. */
  public static lowercase(options: RelabelCompareOptions): RelabelRule {
    return new RelabelRule(RelabelAction.LOWERCASE, options);
  }

  /** Upper-case the joined source labels into the target label. */
  public static uppercase(options: RelabelCompareOptions): RelabelRule {
    return new RelabelRule(RelabelAction.UPPERCASE, options);
  }

  /** Copy labels matching the regex to new names. */
  public static labelMap(options: RelabelLabelMapOptions): RelabelRule {
    return new RelabelRule(RelabelAction.LABELMAP, options);
  }

  /** Remove every label whose name matches the regex. */
  public static labelDrop(regex: string): RelabelRule {
    return new RelabelRule(RelabelAction.LABELDROP, { regex });
  }

  /** Remove every label whose name does not match the regex. */
  public static labelKeep(regex: string): RelabelRule {
    return new RelabelRule(RelabelAction.LABELKEEP, { regex });
  }

  // Fields are private and read through getters: a rule cannot change after it was checked.
  private readonly _action: RelabelAction;
  private readonly _sourceLabels?: readonly string[];
  private readonly _regex?: string;
  private readonly _separator?: string;
  private readonly _targetLabel?: string;
  private readonly _replacement?: string;
  private readonly _modulus?: number;

  private constructor(action: RelabelAction, fields: RuleFields) {
    this._action = action;
    this._sourceLabels = fields.sourceLabels ? Object.freeze([...fields.sourceLabels]) : undefined;
    this._regex = fields.regex;
    this._separator = fields.separator;
    this._targetLabel = fields.targetLabel;
    this._replacement = fields.replacement;
    this._modulus = fields.modulus;
  }

  /** The action. */
  public get action(): RelabelAction {
    return this._action;
  }

  /** Source labels, if the action takes any (a copy). */
  public get sourceLabels(): string[] | undefined {
    return this._sourceLabels ? [...this._sourceLabels] : undefined;
  }

  /** Regex, if set. */
  public get regex(): string | undefined {
    return this._regex;
  }

  /** Separator, if set. */
  public get separator(): string | undefined {
    return this._separator;
  }

  /** Target label, if the action writes one. */
  public get targetLabel(): string | undefined {
    return this._targetLabel;
  }

  /** Replacement, if set. */
  public get replacement(): string | undefined {
    return this._replacement;
  }

  /** Modulus (hashmod only). */
  public get modulus(): number | undefined {
    return this._modulus;
  }
}
brand(RelabelRule, 'RelabelRule');

interface RuleFields {
  readonly sourceLabels?: string[];
  readonly regex?: string;
  readonly separator?: string;
  readonly targetLabel?: string;
  readonly replacement?: string;
  readonly modulus?: number;
}
