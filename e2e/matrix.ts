/**
 * Property test input: N random but valid combinations of construct options, each rendered to
 * a prometheus.yml (and its manifests) under OUT_DIR. The e2e config test feeds every file to the
 * real `promtool check config`; zero rejections are allowed.
 *
 *   ts-node e2e/matrix.ts OUT_DIR [COUNT=500] [SEED=20261125]
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Duration, Size } from 'cdk8s';
import {
  AnnotatedObjects, AnnotationScrape,
  ApiServerScrape, CadvisorMetrics, CadvisorScrape, DiscoveryRole, EndpointDiscovery, KubeletScrape, KubeStateMetrics,
  ControlPlaneComponent, ControlPlaneScrape, KubeletEndpoint, KubeletEndpointScrape, KubernetesScrape,
  KubeStateMetricsCollector, NameValidationScheme, PodPortScrape, PrometheusMode, PrometheusStack, PrometheusStorage,
  RelabelRule, RemoteWriteAuth, RemoteWriteEndpoint, RemoteWriteMessage, Scheme, ScrapeAuthorization, ScrapeOptions,
  SecretKey, ServiceScrape, StaticScrape, TlsVersion,
} from '../src';
import { rng, Rng } from './lib/rng';


const NAMESPACES = ['default', 'apps', 'payments', 'kube-system', 'team-a', 'team-b'];
const PORT_NAMES = ['metrics', 'http-metrics', 'web', 'prom', 'exporter-9100'];

/** Valid target relabel rules for a role (meta labels that role produces). */
function relabelPool(role: DiscoveryRole): RelabelRule[] {
  const common = [
    RelabelRule.copy('__address__', '__tmp_address'),
    RelabelRule.setLabel('team', 'platform'),
    RelabelRule.replace({ sourceLabels: ['__address__'], regex: '([^:]+)(?::\\d+)?', targetLabel: 'host', replacement: '${1}' }),
    RelabelRule.hashMod({ sourceLabels: ['__address__'], modulus: 4, targetLabel: '__tmp_shard' }),
    RelabelRule.labelDrop('__tmp_.*'),
    RelabelRule.replace({ sourceLabels: ['__scheme__', '__address__'], separator: '://', targetLabel: 'endpoint_url' }),
  ];
  const byRole: Record<string, RelabelRule[]> = {
    [DiscoveryRole.NODE]: [
      RelabelRule.labelMap({ regex: '__meta_kubernetes_node_label_(.+)', replacement: 'node_${1}' }),
      RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_node_label_kubernetes_io_os'], regex: 'linux' }),
      RelabelRule.copy('__meta_kubernetes_node_address_InternalIP', 'internal_ip'),
    ],
    [DiscoveryRole.POD]: [
      RelabelRule.labelMap({ regex: '__meta_kubernetes_pod_label_(.+)' }),
      RelabelRule.drop({ sourceLabels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], regex: 'false' }),
      RelabelRule.uppercase({ sourceLabels: ['__meta_kubernetes_pod_phase'], targetLabel: 'phase' }),
      RelabelRule.copy('__meta_kubernetes_pod_node_name', 'node'),
    ],
    [DiscoveryRole.ENDPOINT_SLICE]: [
      RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_endpointslice_endpoint_conditions_ready'], regex: 'true' }),
      RelabelRule.labelMap({ regex: '__meta_kubernetes_service_label_(.+)', replacement: 'svc_${1}' }),
      RelabelRule.lowercase({ sourceLabels: ['__meta_kubernetes_namespace'], targetLabel: 'ns' }),
      RelabelRule.copy('__meta_kubernetes_endpointslice_endpoint_node_name', 'node'),
    ],
    [DiscoveryRole.ENDPOINTS]: [
      RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_endpoint_ready'], regex: 'true' }),
      RelabelRule.copy('__meta_kubernetes_endpoint_node_name', 'node'),
      RelabelRule.keepEqual({ sourceLabels: ['__meta_kubernetes_service_name'], targetLabel: '__meta_kubernetes_endpoints_name' }),
    ],
  };
  return [...common, ...(byRole[role] ?? [])];
}

