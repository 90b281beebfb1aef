/**
 * Kubernetes discovery: which meta labels each role produces (tables written out by hand from
 * Prometheus's kubernetes_sd_config documentation and discovery/kubernetes), and the RBAC the
 * stack derives for a scrape of each role: exactly what Prometheus lists and watches for it.
 */
import { Construct } from 'constructs';
import {
  BlackboxExporter, DiscoveryRole, EndpointDiscovery, IngressProbe, KubeletScrape, PodPortScrape, ServiceProbe, ServiceScrape,
} from '../src';
import { Manifest, objects, one, stack, synth } from './util';
import { endpointPortNameLabel, roleProducesMetaLabel } from '../src/model/discovery';

const M = '__meta_kubernetes_';

/** Exact names, per role. */
const POD_EXACT = [
  'pod_name', 'pod_ip', 'pod_container_init', 'pod_container_name', 'pod_container_id', 'pod_container_image',
  'pod_container_port_name', 'pod_container_port_number', 'pod_container_port_protocol', 'pod_ready', 'pod_phase',
  'pod_node_name', 'pod_host_ip', 'pod_uid', 'pod_controller_kind', 'pod_controller_name',
];
const POD_PREFIXES = ['pod_label_', 'pod_labelpresent_', 'pod_annotation_', 'pod_annotationpresent_'];
/** What the endpoints and endpointslice roles attach from the Service. */
const SERVICE_OBJECT_EXACT = ['service_name'];
const SERVICE_PREFIXES = ['service_label_', 'service_labelpresent_', 'service_annotation_', 'service_annotationpresent_'];

const EXACT: Record<DiscoveryRole, string[]> = {
  [DiscoveryRole.NODE]: ['node_name', 'node_provider_id'],
  [DiscoveryRole.POD]: ['namespace', ...POD_EXACT],
  [DiscoveryRole.SERVICE]: [
    'namespace', 'service_name', 'service_cluster_ip', 'service_loadbalancer_ip', 'service_external_name',
    'service_port_name', 'service_port_number', 'service_port_protocol', 'service_type',
  ],
  [DiscoveryRole.ENDPOINTS]: [
    'namespace', 'endpoints_name', 'endpoint_hostname', 'endpoint_node_name', 'endpoint_ready', 'endpoint_port_name',
    'endpoint_port_protocol', 'endpoint_address_target_kind', 'endpoint_address_target_name',
    ...SERVICE_OBJECT_EXACT, ...POD_EXACT,
  ],
  [DiscoveryRole.ENDPOINT_SLICE]: [
    'namespace', 'endpointslice_name', 'endpointslice_address_target_kind', 'endpointslice_address_target_name',
    'endpointslice_address_type', 'endpointslice_endpoint_conditions_ready', 'endpointslice_endpoint_conditions_serving',
    'endpointslice_endpoint_conditions_terminating', 'endpointslice_endpoint_topology_kubernetes_io_hostname',
    'endpointslice_endpoint_topology_present_kubernetes_io_hostname', 'endpointslice_endpoint_hostname',
    'endpointslice_endpoint_node_name', 'endpointslice_endpoint_zone', 'endpointslice_port', 'endpointslice_port_app_protocol',
    'endpointslice_port_name', 'endpointslice_port_protocol',
    ...SERVICE_OBJECT_EXACT, ...POD_EXACT,
  ],
  [DiscoveryRole.INGRESS]: [
    'namespace', 'ingress_name', 'ingress_class_name', 'ingress_scheme', 'ingress_path', 'ingress_host',
  ],
};

/** Prefixes (`<prefix><name>`), per role. */
const PREFIXES: Record<DiscoveryRole, string[]> = {
  [DiscoveryRole.NODE]: ['node_label_', 'node_labelpresent_', 'node_annotation_', 'node_annotationpresent_', 'node_address_'],
  [DiscoveryRole.POD]: POD_PREFIXES,
  [DiscoveryRole.SERVICE]: SERVICE_PREFIXES,
  [DiscoveryRole.ENDPOINTS]: [
    'endpoints_label_', 'endpoints_labelpresent_', 'endpoints_annotation_', 'endpoints_annotationpresent_',
    ...SERVICE_PREFIXES, ...POD_PREFIXES,
  ],
  [DiscoveryRole.ENDPOINT_SLICE]: [
    'endpointslice_label_', 'endpointslice_labelpresent_', 'endpointslice_annotation_', 'endpointslice_annotationpresent_',
    ...SERVICE_PREFIXES, ...POD_PREFIXES,
  ],
  [DiscoveryRole.INGRESS]: ['ingress_label_', 'ingress_labelpresent_', 'ingress_annotation_', 'ingress_annotationpresent_'],
};

