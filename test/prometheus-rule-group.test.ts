import { Duration, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  ApiServerScrape, CadvisorMetrics, CadvisorScrape, KubeletScrape, KubeStateMetrics, KubeStateMetricsCollector,
  NameValidationScheme, PodPortScrape, PrometheusRule, PrometheusRuleGroup,
} from '../src';
import { Manifest, one, promConfig, stack, synth } from './util';

function rulesOf(ms: Manifest[]): any {
  return parse(one(ms, 'ConfigMap').data['rules.yml']);
}

describe('PrometheusRuleGroup', () => {
  test('renders a rules file beside prometheus.yml and lists it in rule_files', () => {
    // GIVEN
    const { chart, prometheus } = stack();
    new PodPortScrape(chart, 'pods', { prometheus, jobLabel: 'app' });
    // WHEN
    const group = new PrometheusRuleGroup(chart, 'app', {
      prometheus,
      interval: Duration.minutes(1),
      jobs: ['app'],
      rules: [PrometheusRule.recording({ record: 'job:http_requests:rate5m', expr: 'sum by (job) (rate(http_requests_total{job="app"}[5m]))', labels: { team: 'web' } })],
    });
    group.addRule(PrometheusRule.alerting({
      alert: 'AppDown',
      expr: 'up{job="app"} == 0',
      for: Duration.minutes(5),
      keepFiringFor: Duration.minutes(2),
      labels: { severity: 'page' },
      annotations: { summary: 'App {{ $labels.instance }} is down' },
    }));
    const ms = synth(chart);
    // THEN
    const rules = rulesOf(ms);
    expect(rules).toMatchSnapshot();
    expect(rules).toEqual({
      groups: [{
        name: 'app',
        interval: '1m',
        rules: [
          { record: 'job:http_requests:rate5m', expr: 'sum by (job) (rate(http_requests_total{job="app"}[5m]))', labels: { team: 'web' } },
          { alert: 'AppDown', expr: 'up{job="app"} == 0', for: '5m', keep_firing_for: '2m', labels: { severity: 'page' }, annotations: { summary: 'App {{ $labels.instance }} is down' } },
        ],
      }],
    });
    expect(promConfig(ms).rule_files).toEqual(['/etc/prometheus/rules.yml']);
    expect(group.rules.map(r => r.name)).toEqual(['job:http_requests:rate5m', 'AppDown']);
  });

  test('without groups there is no rules file and no rule_files', () => {
    const { chart, prometheus } = stack();
    new KubeletScrape(chart, 'kubelet', { prometheus });
    const ms = synth(chart);
    expect(Object.keys(one(ms, 'ConfigMap').data)).toEqual(['prometheus.yml']);
    expect(promConfig(ms).rule_files).toBeUndefined();
  });

  test('a rule change changes the config hash (so it reloads like a config change)', () => {
    const hashWith = (expr: string) => {
      const { chart, prometheus } = stack();
      new KubeletScrape(chart, 'kubelet', { prometheus });
      new PrometheusRuleGroup(chart, 'g', { prometheus, rules: [PrometheusRule.alerting({ alert: 'A', expr })] });
      return prometheus.configHash();
    };
    expect(hashWith('up == 0')).not.toBe(hashWith('up == 1'));
  });

  test('fails on a PromQL syntax error, naming the group, the rule and the position', () => {
    const { chart, prometheus } = stack();
    expect(() => new PrometheusRuleGroup(chart, 'g', {
      prometheus, rules: [PrometheusRule.alerting({ alert: 'Broken', expr: 'sum(rate(x[5m])' })],
    })).toThrow('test/g: invalid rules[0].expr "sum(rate(x[5m])": PromQL syntax error at position 15 near "ate(x[5m])" (group "g", rule "Broken")');
  });

  test.each([
    ['an empty expression', PrometheusRule.alerting({ alert: 'A', expr: '' }), 'rules[0].expr ""'],
    ['a dangling operator', PrometheusRule.recording({ record: 'r', expr: 'up +' }), 'rules[0].expr "up +"'],
    ['an empty matcher', PrometheusRule.recording({ record: 'r', expr: 'up{job=}' }), 'rules[0].expr "up{job=}"'],
    ['an empty alert name', PrometheusRule.alerting({ alert: ' ', expr: 'up' }), 'rules[0].alert " "'],
    ['an empty record name', PrometheusRule.recording({ record: '', expr: 'up' }), 'rules[0].record ""'],
    ['a reserved rule label', PrometheusRule.alerting({ alert: 'A', expr: 'up', labels: { __name__: 'x' } }), 'rules[0].labels.__name__ "__name__"'],
    ['a fractional pending period', PrometheusRule.alerting({ alert: 'A', expr: 'up', for: Duration.millis(0.5) }), 'rules[0].for "0.5 millis"'],
  ])('fails on %s', (_what, rule, expected) => {
    const { chart, prometheus } = stack();
    expect(() => new PrometheusRuleGroup(chart, 'g', { prometheus, rules: [rule] })).toThrow(`test/g: invalid ${expected}: `);
  });

  test('fails on a legacy-invalid record name under the legacy scheme', () => {
    const { chart, prometheus } = stack({ nameValidationScheme: NameValidationScheme.LEGACY });
    expect(() => new PrometheusRuleGroup(chart, 'g', { prometheus, rules: [PrometheusRule.recording({ record: 'http.rate', expr: 'up' })] }))
      .toThrow(/test\/g: invalid rules\[0\].record "http.rate": a recorded series needs a valid metric name/);
  });

  test('fails on a series recorded twice in a group', () => {
    const { chart, prometheus } = stack();
    const g = new PrometheusRuleGroup(chart, 'g', { prometheus, rules: [PrometheusRule.recording({ record: 'r', expr: 'up' })] });
    expect(() => g.addRule(PrometheusRule.recording({ record: 'r', expr: 'up' }))).toThrow(/test\/g: invalid rules\[1\].record "r"/);
  });

  test('fails on a duplicate group name, naming both paths', () => {
    const { chart, prometheus } = stack();
    new PrometheusRuleGroup(chart, 'a', { prometheus, groupName: 'same', rules: [PrometheusRule.recording({ record: 'r', expr: 'up' })] });
    expect(() => new PrometheusRuleGroup(chart, 'b', { prometheus, groupName: 'same' }))
      .toThrow('test/b: invalid groupName "same": rule group name already used by test/a');
  });

  test('fails at synth if a group selects a job no scrape produces', () => {
    const { chart, prometheus } = stack();
    new KubeletScrape(chart, 'kubelet', { prometheus });
    new PrometheusRuleGroup(chart, 'g', { prometheus, jobs: ['node-exporter'], rules: [PrometheusRule.alerting({ alert: 'A', expr: 'up{job="node-exporter"} == 0' })] });
    expect(() => Testing.synth(chart)).toThrow(/test\/g: rule group "g" selects job "node-exporter", which no scrape of test\/prometheus produces \(jobs: kubelet, prometheus\); its alerts could never fire/);
  });

  test('fails at synth on an empty group', () => {
    const { chart, prometheus } = stack();
    new KubeletScrape(chart, 'kubelet', { prometheus });
    new PrometheusRuleGroup(chart, 'g', { prometheus });
    expect(() => Testing.synth(chart)).toThrow(/test\/g: rule group "g" has no rules/);
  });
});

