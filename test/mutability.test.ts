/**
 * The mutability contract (cdk8s-plus style): collections change only through addX, getters
 * return copies, exported defaults are frozen, a scrape or rule group belongs to the stack it
 * was validated against, and the output does not depend on construction order. Each case here
 * was a defect once: a change after registration reached the config unchecked.
 */
import { Chart, Testing, Yaml } from 'cdk8s';
import {
  Alertmanager, AlertmanagerEndpoint, AlertMatcher, ApiServerScrape, DEFAULT_KUBE_STATE_METRICS_COLLECTORS, KubeletScrape, KubeStateMetrics,
  KubeStateMetricsCollector, PodPortScrape, PrometheusRule, PrometheusRuleGroup, PrometheusStack, RelabelRule, ServiceScrape,
} from '../src';
import { job, objects, one, stack, synth } from './util';

describe('values cannot change after they were checked', () => {
  test('RelabelRule.sourceLabels is a copy: a push after registration does not reach prometheus.yml', () => {
    const { chart, prometheus } = stack();
    const rule = RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_namespace'], regex: 'team-.*' });
    new ServiceScrape(chart, 'svc', { prometheus, relabelings: [rule] });
    rule.sourceLabels!.push('__meta_kubernetes_pod_label_(?=x)');
    const rendered = job(synth(chart), 'kubernetes-services').relabel_configs;
    expect(rendered[rendered.length - 1]).toEqual({ source_labels: ['__meta_kubernetes_namespace'], regex: 'team-.*', action: 'keep' });
    expect(rule.sourceLabels).toEqual(['__meta_kubernetes_namespace']);
  });

  test('the fields of a RelabelRule cannot be assigned', () => {
    const rule = RelabelRule.keep({ sourceLabels: ['a'], regex: 'x' });
    expect(() => {
      (rule as any).regex = '(?=x)';
    }).toThrow(TypeError);
    expect(rule.regex).toBe('x');
  });

  test('the options objects the user keeps do not reach the config after construction', () => {
    const { chart, prometheus } = stack();
    const params: { [k: string]: string[] } = { format: ['prometheus'] };
    const headers: { [k: string]: string } = { 'X-Scope-OrgID': 'team-a' };
    const relabelings = [RelabelRule.copy('__meta_kubernetes_namespace', 'namespace')];
    new PodPortScrape(chart, 'pods', { prometheus, params, httpHeaders: headers, relabelings });
    params.format.push('x');
    params.other = ['y'];
    headers.Authorization = 'Bearer leaked';
    relabelings.push(RelabelRule.labelDrop('.*'));
    const j = job(synth(chart), 'pods');
    expect(j.params).toEqual({ format: ['prometheus'] });
    expect(j.http_headers).toEqual({ 'X-Scope-OrgID': { values: ['team-a'] } });
    expect(j.relabel_configs.some((r: any) => r.action === 'labeldrop')).toBe(false);
  });

  test('KubeStateMetrics.collectors is a copy: the Deployment and addRules() agree', () => {
    const { chart, prometheus } = stack();
    const ksm = new KubeStateMetrics(chart, 'ksm', { prometheus, collectors: [KubeStateMetricsCollector.NODES] });
    ksm.collectors.push(KubeStateMetricsCollector.PODS);
    expect(ksm.collectors).toEqual([KubeStateMetricsCollector.NODES]);
    // The pod rules need the pods collector, which is still not enabled.
    expect(() => ksm.addRules()).toThrow(/^test\/ksm: invalid collectors \["nodes"\]: rule KubePodCrashLooping needs the "pods" collector/);
    const args = one(synth(chart), 'Deployment', 'ksm').spec.template.spec.containers[0].args;
    expect(args).toContain('--resources=nodes');
  });

  test('DEFAULT_KUBE_STATE_METRICS_COLLECTORS is frozen', () => {
    const before = [...DEFAULT_KUBE_STATE_METRICS_COLLECTORS];
    expect(() => DEFAULT_KUBE_STATE_METRICS_COLLECTORS.push(KubeStateMetricsCollector.SECRETS)).toThrow(TypeError);
    expect(DEFAULT_KUBE_STATE_METRICS_COLLECTORS).toEqual(before);
    expect(DEFAULT_KUBE_STATE_METRICS_COLLECTORS).not.toContain(KubeStateMetricsCollector.SECRETS);
  });

  test('PrometheusStack.selectorLabels is a copy: the NetworkPolicies keep selecting Prometheus', () => {
    const { chart, prometheus } = stack();
    prometheus.selectorLabels['app.kubernetes.io/name'] = 'someone-else';
    new KubeStateMetrics(chart, 'ksm', { prometheus });
    const policy = one(synth(chart), 'NetworkPolicy', 'ksm');
    expect(policy.spec.ingress[0].from[0].podSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'prometheus',
      'app.kubernetes.io/instance': 'prometheus',
    });
  });

  test('Alertmanager: the route tree and receivers the user keeps do not reach alertmanager.yml after construction', () => {
    const { chart: c, prometheus } = stack();
    prometheus.addKubeletScrape('kubelet');
    const child: any = { matchers: [AlertMatcher.equal('team', 'db')], receiver: 'db' };
    const route: any = { receiver: 'default', routes: [child] };
    const receivers: any[] = [{ name: 'default' }, { name: 'db', webhooks: [{ url: 'http://hook.monitoring.svc/' }] }];
    const am = new Alertmanager(c, 'am', { prometheus, route, receivers });
    const before = am.renderConfig();
    const hash = am.configHash;
    child.receiver = 'nobody';
    route.routes.push({ receiver: 'ghost' });
    receivers[1].webhooks[0].url = 'https://u:p@example.org/?token=x';
    receivers.pop();
    expect(am.renderConfig()).toBe(before);
    expect(one(synth(c), 'ConfigMap', 'am-config').data['alertmanager.yml']).toBe(before);
    expect(am.configHash).toBe(hash);
  });

  test('AlertmanagerEndpoint.targets is a copy', () => {
    const targets = ['am-0.am:9093'];
    const am = AlertmanagerEndpoint.addresses(targets);
    targets.push('evil:1');
    am.targets.push('evil:2');
    expect(am.targets).toEqual(['am-0.am:9093']);
  });
});

