/**
 * Built-in recording and alerting rules, each set opted into from the construct that provides its
 * data (`cadvisor.addRules()`, `kubelet.addRules()`, `apiServer.addRules()`, `ksm.addRules()`,
 * `prometheus.addSelfMonitoringRules()`). Recording rule names follow the kubernetes-mixin where
 * the mixin has one, so its dashboards work unchanged.
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { builtInRule, BuiltInRulesOptions, PrometheusRule as Rule, PrometheusRuleGroupProps } from './prometheus-rule-group';
import { IPrometheus } from '../model/prometheus';
import { RelabelAction, RelabelRule } from '../model/relabel';
import { fail, regexMatches } from '../model/validation';

/** Built-in rule factories: the rules are marked built-in (see builtInRule). */
const PrometheusRule = {
  recording: (o: Parameters<typeof Rule.recording>[0]) => builtInRule(Rule.recording(o)),
  alerting: (o: Parameters<typeof Rule.alerting>[0]) => builtInRule(Rule.alerting(o)),
};

/** A rule and the metrics it needs from its scrape (to refuse rules whose data is dropped). */
export interface RuleNeeds {
  readonly rule: Rule;
  readonly metrics: string[];
}

const warning = { severity: 'warning' };
const critical = { severity: 'critical' };

function selector(job: string, metricsPath?: string): string {
  return metricsPath ? `job="${job}", metrics_path="${metricsPath}"` : `job="${job}"`;
}

/** A group from rules, leaving out the omitted ones (and failing on unknown names to omit). */
export function ruleGroup(
  scope: IConstruct, prometheus: IPrometheus, defaultName: string, job: string, rules: RuleNeeds[], options: BuiltInRulesOptions,
): PrometheusRuleGroupProps {
  const omit = new Set(options.omit ?? []);
  for (const name of omit) {
    if (!rules.some(r => r.rule.name === name)) {
      fail({ scope, prop: 'omit' }, name, `no such rule in this set; one of ${rules.map(r => r.rule.name).join(', ')}`);
    }
  }
  return {
    prometheus,
    groupName: options.groupName ?? defaultName,
    jobs: [job],
    rules: rules.filter(r => !omit.has(r.rule.name)).map(r => r.rule),
  };
}

/**
 * The metric relabel rule that removes every series of `metric` at scrape time, if any: a drop
 * (or keep) on `__name__` alone whose regex matches (or does not match) the name.
 */
export function droppedBy(metric: string, rules: RelabelRule[]): RelabelRule | undefined {
  return rules.find(r => {
    if (r.sourceLabels?.length !== 1 || r.sourceLabels[0] !== '__name__' || r.regex === undefined) return false;
    const matches = regexMatches(r.regex, metric);
    return (r.action === RelabelAction.DROP && matches) || (r.action === RelabelAction.KEEP && !matches);
  });
}

