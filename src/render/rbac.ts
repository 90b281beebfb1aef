import { k8s } from 'cdk8s-plus-27';
import { DiscoveryRole } from '../model/discovery';
import { JobSpec } from '../model/job';

/**
 * RBAC derived from the registered scrape jobs: only the resources their discovery roles list and
 * watch, `get nodes/metrics` for kubelet targets, `get` on the non-resource URLs actually scraped.
 * Jobs restricted to namespaces get Roles in those namespaces; the rest share one ClusterRole.
 */

/** What Prometheus's Kubernetes discovery lists and watches per role (discovery/kubernetes). */
const RESOURCES_BY_ROLE: Record<DiscoveryRole, Array<[string, string]>> = {
  [DiscoveryRole.NODE]: [['', 'nodes']],
  [DiscoveryRole.POD]: [['', 'pods']],
  [DiscoveryRole.SERVICE]: [['', 'services']],
  [DiscoveryRole.ENDPOINTS]: [['', 'endpoints'], ['', 'services'], ['', 'pods']],
  [DiscoveryRole.ENDPOINT_SLICE]: [['discovery.k8s.io', 'endpointslices'], ['', 'services'], ['', 'pods']],
  [DiscoveryRole.INGRESS]: [['networking.k8s.io', 'ingresses']],
};

const DISCOVERY_VERBS = ['list', 'watch'];

/** Rules keyed by scope: `cluster`, or a namespace. */
export interface DerivedRbac {
  readonly cluster: k8s.PolicyRule[];
  readonly namespaced: Map<string, k8s.PolicyRule[]>;
}

class RuleSet {
  private readonly discovery = new Map<string, Set<string>>();
  private readonly nodeMetrics = { needed: false };
  private readonly urls = new Set<string>();

  public addRole(role: DiscoveryRole): void {
    for (const [group, resource] of RESOURCES_BY_ROLE[role]) {
      const set = this.discovery.get(group) ?? new Set<string>();
      set.add(resource);
      this.discovery.set(group, set);
    }
  }

  public addResource(group: string, resource: string): void {
    this.discovery.set(group, (this.discovery.get(group) ?? new Set<string>()).add(resource));
  }

  public addNodeMetrics(): void {
    this.nodeMetrics.needed = true;
  }

  public addUrls(urls: string[]): void {
    urls.forEach(u => this.urls.add(u));
  }

  public rules(): k8s.PolicyRule[] {
    const rules: k8s.PolicyRule[] = [...this.discovery.keys()].sort().map(group => ({
      apiGroups: [group],
      resources: [...this.discovery.get(group)!].sort(),
      verbs: DISCOVERY_VERBS,
    }));
    if (this.nodeMetrics.needed) rules.push({ apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] });
    if (this.urls.size > 0) rules.push({ nonResourceUrLs: [...this.urls].sort(), verbs: ['get'] });
    return rules;
  }
}

/** Which scopes a job needs: cluster-wide, or the namespaces it discovers in. */
export function jobScopes(job: JobSpec): { cluster: boolean; namespaces: string[] } {
  // Nodes are cluster-scoped: the node role ignores namespaces. Static targets need no discovery.
  const clusterDiscovery = job.role !== undefined && (job.role === DiscoveryRole.NODE || job.namespaces === undefined);
  const clusterExtras = !!job.kubeletMetrics || (job.nonResourceUrls ?? []).length > 0 || !!job.attachNodeMetadata || !!job.attachNamespaceMetadata;
  return {
    cluster: clusterDiscovery || clusterExtras,
    namespaces: clusterDiscovery || job.role === undefined ? [] : job.namespaces!,
  };
}

/** Linear in the number of jobs and namespaces. */
export function deriveRbac(jobs: JobSpec[]): DerivedRbac {
  const cluster = new RuleSet();
  const namespaced = new Map<string, RuleSet>();
  for (const job of jobs) {
    const scopes = jobScopes(job);
    const role = job.role;
    if (role === undefined) {
      // static targets: nothing to discover
    } else if (scopes.namespaces.length === 0) {
      cluster.addRole(role);
    } else {
      for (const ns of scopes.namespaces) {
        const set = namespaced.get(ns) ?? new RuleSet();
        set.addRole(role);
        namespaced.set(ns, set);
      }
    }
    if (job.kubeletMetrics) cluster.addNodeMetrics();
    // attach_metadata: the node and namespace informers are cluster-wide.
    if (job.attachNodeMetadata) cluster.addResource('', 'nodes');
    if (job.attachNamespaceMetadata) cluster.addResource('', 'namespaces');
    if (job.nonResourceUrls) cluster.addUrls(job.nonResourceUrls);
  }
  const out = new Map<string, k8s.PolicyRule[]>();
  for (const ns of [...namespaced.keys()].sort()) out.set(ns, namespaced.get(ns)!.rules());
  return { cluster: cluster.rules(), namespaced: out };
}
