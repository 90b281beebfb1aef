// The public API: constructs, their props, and the typed values they take. Helpers the
// constructs share stay internal to src/.

export { PrometheusMode, PrometheusStack } from './stack/prometheus-stack';
export { PrometheusStorage } from './stack/prometheus-storage';
export { CONFIG_HASH_ANNOTATION } from './components/workload';
export type { PersistentStorageOptions, EphemeralStorageOptions } from './stack/prometheus-storage';
export type { PrometheusStackProps } from './stack/prometheus-stack';
export type { PrometheusIngressOptions, PrometheusWebBasicAuthOptions, PrometheusWebTlsOptions } from './stack/web';
export { KubeletScrape } from './scrapes/kubelet-scrape';
export type { KubeletScrapeOptions, KubeletScrapeProps } from './scrapes/kubelet-scrape';
export { CadvisorMetrics, CadvisorScrape } from './scrapes/cadvisor-scrape';
export type { CadvisorScrapeOptions, CadvisorScrapeProps } from './scrapes/cadvisor-scrape';
export { ApiServerScrape } from './scrapes/api-server-scrape';
export type { ApiServerScrapeOptions, ApiServerScrapeProps } from './scrapes/api-server-scrape';
export { ServiceScrape } from './scrapes/service-scrape';
export type { ServiceScrapeOptions, ServiceScrapeProps } from './scrapes/service-scrape';
export { PodPortScrape } from './scrapes/pod-port-scrape';
export type { PodPortScrapeOptions, PodPortScrapeProps } from './scrapes/pod-port-scrape';
export { AnnotatedObjects, AnnotationScrape } from './scrapes/annotation-scrape';
export type { AnnotationScrapeOptions, AnnotationScrapeProps } from './scrapes/annotation-scrape';
export { StaticScrape } from './scrapes/static-scrape';
export type { StaticScrapeOptions, StaticScrapeProps } from './scrapes/static-scrape';
export type { StaticTarget } from './model/static-target';
export { KubernetesScrape } from './scrapes/kubernetes-scrape';
export type { KubernetesScrapeOptions, KubernetesScrapeProps } from './scrapes/kubernetes-scrape';
export type { KubernetesSelector } from './model/selector';
export { KubeletEndpoint, KubeletEndpointScrape } from './scrapes/kubelet-endpoint-scrape';
export type { KubeletEndpointScrapeOptions, KubeletEndpointScrapeProps } from './scrapes/kubelet-endpoint-scrape';
export { ControlPlaneComponent, ControlPlaneScrape } from './scrapes/control-plane-scrape';
export type { ControlPlaneScrapeOptions, ControlPlaneScrapeProps } from './scrapes/control-plane-scrape';
export { KubeStateMetricsCollector, DEFAULT_KUBE_STATE_METRICS_COLLECTORS, KubeStateMetrics } from './components/kube-state-metrics';
export type { KubeStateMetricsOptions, KubeStateMetricsProps } from './components/kube-state-metrics';
export { RelabelAction, RelabelRule } from './model/relabel';
export type { RelabelMatchOptions, RelabelReplaceOptions, RelabelHashModOptions, RelabelCompareOptions, RelabelLabelMapOptions } from './model/relabel';
export { DiscoveryRole, EndpointDiscovery } from './model/discovery';
export { Scheme, TlsVersion, AuthorizationType, ScrapeAuthorization } from './model/endpoint';
export type { ScrapeTlsOptions, TargetEndpointOptions } from './model/endpoint';
export type { ScrapeOptions } from './model/job';
export { ScrapeJob } from './scrapes/scrape-job';
export type { IPrometheus, IScrapeJob, IRuleGroup } from './model/prometheus';
export { SecretKey } from './model/secret';
export type { WorkloadOptions } from './model/scheduling';
export { RemoteWriteAuth, RemoteWriteAuthType, RemoteWriteMessage } from './model/remote-write';
export type { RemoteWriteEndpoint, RemoteWriteQueueOptions, RemoteWriteMetadataOptions, RemoteWriteOAuth2Options, RemoteWriteSigV4Options } from './model/remote-write';
export { NameValidationScheme } from './model/validation';
export { PROMETHEUS_VERSION, PROMETHEUS_IMAGE, KUBE_STATE_METRICS_VERSION, KUBE_STATE_METRICS_IMAGE, BLACKBOX_EXPORTER_VERSION, BLACKBOX_EXPORTER_IMAGE, NODE_EXPORTER_VERSION, NODE_EXPORTER_IMAGE } from './model/versions';
export { PrometheusRule, PrometheusRuleGroup } from './rules/prometheus-rule-group';
export type { RecordingRuleOptions, AlertingRuleOptions, BuiltInRulesOptions, PrometheusRuleGroupProps } from './rules/prometheus-rule-group';
export { AlertmanagerEndpoint } from './model/alerting';
export type { AlertmanagerServiceOptions } from './model/alerting';
export { BlackboxProber, HttpMethod, IpProtocol, BlackboxModule } from './model/blackbox-module';
export type { BlackboxModuleCommonOptions, HttpModuleOptions, TcpModuleOptions, BlackboxModuleSpec } from './model/blackbox-module';
export { BlackboxExporter } from './components/blackbox-exporter';
export type { BlackboxExporterOptions, BlackboxExporterProps } from './components/blackbox-exporter';
export { ServiceProbe } from './probes/service-probe';
export type { ServiceProbeOptions, ServiceProbeProps } from './probes/service-probe';
export { IngressProbe } from './probes/ingress-probe';
export type { IngressProbeOptions, IngressProbeProps } from './probes/ingress-probe';
export { NodeExporter } from './components/node-exporter';
export type { NodeExporterOptions, NodeExporterProps } from './components/node-exporter';
export { Alertmanager } from './components/alertmanager';
export type { AlertmanagerOptions, AlertmanagerProps } from './components/alertmanager';
export { AlertMatcher, MatchOperator } from './model/alertmanager-config';
export type {
  AlertmanagerRoute, AlertmanagerReceiver, AlertmanagerNotifierOptions, WebhookReceiverOptions, EmailReceiverOptions,
  SlackReceiverOptions, PagerDutyReceiverOptions, OpsgenieReceiverOptions, MsTeamsReceiverOptions, AlertmanagerInhibitRule,
  AlertmanagerTimeInterval, TimePeriod, TimeRange, AlertmanagerGlobalOptions, AlertmanagerTemplate,
} from './model/alertmanager-config';
export { ALERTMANAGER_VERSION, ALERTMANAGER_IMAGE } from './model/versions';
