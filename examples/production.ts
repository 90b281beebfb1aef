/**
 * The recommended setup: every scrape construct, kube-state-metrics, two replicas, default
 * persistence and security.
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import {
  ApiServerScrape, CadvisorMetrics, CadvisorScrape, KubeletScrape, KubeStateMetrics, PodPortScrape, PrometheusStack,
  PrometheusStorage, ServiceScrape,
} from '../src';

export function productionStack(app: App): Chart {
  const chart = new Chart(app, 'production', { namespace: 'monitoring' });

  const prometheus = new PrometheusStack(chart, 'prometheus', {
    scrapeInterval: Duration.seconds(30),
    replicas: 2,
    retention: Duration.days(30),
    storage: PrometheusStorage.persistent({ size: Size.gibibytes(100) }),
    externalLabels: { cluster: 'production' },
  });
  new KubeletScrape(chart, 'kubelet', { prometheus });
  new CadvisorScrape(chart, 'cadvisor', { prometheus, metrics: CadvisorMetrics.KUBE_PROMETHEUS });
  new ApiServerScrape(chart, 'apiserver', { prometheus });
  new ServiceScrape(chart, 'services', { prometheus, namespaces: ['default', 'apps'], portName: 'metrics' });
  new PodPortScrape(chart, 'pods', { prometheus, portName: 'metrics' });
  new KubeStateMetrics(chart, 'kube-state-metrics', { prometheus });
  return chart;
}

if (require.main === module) {
  const app = new App();
  productionStack(app);
  app.synth();
}
