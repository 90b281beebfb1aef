/**
 * Plain JavaScript and the jsii languages can leave out any prop TypeScript requires. Each
 * construct and value factory, given nothing (or only its stack), must fail with our message
 * (`<path>: invalid <prop> <value>: <allowed>`), never with a TypeError from inside the library,
 * and never synthesize something Prometheus would refuse.
 */
import { Chart, Testing } from 'cdk8s';
import * as lib from '../src';

const OUR_FORMAT = /^(\[[^\]]+\] )?test\/[^ ]+: invalid [^ ]+ .*: [a-z"`(]/m;

function chartAndStack() {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'monitoring' });
  const prometheus = new lib.PrometheusStack(chart, 'prometheus');
  return { chart, prometheus };
}

/** Runs `build` and the synth; returns the error it fails with, or undefined. */
function failure(build: (chart: Chart, prometheus: lib.PrometheusStack) => unknown): Error | undefined {
  const { chart, prometheus } = chartAndStack();
  try {
    build(chart, prometheus);
    Testing.synth(chart);
    return undefined;
  } catch (e) {
    return e as Error;
  }
}

const any = (x: unknown) => x as any;

describe('constructs without their required props', () => {
  const constructs: Array<[string, (c: Chart, p: lib.PrometheusStack) => unknown]> = [
    ['KubeletScrape', c => new lib.KubeletScrape(c, 's', any({}))],
    ['CadvisorScrape', c => new lib.CadvisorScrape(c, 's', any({}))],
    ['ApiServerScrape', c => new lib.ApiServerScrape(c, 's', any({}))],
    ['ServiceScrape', c => new lib.ServiceScrape(c, 's', any({}))],
    ['PodPortScrape', c => new lib.PodPortScrape(c, 's', any({}))],
    ['KubeStateMetrics', c => new lib.KubeStateMetrics(c, 's', any({}))],
    ['NodeExporter', c => new lib.NodeExporter(c, 's', any({ namespace: 'node-exporter' }))],
    ['BlackboxExporter', c => new lib.BlackboxExporter(c, 's', any({}))],
    ['ServiceProbe', (c, prometheus) => new lib.ServiceProbe(c, 's', any({ prometheus }))],
    ['IngressProbe', (c, prometheus) => new lib.IngressProbe(c, 's', any({ prometheus }))],
    ['PrometheusRuleGroup', c => new lib.PrometheusRuleGroup(c, 's', any({}))],
    ['Alertmanager', (c, prometheus) => new lib.Alertmanager(c, 's', any({ prometheus }))],
    ['AnnotationScrape', c => new lib.AnnotationScrape(c, 's', any({}))],
    ['StaticScrape', (c, prometheus) => new lib.StaticScrape(c, 's', any({ prometheus }))],
    ['KubernetesScrape', (c, prometheus) => new lib.KubernetesScrape(c, 's', any({ prometheus }))],
    ['KubeletEndpointScrape', (c, prometheus) => new lib.KubeletEndpointScrape(c, 's', any({ prometheus }))],
    ['ControlPlaneScrape', (c, prometheus) => new lib.ControlPlaneScrape(c, 's', any({ prometheus }))],
  ];
  test.each(constructs)('%s', (_name, build) => {
    const e = failure(build);
    expect(e).toBeDefined();
    expect(e).not.toBeInstanceOf(TypeError);
    expect(e!.message).toMatch(OUR_FORMAT);
  });
});

describe('value factories without their required fields, used by a construct', () => {
  const scrape = (props: object) => (c: Chart, prometheus: lib.PrometheusStack) => new lib.ServiceScrape(c, 's', any({ prometheus, ...props }));
  const values: Array<[string, (c: Chart, p: lib.PrometheusStack) => unknown]> = [
    ['RelabelRule.keep({})', scrape({ relabelings: [lib.RelabelRule.keep(any({}))] })],
    ['RelabelRule.replace({})', scrape({ relabelings: [lib.RelabelRule.replace(any({}))] })],
    ['RelabelRule.hashMod({})', scrape({ relabelings: [lib.RelabelRule.hashMod(any({}))] })],
    ['RelabelRule.keepEqual({})', scrape({ relabelings: [lib.RelabelRule.keepEqual(any({}))] })],
    ['RelabelRule.labelMap({})', scrape({ relabelings: [lib.RelabelRule.labelMap(any({}))] })],
    ['RelabelRule.labelDrop(undefined)', scrape({ relabelings: [lib.RelabelRule.labelDrop(any(undefined))] })],
    ['RelabelRule.copy(undefined, undefined)', scrape({ relabelings: [lib.RelabelRule.copy(any(undefined), any(undefined))] })],
    ['ScrapeAuthorization.bearerTokenFile(undefined)', scrape({ authorization: lib.ScrapeAuthorization.bearerTokenFile(any(undefined)) })],
    ['ScrapeAuthorization.basicAuth(undefined, undefined)', scrape({ authorization: lib.ScrapeAuthorization.basicAuth(any(undefined), any(undefined)) })],
    ['ScrapeAuthorization.bearerToken(SecretKey.of(undefined, undefined))', scrape({ authorization: lib.ScrapeAuthorization.bearerToken(lib.SecretKey.of(any(undefined), any(undefined))) })],
    ['BlackboxModule.http({})', c => new lib.BlackboxExporter(c, 'b', any({ prometheus: c.node.findChild('prometheus'), modules: [lib.BlackboxModule.http(any({}))] }))],
    ['PrometheusRule.alerting({})', (c, prometheus) => new lib.PrometheusRuleGroup(c, 'g', { prometheus, rules: [lib.PrometheusRule.alerting(any({}))] })],
    ['PrometheusRule.recording({})', (c, prometheus) => new lib.PrometheusRuleGroup(c, 'g', { prometheus, rules: [lib.PrometheusRule.recording(any({}))] })],
    ['AlertmanagerEndpoint.service({})', c => new lib.PrometheusStack(c, 'other', any({ namespace: 'other', alertmanagers: [lib.AlertmanagerEndpoint.service(any({}))] }))],
    ['AlertmanagerEndpoint.addresses(undefined)', c => new lib.PrometheusStack(c, 'other', any({ namespace: 'other', alertmanagers: [lib.AlertmanagerEndpoint.addresses(any(undefined))] }))],
  ];
  test.each(values)('%s', (_name, build) => {
    let e: Error | undefined;
    try {
      e = failure(build);
    } catch (thrown) {
      e = thrown as Error;
    }
    expect(e).toBeDefined();
    expect(e).not.toBeInstanceOf(TypeError);
    expect(e!.message).toMatch(OUR_FORMAT);
  });
});
