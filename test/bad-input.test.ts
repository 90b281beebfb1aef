/**
 * Bad input gets a clear error at synth time that names the construct path, the prop as the user
 * wrote it, the bad value, and what is allowed. One row per distinct mistake.
 */
import { Duration, Size, Testing } from 'cdk8s';
import {
  AnnotatedObjects, AnnotationScrape, CadvisorMetrics, DiscoveryRole,
  ControlPlaneComponent, ControlPlaneScrape,
  KubeletEndpoint, KubeletEndpointScrape, KubernetesScrape, CadvisorScrape, EndpointDiscovery, KubeletScrape, KubeStateMetrics,
  KubeStateMetricsCollector, NameValidationScheme, PodPortScrape, PrometheusStack, PrometheusStorage, RelabelRule,
  Scheme, ScrapeAuthorization, SecretKey, ServiceScrape, StaticScrape, TlsVersion,
} from '../src';
import { chart, stack } from './util';

type Case = [string, () => unknown, string, string, string];

const C = () => stack();
const svc = (props: object) => {
  const { chart: c, prometheus } = C();
  return new ServiceScrape(c, 'svc', { prometheus, ...props });
};
const pods = (props: object) => {
  const { chart: c, prometheus } = C();
  return new PodPortScrape(c, 'pods', { prometheus, ...props });
};
const kubelet = (props: object) => {
  const { chart: c, prometheus } = C();
  return new KubeletScrape(c, 'kubelet', { prometheus, ...props });
};
const relabel = (rule: RelabelRule) => svc({ relabelings: [rule] });
const podRelabel = (rule: RelabelRule) => pods({ relabelings: [rule] });
const metric = (rule: RelabelRule) => svc({ metricRelabelings: [rule] });
const legacy = (rule: RelabelRule) => {
  const { chart: c, prometheus } = stack({ nameValidationScheme: NameValidationScheme.LEGACY });
  return new ServiceScrape(c, 'svc', { prometheus, relabelings: [rule] });
};
const annotated = (props: object) => {
  const { chart: c, prometheus } = C();
  return new AnnotationScrape(c, 'annotated', { prometheus, ...props });
};
const statics = (props: object) => {
  const { chart: c, prometheus } = C();
  return new StaticScrape(c, 'static', { prometheus, ...props } as any);
};
const k8sJob = (props: object) => {
  const { chart: c, prometheus } = C();
  return new KubernetesScrape(c, 'custom', { prometheus, role: DiscoveryRole.POD, ...props } as any);
};
const controlPlane = (props: object) => {
  const { chart: c, prometheus } = C();
  return new ControlPlaneScrape(c, 'cp', { prometheus, ...props } as any);
};
const stackWith = (props: object) => stack(props as any);

