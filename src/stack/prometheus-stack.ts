import { createHash } from 'crypto';
import { Duration, Lazy, Size } from 'cdk8s';
import { ContainerResources, k8s, ServiceType } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CONFIG_DIR, CONFIG_FILE, RULES_FILE, SELF_JOB, WEB_PORT } from './constants';
import { PrometheusStorage } from './prometheus-storage';
import { prometheusWorkload } from './prometheus-workload';
import { SelfScrape } from './self-scrape';
import { StackRbac } from './stack-rbac';
import {
  checkWeb, checkWebConfig, PrometheusIngressOptions, prometheusIngress, PrometheusWebBasicAuthOptions, PrometheusWebTlsOptions, webConfigSecrets,
  WebConfigSpec, WebSpec,
} from './web';
import { Alertmanager, AlertmanagerOptions } from '../components/alertmanager';
import { BlackboxExporter, BlackboxExporterOptions } from '../components/blackbox-exporter';
import { componentImage, ComponentMeta, componentServiceAccount } from '../components/component';
import { KubeStateMetrics, KubeStateMetricsOptions } from '../components/kube-state-metrics';
import { ensureNamespace } from '../components/namespace';
import { NodeExporter, NodeExporterOptions } from '../components/node-exporter';
import { CONFIG_HASH_ANNOTATION, resolveName, resolveNamespace } from '../components/workload';
import { AlertmanagerDiscovery, AlertmanagerEndpoint, checkAlertmanagerEndpoint } from '../model/alerting';
import { brand, hasBrand } from '../model/brand';
import { endpointSecrets } from '../model/endpoint';
import { atLeast, checkRegistry, imageVersion, versionLabel } from '../model/image';
import { JobSpec } from '../model/job';
import { IPrometheus, IRuleGroup, IScrapeJob, PROMETHEUS_STACK_BRAND } from '../model/prometheus';
import { checkRemoteWrite, checkRemoteWrites, RemoteWriteEndpoint, RemoteWriteSpec, remoteWriteSecrets, sigV4Credentials } from '../model/remote-write';
import { WorkloadOptions, workloadOptions } from '../model/scheduling';
import { PROMETHEUS_SECRETS_DIR, secretMounts } from '../model/secret';
import { checkDns1123Label, checkLabelName, checkLabelValue, checkPositiveDuration, fail, NameValidationScheme, show } from '../model/validation';
import { PROMETHEUS_IMAGE, PROMETHEUS_VERSION } from '../model/versions';
import { IngressProbe, IngressProbeOptions } from '../probes/ingress-probe';
import { ServiceProbe, ServiceProbeOptions } from '../probes/service-probe';
import { renderPrometheusConfig, renderRules } from '../render/prometheus-config';
import { DerivedRbac, deriveRbac } from '../render/rbac';
import { sortedBy } from '../render/shared';
import { selfMonitoringRules } from '../rules/built-in-rules';
import { PrometheusRuleGroup } from '../rules/prometheus-rule-group';
import { AnnotationScrape, AnnotationScrapeOptions } from '../scrapes/annotation-scrape';
import { ApiServerScrape, ApiServerScrapeOptions } from '../scrapes/api-server-scrape';
import { CadvisorScrape, CadvisorScrapeOptions } from '../scrapes/cadvisor-scrape';
import { ControlPlaneScrape, ControlPlaneScrapeOptions } from '../scrapes/control-plane-scrape';
import { KubeletEndpointScrape, KubeletEndpointScrapeOptions } from '../scrapes/kubelet-endpoint-scrape';
import { KubeletScrape, KubeletScrapeOptions } from '../scrapes/kubelet-scrape';
import { KubernetesScrape, KubernetesScrapeOptions } from '../scrapes/kubernetes-scrape';
import { PodPortScrape, PodPortScrapeOptions } from '../scrapes/pod-port-scrape';
import { ScrapeJob } from '../scrapes/scrape-job';
import { ServiceScrape, ServiceScrapeOptions } from '../scrapes/service-scrape';
import { StaticScrape, StaticScrapeOptions } from '../scrapes/static-scrape';

/** How Prometheus runs. */
export enum PrometheusMode {
  /** The full server: local TSDB, queries, rules and alerts. */
  SERVER = 'server',
  /**
   * Agent mode (`--agent`): scrape and forward everything through `remoteWrite`, keeping only a
   * WAL. No queries, rules, alerts or retention.
   */
  AGENT = 'agent',
}

