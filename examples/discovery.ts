/**
 * Opt-in discovery: the Prometheus Helm chart's annotation jobs for the Services and pods of the
 * `annotated` namespace. The end-to-end suite runs it against e2e/cluster/annotations.yaml.
 */
import { App, Chart, Duration } from 'cdk8s';
import { AnnotatedObjects, AnnotationScrape, PrometheusStack } from '../src';

export function discoveryStack(app: App): Chart {
  const chart = new Chart(app, 'discovery', { namespace: 'monitoring' });
  const prometheus = new PrometheusStack(chart, 'prometheus', { scrapeInterval: Duration.seconds(10) });
  new AnnotationScrape(chart, 'annotated-services', { prometheus, namespaces: ['annotated'] });
  new AnnotationScrape(chart, 'annotated-services-slow', { prometheus, namespaces: ['annotated'], slow: true });
  new AnnotationScrape(chart, 'annotated-pods', { prometheus, namespaces: ['annotated'], objects: AnnotatedObjects.PODS });
  return chart;
}