const ROLES = [
  DiscoveryRole.NODE, DiscoveryRole.POD, DiscoveryRole.SERVICE, DiscoveryRole.ENDPOINTS, DiscoveryRole.ENDPOINT_SLICE, DiscoveryRole.INGRESS,
];

describe('roleProducesMetaLabel', () => {
  test('the role list is complete', () => {
    expect([...Object.values(DiscoveryRole)].sort()).toEqual([...ROLES].sort());
  });

  describe.each(ROLES)('role %s', role => {
    test.each(EXACT[role])('produces %s', name => {
      expect(roleProducesMetaLabel(role, M + name)).toBe(true);
    });

    test.each(PREFIXES[role])('produces %s<name>, not the bare prefix', p => {
      expect(roleProducesMetaLabel(role, `${M}${p}app_kubernetes_io_name`)).toBe(true);
      expect(roleProducesMetaLabel(role, `${M}${p}x`)).toBe(true);
      expect(roleProducesMetaLabel(role, M + p)).toBe(false);
    });

    test('does not produce the names of the other roles', () => {
      const mine = new Set(EXACT[role]);
      const others = ROLES.filter(r => r !== role).flatMap(r => EXACT[r]).filter(n => !mine.has(n));
      expect(others.length).toBeGreaterThan(0);
      for (const name of others) expect([name, roleProducesMetaLabel(role, M + name)]).toEqual([name, false]);
    });

    test('does not produce a misspelt or truncated name', () => {
      for (const name of EXACT[role]) {
        expect(roleProducesMetaLabel(role, `${M}${name}x`)).toBe(false);
        expect(roleProducesMetaLabel(role, M + name.slice(0, -1))).toBe(false);
      }
      expect(roleProducesMetaLabel(role, M)).toBe(false);
      expect(roleProducesMetaLabel(role, `${M}nonexistent`)).toBe(false);
    });

    test('labels outside __meta_kubernetes_ are not its business', () => {
      for (const name of ['__address__', 'job', '__meta_consul_service', '__meta_kubernetesx']) {
        expect(roleProducesMetaLabel(role, name)).toBe(true);
      }
    });
  });

  test.each([
    [DiscoveryRole.POD, `${M}endpointslice_port_name`],
    [DiscoveryRole.POD, `${M}service_name`],
    [DiscoveryRole.NODE, `${M}namespace`],
    [DiscoveryRole.NODE, `${M}pod_label_app`],
    [DiscoveryRole.SERVICE, `${M}pod_name`],
    [DiscoveryRole.SERVICE, `${M}endpointslice_port_name`],
    [DiscoveryRole.ENDPOINTS, `${M}endpointslice_port_name`],
    [DiscoveryRole.ENDPOINT_SLICE, `${M}endpoint_port_name`],
    [DiscoveryRole.ENDPOINT_SLICE, `${M}endpoints_label_app`],
    // the endpoint roles attach the Service object's labels, not the service role's port labels
    [DiscoveryRole.ENDPOINT_SLICE, `${M}service_port_name`],
    [DiscoveryRole.ENDPOINTS, `${M}service_cluster_ip`],
    [DiscoveryRole.INGRESS, `${M}service_name`],
    [DiscoveryRole.INGRESS, `${M}pod_name`],
  ])('role %s does not produce %s', (role, label) => {
    expect(roleProducesMetaLabel(role, label)).toBe(false);
  });
});

test('endpointPortNameLabel', () => {
  expect(endpointPortNameLabel(EndpointDiscovery.ENDPOINT_SLICE)).toBe('__meta_kubernetes_endpointslice_port_name');
  expect(endpointPortNameLabel(EndpointDiscovery.ENDPOINTS)).toBe('__meta_kubernetes_endpoint_port_name');
  // and each is produced by its own role only
  expect(roleProducesMetaLabel(DiscoveryRole.ENDPOINT_SLICE, endpointPortNameLabel(EndpointDiscovery.ENDPOINT_SLICE))).toBe(true);
  expect(roleProducesMetaLabel(DiscoveryRole.ENDPOINTS, endpointPortNameLabel(EndpointDiscovery.ENDPOINTS))).toBe(true);
  expect(roleProducesMetaLabel(DiscoveryRole.ENDPOINTS, endpointPortNameLabel(EndpointDiscovery.ENDPOINT_SLICE))).toBe(false);
  expect(roleProducesMetaLabel(DiscoveryRole.ENDPOINT_SLICE, endpointPortNameLabel(EndpointDiscovery.ENDPOINTS))).toBe(false);
});