describe('built-in rule sets', () => {
  function fullStack() {
    const { chart, prometheus } = stack();
    const kubelet = new KubeletScrape(chart, 'kubelet', { prometheus });
    const cadvisor = new CadvisorScrape(chart, 'cadvisor', { prometheus });
    const api = new ApiServerScrape(chart, 'apiserver', { prometheus });
    const ksm = new KubeStateMetrics(chart, 'kube-state-metrics', { prometheus });
    return { chart, prometheus, kubelet, cadvisor, api, ksm };
  }

  test('every set, opted in from its construct, selects its job', () => {
    const { chart, prometheus, kubelet, cadvisor, api, ksm } = fullStack();
    kubelet.addRules();
    cadvisor.addRules();
    api.addRules();
    ksm.addRules();
    prometheus.addSelfMonitoringRules();
    const rules = rulesOf(synth(chart));
    expect(rules).toMatchSnapshot();
    const names = Object.fromEntries(rules.groups.map((g: any) => [g.name, g.rules.map((r: any) => r.record ?? r.alert)]));
    expect(names).toEqual({
      'kubelet': ['KubeletDown', 'KubeletTargetsDown'],
      'cadvisor': [
        'node_namespace_pod_container:container_cpu_usage_seconds_total:sum_rate5m',
        'node_namespace_pod_container:container_memory_working_set_bytes',
        'node_namespace_pod_container:container_memory_rss',
        'namespace_pod:container_cpu_usage_seconds_total:sum_rate5m',
        'namespace:container_memory_working_set_bytes:sum',
        'namespace:container_cpu_usage_seconds_total:sum_rate5m',
        'ContainerMemoryNearLimit', 'ContainerCPUThrottlingHigh',
      ],
      'apiserver': ['KubeAPIDown', 'KubeAPITargetsDown', 'code_verb:apiserver_request_total:rate5m', 'apiserver_request:error_ratio_rate5m', 'KubeAPIErrorsHigh'],
      'kube-state-metrics': ['KubePodCrashLooping', 'KubePodNotReady', 'KubeDeploymentReplicasMismatch', 'KubeJobFailed'],
      'prometheus': ['PrometheusConfigReloadFailed', 'PrometheusRuleFailures', 'PrometheusScrapeTargetsDown', 'PrometheusTSDBCompactionsFailing'],
    });
    const byName = (n: string) => rules.groups.flatMap((g: any) => g.rules).find((r: any) => (r.record ?? r.alert) === n);
    // the kubelet and cAdvisor sets tell their series apart by metrics_path, as the mixin does
    expect(byName('KubeletDown').expr).toBe('absent(up{job="kubelet", metrics_path="/metrics"} == 1)');
    // absent() of a comparison has no labels: the rule names the job itself, for routing
    expect(byName('KubeletDown').labels).toEqual({ severity: 'critical', job: 'kubelet', metrics_path: '/metrics' });
    expect(byName('KubeAPIDown').labels).toEqual({ severity: 'critical', job: 'apiserver' });
    expect(byName('node_namespace_pod_container:container_memory_working_set_bytes').expr)
      .toContain('container_memory_working_set_bytes{job="kubelet", metrics_path="/metrics/cadvisor", image!=""}');
    // near-limit is the working set over the limit, only where a limit is set
    expect(byName('ContainerMemoryNearLimit').expr).toMatch(/container_memory_working_set_bytes[\s\S]*container_spec_memory_limit_bytes\{[^}]*\} > 0\)/);
    expect(byName('KubePodCrashLooping').expr).toContain('job="kube-state-metrics"');
    expect(byName('PrometheusConfigReloadFailed').expr).toBe('max_over_time(prometheus_config_last_reload_successful{job="prometheus"}[5m]) == 0');
  });

  test('a scrape with its own job label gets rules on that label', () => {
    const { chart, prometheus } = stack();
    new CadvisorScrape(chart, 'cadvisor', { prometheus, jobLabel: 'cadvisor' }).addRules();
    expect(rulesOf(synth(chart)).groups[0].rules[0].expr).toContain('{job="cadvisor", metrics_path="/metrics/cadvisor"');
  });

  test('fails if the cAdvisor preset drops a metric a rule needs; omit leaves the rule out', () => {
    const { chart, prometheus } = stack();
    const cadvisor = new CadvisorScrape(chart, 'cadvisor', { prometheus, metrics: CadvisorMetrics.AGGRESSIVE });
    expect(() => cadvisor.addRules()).toThrow('test/cadvisor: invalid metrics "aggressive": the preset drops container_spec_memory_limit_bytes (regex "container_spec.*"), which rule ContainerMemoryNearLimit needs');
    cadvisor.addRules({ omit: ['ContainerMemoryNearLimit'] });
    const names = rulesOf(synth(chart)).groups[0].rules.map((r: any) => r.record ?? r.alert);
    expect(names).not.toContain('ContainerMemoryNearLimit');
    expect(names).toContain('ContainerCPUThrottlingHigh');
  });

  test('fails if kube-state-metrics lacks a collector a rule needs', () => {
    const { chart, prometheus } = stack();
    const ksm = new KubeStateMetrics(chart, 'ksm', { prometheus, collectors: [KubeStateMetricsCollector.PODS, KubeStateMetricsCollector.DEPLOYMENTS] });
    expect(() => ksm.addRules()).toThrow(/test\/ksm: invalid collectors \["pods","deployments"\]: rule KubeJobFailed needs the "jobs" collector/);
    ksm.addRules({ omit: ['KubeJobFailed'] });
    expect(rulesOf(synth(chart)).groups[0].rules.map((r: any) => r.alert)).toEqual(['KubePodCrashLooping', 'KubePodNotReady', 'KubeDeploymentReplicasMismatch']);
  });

  test('fails on omitting a rule that does not exist', () => {
    const { chart, prometheus } = stack();
    const kubelet = new KubeletScrape(chart, 'kubelet', { prometheus });
    expect(() => kubelet.addRules({ omit: ['NoSuchAlert'] })).toThrow('test/kubelet: invalid omit "NoSuchAlert": no such rule in this set; one of KubeletDown, KubeletTargetsDown');
  });
});