/** cAdvisor: CPU and memory per container, pod and namespace; memory near limit; CPU throttling. */
export function cadvisorRules(job: string): RuleNeeds[] {
  const sel = selector(job, '/metrics/cadvisor');
  return [
    {
      metrics: ['container_cpu_usage_seconds_total'],
      rule: PrometheusRule.recording({
        record: 'node_namespace_pod_container:container_cpu_usage_seconds_total:sum_rate5m',
        expr: `sum by (node, namespace, pod, container) (rate(container_cpu_usage_seconds_total{${sel}, image!=""}[5m]))`,
      }),
    },
    {
      // The working set is what the kubelet evicts on and the OOM killer acts on; it excludes
      // inactive page cache, unlike container_memory_usage_bytes.
      metrics: ['container_memory_working_set_bytes'],
      rule: PrometheusRule.recording({
        record: 'node_namespace_pod_container:container_memory_working_set_bytes',
        expr: `max by (node, namespace, pod, container) (container_memory_working_set_bytes{${sel}, image!=""})`,
      }),
    },
    {
      metrics: ['container_memory_rss'],
      rule: PrometheusRule.recording({
        record: 'node_namespace_pod_container:container_memory_rss',
        expr: `max by (node, namespace, pod, container) (container_memory_rss{${sel}, image!=""})`,
      }),
    },
    {
      metrics: ['container_cpu_usage_seconds_total'],
      rule: PrometheusRule.recording({
        record: 'namespace_pod:container_cpu_usage_seconds_total:sum_rate5m',
        expr: `sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{${sel}, image!=""}[5m]))`,
      }),
    },
    {
      metrics: ['container_memory_working_set_bytes'],
      rule: PrometheusRule.recording({
        record: 'namespace:container_memory_working_set_bytes:sum',
        expr: `sum by (namespace) (container_memory_working_set_bytes{${sel}, image!=""})`,
      }),
    },
    {
      metrics: ['container_cpu_usage_seconds_total'],
      rule: PrometheusRule.recording({
        record: 'namespace:container_cpu_usage_seconds_total:sum_rate5m',
        expr: `sum by (namespace) (rate(container_cpu_usage_seconds_total{${sel}, image!=""}[5m]))`,
      }),
    },
    {
      // Only containers with a memory limit: container_spec_memory_limit_bytes is 0 without one.
      metrics: ['container_memory_working_set_bytes', 'container_spec_memory_limit_bytes'],
      rule: PrometheusRule.alerting({
        alert: 'ContainerMemoryNearLimit',
        expr: `(
  max by (namespace, pod, container) (container_memory_working_set_bytes{${sel}, container!=""})
  / on (namespace, pod, container)
  max by (namespace, pod, container) (container_spec_memory_limit_bytes{${sel}, container!=""} > 0)
) > 0.9`,
        for: Duration.minutes(15),
        labels: warning,
        annotations: {
          summary: 'Container memory working set is above 90% of its limit.',
          description: 'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit (working set); it will be OOM-killed at 100%.',
        },
      }),
    },
    {
      metrics: ['container_cpu_cfs_throttled_periods_total', 'container_cpu_cfs_periods_total'],
      rule: PrometheusRule.alerting({
        alert: 'ContainerCPUThrottlingHigh',
        expr: `sum by (namespace, pod, container) (increase(container_cpu_cfs_throttled_periods_total{${sel}, container!=""}[5m]))
  / on (namespace, pod, container)
sum by (namespace, pod, container) (increase(container_cpu_cfs_periods_total{${sel}, container!=""}[5m]))
  > 0.25`,
        for: Duration.minutes(15),
        labels: { severity: 'info' },
        annotations: {
          summary: 'Container CPU is throttled.',
          description: '{{ $value | humanizePercentage }} of the CPU periods of container {{ $labels.container }} in pod {{ $labels.namespace }}/{{ $labels.pod }} were throttled.',
        },
      }),
    },
  ];
}

/** Target-down and down-ratio alerts for one job. */
function targetDown(name: string, job: string, metricsPath: string | undefined, what: string): RuleNeeds[] {
  const sel = selector(job, metricsPath);
  return [
    {
      metrics: ['up'],
      rule: PrometheusRule.alerting({
        alert: `${name}Down`,
        expr: `absent(up{${sel}} == 1)`,
        for: Duration.minutes(15),
        // absent() of a comparison carries no labels: name the job for routing.
        labels: { ...critical, job, ...(metricsPath ? { metrics_path: metricsPath } : {}) },
        annotations: { summary: `No ${what} target is up.`, description: `Prometheus has not scraped any ${what} successfully for 15 minutes.` },
      }),
    },
    {
      metrics: ['up'],
      rule: PrometheusRule.alerting({
        alert: `${name}TargetsDown`,
        expr: `100 * (count(up{${sel}} == 0) / count(up{${sel}})) > 10`,
        for: Duration.minutes(15),
        labels: warning,
        annotations: { summary: `More than 10% of the ${what} targets are down.`, description: `{{ $value | humanize }}% of the ${what} targets are down.` },
      }),
    },
  ];
}

/** Kubelet: targets down. */
export function kubeletRules(job: string): RuleNeeds[] {
  return targetDown('Kubelet', job, '/metrics', 'kubelet');
}

