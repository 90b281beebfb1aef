/**
 * The Role/ClusterRole objects (and bindings) of the Prometheus ServiceAccount: one per scope the
 * registered jobs discover in, their rules derived from the jobs at synth (render/rbac.ts).
 */
import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { clusterScoped } from '../components/workload';
import { JobSpec } from '../model/job';
import { DerivedRbac, jobScopes } from '../render/rbac';

/** Who the objects bind, and where the rules come from. */
export interface StackRbacParts {
  /** Base name of the stack's objects. */
  readonly name: string;
  /** The stack's namespace (the ServiceAccount's). */
  readonly namespace: string;
  readonly serviceAccountName: string;
  readonly labels: Record<string, string>;
  /** The rules derived from every registered job, at synth. */
  readonly rules: () => DerivedRbac;
}

/** Creates the RBAC objects each registered job needs, once per scope. */
export class StackRbac {
  private readonly namespaces = new Set<string>();
  private cluster = false;

  public constructor(private readonly scope: Construct, private readonly parts: StackRbacParts) {}

  /** Makes sure the objects for `spec`'s scopes exist; their rules are derived at synth. */
  public ensure(spec: JobSpec): void {
    const scopes = jobScopes(spec);
    const { name: base, namespace, labels } = this.parts;
    const subjects: k8s.Subject[] = [{ kind: 'ServiceAccount', name: this.parts.serviceAccountName, namespace }];
    if (scopes.cluster && !this.cluster) {
      this.cluster = true;
      // Cluster-scoped names must be unique across namespaces.
      const name = `${namespace}-${base}`;
      clusterScoped(new k8s.KubeClusterRole(this.scope, 'ClusterRole', {
        metadata: { name, labels },
        rules: Lazy.any({ produce: () => this.parts.rules().cluster }) as any,
      }));
      clusterScoped(new k8s.KubeClusterRoleBinding(this.scope, 'ClusterRoleBinding', {
        metadata: { name, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects,
      }));
    }
    for (const ns of scopes.namespaces) {
      if (this.namespaces.has(ns)) continue;
      this.namespaces.add(ns);
      const name = ns === namespace ? base : `${namespace}-${base}`;
      new k8s.KubeRole(this.scope, `Role-${ns}`, {
        metadata: { name, namespace: ns, labels },
        rules: Lazy.any({ produce: () => this.parts.rules().namespaced.get(ns) ?? [] }) as any,
      });
      new k8s.KubeRoleBinding(this.scope, `RoleBinding-${ns}`, {
        metadata: { name, namespace: ns, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects,
      });
    }
  }
}