const METRIC_POOL = [
  RelabelRule.drop({ sourceLabels: ['__name__'], regex: 'go_gc_.*|process_.*' }),
  RelabelRule.labelDrop('id'),
  RelabelRule.keep({ sourceLabels: ['__name__'], regex: '.+' }),
  RelabelRule.replace({ sourceLabels: ['__name__'], regex: 'up', targetLabel: 'is_up', replacement: 'yes' }),
  RelabelRule.dropEqual({ sourceLabels: ['instance'], targetLabel: 'node' }),
];

function durationBelow(r: Rng, maxMs: number): Duration {
  const options = [1000, 2000, 5000, 10000, 15000, 20000, 30000, 45000, 60000, 90000, 120000, 300000, 500, 1500].filter(ms => ms <= maxMs);
  return Duration.millis(r.pick(options));
}

function commonOptions(r: Rng, role: DiscoveryRole, globalInterval: Duration, globalTimeout: Duration): ScrapeOptions {
  const interval = r.bool(0.4) ? durationBelow(r, 300000) : undefined;
  const effective = (interval ?? globalInterval).toMilliseconds();
  const timeout = r.bool(0.4) ? durationBelow(r, effective) : undefined;
  void globalTimeout;
  return {
    interval,
    timeout,
    sampleLimit: r.bool(0.3) ? r.int(0, 100000) : undefined,
    labelLimit: r.bool(0.2) ? r.int(0, 64) : undefined,
    relabelings: r.bool(0.5) ? r.some(relabelPool(role), 3) : undefined,
    metricRelabelings: r.bool(0.4) ? r.some(METRIC_POOL, 2) : undefined,
    jobLabel: r.bool(0.2) ? r.pick(['custom', 'kubelet', 'team-x', 'job with spaces']) : undefined,
  };
}

/**
 * remote_write endpoints (issue 12): every kind of credentials, queue, metadata, headers, write
 * relabelings, TLS and both protobuf messages. Drawn from a generator of their own (seeded by the
 * combination's index), so the scrape options of each combination stay what they were.
 */
