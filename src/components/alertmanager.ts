import { createHash } from 'crypto';
import { Duration, Size } from 'cdk8s';
import { ContainerResources, Cpu, k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { componentBasics, componentImage, ComponentMeta, componentServiceAccount, hardenedContainer, httpProbe, ingressRules, keepOneReplica, namespacePeer, ownPodsPeer, podMetadata, prometheusPeer, restrictedPodSpec, spreadOverNodes } from './component';
import { ensureNamespace } from './namespace';
import { CONFIG_HASH_ANNOTATION } from './workload';
import { AlertmanagerDiscovery } from '../model/alerting';
import { AlertmanagerConfigSpec, AlertmanagerGlobalOptions, AlertmanagerInhibitRule, AlertmanagerReceiver, AlertmanagerRoute, alertmanagerSecrets, AlertmanagerTemplate, AlertmanagerTimeInterval, checkAlertmanagerConfig, checkHttpUrl } from '../model/alertmanager-config';
import { brand, hasBrand } from '../model/brand';
import { DiscoveryRole, EndpointDiscovery, endpointPortNameLabel } from '../model/discovery';
import { versionLabel } from '../model/image';
import { ScrapeOptions } from '../model/job';
import { IPrometheus } from '../model/prometheus';
import { RelabelRule } from '../model/relabel';
import { WorkloadOptions } from '../model/scheduling';
import { secretMounts } from '../model/secret';
import { checkDns1123Label, checkPositiveDuration, fail } from '../model/validation';
import { ALERTMANAGER_IMAGE } from '../model/versions';
import { renderAlertmanagerConfig } from '../render/alertmanager-config';
import { alertmanagerRules } from '../rules/built-in-rules';
import { BuiltInRulesOptions, PrometheusRuleGroup } from '../rules/prometheus-rule-group';
import { ScrapeJob } from '../scrapes/scrape-job';

/** Options of `Alertmanager`. */
export interface AlertmanagerOptions extends ScrapeOptions, WorkloadOptions {
  /**
   * Namespace of the Alertmanager objects.
   * @default - the chart's namespace, else the stack's
   */
  readonly namespace?: string;
  /**
   * Base name of the Alertmanager objects (StatefulSet, Services, ConfigMap ...).
   * @default - the construct id when it is a valid DNS label, else a name derived from the construct path
   */
  readonly name?: string;
  /** The root of the routing tree: a default receiver, no matchers. */
  readonly route: AlertmanagerRoute;
  /** The receivers routes name (unique names). */
  readonly receivers: AlertmanagerReceiver[];
  /**
   * Rules muting some alerts while others fire.
   * @default - none
   */
  readonly inhibitRules?: AlertmanagerInhibitRule[];
  /**
   * Named time intervals for routes' `muteTimeIntervals` and `activeTimeIntervals`.
   * @default - none
   */
  readonly timeIntervals?: AlertmanagerTimeInterval[];
  /**
   * Defaults the integrations inherit.
   * @default - Alertmanager's
   */
  readonly global?: AlertmanagerGlobalOptions;
  /**
   * Notification template files.
   * @default - none (Alertmanager's built-in templates)
   */
  readonly templates?: AlertmanagerTemplate[];
  /**
   * Number of replicas. With more than one they form a gossip cluster (port 9094, TCP and UDP)
   * sharing silences and the notification log, behind a PodDisruptionBudget with soft pod
   * anti-affinity.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Keep silences and the notification log on a PersistentVolumeClaim per replica. Without it
   * they live in an emptyDir and, with one replica, are lost when the pod goes.
   * @default true
   */
  readonly persistentStorage?: boolean;
  /**
   * Size of each replica's volume.
   * @default Size.gibibytes(1)
   */
  readonly storageSize?: Size;
  /**
   * StorageClass of the volumes.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /**
   * How long silences and notification log entries are kept (`--data.retention`).
   * @default Duration.hours(120)
   */
  readonly retention?: Duration;
  /**
   * The URL users reach Alertmanager at (`--web.external-url`), used in notification links.
   * @default - the pod's own address
   */
  readonly externalUrl?: string;
  /**
   * Namespaces whose pods may reach the web port 9093 (NetworkPolicy), besides the Prometheus pods.
   * @default - only the Prometheus pods
   */
  readonly allowFromNamespaces?: string[];
  /**
   * Whether the stack sends its alerts to this Alertmanager (every replica, discovered through the
   * headless Service).
   * @default true
   */
  readonly receiveAlerts?: boolean;
  /**
   * Alertmanager image.
   * @default - `quay.io/prometheus/alertmanager` at the pinned version
   */
  readonly image?: string;
  /**
   * Resources of the container.
   * @default - requests 25m CPU / 64Mi memory / 16Mi ephemeral storage, limits 200m CPU / 256Mi
   * memory / 256Mi ephemeral storage
   */
  readonly resources?: ContainerResources;
}

/** Props of `Alertmanager`. */
export interface AlertmanagerProps extends AlertmanagerOptions {
  /** The stack that sends alerts to this Alertmanager and scrapes it. */
  readonly prometheus: IPrometheus;
}

const WEB_PORT = 9093;
const CLUSTER_PORT = 9094;
const CONFIG_DIR = '/etc/alertmanager/config';
const CONFIG_FILE = 'alertmanager.yml';
const SECRETS_DIR = '/etc/alertmanager/secrets';
const DATA_DIR = '/alertmanager';

/** A Go `time.Duration` string (no days): what Alertmanager's flags parse. */
function goDuration(d: Duration): string {
  let ms = d.toMilliseconds();
  let out = '';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as Array<[string, number]>) {
    const n = Math.floor(ms / size);
    if (n > 0) {
      out += `${n}${unit}`;
      ms -= n * size;
    }
  }
  return out || '0s';
}

