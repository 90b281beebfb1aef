/**
 * Bad input gets a clear error at synth time that names the construct path, the prop as the user
 * wrote it, the bad value, and what is allowed. One row per distinct mistake.
 */
import { Duration, Size, Testing } from 'cdk8s';
import {
  Alertmanager, AlertmanagerEndpoint, AlertMatcher, AnnotatedObjects, AnnotationScrape, CadvisorMetrics,
  CadvisorScrape, ControlPlaneComponent, ControlPlaneScrape, DiscoveryRole, EndpointDiscovery, KubeletEndpoint,
  KubeletEndpointScrape, KubeletScrape, KubernetesScrape, KubeStateMetrics, KubeStateMetricsCollector,
  NameValidationScheme, PodPortScrape, PrometheusMode, PrometheusRuleGroup, PrometheusStack, PrometheusStorage,
  RelabelRule, RemoteWriteAuth, RemoteWriteMessage, Scheme, ScrapeAuthorization, SecretKey, ServiceScrape,
  StaticScrape, TlsVersion,
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
const RW_URL = 'https://receiver.example.com/api/v1/write';
const rw = (endpoint: object) => stackWith({ remoteWrite: [{ url: RW_URL, ...endpoint }] });
const agentWith = (props: object = {}) => stackWith({ mode: PrometheusMode.AGENT, remoteWrite: [{ url: RW_URL }], ...props });
const M = AlertMatcher;
const night = { name: 'night', periods: [{ times: [{ startTime: '00:00', endTime: '06:00' }] }] };
const am = (props: object) => {
  const { chart: c, prometheus } = C();
  return new Alertmanager(c, 'alertmanager', { prometheus, route: { receiver: 'default' }, receivers: [{ name: 'default' }], ...props } as any);
};

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
  // --- remote_write (issue 12)
  ['remote-write url without scheme', () => rw({ url: 'receiver:9090/api/v1/write' }), 'test/prometheus', 'remoteWrite[0].url', '"receiver:9090/api/v1/write"'],
  ['remote-write url with another scheme', () => rw({ url: 'ftp://receiver/write' }), 'test/prometheus', 'remoteWrite[0].url', '"ftp://receiver/write"'],
  ['remote-write url with credentials', () => rw({ url: 'https://user:pw@receiver/write' }), 'test/prometheus', 'remoteWrite[0].url', '"https://user:pw@receiver/write"'],
  ['remote-write url with a fragment', () => rw({ url: 'https://receiver/write#x' }), 'test/prometheus', 'remoteWrite[0].url', '"https://receiver/write#x"'],
  ['remote-write name used twice', () => stackWith({ remoteWrite: [{ url: RW_URL, name: 'a' }, { url: RW_URL, name: 'a' }] }), 'test/prometheus', 'remoteWrite[1].name', '"a"'],
  ['empty remote-write name', () => rw({ name: ' ' }), 'test/prometheus', 'remoteWrite[0].name', '" "'],
  ['zero remote timeout', () => rw({ remoteTimeout: Duration.seconds(0) }), 'test/prometheus', 'remoteWrite[0].remoteTimeout', '0ms'],
  ['reserved remote-write header', () => rw({ headers: { 'user-agent': 'x' } }), 'test/prometheus', 'remoteWrite[0].headers', '"user-agent"'],
  ['remote-write Authorization header', () => rw({ headers: { Authorization: 'Bearer x' } }), 'test/prometheus', 'remoteWrite[0].headers', '"Authorization"'],
  ['meta label in a write relabeling', () => rw({ writeRelabelings: [RelabelRule.drop({ sourceLabels: ['__meta_kubernetes_pod_name'], regex: 'x' })] }), 'test/prometheus', 'remoteWrite[0].writeRelabelings[0].sourceLabels[0]', '"__meta_kubernetes_pod_name"'],
  ['bad write relabeling regex', () => rw({ writeRelabelings: [RelabelRule.labelDrop('(')] }), 'test/prometheus', 'remoteWrite[0].writeRelabelings[0].regex', '"("'],
  ['zero queue capacity', () => rw({ queue: { capacity: 0 } }), 'test/prometheus', 'remoteWrite[0].queue.capacity', '0'],
  ['fractional max shards', () => rw({ queue: { maxShards: 1.5 } }), 'test/prometheus', 'remoteWrite[0].queue.maxShards', '1.5'],
  ['min shards above max shards', () => rw({ queue: { minShards: 8, maxShards: 4 } }), 'test/prometheus', 'remoteWrite[0].queue.minShards', '8'],
  ['min shards above the default max shards', () => rw({ queue: { minShards: 51 } }), 'test/prometheus', 'remoteWrite[0].queue.minShards', '51'],
  ['zero max samples per send', () => rw({ queue: { maxSamplesPerSend: 0 } }), 'test/prometheus', 'remoteWrite[0].queue.maxSamplesPerSend', '0'],
  ['zero batch send deadline', () => rw({ queue: { batchSendDeadline: Duration.seconds(0) } }), 'test/prometheus', 'remoteWrite[0].queue.batchSendDeadline', '0ms'],
  ['max backoff below min backoff', () => rw({ queue: { minBackoff: Duration.seconds(2), maxBackoff: Duration.seconds(1) } }), 'test/prometheus', 'remoteWrite[0].queue.maxBackoff', '1000ms'],
  ['min backoff above the default max backoff', () => rw({ queue: { minBackoff: Duration.seconds(6) } }), 'test/prometheus', 'remoteWrite[0].queue.minBackoff', '6000ms'],
  ['zero metadata send interval', () => rw({ metadata: { sendInterval: Duration.seconds(0) } }), 'test/prometheus', 'remoteWrite[0].metadata.sendInterval', '0ms'],
  ['negative metadata batch', () => rw({ metadata: { maxSamplesPerSend: -1 } }), 'test/prometheus', 'remoteWrite[0].metadata.maxSamplesPerSend', '-1'],
  ['unknown protobuf message', () => rw({ protobufMessage: 'prometheus.WriteRequestV3' as RemoteWriteMessage }), 'test/prometheus', 'remoteWrite[0].protobufMessage', '"prometheus.WriteRequestV3"'],
  ['remote-write TLS on an http url', () => rw({ url: 'http://receiver/write', tls: { ca: SecretKey.of('ca', 'ca.crt') } }), 'test/prometheus', 'remoteWrite[0].tls', '"http://receiver/write"'],
  ['remote-write client certificate without key', () => rw({ tls: { cert: SecretKey.of('tls', 'tls.crt') } }), 'test/prometheus', 'remoteWrite[0].tls.cert', '"tls.crt"'],
  ['remote-write credentials that are not a RemoteWriteAuth', () => rw({ authorization: ScrapeAuthorization.none() }), 'test/prometheus', 'remoteWrite[0].authorization', '{"type":"none"}'],
  ['raw remote-write password string', () => rw({ authorization: RemoteWriteAuth.basicAuth('writer', 'hunter2' as any) }), 'test/prometheus', 'remoteWrite[0].authorization.password', '"(a string)"'],
  ['raw remote-write bearer token string', () => rw({ authorization: RemoteWriteAuth.bearerToken('eyJhbGciOi' as any) }), 'test/prometheus', 'remoteWrite[0].authorization.token', '"(a string)"'],
  ['remote-write bearer token Secret name', () => rw({ authorization: RemoteWriteAuth.bearerToken(SecretKey.of('Token', 'token')) }), 'test/prometheus', 'remoteWrite[0].authorization.token.secretName', '"Token"'],
  ['remote-write basic auth without user', () => rw({ authorization: RemoteWriteAuth.basicAuth('', SecretKey.of('c', 'password')) }), 'test/prometheus', 'remoteWrite[0].authorization.username', '""'],
  ['OAuth2 without client id', () => rw({ authorization: RemoteWriteAuth.oauth2({ clientId: '', clientSecret: SecretKey.of('o', 's'), tokenUrl: 'https://auth/token' }) }), 'test/prometheus', 'remoteWrite[0].authorization.clientId', '""'],
  ['OAuth2 relative token url', () => rw({ authorization: RemoteWriteAuth.oauth2({ clientId: 'p', clientSecret: SecretKey.of('o', 's'), tokenUrl: '/token' }) }), 'test/prometheus', 'remoteWrite[0].authorization.tokenUrl', '"/token"'],
  ['OAuth2 raw client secret', () => rw({ authorization: RemoteWriteAuth.oauth2({ clientId: 'p', clientSecret: 's3cr3t' as any, tokenUrl: 'https://auth/token' }) }), 'test/prometheus', 'remoteWrite[0].authorization.clientSecret', '"(a string)"'],
  ['OAuth2 scope with a space', () => rw({ authorization: RemoteWriteAuth.oauth2({ clientId: 'p', clientSecret: SecretKey.of('o', 's'), tokenUrl: 'https://auth/token', scopes: ['a b'] }) }), 'test/prometheus', 'remoteWrite[0].authorization.scopes[0]', '"a b"'],
  ['SigV4 access key without secret key', () => rw({ authorization: RemoteWriteAuth.sigV4({ accessKey: SecretKey.of('aws', 'id') }) }), 'test/prometheus', 'remoteWrite[0].authorization.accessKey', '"id"'],
  ['SigV4 bad region', () => rw({ authorization: RemoteWriteAuth.sigV4({ region: 'EU West' }) }), 'test/prometheus', 'remoteWrite[0].authorization.region', '"EU West"'],
  ['SigV4 bad role ARN', () => rw({ authorization: RemoteWriteAuth.sigV4({ roleArn: 'prometheus' }) }), 'test/prometheus', 'remoteWrite[0].authorization.roleArn', '"prometheus"'],
  ['two SigV4 key pairs in one pod', () => stackWith({
    remoteWrite: [
      { url: RW_URL, authorization: RemoteWriteAuth.sigV4({ accessKey: SecretKey.of('aws-a', 'id'), secretKey: SecretKey.of('aws-a', 'key') }) },
      { url: RW_URL, name: 'b', authorization: RemoteWriteAuth.sigV4({ accessKey: SecretKey.of('aws-b', 'id'), secretKey: SecretKey.of('aws-b', 'key') }) },
    ],
  }), 'test/prometheus', 'remoteWrite[1].authorization.accessKey', '"aws-b/id"'],
  ['TLS client key sent as the bearer token', () => rw({ authorization: RemoteWriteAuth.bearerToken(SecretKey.of('tls', 'tls.key')), tls: { cert: SecretKey.of('tls', 'tls.crt'), key: SecretKey.of('tls', 'tls.key') } }), 'test/prometheus', 'remoteWrite[0].authorization', '"tls/tls.key"'],
  // --- agent mode (issue 12)
  ['agent without remote write', () => stackWith({ mode: PrometheusMode.AGENT }), 'test/prometheus', 'mode', '"agent"'],
  ['unknown mode', () => stackWith({ mode: 'proxy' }), 'test/prometheus', 'mode', '"proxy"'],
  ['agent with retention', () => agentWith({ retention: Duration.days(30) }), 'test/prometheus', 'retention', '2592000000ms'],
  ['agent with retention size', () => agentWith({ retentionSize: Size.gibibytes(5) }), 'test/prometheus', 'retentionSize', '"5368709120 bytes"'],
  ['agent with alertmanagers', () => agentWith({ alertmanagers: [AlertmanagerEndpoint.addresses(['am:9093'])] }), 'test/prometheus', 'alertmanagers', '"1 endpoint(s)"'],
  ['agent with a rule group', () => {
    const { chart: c, prometheus } = agentWith();
    return new PrometheusRuleGroup(c, 'rules', { prometheus });
  }, 'test/rules', 'prometheus', '"test/prometheus"'],
  ['agent with built-in rules', () => agentWith().prometheus.addKubeletScrape('kubelet').addRules(), 'test/prometheus/kubelet/Rules', 'prometheus', '"test/prometheus"'],
  ['agent with self-monitoring rules', () => agentWith().prometheus.addSelfMonitoringRules(), 'test/prometheus', 'mode', '"agent"'],
  ['TLS client key sent as the scrape password', () => svc({
    authorization: ScrapeAuthorization.basicAuthFromSecret('u', SecretKey.of('tls', 'tls.key')),
    tls: { cert: SecretKey.of('tls', 'tls.crt'), key: SecretKey.of('tls', 'tls.key') },
  }), 'test/svc', 'authorization', '"tls/tls.key"'],
  ['raw scrape bearer token string', () => svc({ authorization: ScrapeAuthorization.bearerToken('eyJhbGciOi' as any) }), 'test/svc', 'authorization.secret', '"(a string)"'],
  // --- Alertmanager (issue 14)
  ['alertmanager route naming an unknown receiver', () => am({ route: { receiver: 'nobody' } }), 'test/alertmanager', 'route.receiver', '"nobody"'],
  ['alertmanager child route naming an unknown receiver', () => am({ route: { receiver: 'default', routes: [{ receiver: 'x', matchers: [M.equal('a', 'b')] }] } }), 'test/alertmanager', 'route.routes[0].receiver', '"x"'],
  ['alertmanager duplicate receiver names', () => am({ receivers: [{ name: 'default' }, { name: 'default' }] }), 'test/alertmanager', 'receivers[1].name', '"default"'],
  ['alertmanager root route with matchers', () => am({ route: { receiver: 'default', matchers: [M.equal('team', 'db')] } }), 'test/alertmanager', 'route.matchers', '["team=db"]'],
  ['alertmanager root route without receiver', () => am({ route: {} }), 'test/alertmanager', 'route.receiver', 'undefined'],
  ['alertmanager root route continue', () => am({ route: { receiver: 'default', continueMatching: true } }), 'test/alertmanager', 'route.continueMatching', 'true'],
  ['alertmanager root route mute interval', () => am({ route: { receiver: 'default', muteTimeIntervals: ['night'] }, timeIntervals: [night] }), 'test/alertmanager', 'route.muteTimeIntervals', '["night"]'],
  ['alertmanager zero group interval', () => am({ route: { receiver: 'default', groupInterval: Duration.seconds(0) } }), 'test/alertmanager', 'route.groupInterval', '0ms'],
  ['alertmanager fractional repeat interval', () => am({ route: { receiver: 'default', repeatInterval: Duration.millis(0.5) } }), 'test/alertmanager', 'route.repeatInterval', '"0.5 millis"'],
  ['alertmanager empty group_by label', () => am({ route: { receiver: 'default', groupBy: [''] } }), 'test/alertmanager', 'route.groupBy[0]', '""'],
  ['alertmanager wildcard group_by with labels', () => am({ route: { receiver: 'default', groupBy: ['...', 'alertname'] } }), 'test/alertmanager', 'route.groupBy[0]', '"..."'],
  ['alertmanager duplicate group_by label', () => am({ route: { receiver: 'default', groupBy: ['a', 'a'] } }), 'test/alertmanager', 'route.groupBy[1]', '"a"'],
  ['alertmanager bad matcher regex', () => am({ route: { receiver: 'default', routes: [{ matchers: [M.regex('team', '(?=db)')] }] } }), 'test/alertmanager', 'route.routes[0].matchers[0].value', '"(?=db)"'],
  ['alertmanager unknown mute time interval', () => am({ route: { receiver: 'default', routes: [{ matchers: [M.equal('a', 'b')], muteTimeIntervals: ['weekend'] }] } }), 'test/alertmanager', 'route.routes[0].muteTimeIntervals[0]', '"weekend"'],
  ['alertmanager unknown active time interval', () => am({ route: { receiver: 'default', routes: [{ activeTimeIntervals: ['office'] }] }, timeIntervals: [night] }), 'test/alertmanager', 'route.routes[0].activeTimeIntervals[0]', '"office"'],
  ['alertmanager webhook url not a URL', () => am({ receivers: [{ name: 'default', webhooks: [{ url: 'hook:8080' }] }] }), 'test/alertmanager', 'receivers[0].webhooks[0].url', '"hook:8080"'],
  ['alertmanager webhook url with a token inline', () => am({ receivers: [{ name: 'default', webhooks: [{ url: 'https://hooks.example.org/x?token=s3cret' }] }] }), 'test/alertmanager', 'receivers[0].webhooks[0].url', '"https://hooks.example.org/x?***"'],
  ['alertmanager webhook url with credentials inline', () => am({ receivers: [{ name: 'default', webhooks: [{ url: 'https://u:p@hooks.example.org/x' }] }] }), 'test/alertmanager', 'receivers[0].webhooks[0].url', '"https://***@hooks.example.org/x"'],
  ['alertmanager webhook with neither url nor urlSecret', () => am({ receivers: [{ name: 'default', webhooks: [{}] }] }), 'test/alertmanager', 'receivers[0].webhooks[0].url', 'undefined'],
  ['alertmanager slack api url inline', () => am({ receivers: [{ name: 'default', slack: [{ apiUrl: 'https://hooks.slack.com/services/T/B/X' }] }] }), 'test/alertmanager', 'receivers[0].slack[0].apiUrl', '"https://hooks.slack.com/services/T/B/X"'],
  ['alertmanager slack without api url', () => am({ receivers: [{ name: 'default', slack: [{ channel: '#a' }] }] }), 'test/alertmanager', 'receivers[0].slack[0].apiUrl', 'undefined'],
  ['alertmanager pagerduty routing key inline', () => am({ receivers: [{ name: 'default', pagerDuty: [{ routingKey: 'abc123' }] }] }), 'test/alertmanager', 'receivers[0].pagerDuty[0].routingKey', '"abc123"'],
  ['alertmanager pagerduty without key', () => am({ receivers: [{ name: 'default', pagerDuty: [{}] }] }), 'test/alertmanager', 'receivers[0].pagerDuty[0].routingKey', 'undefined'],
  ['alertmanager opsgenie without api key', () => am({ receivers: [{ name: 'default', opsgenie: [{}] }] }), 'test/alertmanager', 'receivers[0].opsgenie[0].apiKey', 'undefined'],
  ['alertmanager teams webhook inline', () => am({ receivers: [{ name: 'default', msTeams: [{ webhookUrl: 'https://x.example.org/hook' }] }] }), 'test/alertmanager', 'receivers[0].msTeams[0].webhookUrl', '"https://x.example.org/hook"'],
  ['alertmanager email without smarthost', () => am({ receivers: [{ name: 'default', emails: [{ to: 'a@example.org', from: 'b@example.org' }] }] }), 'test/alertmanager', 'receivers[0].emails[0].smarthost', 'undefined'],
  ['alertmanager email smarthost without port', () => am({ receivers: [{ name: 'default', emails: [{ to: 'a@example.org', from: 'b@example.org', smarthost: 'smtp.example.org' }] }] }), 'test/alertmanager', 'receivers[0].emails[0].smarthost', '"smtp.example.org"'],
  ['alertmanager smtp password inline', () => am({ global: { smtpAuthPassword: 'hunter2' } }), 'test/alertmanager', 'global.smtpAuthPassword', '"hunter2"'],
  ['alertmanager inhibit rule without source matchers', () => am({ inhibitRules: [{ sourceMatchers: [], targetMatchers: [M.equal('severity', 'warning')] }] }), 'test/alertmanager', 'inhibitRules[0].sourceMatchers', '[]'],
  ['alertmanager duplicate time interval', () => am({ timeIntervals: [night, night] }), 'test/alertmanager', 'timeIntervals[1].name', '"night"'],
  ['alertmanager time range end before start', () => am({ timeIntervals: [{ name: 'n', periods: [{ times: [{ startTime: '10:00', endTime: '09:00' }] }] }] }), 'test/alertmanager', 'timeIntervals[0].periods[0].times[0].endTime', '"09:00"'],
  ['alertmanager bad weekday', () => am({ timeIntervals: [{ name: 'n', periods: [{ weekdays: ['friday:monday'] }] }] }), 'test/alertmanager', 'timeIntervals[0].periods[0].weekdays[0]', '"friday:monday"'],
  ['alertmanager bad time zone', () => am({ timeIntervals: [{ name: 'n', periods: [{ location: 'Berlin time' }] }] }), 'test/alertmanager', 'timeIntervals[0].periods[0].location', '"Berlin time"'],
  ['alertmanager template name', () => am({ templates: [{ name: 'x.txt', content: '{{ define "x" }}{{ end }}' }] }), 'test/alertmanager', 'templates[0].name', '"x.txt"'],
  ['alertmanager zero replicas', () => am({ replicas: 0 }), 'test/alertmanager', 'replicas', '0'],
  ['alertmanager bad external URL', () => am({ externalUrl: 'alerts.example.org' }), 'test/alertmanager', 'externalUrl', '"alerts.example.org"'],
  ['alertmanager no receivers', () => am({ receivers: [] }), 'test/alertmanager', 'receivers', '[]'],
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
