/**
 * The five jobs of the Kubernetes chapter of "Prometheus: Up & Running", by their names, with the
 * same discovery and relabeling meaning, on current APIs: EndpointSlices instead of Endpoints,
 * verified TLS instead of `insecure_skip_verify`, persistent storage, least-privilege RBAC.
 */
import { App, Chart, Duration } from 'cdk8s';
import {
  ApiServerScrape, CadvisorMetrics, CadvisorScrape, KubeletScrape, PodPortScrape, PrometheusStack, ServiceScrape,
} from '../src';

export function bookStack(app: App): Chart {
  const chart = new Chart(app, 'book', { namespace: 'monitoring' });
  // The book's chapter has no self-scrape: exactly its five jobs.
  const prometheus = new PrometheusStack(chart, 'prometheus', { scrapeInterval: Duration.seconds(10), selfMonitoring: false });

  // The book keeps every cAdvisor series and labels them with their own job names.
  new KubeletScrape(chart, 'kubelet', { prometheus, jobName: 'kubelet' });
  new CadvisorScrape(chart, 'cadvisor', { prometheus, jobName: 'cadvisor', jobLabel: 'cadvisor', metrics: CadvisorMetrics.NONE });
  new ApiServerScrape(chart, 'k8apiserver', { prometheus, jobName: 'k8apiserver' });
  // job = the Service name, every Service except the API server's.
  new ServiceScrape(chart, 'k8services', { prometheus, jobName: 'k8services' });
  // job = the container name, every container port named "metrics".
  new PodPortScrape(chart, 'k8pods', { prometheus, jobName: 'k8pods', portName: 'metrics' });
  return chart;
}

if (require.main === module) {
  const app = new App();
  bookStack(app);
  app.synth();
}
