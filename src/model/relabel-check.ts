import { Construct } from 'constructs';
import { DiscoveryRole, META_BY_ROLE, META_PREFIX, roleProducesMetaLabel } from './discovery';
import { RelabelAction, RelabelRule } from './relabel';
import { checkLabelName, checkRegex, checkReplacement, checkWritableLabel, fail, NameValidationScheme, regexGroupCount, templateRefs, Where } from './validation';

/**
 * Checks of relabel rules as Prometheus applies them, per discovery role.
 */

/** Where a rule's fields are checked, for error messages. */
export interface RuleContext {
  readonly scope: Construct;
  readonly prop: string;
  /** Undefined for static targets: no meta labels at all. */
  readonly role?: DiscoveryRole;
  readonly scheme: NameValidationScheme;
  /** Metric relabeling runs on series: no `__meta_*` labels exist any more. */
  readonly metric: boolean;
  /** Meta labels that attached metadata adds to the role's (names or prefixes, without `__meta_kubernetes_`). */
  readonly extraMeta?: readonly string[];
}

const ALL_ACTIONS = new Set<string>(Object.values(RelabelAction));

/** Checks one rule as Prometheus would, plus the mistakes Prometheus would silently accept. */
export function checkRelabelRule(ctx: RuleContext, rule: RelabelRule): void {
  const at = (field: string): Where => ({ scope: ctx.scope, prop: `${ctx.prop}.${field}` });
  if (!RelabelRule.isRelabelRule(rule)) fail({ scope: ctx.scope, prop: ctx.prop }, rule, 'must be a RelabelRule (use the RelabelRule.* factories)');
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
      if (!roleProducesMetaLabel(ctx.role, label, ctx.extraMeta)) {
        fail(where, label, `discovery role "${ctx.role}" never produces this meta label; `
          + `it produces __meta_kubernetes_{${[...META_BY_ROLE[ctx.role], ...ctx.extraMeta ?? []].map(m => (m.endsWith('_') ? `${m}<name>` : m)).join(',')}}`);
      }
    }
  };
  checkFieldsOfAction(at, rule);
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
    const hasTemplate = rule.action === RelabelAction.REPLACE && templateRefs(rule.targetLabel).length > 0;
    if (hasTemplate) {
      checkReplacement(at('targetLabel'), rule.targetLabel);
      checkTemplatedLabelName(at('targetLabel'), rule.targetLabel, ctx.scheme);
    } else {
      checkWritableLabel(at('targetLabel'), rule.targetLabel, ctx.scheme);
    }
  }
  if (rule.replacement !== undefined) {
    checkReplacement(at('replacement'), rule.replacement);
    const groups = regexGroupCount(rule.regex ?? '(.*)');
    for (const ref of templateRefs(rule.replacement)) {
      if (/^\d+$/.test(ref) && Number(ref) > groups) {
        fail(at('replacement'), rule.replacement, `refers to group $${ref} but the regex has ${groups} group(s)`);
      }
    }
    if (rule.action === RelabelAction.LABELMAP) {
      if (templateRefs(rule.replacement).length === 0) checkLabelName(at('replacement'), rule.replacement, ctx.scheme);
      else checkTemplatedLabelName(at('replacement'), rule.replacement, ctx.scheme);
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

/** The fields each action takes (Prometheus model/relabel Config.Validate), and those it needs. */
const FIELDS: Record<RelabelAction, { allowed: RuleField[]; required: RuleField[] }> = {
  [RelabelAction.REPLACE]: { allowed: ['sourceLabels', 'separator', 'regex', 'targetLabel', 'replacement'], required: ['targetLabel'] },
  [RelabelAction.KEEP]: { allowed: ['sourceLabels', 'separator', 'regex'], required: ['sourceLabels'] },
  [RelabelAction.DROP]: { allowed: ['sourceLabels', 'separator', 'regex'], required: ['sourceLabels'] },
  [RelabelAction.KEEP_EQUAL]: { allowed: ['sourceLabels', 'targetLabel'], required: ['sourceLabels', 'targetLabel'] },
  [RelabelAction.DROP_EQUAL]: { allowed: ['sourceLabels', 'targetLabel'], required: ['sourceLabels', 'targetLabel'] },
  [RelabelAction.HASHMOD]: { allowed: ['sourceLabels', 'separator', 'targetLabel', 'modulus'], required: ['sourceLabels', 'targetLabel', 'modulus'] },
  [RelabelAction.LABELMAP]: { allowed: ['regex', 'replacement'], required: ['regex'] },
  [RelabelAction.LABELDROP]: { allowed: ['regex'], required: ['regex'] },
  [RelabelAction.LABELKEEP]: { allowed: ['regex'], required: ['regex'] },
  [RelabelAction.LOWERCASE]: { allowed: ['sourceLabels', 'separator', 'targetLabel'], required: ['sourceLabels', 'targetLabel'] },
  [RelabelAction.UPPERCASE]: { allowed: ['sourceLabels', 'separator', 'targetLabel'], required: ['sourceLabels', 'targetLabel'] },
};
type RuleField = 'sourceLabels' | 'separator' | 'regex' | 'targetLabel' | 'replacement' | 'modulus';

/** Prometheus's defaults: a field set to its default is as good as unset. */
const DEFAULTS: Partial<Record<RuleField, unknown>> = { separator: ';', regex: '(.*)', replacement: '$1' };

/**
 * Fields an action forbids or needs, and their runtime types: callers from plain JavaScript and
 * the jsii languages can pass any field to any factory, or leave a required one out.
 */
function checkFieldsOfAction(at: (field: string) => Where, rule: RelabelRule): void {
  const { allowed, required } = FIELDS[rule.action];
  const value: Record<RuleField, unknown> = {
    sourceLabels: rule.sourceLabels,
    separator: rule.separator,
    regex: rule.regex,
    targetLabel: rule.targetLabel,
    replacement: rule.replacement,
    modulus: rule.modulus,
  };
  for (const field of Object.keys(value) as RuleField[]) {
    const v = value[field];
    if (v === undefined) {
      if (required.includes(field) && field !== 'sourceLabels') fail(at(field), v, `action ${rule.action} needs ${field}`);
      continue;
    }
    if (field === 'sourceLabels') {
      if (!Array.isArray(v) || v.some(l => typeof l !== 'string')) fail(at(field), v, 'give a list of label names (strings)');
    } else if (field === 'modulus') {
      if (typeof v !== 'number') fail(at(field), v, 'the modulus is a positive whole number');
    } else if (typeof v !== 'string') {
      fail(at(field), v, `${field} is a string`);
    }
    if (!allowed.includes(field) && DEFAULTS[field] !== v) {
      fail(at(field), v, field === 'separator' ? `action ${rule.action} takes no separator`
        : `action ${rule.action} takes no ${field} (it takes ${allowed.join(', ')})`);
    }
  }
}

/** Prometheus's legacy check of a templated label name (relabelTargetLegacy). */
const LEGACY_TEMPLATED_LABEL = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

/** A label name with `$` references, as Prometheus checks it before expanding. */
function checkTemplatedLabelName(where: Where, name: string, scheme: NameValidationScheme): void {
  if (scheme === NameValidationScheme.LEGACY && !LEGACY_TEMPLATED_LABEL.test(name)) {
    fail(where, name, 'under the legacy name scheme a templated label name is letters, digits, "_" and $1/${1}/$name references, not starting with a digit');
  }
  if (name === '') fail(where, name, 'a label name must not be empty');
}
