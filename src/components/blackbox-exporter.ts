import { createHash } from 'crypto';
import { Size } from 'cdk8s';
import { ContainerResources, Cpu, k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { componentBasics, componentImage, ComponentMeta, componentServiceAccount, hardenedContainer, httpProbe, ingressOnlyFrom, podMetadata, prometheusPeer, restrictedPodSpec, tcpProbe } from './component';
import { ensureNamespace } from './namespace';
import { CONFIG_HASH_ANNOTATION } from './workload';
import { BlackboxModule, checkModule } from '../model/blackbox-module';
import { brand, hasBrand } from '../model/brand';
import { versionLabel } from '../model/image';
import { IPrometheus } from '../model/prometheus';
import { WorkloadOptions } from '../model/scheduling';
import { fail } from '../model/validation';
import { BLACKBOX_EXPORTER_IMAGE } from '../model/versions';
import { renderBlackboxConfig } from '../render/blackbox-config';

/** Options of `BlackboxExporter`. */
export interface BlackboxExporterOptions extends WorkloadOptions {
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
    const { scheduling, namespace, name } = componentBasics(this, props, 63);
    this.namespace = namespace;
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

    if (props.prometheus.createsNamespaces) ensureNamespace(this, this.namespace, 'restricted', [props.prometheus]);
    const image = componentImage(this, props.image, BLACKBOX_EXPORTER_IMAGE, props.prometheus);
    const meta = new ComponentMeta(name, this.namespace, 'blackbox-exporter', 'exporter', versionLabel(image));
    const hash = { [CONFIG_HASH_ANNOTATION]: this.configHash };
    const configMapName = `${name}-config`;

    // Its own ServiceAccount, without a token: the exporter never calls the API server.
    componentServiceAccount(this, meta);

    new k8s.KubeConfigMap(this, 'Config', {
      metadata: meta.meta({ name: configMapName, annotations: hash }),
      data: { [CONFIG_FILE]: config },
    });

    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: meta.meta({ annotations: hash }),
      spec: {
        replicas: 1,
        selector: { matchLabels: meta.selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) },
        },
        template: {
          // The checksum rolls the pod when the modules change.
          metadata: podMetadata(meta, scheduling, hash),
          spec: restrictedPodSpec(meta, {
            scheduling,
            apiAccess: false,
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            containers: [hardenedContainer({
              scope: this,
              name: 'blackbox-exporter',
              image,
              args: [
                `--config.file=${CONFIG_DIR}/${CONFIG_FILE}`,
                `--web.listen-address=:${HTTP_PORT}`,
              ],
              ports: [{ name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' }],
              // Ready when HTTP answers; restarted only when nothing listens any more.
              readinessProbe: httpProbe('/-/healthy', 'http', { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 }),
              livenessProbe: tcpProbe('http', { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6 }),
              resources: props.resources,
              defaultResources: {
                cpu: { request: Cpu.millis(10), limit: Cpu.millis(100) },
                memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) },
                ephemeralStorage: { request: Size.mebibytes(16), limit: Size.mebibytes(256) },
              },
              // The whole directory, never a subPath (which never sees updates).
              volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
            })],
            volumes: [{ name: 'config', configMap: { name: configMapName } }],
          }),
        },
      },
    });

    new k8s.KubeService(this, 'Service', {
      metadata: meta.meta(),
      spec: {
        type: 'ClusterIP',
        selector: meta.selector,
        ports: [{ name: 'http', port: HTTP_PORT, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });

    // Only Prometheus may ask for probes (an open exporter is a port scanner for anyone in the
    // cluster); egress stays open, probes go everywhere.
    ingressOnlyFrom(this, meta, HTTP_PORT, [prometheusPeer(props.prometheus, this.namespace)]);
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
