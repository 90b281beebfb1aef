/**
 * Opt-in and fixed targets: the Prometheus Helm chart's annotation jobs for the Services and pods
 * of the `annotated` namespace, and static targets outside the cluster, one of them over HTTPS
 * with a CA and a bearer token from a Secret. The end-to-end suite runs it against
 * e2e/cluster/annotations.yaml and fake targets; and the kubelet's /metrics/probes and
 * /metrics/resource.
 */
import { App, Chart, Duration } from 'cdk8s';
import {
  AnnotatedObjects, AnnotationScrape, ControlPlaneComponent, ControlPlaneScrape,
  DiscoveryRole, KubeletEndpoint, KubeletEndpointScrape, KubernetesScrape, PrometheusStack, RelabelRule,
  Scheme, ScrapeAuthorization, SecretKey, StaticScrape,
} from '../src';

export function discoveryStack(app: App): Chart {
  const chart = new Chart(app, 'discovery', { namespace: 'monitoring' });
  const prometheus = new PrometheusStack(chart, 'prometheus', { scrapeInterval: Duration.seconds(10) });
  new AnnotationScrape(chart, 'annotated-services', { prometheus, namespaces: ['annotated'] });
  new AnnotationScrape(chart, 'annotated-services-slow', { prometheus, namespaces: ['annotated'], slow: true });
  new AnnotationScrape(chart, 'annotated-pods', { prometheus, namespaces: ['annotated'], objects: AnnotatedObjects.PODS });
  new StaticScrape(chart, 'edge', {
    prometheus,
    targets: [{ address: 'edge.example.net:9443', labels: { site: 'fra' } }],
    scheme: Scheme.HTTPS,
    metricsPath: '/prometheus',
    params: { module: ['default'] },
    tls: { ca: SecretKey.of('edge-scrape', 'ca.crt') },
    authorization: ScrapeAuthorization.bearerToken(SecretKey.of('edge-scrape', 'token')),
  });
  new StaticScrape(chart, 'databases', {
    prometheus,
    targets: [
      { address: 'db-1.example.com:9187', labels: { role: 'primary' } },
      { address: '192.0.2.10:9187', labels: { role: 'replica' } },
      { address: '[2001:db8::10]:9187' },
    ],
  });
  // A job of our own: running pods of some apps, with the labels of their node.
  new KubernetesScrape(chart, 'custom-pods', {
    prometheus,
    role: DiscoveryRole.POD,
    namespaces: ['annotated'],
    selectors: [
      { label: 'app in (plain,v6,done)', field: 'status.phase=Running' },
      { role: DiscoveryRole.NODE, label: 'kubernetes.io/os=linux' },
    ],
    attachNodeMetadata: true,
    relabelings: [
      RelabelRule.copy('__meta_kubernetes_pod_name', 'pod'),
      RelabelRule.copy('__meta_kubernetes_pod_container_port_name', 'port'),
      RelabelRule.copy('__meta_kubernetes_node_label_kubernetes_io_hostname', 'hostname'),
    ],
  });
  // The kubelet's other endpoints, through nodes/metrics.
  new KubeletEndpointScrape(chart, 'kubelet-probes', { prometheus, endpoint: KubeletEndpoint.PROBES });
  new KubeletEndpointScrape(chart, 'kubelet-resource', { prometheus, endpoint: KubeletEndpoint.RESOURCE });
  // The control plane, from its pods in kube-system.
  new ControlPlaneScrape(chart, 'scheduler', { prometheus, component: ControlPlaneComponent.SCHEDULER, tls: { insecureSkipVerify: true } });
  new ControlPlaneScrape(chart, 'controller-manager', { prometheus, component: ControlPlaneComponent.CONTROLLER_MANAGER, tls: { insecureSkipVerify: true } });
  new ControlPlaneScrape(chart, 'etcd', {
    prometheus,
    component: ControlPlaneComponent.ETCD,
    tls: { ca: SecretKey.of('etcd-client', 'ca.crt'), cert: SecretKey.of('etcd-client', 'tls.crt'), key: SecretKey.of('etcd-client', 'tls.key') },
  });
  new ControlPlaneScrape(chart, 'kube-proxy', { prometheus, component: ControlPlaneComponent.KUBE_PROXY }).addRules();
  new ControlPlaneScrape(chart, 'coredns', { prometheus, component: ControlPlaneComponent.COREDNS }).addRules();
  return chart;
}
