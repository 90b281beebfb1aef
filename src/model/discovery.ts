/**
 * Kubernetes service discovery: the roles and the meta labels each one produces.
 */

/** Kubernetes service discovery roles. */
export enum DiscoveryRole {
  /** One target per node, at the kubelet address. */
  NODE = 'node',
  /** One target per container port of every pod. */
  POD = 'pod',
  /** One target per Service port (blackbox probing). */
  SERVICE = 'service',
  /** One target per Endpoints address and port (deprecated API since Kubernetes 1.33). */
  ENDPOINTS = 'endpoints',
  /** One target per EndpointSlice endpoint and port. */
  ENDPOINT_SLICE = 'endpointslice',
  /** One target per Ingress path (blackbox probing). */
  INGRESS = 'ingress',
}

/** How Service endpoints are discovered. */
export enum EndpointDiscovery {
  /** discovery.k8s.io/v1 EndpointSlices (recommended). */
  ENDPOINT_SLICE = 'endpointslice',
  /** core/v1 Endpoints, deprecated since Kubernetes 1.33: only for old clusters. */
  ENDPOINTS = 'endpoints',
}

/** Meta labels each discovery role produces (exact names, and prefixes ending in `_`). */
const POD_META = [
  'pod_name', 'pod_ip', 'pod_label_', 'pod_labelpresent_', 'pod_annotation_', 'pod_annotationpresent_',
  'pod_container_init', 'pod_container_name', 'pod_container_id', 'pod_container_image',
  'pod_container_port_name', 'pod_container_port_number', 'pod_container_port_protocol', 'pod_ready',
  'pod_phase', 'pod_node_name', 'pod_host_ip', 'pod_uid', 'pod_controller_kind', 'pod_controller_name',
];

const SERVICE_META = [
  'service_name', 'service_label_', 'service_labelpresent_', 'service_annotation_', 'service_annotationpresent_',
];

const NODE_META = [
  'node_name', 'node_provider_id', 'node_label_', 'node_labelpresent_', 'node_annotation_',
  'node_annotationpresent_', 'node_address_',
];

export const META_BY_ROLE: Record<DiscoveryRole, string[]> = {
  [DiscoveryRole.NODE]: NODE_META,
  [DiscoveryRole.POD]: ['namespace', ...POD_META],
  [DiscoveryRole.SERVICE]: [
    'namespace', ...SERVICE_META, 'service_cluster_ip', 'service_loadbalancer_ip', 'service_external_name',
    'service_port_name', 'service_port_number', 'service_port_protocol', 'service_type',
  ],
  [DiscoveryRole.ENDPOINTS]: [
    'namespace', 'endpoints_name', 'endpoints_label_', 'endpoints_labelpresent_', 'endpoints_annotation_',
    'endpoints_annotationpresent_', 'endpoint_hostname', 'endpoint_node_name', 'endpoint_ready',
    'endpoint_port_name', 'endpoint_port_protocol', 'endpoint_address_target_kind',
    'endpoint_address_target_name', ...SERVICE_META, ...POD_META,
  ],
  [DiscoveryRole.ENDPOINT_SLICE]: [
    'namespace', 'endpointslice_name', 'endpointslice_label_', 'endpointslice_labelpresent_',
    'endpointslice_annotation_', 'endpointslice_annotationpresent_', 'endpointslice_address_target_kind',
    'endpointslice_address_target_name', 'endpointslice_address_type', 'endpointslice_endpoint_conditions_ready',
    'endpointslice_endpoint_conditions_serving', 'endpointslice_endpoint_conditions_terminating',
    'endpointslice_endpoint_topology_kubernetes_io_hostname',
    'endpointslice_endpoint_topology_present_kubernetes_io_hostname', 'endpointslice_endpoint_hostname',
    'endpointslice_endpoint_node_name', 'endpointslice_endpoint_zone', 'endpointslice_port',
    'endpointslice_port_app_protocol', 'endpointslice_port_name', 'endpointslice_port_protocol',
    ...SERVICE_META, ...POD_META,
  ],
  [DiscoveryRole.INGRESS]: [
    'namespace', 'ingress_name', 'ingress_label_', 'ingress_labelpresent_', 'ingress_annotation_',
    'ingress_annotationpresent_', 'ingress_class_name', 'ingress_scheme', 'ingress_path', 'ingress_host',
  ],
};

export const META_PREFIX = '__meta_kubernetes_';

/** The meta label naming the port of an endpoint under the given endpoint discovery role. */
export function endpointPortNameLabel(role: EndpointDiscovery): string {
  return role === EndpointDiscovery.ENDPOINTS
    ? '__meta_kubernetes_endpoint_port_name'
    : '__meta_kubernetes_endpointslice_port_name';
}

/** What `attach_metadata: { node: true }` adds (pod, endpoints and endpointslice roles). */
export const ATTACHED_NODE_META = ['node_name', 'node_label_', 'node_labelpresent_', 'node_annotation_', 'node_annotationpresent_'];

/** What `attach_metadata: { namespace: true }` adds (every role but node). */
export const ATTACHED_NAMESPACE_META = ['namespace_label_', 'namespace_labelpresent_', 'namespace_annotation_', 'namespace_annotationpresent_'];

/** Roles that take `attach_metadata.node` (Prometheus 3.16 discovery/kubernetes). */
export const NODE_METADATA_ROLES: readonly DiscoveryRole[] = [DiscoveryRole.POD, DiscoveryRole.ENDPOINTS, DiscoveryRole.ENDPOINT_SLICE];

/** The selector roles each discovery role allows (kubernetes.go allowedSelectors). */
export const SELECTOR_ROLES: Record<DiscoveryRole, DiscoveryRole[]> = {
  [DiscoveryRole.POD]: [DiscoveryRole.POD, DiscoveryRole.NODE],
  [DiscoveryRole.SERVICE]: [DiscoveryRole.SERVICE],
  [DiscoveryRole.ENDPOINT_SLICE]: [DiscoveryRole.POD, DiscoveryRole.SERVICE, DiscoveryRole.ENDPOINT_SLICE],
  [DiscoveryRole.ENDPOINTS]: [DiscoveryRole.POD, DiscoveryRole.SERVICE, DiscoveryRole.ENDPOINTS],
  [DiscoveryRole.NODE]: [DiscoveryRole.NODE],
  [DiscoveryRole.INGRESS]: [DiscoveryRole.INGRESS],
};

/** Whether a `__meta_kubernetes_*` label exists under the role (plus attached metadata, if any). */
export function roleProducesMetaLabel(role: DiscoveryRole, label: string, extra: readonly string[] = []): boolean {
  if (!label.startsWith(META_PREFIX)) return true;
  const rest = label.slice(META_PREFIX.length);
  return [...META_BY_ROLE[role], ...extra].some(m => (m.endsWith('_') ? rest.startsWith(m) && rest.length > m.length : rest === m));
}
