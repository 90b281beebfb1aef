/**
 * The web UI behind an Ingress, under a route prefix. The e2e suite applies it to a real API
 * server (e2e/cluster.test.ts: strict server-side validation, Pod Security restricted) and runs
 * its Prometheus with the rendered flags (e2e/web.test.ts).
 */
import { App, Chart } from 'cdk8s';
import { PrometheusStack } from '../src';

export function webStack(app: App): Chart {
  const chart = new Chart(app, 'web', { namespace: 'monitoring' });

  // --- Web UI
  const ui = new PrometheusStack(chart, 'ui', {
    name: 'prometheus-ui',
    webRoutePrefix: '/prometheus',
    ingress: {
      host: 'prometheus.example.com',
      className: 'nginx',
      tlsSecretName: 'prometheus-example-tls',
      controllerNamespace: 'ingress-nginx',
      controllerPodLabels: { 'app.kubernetes.io/name': 'ingress-nginx' },
    },
  });
  ui.addKubeletScrape('kubelet');
  // --- end
  return chart;
}

if (require.main === module) {
  const app = new App();
  webStack(app);
  app.synth();
}
