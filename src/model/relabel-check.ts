import { Construct } from 'constructs';
import { DiscoveryRole, META_BY_ROLE, META_PREFIX, roleProducesMetaLabel } from './discovery';
import { RelabelAction, RelabelRule } from './relabel';
import { checkLabelName, checkRegex, checkReplacement, checkWritableLabel, fail, NameValidationScheme, regexGroupCount, Where } from './validation';

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