/**
 * Alertmanager: a StatefulSet (Pod Security `restricted`, a volume per replica for silences and
 * the notification log, probes on `/-/ready` and `/-/healthy`), a gossip cluster with
 * `replicas > 1`, a ClusterIP and a headless Service, a NetworkPolicy, and its configuration
 * rendered from the typed route tree, receivers, inhibit rules and time intervals.
 *
 * Alertmanager has no file-watching reload: the pod template carries a checksum of the
 * configuration, so a change rolls the replicas one at a time; silences and the notification log
 * survive on the volumes and through gossip. The stack it is given sends alerts to every replica
 * (Kubernetes discovery of the headless Service) and scrapes it.
 */
export class Alertmanager extends ScrapeJob {
  /** Whether `x` is an Alertmanager, made by any copy of this library. */
  public static isAlertmanager(x: any): x is Alertmanager {
    return hasBrand(x, 'Alertmanager');
  }

  /** Namespace of the Alertmanager objects. */
  public readonly namespace: string;
  /** Name of the ClusterIP Service. */
  public readonly serviceName: string;
  /** Name of the headless Service (one DNS name per replica). */
  public readonly headlessServiceName: string;
  /** Port of the web UI and API. */
  public readonly port: number = WEB_PORT;
  /** Number of replicas. */
  public readonly replicas: number;
  /** sha256 of the rendered configuration and templates. */
  public readonly configHash: string;
  /** Whether the stack sends its alerts here. */
  public readonly receiveAlerts: boolean;

  private readonly configYaml: string;

