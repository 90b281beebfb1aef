/**
 * Where and how the pods of a workload we deploy are scheduled: the options every component
 * (Prometheus, kube-state-metrics, node-exporter, the blackbox exporter, and every later one)
 * takes, and their checks. The component skeleton merges them with each component's defaults.
 */
import { k8s } from 'cdk8s-plus-27';
import { checkDns1123Subdomain, checkK8sLabelKey, checkK8sLabelValue, fail, Where } from './validation';

/** Scheduling, pull secrets and pod metadata of a workload. */
export interface WorkloadOptions {
  /**
   * Node labels the pods must run on, merged over the component's own (`kubernetes.io/os: linux`
   * for the exporters).
   * @default - the component's own
   */
  readonly nodeSelector?: { [key: string]: string };
  /**
   * Tolerations, added to the component's own (node-exporter tolerates every taint).
   * @default - the component's own
   */
  readonly tolerations?: k8s.Toleration[];
  /**
   * Affinity, added to the component's own (with replicas, Prometheus spreads its pods over
   * nodes with a preferred pod anti-affinity).
   * @default - the component's own
   */
  readonly affinity?: k8s.Affinity;
  /**
   * PriorityClass of the pods.
   * @default - none (the cluster's default priority)
   */
  readonly priorityClassName?: string;
  /**
   * Topology spread constraints of the pods.
   * @default - none
   */
  readonly topologySpreadConstraints?: k8s.TopologySpreadConstraint[];
  /**
   * Secrets (in the workload's namespace) the kubelet pulls the images with, for private mirrors.
   * @default - none
   */
  readonly imagePullSecrets?: string[];
  /**
   * Extra labels on the pods (not the `app.kubernetes.io/*` labels the library sets).
   * @default - none
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * Extra annotations on the pods.
   * @default - none
   */
  readonly podAnnotations?: { [key: string]: string };
}