describe('a construct belongs to the stack it was validated against', () => {
  test('another stack refuses a registered scrape', () => {
    const { chart, prometheus } = stack();
    const other = new PrometheusStack(chart, 'other', { namespace: 'other' });
    const scrape = new KubeletScrape(chart, 'kubelet', { prometheus });
    expect(() => other.addScrape(scrape)).toThrow(
      'test/kubelet: invalid prometheus "test/prometheus": the scrape was validated against that stack, not test/other; '
      + 'give this stack as its `prometheus` prop instead');
  });

  test('another stack refuses a registered rule group', () => {
    const { chart, prometheus } = stack();
    const other = new PrometheusStack(chart, 'other', { namespace: 'other' });
    const group = new PrometheusRuleGroup(chart, 'rules', { prometheus, rules: [PrometheusRule.recording({ record: 'a:b', expr: 'up' })] });
    expect(() => other.addRuleGroup(group)).toThrow(/^test\/rules: invalid prometheus "test\/prometheus": the group was validated against that stack, not test\/other/);
  });

  test('addScrape refuses what is not a scrape construct', () => {
    const { prometheus } = stack();
    expect(() => prometheus.addScrape({ jobName: 'x', node: prometheus.node } as any)).toThrow(
      /^test\/prometheus: invalid addScrape "\[object Object\]": must be a scrape construct of this library/);
  });

  test('KubeStateMetrics without a stack fails with our error, not a TypeError', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'monitoring' });
    expect(() => new KubeStateMetrics(c, 'ksm', {} as any)).toThrow('test/ksm: invalid prometheus "undefined": must be a PrometheusStack');
  });

  test('a second addRules() is our error, not a construct-name clash', () => {
    const { chart, prometheus } = stack();
    const kubelet = new KubeletScrape(chart, 'kubelet', { prometheus });
    kubelet.addRules();
    expect(() => kubelet.addRules({ omit: ['KubeletDown'] })).toThrow(
      'test/kubelet: invalid addRules "kubelet": the rules of this scrape were already added; call addRules() once, with every option');
  });
});

