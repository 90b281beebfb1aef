/**
 * The renderer (src/render/prometheus-config.ts): the prometheus.yml a stack writes, read back from
 * its ConfigMap. promSize and renderRelabelRule are internal and tested directly; everything else
 * through real stacks.
 */
import { Duration, Size } from 'cdk8s';
import { parse } from 'yaml';
import {
  AlertmanagerEndpoint, ApiServerScrape, BlackboxExporter, CadvisorScrape, IngressProbe, KubeletScrape, KubeStateMetrics,
  NameValidationScheme, NodeExporter, PodPortScrape, PrometheusRule, PrometheusRuleGroup, PrometheusStorage, RelabelRule,
  Scheme, ScrapeAuthorization, ServiceProbe, ServiceScrape, TlsVersion,
} from '../src';
import { job, Manifest, promConfig, stack, synth } from './util';
import { promSize, renderRelabelRule } from '../src/render/prometheus-config';

/** The raw prometheus.yml text. */
const configText = (ms: Manifest[]): string => ms.find(m => m.kind === 'ConfigMap' && m.data?.['prometheus.yml'] !== undefined)!.data['prometheus.yml'];

/** Keys whose values are user data (label names, URL parameters, header names), not config keys. */
const DATA_KEYS = new Set(['external_labels', 'params', 'http_headers']);

/** Every problem of a parsed config: a non-snake_case key, a null, an empty array or object. */
function shapeProblems(node: unknown, path = ''): string[] {
  if (node === null || node === undefined) return [`${path}: ${node}`];
  if (Array.isArray(node)) {
    if (node.length === 0) return [`${path}: empty array`];
    return node.flatMap((v, i) => shapeProblems(v, `${path}[${i}]`));
  }
  if (typeof node === 'object') {
    const entries = Object.entries(node as object);
    if (entries.length === 0) return [`${path}: empty object`];
    return entries.flatMap(([k, v]) => [
      ...(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(k) ? [] : [`${path}.${k}: not snake_case`]),
      ...(DATA_KEYS.has(k) ? dataProblems(v, `${path}.${k}`) : shapeProblems(v, `${path}.${k}`)),
    ]);
  }
  return [];
}

/** Under a data key: no nulls or empty containers, keys are free. */
function dataProblems(node: unknown, path: string): string[] {
  if (node === null || node === undefined) return [`${path}: ${node}`];
  if (typeof node !== 'object') return [];
  const values = Object.values(node as object);
  if (values.length === 0) return [`${path}: empty`];
  return values.flatMap((v, i) => dataProblems(v, `${path}[${i}]`));
}

describe('promSize', () => {
  test.each([
    [1, '1B'],
    [1023, '1023B'],
    [1024, '1KB'],
    [1536, '1536B'],
    [2 ** 20, '1MB'],
    [2 ** 20 + 1024, '1025KB'],
    [1.5 * 2 ** 30, '1536MB'],
    [2 ** 30 * 3, '3GB'],
    [17 * 2 ** 30, '17GB'],
    [2 ** 40, '1TB'],
    [2 ** 40 * 2 + 2 ** 30, '2049GB'],
  ])('%d bytes is %s', (bytes, expected) => {
    expect(promSize(bytes)).toBe(expected);
  });
});

describe('renderRelabelRule', () => {
  test('Prometheus key order, only the fields set', () => {
    const all = renderRelabelRule(RelabelRule.replace({
      sourceLabels: ['a', 'b'], separator: '/', regex: '(.*)', targetLabel: 't', replacement: '${1}',
    }));
    expect(Object.keys(all)).toEqual(['source_labels', 'separator', 'regex', 'target_label', 'replacement', 'action']);
    const hash = renderRelabelRule(RelabelRule.hashMod({ sourceLabels: ['__address__'], modulus: 8, targetLabel: '__tmp_h' }));
    expect(Object.keys(hash)).toEqual(['source_labels', 'modulus', 'target_label', 'action']);
    expect(hash).toEqual({ source_labels: ['__address__'], modulus: 8, target_label: '__tmp_h', action: 'hashmod' });
    expect(renderRelabelRule(RelabelRule.labelDrop('id'))).toEqual({ regex: 'id', action: 'labeldrop' });
    expect(renderRelabelRule(RelabelRule.setLabel('team', 'a'))).toEqual({ target_label: 'team', replacement: 'a', action: 'replace' });
  });

  test('the action is always written, even the default replace', () => {
    expect(renderRelabelRule(RelabelRule.copy('a', 'b'))).toEqual({ source_labels: ['a'], target_label: 'b', action: 'replace' });
  });

  test('empty source labels are left out, not written as []', () => {
    expect(renderRelabelRule(RelabelRule.replace({ sourceLabels: [], targetLabel: 't', replacement: 'v' })))
      .toEqual({ target_label: 't', replacement: 'v', action: 'replace' });
  });

  test('an empty separator or replacement is kept: it means something', () => {
    expect(renderRelabelRule(RelabelRule.keep({ sourceLabels: ['a', 'b'], regex: 'xy', separator: '' })))
      .toEqual({ source_labels: ['a', 'b'], separator: '', regex: 'xy', action: 'keep' });
    expect(renderRelabelRule(RelabelRule.replace({ sourceLabels: ['a'], targetLabel: 't', replacement: '' })))
      .toEqual({ source_labels: ['a'], target_label: 't', replacement: '', action: 'replace' });
  });
});

