/**
 * The recommended setup: every scrape construct, kube-state-metrics, blackbox probes,
 * node-exporter, the built-in rules and a custom alert, two replicas, an Alertmanager cluster of
 * two, default persistence and security.
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import {
  AlertMatcher, ApiServerScrape, BlackboxExporter, CadvisorMetrics, CadvisorScrape, IngressProbe, KubeletScrape,
  KubeStateMetrics, NodeExporter, PodPortScrape, PrometheusRule, PrometheusRuleGroup, PrometheusStack, PrometheusStorage,
  SecretKey, ServiceProbe, ServiceScrape,
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
  const kubelet = new KubeletScrape(chart, 'kubelet', { prometheus });
  const cadvisor = new CadvisorScrape(chart, 'cadvisor', { prometheus, metrics: CadvisorMetrics.RECOMMENDED });
  const apiServer = new ApiServerScrape(chart, 'apiserver', { prometheus });
  new ServiceScrape(chart, 'services', { prometheus, namespaces: ['default', 'apps'], portName: 'metrics' });
  const ksm = new KubeStateMetrics(chart, 'kube-state-metrics', { prometheus });

  // Blackbox probes of the Services that opt in and of every Ingress URL; node-exporter in a
  // namespace of its own (it needs Pod Security "privileged").
  const blackboxExporter = new BlackboxExporter(chart, 'blackbox', { prometheus });
  new ServiceProbe(chart, 'service-probes', { prometheus, blackboxExporter, optInAnnotation: 'prometheus.io/probe' });
  new IngressProbe(chart, 'ingress-probes', { prometheus, blackboxExporter });
  new NodeExporter(chart, 'node-exporter', { prometheus, namespace: 'node-exporter' });

  // Alerts go to every replica of an Alertmanager cluster of two (gossip on port 9094).
  const alertmanager = prometheus.addAlertmanager('alertmanager', {
    replicas: 2,
    route: {
      receiver: 'default',
      groupBy: ['alertname', 'namespace'],
      routes: [{ matchers: [AlertMatcher.equal('severity', 'critical')], receiver: 'pager' }],
    },
    receivers: [
      { name: 'default', webhooks: [{ url: 'http://alert-router.monitoring.svc:8080/alerts' }] },
      { name: 'pager', pagerDuty: [{ routingKey: SecretKey.of('pagerduty', 'routing-key') }] },
    ],
    inhibitRules: [{
      sourceMatchers: [AlertMatcher.equal('severity', 'critical')],
      targetMatchers: [AlertMatcher.equal('severity', 'warning')],
      equal: ['alertname', 'namespace'],
    }],
  });

  // The built-in rule sets, each opted into from the construct whose data it uses.
  kubelet.addRules();
  cadvisor.addRules();
  apiServer.addRules();
  ksm.addRules();
  prometheus.addSelfMonitoringRules();
  alertmanager.addRules();

  // --- custom alert
  new PodPortScrape(chart, 'pods', { prometheus, portName: 'metrics', jobLabel: 'pods' });
  new PrometheusRuleGroup(chart, 'app-rules', {
    prometheus,
    jobs: ['pods'],
    rules: [
      PrometheusRule.alerting({
        alert: 'PodMetricsEndpointDown',
        expr: 'up{job="pods"} == 0',
        for: Duration.minutes(10),
        labels: { severity: 'warning' },
        annotations: { summary: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} exposes no metrics.' },
      }),
    ],
  });
  // --- end
  return chart;
}

if (require.main === module) {
  const app = new App();
  productionStack(app);
  app.synth();
}