describe('two copies of the library in one app', () => {
  test('a stack from one copy takes scrapes and rules from the other', () => {
    let copy: typeof import('../src') | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a second, isolated copy of the module
      copy = require('../src');
    });
    expect(copy!.PrometheusStack).not.toBe(PrometheusStack);
    const { chart, prometheus } = stack();
    const scrape = new copy!.KubeletScrape(chart, 'kubelet', { prometheus });
    expect(copy!.ScrapeJob.isScrapeJob(scrape)).toBe(true);
    expect(PrometheusStack.isPrometheusStack(prometheus)).toBe(true);
    expect(copy!.PrometheusStack.isPrometheusStack(prometheus)).toBe(true);
    expect(job(synth(chart), 'kubelet').metrics_path).toBe('/metrics');
  });
});

describe('construction order does not change the output', () => {
  function build(order: 'forward' | 'backward'): string {
    const c = new Chart(Testing.app(), 'test', { namespace: 'monitoring' });
    const prometheus = new PrometheusStack(c, 'prometheus');
    const steps = [
      () => new ServiceScrape(c, 'team-b', { prometheus, jobName: 'team-b', namespaces: ['team-b'] }),
      () => new KubeletScrape(c, 'kubelet', { prometheus }),
      () => new ServiceScrape(c, 'team-a', { prometheus, jobName: 'team-a', namespaces: ['team-a'] }),
      () => new ApiServerScrape(c, 'apiserver', { prometheus }),
      () => new PodPortScrape(c, 'pods', { prometheus, namespaces: ['monitoring'] }),
      () => new PrometheusRuleGroup(c, 'zz-rules', { prometheus, rules: [PrometheusRule.recording({ record: 'z:up', expr: 'up' })] }),
      () => new PrometheusRuleGroup(c, 'aa-rules', { prometheus, rules: [PrometheusRule.recording({ record: 'a:up', expr: 'up' })] }),
    ];
    (order === 'forward' ? steps : [...steps].reverse()).forEach(s => s());
    return Yaml.stringify(...Testing.synth(c));
  }

  test('scrapes and rule groups registered in opposite orders give the same manifests, RBAC objects included', () => {
    const forward = build('forward');
    expect(build('backward')).toBe(forward);
    // rules.yml lists the groups by name
    const rules = forward.slice(forward.indexOf('rules.yml'));
    expect(rules.indexOf('name: aa-rules')).toBeGreaterThan(0);
    expect(rules.indexOf('name: aa-rules')).toBeLessThan(rules.indexOf('name: zz-rules'));
  });

  test('RBAC objects follow the ServiceAccount: ClusterRole first, then Roles by namespace', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'monitoring' });
    const prometheus = new PrometheusStack(c, 'prometheus');
    new ServiceScrape(c, 'z', { prometheus, jobName: 'z', namespaces: ['zeta'] });
    new ServiceScrape(c, 'a', { prometheus, jobName: 'a', namespaces: ['alpha'] });
    new KubeletScrape(c, 'kubelet', { prometheus });
    const ms = synth(c);
    const kinds = ms.map(m => `${m.kind}/${m.metadata.namespace ?? ''}`);
    const sa = kinds.indexOf('ServiceAccount/monitoring');
    expect(kinds.slice(sa, sa + 7)).toEqual([
      'ServiceAccount/monitoring',
      'ClusterRole/',
      'ClusterRoleBinding/',
      'Role/alpha',
      'RoleBinding/alpha',
      'Role/zeta',
      'RoleBinding/zeta',
    ]);
    expect(objects(ms, 'Role')).toHaveLength(2);
  });
});
