/**
 * What plain JavaScript and the jsii languages can pass that TypeScript would refuse: a required
 * field left out, a field the action forbids, a wrong runtime type. And the replacement syntax of
 * Go templates, which is not JavaScript's.
 */
import { Chart, Size, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { KubeStateMetrics, NameValidationScheme, PrometheusStack, RelabelRule, ServiceScrape } from '../src';
import { job, one, stack, synth } from './util';

function scrape(rules: RelabelRule[], scheme = NameValidationScheme.UTF8) {
  const { chart, prometheus } = stack({ nameValidationScheme: scheme });
  new ServiceScrape(chart, 'svc', { prometheus, relabelings: rules });
  return job(synth(chart), 'kubernetes-services').relabel_configs;
}
const js = (f: any, options: object): RelabelRule => f(options);

describe('relabel fields per action', () => {
  test.each([
    ['replace without targetLabel', () => js(RelabelRule.replace, { sourceLabels: ['__address__'] }),
      'test/svc: invalid relabelings[0].targetLabel undefined: action replace needs targetLabel'],
    ['hashmod without targetLabel', () => js(RelabelRule.hashMod, { sourceLabels: ['__address__'], modulus: 4 }),
      'test/svc: invalid relabelings[0].targetLabel undefined: action hashmod needs targetLabel'],
    ['keepequal with a regex', () => js(RelabelRule.keepEqual, { sourceLabels: ['__address__'], targetLabel: 'x', regex: 'a' }),
      'test/svc: invalid relabelings[0].regex "a": action keepequal takes no regex (it takes sourceLabels, targetLabel)'],
    ['lowercase with a replacement', () => js(RelabelRule.lowercase, { sourceLabels: ['__address__'], targetLabel: 'x', replacement: 'y' }),
      'test/svc: invalid relabelings[0].replacement "y": action lowercase takes no replacement'],
    ['labelmap with source labels', () => js(RelabelRule.labelMap, { regex: 'a', sourceLabels: ['b'] }),
      'test/svc: invalid relabelings[0].sourceLabels ["b"]: action labelmap takes no sourceLabels (it takes regex, replacement)'],
    ['keep with a target label', () => js(RelabelRule.keep, { sourceLabels: ['__address__'], regex: 'a', targetLabel: 'x' }),
      'test/svc: invalid relabelings[0].targetLabel "x": action keep takes no targetLabel'],
    ['source labels that are not strings', () => js(RelabelRule.keep, { sourceLabels: [1], regex: 'a' }),
      'test/svc: invalid relabelings[0].sourceLabels [1]: give a list of label names (strings)'],
    ['a regex that is not a string', () => js(RelabelRule.drop, { sourceLabels: ['__address__'], regex: /a/ }),
      'test/svc: invalid relabelings[0].regex {}: regex is a string'],
    ['a modulus that is a string', () => js(RelabelRule.hashMod, { sourceLabels: ['__address__'], modulus: '4', targetLabel: 'x' }),
      'test/svc: invalid relabelings[0].modulus "4": the modulus is a positive whole number'],
  ])('fails: %s', (_, rule, message) => {
    expect(() => scrape([rule()])).toThrow(message);
  });

  test('a field set to its Prometheus default is as good as unset', () => {
    const rendered = scrape([js(RelabelRule.keepEqual, { sourceLabels: ['__address__'], targetLabel: 'x', separator: ';' })]);
    expect(rendered[rendered.length - 1]).toEqual({ source_labels: ['__address__'], separator: ';', target_label: 'x', action: 'keepequal' });
  });
});

describe('Go template replacements', () => {
  test('setLabel with "$" in the value: escaped as "$$", accepted', () => {
    const rendered = scrape([RelabelRule.setLabel('price', '$2'), RelabelRule.setLabel('team', 'cost$1_center')]);
    expect(rendered.slice(-2)).toEqual([
      { target_label: 'price', replacement: '$$2', action: 'replace' },
      { target_label: 'team', replacement: 'cost$$1_center', action: 'replace' },
    ]);
  });

  test('"$$1" is a literal, not a reference to a missing group', () => {
    const rule = RelabelRule.replace({ sourceLabels: ['__address__'], regex: 'abc', targetLabel: 'x', replacement: '$$1' });
    expect(scrape([rule]).pop()).toEqual({ source_labels: ['__address__'], regex: 'abc', target_label: 'x', replacement: '$$1', action: 'replace' });
  });

  test.each([
    ['JavaScript\'s $<name>', RelabelRule.replace({ sourceLabels: ['__address__'], regex: '(?P<host>.*)', targetLabel: 'x', replacement: '$<host>' }),
      'test/svc: invalid relabelings[0].replacement "$<host>": Go templates have no $<name>: write ${name}'],
    ['$1_suffix', RelabelRule.replace({ sourceLabels: ['__address__'], targetLabel: 'x', replacement: '$1_suffix' }),
      'test/svc: invalid relabelings[0].replacement "$1_suffix": "$1_suffix" is read as the group named "1_suffix"; write "${1}_suffix"'],
  ])('fails: %s', (_, rule, message) => {
    expect(() => scrape([rule])).toThrow(message);
  });

  test('under the legacy scheme a templated target label or labelmap name must be a legal name once expanded', () => {
    const target = RelabelRule.replace({ sourceLabels: ['__address__'], regex: '(.*)', targetLabel: 'my-$1' });
    expect(() => scrape([target], NameValidationScheme.LEGACY)).toThrow('test/svc: invalid relabelings[0].targetLabel "my-$1": under the legacy name scheme');
    const map = RelabelRule.labelMap({ regex: '__meta_kubernetes_service_label_(.+)', replacement: 'k8s-$1' });
    expect(() => scrape([map], NameValidationScheme.LEGACY)).toThrow('test/svc: invalid relabelings[0].replacement "k8s-$1": under the legacy name scheme');
    // UTF-8 names may hold "-"
    expect(scrape([target, map]).slice(-2).map((r: any) => r.action)).toEqual(['replace', 'labelmap']);
    expect(scrape([RelabelRule.replace({ sourceLabels: ['__address__'], regex: '(.*)', targetLabel: 'my_${1}' })], NameValidationScheme.LEGACY).pop().target_label).toBe('my_${1}');
  });
});

describe('resources merge per field, and a request above its limit is refused', () => {
  test('a request alone keeps the default limit', () => {
    const { chart, prometheus } = stack({ resources: { cpu: { request: Cpu.millis(500) } } });
    new ServiceScrape(chart, 'svc', { prometheus });
    const r = one(synth(chart), 'StatefulSet', 'prometheus').spec.template.spec.containers[0].resources;
    expect(r.requests.cpu).toBe('500m');
    expect(r.limits.cpu).toBe('1');
    expect(r.requests.memory).toBe('1024Mi');
  });

  test('fails: a CPU request above the default limit', () => {
    expect(() => stack({ resources: { cpu: { request: Cpu.units(2) } } })).toThrow(
      'test/prometheus: invalid resources.cpu.request "2000m": the request is above the default limit 1000m; set resources.cpu.limit as well');
  });

  test('fails: a memory request above the user\'s own limit, on kube-state-metrics', () => {
    const { chart, prometheus } = stack();
    expect(() => new KubeStateMetrics(chart, 'ksm', { prometheus, resources: { memory: { request: Size.gibibytes(1), limit: Size.mebibytes(512) } } })).toThrow(
      'test/ksm: invalid resources.memory.request "1024Mi": the request is above the limit 512Mi; lower the request or raise the limit');
  });
});

describe('job names', () => {
  test('a second scrape with the same default job name says so, and how to fix it', () => {
    const { chart, prometheus } = stack();
    new ServiceScrape(chart, 'a', { prometheus });
    expect(() => new ServiceScrape(chart, 'b', { prometheus })).toThrow(
      'test/b: invalid jobName "kubernetes-services": this scrape\'s default job name is already used by test/a; give one of them its own `jobName`');
  });
});

describe('names derived from construct ids', () => {
  test('an id that is no DNS label gives a DNS-1035 name (no ".", starting with a letter)', () => {
    const c = new Chart(Testing.app(), '9test', { namespace: 'monitoring' });
    const p = new PrometheusStack(c, 'prom.server');
    expect(p.name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    expect(p.name.length).toBeLessThanOrEqual(52);
    expect(p.name).toContain('prom-server');
  });
});
