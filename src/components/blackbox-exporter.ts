import { createHash } from 'crypto';
import { Size } from 'cdk8s';
import { ContainerResources, Cpu, k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { componentLabels, CONFIG_HASH_ANNOTATION, renderResources, resolveName, resolveNamespace, restrictedContainerSecurityContext, restrictedPodSecurityContext } from './workload';
import { BlackboxModule, checkModule } from '../model/blackbox-module';
import { brand, hasBrand } from '../model/brand';
import { checkPrometheus, IPrometheus } from '../model/prometheus';
import { fail } from '../model/validation';
import { BLACKBOX_EXPORTER_IMAGE, BLACKBOX_EXPORTER_VERSION } from '../model/versions';
import { renderBlackboxConfig } from '../render/blackbox-config';

/** Options of `BlackboxExporter`. */
export interface BlackboxExporterOptions {
  /**
   * Namespace of the exporter's objects.
   * @default - the chart's namespace, else the stack's
   */
  readonly namespace?: string;
  /**
   * Base name of the exporter's objects (Deployment, Service, ConfigMap ...).
   * @default - the construct id when it is a valid DNS label, else a name derived from the construct path
   */
  readonly name?: string;
  /**
   * The modules the exporter offers; probes may only use these.
   * @default - `BlackboxModule.http2xx()` and `BlackboxModule.tcpConnect()`
   */
  readonly modules?: BlackboxModule[];
  /**
   * blackbox_exporter image.
   * @default - `quay.io/prometheus/blackbox-exporter` at the pinned version
   */
  readonly image?: string;
  /**
   * Resources of the container.
   * @default - requests 10m CPU / 32Mi memory / 16Mi ephemeral storage, limits 100m CPU / 64Mi
   * memory / 256Mi ephemeral storage
   */
  readonly resources?: ContainerResources;
}

/** Props of `BlackboxExporter`. */
export interface BlackboxExporterProps extends BlackboxExporterOptions {
  /** The stack whose pods may reach the exporter (NetworkPolicy). */
  readonly prometheus: IPrometheus;
}

const HTTP_PORT = 9115;

const CONFIG_DIR = '/etc/blackbox_exporter';

const CONFIG_FILE = 'blackbox.yml';

/**
 * The Prometheus blackbox exporter: a Deployment (Pod Security `restricted`) with its modules in a
 * ConfigMap (`blackbox.yml`, mounted as a directory), a ClusterIP Service on port 9115 (`http`)
 * and a NetworkPolicy that admits only the Prometheus pods. `ServiceProbe` and `IngressProbe`
 * send their probes through it.
 *
 * The pod template carries a checksum of `blackbox.yml`: a change of modules rolls the pod
 * (`maxUnavailable: 0`, so a pod always serves probes). The exporter is stateless and starts in
 * a second, and a bad configuration stalls the rollout visibly instead of being refused in a
 * log line.
 */
export class BlackboxExporter extends Construct {
  /** Whether `x` is a BlackboxExporter, made by any copy of this library. */
  public static isBlackboxExporter(x: any): x is BlackboxExporter {
    return hasBrand(x, 'BlackboxExporter');
  }

  /** Namespace of the exporter's objects. */
  public readonly namespace: string;
  /** Name of the exporter's Service. */
  public readonly serviceName: string;
  /** Port of the exporter's Service. */
  public readonly port: number = HTTP_PORT;
  /** `<service>.<namespace>.svc:9115`: where Prometheus sends probes. */
  public readonly address: string;
  /** sha256 of `blackbox.yml`. */
  public readonly configHash: string;

  private readonly moduleList: BlackboxModule[];
  private readonly configYaml: string;

  public constructor(scope: Construct, id: string, props: BlackboxExporterProps) {
    super(scope, id);
    checkPrometheus({ scope: this, prop: 'prometheus' }, props.prometheus);
    this.namespace = resolveNamespace(this, props.namespace, props.prometheus.namespace);
    const name = resolveName(this, props.name, 63);
    this.serviceName = name;
    this.address = `${name}.${this.namespace}.svc:${HTTP_PORT}`;

    const modules = props.modules ?? [BlackboxModule.http2xx(), BlackboxModule.tcpConnect()];
    if (!Array.isArray(modules) || modules.length === 0) {
      fail({ scope: this, prop: 'modules' }, modules, 'give at least one module, or leave it out for http_2xx and tcp_connect');
    }
    const seen = new Map<string, number>();
    modules.forEach((m, i) => {
      checkModule({ scope: this, prop: `modules[${i}]` }, m);
      if (seen.has(m.name)) {
        fail({ scope: this, prop: `modules[${i}].name` }, m.name, `module name already used by modules[${seen.get(m.name)}]`);
      }
      seen.set(m.name, i);
    });
    this.moduleList = [...modules];

    const config = renderBlackboxConfig(this.moduleList);
    this.configYaml = config;
    this.configHash = createHash('sha256').update(config).digest('hex');

    const labels = componentLabels('blackbox-exporter', name, 'exporter', BLACKBOX_EXPORTER_VERSION);
    const meta = (extra: Partial<k8s.ObjectMeta> = {}): k8s.ObjectMeta => ({
      name, namespace: this.namespace, labels: labels.all, ...extra,
    });
    const hash = { [CONFIG_HASH_ANNOTATION]: this.configHash };
    const configMapName = `${name}-config`;

    // Its own ServiceAccount, without a token: the exporter never calls the API server.
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: meta(), automountServiceAccountToken: false });

    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { ...meta(), name: configMapName, annotations: hash },
      data: { [CONFIG_FILE]: config },
    });

    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: meta({ annotations: hash }),
      spec: {
        replicas: 1,
        selector: { matchLabels: labels.selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) },
        },
        template: {
          // The checksum rolls the pod when the modules change.
          metadata: { labels: labels.all, annotations: hash },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(false),
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            containers: [{
              name: 'blackbox-exporter',
              image: props.image ?? BLACKBOX_EXPORTER_IMAGE,
              imagePullPolicy: 'IfNotPresent',
              args: [
                `--config.file=${CONFIG_DIR}/${CONFIG_FILE}`,
                `--web.listen-address=:${HTTP_PORT}`,
              ],
              ports: [{ name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' }],
              // Ready when HTTP answers; restarted only when nothing listens any more.
              readinessProbe: {
                httpGet: { path: '/-/healthy', port: k8s.IntOrString.fromString('http') },
                periodSeconds: 10,
                timeoutSeconds: 3,
                failureThreshold: 3,
              },
              livenessProbe: {
                tcpSocket: { port: k8s.IntOrString.fromString('http') },
                periodSeconds: 10,
                timeoutSeconds: 3,
                failureThreshold: 6,
              },
              resources: renderResources(props.resources, {
                cpu: { request: Cpu.millis(10), limit: Cpu.millis(100) },
                memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) },
                ephemeralStorage: { request: Size.mebibytes(16), limit: Size.mebibytes(256) },
              }),
              securityContext: restrictedContainerSecurityContext(),
              terminationMessagePolicy: 'FallbackToLogsOnError',
              // The whole directory, never a subPath (which never sees updates).
              volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
            }],
            volumes: [{ name: 'config', configMap: { name: configMapName } }],
          },
        },
      },
    });

    new k8s.KubeService(this, 'Service', {
      metadata: meta(),
      spec: {
        type: 'ClusterIP',
        selector: labels.selector,
        ports: [{ name: 'http', port: HTTP_PORT, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });

    // Only Prometheus may ask for probes (an open exporter is a port scanner for anyone in the
    // cluster); egress stays open, probes go everywhere.
    const promPods = { matchLabels: props.prometheus.selectorLabels };
    new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: meta(),
      spec: {
        podSelector: { matchLabels: labels.selector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{
          ports: [{ port: k8s.IntOrString.fromNumber(HTTP_PORT), protocol: 'TCP' }],
          from: [props.prometheus.namespace === this.namespace
            ? { podSelector: promPods }
            : { podSelector: promPods, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.prometheus.namespace } } }],
        }],
        egress: [{}],
      },
    });
  }

  /** The modules the exporter offers (a copy). */
  public get modules(): BlackboxModule[] {
    return [...this.moduleList];
  }

  /** The rendered `blackbox.yml`. */
  public renderConfig(): string {
    return this.configYaml;
  }

  /**
   * The exporter's module of that name, if any.
   */
  public findModule(name: string): BlackboxModule | undefined {
    return this.moduleList.find(m => m.name === name);
  }
}
brand(BlackboxExporter, 'BlackboxExporter');

// ---------------------------------------------------------------------------------------------
// What ServiceProbe and IngressProbe share
// ---------------------------------------------------------------------------------------------
