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