describe('a stack with every kind of job', () => {
  const { chart, prometheus } = stack({
    externalLabels: { 'cluster': 'prod', 'k8s.region': 'eu' },
    alertmanagers: [AlertmanagerEndpoint.service({ name: 'alertmanager', namespace: 'ops' })],
  });
  new KubeletScrape(chart, 'kubelet', { prometheus, sampleLimit: 0, labelLimit: 30 }).addRules();
  new CadvisorScrape(chart, 'cadvisor', { prometheus });
  new ApiServerScrape(chart, 'apiserver', { prometheus });
  new ServiceScrape(chart, 'services', {
    prometheus,
    namespaces: ['apps'],
    portName: 'metrics',
    scheme: Scheme.HTTPS,
    metricsPath: '/internal/metrics',
    params: { format: ['prometheus'] },
    httpHeaders: { 'X-Scope-OrgID': 'team-a' },
    tls: { caFile: '/etc/ca/ca.crt', serverName: 'svc.apps', minVersion: TlsVersion.TLS12 },
    authorization: ScrapeAuthorization.bearerTokenFile('/etc/token/token'),
    interval: Duration.seconds(15),
    timeout: Duration.seconds(5),
    metricRelabelings: [RelabelRule.labelDrop('pod_template_hash')],
  });
  new PodPortScrape(chart, 'pods', {
    prometheus,
    authorization: ScrapeAuthorization.basicAuth('scraper', '/etc/basic/password'),
    params: {},
    httpHeaders: {},
    tls: {},
  });
  new KubeStateMetrics(chart, 'ksm', { prometheus });
  new NodeExporter(chart, 'node-exporter', { prometheus, namespace: 'node-exporter' });
  const blackboxExporter = new BlackboxExporter(chart, 'blackbox', { prometheus });
  new ServiceProbe(chart, 'service-probes', { prometheus, blackboxExporter });
  new IngressProbe(chart, 'ingress-probes', { prometheus, blackboxExporter });
  const ms = synth(chart);
  const cfg = promConfig(ms);

  test('snake_case keys only; no null, no empty array or object anywhere', () => {
    expect(cfg.scrape_configs.length).toBe(10);
    expect(shapeProblems(cfg)).toEqual([]);
    expect(configText(ms)).not.toMatch(/\bnull\b|\[\]|\{\}|undefined/);
  });

  test('empty params, headers and TLS options, and a zero sample limit, are left out', () => {
    const pods = job(ms, 'pods');
    expect(pods.params).toBeUndefined();
    expect(pods.http_headers).toBeUndefined();
    expect(pods.tls_config).toBeUndefined();
    expect(pods.basic_auth).toEqual({ username: 'scraper', password_file: '/etc/basic/password' });
    expect(pods.authorization).toBeUndefined();
    const kubelet = job(ms, 'kubelet');
    expect(kubelet.sample_limit).toBeUndefined();
    expect(kubelet.label_limit).toBe(30);
  });

  test('every job option in its Prometheus key', () => {
    expect(job(ms, 'kubernetes-services')).toMatchObject({
      job_name: 'kubernetes-services',
      scrape_interval: '15s',
      scrape_timeout: '5s',
      scheme: 'https',
      metrics_path: '/internal/metrics',
      params: { format: ['prometheus'] },
      http_headers: { 'X-Scope-OrgID': { values: ['team-a'] } },
      authorization: { type: 'Bearer', credentials_file: '/etc/token/token' },
      tls_config: { ca_file: '/etc/ca/ca.crt', server_name: 'svc.apps', min_version: 'TLS12' },
      kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: ['apps'] } }],
      metric_relabel_configs: [{ regex: 'pod_template_hash', action: 'labeldrop' }],
    });
  });

  test('global block, with external labels', () => {
    expect(cfg.global).toEqual({
      scrape_interval: '30s',
      scrape_timeout: '10s',
      evaluation_interval: '30s',
      external_labels: { 'cluster': 'prod', 'k8s.region': 'eu' },
    });
    expect(Object.keys(cfg)).toEqual(['global', 'storage', 'rule_files', 'alerting', 'scrape_configs']);
  });

  test('rule_files lists the rules file once a group exists', () => {
    expect(cfg.rule_files).toEqual(['/etc/prometheus/rules.yml']);
  });

  test('alerting.alertmanagers: a scheme and one static config per endpoint', () => {
    expect(cfg.alerting).toEqual({
      alertmanagers: [{ scheme: 'http', static_configs: [{ targets: ['alertmanager.ops.svc:9093'] }] }],
    });
  });

  test('a static-target job and a discovery job', () => {
    expect(job(ms, 'prometheus')).toEqual({
      job_name: 'prometheus', scheme: 'http', metrics_path: '/metrics', static_configs: [{ targets: ['localhost:9090'] }],
    });
    expect(job(ms, 'kubelet').static_configs).toBeUndefined();
    expect(job(ms, 'kubelet').kubernetes_sd_configs).toEqual([{ role: 'node' }]);
  });
});

