import { Size } from 'cdk8s';
import { ContainerResources, Cpu, k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { componentBasics, componentImage, ComponentMeta, componentServiceAccount, hardenedContainer, httpProbe, ingressOnlyFrom, podMetadata, prometheusPeer, restrictedPodSpec } from './component';
import { ensureNamespace } from './namespace';
import { clusterScoped } from './workload';
import { DiscoveryRole, EndpointDiscovery, endpointPortNameLabel } from '../model/discovery';
import { versionLabel } from '../model/image';
import { ScrapeOptions } from '../model/job';
import { IPrometheus } from '../model/prometheus';
import { RelabelRule } from '../model/relabel';
import { WorkloadOptions } from '../model/scheduling';
import { checkDns1123Label, fail } from '../model/validation';
import { KUBE_STATE_METRICS_IMAGE } from '../model/versions';
import { kubeStateMetricsRules } from '../rules/built-in-rules';
import { BuiltInRulesOptions, PrometheusRuleGroup } from '../rules/prometheus-rule-group';
import { ScrapeJob } from '../scrapes/scrape-job';

/** kube-state-metrics collectors (`--resources`); each needs list/watch on one resource. */
export enum KubeStateMetricsCollector {
  /** certificates.k8s.io certificatesigningrequests */
  CERTIFICATE_SIGNING_REQUESTS = 'certificatesigningrequests',
  /** configmaps: listing them returns their data, which often holds credentials; opt-in only */
  CONFIG_MAPS = 'configmaps',
  /** batch cronjobs */
  CRON_JOBS = 'cronjobs',
  /** apps daemonsets */
  DAEMON_SETS = 'daemonsets',
  /** apps deployments */
  DEPLOYMENTS = 'deployments',
  /** discovery.k8s.io endpointslices */
  ENDPOINT_SLICES = 'endpointslices',
  /** autoscaling horizontalpodautoscalers */
  HORIZONTAL_POD_AUTOSCALERS = 'horizontalpodautoscalers',
  /** networking.k8s.io ingresses */
  INGRESSES = 'ingresses',
  /** networking.k8s.io ingressclasses */
  INGRESS_CLASSES = 'ingressclasses',
  /** batch jobs */
  JOBS = 'jobs',
  /** coordination.k8s.io leases */
  LEASES = 'leases',
  /** limitranges */
  LIMIT_RANGES = 'limitranges',
  /** admissionregistration.k8s.io mutatingwebhookconfigurations */
  MUTATING_WEBHOOK_CONFIGURATIONS = 'mutatingwebhookconfigurations',
  /** namespaces */
  NAMESPACES = 'namespaces',
  /** networking.k8s.io networkpolicies */
  NETWORK_POLICIES = 'networkpolicies',
  /** nodes */
  NODES = 'nodes',
  /** persistentvolumeclaims */
  PERSISTENT_VOLUME_CLAIMS = 'persistentvolumeclaims',
  /** persistentvolumes */
  PERSISTENT_VOLUMES = 'persistentvolumes',
  /** policy poddisruptionbudgets */
  POD_DISRUPTION_BUDGETS = 'poddisruptionbudgets',
  /** pods */
  PODS = 'pods',
  /** apps replicasets */
  REPLICA_SETS = 'replicasets',
  /** replicationcontrollers */
  REPLICATION_CONTROLLERS = 'replicationcontrollers',
  /** resourcequotas */
  RESOURCE_QUOTAS = 'resourcequotas',
  /** secrets: lets kube-state-metrics read every Secret's data; opt-in only */
  SECRETS = 'secrets',
  /** serviceaccounts */
  SERVICE_ACCOUNTS = 'serviceaccounts',
  /** services */
  SERVICES = 'services',
  /** apps statefulsets */
  STATEFUL_SETS = 'statefulsets',
  /** storage.k8s.io storageclasses */
  STORAGE_CLASSES = 'storageclasses',
  /** admissionregistration.k8s.io validatingwebhookconfigurations */
  VALIDATING_WEBHOOK_CONFIGURATIONS = 'validatingwebhookconfigurations',
  /** storage.k8s.io volumeattachments */
  VOLUME_ATTACHMENTS = 'volumeattachments',
}

const API_GROUP: Partial<Record<KubeStateMetricsCollector, string>> = {
  [KubeStateMetricsCollector.CERTIFICATE_SIGNING_REQUESTS]: 'certificates.k8s.io',
  [KubeStateMetricsCollector.CRON_JOBS]: 'batch',
  [KubeStateMetricsCollector.JOBS]: 'batch',
  [KubeStateMetricsCollector.DAEMON_SETS]: 'apps',
  [KubeStateMetricsCollector.DEPLOYMENTS]: 'apps',
  [KubeStateMetricsCollector.REPLICA_SETS]: 'apps',
  [KubeStateMetricsCollector.STATEFUL_SETS]: 'apps',
  [KubeStateMetricsCollector.ENDPOINT_SLICES]: 'discovery.k8s.io',
  [KubeStateMetricsCollector.HORIZONTAL_POD_AUTOSCALERS]: 'autoscaling',
  [KubeStateMetricsCollector.INGRESSES]: 'networking.k8s.io',
  [KubeStateMetricsCollector.INGRESS_CLASSES]: 'networking.k8s.io',
  [KubeStateMetricsCollector.NETWORK_POLICIES]: 'networking.k8s.io',
  [KubeStateMetricsCollector.LEASES]: 'coordination.k8s.io',
  [KubeStateMetricsCollector.MUTATING_WEBHOOK_CONFIGURATIONS]: 'admissionregistration.k8s.io',
  [KubeStateMetricsCollector.VALIDATING_WEBHOOK_CONFIGURATIONS]: 'admissionregistration.k8s.io',
  [KubeStateMetricsCollector.POD_DISRUPTION_BUDGETS]: 'policy',
  [KubeStateMetricsCollector.STORAGE_CLASSES]: 'storage.k8s.io',
  [KubeStateMetricsCollector.VOLUME_ATTACHMENTS]: 'storage.k8s.io',
};

/**
 * Every collector but Secrets and ConfigMaps: a list permission on them reads every object's data
 * (credentials are often kept in ConfigMaps too). Enable them explicitly if you need their metrics.
 */
export const DEFAULT_KUBE_STATE_METRICS_COLLECTORS: KubeStateMetricsCollector[] = Object.freeze(Object.values(KubeStateMetricsCollector)
  .filter(c => c !== KubeStateMetricsCollector.SECRETS && c !== KubeStateMetricsCollector.CONFIG_MAPS)) as KubeStateMetricsCollector[];

/** Collectors of cluster-scoped resources: listed cluster-wide even when kube-state-metrics watches some namespaces only. */
const CLUSTER_SCOPED = new Set<KubeStateMetricsCollector>([
  KubeStateMetricsCollector.CERTIFICATE_SIGNING_REQUESTS, KubeStateMetricsCollector.INGRESS_CLASSES,
  KubeStateMetricsCollector.MUTATING_WEBHOOK_CONFIGURATIONS, KubeStateMetricsCollector.VALIDATING_WEBHOOK_CONFIGURATIONS,
  KubeStateMetricsCollector.NAMESPACES, KubeStateMetricsCollector.NODES, KubeStateMetricsCollector.PERSISTENT_VOLUMES,
  KubeStateMetricsCollector.STORAGE_CLASSES, KubeStateMetricsCollector.VOLUME_ATTACHMENTS,
]);

/** Options of `KubeStateMetrics`. */
export interface KubeStateMetricsOptions extends ScrapeOptions, WorkloadOptions {
  /**
   * Namespace of the kube-state-metrics objects.
   * @default - the chart's namespace, else the stack's
   */
  readonly namespace?: string;
  /**
   * Base name of the kube-state-metrics objects.
   * @default - the construct id when it is a valid DNS label, else a name derived from the construct path
   */
  readonly name?: string;
  /**
   * Collectors to enable; the ClusterRole (or Roles) grant list/watch on exactly their resources.
   * @default - every collector except SECRETS and CONFIG_MAPS
   */
  readonly collectors?: KubeStateMetricsCollector[];
  /**
   * Watch only these namespaces (`--namespaces`): namespaced resources are listed through a Role
   * in each, and only the cluster-scoped collectors (nodes, namespaces, persistentvolumes ...)
   * keep a ClusterRole.
   * @default - every namespace, through one ClusterRole
   */
  readonly namespaces?: string[];
  /**
   * kube-state-metrics image.
   * @default - `registry.k8s.io/kube-state-metrics/kube-state-metrics` at the pinned version
   */
  readonly image?: string;
  /**
   * Resources of the container.
   * @default - requests 10m CPU / 190Mi memory / 16Mi ephemeral storage, limits 100m CPU / 250Mi
   * memory / 256Mi ephemeral storage
   */
  readonly resources?: ContainerResources;
}

/** Props of `KubeStateMetrics`. */
export interface KubeStateMetricsProps extends KubeStateMetricsOptions {
  /** The stack that scrapes kube-state-metrics. */
  readonly prometheus: IPrometheus;
}

const METRICS_PORT = 8080;
const TELEMETRY_PORT = 8081;

/**
 * kube-state-metrics: Deployment (Pod Security `restricted`), ServiceAccount, a list/watch-only
 * ClusterRole derived from the enabled collectors, a Service, and its scrape job
 * (`job="kube-state-metrics"`, `honor_labels: true` so its `namespace`/`pod` labels describe the
 * object, not kube-state-metrics itself).
 */
export class KubeStateMetrics extends ScrapeJob {
  /** Namespace of the kube-state-metrics objects. */
  public readonly namespace: string;
  /** Name of the Service. */
  public readonly serviceName: string;
  private readonly _collectors: readonly KubeStateMetricsCollector[];

  public constructor(scope: Construct, id: string, props: KubeStateMetricsProps) {
    super(scope, id);
    // Validate first: everything below reads the stack.
    const { scheduling, namespace, name } = componentBasics(this, props, 63);
    this.namespace = namespace;
    this.serviceName = name;
    const collectors = [...new Set(props.collectors ?? DEFAULT_KUBE_STATE_METRICS_COLLECTORS)];
    this._collectors = Object.freeze(collectors);
    if (props.namespaces !== undefined && (!Array.isArray(props.namespaces) || props.namespaces.length === 0)) {
      fail({ scope: this, prop: 'namespaces' }, props.namespaces, 'give at least one namespace, or leave it out to watch every namespace');
    }
    props.namespaces?.forEach((ns, i) => checkDns1123Label({ scope: this, prop: `namespaces[${i}]` }, ns));
    const watched = props.namespaces ? [...new Set(props.namespaces)].sort() : undefined;
    if (collectors.length === 0) {
      fail({ scope: this, prop: 'collectors' }, [], 'enable at least one collector');
    }
    collectors.forEach((c, i) => {
      if (!Object.values(KubeStateMetricsCollector).includes(c)) {
        fail({ scope: this, prop: `collectors[${i}]` }, c, `unknown collector; one of ${Object.values(KubeStateMetricsCollector).join(', ')}`);
      }
    });

    if (props.prometheus.createsNamespaces) ensureNamespace(this, this.namespace, 'restricted', [props.prometheus]);
    const image = componentImage(this, props.image, KUBE_STATE_METRICS_IMAGE, props.prometheus);
    const meta = new ComponentMeta(name, this.namespace, 'kube-state-metrics', 'exporter', versionLabel(image));
    componentServiceAccount(this, meta);

    const rules = (of: KubeStateMetricsCollector[]): k8s.PolicyRule[] => {
      const byGroup = new Map<string, string[]>();
      for (const c of of) byGroup.set(API_GROUP[c] ?? '', [...(byGroup.get(API_GROUP[c] ?? '') ?? []), c]);
      return [...byGroup.keys()].sort().map(group => ({ apiGroups: [group], resources: byGroup.get(group)!.sort(), verbs: ['list', 'watch'] }));
    };
    const subjects = [{ kind: 'ServiceAccount', name, namespace: this.namespace }];
    const clusterName = `${this.namespace}-${name}`;
    const clusterCollectors = watched === undefined ? collectors : collectors.filter(c => CLUSTER_SCOPED.has(c));
    if (clusterCollectors.length > 0) {
      clusterScoped(new k8s.KubeClusterRole(this, 'ClusterRole', { metadata: { name: clusterName, labels: meta.labels }, rules: rules(clusterCollectors) }));
      clusterScoped(new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
        metadata: { name: clusterName, labels: meta.labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
        subjects,
      }));
    }
    const namespacedCollectors = collectors.filter(c => !CLUSTER_SCOPED.has(c));
    for (const ns of watched !== undefined && namespacedCollectors.length > 0 ? watched : []) {
      const roleName = ns === this.namespace ? name : clusterName;
      new k8s.KubeRole(this, `Role-${ns}`, { metadata: { name: roleName, namespace: ns, labels: meta.labels }, rules: rules(namespacedCollectors) });
      new k8s.KubeRoleBinding(this, `RoleBinding-${ns}`, {
        metadata: { name: roleName, namespace: ns, labels: meta.labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
        subjects,
      });
    }

    const timing = { initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5 };
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: meta.meta(),
      spec: {
        replicas: 1,
        selector: { matchLabels: meta.selector },
        template: {
          metadata: podMetadata(meta, scheduling),
          spec: restrictedPodSpec(meta, {
            scheduling,
            apiAccess: true,
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            containers: [hardenedContainer({
              scope: this,
              name: 'kube-state-metrics',
              image,
              args: [
                `--port=${METRICS_PORT}`,
                `--telemetry-port=${TELEMETRY_PORT}`,
                `--resources=${[...collectors].sort().join(',')}`,
                ...(watched ? [`--namespaces=${watched.join(',')}`] : []),
              ],
              ports: [
                { name: 'http-metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
                { name: 'telemetry', containerPort: TELEMETRY_PORT, protocol: 'TCP' },
              ],
              livenessProbe: httpProbe('/livez', 'http-metrics', timing),
              readinessProbe: httpProbe('/readyz', 'telemetry', timing),
              resources: props.resources,
              defaultResources: {
                cpu: { request: Cpu.millis(10), limit: Cpu.millis(100) },
                memory: { request: Size.mebibytes(190), limit: Size.mebibytes(250) },
                ephemeralStorage: { request: Size.mebibytes(16), limit: Size.mebibytes(256) },
              },
            })],
          }),
        },
      },
    });

    new k8s.KubeService(this, 'Service', {
      metadata: meta.meta(),
      spec: {
        selector: meta.selector,
        ports: [
          { name: 'http-metrics', port: METRICS_PORT, targetPort: k8s.IntOrString.fromString('http-metrics'), protocol: 'TCP' },
          { name: 'telemetry', port: TELEMETRY_PORT, targetPort: k8s.IntOrString.fromString('telemetry'), protocol: 'TCP' },
        ],
      },
    });

    // Only Prometheus may reach the metrics port.
    ingressOnlyFrom(this, meta, METRICS_PORT, [prometheusPeer(props.prometheus, this.namespace)]);

    this._register(props.prometheus, props, {
      defaultJobName: 'kube-state-metrics',
      role: DiscoveryRole.ENDPOINT_SLICE,
      namespaces: [this.namespace],
      honorLabels: true,
      relabelings: [
        RelabelRule.keep({
          sourceLabels: ['__meta_kubernetes_service_name', endpointPortNameLabel(EndpointDiscovery.ENDPOINT_SLICE)],
          regex: `${name};http-metrics`,
        }),
      ],
    });
  }

  /** Enabled collectors (a copy). */
  public get collectors(): KubeStateMetricsCollector[] {
    return [...this._collectors];
  }

  /**
   * Alerts on crash-looping and unready pods, deployments short of replicas and failed jobs (group
   * `kube-state-metrics`). A rule whose collector is not enabled is an error: leave it out with `omit`.
   */
  public addRules(options: BuiltInRulesOptions = {}): PrometheusRuleGroup {
    return this._addBuiltInRules('kube-state-metrics', kubeStateMetricsRules, options, (rules, omit) => {
      for (const r of rules as ReturnType<typeof kubeStateMetricsRules>) {
        if (!omit.has(r.rule.name) && !this.collectors.includes(r.collector as KubeStateMetricsCollector)) {
          fail({ scope: this, prop: 'collectors' }, this.collectors, `rule ${r.rule.name} needs the "${r.collector}" collector; `
            + `enable it or add "${r.rule.name}" to addRules({ omit })`);
        }
      }
    });
  }
}
