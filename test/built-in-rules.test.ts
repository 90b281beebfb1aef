/**
 * The constructs' own relabel rules and PromQL are constants: synth does not re-check them every
 * time, so this file proves each of them once, with the same checks user input goes through (and
 * the e2e suite proves them again with the real promtool). It does so through the public API: each
 * construct's rendered rules are given back, as user rules, to a construct of the same discovery
 * role, and each built-in PromQL rule is given back as a user rule of a new group.
 *
 * The only internals it imports are the shipped cAdvisor preset drop table and what derives it
 * (SHIPPED_PRESET_DROPS, cadvisorRules, droppedBy): a constant that no public API exposes.
 */
import {
  ApiServerScrape, BlackboxExporter, CadvisorMetrics, CadvisorScrape, EndpointDiscovery, IngressProbe, KubeletScrape, KubeStateMetrics,
  NameValidationScheme, NodeExporter, PodPortScrape, PrometheusRule, PrometheusRuleGroup, PrometheusStack, ScrapeJob, ServiceProbe,
  ServiceScrape,
} from '../src';
import { rulesFromConfig } from './relabel-config';
import { job, stack, synth } from './util';
import { cadvisorRules, droppedBy } from '../src/rules/built-in-rules';
import { SHIPPED_PRESET_DROPS } from '../src/scrapes/cadvisor-scrape';

function allScrapes(scheme = NameValidationScheme.UTF8) {
  const { chart, prometheus } = stack({ nameValidationScheme: scheme });
  const scrapes: ScrapeJob[] = [
    new KubeletScrape(chart, 'kubelet', { prometheus }),
    ...[CadvisorMetrics.NONE, CadvisorMetrics.KUBE_PROMETHEUS, CadvisorMetrics.RECOMMENDED, CadvisorMetrics.AGGRESSIVE]
      .map(metrics => new CadvisorScrape(chart, `cadvisor-${metrics.name}`, { prometheus, jobName: `cadvisor-${metrics.name}`, metrics })),
    ...[EndpointDiscovery.ENDPOINT_SLICE, EndpointDiscovery.ENDPOINTS].flatMap(discovery => [
      new ApiServerScrape(chart, `api-${discovery}`, { prometheus, jobName: `api-${discovery}`, discovery }),
      new ServiceScrape(chart, `svc-${discovery}`, { prometheus, jobName: `svc-${discovery}`, discovery, portName: 'metrics' }),
    ]),
    new PodPortScrape(chart, 'pods', { prometheus }),
    new KubeStateMetrics(chart, 'ksm', { prometheus }),
    new NodeExporter(chart, 'node-exporter', { prometheus, namespace: 'node-exporter' }),
  ];
  const blackboxExporter = new BlackboxExporter(chart, 'blackbox', { prometheus });
  scrapes.push(
    new ServiceProbe(chart, 'service-probes', { prometheus, blackboxExporter, optInAnnotation: 'prometheus.io/probe', portName: 'http' }),
    new IngressProbe(chart, 'ingress-probes', { prometheus, blackboxExporter, optInAnnotation: 'prometheus.io/probe' }),
  );
  const ms = synth(chart);
  return { prometheus, scrapes, jobs: scrapes.map(s => job(ms, s.jobName)) };
}

/**
 * Gives a rendered job's target and metric relabel rules, as user rules, to a new construct of the
 * given discovery role in a fresh stack (whose synth-time checks they then go through), and
 * returns that construct's rendered job.
 */
function replay(j: any, role: string, scheme: NameValidationScheme): any {
  const { chart, prometheus } = stack({ nameValidationScheme: scheme });
  const rules = {
    prometheus,
    jobName: 'replay',
    relabelings: rulesFromConfig(j.relabel_configs),
    metricRelabelings: rulesFromConfig(j.metric_relabel_configs),
  };
  switch (role) {
    case 'node':
      new KubeletScrape(chart, 'replay', rules);
      break;
    case 'pod':
      new PodPortScrape(chart, 'replay', rules);
      break;
    case 'endpointslice':
      new ServiceScrape(chart, 'replay', { ...rules, discovery: EndpointDiscovery.ENDPOINT_SLICE });
      break;
    case 'endpoints':
      new ServiceScrape(chart, 'replay', { ...rules, discovery: EndpointDiscovery.ENDPOINTS });
      break;
    case 'service':
      new ServiceProbe(chart, 'replay', { ...rules, blackboxExporter: new BlackboxExporter(chart, 'blackbox', { prometheus }) });
      break;
    case 'ingress':
      new IngressProbe(chart, 'replay', { ...rules, blackboxExporter: new BlackboxExporter(chart, 'blackbox', { prometheus }) });
      break;
    default:
      throw new Error(`replay: no construct for role ${role}`);
  }
  return job(synth(chart), 'replay');
}

