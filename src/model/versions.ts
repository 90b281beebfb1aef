/**
 * Every image the library deploys, pinned by tag, in one place. The Prometheus version is the one
 * the end-to-end suite builds from the Go module proxy (`e2e/tools/build.sh`) and tests against:
 * change both together.
 */

/** Prometheus version deployed by default (Go module `github.com/prometheus/prometheus` v0.316.0). */
export const PROMETHEUS_VERSION = '3.16.0';
/** Default Prometheus image. */
export const PROMETHEUS_IMAGE = `quay.io/prometheus/prometheus:v${PROMETHEUS_VERSION}`;

/** kube-state-metrics version deployed by default: the release our fixture payload (shared/fixtures) was captured from. */
export const KUBE_STATE_METRICS_VERSION = '2.19.0';
/** Default kube-state-metrics image. */
export const KUBE_STATE_METRICS_IMAGE = `registry.k8s.io/kube-state-metrics/kube-state-metrics:v${KUBE_STATE_METRICS_VERSION}`;

/** blackbox_exporter version deployed by default (`BlackboxExporter`). */
export const BLACKBOX_EXPORTER_VERSION = '0.28.0';
/** Default blackbox_exporter image. */
export const BLACKBOX_EXPORTER_IMAGE = `quay.io/prometheus/blackbox-exporter:v${BLACKBOX_EXPORTER_VERSION}`;

/** node_exporter version deployed by default (`NodeExporter`). */
export const NODE_EXPORTER_VERSION = '1.12.1';
/** Default node_exporter image. */
export const NODE_EXPORTER_IMAGE = `quay.io/prometheus/node-exporter:v${NODE_EXPORTER_VERSION}`;

/** Alertmanager version deployed by default (`Alertmanager`); the e2e suite builds the same one (`e2e/tools/build.sh`). */
export const ALERTMANAGER_VERSION = '0.35.0';
/** Default Alertmanager image. */
export const ALERTMANAGER_IMAGE = `quay.io/prometheus/alertmanager:v${ALERTMANAGER_VERSION}`;