function remoteWrites(r: Rng): RemoteWriteEndpoint[] {
  const count = r.int(1, 3);
  const out: RemoteWriteEndpoint[] = [];
  const awsKeys = { accessKey: SecretKey.of('aws-keys', 'access-key-id'), secretKey: SecretKey.of('aws-keys', 'secret-access-key') };
  for (let i = 0; i < count; i++) {
    const https = r.bool(0.6);
    const auth = r.pick(['none', 'bearer', 'basic', 'oauth2', 'sigv4', 'sigv4-keys', 'sigv4-role'] as const);
    const authorization = {
      'none': r.bool() ? RemoteWriteAuth.none() : undefined,
      'bearer': RemoteWriteAuth.bearerToken(SecretKey.of(`rw-${i}`, 'token')),
      'basic': RemoteWriteAuth.basicAuth(r.pick(['writer', 'agent', 'tenant-a']), SecretKey.of(`rw-${i}`, 'password')),
      'oauth2': RemoteWriteAuth.oauth2({
        clientId: 'prometheus',
        clientSecret: SecretKey.of('rw-oauth', 'client-secret'),
        tokenUrl: 'https://auth.example.com/oauth2/token',
        scopes: r.bool() ? ['metrics.write'] : undefined,
        endpointParams: r.bool(0.3) ? { audience: 'metrics' } : undefined,
      }),
      'sigv4': RemoteWriteAuth.sigV4(),
      'sigv4-keys': RemoteWriteAuth.sigV4({ region: 'eu-west-1', ...awsKeys, profile: r.bool(0.3) ? 'default' : undefined }),
      'sigv4-role': RemoteWriteAuth.sigV4({ region: 'us-east-1', roleArn: 'arn:aws:iam::123456789012:role/prometheus' }),
    }[auth];
    const minShards = r.bool(0.4) ? r.int(1, 10) : undefined;
    const minBackoffMs = r.bool(0.4) ? r.pick([10, 30, 100, 500, 1000]) : undefined;
    out.push({
      url: `${https ? 'https' : 'http'}://receiver-${i}.example.com:${r.pick([443, 8080, 9090])}/api/v1/${r.pick(['write', 'push'])}${r.bool(0.2) ? '?tenant=a' : ''}`,
      name: r.bool(0.7) ? `rw-${i}` : undefined,
      remoteTimeout: r.bool(0.3) ? Duration.seconds(r.pick([5, 10, 30, 60])) : undefined,
      headers: r.bool(0.3) ? { 'X-Scope-OrgID': r.pick(['team-a', 'team-b']) } : undefined,
      writeRelabelings: r.bool(0.4) ? r.some(METRIC_POOL, 2) : undefined,
      queue: r.bool(0.5) ? {
        capacity: r.bool() ? r.int(100, 50000) : undefined,
        minShards,
        maxShards: r.bool() ? (minShards ?? 1) + r.int(0, 40) : (minShards !== undefined && minShards > 50 ? minShards : undefined),
        maxSamplesPerSend: r.bool() ? r.int(100, 10000) : undefined,
        batchSendDeadline: r.bool() ? Duration.seconds(r.int(1, 30)) : undefined,
        minBackoff: minBackoffMs !== undefined ? Duration.millis(minBackoffMs) : undefined,
        maxBackoff: r.bool() ? Duration.millis((minBackoffMs ?? 30) * r.int(1, 50)) : undefined,
        retryOnHttp429: r.bool(0.3) ? r.bool() : undefined,
      } : undefined,
      metadata: r.bool(0.3) ? {
        send: r.bool(0.7),
        sendInterval: r.bool() ? Duration.minutes(r.int(1, 10)) : undefined,
        maxSamplesPerSend: r.bool() ? r.int(1, 5000) : undefined,
      } : undefined,
      authorization,
      tls: https && r.bool(0.5) ? {
        ca: SecretKey.of('rw-tls', 'ca.crt'),
        ...(r.bool(0.5) ? { cert: SecretKey.of('rw-tls', 'tls.crt'), key: SecretKey.of('rw-tls', 'tls.key') } : {}),
      } : undefined,
      protobufMessage: r.bool(0.3) ? r.pick([RemoteWriteMessage.V1, RemoteWriteMessage.V2]) : undefined,
    });
  }
  return out;
}