describe('RBAC per discovery role', () => {
  /** What Prometheus's kubernetes discovery lists and watches per role ([apiGroup, resource]). */
  const WATCHED: Record<DiscoveryRole, string[][]> = {
    [DiscoveryRole.NODE]: [['', 'nodes']],
    [DiscoveryRole.POD]: [['', 'pods']],
    [DiscoveryRole.SERVICE]: [['', 'services']],
    [DiscoveryRole.ENDPOINTS]: [['', 'endpoints'], ['', 'pods'], ['', 'services']],
    [DiscoveryRole.ENDPOINT_SLICE]: [['', 'pods'], ['', 'services'], ['discovery.k8s.io', 'endpointslices']],
    [DiscoveryRole.INGRESS]: [['networking.k8s.io', 'ingresses']],
  };

  /**
   * A scrape of the role, cluster-wide or in the given namespaces (where the construct takes
   * them), with its own job name so that several can share a stack.
   */
  function scrape(role: DiscoveryRole, scope: Construct, prometheus: any, namespaces?: string[]): void {
    const jobName = `scrape-${role}`;
    const blackboxExporter = () => new BlackboxExporter(scope, 'blackbox', { prometheus, name: `blackbox-${role}` });
    switch (role) {
      case DiscoveryRole.NODE:
        new KubeletScrape(scope, 'scrape', { prometheus, jobName });
        break;
      case DiscoveryRole.POD:
        new PodPortScrape(scope, 'scrape', { prometheus, jobName, namespaces });
        break;
      case DiscoveryRole.SERVICE:
        new ServiceProbe(scope, 'scrape', { prometheus, jobName, namespaces, blackboxExporter: blackboxExporter() });
        break;
      case DiscoveryRole.ENDPOINTS:
        new ServiceScrape(scope, 'scrape', { prometheus, jobName, namespaces, discovery: EndpointDiscovery.ENDPOINTS });
        break;
      case DiscoveryRole.ENDPOINT_SLICE:
        new ServiceScrape(scope, 'scrape', { prometheus, jobName, namespaces, discovery: EndpointDiscovery.ENDPOINT_SLICE });
        break;
      case DiscoveryRole.INGRESS:
        new IngressProbe(scope, 'scrape', { prometheus, jobName, namespaces, blackboxExporter: blackboxExporter() });
        break;
    }
  }

  /** The list/watch rules of a Role or ClusterRole as sorted [apiGroup, resource] pairs; every other rule apart. */
  function split(role: Manifest) {
    const watched: string[][] = [];
    const other: any[] = [];
    for (const rule of role.rules) {
      if (rule.resources && JSON.stringify(rule.verbs) === JSON.stringify(['list', 'watch'])) {
        for (const g of rule.apiGroups) for (const r of rule.resources) watched.push([g, r]);
      } else {
        other.push(rule);
      }
    }
    return { watched: watched.sort((a, b) => a.join('/').localeCompare(b.join('/'))), other };
  }

  test.each(ROLES)('cluster-wide %s: a ClusterRole listing and watching exactly what discovery watches', role => {
    const { chart, prometheus } = stack();
    scrape(role, chart, prometheus);
    const ms = synth(chart);
    expect(objects(ms, 'Role')).toEqual([]);
    const { watched, other } = split(one(ms, 'ClusterRole'));
    expect(watched).toEqual(WATCHED[role]);
    // the kubelet target itself (not discovery) needs nodes/metrics; nothing else has extra rules
    expect(other).toEqual(role === DiscoveryRole.NODE ? [{ apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] }] : []);
  });

  test.each(ROLES.filter(r => r !== DiscoveryRole.NODE))('namespaced %s: a Role per namespace with exactly the same', role => {
    const { chart, prometheus } = stack();
    scrape(role, chart, prometheus, ['apps', 'shop']);
    const ms = synth(chart);
    expect(objects(ms, 'ClusterRole')).toEqual([]);
    const roles = objects(ms, 'Role');
    expect(roles.map(r => r.metadata.namespace).sort()).toEqual(['apps', 'shop']);
    for (const r of roles) expect(split(r)).toEqual({ watched: WATCHED[role], other: [] });
  });

  test('every list/watch rule has exactly the verbs list and watch', () => {
    const { chart, prometheus } = stack();
    for (const role of ROLES) {
      scrape(role, new Construct(chart, role), prometheus);
    }
    const ms = synth(chart);
    const rules = one(ms, 'ClusterRole').rules;
    const discoveryRules = rules.filter((r: any) => !(r.resources ?? []).includes('nodes/metrics') && r.resources);
    expect(discoveryRules.length).toBeGreaterThan(0);
    for (const r of discoveryRules) expect(r.verbs).toEqual(['list', 'watch']);
    const all = split(one(ms, 'ClusterRole')).watched;
    expect(all).toEqual([
      ['', 'endpoints'], ['', 'nodes'], ['', 'pods'], ['', 'services'],
      ['discovery.k8s.io', 'endpointslices'], ['networking.k8s.io', 'ingresses'],
    ]);
  });
});
