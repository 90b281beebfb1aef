import { Duration, Yaml } from 'cdk8s';
import { compact } from './shared';
import { AlertmanagerDiscovery, AlertmanagerEndpoint } from '../model/alerting';
import { AuthorizationType, ScrapeAuthorization, ScrapeTlsOptions } from '../model/endpoint';
import { JobSpec } from '../model/job';
import { RelabelRule } from '../model/relabel';
import { RemoteWriteAuthType, RemoteWriteSpec } from '../model/remote-write';
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
  /** Where samples go. */
  readonly remoteWrite?: RemoteWriteSpec[];
  /** Alertmanagers in the cluster, every replica found by Kubernetes discovery. */
  readonly alertmanagerDiscovery?: AlertmanagerDiscovery[];
  /** Labels dropped from alerts before they are sent (the `replica` label of HA pairs). */
  readonly alertLabelDrop?: string[];
}

/** One `alertmanagers` entry per Alertmanager found by discovery: its headless Service, port by name. */
function renderAlertmanagerDiscovery(am: AlertmanagerDiscovery): Record<string, unknown> {
  return {
    scheme: 'http',
    kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: [am.namespace] } }],
    relabel_configs: [{
      source_labels: ['__meta_kubernetes_service_name', '__meta_kubernetes_endpointslice_port_name'],
      regex: `${am.serviceName};${am.portName}`,
      action: 'keep',
    }],
  };
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

function renderRemoteWrite(rw: RemoteWriteSpec): Record<string, unknown> {
  const auth = rw.authorization;
  const file = auth?.secret ? secretFilePath(PROMETHEUS_SECRETS_DIR, auth.secret) : undefined;
  const oauth2 = auth?.oauth2Options;
  const sigv4 = auth?.sigV4Options;
  const q = rw.queue;
  const m = rw.metadata;
  const queue = q ? compact({
    capacity: q.capacity,
    min_shards: q.minShards,
    max_shards: q.maxShards,
    max_samples_per_send: q.maxSamplesPerSend,
    batch_send_deadline: q.batchSendDeadline ? promDuration(q.batchSendDeadline) : undefined,
    min_backoff: q.minBackoff ? promDuration(q.minBackoff) : undefined,
    max_backoff: q.maxBackoff ? promDuration(q.maxBackoff) : undefined,
    retry_on_http_429: q.retryOnHttp429,
  }) : undefined;
  // metadata_config has no omitempty on send and send_interval: write both, with the defaults.
  const metadata = m ? compact({
    send: m.send ?? true,
    send_interval: promDuration(m.sendInterval ?? Duration.minutes(1)),
    max_samples_per_send: m.maxSamplesPerSend,
  }) : undefined;
  const out = compact({
    url: rw.url,
    name: rw.name,
    remote_timeout: rw.remoteTimeout ? promDuration(rw.remoteTimeout) : undefined,
    headers: rw.headers && Object.keys(rw.headers).length ? rw.headers : undefined,
    protobuf_message: rw.protobufMessage,
    write_relabel_configs: rw.writeRelabelings?.length ? rw.writeRelabelings.map(renderRelabelRule) : undefined,
    authorization: auth?.type === RemoteWriteAuthType.BEARER ? { type: 'Bearer', credentials_file: file } : undefined,
    basic_auth: auth?.type === RemoteWriteAuthType.BASIC ? { username: auth.username, password_file: file } : undefined,
    oauth2: oauth2 ? compact({
      client_id: oauth2.clientId,
      client_secret_file: file,
      token_url: oauth2.tokenUrl,
      scopes: oauth2.scopes?.length ? oauth2.scopes : undefined,
      endpoint_params: oauth2.endpointParams && Object.keys(oauth2.endpointParams).length ? oauth2.endpointParams : undefined,
    }) : undefined,
    tls_config: renderTls(rw.tls),
    queue_config: queue && Object.keys(queue).length ? queue : undefined,
    metadata_config: metadata,
  });
  // Written even when empty (`sigv4: {}` means: sign with the default credential chain). Static
  // keys come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), never the file.
  return sigv4 ? { ...out, sigv4: compact({ region: sigv4.region, profile: sigv4.profile, role_arn: sigv4.roleArn }) } : out;
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
    alerting: global.alertmanagers?.length || global.alertmanagerDiscovery?.length
      ? compact({
        alert_relabel_configs: global.alertLabelDrop?.length
          ? global.alertLabelDrop.map(l => ({ action: 'labeldrop', regex: l }))
          : undefined,
        alertmanagers: [
          ...(global.alertmanagers ?? []).map(am => ({ scheme: am.scheme, static_configs: [{ targets: am.targets }] })),
          ...(global.alertmanagerDiscovery ?? []).map(renderAlertmanagerDiscovery),
        ],
      })
      : undefined,
    scrape_configs: jobs.map(renderJob),
    remote_write: global.remoteWrite?.length ? global.remoteWrite.map(renderRemoteWrite) : undefined,
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