export function buildCombination(app: App, index: number, r: Rng): PrometheusStack {
  const rw = rng(1_000_003 + index);
  const remoteWrite = rw.bool(0.5) ? remoteWrites(rw) : undefined;
  const agent = remoteWrite !== undefined && rw.bool(0.4);
  const scrapeAuth = rw.bool(0.3);
  const chart = new Chart(app, `matrix-${index}`, { namespace: r.pick(['monitoring', 'observability', 'prom']) });
  const scrapeInterval = Duration.seconds(r.pick([5, 10, 15, 30, 60, 120]));
  const scrapeTimeout = durationBelow(r, scrapeInterval.toMilliseconds());
  const legacy = r.bool(0.2);
  const prometheus = new PrometheusStack(chart, 'prometheus', {
    mode: agent ? PrometheusMode.AGENT : undefined,
    remoteWrite,
    scrapeInterval,
    scrapeTimeout,
    evaluationInterval: Duration.seconds(r.pick([15, 30, 60, 90])),
    replicas: r.pick([1, 1, 2, 3]),
    externalLabels: r.bool(0.5) ? { cluster: r.pick(['prod', 'eu-1', 'dev']), ...(r.bool() ? { region: 'eu-west-1' } : {}) } : undefined,
    nameValidationScheme: legacy ? NameValidationScheme.LEGACY : undefined,
    // Drawn whatever the mode, so that the generator's sequence stays the same.
    retention: ((retention: Duration | undefined) => (agent ? undefined : retention))(
      r.bool(0.5) ? Duration.days(r.int(1, 400)) : (r.bool() ? Duration.hours(r.int(2, 72)) : undefined)),
    storage: r.bool(0.8)
      ? PrometheusStorage.persistent({ size: Size.gibibytes(r.pick([1, 8, 20, 50, 500])) })
      : PrometheusStorage.ephemeral(),
  });
  const opts = (role: DiscoveryRole) => {
    const o = commonOptions(r, role, scrapeInterval, scrapeTimeout);
    // the legacy scheme forbids some of our pool's label values as names? no: only names, all pool names are legacy-valid
    return o;
  };
  let n = 0;
  const jobName = (base: string) => `${base}-${n++}`;
  const kinds = r.some(['kubelet', 'cadvisor', 'apiserver', 'service', 'pod', 'ksm'] as const, 6);
  if (kinds.length === 0) kinds.push('kubelet');
  for (const kind of kinds) {
    const copies = r.int(1, 2);
    for (let c = 0; c < copies; c++) {
      switch (kind) {
        case 'kubelet':
          new KubeletScrape(chart, jobName('kubelet'), {
            prometheus,
            jobName: jobName('kubelet'),
            ...opts(DiscoveryRole.NODE),
            tls: r.bool(0.2) ? { insecureSkipVerify: true } : undefined,
          });
          break;
        case 'cadvisor':
          new CadvisorScrape(chart, jobName('cadvisor'), {
            prometheus,
            jobName: jobName('cadvisor'),
            ...opts(DiscoveryRole.NODE),
            metrics: r.pick([CadvisorMetrics.NONE, CadvisorMetrics.KUBE_PROMETHEUS, CadvisorMetrics.AGGRESSIVE]),
          });
          break;
        case 'apiserver': {
          const discovery = r.pick([EndpointDiscovery.ENDPOINT_SLICE, EndpointDiscovery.ENDPOINTS]);
          new ApiServerScrape(chart, jobName('apiserver'), {
            prometheus,
            jobName: jobName('apiserver'),
            discovery,
            ...opts(discovery === EndpointDiscovery.ENDPOINTS ? DiscoveryRole.ENDPOINTS : DiscoveryRole.ENDPOINT_SLICE),
          });
          break;
        }
        case 'service': {
          const discovery = r.pick([EndpointDiscovery.ENDPOINT_SLICE, EndpointDiscovery.ENDPOINTS]);
          new ServiceScrape(chart, jobName('services'), {
            prometheus,
            jobName: jobName('services'),
            discovery,
            namespaces: r.bool(0.6) ? r.some(NAMESPACES, 3).concat('default') : undefined,
            portName: r.bool(0.5) ? r.pick(PORT_NAMES) : undefined,
            scheme: r.bool(0.2) ? Scheme.HTTPS : undefined,
            metricsPath: r.bool(0.2) ? r.pick(['/metrics', '/internal/metrics', '/prometheus']) : undefined,
            authorization: scrapeAuth ? rw.pick([
              ScrapeAuthorization.bearerToken(SecretKey.of('scrape-creds', 'token')),
              ScrapeAuthorization.basicAuthFromSecret('prometheus', SecretKey.of('scrape-creds', 'password')),
            ]) : undefined,
            ...opts(discovery === EndpointDiscovery.ENDPOINTS ? DiscoveryRole.ENDPOINTS : DiscoveryRole.ENDPOINT_SLICE),
          });
          break;
        }
        case 'pod':
          new PodPortScrape(chart, jobName('pods'), {
            prometheus,
            jobName: jobName('pods'),
            portName: r.bool(0.5) ? r.pick(PORT_NAMES) : undefined,
            namespaces: r.bool(0.4) ? r.some(NAMESPACES, 2).concat('apps') : undefined,
            ...opts(DiscoveryRole.POD),
          });
          break;
        case 'ksm':
          if (c > 0) break; // one kube-state-metrics per namespace
          new KubeStateMetrics(chart, 'kube-state-metrics', {
            prometheus,
            jobName: jobName('ksm'),
            collectors: r.bool(0.5) ? r.some(Object.values(KubeStateMetricsCollector), 8).concat(KubeStateMetricsCollector.PODS) : undefined,
            ...opts(DiscoveryRole.ENDPOINT_SLICE),
          });
          break;
      }
    }
  }
  // Issue 16's constructs, from a generator of their own, so the combinations above stay as they were.
  const x = rng(index * 7919 + 16);
  if (x.bool(0.6)) {
    const objects = x.pick([AnnotatedObjects.SERVICE_ENDPOINTS, AnnotatedObjects.PODS]);
    const role = objects === AnnotatedObjects.PODS ? DiscoveryRole.POD : DiscoveryRole.ENDPOINT_SLICE;
    for (const slow of x.some([false, true], 2)) {
      new AnnotationScrape(chart, jobName('annotated'), {
        prometheus,
        objects,
        slow,
        annotationPrefix: x.bool(0.3) ? x.pick(['example.com', 'metrics.team-a.io']) : undefined,
        namespaces: x.bool(0.4) ? x.some(NAMESPACES, 2).concat('apps') : undefined,
        ...commonOptions(x, role, scrapeInterval, scrapeTimeout),
        jobName: jobName('annotated'),
        interval: slow ? undefined : commonOptions(x, role, scrapeInterval, scrapeTimeout).interval,
        timeout: undefined,
      });
    }
  }
  if (x.bool(0.5)) {
    const hosts = ['db-1.example.com', '192.0.2.10', '[2001:db8::10]', 'edge.example.net', '[::1]'];
    new StaticScrape(chart, jobName('static'), {
      prometheus,
      targets: x.some(hosts, 3).concat('static.example.org').map((h, i) => ({
        address: `${h}:${x.pick([80, 443, 9100, 9187])}`,
        labels: x.bool(0.5) ? { role: x.pick(['primary', 'replica']), ...(i % 2 ? { zone: 'b' } : {}) } : undefined,
      })),
      scheme: x.bool(0.3) ? Scheme.HTTPS : undefined,
      metricsPath: x.bool(0.3) ? '/prometheus' : undefined,
      params: x.bool(0.2) ? { module: ['if_mib'] } : undefined,
      // promtool checks that credential files exist: Secret keys are covered by the cluster test.
      tls: x.bool(0.2) ? { serverName: 'static.example.org', minVersion: TlsVersion.TLS13 } : undefined,
      ...commonOptions(x, DiscoveryRole.NODE, scrapeInterval, scrapeTimeout),
      relabelings: x.bool(0.4) ? [RelabelRule.setLabel('site', 'fra'), RelabelRule.copy('__address__', 'target')] : undefined,
      jobName: jobName('static'),
    });
  }
  if (x.bool(0.6)) {
    const role = x.pick([DiscoveryRole.POD, DiscoveryRole.ENDPOINT_SLICE, DiscoveryRole.ENDPOINTS, DiscoveryRole.NODE, DiscoveryRole.SERVICE]);
    const selectors: Record<string, Array<{ role: DiscoveryRole; label?: string; field?: string }>> = {
      [DiscoveryRole.POD]: [{ role: DiscoveryRole.POD, label: 'app.kubernetes.io/name in (web,api),!canary', field: 'status.phase=Running' },
        { role: DiscoveryRole.NODE, label: 'kubernetes.io/os=linux' }],
      [DiscoveryRole.ENDPOINT_SLICE]: [{ role: DiscoveryRole.SERVICE, label: 'team=a' }, { role: DiscoveryRole.POD, field: 'spec.nodeName!=' },
        { role: DiscoveryRole.ENDPOINT_SLICE, label: 'endpointslice.kubernetes.io/managed-by' }],
      [DiscoveryRole.ENDPOINTS]: [{ role: DiscoveryRole.ENDPOINTS, field: 'metadata.name!=kubernetes' }, { role: DiscoveryRole.SERVICE, label: 'tier notin (test)' }],
      [DiscoveryRole.NODE]: [{ role: DiscoveryRole.NODE, label: 'node-role.kubernetes.io/worker', field: 'spec.unschedulable=false' }],
      [DiscoveryRole.SERVICE]: [{ role: DiscoveryRole.SERVICE, field: 'spec.type=ClusterIP' }],
    };
    const nodeMeta = role !== DiscoveryRole.NODE && role !== DiscoveryRole.SERVICE && x.bool(0.5);
    const nsMeta = role !== DiscoveryRole.NODE && x.bool(0.4);
    new KubernetesScrape(chart, jobName('custom'), {
      prometheus,
      role,
      namespaces: role !== DiscoveryRole.NODE && x.bool(0.5) ? x.some(NAMESPACES, 2).concat('apps') : undefined,
      selectors: x.bool(0.7) ? x.some(selectors[role], 2) : undefined,
      attachNodeMetadata: nodeMeta || undefined,
      attachNamespaceMetadata: nsMeta || undefined,
      ...commonOptions(x, role, scrapeInterval, scrapeTimeout),
      relabelings: [
        ...(nodeMeta ? [RelabelRule.copy('__meta_kubernetes_node_label_topology_kubernetes_io_zone', 'zone')] : []),
        ...(nsMeta ? [RelabelRule.copy('__meta_kubernetes_namespace_label_team', 'team')] : []),
      ],
      jobName: jobName('custom'),
    });
  }
  for (const endpoint of x.some([KubeletEndpoint.PROBES, KubeletEndpoint.RESOURCE], 1)) {
    new KubeletEndpointScrape(chart, jobName('kubelet-endpoint'), {
      prometheus, endpoint, jobName: jobName('kubelet-endpoint'), ...commonOptions(x, DiscoveryRole.NODE, scrapeInterval, scrapeTimeout),
    });
  }
  // etcd needs a client certificate, whose files promtool would look for: covered by the cluster test.
  for (const component of x.some([ControlPlaneComponent.SCHEDULER, ControlPlaneComponent.CONTROLLER_MANAGER,
    ControlPlaneComponent.KUBE_PROXY, ControlPlaneComponent.COREDNS], 2)) {
    const https = component === ControlPlaneComponent.SCHEDULER || component === ControlPlaneComponent.CONTROLLER_MANAGER;
    new ControlPlaneScrape(chart, jobName('control-plane'), {
      prometheus,
      component,
      namespace: x.bool(0.2) ? 'control-plane' : undefined,
      port: x.bool(0.2) ? x.pick([8080, 9100, 10259]) : undefined,
      tls: https && x.bool(0.5) ? { insecureSkipVerify: true } : undefined,
      ...commonOptions(x, DiscoveryRole.POD, scrapeInterval, scrapeTimeout),
      jobName: jobName('control-plane'),
    });
  }
  return prometheus;
}

if (require.main === module) {
  const [outDir, countArg, seedArg] = process.argv.slice(2);
  if (!outDir) throw new Error('usage: matrix.ts OUT_DIR [COUNT] [SEED]');
  const count = Number(countArg ?? 500);
  const seed = Number(seedArg ?? 20261125);
  const r = rng(seed);
  fs.mkdirSync(outDir, { recursive: true });
  let jobs = 0;
  for (let i = 0; i < count; i++) {
    const app = new App({ outdir: path.join(outDir, `manifests-${i}`) });
    const prometheus = buildCombination(app, i, r);
    app.synth();
    jobs += prometheus.scrapes.length;
    // Agent-mode configs are named *.agent.prometheus.yml: the config test checks them with --agent too.
    const agent = prometheus.mode === PrometheusMode.AGENT ? '.agent' : '';
    fs.writeFileSync(path.join(outDir, `matrix-${String(i).padStart(4, '0')}${agent}.prometheus.yml`), prometheus.renderConfig());
  }
  console.log(`matrix: ${count} combinations (seed ${seed}), ${jobs} scrape jobs, written to ${outDir}`);
}
