import { Construct } from 'constructs';
import { ScrapeJob } from './scrape-job';
import { DiscoveryRole, NODE_METADATA_ROLES } from '../model/discovery';
import { endpointOptions, TargetEndpointOptions } from '../model/endpoint';
import { ScrapeOptions } from '../model/job';
import { IPrometheus } from '../model/prometheus';
import { checkSelectors, KubernetesSelector } from '../model/selector';
import { fail } from '../model/validation';

/** Options of `KubernetesScrape`. */
export interface KubernetesScrapeOptions extends ScrapeOptions, TargetEndpointOptions {
  /** The discovery role: what one target is (a pod container port, an endpoint, a node ...). */
  readonly role: DiscoveryRole;
  /**
   * Namespaces to discover in (the stack grants Roles only there; ignored by the node role).
   * @default - all namespaces (a ClusterRole)
   */
  readonly namespaces?: string[];
  /**
   * Label and field selectors, filtered by the API server; one per role, as the job's role allows.
   * @default - none: every object
   */
  readonly selectors?: KubernetesSelector[];
  /**
   * Attach the labels and annotations of the target's node (`__meta_kubernetes_node_*`): pod,
   * endpoints and endpointslice roles. Prometheus then lists and watches nodes (a ClusterRole rule).
   * @default false
   */
  readonly attachNodeMetadata?: boolean;
  /**
   * Attach the labels and annotations of the target's namespace (`__meta_kubernetes_namespace_*`):
   * every role but node. Prometheus then lists and watches namespaces (a ClusterRole rule).
   * @default false
   */
  readonly attachNamespaceMetadata?: boolean;
}

/** Props of `KubernetesScrape`. */
export interface KubernetesScrapeProps extends KubernetesScrapeOptions {
  /** The stack that scrapes the discovered targets. */
  readonly prometheus: IPrometheus;
}

/**
 * A Kubernetes discovery job of your own: a role, namespaces, selectors, attached metadata, and
 * your relabel rules, each meta label checked against what the role (and the attached metadata)
 * produces. RBAC is derived from the role, as for the other scrapes. The job name is the
 * construct id unless `jobName` says otherwise.
 */
export class KubernetesScrape extends ScrapeJob {
  public constructor(scope: Construct, id: string, props: KubernetesScrapeProps) {
    super(scope, id);
    const role = props.role;
    if (!Object.values(DiscoveryRole).includes(role)) {
      fail({ scope: this, prop: 'role' }, role, `one of ${Object.values(DiscoveryRole).map(r => `DiscoveryRole.${r}`).join(', ')}`);
    }
    const selectors = props.selectors === undefined ? undefined : checkSelectors(this, 'selectors', role, props.selectors);
    for (const prop of ['attachNodeMetadata', 'attachNamespaceMetadata'] as const) {
      if (props[prop] !== undefined && typeof props[prop] !== 'boolean') fail({ scope: this, prop }, props[prop], 'give true or false');
    }
    if (props.attachNodeMetadata && !NODE_METADATA_ROLES.includes(role)) {
      fail({ scope: this, prop: 'attachNodeMetadata' }, true, `Prometheus attaches node metadata to the ${NODE_METADATA_ROLES.join(', ')} roles only, not "${role}"`);
    }
    if (props.attachNamespaceMetadata && role === DiscoveryRole.NODE) {
      fail({ scope: this, prop: 'attachNamespaceMetadata' }, true, 'nodes belong to no namespace; the node role takes no namespace metadata');
    }
    if (props.namespaces !== undefined && role === DiscoveryRole.NODE) {
      fail({ scope: this, prop: 'namespaces' }, props.namespaces, 'nodes belong to no namespace; leave namespaces out for the node role');
    }
    this._register(props.prometheus, props, {
      defaultJobName: id,
      role,
      namespaces: props.namespaces,
      selectors,
      attachNodeMetadata: props.attachNodeMetadata || undefined,
      attachNamespaceMetadata: props.attachNamespaceMetadata || undefined,
      ...endpointOptions(props),
      relabelings: [],
    });
  }
}