/** API server: targets down, error ratio. */
export function apiServerRules(job: string): RuleNeeds[] {
  const sel = selector(job);
  return [
    ...targetDown('KubeAPI', job, undefined, 'API server'),
    {
      metrics: ['apiserver_request_total'],
      rule: PrometheusRule.recording({
        record: 'code_verb:apiserver_request_total:rate5m',
        expr: `sum by (code, verb) (rate(apiserver_request_total{${sel}}[5m]))`,
      }),
    },
    {
      metrics: ['apiserver_request_total'],
      rule: PrometheusRule.recording({
        record: 'apiserver_request:error_ratio_rate5m',
        expr: `sum(rate(apiserver_request_total{${sel}, code=~"5.."}[5m])) / sum(rate(apiserver_request_total{${sel}}[5m]))`,
      }),
    },
    {
      metrics: ['apiserver_request_total'],
      rule: PrometheusRule.alerting({
        alert: 'KubeAPIErrorsHigh',
        expr: 'apiserver_request:error_ratio_rate5m > 0.05',
        for: Duration.minutes(10),
        labels: warning,
        annotations: { summary: 'The API server answers more than 5% of requests with 5xx.', description: '{{ $value | humanizePercentage }} of API server requests fail.' },
      }),
    },
  ];
}

/** kube-state-metrics: crash-looping and unready pods, deployment replica mismatch, failed jobs. */
export function kubeStateMetricsRules(job: string): Array<RuleNeeds & { collector: string }> {
  const sel = selector(job);
  return [
    {
      collector: 'pods',
      metrics: ['kube_pod_container_status_waiting_reason'],
      rule: PrometheusRule.alerting({
        alert: 'KubePodCrashLooping',
        expr: `max_over_time(kube_pod_container_status_waiting_reason{${sel}, reason="CrashLoopBackOff"}[5m]) >= 1`,
        for: Duration.minutes(15),
        labels: warning,
        annotations: { summary: 'Pod is crash looping.', description: 'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} is in CrashLoopBackOff.' },
      }),
    },
    {
      collector: 'pods',
      metrics: ['kube_pod_status_phase'],
      rule: PrometheusRule.alerting({
        alert: 'KubePodNotReady',
        expr: `sum by (namespace, pod) (max by (namespace, pod) (kube_pod_status_phase{${sel}, phase=~"Pending|Unknown|Failed"})) > 0`,
        for: Duration.minutes(15),
        labels: warning,
        annotations: { summary: 'Pod has not been ready for 15 minutes.', description: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} is not ready.' },
      }),
    },
    {
      collector: 'deployments',
      metrics: ['kube_deployment_spec_replicas', 'kube_deployment_status_replicas_available', 'kube_deployment_status_replicas_updated'],
      rule: PrometheusRule.alerting({
        alert: 'KubeDeploymentReplicasMismatch',
        expr: `(
  kube_deployment_spec_replicas{${sel}} > kube_deployment_status_replicas_available{${sel}}
) and (
  changes(kube_deployment_status_replicas_updated{${sel}}[10m]) == 0
)`,
        for: Duration.minutes(15),
        labels: warning,
        annotations: { summary: 'Deployment has not matched its expected number of replicas.', description: 'Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has fewer available replicas than desired for 15 minutes.' },
      }),
    },
    {
      collector: 'jobs',
      metrics: ['kube_job_failed'],
      rule: PrometheusRule.alerting({
        alert: 'KubeJobFailed',
        expr: `kube_job_failed{${sel}} > 0`,
        for: Duration.minutes(15),
        labels: warning,
        annotations: { summary: 'Job failed to complete.', description: 'Job {{ $labels.namespace }}/{{ $labels.job_name }} failed.' },
      }),
    },
  ];
}