/** Props of `PrometheusStack`. */
export interface PrometheusStackProps extends WorkloadOptions {
  /**
   * Namespace of every object of the stack.
   * @default - the chart's namespace (one of the two is required)
   */
  readonly namespace?: string;
  /**
   * Base name of the stack's objects (StatefulSet, Service, ServiceAccount ...).
   * @default - the construct id when it is a valid DNS label, else a name derived from the construct path
   */
  readonly name?: string;
  /**
   * How often targets are scraped, unless a scrape overrides it.
   * @default Duration.seconds(30)
   */
  readonly scrapeInterval?: Duration;
  /**
   * How long a scrape may take, unless a scrape overrides it.
   * @default Duration.seconds(10)
   */
  readonly scrapeTimeout?: Duration;
  /**
   * How often rules are evaluated.
   * @default Duration.seconds(30)
   */
  readonly evaluationInterval?: Duration;
  /**
   * Labels added to every series and alert leaving this Prometheus (federation, remote write).
   * @default - none (with `replicas > 1`, a `replica` label per pod)
   */
  readonly externalLabels?: { [name: string]: string };
  /**
   * Label name syntax Prometheus enforces.
   * @default NameValidationScheme.UTF8
   */
  readonly nameValidationScheme?: NameValidationScheme;
  /**
   * Where the TSDB lives.
   * @default PrometheusStorage.persistent()
   */
  readonly storage?: PrometheusStorage;
  /**
   * How long samples are kept.
   * @default Duration.days(15)
   */
  readonly retention?: Duration;
  /**
   * Largest size of the TSDB before the oldest blocks are deleted.
   * @default - 85% of the storage size
   */
  readonly retentionSize?: Size;
  /**
   * Number of identical Prometheus replicas. With more than one, each gets a distinct `replica`
   * external label, and the stack adds a PodDisruptionBudget and pod anti-affinity.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Emit the Namespace objects the stack and its components need, labelled with the Pod Security
   * level each enforces (`restricted`; `privileged` for node-exporter's), ordered before the
   * objects in them. Turn it off where namespaces are managed elsewhere (then label them
   * yourself).
   * @default true
   */
  readonly createNamespaces?: boolean;
  /**
   * A registry mirror for every image the library deploys with this stack (Prometheus,
   * kube-state-metrics, node-exporter, the blackbox exporter): it replaces the registry of the
   * pinned images and keeps their paths and tags (`quay.io/prometheus/prometheus:v3.16.0` is
   * pulled as `<imageRegistry>/prometheus/prometheus:v3.16.0`). An explicit `image` is used as
   * given.
   * @default - the images' own registries
   */
  readonly imageRegistry?: string;
  /**
   * Prometheus image.
   * @default - `quay.io/prometheus/prometheus` at the version this library is tested with
   */
  readonly image?: string;
  /**
   * Resources of the Prometheus container.
   * @default - requests 250m CPU / 1Gi memory / 64Mi ephemeral storage, limits 1 CPU / 2Gi memory /
   * 1Gi ephemeral storage (plus the emptyDir size with ephemeral storage)
   */
  readonly resources?: ContainerResources;
  /**
   * Type of the Service in front of Prometheus.
   * @default ServiceType.CLUSTER_IP
   */
  readonly serviceType?: ServiceType;
  /**
   * Namespaces whose pods may reach the Prometheus port (NetworkPolicy). The stack's own
   * namespace is always allowed.
   * @default - only the stack's own namespace
   */
  readonly allowFromNamespaces?: string[];
  /**
   * Where alerts go.
   * @default - nowhere: rules are evaluated, alerts are visible in the UI and API only
   */
  readonly alertmanagers?: AlertmanagerEndpoint[];
  /**
   * Scrape Prometheus itself (job `prometheus`, `localhost:9090` in each pod), for the
   * self-monitoring rules and dashboards.
   * @default true
   */
  readonly selfMonitoring?: boolean;
  /**
   * Roll the pods when the configuration changes (a config checksum on the pod template), instead
   * of reloading it in place. Rolling costs a WAL replay and a gap in the data.
   * @default false
   */
  readonly restartOnConfigChange?: boolean;
  /**
   * Where samples are sent (`remote_write`), in order.
   * @default - nowhere
   */
  readonly remoteWrite?: RemoteWriteEndpoint[];
  /**
   * Server or agent mode. Agent mode requires `remoteWrite` and refuses rule groups,
   * alertmanagers and retention settings.
   * @default PrometheusMode.SERVER
   */
  readonly mode?: PrometheusMode;
  /**
   * The URL users reach Prometheus at (`--web.external-url`): an absolute http:// or https://
   * URL. Links in the UI and the `generatorURL` of alerts use it; its path is the route prefix
   * unless `webRoutePrefix` is given.
   * @default - derived from `ingress` (`https://` with `tlsSecretName`, else `http://`, host and
   * route prefix) when there is one, else Prometheus's own (the pod's host name)
   */
  readonly webExternalUrl?: string;
  /**
   * Path prefix of every web and API endpoint (`--web.route-prefix`), starting with "/". The
   * probes and the self-scrape follow it (`<prefix>/-/ready`, `<prefix>/metrics`).
   * @default - the path of `webExternalUrl`, else "/"
   */
  readonly webRoutePrefix?: string;
  /**
   * An Ingress to the web UI and API. The NetworkPolicy admits the ingress controller's pods
   * (`controllerNamespace`, `controllerPodLabels`) to the web port.
   * @default - no Ingress
   */
  readonly ingress?: PrometheusIngressOptions;
  /**
   * Serve the web UI and API over TLS (`--web.config.file`, `tls_server_config`) with a
   * certificate from a Secret. The probes switch to HTTPS, the self-scrape to `https` with the
   * certificate pinned.
   * @default - plain HTTP
   */
  readonly webTls?: PrometheusWebTlsOptions;
  /**
   * Require HTTP basic auth on every endpoint (`--web.config.file`, `basic_auth_users`). The
   * bcrypt hash comes from a Secret through an init container, never a ConfigMap; the probes
   * become `promtool check` exec probes and the self-scrape logs in with the plain password.
   * @default - no authentication
   */
  readonly webBasicAuth?: PrometheusWebBasicAuthOptions;
}

