import { App, Testing } from 'cdk8s';
import { productionStack } from '../examples/production';
import { ApiServerScrape, CadvisorScrape, KubeletScrape, PodPortScrape, ServiceScrape } from '../src';
import { Manifest, objects, one, stack, synth } from './util';

function rulesOf(ms: Manifest[]) {
  return ms.filter(m => m.kind === 'ClusterRole' || m.kind === 'Role')
    .filter(m => m.metadata.labels?.['app.kubernetes.io/name'] === 'prometheus')
    .flatMap(m => m.rules);
}

describe('RBAC derived from the scrape jobs', () => {
  test('node-only: nodes and nodes/metrics in a ClusterRole, no Role', () => {
    const { chart, prometheus } = stack();
    new KubeletScrape(chart, 'kubelet', { prometheus });
    new CadvisorScrape(chart, 'cadvisor', { prometheus });
    const ms = synth(chart);
    expect(objects(ms, 'Role')).toEqual([]);
    expect(one(ms, 'ClusterRole').rules).toEqual([
      { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
    ]);
  });

  test('namespaced-only: a Role and RoleBinding per namespace, no ClusterRole', () => {
    const { chart, prometheus } = stack();
    new ServiceScrape(chart, 'services', { prometheus, namespaces: ['a', 'b'] });
    new PodPortScrape(chart, 'pods', { prometheus, namespaces: ['b', 'c'] });
    const ms = synth(chart);
    expect(objects(ms, 'ClusterRole')).toEqual([]);
    expect(objects(ms, 'ClusterRoleBinding')).toEqual([]);
    const byNs = Object.fromEntries(objects(ms, 'Role').map(r => [r.metadata.namespace, r.rules]));
    expect(byNs).toEqual({
      a: [{ apiGroups: [''], resources: ['pods', 'services'], verbs: ['list', 'watch'] }, { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] }],
      b: [{ apiGroups: [''], resources: ['pods', 'services'], verbs: ['list', 'watch'] }, { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] }],
      c: [{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] }],
    });
    for (const rb of objects(ms, 'RoleBinding')) {
      expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: rb.metadata.name });
      expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }]);
    }
  });

  test('mixed: cluster-wide pods plus namespaced services plus the API server', () => {
    const { chart, prometheus } = stack();
    new PodPortScrape(chart, 'pods', { prometheus });
    new ServiceScrape(chart, 'services', { prometheus, namespaces: ['apps'] });
    new ApiServerScrape(chart, 'apiserver', { prometheus });
    const ms = synth(chart);
    expect(one(ms, 'ClusterRole').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
      { nonResourceURLs: ['/metrics'], verbs: ['get'] },
    ]);
    expect(objects(ms, 'Role').map(r => r.metadata.namespace).sort()).toEqual(['apps', 'default']);
  });

  test('cluster-scoped objects carry no namespace, even in a namespaced chart', () => {
    const ms = Testing.synth(productionStack(Testing.app() as App)) as Manifest[];
    const clusterScoped = (m: Manifest) => m.kind.startsWith('Cluster') || m.kind === 'Namespace';
    const cluster = ms.filter(clusterScoped);
    expect(cluster.map(m => m.kind).sort()).toEqual(['ClusterRole', 'ClusterRole', 'ClusterRoleBinding', 'ClusterRoleBinding', 'Namespace', 'Namespace']);
    for (const m of cluster) expect(m.metadata.namespace).toBeUndefined();
    for (const m of ms.filter(x => !clusterScoped(x))) expect(m.metadata.namespace).toBeDefined();
  });

  test('never secrets, nodes/proxy, wildcards or write verbs', () => {
    const ms = Testing.synth(productionStack(Testing.app() as App)) as Manifest[];
    const rules = rulesOf(ms);
    expect(rules.length).toBeGreaterThan(3);
    for (const r of rules) {
      expect(r.resources ?? []).not.toContain('secrets');
      expect(r.resources ?? []).not.toContain('nodes/proxy');
      expect(JSON.stringify(r)).not.toContain('*');
      for (const v of r.verbs) expect(['get', 'list', 'watch']).toContain(v);
    }
  });
});
