/**
 * One snippet per construct, as shown in the README (a test checks that every README code block
 * appears verbatim in an example file, so the README only shows code that compiles).
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import {
  AlertMatcher, AnnotatedObjects, AnnotationScrape, ApiServerScrape, BlackboxExporter, BlackboxModule, CadvisorMetrics,
  CadvisorScrape, ControlPlaneComponent, ControlPlaneScrape, DiscoveryRole, EndpointDiscovery, IngressProbe,
  KubeletEndpoint, KubeletEndpointScrape, KubeletScrape, KubernetesScrape, KubeStateMetrics, KubeStateMetricsCollector,
  NodeExporter, PodPortScrape, PrometheusStack, PrometheusStorage, RelabelRule, RemoteWriteAuth, RemoteWriteMessage,
  Scheme, ScrapeAuthorization, SecretKey, ServiceProbe, ServiceScrape, StaticScrape,
} from '../src';

export function constructsChart(app: App): Chart {
  const chart = new Chart(app, 'constructs', { namespace: 'monitoring' });

  // --- PrometheusStack
  const prometheus = new PrometheusStack(chart, 'prometheus', {
    scrapeInterval: Duration.seconds(30),
    retention: Duration.days(30),
    storage: PrometheusStorage.persistent({ size: Size.gibibytes(50), storageClassName: 'ssd' }),
    replicas: 2,
    externalLabels: { cluster: 'eu-1' },
    allowFromNamespaces: ['grafana'],
  });
  // --- end

  // --- KubeletScrape
  new KubeletScrape(chart, 'kubelet', { prometheus });
  // --- end

  // --- KubeletEndpointScrape
  new KubeletEndpointScrape(chart, 'kubelet-probes', { prometheus, endpoint: KubeletEndpoint.PROBES });
  new KubeletEndpointScrape(chart, 'kubelet-resource', { prometheus, endpoint: KubeletEndpoint.RESOURCE });
  // --- end

  // --- CadvisorScrape
  new CadvisorScrape(chart, 'cadvisor', {
    prometheus,
    metrics: CadvisorMetrics.AGGRESSIVE,
    interval: Duration.seconds(15),
  });
  // --- end

  // --- ApiServerScrape
  new ApiServerScrape(chart, 'apiserver', { prometheus, discovery: EndpointDiscovery.ENDPOINT_SLICE });
  // --- end

  // --- ServiceScrape
  new ServiceScrape(chart, 'services', {
    prometheus,
    namespaces: ['shop', 'payments'],
    portName: 'metrics',
    metricRelabelings: [RelabelRule.drop({ sourceLabels: ['__name__'], regex: 'go_gc_.*' })],
  });
  // --- end

  // --- PodPortScrape
  new PodPortScrape(chart, 'pods', { prometheus, portName: 'metrics', sampleLimit: 20_000 });
  // --- end

  // --- KubeStateMetrics
  new KubeStateMetrics(chart, 'kube-state-metrics', {
    prometheus,
    collectors: [
      KubeStateMetricsCollector.PODS, KubeStateMetricsCollector.DEPLOYMENTS,
      KubeStateMetricsCollector.NODES, KubeStateMetricsCollector.JOBS,
    ],
  });
  // --- end

  // --- BlackboxExporter
  const healthz = BlackboxModule.http({ name: 'https_200', validStatusCodes: [200], failIfNotSsl: true });
  const blackboxExporter = new BlackboxExporter(chart, 'blackbox', {
    prometheus,
    modules: [BlackboxModule.http2xx(), BlackboxModule.tcpConnect(), healthz],
  });
  // --- end

  // --- ServiceProbe
  new ServiceProbe(chart, 'service-probes', {
    prometheus,
    blackboxExporter,
    namespaces: ['shop', 'payments'],
    optInAnnotation: 'prometheus.io/probe',
  });
  // --- end

  // --- IngressProbe
  new IngressProbe(chart, 'ingress-probes', { prometheus, blackboxExporter, module: healthz });
  // --- end

  // --- AnnotationScrape
  new AnnotationScrape(chart, 'annotated-services', { prometheus });
  new AnnotationScrape(chart, 'annotated-services-slow', { prometheus, slow: true });
  new AnnotationScrape(chart, 'annotated-pods', { prometheus, objects: AnnotatedObjects.PODS, namespaces: ['shop'] });
  // --- end

  // --- StaticScrape
  new StaticScrape(chart, 'databases', {
    prometheus,
    targets: [
      { address: 'db-1.example.com:9187', labels: { role: 'primary' } },
      { address: '[2001:db8::10]:9187', labels: { role: 'replica' } },
    ],
    scheme: Scheme.HTTPS,
    tls: { ca: SecretKey.of('db-metrics', 'ca.crt') },
    authorization: ScrapeAuthorization.bearerToken(SecretKey.of('db-metrics', 'token')),
  });
  // --- end

  // --- KubernetesScrape
  new KubernetesScrape(chart, 'gpu-pods', {
    prometheus,
    role: DiscoveryRole.POD,
    namespaces: ['ml'],
    selectors: [
      { label: 'app.kubernetes.io/part-of=trainer', field: 'status.phase=Running' },
      { role: DiscoveryRole.NODE, label: 'accelerator' },
    ],
    attachNodeMetadata: true,
    relabelings: [
      RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_pod_container_port_name'], regex: 'metrics' }),
      RelabelRule.copy('__meta_kubernetes_node_label_accelerator', 'accelerator'),
    ],
  });
  // --- end

  // --- ControlPlaneScrape
  new ControlPlaneScrape(chart, 'coredns', { prometheus, component: ControlPlaneComponent.COREDNS }).addRules();
  new ControlPlaneScrape(chart, 'kube-proxy', { prometheus, component: ControlPlaneComponent.KUBE_PROXY });
  // Self-managed control planes only (not EKS, GKE or AKS):
  new ControlPlaneScrape(chart, 'scheduler', {
    prometheus,
    component: ControlPlaneComponent.SCHEDULER,
    tls: { insecureSkipVerify: true }, // kubeadm's self-signed serving certificate
  }).addRules();
  new ControlPlaneScrape(chart, 'etcd', {
    prometheus,
    component: ControlPlaneComponent.ETCD,
    tls: { ca: SecretKey.of('etcd-client', 'ca.crt'), cert: SecretKey.of('etcd-client', 'tls.crt'), key: SecretKey.of('etcd-client', 'tls.key') },
  });
  // --- end

  // --- NodeExporter
  new NodeExporter(chart, 'node-exporter', { prometheus, namespace: 'node-exporter' });
  // --- end

  // --- remote_write
  const central = new PrometheusStack(chart, 'central', {
    name: 'central',
    remoteWrite: [
      {
        url: 'https://mimir.example.com/api/v1/push',
        name: 'mimir',
        headers: { 'X-Scope-OrgID': 'team-a' },
        authorization: RemoteWriteAuth.oauth2({
          clientId: 'prometheus',
          clientSecret: SecretKey.of('mimir-oauth', 'client-secret'),
          tokenUrl: 'https://auth.example.com/oauth2/token',
          scopes: ['metrics.write'],
        }),
        tls: { ca: SecretKey.of('mimir-ca', 'ca.crt') },
        queue: { minShards: 2, maxShards: 20, capacity: 20000, retryOnHttp429: true },
        metadata: { sendInterval: Duration.minutes(5) },
        protobufMessage: RemoteWriteMessage.V2,
      },
      {
        url: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1234/api/v1/remote_write',
        name: 'amp',
        authorization: RemoteWriteAuth.sigV4({ region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/prometheus-remote-write' }),
        writeRelabelings: [RelabelRule.keep({ sourceLabels: ['__name__'], regex: 'up|node_.*|kube_.*' })],
      },
    ],
  });
  central.addKubeletScrape('kubelet');
  // --- end

  // --- Alertmanager
  const alertmanager = prometheus.addAlertmanager('alertmanager', {
    replicas: 2,
    route: {
      receiver: 'platform-chat',
      groupBy: ['alertname', 'namespace'],
      groupWait: Duration.seconds(30),
      groupInterval: Duration.minutes(5),
      repeatInterval: Duration.hours(4),
      routes: [
        // Critical alerts of team db page, all day; everything of team db also goes to their chat.
        {
          matchers: [AlertMatcher.equal('team', 'db'), AlertMatcher.equal('severity', 'critical')],
          receiver: 'db-pager',
          continueMatching: true,
        },
        { matchers: [AlertMatcher.equal('team', 'db')], receiver: 'db-chat', muteTimeIntervals: ['db-maintenance'] },
        // Team shop: critical pages in office hours only, the rest goes to their email.
        {
          matchers: [AlertMatcher.regex('team', 'shop|payments')],
          receiver: 'shop-email',
          routes: [{ matchers: [AlertMatcher.equal('severity', 'critical')], receiver: 'shop-pager', activeTimeIntervals: ['office-hours'] }],
        },
      ],
    },
    receivers: [
      { name: 'platform-chat', slack: [{ apiUrl: SecretKey.of('alerting', 'slack-url'), channel: '#platform-alerts', sendResolved: true }] },
      { name: 'db-pager', pagerDuty: [{ routingKey: SecretKey.of('alerting', 'pagerduty-db') }] },
      { name: 'db-chat', msTeams: [{ webhookUrl: SecretKey.of('alerting', 'teams-db') }] },
      { name: 'shop-email', emails: [{ to: 'shop-oncall@example.org' }] },
      { name: 'shop-pager', opsgenie: [{ apiKey: SecretKey.of('alerting', 'opsgenie-shop'), priority: 'P1' }] },
    ],
    global: { smtpSmarthost: 'smtp.example.org:587', smtpFrom: 'alertmanager@example.org', smtpAuthUsername: 'alertmanager', smtpAuthPassword: SecretKey.of('alerting', 'smtp-password') },
    // A critical alert mutes the warnings of the same alert name in the same namespace.
    inhibitRules: [{
      sourceMatchers: [AlertMatcher.equal('severity', 'critical')],
      targetMatchers: [AlertMatcher.equal('severity', 'warning')],
      equal: ['alertname', 'namespace'],
    }],
    timeIntervals: [
      { name: 'office-hours', periods: [{ weekdays: ['monday:friday'], times: [{ startTime: '08:00', endTime: '18:00' }], location: 'Europe/Berlin' }] },
      { name: 'db-maintenance', periods: [{ weekdays: ['sunday'], times: [{ startTime: '02:00', endTime: '04:00' }], location: 'Europe/Berlin' }] },
    ],
  });
  alertmanager.addRules();
  // --- end

  return chart;
}
