/**
 * The constructs' own relabel rules and PromQL are constants: synth does not re-check them every
 * time, so this file proves each of them once, with the same checks user input goes through (and
 * the e2e suite proves them again with the real promtool). It reaches into the library's internals
 * on purpose: those checks are not public API.
 */
import {
  ApiServerScrape, BlackboxExporter, CadvisorMetrics, CadvisorScrape, EndpointDiscovery, KubeletScrape, KubeStateMetrics, PodPortScrape,
  IngressProbe, NodeExporter, PrometheusStack, ScrapeJob, ServiceProbe, ServiceScrape,
} from '../src';
import { stack } from './util';
import { DiscoveryRole } from '../src/model/discovery';
import { promqlSyntaxError } from '../src/model/promql';
import { checkRelabelRule } from '../src/model/relabel-check';
import { NameValidationScheme } from '../src/model/validation';
import { cadvisorRules, droppedBy } from '../src/rules/built-in-rules';
import { SHIPPED_PRESET_DROPS } from '../src/scrapes/cadvisor-scrape';

function allScrapes() {
  const { chart, prometheus } = stack();
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
  return { prometheus, scrapes };
}

describe.each([NameValidationScheme.UTF8, NameValidationScheme.LEGACY])('built-in relabel rules (%s names)', scheme => {
  const { scrapes } = allScrapes();

  test.each(scrapes.map(s => [s.jobName, s]))('%s: every target and metric relabel rule passes the checks for its role', (_name, scrape) => {
    const job = (scrape as ScrapeJob)._job;
    expect(job.relabelings.length + job.metricRelabelings.length).toBeGreaterThan(0);
    job.relabelings.forEach((rule, i) =>
      checkRelabelRule({ scope: scrape as ScrapeJob, prop: `relabelings[${i}]`, role: job.role, scheme, metric: false }, rule));
    job.metricRelabelings.forEach((rule, i) =>
      checkRelabelRule({ scope: scrape as ScrapeJob, prop: `metricRelabelings[${i}]`, role: job.role, scheme, metric: true }, rule));
  });
});

test('the checks are not vacuous: an endpoints label under the endpointslice role fails', () => {
  const { scrapes } = allScrapes();
  const apiOnEndpoints = scrapes.find(s => s.jobName === 'api-endpoints')!;
  expect(() => checkRelabelRule({
    scope: apiOnEndpoints, prop: 'relabelings[0]', role: DiscoveryRole.ENDPOINT_SLICE, scheme: NameValidationScheme.UTF8, metric: false,
  }, apiOnEndpoints._job.relabelings[0])).toThrow(/never produces this meta label/);
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
  for (const rule of rules) expect([rule.name, promqlSyntaxError(rule.expr)]).toEqual([rule.name, undefined]);
  expect(promqlSyntaxError('sum(rate(x[5m])')).toBeDefined();
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
