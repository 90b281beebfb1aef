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

/**
 * The RBAC objects each registered job needs, one Role (and binding) per namespace and one
 * ClusterRole for the cluster-wide jobs. They sit at this construct's place in the stack, in a
 * fixed order (ClusterRole, then Roles by namespace), whatever order the jobs registered in.
 */
export class StackRbac extends Construct {
  private readonly namespaces = new Set<string>();
  private cluster = false;

  public constructor(scope: Construct, id: string, private readonly parts: StackRbacParts) {
    super(scope, id);
  }

  /** Makes sure the objects for `spec`'s scopes exist; their rules are derived at synth. */
  public ensure(spec: JobSpec): void {
    const scopes = jobScopes(spec);
    const before = this.namespaces.size + (this.cluster ? 1 : 0);
    this.cluster ||= scopes.cluster;
    scopes.namespaces.forEach(ns => this.namespaces.add(ns));
    if (this.namespaces.size + (this.cluster ? 1 : 0) !== before) this.rebuild();
  }

  /** Drops and re-creates every object, in their fixed order (construct order is output order). */
  private rebuild(): void {
    for (const child of [...this.node.children]) this.node.tryRemoveChild(child.node.id);
    const { name: base, namespace, labels } = this.parts;
    const subjects: k8s.Subject[] = [{ kind: 'ServiceAccount', name: this.parts.serviceAccountName, namespace }];
    if (this.cluster) {
      // Cluster-scoped names must be unique across namespaces.
      const name = `${namespace}-${base}`;
      clusterScoped(new k8s.KubeClusterRole(this, 'ClusterRole', {
        metadata: { name, labels },
        rules: Lazy.any({ produce: () => this.parts.rules().cluster }) as any,
      }));
      clusterScoped(new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
        metadata: { name, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects,
      }));
    }
    for (const ns of [...this.namespaces].sort()) {
      const name = ns === namespace ? base : `${namespace}-${base}`;
      new k8s.KubeRole(this, `Role-${ns}`, {
        metadata: { name, namespace: ns, labels },
        rules: Lazy.any({ produce: () => this.parts.rules().namespaced.get(ns) ?? [] }) as any,
      });
      new k8s.KubeRoleBinding(this, `RoleBinding-${ns}`, {
        metadata: { name, namespace: ns, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects,
      });
    }
  }
}
