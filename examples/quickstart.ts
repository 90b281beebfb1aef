/** The README's quick start, verbatim. */
import { App, Chart, Duration } from 'cdk8s';
import {
  PrometheusStack, KubeletScrape, CadvisorScrape, ApiServerScrape,
  ServiceScrape, PodPortScrape, KubeStateMetrics,
} from '../src';

export function quickstart(app: App): Chart {
  const chart = new Chart(app, 'monitoring', { namespace: 'monitoring' });

  const prometheus = new PrometheusStack(chart, 'prometheus', {
    scrapeInterval: Duration.seconds(10),
  });
  new KubeletScrape(chart, 'kubelet', { prometheus });
  new CadvisorScrape(chart, 'cadvisor', { prometheus });
  new ApiServerScrape(chart, 'apiserver', { prometheus });
  new ServiceScrape(chart, 'services', { prometheus, namespaces: ['default'] });
  new PodPortScrape(chart, 'pods', { prometheus, portName: 'metrics' });
  new KubeStateMetrics(chart, 'kube-state-metrics', { prometheus });
  return chart;
}

if (require.main === module) {
  const app = new App();
  quickstart(app);
  app.synth();
}
