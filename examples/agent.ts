/**
 * Agent mode with credentials from Secrets: a Prometheus agent scrapes two Services that require
 * credentials (a bearer token, basic auth) and forwards every sample to a central Prometheus
 * through basic auth. The e2e suite runs it against real binaries (e2e/remote-write.test.ts) and
 * applies it to a real API server (e2e/cluster.test.ts).
 */
import { App, Chart, Duration } from 'cdk8s';
import { PrometheusMode, PrometheusStack, RelabelRule, RemoteWriteAuth, ScrapeAuthorization, SecretKey, ServiceScrape } from '../src';

export function agentStack(app: App): Chart {
  const chart = new Chart(app, 'agent', { namespace: 'monitoring' });

  // --- Agent mode
  const agent = new PrometheusStack(chart, 'agent', {
    name: 'prometheus-agent',
    mode: PrometheusMode.AGENT,
    scrapeInterval: Duration.seconds(5),
    scrapeTimeout: Duration.seconds(3),
    externalLabels: { cluster: 'edge-1' },
    remoteWrite: [{
      url: 'http://central.monitoring-central.svc:9090/api/v1/write',
      name: 'central',
      authorization: RemoteWriteAuth.basicAuth('agent', SecretKey.of('remote-write', 'password')),
      queue: { maxShards: 10, batchSendDeadline: Duration.seconds(1), minBackoff: Duration.millis(100), maxBackoff: Duration.seconds(2) },
      writeRelabelings: [RelabelRule.drop({ sourceLabels: ['__name__'], regex: 'go_gc_.*' })],
    }],
  });
  // --- end

  // --- Credentials from Secrets
  new ServiceScrape(chart, 'billing', {
    prometheus: agent,
    jobName: 'billing',
    namespaces: ['billing'],
    authorization: ScrapeAuthorization.bearerToken(SecretKey.of('billing-scrape', 'token')),
  });
  new ServiceScrape(chart, 'ledger', {
    prometheus: agent,
    jobName: 'ledger',
    namespaces: ['ledger'],
    authorization: ScrapeAuthorization.basicAuthFromSecret('prometheus', SecretKey.of('ledger-scrape', 'password')),
  });
  // --- end
  return chart;
}

if (require.main === module) {
  const app = new App();
  agentStack(app);
  app.synth();
}
