/**
 * The Namespace objects the library's workloads need, with the Pod Security level each enforces:
 * `restricted` where Prometheus and the exporters run, `privileged` for node-exporter's (it reads
 * the host). One object per namespace and chart, created by the first component that needs it and
 * ordered before every object of the components that live in it.
 */
import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { clusterScoped } from './workload';
import { fail } from '../model/validation';

/** The Pod Security level a namespace enforces. */
export type PodSecurityLevel = 'restricted' | 'privileged';

const created = new WeakMap<ApiObject, { level: PodSecurityLevel; by: string }>();

/**
 * The Namespace `namespace` in the chart of `scope`, enforcing `level`; `scope` (and so every
 * object under it) is ordered after it. A namespace two components need at different levels is an
 * error: the library never lowers a namespace's level silently. `after` are ordered after it too
 * (the stack, whose Roles reach into the component's namespace).
 */
export function ensureNamespace(scope: IConstruct, namespace: string, level: PodSecurityLevel, after: IConstruct[] = []): void {
  const chart = Chart.of(scope);
  const id = `Namespace-${namespace}`;
  let ns = chart.node.tryFindChild(id) as ApiObject | undefined;
  const mine = ns && created.get(ns);
  if (ns && !mine) {
    fail({ scope, prop: 'namespace' }, namespace, `the chart already has a construct "${id}" that is not this library's Namespace; set createNamespaces: false on the stack`);
  }
  if (mine && mine.level !== level) {
    fail({ scope, prop: 'namespace' }, namespace, `the namespace also holds ${mine.by}, which needs Pod Security "${mine.level}", and this needs "${level}"; `
      + 'give one of them a namespace of its own (node-exporter needs "privileged"), or set createNamespaces: false and label the namespace yourself');
  }
  if (!ns) {
    const labels = {
      'app.kubernetes.io/part-of': 'cdk8s-prometheus',
      'app.kubernetes.io/managed-by': 'cdk8s',
      'pod-security.kubernetes.io/enforce': level,
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/audit': level,
      'pod-security.kubernetes.io/warn': level,
    };
    ns = clusterScoped(new k8s.KubeNamespace(chart, id, { metadata: { name: namespace, labels } }));
    created.set(ns, { level, by: scope.node.path });
  }
  for (const c of [scope, ...after]) c.node.addDependency(ns);
}