/**
 * Prometheus on Kubernetes: ServiceAccount, RBAC derived from the registered scrape jobs,
 * ConfigMap with `prometheus.yml` rendered at synth, a StatefulSet with persistent storage,
 * hot reload, probes and Pod Security `restricted`, a ClusterIP Service and a NetworkPolicy.
 */
export class PrometheusStack extends Construct implements IPrometheus {
  /** Whether `x` is a PrometheusStack, made by any copy of this library. */
  public static isPrometheusStack(x: any): x is PrometheusStack {
    return hasBrand(x, PROMETHEUS_STACK_BRAND);
  }

  /** Namespace of the stack's objects. */
  public readonly namespace: string;
  /** Base name of the stack's objects. */
  public readonly name: string;
  /** Name of the ServiceAccount Prometheus runs as. */
  public readonly serviceAccountName: string;
  /** Name of the Service in front of Prometheus. */
  public readonly serviceName: string;
  /** Port of the Prometheus web server and API. */
  public readonly port: number = WEB_PORT;
  /** Global scrape interval. */
  public readonly scrapeInterval: Duration;
  /** Global scrape timeout. */
  public readonly scrapeTimeout: Duration;
  /** Label name syntax enforced. */
  public readonly nameValidationScheme: NameValidationScheme;
  /** Whether the stack and its components emit the Namespace objects they need. */
  public readonly createsNamespaces: boolean;
  /** The registry mirror of the images this stack's components deploy, if any. */
  public readonly imageRegistry?: string;
  /** Number of replicas. */
  public readonly replicas: number;
  /** Server or agent mode. */
  public readonly mode: PrometheusMode;
  /** The path prefix of every web and API endpoint: "/" or "/<prefix>" (no trailing "/"). */
  public readonly webRoutePrefix: string;
  private readonly _selectorLabels: Readonly<Record<string, string>>;

  private readonly evaluationInterval: Duration;
  private readonly externalLabels: Record<string, string>;
  private readonly retention?: Duration;
  private readonly retentionSizeBytes?: number;
  private readonly remoteWrites: RemoteWriteSpec[];
  private readonly jobsByName = new Map<string, ScrapeJob>();
  private readonly groupsByName = new Map<string, PrometheusRuleGroup>();
  private readonly alertmanagers: AlertmanagerEndpoint[];
  private readonly selfScrape?: ScrapeJob;
  private readonly rbacObjects: StackRbac;
  private readonly web: WebSpec;
  private readonly webConfig: WebConfigSpec;
  private rbacCache?: { count: number; rbac: DerivedRbac };
  private filesCache?: { key: string; files: Record<string, string> };