  public constructor(scope: Construct, id: string, props: AlertmanagerProps) {
    super(scope, id);
    const where = (prop: string) => ({ scope: this, prop });
    // StatefulSet pods carry controller-revision-hash = name + "-" + 10 chars, at most 63.
    const { scheduling, namespace, name } = componentBasics(this, props, 52);
    this.namespace = namespace;
    this.serviceName = name;
    this.headlessServiceName = `${name}-headless`;

    this.replicas = props.replicas ?? 1;
    if (!Number.isInteger(this.replicas) || this.replicas < 1) fail(where('replicas'), this.replicas, 'must be a whole number >= 1');
    const retention = props.retention ?? Duration.hours(120);
    checkPositiveDuration(where('retention'), retention);
    const storageSize = props.storageSize ?? Size.gibibytes(1);
    let mib = 0;
    try {
      mib = storageSize.toMebibytes();
    } catch {
      mib = 0;
    }
    if (!(mib >= 1)) fail(where('storageSize'), String(storageSize), 'must be a whole number of MiB, at least 1Mi');
    if (props.storageClassName !== undefined) checkDns1123Label(where('storageClassName'), props.storageClassName);
    if (props.externalUrl !== undefined) checkHttpUrl(where('externalUrl'), props.externalUrl);
    const allowFrom = [...(props.allowFromNamespaces ?? [])];
    allowFrom.forEach((ns, i) => checkDns1123Label(where(`allowFromNamespaces[${i}]`), ns));
    this.receiveAlerts = props.receiveAlerts ?? true;

    // Copies first, checks after: what the user changes later cannot reach the config unchecked.
    const spec: AlertmanagerConfigSpec = {
      global: props.global === undefined ? undefined : { ...props.global },
      route: props.route,
      receivers: Array.isArray(props.receivers) ? [...props.receivers] : props.receivers,
      inhibitRules: Array.isArray(props.inhibitRules) ? [...props.inhibitRules] : props.inhibitRules ?? [],
      timeIntervals: Array.isArray(props.timeIntervals) ? [...props.timeIntervals] : props.timeIntervals ?? [],
      templates: Array.isArray(props.templates) ? [...props.templates] : props.templates ?? [],
    };
    checkAlertmanagerConfig(this, spec);

    const config = renderAlertmanagerConfig(spec, SECRETS_DIR, CONFIG_DIR);
    this.configYaml = config;
    const files: Record<string, string> = { [CONFIG_FILE]: config };
    for (const t of spec.templates) files[t.name] = t.content;
    const hash = createHash('sha256');
    for (const [f, content] of Object.entries(files)) hash.update(`${f}\0${content}\0`);
    this.configHash = hash.digest('hex');
    const mounts = secretMounts(SECRETS_DIR, alertmanagerSecrets(spec));

    if (props.prometheus.createsNamespaces) ensureNamespace(this, this.namespace, 'restricted', [props.prometheus]);
    const image = componentImage(this, props.image, ALERTMANAGER_IMAGE, props.prometheus);
    const meta = new ComponentMeta(name, this.namespace, 'alertmanager', 'alertmanager', versionLabel(image));
    const hashAnnotation = { [CONFIG_HASH_ANNOTATION]: this.configHash };
    const configMapName = `${name}-config`;
    const ha = this.replicas > 1;

    // Its own ServiceAccount, without a token: Alertmanager never calls the API server.
    componentServiceAccount(this, meta);

    new k8s.KubeConfigMap(this, 'Config', {
      metadata: meta.meta({ name: configMapName, annotations: hashAnnotation }),
      data: files,
    });

    const peers = ha
      ? Array.from({ length: this.replicas }, (_, i) => `--cluster.peer=${name}-${i}.${this.headlessServiceName}.${this.namespace}.svc:${CLUSTER_PORT}`)
      : [];
    const persistent = props.persistentStorage ?? true;
    const probeTiming = (periodSeconds: number, failureThreshold: number) => ({ periodSeconds, failureThreshold, timeoutSeconds: 3 });
    const container = hardenedContainer({
      scope: this,
      name: 'alertmanager',
      image,
      args: [
        `--config.file=${CONFIG_DIR}/${CONFIG_FILE}`,
        `--storage.path=${DATA_DIR}`,
        `--data.retention=${goDuration(retention)}`,
        `--web.listen-address=:${WEB_PORT}`,
        ...(props.externalUrl ? [`--web.external-url=${props.externalUrl}`] : []),
        // An empty listen address turns clustering off: one replica gossips with nobody.
        ha ? `--cluster.listen-address=0.0.0.0:${CLUSTER_PORT}` : '--cluster.listen-address=',
        ...(ha ? [`--cluster.advertise-address=$(POD_IP):${CLUSTER_PORT}`, ...peers] : []),
      ],
      ports: [
        { name: 'web', containerPort: WEB_PORT, protocol: 'TCP' },
        ...(ha ? [
          { name: 'cluster-tcp', containerPort: CLUSTER_PORT, protocol: 'TCP' },
          { name: 'cluster-udp', containerPort: CLUSTER_PORT, protocol: 'UDP' },
        ] : []),
      ],
      env: ha ? [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] : undefined,
      readinessProbe: httpProbe('/-/ready', 'web', probeTiming(5, 3)),
      livenessProbe: httpProbe('/-/healthy', 'web', probeTiming(10, 6)),
      resources: props.resources,
      defaultResources: {
        cpu: { request: Cpu.millis(25), limit: Cpu.millis(200) },
        memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
        ephemeralStorage: {
          request: Size.mebibytes(16),
          limit: Size.mebibytes(256 + (persistent ? 0 : storageSize.toMebibytes())),
        },
      },
      volumeMounts: [
        // The whole directory, never a subPath.
        { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
        { name: 'data', mountPath: DATA_DIR },
        ...mounts.map(m => m.mount),
      ],
    });
    const volumes: k8s.Volume[] = [{ name: 'config', configMap: { name: configMapName } }];
    if (!persistent) volumes.push({ name: 'data', emptyDir: { sizeLimit: k8s.Quantity.fromString(`${storageSize.toMebibytes()}Mi`) } });
    volumes.push(...mounts.map(m => m.volume));

    new k8s.KubeStatefulSet(this, 'StatefulSet', {
      metadata: meta.meta({ annotations: hashAnnotation }),
      spec: {
        serviceName: this.headlessServiceName,
        replicas: this.replicas,
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
        selector: { matchLabels: meta.selector },
        persistentVolumeClaimRetentionPolicy: persistent ? { whenDeleted: 'Retain', whenScaled: 'Retain' } : undefined,
        template: {
          // The checksum rolls the replicas, one at a time, when the configuration changes.
          metadata: podMetadata(meta, scheduling, hashAnnotation),
          spec: restrictedPodSpec(meta, {
            scheduling,
            apiAccess: false,
            fsGroup: true,
            containers: [container],
            volumes,
            affinity: ha ? spreadOverNodes(meta) : undefined,
          }),
        },
        volumeClaimTemplates: persistent ? [{
          metadata: { name: 'data', labels: meta.selector },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: props.storageClassName,
            resources: { requests: { storage: k8s.Quantity.fromString(`${storageSize.toMebibytes()}Mi`) } },
          },
        }] : undefined,
      },
    });

    const webPort: k8s.ServicePort = { name: 'web', port: WEB_PORT, targetPort: k8s.IntOrString.fromString('web'), protocol: 'TCP' };
    new k8s.KubeService(this, 'Service', {
      metadata: meta.meta(),
      spec: { type: 'ClusterIP', selector: meta.selector, ports: [webPort] },
    });
    new k8s.KubeService(this, 'HeadlessService', {
      metadata: meta.meta({ name: this.headlessServiceName }),
      spec: {
        clusterIp: 'None',
        // Peers must resolve each other before they are ready: the cluster forms first.
        publishNotReadyAddresses: true,
        selector: meta.selector,
        ports: [webPort, ...(ha ? [
          { name: 'cluster-tcp', port: CLUSTER_PORT, targetPort: k8s.IntOrString.fromString('cluster-tcp'), protocol: 'TCP' },
          { name: 'cluster-udp', port: CLUSTER_PORT, targetPort: k8s.IntOrString.fromString('cluster-udp'), protocol: 'UDP' },
        ] : [])],
      },
    });

    // The web port from Prometheus and the namespaces the user lists; the cluster port from the
    // other replicas only. Egress stays open: receivers live anywhere.
    const ingress: k8s.NetworkPolicyIngressRule[] = [{
      ports: [{ port: k8s.IntOrString.fromNumber(WEB_PORT), protocol: 'TCP' }],
      from: [prometheusPeer(props.prometheus, this.namespace), ...[...new Set(allowFrom)].map(namespacePeer)],
    }];
    if (ha) {
      ingress.push({
        ports: [
          { port: k8s.IntOrString.fromNumber(CLUSTER_PORT), protocol: 'TCP' },
          { port: k8s.IntOrString.fromNumber(CLUSTER_PORT), protocol: 'UDP' },
        ],
        from: [ownPodsPeer(meta)],
      });
    }
    ingressRules(this, meta, ingress);

    if (ha) {
      keepOneReplica(this, meta);
    }

    // Scraped through the ClusterIP Service's endpoints: every replica, port "web".
    this._register(props.prometheus, props, {
      defaultJobName: name,
      role: DiscoveryRole.ENDPOINT_SLICE,
      namespaces: [this.namespace],
      relabelings: [
        RelabelRule.keep({
          sourceLabels: ['__meta_kubernetes_service_name', endpointPortNameLabel(EndpointDiscovery.ENDPOINT_SLICE)],
          regex: `${name};web`,
        }),
      ],
    });
  }

  /** The rendered `alertmanager.yml`. */
  public renderConfig(): string {
    return this.configYaml;
  }

  /**
   * Alerts on Alertmanager itself (group `alertmanager`): a refused configuration, failing
   * notifications and, with `replicas > 1`, missing cluster members.
   */
  public addRules(options: BuiltInRulesOptions = {}): PrometheusRuleGroup {
    return this._addBuiltInRules('alertmanager', job => alertmanagerRules(job, this.replicas), options);
  }

  /**
   * How Prometheus discovers every replica to send alerts to: the headless Service's
   * EndpointSlices, port `web`.
   * @internal
   */
  public get _alertDiscovery(): AlertmanagerDiscovery {
    return { namespace: this.namespace, serviceName: this.headlessServiceName, portName: 'web' };
  }
}
brand(Alertmanager, 'Alertmanager');
