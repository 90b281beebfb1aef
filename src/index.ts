// The public API: constructs, their props, and the typed values they take. Helpers the
// constructs share stay internal to src/.

export { PrometheusStorage, PrometheusStack } from './prometheus-stack';
export { CONFIG_HASH_ANNOTATION } from './workload';
export type { PersistentStorageOptions, EphemeralStorageOptions, PrometheusStackProps } from './prometheus-stack';
export { KubeletScrape } from './kubelet-scrape';
export type { KubeletScrapeOptions, KubeletScrapeProps } from './kubelet-scrape';
export { CadvisorMetrics, CadvisorScrape } from './cadvisor-scrape';
export type { CadvisorScrapeOptions, CadvisorScrapeProps } from './cadvisor-scrape';
export { ApiServerScrape } from './api-server-scrape';
export type { ApiServerScrapeOptions, ApiServerScrapeProps } from './api-server-scrape';
export { ServiceScrape } from './service-scrape';
export type { ServiceScrapeOptions, ServiceScrapeProps } from './service-scrape';
export { PodPortScrape } from './pod-port-scrape';
export type { PodPortScrapeOptions, PodPortScrapeProps } from './pod-port-scrape';
export { KubeStateMetricsCollector, DEFAULT_KUBE_STATE_METRICS_COLLECTORS, KubeStateMetrics } from './kube-state-metrics';
export type { KubeStateMetricsOptions, KubeStateMetricsProps } from './kube-state-metrics';
export { RelabelAction, RelabelRule } from './relabel';
export type { RelabelMatchOptions, RelabelReplaceOptions, RelabelHashModOptions, RelabelCompareOptions, RelabelLabelMapOptions } from './relabel';
export { DiscoveryRole, EndpointDiscovery, Scheme, TlsVersion, AuthorizationType, ScrapeAuthorization, ScrapeJob } from './scrape-job';
export type { ScrapeTlsOptions, ScrapeOptions, TargetEndpointOptions } from './scrape-job';
export { NameValidationScheme } from './validation';
export { PROMETHEUS_VERSION, PROMETHEUS_IMAGE, KUBE_STATE_METRICS_VERSION, KUBE_STATE_METRICS_IMAGE, BLACKBOX_EXPORTER_VERSION, BLACKBOX_EXPORTER_IMAGE, NODE_EXPORTER_VERSION, NODE_EXPORTER_IMAGE } from './versions';
export { PrometheusRule, PrometheusRuleGroup } from './prometheus-rule-group';
export type { RecordingRuleOptions, AlertingRuleOptions, BuiltInRulesOptions, PrometheusRuleGroupProps } from './prometheus-rule-group';
export { AlertmanagerEndpoint } from './alerting';
export type { AlertmanagerServiceOptions } from './alerting';
export { BlackboxProber, HttpMethod, IpProtocol, BlackboxModule, BlackboxExporter } from './blackbox-exporter';
export type { BlackboxModuleCommonOptions, HttpModuleOptions, TcpModuleOptions, BlackboxModuleSpec, BlackboxExporterOptions, BlackboxExporterProps } from './blackbox-exporter';
export { ServiceProbe } from './service-probe';
export type { ServiceProbeOptions, ServiceProbeProps } from './service-probe';
export { IngressProbe } from './ingress-probe';
export type { IngressProbeOptions, IngressProbeProps } from './ingress-probe';
export { NodeExporter } from './node-exporter';
export type { NodeExporterOptions, NodeExporterProps } from './node-exporter';