  public constructor(scope: Construct, id: string, props: PrometheusStackProps = {}) {
    super(scope, id);
    const where = (prop: string) => ({ scope: this, prop });
    const scheduling = workloadOptions(where(''), props);
    this.namespace = resolveNamespace(this, props.namespace);
    // StatefulSet pods carry controller-revision-hash = name + "-" + 10 chars, at most 63.
    this.name = resolveName(this, props.name, 52);
    this.serviceAccountName = this.name;
    this.serviceName = this.name;
    this.nameValidationScheme = props.nameValidationScheme ?? NameValidationScheme.UTF8;

    this.scrapeInterval = props.scrapeInterval ?? Duration.seconds(30);
    checkPositiveDuration(where('scrapeInterval'), this.scrapeInterval);
    // Unset, the timeout follows the interval down, as Prometheus caps it.
    this.scrapeTimeout = props.scrapeTimeout ?? Duration.millis(Math.min(10_000, this.scrapeInterval.toMilliseconds()));
    this.evaluationInterval = props.evaluationInterval ?? Duration.seconds(30);
    checkPositiveDuration(where('scrapeTimeout'), this.scrapeTimeout);
    checkPositiveDuration(where('evaluationInterval'), this.evaluationInterval);
    if (this.scrapeTimeout.toMilliseconds() > this.scrapeInterval.toMilliseconds()) {
      fail(where('scrapeTimeout'), this.scrapeTimeout,
        `the global scrape timeout must not exceed the global scrape interval (${this.scrapeInterval.toMilliseconds()}ms)`);
    }

    this.replicas = props.replicas ?? 1;
    if (!Number.isInteger(this.replicas) || this.replicas < 1) {
      fail(where('replicas'), this.replicas, 'must be a whole number >= 1');
    }
    this.externalLabels = { ...props.externalLabels };
    for (const [k, v] of Object.entries(this.externalLabels)) {
      checkLabelName(where(`externalLabels.${k}`), k, this.nameValidationScheme);
      if (k.startsWith('__')) fail(where(`externalLabels.${k}`), k, 'external label names must not begin with "__"');
      checkLabelValue(where(`externalLabels.${k}`), v);
      if (v === '') fail(where(`externalLabels.${k}`), v, 'an empty external label value removes the label; leave the label out instead');
    }
    if (this.replicas > 1) {
      if ('replica' in this.externalLabels) {
        fail(where('externalLabels.replica'), this.externalLabels.replica,
          'with replicas > 1 the stack sets the "replica" external label to the pod name; leave it out');
      }
      // Expanded by Prometheus from the environment of each pod.
      this.externalLabels.replica = '${POD_NAME}';
    }

    this.mode = props.mode ?? PrometheusMode.SERVER;
    if (!Object.values(PrometheusMode).includes(this.mode)) fail(where('mode'), this.mode, 'PrometheusMode.SERVER or PrometheusMode.AGENT');
    const agent = this.mode === PrometheusMode.AGENT;
    if (props.remoteWrite !== undefined && !Array.isArray(props.remoteWrite)) fail(where('remoteWrite'), props.remoteWrite, 'give a list of endpoints');
    this.remoteWrites = [...(props.remoteWrite ?? [])].map((rw, i) => checkRemoteWrite(this, `remoteWrite[${i}]`, rw, this.nameValidationScheme));
    checkRemoteWrites(this, this.remoteWrites);
    if (agent) {
      if (this.remoteWrites.length === 0) {
        fail(where('mode'), this.mode, 'an agent keeps no data of its own and forwards everything through remote_write: give at least one remoteWrite endpoint');
      }
      const noTsdb = 'an agent has no TSDB to retain data in (its WAL is truncated once samples are sent); leave it out, or use PrometheusMode.SERVER';
      if (props.retention !== undefined) fail(where('retention'), props.retention, noTsdb);
      if (props.retentionSize !== undefined) fail(where('retentionSize'), `${props.retentionSize.toKibibytes() * 1024} bytes`, noTsdb);
      if ((props.alertmanagers ?? []).length > 0) {
        fail(where('alertmanagers'), `${props.alertmanagers!.length} endpoint(s)`, 'an agent evaluates no rules and sends no alerts; leave alertmanagers out, or use PrometheusMode.SERVER');
      }
    }

    const storage = props.storage ?? PrometheusStorage.persistent();
    const storageBytes = storage.size.toKibibytes() * 1024;
    if (!agent) {
      this.retention = props.retention ?? Duration.days(15);
      checkPositiveDuration(where('retention'), this.retention);
      this.retentionSizeBytes = props.retentionSize
        ? props.retentionSize.toKibibytes() * 1024
        : Math.floor((storageBytes * 0.85) / 2 ** 20) * 2 ** 20;
      if (!(this.retentionSizeBytes > 0) || this.retentionSizeBytes > storageBytes) {
        fail(where('retentionSize'), `${this.retentionSizeBytes} bytes`,
          `must be positive and at most the storage size (${storageBytes} bytes); keep it at ~85% of the volume`);
      }
    }
    this.web = checkWeb(this, props);
    this.webRoutePrefix = this.web.prefix;
    this.webConfig = checkWebConfig(this, props);
    for (const [i, ns] of (props.allowFromNamespaces ?? []).entries()) checkDns1123Label(where(`allowFromNamespaces[${i}]`), ns);
    this.alertmanagers = [...(props.alertmanagers ?? [])];
    this.alertmanagers.forEach((am, i) => checkAlertmanagerEndpoint(where(`alertmanagers[${i}]`), am));

    if (props.createNamespaces !== undefined && typeof props.createNamespaces !== 'boolean') {
      fail(where('createNamespaces'), props.createNamespaces, 'true or false');
    }
    this.createsNamespaces = props.createNamespaces ?? true;
    if (this.createsNamespaces) ensureNamespace(this, this.namespace, 'restricted');
    if (props.imageRegistry !== undefined) checkRegistry(where('imageRegistry'), props.imageRegistry);
    this.imageRegistry = props.imageRegistry;
    const image = componentImage(this, props.image, PROMETHEUS_IMAGE, this);
    const version = imageVersion(image);
    // The stack renders --config.auto-reload (3.12) and the config file's retention block (3.8).
    if (version !== undefined && (!version.startsWith('3.') || !atLeast(version, '3.12.0'))) {
      fail(where('image'), image, `this stack runs Prometheus 3 with --config.auto-reload (3.12 and later); use a tag from v3.12.0 on (tested: v${PROMETHEUS_VERSION})`);
    }
    const meta = new ComponentMeta(this.name, this.namespace, 'prometheus', 'server', versionLabel(image));
    this._selectorLabels = Object.freeze({ ...meta.selector });
    // The token is mounted only where it is used: the Prometheus pod asks for it itself.
    componentServiceAccount(this, meta, this.serviceAccountName);
    // RBAC objects right after the ServiceAccount they bind, in a fixed order.
    this.rbacObjects = new StackRbac(this, 'Rbac', {
      name: this.name,
      namespace: this.namespace,
      serviceAccountName: this.serviceAccountName,
      labels: meta.labels,
      rules: () => this.rbac(),
    });


    const configHash = Lazy.any({ produce: () => this.configHash() }) as any as string;
    const configMapName = `${this.name}-config`;
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: meta.meta({ name: configMapName, annotations: { [CONFIG_HASH_ANNOTATION]: configHash } }),
      data: Lazy.any({ produce: () => this.configFiles() }) as any,
    });

    prometheusWorkload(this, {
      meta,
      replicas: this.replicas,
      storage,
      image,
      resources: props.resources,
      serviceType: props.serviceType ?? ServiceType.CLUSTER_IP,
      allowFromNamespaces: [...new Set(props.allowFromNamespaces ?? [])].filter(ns => ns !== this.namespace),
      configHash,
      restartOnConfigChange: props.restartOnConfigChange ?? false,
      configMapName,
      scheduling,
      secretMounts: () => secretMounts(PROMETHEUS_SECRETS_DIR, [
        ...this.jobSpecs().flatMap(endpointSecrets),
        ...this.remoteWrites.flatMap(remoteWriteSecrets),
        ...webConfigSecrets(this.webConfig),
      ]),
      agent,
      awsCredentials: sigV4Credentials(this.remoteWrites),
      web: this.web,
      webConfig: this.webConfig,
    });
    prometheusIngress(this, meta, this.serviceName, this.web);

    if (props.selfMonitoring ?? true) {
      this.selfScrape = new SelfScrape(this, 'SelfScrape', this, this.web, this.webConfig);
    }

    this.node.addValidation({
      validate: () => (this.scrapes.filter(s => s !== this.selfScrape).length === 0
        ? [`${this.node.path}: no scrape jobs were added; add one with a scrape construct (e.g. new KubeletScrape(scope, id, { prometheus })) or prometheus.addKubeletScrape()`]
        : []),
    });
    this.node.addValidation({ validate: () => this.checkConfigSize() });
    this.node.addValidation({ validate: () => this.checkRuleGroups() });
  }

  /** Labels selecting the Prometheus pods, for NetworkPolicies of scraped workloads (a copy). */
  public get selectorLabels(): { [key: string]: string } {
    return { ...this._selectorLabels };
  }

  /**
   * Registers a scrape job. Scrape constructs call this themselves; the order of registration
   * does not matter.
   */
  public addScrape(scrape: IScrapeJob): void {
    if (!ScrapeJob.isScrapeJob(scrape)) {
      fail({ scope: this, prop: 'addScrape' }, String(scrape), 'must be a scrape construct of this library (a ScrapeJob)');
    }
    if (scrape.prometheus !== this) {
      fail({ scope: scrape, prop: 'prometheus' }, scrape.prometheus?.node.path,
        `the scrape was validated against that stack, not ${this.node.path}; give this stack as its \`prometheus\` prop instead`);
    }
    const spec = scrape._job;
    const existing = this.jobsByName.get(spec.jobName);
    if (existing && existing !== scrape) {
      if (spec.defaultJobName) {
        fail({ scope: scrape, prop: 'jobName' }, spec.jobName,
          `this scrape's default job name is already used by ${existing.node.path}; give one of them its own \`jobName\` (every scrape of a stack needs its own)`);
      }
      fail({ scope: scrape, prop: 'jobName' }, spec.jobName,
        `job name already used by ${existing.node.path}; every scrape of a stack needs its own jobName`);
    }
    this.jobsByName.set(spec.jobName, scrape);
    this.rbacObjects.ensure(spec);
  }

  /** Registers a rule group. Rule group constructs call this themselves. */
  public addRuleGroup(group: IRuleGroup): void {
    if (!PrometheusRuleGroup.isPrometheusRuleGroup(group)) {
      fail({ scope: this, prop: 'addRuleGroup' }, String(group), 'must be a PrometheusRuleGroup');
    }
    if (this.mode === PrometheusMode.AGENT) {
      fail({ scope: group, prop: 'prometheus' }, this.node.path,
        'that stack runs in agent mode, which evaluates no rules; evaluate them where the samples are written to, or use PrometheusMode.SERVER');
    }
    if (group.prometheus !== this) {
      fail({ scope: group, prop: 'prometheus' }, group.prometheus?.node.path,
        `the group was validated against that stack, not ${this.node.path}; give this stack as its \`prometheus\` prop instead`);
    }
    const existing = this.groupsByName.get(group.groupName);
    if (existing && existing !== group) {
      fail({ scope: group, prop: 'groupName' }, group.groupName,
        `rule group name already used by ${existing.node.path}; every group of a stack needs its own name`);
    }
    this.groupsByName.set(group.groupName, group);
  }

  /**
   * Alerts on Prometheus itself: failed config reloads, rule evaluation failures, a high ratio of
   * targets down, failing TSDB compactions. Needs `selfMonitoring` (the default).
   */
  public addSelfMonitoringRules(id = 'PrometheusRules'): PrometheusRuleGroup {
    if (this.mode === PrometheusMode.AGENT) {
      fail({ scope: this, prop: 'mode' }, this.mode, 'an agent evaluates no rules, so it cannot have self-monitoring rules; evaluate them where the samples are written to');
    }
    if (!this.selfScrape) {
      fail({ scope: this, prop: 'selfMonitoring' }, false, 'the self-monitoring rules select job "prometheus": leave selfMonitoring on');
    }
    return new PrometheusRuleGroup(this, id, selfMonitoringRules(this, SELF_JOB));
  }

  /** The registered rule groups (a copy). */
  public get ruleGroups(): PrometheusRuleGroup[] {
    return [...this.groupsByName.values()];
  }

  /** Scrapes the kubelet's own metrics on every node. */
  public addKubeletScrape(id: string, options: KubeletScrapeOptions = {}): KubeletScrape {
    return new KubeletScrape(this, id, { ...options, prometheus: this });
  }

  /** Scrapes the kubelet's embedded cAdvisor on every node. */
  public addCadvisorScrape(id: string, options: CadvisorScrapeOptions = {}): CadvisorScrape {
    return new CadvisorScrape(this, id, { ...options, prometheus: this });
  }

  /** Scrapes the Kubernetes API server. */
  public addApiServerScrape(id: string, options: ApiServerScrapeOptions = {}): ApiServerScrape {
    return new ApiServerScrape(this, id, { ...options, prometheus: this });
  }

  /** Scrapes the endpoints of Services. */
  public addServiceScrape(id: string, options: ServiceScrapeOptions = {}): ServiceScrape {
    return new ServiceScrape(this, id, { ...options, prometheus: this });
  }

  /** Scrapes pod container ports by name. */
  public addPodPortScrape(id: string, options: PodPortScrapeOptions = {}): PodPortScrape {
    return new PodPortScrape(this, id, { ...options, prometheus: this });
  }

  /** Scrapes what opts in with `prometheus.io/*` annotations (Service endpoints or pods). */
  public addAnnotationScrape(id: string, options: AnnotationScrapeOptions = {}): AnnotationScrape {
    return new AnnotationScrape(this, id, { ...options, prometheus: this });
  }

  /** Scrapes fixed `host:port` targets, such as hosts outside the cluster. */
  public addStaticScrape(id: string, options: StaticScrapeOptions): StaticScrape {
    return new StaticScrape(this, id, { ...options, prometheus: this });
  }

  /** A Kubernetes discovery job of your own: role, namespaces, selectors, attached metadata. */
  public addKubernetesScrape(id: string, options: KubernetesScrapeOptions): KubernetesScrape {
    return new KubernetesScrape(this, id, { ...options, prometheus: this });
  }

  /** Scrapes the kubelet's `/metrics/probes` or `/metrics/resource` (job label `kubelet`). */
  public addKubeletEndpointScrape(id: string, options: KubeletEndpointScrapeOptions): KubeletEndpointScrape {
    return new KubeletEndpointScrape(this, id, { ...options, prometheus: this });
  }

  /** Scrapes a control-plane component (scheduler, controller-manager, etcd, kube-proxy, CoreDNS). */
  public addControlPlaneScrape(id: string, options: ControlPlaneScrapeOptions): ControlPlaneScrape {
    return new ControlPlaneScrape(this, id, { ...options, prometheus: this });
  }

  /** Deploys kube-state-metrics and scrapes it. */
  public addKubeStateMetrics(id: string, options: KubeStateMetricsOptions = {}): KubeStateMetrics {
    return new KubeStateMetrics(this, id, { ...options, prometheus: this });
  }

  /** Deploys a blackbox exporter whose NetworkPolicy admits this stack. */
  public addBlackboxExporter(id: string, options: BlackboxExporterOptions = {}): BlackboxExporter {
    return new BlackboxExporter(this, id, { ...options, prometheus: this });
  }

  /** Probes every TCP Service port through a blackbox exporter. */
  public addServiceProbe(id: string, blackboxExporter: BlackboxExporter, options: ServiceProbeOptions = {}): ServiceProbe {
    return new ServiceProbe(this, id, { ...options, prometheus: this, blackboxExporter });
  }

  /** Probes every Ingress URL through a blackbox exporter. */
  public addIngressProbe(id: string, blackboxExporter: BlackboxExporter, options: IngressProbeOptions = {}): IngressProbe {
    return new IngressProbe(this, id, { ...options, prometheus: this, blackboxExporter });
  }

  /**
   * Deploys an Alertmanager (or a gossip cluster of them) that this stack sends its alerts to,
   * every replica, and scrapes.
   */
  public addAlertmanager(id: string, options: AlertmanagerOptions): Alertmanager {
    return new Alertmanager(this, id, { ...options, prometheus: this });
  }

  /** Deploys node-exporter on every node and scrapes it. */
  public addNodeExporter(id: string, options: NodeExporterOptions = {}): NodeExporter {
    return new NodeExporter(this, id, { ...options, prometheus: this });
  }

  /** The registered scrape jobs, in registration order (a copy). */
  public get scrapes(): ScrapeJob[] {
    return [...this.jobsByName.values()];
  }

  /** The `prometheus.yml` this stack deploys, rendered from the jobs registered so far. */
  public renderConfig(): string {
    // Sorted by job name: the output does not depend on construction order.
    const jobs = sortedBy(this.jobSpecs(), j => j.jobName);
    return renderPrometheusConfig({
      scrapeInterval: this.scrapeInterval,
      scrapeTimeout: this.scrapeTimeout,
      evaluationInterval: this.evaluationInterval,
      externalLabels: this.externalLabels,
      nameValidationScheme: this.nameValidationScheme,
      retentionTime: this.retention,
      retentionSizeBytes: this.retentionSizeBytes,
      ruleFiles: this.groupsByName.size > 0 ? [`${CONFIG_DIR}/${RULES_FILE}`] : undefined,
      alertmanagers: this.alertmanagers,
      remoteWrite: this.remoteWrites,
      ...this.alertingExtras(),
    }, jobs);
  }

  /**
   * The Alertmanagers that scrape with this stack and receive its alerts (found by discovery,
   * sorted by job name), and, with replicas, the `replica` label dropped from alerts so both
   * replicas' copies of an alert are one alert to Alertmanager. The discovery needs no RBAC of
   * its own: each Alertmanager's scrape job discovers the same EndpointSlices in the same
   * namespace, and the RBAC derived from it covers both.
   */
  private alertingExtras(): { alertmanagerDiscovery?: AlertmanagerDiscovery[]; alertLabelDrop?: string[] } {
    const discovered = sortedBy(this.scrapes.filter(Alertmanager.isAlertmanager).filter(a => a.receiveAlerts), a => a.jobName)
      .map(a => a._alertDiscovery);
    const alerting = discovered.length > 0 || this.alertmanagers.length > 0;
    return {
      alertmanagerDiscovery: discovered.length ? discovered : undefined,
      alertLabelDrop: alerting && this.replicas > 1 ? ['replica'] : undefined,
    };
  }

  /** The rules file, if any group is registered. */
  public renderRules(): string | undefined {
    return this.groupsByName.size > 0 ? renderRules(sortedBy(this.ruleGroups, g => g.groupName)) : undefined;
  }

  /**
   * Every file of the config directory. Synthesis asks for them several times (ConfigMap data,
   * checksum annotations, size check, and cdk8s validates twice): render once per state of the
   * stack. Scrapes, groups and rules are only ever added, so their counts identify the state.
   */
  private configFiles(): Record<string, string> {
    const key = `${this.jobsByName.size}/${this.groupsByName.size}/${this.ruleGroups.reduce((n, g) => n + g.rules.length, 0)}`;
    if (this.filesCache?.key !== key) {
      const files: Record<string, string> = { [CONFIG_FILE]: this.renderConfig() };
      const rules = this.renderRules();
      if (rules !== undefined) files[RULES_FILE] = rules;
      this.filesCache = { key, files };
    }
    return { ...this.filesCache!.files };
  }

  /** sha256 of the rendered configuration and rules. */
  public configHash(): string {
    const hash = createHash('sha256');
    for (const [name, content] of Object.entries(this.configFiles())) hash.update(`${name}\0${content}\0`);
    return hash.digest('hex');
  }

  private jobSpecs(): JobSpec[] {
    return this.scrapes.map(s => s._job);
  }

  private rbac(): DerivedRbac {
    if (!this.rbacCache || this.rbacCache.count !== this.jobsByName.size) {
      this.rbacCache = { count: this.jobsByName.size, rbac: deriveRbac(this.jobSpecs()) };
    }
    return this.rbacCache.rbac;
  }

  /** Rule groups must have rules, and select only jobs that are scraped. */
  private checkRuleGroups(): string[] {
    const jobLabels = new Set(this.jobSpecs().map(j => j.jobLabel).filter((j): j is string => j !== undefined));
    const errors: string[] = [];
    for (const group of this.ruleGroups) {
      if (group.rules.length === 0) errors.push(`${group.node.path}: rule group "${group.groupName}" has no rules; add one with addRule()`);
      for (const job of group.jobs) {
        if (!jobLabels.has(job)) {
          errors.push(`${group.node.path}: rule group "${group.groupName}" selects job "${job}", which no scrape of ${this.node.path} produces `
            + `(jobs: ${[...jobLabels].sort().join(', ') || 'none'}); its alerts could never fire`);
        }
      }
    }
    return errors;
  }

  private checkConfigSize(): string[] {
    const bytes = Object.values(this.configFiles()).reduce((n, content) => n + Buffer.byteLength(content, 'utf8'), 0);
    if (bytes > 1024 * 1024) {
      return [`${this.node.path}: the rendered prometheus.yml and rules are ${bytes} bytes, over the 1 MiB ConfigMap limit; `
        + 'drop scrape jobs or relabel rules, or split the stack'];
    }
    if (bytes > 256 * 1024) {
      process.emitWarning(`${this.node.path}: the rendered prometheus.yml and rules are ${show(bytes)} bytes (over 256 KiB); `
        + 'apply it with server-side apply, client-side apply stores it again in an annotation capped at 256 KiB');
    }
    return [];
  }
}
brand(PrometheusStack, PROMETHEUS_STACK_BRAND);