/** Prometheus itself: reloads, rule failures, targets down, compactions. */
export function selfMonitoringRules(prometheus: IPrometheus, job: string): PrometheusRuleGroupProps {
  const sel = selector(job);
  return {
    prometheus,
    groupName: 'prometheus',
    jobs: [job],
    rules: [
      PrometheusRule.alerting({
        alert: 'PrometheusConfigReloadFailed',
        expr: `max_over_time(prometheus_config_last_reload_successful{${sel}}[5m]) == 0`,
        for: Duration.minutes(10),
        labels: warning,
        annotations: { summary: 'Prometheus failed to reload its configuration.', description: 'Prometheus {{ $labels.instance }} keeps running its previous configuration: the new one was refused.' },
      }),
      PrometheusRule.alerting({
        alert: 'PrometheusRuleFailures',
        expr: `increase(prometheus_rule_evaluation_failures_total{${sel}}[5m]) > 0`,
        for: Duration.minutes(15),
        labels: critical,
        annotations: { summary: 'Prometheus is failing rule evaluations.', description: '{{ $value | humanize }} rule evaluations of group {{ $labels.rule_group }} failed in the last 5 minutes.' },
      }),
      PrometheusRule.alerting({
        alert: 'PrometheusScrapeTargetsDown',
        expr: 'count by (job) (up == 0) / count by (job) (up) > 0.1',
        for: Duration.minutes(10),
        labels: warning,
        annotations: { summary: 'More than 10% of a job\'s targets are down.', description: '{{ $value | humanizePercentage }} of the targets of job {{ $labels.job }} are down.' },
      }),
      PrometheusRule.alerting({
        alert: 'PrometheusTSDBCompactionsFailing',
        expr: `increase(prometheus_tsdb_compactions_failed_total{${sel}}[3h]) > 0`,
        for: Duration.hours(4),
        labels: warning,
        annotations: { summary: 'Prometheus has trouble compacting its TSDB.', description: '{{ $value | humanize }} compactions failed in the last 3 hours.' },
      }),
    ],
  };
}

/**
 * Alertmanager: a refused configuration, missing cluster members (with `replicas > 1`), failing
 * notifications.
 */
export function alertmanagerRules(job: string, replicas: number): RuleNeeds[] {
  const sel = selector(job);
  const rules: RuleNeeds[] = [
    {
      metrics: ['alertmanager_config_last_reload_successful'],
      rule: PrometheusRule.alerting({
        alert: 'AlertmanagerConfigReloadFailed',
        expr: `max_over_time(alertmanager_config_last_reload_successful{${sel}}[5m]) == 0`,
        for: Duration.minutes(10),
        labels: critical,
        annotations: { summary: 'Alertmanager failed to load its configuration.', description: 'Alertmanager {{ $labels.instance }} refused its configuration and keeps the previous one (or none).' },
      }),
    },
    {
      metrics: ['alertmanager_notifications_failed_total', 'alertmanager_notifications_total'],
      rule: PrometheusRule.alerting({
        alert: 'AlertmanagerNotificationsFailing',
        expr: `sum by (instance, integration) (rate(alertmanager_notifications_failed_total{${sel}}[5m]))
  / sum by (instance, integration) (rate(alertmanager_notifications_total{${sel}}[5m])) > 0.01`,
        for: Duration.minutes(5),
        labels: critical,
        annotations: { summary: 'Alertmanager fails to send notifications.', description: 'Alertmanager {{ $labels.instance }} fails {{ $value | humanizePercentage }} of its {{ $labels.integration }} notifications.' },
      }),
    },
  ];
  if (replicas > 1) {
    rules.push({
      metrics: ['alertmanager_cluster_members'],
      rule: PrometheusRule.alerting({
        alert: 'AlertmanagerClusterMembersMissing',
        expr: `max_over_time(alertmanager_cluster_members{${sel}}[5m]) < ${replicas}`,
        for: Duration.minutes(15),
        labels: critical,
        annotations: { summary: 'An Alertmanager sees fewer cluster members than there are replicas.', description: `Alertmanager {{ $labels.instance }} sees {{ $value }} of ${replicas} members: silences and notification state are not shared, notifications may be duplicated.` },
      }),
    });
  }
  return rules;
}

/** Control-plane components (ControlPlaneScrape): targets down, named after the component. */
export function controlPlaneRules(name: string, what: string): (job: string) => RuleNeeds[] {
  return job => targetDown(name, job, undefined, what);
}