describe.each([NameValidationScheme.UTF8, NameValidationScheme.LEGACY])('built-in relabel rules (%s names)', scheme => {
  const { jobs } = allScrapes(scheme);

  test.each(jobs.map(j => [j.job_name, j]))('%s: every target and metric relabel rule passes the checks for its role', (_name, j) => {
    const own = { relabel: j.relabel_configs ?? [], metric: j.metric_relabel_configs ?? [] };
    expect(own.relabel.length + own.metric.length).toBeGreaterThan(0);
    const replayed = replay(j, j.kubernetes_sd_configs[0].role, scheme);
    // the user rules come last, unchanged
    const tail = (rules: any[] | undefined, n: number) => (n === 0 ? [] : (rules ?? []).slice(-n));
    expect(tail(replayed.relabel_configs, own.relabel.length)).toEqual(own.relabel);
    expect(tail(replayed.metric_relabel_configs, own.metric.length)).toEqual(own.metric);
  });
});

test('the checks are not vacuous: an endpoints label under the endpointslice role fails', () => {
  const { jobs } = allScrapes();
  const apiOnEndpoints = jobs.find(j => j.job_name === 'api-endpoints')!;
  expect(apiOnEndpoints.kubernetes_sd_configs[0].role).toBe('endpoints');
  expect(() => replay(apiOnEndpoints, 'endpoints', NameValidationScheme.UTF8)).not.toThrow();
  expect(() => replay(apiOnEndpoints, 'endpointslice', NameValidationScheme.UTF8))
    .toThrow(/test\/replay: invalid relabelings\[0\]\.sourceLabels\[2\] "__meta_kubernetes_endpoint_port_name": discovery role "endpointslice" never produces this meta label/);
});

test('every built-in rule parses as PromQL', () => {
  const { chart, prometheus } = stack();
  new KubeletScrape(chart, 'kubelet', { prometheus }).addRules();
  new CadvisorScrape(chart, 'cadvisor', { prometheus }).addRules();
  new ApiServerScrape(chart, 'apiserver', { prometheus }).addRules();
  new KubeStateMetrics(chart, 'ksm', { prometheus }).addRules();
  (prometheus as PrometheusStack).addSelfMonitoringRules();
  const rules = prometheus.ruleGroups.flatMap(g => g.rules);
  expect(rules.length).toBe(23);
  // Given back as a user rule, each expression is parsed at synth time, like any user rule.
  const asUserRule = (rule: PrometheusRule) => (rule.record !== undefined
    ? PrometheusRule.recording({ record: rule.record, expr: rule.expr, labels: rule.labels })
    : PrometheusRule.alerting({
      alert: rule.alert!,
      expr: rule.expr,
      for: rule.forDuration,
      keepFiringFor: rule.keepFiringFor,
      labels: rule.labels,
      annotations: rule.annotations,
    }));
  const errorOf = (f: () => unknown) => {
    try {
      f();
      return undefined;
    } catch (e: any) {
      return e.message;
    }
  };
  rules.forEach((rule, i) => {
    const error = errorOf(() => new PrometheusRuleGroup(chart, `replay-${i}`, { prometheus, rules: [asUserRule(rule)] }));
    expect([rule.name, error]).toEqual([rule.name, undefined]);
  });
  expect(errorOf(() => new PrometheusRuleGroup(chart, 'bad', {
    prometheus, rules: [PrometheusRule.recording({ record: 'x', expr: 'sum(rate(x[5m])' })],
  }))).toMatch(/^test\/bad: invalid rules\[0\]\.expr "sum\(rate\(x\[5m\]\)": PromQL syntax error at position/);
});

test('the table of what each shipped cAdvisor preset drops matches the presets', () => {
  const needed = [...new Set(cadvisorRules('kubelet').flatMap(r => r.metrics))];
  const presets = [CadvisorMetrics.NONE, CadvisorMetrics.KUBE_PROMETHEUS, CadvisorMetrics.RECOMMENDED, CadvisorMetrics.AGGRESSIVE];
  expect(Object.keys(SHIPPED_PRESET_DROPS).sort()).toEqual(presets.map(p => p.name).sort());
  for (const preset of presets) {
    const derived: Record<string, string> = {};
    for (const metric of needed) {
      const rule = droppedBy(metric, preset.metricRelabelings);
      if (rule) derived[metric] = rule.regex!;
    }
    expect([preset.name, derived]).toEqual([preset.name, SHIPPED_PRESET_DROPS[preset.name]]);
  }
});
