import { ApiObject, Chart, JsonPatch, Names } from 'cdk8s';
import { ContainerResources, k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { checkDns1035Label, checkDns1123Label, fail } from '../model/validation';

/**
 * Pieces shared by the workloads we create (Prometheus, kube-state-metrics): names, the
 * `app.kubernetes.io/*` labels, Pod Security `restricted` contexts and resource requirements.
 */

/** Annotation holding the sha256 of a component's rendered configuration. */
export const CONFIG_HASH_ANNOTATION = 'prometheus.cdk8s.io/config-hash';

/** uid/gid of `nobody`, the user the Prometheus and kube-state-metrics images run as. */
export const NOBODY = 65534;

/**
 * The base name of a component's objects: the `name` prop, else the construct id when it is a
 * valid DNS label, else a unique name derived from the construct path.
 */
export function resolveName(scope: Construct, name: string | undefined, maxLength: number): string {
  if (name !== undefined) {
    checkDns1035Label({ scope, prop: 'name' }, name, maxLength);
    return name;
  }
  const id = scope.node.id;
  if (/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(id) && id.length <= maxLength) return id;
  // cdk8s keeps "." (a DNS subdomain character) and may start with a digit: a Service name is a
  // DNS-1035 label, so only [a-z0-9-], starting with a letter.
  let derived = Names.toDnsLabel(scope, { maxLen: maxLength - 2 }).replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  if (!/^[a-z]/.test(derived)) derived = `c-${derived}`;
  checkDns1035Label({ scope, prop: 'id' }, derived, maxLength);
  return derived;
}

/** The namespace objects go to: the prop, else the chart's. One is required (RBAC subjects need it). */
export function resolveNamespace(scope: Construct, namespace: string | undefined, fallback?: string): string {
  const ns = namespace ?? Chart.of(scope).namespace ?? fallback;
  if (ns === undefined) {
    fail({ scope, prop: 'namespace' }, undefined,
      'a namespace is required (RBAC bindings name the ServiceAccount by namespace); set `namespace` on the Chart or on this construct');
  }
  checkDns1123Label({ scope, prop: 'namespace' }, ns);
  return ns;
}

/** `app.kubernetes.io/*` labels; the version label stays out of selectors. */
export function componentLabels(app: string, instance: string, component: string, version: string | undefined) {
  const selector = {
    'app.kubernetes.io/name': app,
    'app.kubernetes.io/instance': instance,
  };
  const all = {
    ...selector,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'cdk8s-prometheus',
    'app.kubernetes.io/managed-by': 'cdk8s',
    ...(version === undefined ? {} : { 'app.kubernetes.io/version': version }),
  };
  return { selector, all };
}

/** Pod-level context meeting Pod Security `restricted`. */
export function restrictedPodSecurityContext(fsGroup: boolean): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: NOBODY,
    runAsGroup: NOBODY,
    ...(fsGroup ? { fsGroup: NOBODY, fsGroupChangePolicy: 'OnRootMismatch' } : {}),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level context meeting Pod Security `restricted`. */
export function restrictedContainerSecurityContext(): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: NOBODY,
    runAsGroup: NOBODY,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Millicores of a cdk8s-plus `Cpu` amount (`250m`, `2`, `1.5`). */
function millicores(amount: string): number {
  return amount.endsWith('m') ? Number(amount.slice(0, -1)) : Number(amount) * 1000;
}

/**
 * cdk8s-plus resources to the Kubernetes shape: the user's values merged per field over
 * `defaults` (a request alone keeps the default limit). A request above its limit is refused
 * here, as the API server would refuse it.
 */
export function renderResources(scope: IConstruct, user: ContainerResources | undefined, defaults: ContainerResources): k8s.ResourceRequirements {
  const r = {
    cpu: { ...defaults.cpu, ...user?.cpu },
    memory: { ...defaults.memory, ...user?.memory },
    ephemeralStorage: { ...defaults.ephemeralStorage, ...user?.ephemeralStorage },
  };
  const check = (resource: 'cpu' | 'memory' | 'ephemeralStorage', request: number | undefined, limit: number | undefined, show: (n: number) => string) => {
    if (request === undefined || limit === undefined || request <= limit) return;
    const userLimit = (user?.[resource] as { limit?: unknown } | undefined)?.limit !== undefined;
    fail({ scope, prop: `resources.${resource}.request` }, show(request),
      `the request is above the ${userLimit ? '' : 'default '}limit ${show(limit)}; `
      + `${userLimit ? 'lower the request or raise the limit' : `set resources.${resource}.limit as well`}`);
  };
  check('cpu', r.cpu.request && millicores(r.cpu.request.amount), r.cpu.limit && millicores(r.cpu.limit.amount), n => `${n}m`);
  check('memory', r.memory.request?.toMebibytes(), r.memory.limit?.toMebibytes(), n => `${n}Mi`);
  check('ephemeralStorage', r.ephemeralStorage.request?.toMebibytes(), r.ephemeralStorage.limit?.toMebibytes(), n => `${n}Mi`);
  const q = (s: string) => k8s.Quantity.fromString(s);
  const side = (which: 'request' | 'limit') => {
    const out: Record<string, k8s.Quantity> = {};
    const cpu = r.cpu[which];
    const mem = r.memory[which];
    const eph = r.ephemeralStorage[which];
    if (cpu) out.cpu = q(cpu.amount);
    if (mem) out.memory = q(`${mem.toMebibytes()}Mi`);
    if (eph) out['ephemeral-storage'] = q(`${eph.toMebibytes()}Mi`);
    return out;
  };
  return { requests: side('request'), limits: side('limit') };
}

/**
 * Cluster-scoped objects (ClusterRole, ClusterRoleBinding) take no namespace; cdk8s would stamp
 * the chart's on them, which the API server ignores but readers and linters trip over.
 */
export function clusterScoped<T extends ApiObject>(obj: T): T {
  if (Chart.of(obj).namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return obj;
}
