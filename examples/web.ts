/**
 * The web UI behind an Ingress, under a route prefix, with Prometheus's own TLS and basic auth.
 * The e2e suite applies it to a real API server (e2e/cluster.test.ts: strict server-side
 * validation, Pod Security restricted) and runs its init container's script and its Prometheus
 * with the rendered flags, probes and self-scrape (e2e/web.test.ts).
 */
import { App, Chart } from 'cdk8s';
import { KubeStateMetrics, PrometheusStack, SecretKey } from '../src';

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
      // Prometheus itself serves HTTPS (webTls): the controller talks HTTPS to it.
      annotations: { 'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS' },
    },
    webTls: {
      cert: SecretKey.of('prometheus-ui-tls', 'tls.crt'),
      key: SecretKey.of('prometheus-ui-tls', 'tls.key'),
      serverName: 'prometheus.example.com',
    },
    webBasicAuth: {
      username: 'admin',
      passwordHash: SecretKey.of('prometheus-ui-auth', 'password-hash'),
      password: SecretKey.of('prometheus-ui-auth', 'password'),
    },
  });
  ui.addKubeletScrape('kubelet');
  // --- end

  // Scheduling options on a component of the same stack, so that the e2e suite's strict
  // server-side validation and Pod Security admission see them (e2e/cluster.test.ts).
  new KubeStateMetrics(chart, 'kube-state-metrics', {
    prometheus: ui,
    nodeSelector: { 'kubernetes.io/arch': 'amd64' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'monitoring', effect: 'NoSchedule' }],
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 50,
          preference: { matchExpressions: [{ key: 'node-role.example.com/monitoring', operator: 'Exists' }] },
        }],
      },
    },
    priorityClassName: 'system-cluster-critical',
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' }],
    imagePullSecrets: ['registry-mirror'],
    podLabels: { team: 'platform' },
    podAnnotations: { 'example.com/owner': 'platform' },
  });
  return chart;
}

if (require.main === module) {
  const app = new App();
  webStack(app);
  app.synth();
}