describe('global block and storage', () => {
  test('the defaults, and nothing else', () => {
    const { chart, prometheus } = stack({ selfMonitoring: false });
    new KubeletScrape(chart, 'kubelet', { prometheus });
    const cfg = promConfig(synth(chart));
    expect(cfg.global).toEqual({ scrape_interval: '30s', scrape_timeout: '10s', evaluation_interval: '30s' });
    // 15 days; 85% of the default 20Gi volume is 17Gi
    expect(cfg.storage).toEqual({ tsdb: { retention: { time: '15d', size: '17GB' } } });
    expect(Object.keys(cfg)).toEqual(['global', 'storage', 'scrape_configs']);
  });

  test('intervals, retention and legacy names as Prometheus writes them', () => {
    const { chart, prometheus } = stack({
      scrapeInterval: Duration.seconds(90),
      scrapeTimeout: Duration.millis(1500),
      evaluationInterval: Duration.minutes(2),
      nameValidationScheme: NameValidationScheme.LEGACY,
      retention: Duration.hours(36),
      storage: PrometheusStorage.persistent({ size: Size.gibibytes(10) }),
      retentionSize: Size.mebibytes(1536),
    });
    new KubeletScrape(chart, 'kubelet', { prometheus });
    const cfg = promConfig(synth(chart));
    expect(cfg.global).toEqual({
      scrape_interval: '1m30s',
      scrape_timeout: '1s500ms',
      evaluation_interval: '2m',
      metric_name_validation_scheme: 'legacy',
    });
    expect(cfg.storage).toEqual({ tsdb: { retention: { time: '1d12h', size: '1536MB' } } });
  });

  test('the UTF-8 scheme is the default and is not written', () => {
    const { chart, prometheus } = stack({ nameValidationScheme: NameValidationScheme.UTF8 });
    new KubeletScrape(chart, 'kubelet', { prometheus });
    expect(promConfig(synth(chart)).global.metric_name_validation_scheme).toBeUndefined();
  });

  test('a retention size in whole gibibytes is written in GB', () => {
    const { chart, prometheus } = stack({ retentionSize: Size.gibibytes(3) });
    new KubeletScrape(chart, 'kubelet', { prometheus });
    expect(promConfig(synth(chart)).storage.tsdb.retention.size).toBe('3GB');
  });
});

describe('rule_files', () => {
  test('absent without a group, present with one', () => {
    const { chart, prometheus } = stack();
    new KubeletScrape(chart, 'kubelet', { prometheus });
    expect(promConfig(synth(chart)).rule_files).toBeUndefined();
    new PrometheusRuleGroup(chart, 'rules', {
      prometheus, rules: [PrometheusRule.recording({ record: 'job:up:sum', expr: 'sum by (job) (up)' })],
    });
    const ms = synth(chart);
    expect(promConfig(ms).rule_files).toEqual(['/etc/prometheus/rules.yml']);
    const cm = ms.find(m => m.kind === 'ConfigMap' && m.data?.['rules.yml'] !== undefined)!;
    expect(parse(cm.data['rules.yml'])).toEqual({ groups: [{ name: 'rules', rules: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }] }] });
  });
});

describe('job order', () => {
  test('jobs are sorted by job_name whatever the construction order', () => {
    const build = (reverse: boolean) => {
      const { chart, prometheus } = stack();
      const makers = [
        () => new ServiceScrape(chart, 'services', { prometheus }),
        () => new PodPortScrape(chart, 'pods', { prometheus }),
        () => new KubeletScrape(chart, 'kubelet', { prometheus }),
        () => new ApiServerScrape(chart, 'apiserver', { prometheus }),
        () => new CadvisorScrape(chart, 'cadvisor', { prometheus }),
        () => new KubeletScrape(chart, 'kubelet-b', { prometheus, jobName: 'a-kubelet' }),
      ];
      (reverse ? makers.reverse() : makers).forEach(make => make());
      return synth(chart);
    };
    const forward = build(false);
    const backward = build(true);
    expect(configText(forward)).toEqual(configText(backward));
    expect(promConfig(forward).scrape_configs.map((j: any) => j.job_name)).toEqual([
      'a-kubelet', 'apiserver', 'cadvisor', 'kubelet', 'kubernetes-services', 'pods', 'prometheus',
    ]);
  });
});
