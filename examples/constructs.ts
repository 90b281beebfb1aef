/**
 * One snippet per construct, as shown in the README (a test checks that every README code block
 * appears verbatim in an example file, so the README only shows code that compiles).
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import {
  AnnotatedObjects, AnnotationScrape,
  ApiServerScrape, BlackboxExporter, ControlPlaneComponent, ControlPlaneScrape,
  BlackboxModule, CadvisorMetrics, CadvisorScrape, DiscoveryRole, EndpointDiscovery, KubeletScrape,
  KubeletEndpoint, KubeletEndpointScrape, KubernetesScrape, KubeStateMetrics,
  KubeStateMetricsCollector, IngressProbe, NodeExporter, PodPortScrape, PrometheusStack, PrometheusStorage, RelabelRule, Scheme,
  ScrapeAuthorization, SecretKey, ServiceProbe, ServiceScrape, StaticScrape,
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

  return chart;
}
