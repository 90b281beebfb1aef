import { DiscoveryRole, SELECTOR_ROLES } from './discovery';
import { SelectorSpec } from './job';
import { checkK8sLabelKey, checkK8sLabelValue, fail, Where } from './validation';

/**
 * Label and field selectors of Kubernetes discovery, checked as Prometheus checks them
 * (selector roles per discovery role, label and field selector syntax) and as the API server
 * checks them at list time (the fields each resource can be selected by).
 */

/** One selector of a `KubernetesScrape`: which objects discovery lists and watches. */
export interface KubernetesSelector {
  /**
   * The kind of object the selector applies to; the job's role allows some (pod: pod, node;
   * endpointslice and endpoints: pod, service and their own; the others: their own).
   * @default - the job's role
   */
  readonly role?: DiscoveryRole;
  /**
   * A label selector, e.g. `app.kubernetes.io/name=web,tier notin (test)`.
   * @default - none
   */
  readonly label?: string;
  /**
   * A field selector, e.g. `status.phase=Running` (only the fields the API server selects by).
   * @default - none
   */
  readonly field?: string;
}

/** The fields the API server selects each listed resource by, besides metadata.name and (namespaced resources) metadata.namespace. */
export const SELECTABLE_FIELDS: Record<DiscoveryRole, string[]> = {
  [DiscoveryRole.POD]: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork',
    'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'],
  [DiscoveryRole.NODE]: ['spec.unschedulable'],
  [DiscoveryRole.SERVICE]: ['spec.clusterIP', 'spec.type'],
  [DiscoveryRole.ENDPOINTS]: [],
  [DiscoveryRole.ENDPOINT_SLICE]: [],
  [DiscoveryRole.INGRESS]: [],
};

const KEY = '[A-Za-z0-9][-A-Za-z0-9_./]*';
const VALUE = '[-A-Za-z0-9_.]*';

/** Splits at commas outside parentheses. */
function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  parts.push(cur);
  return parts;
}

/** A label selector as k8s.io/apimachinery labels.Parse reads it. */
export function checkLabelSelector(where: Where, selector: string): void {
  const allowed = 'write comma-separated requirements: "key", "!key", "key=value", "key!=value", "key in (a,b)", "key notin (a,b)"';
  if (typeof selector !== 'string' || selector.trim() === '') fail(where, selector, `an empty label selector selects everything; leave it out, or ${allowed}`);
  for (const part of splitTop(selector)) {
    const p = part.trim();
    let key: string | undefined;
    let values: string[] = [];
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^!?\\s*(${KEY})$`).exec(p))) {
      key = m[1];
    } else if ((m = new RegExp(`^(${KEY})\\s*(==|!=|=)\\s*(${VALUE})$`).exec(p))) {
      key = m[1];
      values = [m[3]];
    } else if ((m = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^()]*)\\)$`).exec(p))) {
      key = m[1];
      values = m[3].split(',').map(v => v.trim());
      if (m[3].trim() === '') fail(where, selector, `"${p}": the set of values of "${m[2]}" must not be empty`);
    } else if ((m = new RegExp(`^(${KEY})\\s*(<|>)\\s*(\\d+)$`).exec(p))) {
      key = m[1];
    }
    if (key === undefined) fail(where, selector, `"${p}" is not a label requirement; ${allowed}`);
    checkK8sLabelKey(where, key);
    values.forEach(v => checkK8sLabelValue(where, v));
  }
}

/** A field selector as k8s.io/apimachinery fields.ParseSelector reads it, with the fields the resource supports. */
export function checkFieldSelector(where: Where, selector: string, role: DiscoveryRole): void {
  if (typeof selector !== 'string' || selector.trim() === '') fail(where, selector, 'an empty field selector selects everything; leave it out');
  // Nodes are cluster-scoped: no metadata.namespace.
  const fields = ['metadata.name', ...(role === DiscoveryRole.NODE ? [] : ['metadata.namespace']), ...SELECTABLE_FIELDS[role]];
  for (const part of selector.split(/(?<!\\),/)) {
    const m = /^\s*([^=!\s]+)\s*(==|!=|=)(.*)$/.exec(part);
    if (!m) fail(where, selector, `"${part}" is not a field requirement; write "field=value", "field==value" or "field!=value"`);
    if (!fields.includes(m[1])) {
      fail(where, selector, `the API server cannot select ${role === DiscoveryRole.ENDPOINT_SLICE ? 'endpointslices' : `${role}s`} by "${m[1]}"; `
        + `it selects by ${fields.join(', ')}`);
    }
  }
}

/** Checks the selectors of a job with the given role; returns them with their roles filled in. */
export function checkSelectors(scope: Where['scope'], prop: string, role: DiscoveryRole, selectors: unknown): SelectorSpec[] {
  if (!Array.isArray(selectors)) fail({ scope, prop }, selectors, 'give a list of selectors ({ role?, label?, field? })');
  const seen = new Set<DiscoveryRole>();
  return selectors.map((s: KubernetesSelector, i) => {
    const at = (f?: string): Where => ({ scope, prop: f ? `${prop}[${i}].${f}` : `${prop}[${i}]` });
    if (s === null || typeof s !== 'object') fail(at(), s, 'a selector is { role?, label?, field? }');
    const r = s.role ?? role;
    if (!SELECTOR_ROLES[role].includes(r)) {
      fail(at('role'), r, `discovery role "${role}" takes selectors for ${SELECTOR_ROLES[role].join(', ')} only`);
    }
    if (seen.has(r)) fail(at('role'), r, 'one selector per role: join the requirements with commas');
    seen.add(r);
    if (s.label === undefined && s.field === undefined) fail(at(), s, 'give a label selector, a field selector, or both');
    if (s.label !== undefined) checkLabelSelector(at('label'), s.label);
    if (s.field !== undefined) checkFieldSelector(at('field'), s.field, r);
    return { role: r, label: s.label, field: s.field };
  });
}
