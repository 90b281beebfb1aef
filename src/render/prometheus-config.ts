import { Duration, Yaml } from 'cdk8s';
import { compact } from './shared';
import { AlertmanagerEndpoint } from '../model/alerting';
import { AuthorizationType, ScrapeAuthorization, ScrapeTlsOptions } from '../model/endpoint';
import { JobSpec } from '../model/job';
import { RelabelRule } from '../model/relabel';
import { PROMETHEUS_SECRETS_DIR, secretFilePath } from '../model/secret';
import { NameValidationScheme, promDuration } from '../model/validation';
import { PrometheusRuleGroup } from '../rules/prometheus-rule-group';

/**
 * The one place that writes Prometheus configuration keys (snake_case). Everything else in the
 * library works with the typed model.
 */

/** The `global` block and the settings that live beside it. */
export interface GlobalSpec {
  readonly scrapeInterval: Duration;
  readonly scrapeTimeout: Duration;
  readonly evaluationInterval: Duration;
  readonly externalLabels: Record<string, string>;
  readonly nameValidationScheme: NameValidationScheme;
  /** Retention, written in the config file's storage block. */
  readonly retentionTime?: Duration;
  /** Retention size in bytes. */
  readonly retentionSizeBytes?: number;
  /** Paths of the rule files Prometheus loads. */
  readonly ruleFiles?: string[];
  /** Where alerts go. */
  readonly alertmanagers?: AlertmanagerEndpoint[];
}

/** Bytes as a Prometheus size (`units.Base2Bytes`): the largest unit that divides exactly. */
export function promSize(bytes: number): string {
  const units: Array<[string, number]> = [['TB', 2 ** 40], ['GB', 2 ** 30], ['MB', 2 ** 20], ['KB', 2 ** 10]];
  for (const [unit, size] of units) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}

export function renderRelabelRule(rule: RelabelRule): Record<string, unknown> {
  return compact({
    source_labels: rule.sourceLabels,
    separator: rule.separator,
    regex: rule.regex,
    modulus: rule.modulus,
    target_label: rule.targetLabel,
    replacement: rule.replacement,
    action: rule.action,
  });
}

/** The file a credential is read from: a mounted Secret key, or the user's own path. */
function credentialsFile(auth: ScrapeAuthorization): string | undefined {
  return auth.secret ? secretFilePath(PROMETHEUS_SECRETS_DIR, auth.secret) : auth.file;
}

function renderTls(tls: ScrapeTlsOptions | undefined): Record<string, unknown> | undefined {
  if (!tls) return undefined;
  return compact({
    ca_file: tls.ca ? secretFilePath(PROMETHEUS_SECRETS_DIR, tls.ca) : tls.caFile,
    cert_file: tls.cert ? secretFilePath(PROMETHEUS_SECRETS_DIR, tls.cert) : tls.certFile,
    key_file: tls.key ? secretFilePath(PROMETHEUS_SECRETS_DIR, tls.key) : tls.keyFile,
    server_name: tls.serverName,
    insecure_skip_verify: tls.insecureSkipVerify ? true : undefined,
    min_version: tls.minVersion,
  });
}

function renderJob(job: JobSpec): Record<string, unknown> {
  const auth = job.authorization;
  const sd = job.role ? compact({
    role: job.role as string,
    namespaces: job.namespaces ? { names: job.namespaces } : undefined,
    selectors: job.selectors?.map(s => compact({ role: s.role as string, label: s.label, field: s.field })),
    attach_metadata: job.attachNodeMetadata || job.attachNamespaceMetadata
      ? compact({ node: job.attachNodeMetadata || undefined, namespace: job.attachNamespaceMetadata || undefined }) : undefined,
  }) : undefined;
  return compact({
    job_name: job.jobName,
    scrape_interval: job.interval ? promDuration(job.interval) : undefined,
    scrape_timeout: job.timeout ? promDuration(job.timeout) : undefined,
    scheme: job.scheme,
    metrics_path: job.metricsPath,
    params: job.params,
    http_headers: job.httpHeaders
      ? Object.fromEntries(Object.entries(job.httpHeaders).map(([k, v]) => [k, { values: [v] }]))
      : undefined,
    honor_labels: job.honorLabels,
    honor_timestamps: job.honorTimestamps,
    sample_limit: job.sampleLimit || undefined,
    label_limit: job.labelLimit || undefined,
    authorization: auth?.type === AuthorizationType.BEARER_FILE ? { type: 'Bearer', credentials_file: credentialsFile(auth) } : undefined,
    basic_auth: auth?.type === AuthorizationType.BASIC ? { username: auth.username, password_file: credentialsFile(auth) } : undefined,
    tls_config: renderTls(job.tls),
    kubernetes_sd_configs: sd ? [sd] : undefined,
    static_configs: job.staticConfigs?.map(c => compact({ targets: c.targets, labels: c.labels }))
      ?? (job.staticTargets ? [{ targets: job.staticTargets }] : undefined),
    relabel_configs: job.relabelings.map(renderRelabelRule),
    metric_relabel_configs: job.metricRelabelings.map(renderRelabelRule),
  });
}

/** The whole `prometheus.yml`. */
export function renderPrometheusConfig(global: GlobalSpec, jobs: JobSpec[]): string {
  const retention = compact({
    time: global.retentionTime ? promDuration(global.retentionTime) : undefined,
    size: global.retentionSizeBytes ? promSize(global.retentionSizeBytes) : undefined,
  });
  const doc = compact({
    global: compact({
      scrape_interval: promDuration(global.scrapeInterval),
      scrape_timeout: promDuration(global.scrapeTimeout),
      evaluation_interval: promDuration(global.evaluationInterval),
      metric_name_validation_scheme: global.nameValidationScheme === NameValidationScheme.LEGACY ? 'legacy' : undefined,
      external_labels: global.externalLabels,
    }),
    storage: Object.keys(retention).length ? { tsdb: { retention } } : undefined,
    rule_files: global.ruleFiles,
    alerting: global.alertmanagers?.length
      ? { alertmanagers: global.alertmanagers.map(am => ({ scheme: am.scheme, static_configs: [{ targets: am.targets }] })) }
      : undefined,
    scrape_configs: jobs.map(renderJob),
  });
  return Yaml.stringify(doc);
}

/** The rules file: every group, in registration order. */
export function renderRules(groups: PrometheusRuleGroup[]): string {
  return Yaml.stringify({
    groups: groups.map(g => compact({
      name: g.groupName,
      interval: g.interval ? promDuration(g.interval) : undefined,
      rules: g.rules.map(r => compact({
        record: r.record,
        alert: r.alert,
        expr: r.expr,
        for: r.forDuration ? promDuration(r.forDuration) : undefined,
        keep_firing_for: r.keepFiringFor ? promDuration(r.keepFiringFor) : undefined,
        labels: r.labels,
        annotations: r.annotations,
      })),
    })),
  });
}