// [what, action, construct path, prop, value as shown]
const CASES: Case[] = [
  // --- Prometheus durations and intervals
  ['zero global interval', () => stackWith({ scrapeInterval: Duration.seconds(0) }), 'test/prometheus', 'scrapeInterval', '0ms'],
  ['zero global timeout', () => stackWith({ scrapeTimeout: Duration.millis(0) }), 'test/prometheus', 'scrapeTimeout', '0ms'],
  ['fractional millisecond interval', () => stackWith({ scrapeInterval: Duration.millis(1.5) }), 'test/prometheus', 'scrapeInterval', '"1.5 millis"'],
  ['zero evaluation interval', () => stackWith({ evaluationInterval: Duration.seconds(0) }), 'test/prometheus', 'evaluationInterval', '0ms'],
  ['global timeout above global interval', () => stackWith({ scrapeInterval: Duration.seconds(5), scrapeTimeout: Duration.seconds(6) }), 'test/prometheus', 'scrapeTimeout', '6000ms'],
  ['zero retention', () => stackWith({ retention: Duration.seconds(0) }), 'test/prometheus', 'retention', '0ms'],
  ['zero job interval', () => kubelet({ interval: Duration.seconds(0) }), 'test/kubelet', 'interval', '0ms'],
  ['fractional job timeout', () => kubelet({ timeout: Duration.millis(0.5) }), 'test/kubelet', 'timeout', '"0.5 millis"'],
  ['job timeout above job interval', () => kubelet({ interval: Duration.seconds(10), timeout: Duration.seconds(11) }), 'test/kubelet', 'timeout', '11000ms'],
  ['job timeout above the global interval', () => kubelet({ timeout: Duration.minutes(2) }), 'test/kubelet', 'timeout', '120000ms'],
  // --- RE2 regexes
  ['lookahead', () => relabel(RelabelRule.keep({ sourceLabels: ['__address__'], regex: '(?=foo)' })), 'test/svc', 'relabelings[0].regex', '"(?=foo)"'],
  ['lookbehind', () => relabel(RelabelRule.drop({ sourceLabels: ['__address__'], regex: '(?<!x)y' })), 'test/svc', 'relabelings[0].regex', '"(?<!x)y"'],
  ['backreference', () => relabel(RelabelRule.keep({ sourceLabels: ['__address__'], regex: '(a)\\1' })), 'test/svc', 'relabelings[0].regex', '"(a)\\\\1"'],
  ['unbalanced parenthesis', () => relabel(RelabelRule.keep({ sourceLabels: ['__address__'], regex: 'a(b' })), 'test/svc', 'relabelings[0].regex', '"a(b"'],
  ['possessive quantifier', () => metric(RelabelRule.drop({ sourceLabels: ['__name__'], regex: 'a++' })), 'test/svc', 'metricRelabelings[0].regex', '"a++"'],
  ['bad labeldrop regex', () => metric(RelabelRule.labelDrop('[z-a]')), 'test/svc', 'metricRelabelings[0].regex', '"[z-a]"'],
  ['bad labelmap regex', () => podRelabel(RelabelRule.labelMap({ regex: '__meta_kubernetes_pod_label_(.+' })), 'test/pods', 'relabelings[0].regex', '"__meta_kubernetes_pod_label_(.+"'],
  ['bad cadvisor custom preset regex', () => {
    const { chart: c, prometheus } = C();
    return new CadvisorScrape(c, 'cadvisor', { prometheus, metrics: CadvisorMetrics.custom([RelabelRule.drop({ sourceLabels: ['__name__'], regex: '*x' })]) });
  }, 'test/cadvisor', 'metrics[0].regex', '"*x"'],
  // --- replacements
  ['$1_suffix replacement', () => relabel(RelabelRule.replace({ sourceLabels: ['__address__'], regex: '(.*)', targetLabel: 'x', replacement: '$1_suffix' })), 'test/svc', 'relabelings[0].replacement', '"$1_suffix"'],
  ['$2x replacement', () => relabel(RelabelRule.replace({ sourceLabels: ['__address__'], regex: '(a)(b)', targetLabel: 'x', replacement: '$2x' })), 'test/svc', 'relabelings[0].replacement', '"$2x"'],
  ['group out of range', () => relabel(RelabelRule.replace({ sourceLabels: ['__address__'], regex: '(.*)', targetLabel: 'x', replacement: '${2}' })), 'test/svc', 'relabelings[0].replacement', '"${2}"'],
  ['labelmap to an invalid legacy name', () => {
    const { chart: c, prometheus } = stack({ nameValidationScheme: NameValidationScheme.LEGACY });
    return new PodPortScrape(c, 'pods', { prometheus, relabelings: [RelabelRule.labelMap({ regex: '__meta_kubernetes_pod_label_app', replacement: 'my-app' })] });
  }, 'test/pods', 'relabelings[0].replacement', '"my-app"'],
  ['templated target label with $1_x', () => relabel(RelabelRule.replace({ sourceLabels: ['__address__'], regex: '(.*)', targetLabel: 'l_$1_x' })), 'test/svc', 'relabelings[0].targetLabel', '"l_$1_x"'],
  // --- label names
  ['empty target label', () => relabel(RelabelRule.copy('__address__', '')), 'test/svc', 'relabelings[0].targetLabel', '""'],
  ['legacy-invalid target label', () => legacy(RelabelRule.copy('__address__', 'app.kubernetes.io/name')), 'test/svc', 'relabelings[0].targetLabel', '"app.kubernetes.io/name"'],
  ['legacy-invalid source label', () => legacy(RelabelRule.keep({ sourceLabels: ['my-label'], regex: 'x' })), 'test/svc', 'relabelings[0].sourceLabels[0]', '"my-label"'],
  ['empty source label', () => relabel(RelabelRule.keep({ sourceLabels: [''], regex: 'x' })), 'test/svc', 'relabelings[0].sourceLabels[0]', '""'],
  ['lone surrogate in a label name', () => relabel(RelabelRule.copy('__address__', 'bad\ud800')), 'test/svc', 'relabelings[0].targetLabel', '"bad\\ud800"'],
  ['target label starting with __', () => relabel(RelabelRule.setLabel('__team', 'a')), 'test/svc', 'relabelings[0].targetLabel', '"__team"'],
  ['hashmod into a __ label', () => relabel(RelabelRule.hashMod({ sourceLabels: ['__address__'], modulus: 2, targetLabel: '__shard' })), 'test/svc', 'relabelings[0].targetLabel', '"__shard"'],
  ['external label starting with __', () => stackWith({ externalLabels: { __cluster: 'a' } }), 'test/prometheus', 'externalLabels.__cluster', '"__cluster"'],
  ['legacy-invalid external label', () => stackWith({ nameValidationScheme: NameValidationScheme.LEGACY, externalLabels: { 'k8s.cluster': 'a' } }), 'test/prometheus', 'externalLabels.k8s.cluster', '"k8s.cluster"'],
  ['empty external label value', () => stackWith({ externalLabels: { cluster: '' } }), 'test/prometheus', 'externalLabels.cluster', '""'],
  ['replica label set by hand with replicas > 1', () => stackWith({ replicas: 2, externalLabels: { replica: 'r1' } }), 'test/prometheus', 'externalLabels.replica', '"r1"'],
  ['empty job label', () => kubelet({ jobLabel: '' }), 'test/kubelet', 'jobLabel', '""'],
  // --- relabel action fields
  ['hashmod with zero modulus', () => relabel(RelabelRule.hashMod({ sourceLabels: ['__address__'], modulus: 0, targetLabel: '__tmp_h' })), 'test/svc', 'relabelings[0].modulus', '0'],
  ['hashmod with fractional modulus', () => relabel(RelabelRule.hashMod({ sourceLabels: ['__address__'], modulus: 2.5, targetLabel: '__tmp_h' })), 'test/svc', 'relabelings[0].modulus', '2.5'],
  ['keep without source labels', () => relabel(RelabelRule.keep({ sourceLabels: [], regex: 'x' })), 'test/svc', 'relabelings[0].sourceLabels', '[]'],
  ['drop without source labels', () => metric(RelabelRule.drop({ sourceLabels: [], regex: 'x' })), 'test/svc', 'metricRelabelings[0].sourceLabels', '[]'],
  ['keepequal with a separator', () => relabel(RelabelRule.keepEqual({ sourceLabels: ['__address__'], targetLabel: 'x', separator: ',' })), 'test/svc', 'relabelings[0].separator', '","'],
  ['unknown action', () => relabel(Object.create(RelabelRule.prototype, { _action: { value: 'rename' }, _sourceLabels: { value: ['a'] } })), 'test/svc', 'relabelings[0].action', '"rename"'],
  ['not a RelabelRule', () => relabel({ action: 'keep', regex: 'x' } as any), 'test/svc', 'relabelings[0]', '{"action":"keep","regex":"x"}'],
  // --- meta labels per discovery role
  ['endpoints meta label under endpointslice', () => relabel(RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_endpoint_port_name'], regex: 'web' })), 'test/svc', 'relabelings[0].sourceLabels[0]', '"__meta_kubernetes_endpoint_port_name"'],
  ['endpointslice meta label under endpoints', () => svc({ discovery: EndpointDiscovery.ENDPOINTS, relabelings: [RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_endpointslice_port_name'], regex: 'web' })] }), 'test/svc', 'relabelings[0].sourceLabels[0]', '"__meta_kubernetes_endpointslice_port_name"'],
  ['pod meta label under node', () => kubelet({ relabelings: [RelabelRule.copy('__meta_kubernetes_pod_name', 'pod')] }), 'test/kubelet', 'relabelings[0].sourceLabels[0]', '"__meta_kubernetes_pod_name"'],
  ['namespace meta label under node', () => kubelet({ relabelings: [RelabelRule.copy('__meta_kubernetes_namespace', 'namespace')] }), 'test/kubelet', 'relabelings[0].sourceLabels[0]', '"__meta_kubernetes_namespace"'],
  ['service meta label under pod', () => podRelabel(RelabelRule.copy('__meta_kubernetes_service_name', 'svc')), 'test/pods', 'relabelings[0].sourceLabels[0]', '"__meta_kubernetes_service_name"'],
  ['ingress meta label under pod', () => podRelabel(RelabelRule.copy('__meta_kubernetes_ingress_host', 'host')), 'test/pods', 'relabelings[0].sourceLabels[0]', '"__meta_kubernetes_ingress_host"'],
  ['label prefix without a name', () => podRelabel(RelabelRule.copy('__meta_kubernetes_pod_label_', 'x')), 'test/pods', 'relabelings[0].sourceLabels[0]', '"__meta_kubernetes_pod_label_"'],
  ['misspelt meta label', () => podRelabel(RelabelRule.copy('__meta_kubernetes_pod_container_portname', 'x')), 'test/pods', 'relabelings[0].sourceLabels[0]', '"__meta_kubernetes_pod_container_portname"'],
  ['meta label read by keepequal target', () => kubelet({ relabelings: [RelabelRule.keepEqual({ sourceLabels: ['__address__'], targetLabel: '__meta_kubernetes_pod_ip' })] }), 'test/kubelet', 'relabelings[0].targetLabel', '"__meta_kubernetes_pod_ip"'],
  ['meta label in metric relabeling', () => metric(RelabelRule.labelKeep('x')) && metric(RelabelRule.drop({ sourceLabels: ['__meta_kubernetes_namespace'], regex: 'x' })), 'test/svc', 'metricRelabelings[0].sourceLabels[0]', '"__meta_kubernetes_namespace"'],
  // --- jobs
  ['empty job name', () => kubelet({ jobName: '' }), 'test/kubelet', 'jobName', '""'],
  ['blank job name', () => kubelet({ jobName: '   ' }), 'test/kubelet', 'jobName', '"   "'],
  ['duplicate job name', () => {
    const { chart: c, prometheus } = C();
    new KubeletScrape(c, 'a', { prometheus, jobName: 'same' });
    return new CadvisorScrape(c, 'b', { prometheus, jobName: 'same' });
  }, 'test/b', 'jobName', '"same"'],
  ['negative sample limit', () => kubelet({ sampleLimit: -1 }), 'test/kubelet', 'sampleLimit', '-1'],
  ['fractional label limit', () => kubelet({ labelLimit: 1.5 }), 'test/kubelet', 'labelLimit', '1.5'],
  ['not a PrometheusStack', () => new KubeletScrape(chart(), 'kubelet', { prometheus: {} as any }), 'test/kubelet', 'prometheus', '"[object Object]"'],
  // --- Kubernetes names and values
  ['uppercase namespace', () => svc({ namespaces: ['Apps'] }), 'test/svc', 'namespaces[0]', '"Apps"'],
  ['namespace with underscore', () => pods({ namespaces: ['team_a'] }), 'test/pods', 'namespaces[0]', '"team_a"'],
  ['namespace too long', () => svc({ namespaces: ['a'.repeat(64)] }), 'test/svc', 'namespaces[0]', `"${'a'.repeat(64)}"`],
  ['empty namespace list', () => svc({ namespaces: [] }), 'test/svc', 'namespaces', '[]'],
  ['bad stack namespace', () => new PrometheusStack(chart(), 'prometheus', { namespace: 'Monitoring' }), 'test/prometheus', 'namespace', '"Monitoring"'],
  ['no namespace anywhere', () => new PrometheusStack(Testing.chart(), 'prometheus'), 'test/prometheus', 'namespace', 'undefined'],
  ['stack name too long for a StatefulSet', () => stackWith({ name: 'p'.repeat(53) }), 'test/prometheus', 'name', `"${'p'.repeat(53)}"`],
  ['stack name starting with a digit', () => stackWith({ name: '1prom' }), 'test/prometheus', 'name', '"1prom"'],
  ['port name too long', () => pods({ portName: 'metrics-endpoint' }), 'test/pods', 'portName', '"metrics-endpoint"'],
  ['port name with consecutive hyphens', () => svc({ portName: 'http--metrics' }), 'test/svc', 'portName', '"http--metrics"'],
  ['port name without a letter', () => pods({ portName: '9090' }), 'test/pods', 'portName', '"9090"'],
  ['port name with a leading hyphen', () => svc({ portName: '-metrics' }), 'test/svc', 'portName', '"-metrics"'],
  ['empty port name', () => pods({ portName: '' }), 'test/pods', 'portName', '""'],
  ['allowFromNamespaces with a bad name', () => stackWith({ allowFromNamespaces: ['Grafana'] }), 'test/prometheus', 'allowFromNamespaces[0]', '"Grafana"'],
  ['zero replicas', () => stackWith({ replicas: 0 }), 'test/prometheus', 'replicas', '0'],
  ['retention size over the volume', () => stackWith({ storage: PrometheusStorage.persistent({ size: Size.gibibytes(10) }), retentionSize: Size.gibibytes(11) }), 'test/prometheus', 'retentionSize', '"11811160064 bytes"'],
  ['kube-state-metrics without collectors', () => {
    const { chart: c, prometheus } = C();
    return new KubeStateMetrics(c, 'ksm', { prometheus, collectors: [] });
  }, 'test/ksm', 'collectors', '[]'],
  ['unknown kube-state-metrics collector', () => {
    const { chart: c, prometheus } = C();
    return new KubeStateMetrics(c, 'ksm', { prometheus, collectors: [KubeStateMetricsCollector.PODS, 'widgets' as any] });
  }, 'test/ksm', 'collectors[1]', '"widgets"'],
  ['kube-state-metrics in a bad namespace', () => {
    const { chart: c, prometheus } = C();
    return new KubeStateMetrics(c, 'ksm', { prometheus, namespace: 'kube_system' });
  }, 'test/ksm', 'namespace', '"kube_system"'],
  // --- endpoints, TLS and credentials
  ['metrics path without a slash', () => svc({ metricsPath: 'metrics' }), 'test/svc', 'metricsPath', '"metrics"'],
  ['metrics path with a query', () => pods({ metricsPath: '/metrics?x=1' }), 'test/pods', 'metricsPath', '"/metrics?x=1"'],
  ['unknown scheme', () => svc({ scheme: 'ftp' as Scheme }), 'test/svc', 'scheme', '"ftp"'],
  ['empty URL parameter list', () => svc({ params: { module: [] } }), 'test/svc', 'params.module', '[]'],
  ['reserved header Authorization', () => svc({ httpHeaders: { authorization: 'Bearer x' } }), 'test/svc', 'httpHeaders', '"authorization"'],
  ['reserved header User-Agent', () => pods({ httpHeaders: { 'USER-AGENT': 'me' } }), 'test/pods', 'httpHeaders', '"USER-AGENT"'],
  ['header name with a space', () => svc({ httpHeaders: { 'X Tenant': 'a' } }), 'test/svc', 'httpHeaders', '"X Tenant"'],
  ['multi-line header value', () => svc({ httpHeaders: { 'X-Tenant': 'a\nb' } }), 'test/svc', 'httpHeaders.X-Tenant', '"a\\nb"'],
  ['client certificate without key', () => svc({ tls: { certFile: '/etc/tls/tls.crt' } }), 'test/svc', 'tls.certFile', '"/etc/tls/tls.crt"'],
  ['client key without certificate', () => pods({ tls: { keyFile: '/etc/tls/tls.key' } }), 'test/pods', 'tls.keyFile', '"/etc/tls/tls.key"'],
  ['relative CA file', () => svc({ tls: { caFile: 'ca.crt' } }), 'test/svc', 'tls.caFile', '"ca.crt"'],
  ['unknown TLS version', () => svc({ tls: { minVersion: 'TLS14' as TlsVersion } }), 'test/svc', 'tls.minVersion', '"TLS14"'],
  ['empty TLS server name', () => kubelet({ tls: { serverName: '' } }), 'test/kubelet', 'tls.serverName', '""'],
  ['relative bearer token file', () => svc({ authorization: ScrapeAuthorization.bearerTokenFile('token') }), 'test/svc', 'authorization', '"token"'],
  ['basic auth without user', () => pods({ authorization: ScrapeAuthorization.basicAuth('', '/etc/secret/password') }), 'test/pods', 'authorization', '""'],
  ['credentials that are not a ScrapeAuthorization', () => svc({ authorization: { type: 'bearer', token: 'x' } }), 'test/svc', 'authorization', '{"type":"bearer","token":"x"}'],
  // --- AnnotationScrape
  ['annotation prefix with a slash', () => annotated({ annotationPrefix: 'prometheus.io/' }), 'test/annotated', 'annotationPrefix', '"prometheus.io/"'],
  ['annotation prefix as a URL', () => annotated({ annotationPrefix: 'https://prometheus.io' }), 'test/annotated', 'annotationPrefix', '"https://prometheus.io"'],
  ['upper-case annotation prefix', () => annotated({ annotationPrefix: 'Prometheus.io' }), 'test/annotated', 'annotationPrefix', '"Prometheus.io"'],
  ['empty annotation prefix', () => annotated({ annotationPrefix: '' }), 'test/annotated', 'annotationPrefix', '""'],
  ['unknown annotated objects', () => annotated({ objects: 'services' }), 'test/annotated', 'objects', '"services"'],
  ['slow that is not a boolean', () => annotated({ slow: 'yes' }), 'test/annotated', 'slow', '"yes"'],
  ['unknown annotation discovery', () => annotated({ discovery: 'pod' }), 'test/annotated', 'discovery', '"pod"'],
  ['endpoint discovery for annotated pods', () => annotated({ objects: AnnotatedObjects.PODS, discovery: EndpointDiscovery.ENDPOINTS }), 'test/annotated', 'discovery', '"endpoints"'],
  ['annotated pods with an endpointslice meta label', () => annotated({ objects: AnnotatedObjects.PODS, relabelings: [RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_endpointslice_port'], regex: '.+' })] }), 'test/annotated', 'relabelings[0].sourceLabels[0]', '"__meta_kubernetes_endpointslice_port"'],
  ['annotation scrape in a bad namespace', () => annotated({ namespaces: ['Shop'] }), 'test/annotated', 'namespaces[0]', '"Shop"'],
  // --- StaticScrape
  ['static target as a URL', () => statics({ targets: [{ address: 'https://db.example.com:9187/metrics' }] }), 'test/static', 'targets[0].address', '"https://db.example.com:9187/metrics"'],
  ['static target with a path', () => statics({ targets: [{ address: 'db.example.com:9187/metrics' }] }), 'test/static', 'targets[0].address', '"db.example.com:9187/metrics"'],
  ['static target without a port', () => statics({ targets: [{ address: 'db.example.com' }] }), 'test/static', 'targets[0].address', '"db.example.com"'],
  ['static target with port 0', () => statics({ targets: [{ address: 'db.example.com:0' }] }), 'test/static', 'targets[0].address', '"db.example.com:0"'],
  ['static target with port 70000', () => statics({ targets: [{ address: '192.0.2.1:70000' }] }), 'test/static', 'targets[0].address', '"192.0.2.1:70000"'],
  ['static IPv6 target without brackets', () => statics({ targets: [{ address: '2001:db8::1:9100' }] }), 'test/static', 'targets[0].address', '"2001:db8::1:9100"'],
  ['static IPv6 target without a port', () => statics({ targets: [{ address: '[2001:db8::1]' }] }), 'test/static', 'targets[0].address', '"[2001:db8::1]"'],
  ['static bracketed target that is not IPv6', () => statics({ targets: [{ address: '[db.example.com]:9100' }] }), 'test/static', 'targets[0].address', '"[db.example.com]:9100"'],
  ['static target with a bad IPv4 address', () => statics({ targets: [{ address: '192.0.2.300:9100' }] }), 'test/static', 'targets[0].address', '"192.0.2.300:9100"'],
  ['static target with an underscore host', () => statics({ targets: [{ address: 'db_1.example.com:9100' }] }), 'test/static', 'targets[0].address', '"db_1.example.com:9100"'],
  ['static target with credentials', () => statics({ targets: [{ address: 'user@db.example.com:9100' }] }), 'test/static', 'targets[0].address', '"user@db.example.com:9100"'],
  ['static target twice', () => statics({ targets: [{ address: 'db.example.com:9100' }, { address: 'DB.example.com:9100' }] }), 'test/static', 'targets[1].address', '"DB.example.com:9100"'],
  ['no static targets', () => statics({ targets: [] }), 'test/static', 'targets', '[]'],
  ['static target that is a string', () => statics({ targets: ['db.example.com:9100'] }), 'test/static', 'targets[0]', '"db.example.com:9100"'],
  ['static target label with a legacy-invalid name', () => {
    const { chart: c, prometheus } = stack({ nameValidationScheme: NameValidationScheme.LEGACY });
    return new StaticScrape(c, 'static', { prometheus, targets: [{ address: 'db.example.com:9100', labels: { 'team-name': 'a' } }] });
  }, 'test/static', 'targets[0].labels', '"team-name"'],
  ['static target label that is dropped', () => statics({ targets: [{ address: 'db.example.com:9100', labels: { __team: 'a' } }] }), 'test/static', 'targets[0].labels', '"__team"'],
  ['static target label job', () => statics({ targets: [{ address: 'db.example.com:9100', labels: { job: 'db' } }] }), 'test/static', 'targets[0].labels', '"job"'],
  ['static target label __address__', () => statics({ targets: [{ address: 'db.example.com:9100', labels: { __address__: 'x:1' } }] }), 'test/static', 'targets[0].labels', '"__address__"'],
  ['static target label value that is not a string', () => statics({ targets: [{ address: 'db.example.com:9100', labels: { team: 1 } }] }), 'test/static', 'targets[0].labels.team', '1'],
  ['static scrape with a relative CA file', () => statics({ targets: [{ address: 'db.example.com:9100' }], tls: { caFile: 'ca.crt' } }), 'test/static', 'tls.caFile', '"ca.crt"'],
  // --- KubernetesScrape
  ['unknown discovery role', () => k8sJob({ role: 'daemonset' }), 'test/custom', 'role', '"daemonset"'],
  ['node selector on a service job', () => k8sJob({ role: DiscoveryRole.SERVICE, selectors: [{ role: DiscoveryRole.NODE, label: 'a=b' }] }), 'test/custom', 'selectors[0].role', '"node"'],
  ['two selectors for one role', () => k8sJob({ selectors: [{ label: 'a=b' }, { role: DiscoveryRole.POD, field: 'status.phase=Running' }] }), 'test/custom', 'selectors[1].role', '"pod"'],
  ['selector without label or field', () => k8sJob({ selectors: [{ role: DiscoveryRole.POD }] }), 'test/custom', 'selectors[0]', '{"role":"pod"}'],
  ['empty label selector', () => k8sJob({ selectors: [{ label: ' ' }] }), 'test/custom', 'selectors[0].label', '" "'],
  ['label selector with a regex', () => k8sJob({ selectors: [{ label: 'app=~web.*' }] }), 'test/custom', 'selectors[0].label', '"app=~web.*"'],
  ['label selector with an empty in set', () => k8sJob({ selectors: [{ label: 'tier in ()' }] }), 'test/custom', 'selectors[0].label', '"tier in ()"'],
  ['label selector with a bad key', () => k8sJob({ selectors: [{ label: '-app=web' }] }), 'test/custom', 'selectors[0].label', '"-app=web"'],
  ['label selector with a bad value', () => k8sJob({ selectors: [{ label: 'app=web server' }] }), 'test/custom', 'selectors[0].label', '"app=web server"'],
  ['field selector with a label syntax', () => k8sJob({ selectors: [{ field: 'status.phase in (Running)' }] }), 'test/custom', 'selectors[0].field', '"status.phase in (Running)"'],
  ['field a pod cannot be selected by', () => k8sJob({ selectors: [{ field: 'status.hostIP=10.0.0.1' }] }), 'test/custom', 'selectors[0].field', '"status.hostIP=10.0.0.1"'],
  ['field a node cannot be selected by', () => k8sJob({ role: DiscoveryRole.NODE, selectors: [{ field: 'spec.nodeName=a' }] }), 'test/custom', 'selectors[0].field', '"spec.nodeName=a"'],
  ['node metadata on a service job', () => k8sJob({ role: DiscoveryRole.SERVICE, attachNodeMetadata: true }), 'test/custom', 'attachNodeMetadata', 'true'],
  ['namespace metadata on the node role', () => k8sJob({ role: DiscoveryRole.NODE, attachNamespaceMetadata: true }), 'test/custom', 'attachNamespaceMetadata', 'true'],
  ['node metadata that is not a boolean', () => k8sJob({ attachNodeMetadata: 'yes' }), 'test/custom', 'attachNodeMetadata', '"yes"'],
  ['namespaces on the node role', () => k8sJob({ role: DiscoveryRole.NODE, namespaces: ['apps'] }), 'test/custom', 'namespaces', '["apps"]'],
  ['namespace meta label without namespace metadata', () => k8sJob({ relabelings: [RelabelRule.copy('__meta_kubernetes_namespace_label_team', 'team')] }), 'test/custom', 'relabelings[0].sourceLabels[0]', '"__meta_kubernetes_namespace_label_team"'],
  ['selectors that are not a list', () => k8sJob({ selectors: { label: 'a=b' } }), 'test/custom', 'selectors', '{"label":"a=b"}'],
  ['node field selector by namespace', () => k8sJob({ role: DiscoveryRole.NODE, selectors: [{ field: 'metadata.namespace=a' }] }), 'test/custom', 'selectors[0].field', '"metadata.namespace=a"'],
  // --- KubeletEndpointScrape
  ['unknown kubelet endpoint', () => {
    const { chart: c, prometheus } = C();
    return new KubeletEndpointScrape(c, 'kubelet-probes', { prometheus, endpoint: '/metrics/cadvisor' as KubeletEndpoint });
  }, 'test/kubelet-probes', 'endpoint', '"/metrics/cadvisor"'],
  ['kubelet endpoint without endpoint', () => {
    const { chart: c, prometheus } = C();
    return new KubeletEndpointScrape(c, 'kubelet-probes', { prometheus } as any);
  }, 'test/kubelet-probes', 'endpoint', 'undefined'],
  // --- ControlPlaneScrape
  ['unknown control-plane component', () => controlPlane({ component: 'cloud-controller-manager' }), 'test/cp', 'component', '"cloud-controller-manager"'],
  ['etcd without a client certificate', () => controlPlane({ component: ControlPlaneComponent.ETCD }), 'test/cp', 'tls', 'null'],
  ['etcd with a CA only', () => controlPlane({ component: ControlPlaneComponent.ETCD, tls: { ca: SecretKey.of('etcd', 'ca.crt') } }), 'test/cp', 'tls', '{"ca":{"_secretName":"etcd","_key":"ca.crt"}}'],
  ['TLS for kube-proxy', () => controlPlane({ component: ControlPlaneComponent.KUBE_PROXY, tls: { insecureSkipVerify: true } }), 'test/cp', 'tls', '{"insecureSkipVerify":true}'],
  ['control-plane port 0', () => controlPlane({ component: ControlPlaneComponent.COREDNS, port: 0 }), 'test/cp', 'port', '0'],
  ['control-plane namespace in capitals', () => controlPlane({ component: ControlPlaneComponent.COREDNS, namespace: 'Kube-System' }), 'test/cp', 'namespace', '"Kube-System"'],
  ['control-plane pod selector with a regex', () => controlPlane({ component: ControlPlaneComponent.KUBE_PROXY, podSelector: 'k8s-app=~proxy' }), 'test/cp', 'podSelector', '"k8s-app=~proxy"'],
  ['control-plane rules twice', () => {
    const s = controlPlane({ component: ControlPlaneComponent.KUBE_PROXY }) as ControlPlaneScrape;
    s.addRules();
    return s.addRules();
  }, 'test/cp', 'addRules', '"kube-proxy"'],
  ['control-plane rule to omit that does not exist', () => (controlPlane({ component: ControlPlaneComponent.COREDNS }) as ControlPlaneScrape).addRules({ omit: ['KubeDNSDown'] }), 'test/cp', 'omit', '"KubeDNSDown"'],
];

describe('bad input', () => {
  test('covers at least 60 distinct mistakes', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map(c => c[0])).size).toBe(CASES.length);
  });

  test.each(CASES)('fails on %s', (_what, action, path, prop, value) => {
    let message = '';
    try {
      action();
    } catch (e: any) {
      message = e.message;
    }
    expect(message).not.toBe('');
    // path, prop and value, in that order, then what is allowed
    expect(message.startsWith(`${path}: invalid ${prop} ${value}: `)).toBe(true);
    // lowercase first word of the explanation, no trailing period
    const explanation = message.slice(`${path}: invalid ${prop} ${value}: `.length);
    expect(explanation.length).toBeGreaterThan(10);
    expect(explanation).not.toMatch(/\.$/);
  });

  test('a stack with no scrape jobs fails at synth, naming the stack', () => {
    const c = chart();
    new PrometheusStack(c, 'prometheus');
    expect(() => Testing.synth(c)).toThrow(/^Validation failed with the following errors:\n.*test\/prometheus: no scrape jobs were added/);
  });

  test('a prometheus.yml over 1 MiB fails at synth', () => {
    const { chart: c, prometheus } = C();
    for (let i = 0; i < 60; i++) {
      new PodPortScrape(c, `pods-${i}`, {
        prometheus,
        jobName: `pods-${i}`,
        metricRelabelings: Array.from({ length: 60 }, (_, k) => RelabelRule.drop({ sourceLabels: ['__name__'], regex: `metric_${k}_${'x'.repeat(200)}` })),
      });
    }
    expect(() => Testing.synth(c)).toThrow(/test\/prometheus: the rendered prometheus.yml and rules are \d+ bytes, over the 1 MiB ConfigMap limit/);
  });
});
