/**
 * One snippet per construct, as shown in the README (a test checks that every README code block
 * appears verbatim in an example file, so the README only shows code that compiles).
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import {
  ApiServerScrape, CadvisorMetrics, CadvisorScrape, EndpointDiscovery, KubeletScrape, KubeStateMetrics,
  KubeStateMetricsCollector, PodPortScrape, PrometheusStack, PrometheusStorage, RelabelRule, ServiceScrape,
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

  return chart;
}