const TOLERATION_OPERATORS = ['Exists', 'Equal'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const WHEN_UNSATISFIABLE = ['DoNotSchedule', 'ScheduleAnyway'];

const isRecord = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Checks every scheduling option as the API server would (and what it would take silently). */
export function checkWorkloadOptions(where: Where, o: WorkloadOptions): void {
  const at = (prop: string): Where => ({ scope: where.scope, prop });
  const map = (prop: string, m: unknown, values: 'label' | 'any') => {
    if (m === undefined) return;
    if (!isRecord(m)) fail(at(prop), m, 'give a map of names to strings');
    for (const [k, v] of Object.entries(m)) {
      checkK8sLabelKey(at(`${prop}.${k}`), k);
      if (typeof v !== 'string') fail(at(`${prop}.${k}`), v, 'a value is a string');
      if (values === 'label') checkK8sLabelValue(at(`${prop}.${k}`), v);
    }
  };
  map('nodeSelector', o.nodeSelector, 'label');
  map('podLabels', o.podLabels, 'label');
  map('podAnnotations', o.podAnnotations, 'any');
  for (const k of Object.keys(o.podLabels ?? {})) {
    if (k.startsWith('app.kubernetes.io/')) fail(at(`podLabels.${k}`), k, 'the app.kubernetes.io/* labels are the library\'s (its selectors use them); pick another key');
  }
  for (const k of Object.keys(o.podAnnotations ?? {})) {
    if (k.startsWith('prometheus.cdk8s.io/')) fail(at(`podAnnotations.${k}`), k, 'prometheus.cdk8s.io/* annotations are the library\'s; pick another key');
  }
  if (o.tolerations !== undefined) {
    if (!Array.isArray(o.tolerations)) fail(at('tolerations'), o.tolerations, 'give a list of tolerations');
    o.tolerations.forEach((t, i) => {
      const p = `tolerations[${i}]`;
      if (!isRecord(t)) fail(at(p), t, 'a toleration is an object (key, operator, value, effect, tolerationSeconds)');
      const op = t.operator ?? 'Equal';
      if (!TOLERATION_OPERATORS.includes(op)) fail(at(`${p}.operator`), op, `one of ${TOLERATION_OPERATORS.join(', ')}`);
      if (t.key !== undefined && t.key !== '') checkK8sLabelKey(at(`${p}.key`), t.key);
      if (op === 'Exists' && t.value !== undefined && t.value !== '') fail(at(`${p}.value`), t.value, 'operator Exists takes no value');
      if ((t.key === undefined || t.key === '') && op !== 'Exists') fail(at(`${p}.operator`), op, 'a toleration without a key must use operator Exists');
      if (t.effect !== undefined && t.effect !== '' && !TAINT_EFFECTS.includes(t.effect)) fail(at(`${p}.effect`), t.effect, `one of ${TAINT_EFFECTS.join(', ')}`);
      if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
        fail(at(`${p}.tolerationSeconds`), t.tolerationSeconds, 'only a NoExecute toleration takes tolerationSeconds');
      }
    });
  }
  if (o.priorityClassName !== undefined) checkDns1123Subdomain(at('priorityClassName'), o.priorityClassName);
  if (o.imagePullSecrets !== undefined) {
    if (!Array.isArray(o.imagePullSecrets)) fail(at('imagePullSecrets'), o.imagePullSecrets, 'give a list of Secret names');
    o.imagePullSecrets.forEach((s, i) => checkDns1123Subdomain(at(`imagePullSecrets[${i}]`), s));
  }
  if (o.topologySpreadConstraints !== undefined) {
    if (!Array.isArray(o.topologySpreadConstraints)) fail(at('topologySpreadConstraints'), o.topologySpreadConstraints, 'give a list of constraints');
    o.topologySpreadConstraints.forEach((c, i) => {
      const p = `topologySpreadConstraints[${i}]`;
      if (!isRecord(c)) fail(at(p), c, 'a constraint is an object (maxSkew, topologyKey, whenUnsatisfiable, labelSelector)');
      if (!Number.isInteger(c.maxSkew) || c.maxSkew < 1) fail(at(`${p}.maxSkew`), c.maxSkew, 'a whole number >= 1');
      if (typeof c.topologyKey !== 'string' || c.topologyKey === '') fail(at(`${p}.topologyKey`), c.topologyKey, 'a node label key, such as topology.kubernetes.io/zone');
      checkK8sLabelKey(at(`${p}.topologyKey`), c.topologyKey);
      if (!WHEN_UNSATISFIABLE.includes(c.whenUnsatisfiable)) fail(at(`${p}.whenUnsatisfiable`), c.whenUnsatisfiable, `one of ${WHEN_UNSATISFIABLE.join(', ')}`);
    });
  }
  if (o.affinity !== undefined && !isRecord(o.affinity)) fail(at('affinity'), o.affinity, 'an affinity is an object (nodeAffinity, podAffinity, podAntiAffinity)');
}

/** The scheduling options of a component's props, checked, as a deep copy (later changes stay out). */
export function workloadOptions(where: Where, props: WorkloadOptions): WorkloadOptions {
  checkWorkloadOptions(where, props);
  const copy = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));
  return {
    nodeSelector: copy(props.nodeSelector),
    tolerations: copy(props.tolerations),
    affinity: copy(props.affinity),
    priorityClassName: props.priorityClassName,
    topologySpreadConstraints: copy(props.topologySpreadConstraints),
    imagePullSecrets: copy(props.imagePullSecrets),
    podLabels: copy(props.podLabels),
    podAnnotations: copy(props.podAnnotations),
  };
}

/** Two affinities in one: the term lists of each kind concatenated, ours first. */
export function mergeAffinity(ours: k8s.Affinity | undefined, theirs: k8s.Affinity | undefined): k8s.Affinity | undefined {
  if (!theirs) return ours;
  if (!ours) return theirs;
  const terms = <T extends object>(a: T | undefined, b: T | undefined): T | undefined => {
    if (!a) return b;
    if (!b) return a;
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b)) {
      const mine = (a as Record<string, unknown>)[k];
      out[k] = Array.isArray(mine) && Array.isArray(v) ? [...mine, ...v] : v;
    }
    return out as T;
  };
  return {
    nodeAffinity: terms(ours.nodeAffinity, theirs.nodeAffinity),
    podAffinity: terms(ours.podAffinity, theirs.podAffinity),
    podAntiAffinity: terms(ours.podAntiAffinity, theirs.podAntiAffinity),
  };
}
