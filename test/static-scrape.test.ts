import { RelabelRule, Scheme, ScrapeAuthorization, SecretKey, StaticScrape } from '../src';
import { simulateTarget } from './relabel-sim';
import { job, objects, one, schemaProblems, stack, synth } from './util';

describe('StaticScrape', () => {
  test('hosts outside the cluster, each with labels of its own; no discovery, no RBAC', () => {
    const { chart, prometheus } = stack();
    new StaticScrape(chart, 'databases', {
      prometheus,
      targets: [
        { address: 'db-1.example.com:9187', labels: { role: 'primary' } },
        { address: '192.0.2.10:9187' },
        { address: '[2001:db8::10]:9187', labels: { role: 'replica', zone: 'b' } },
      ],
    });
    const ms = synth(chart);
    expect(schemaProblems(ms)).toEqual([]);
    const j = job(ms, 'databases');
    expect(j).toMatchSnapshot();
    expect(j.static_configs).toEqual([
      { targets: ['db-1.example.com:9187'], labels: { role: 'primary' } },
      { targets: ['192.0.2.10:9187'] },
      { targets: ['[2001:db8::10]:9187'], labels: { role: 'replica', zone: 'b' } },
    ]);
    expect(j.kubernetes_sd_configs).toBeUndefined();
    expect(j.relabel_configs).toBeUndefined();
    // only the self-scrape's and nothing for this job: no ClusterRole rules, no Roles
    expect(objects(ms, 'Role')).toEqual([]);
    expect(objects(ms, 'ClusterRole')).toEqual([]);
    // what Prometheus keeps: the static labels, job = job name, instance = address
    const sim = (c: any) => simulateTarget(j, { __address__: c.targets[0], ...c.labels });
    expect(j.static_configs.map(sim)).toEqual([
      { url: 'http://db-1.example.com:9187/metrics', labels: { job: 'databases', instance: 'db-1.example.com:9187', role: 'primary' } },
      { url: 'http://192.0.2.10:9187/metrics', labels: { job: 'databases', instance: '192.0.2.10:9187' } },
      { url: 'http://[2001:db8::10]:9187/metrics', labels: { job: 'databases', instance: '[2001:db8::10]:9187', role: 'replica', zone: 'b' } },
    ]);
  });

  test('scheme, path, params, TLS and a bearer token from Secrets (the stack mounts them)', () => {
    const { chart, prometheus } = stack();
    prometheus.addStaticScrape('edge', {
      jobName: 'edge-routers',
      jobLabel: 'edge',
      targets: [{ address: 'router-1.example.net:443' }],
      scheme: Scheme.HTTPS,
      metricsPath: '/prometheus',
      params: { module: ['if_mib'] },
      tls: { ca: SecretKey.of('edge-tls', 'ca.crt'), serverName: 'routers.example.net' },
      authorization: ScrapeAuthorization.bearerToken(SecretKey.of('edge-token', 'token')),
      relabelings: [RelabelRule.setLabel('site', 'fra')],
    });
    const ms = synth(chart);
    const j = job(ms, 'edge-routers');
    expect(j).toMatchObject({
      scheme: 'https',
      metrics_path: '/prometheus',
      params: { module: ['if_mib'] },
      tls_config: { ca_file: '/etc/prometheus/secrets/edge-tls/ca.crt', server_name: 'routers.example.net' },
      authorization: { type: 'Bearer', credentials_file: '/etc/prometheus/secrets/edge-token/token' },
    });
    const volumes = one(ms, 'StatefulSet').spec.template.spec.volumes.filter((v: any) => v.secret).map((v: any) => v.secret.secretName);
    expect(volumes).toEqual(['edge-tls', 'edge-token']);
    expect(simulateTarget(j, { __address__: 'router-1.example.net:443' })).toEqual({
      url: 'https://router-1.example.net:443/prometheus?module=if_mib',
      labels: { job: 'edge', instance: 'router-1.example.net:443', site: 'fra' },
    });
  });

  test('fails on a Kubernetes meta label: static targets have none', () => {
    const { chart, prometheus } = stack();
    expect(() => new StaticScrape(chart, 'static', {
      prometheus, targets: [{ address: 'a.example.com:80' }], relabelings: [RelabelRule.copy('__meta_kubernetes_namespace', 'namespace')],
    })).toThrow(/test\/static: invalid relabelings\[0\].sourceLabels\[0\] "__meta_kubernetes_namespace": this job has static targets/);
  });
});
