import { Size } from 'cdk8s';
import { ContainerResources, Cpu, k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { componentBasics, componentImage, ComponentMeta, componentServiceAccount, hardenedContainer, httpProbe, podMetadata, restrictedPodSpec, tcpProbe } from './component';
import { ensureNamespace } from './namespace';
import { DiscoveryRole, EndpointDiscovery, endpointPortNameLabel } from '../model/discovery';
import { versionLabel } from '../model/image';
import { ScrapeOptions } from '../model/job';
import { IPrometheus } from '../model/prometheus';
import { RelabelRule } from '../model/relabel';
import { WorkloadOptions } from '../model/scheduling';
import { checkPort } from '../model/validation';
import { NODE_EXPORTER_IMAGE } from '../model/versions';
import { ScrapeJob } from '../scrapes/scrape-job';

/** Options of `NodeExporter`. */
export interface NodeExporterOptions extends ScrapeOptions, WorkloadOptions {
  /**
   * Namespace of the node-exporter objects. It must admit Pod Security `privileged` pods
   * (`pod-security.kubernetes.io/enforce: privileged`): node-exporter mounts host paths and
   * shares the host's PID and network namespaces, which `baseline` and `restricted` forbid.
   * @default - the chart's namespace, else the stack's
   */
  readonly namespace?: string;
  /**
   * Base name of the node-exporter objects.
   * @default - the construct id when it is a valid DNS label, else a name derived from the construct path
   */
  readonly name?: string;
  /**
   * Port node-exporter listens on, on every node's IP (host network): must be free on every node.
   * @default 9100
   */
  readonly port?: number;
  /**
   * node-exporter image.
   * @default - `quay.io/prometheus/node-exporter` at the pinned version
   */
  readonly image?: string;
  /**
   * Resources of the container.
   * @default - requests 102m CPU / 180Mi memory / 16Mi ephemeral storage, limits 250m CPU / 180Mi
   * memory / 256Mi ephemeral storage (as kube-prometheus)
   */
  readonly resources?: ContainerResources;
}

/** Props of `NodeExporter`. */
export interface NodeExporterProps extends NodeExporterOptions {
  /** The stack that scrapes node-exporter. */
  readonly prometheus: IPrometheus;
}

const DEFAULT_PORT = 9100;
const PORT_NAME = 'metrics';
/** Container-runtime and kubelet mounts: one per container or volume, never a node filesystem. */
const MOUNT_POINTS_EXCLUDE = '^/(dev|proc|sys|run/credentials/.+|run/k3s/containerd/.+|var/lib/docker/.+|var/lib/containers/storage/.+|var/lib/kubelet/pods/.+)($|/)';
/** Pod veth pairs and CNI interfaces named by hash: one per pod, churn only. */
const NET_DEVICE_EXCLUDE = '^(veth.*|[a-f0-9]{15})$';

/**
 * node-exporter on every node: a DaemonSet, a headless Service, and its scrape job
 * (`job="node-exporter"`, as the node-exporter and kubernetes mixins expect).
 *
 * The scrape discovers the pods through the Service's EndpointSlices in node-exporter's own
 * namespace (a Role there, no cluster-wide permission) and labels each target with
 * `instance` = the node name (as kube-prometheus does; the node-mixin dashboards select by
 * `instance`), plus `namespace`, `pod` and `service`: the kubernetes-mixin joins node-exporter
 * series to `kube_pod_info` `on (namespace, pod)` to find their node.
 *
 * **Pod Security.** node-exporter reads the host's `/proc`, `/sys` and root filesystem
 * (read-only `hostPath` mounts, the root with `mountPropagation: HostToContainer` so that later
 * mounts show up), sees every process (`hostPID`) and the node's network interfaces
 * (`hostNetwork`, so it listens on the node IP). Pod Security `baseline` forbids all three, so
 * its namespace must allow `privileged` (`pod-security.kubernetes.io/enforce: privileged`); put
 * it in a namespace of its own rather than relaxing the Prometheus one. Everything else stays
 * hardened: not privileged, uid/gid 65534 (`runAsNonRoot`), no privilege escalation, every
 * capability dropped and none added (a non-root process gets no capabilities anyway), read-only
 * root filesystem, seccomp `RuntimeDefault`, no ServiceAccount token, resource requests and
 * limits. It listens only on the pod IP (the node IP), not on every host interface.
 *
 * A NetworkPolicy cannot protect a host-network pod (most network plugins do not apply
 * NetworkPolicies to them), so none is created: restrict the port with the nodes' firewall or
 * security groups if the node network is shared.
 */
export class NodeExporter extends ScrapeJob {
  /** Namespace of the node-exporter objects. */
  public readonly namespace: string;
  /** Name of the headless Service. */
  public readonly serviceName: string;
  /** Port node-exporter listens on, on each node's IP. */
  public readonly port: number;

  public constructor(scope: Construct, id: string, props: NodeExporterProps) {
    super(scope, id);
    // Validate first: everything below reads the stack.
    const { scheduling, namespace, name } = componentBasics(this, props, 63);
    this.namespace = namespace;
    this.serviceName = name;
    this.port = props.port ?? DEFAULT_PORT;
    checkPort({ scope: this, prop: 'port' }, this.port);

    if (props.prometheus.createsNamespaces) ensureNamespace(this, this.namespace, 'privileged', [props.prometheus]);
    const image = componentImage(this, props.image, NODE_EXPORTER_IMAGE, props.prometheus);
    const meta = new ComponentMeta(name, this.namespace, 'node-exporter', 'exporter', versionLabel(image));
    componentServiceAccount(this, meta);

    const hostPath = (volume: string, path: string): k8s.Volume => ({ name: volume, hostPath: { path, type: 'Directory' } });
    new k8s.KubeDaemonSet(this, 'DaemonSet', {
      metadata: meta.meta(),
      spec: {
        selector: { matchLabels: meta.selector },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString('10%') } },
        template: {
          metadata: podMetadata(meta, scheduling),
          spec: restrictedPodSpec(meta, {
            scheduling,
            apiAccess: false,
            hostNetwork: true,
            hostPid: true,
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            // Every node, whatever its taints (control plane, NoExecute ...).
            tolerations: [{ operator: 'Exists' }],
            containers: [hardenedContainer({
              scope: this,
              name: 'node-exporter',
              image,
              env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
              args: [
                // The pod IP of a host-network pod is the node IP: not every host interface.
                `--web.listen-address=[$(POD_IP)]:${this.port}`,
                '--path.procfs=/host/proc',
                '--path.sysfs=/host/sys',
                '--path.rootfs=/host/root',
                '--path.udev.data=/host/root/run/udev/data',
                `--collector.filesystem.mount-points-exclude=${MOUNT_POINTS_EXCLUDE}`,
                `--collector.netclass.ignored-devices=${NET_DEVICE_EXCLUDE}`,
                `--collector.netdev.device-exclude=${NET_DEVICE_EXCLUDE}`,
              ],
              ports: [{ name: PORT_NAME, containerPort: this.port, protocol: 'TCP' }],
              // Ready when HTTP answers; restarted only when nothing listens any more (never on
              // /metrics, whose collection can take seconds on a busy node).
              readinessProbe: httpProbe('/', PORT_NAME, { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 }),
              livenessProbe: tcpProbe(PORT_NAME, { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6 }),
              resources: props.resources,
              defaultResources: {
                cpu: { request: Cpu.millis(102), limit: Cpu.millis(250) },
                memory: { request: Size.mebibytes(180), limit: Size.mebibytes(180) },
                ephemeralStorage: { request: Size.mebibytes(16), limit: Size.mebibytes(256) },
              },
              volumeMounts: [
                { name: 'proc', mountPath: '/host/proc', readOnly: true },
                { name: 'sys', mountPath: '/host/sys', readOnly: true, mountPropagation: 'HostToContainer' },
                { name: 'root', mountPath: '/host/root', readOnly: true, mountPropagation: 'HostToContainer' },
              ],
            })],
            volumes: [hostPath('proc', '/proc'), hostPath('sys', '/sys'), hostPath('root', '/')],
          }),
        },
      },
    });

    new k8s.KubeService(this, 'Service', {
      metadata: meta.meta(),
      spec: {
        clusterIp: 'None',
        selector: meta.selector,
        ports: [{ name: PORT_NAME, port: this.port, targetPort: k8s.IntOrString.fromString(PORT_NAME), protocol: 'TCP' }],
      },
    });

    this._register(props.prometheus, props, {
      defaultJobName: 'node-exporter',
      role: DiscoveryRole.ENDPOINT_SLICE,
      namespaces: [this.namespace],
      relabelings: [
        RelabelRule.keep({
          sourceLabels: ['__meta_kubernetes_service_name', endpointPortNameLabel(EndpointDiscovery.ENDPOINT_SLICE)],
          regex: `${name};${PORT_NAME}`,
        }),
        RelabelRule.copy('__meta_kubernetes_pod_node_name', 'instance'),
        RelabelRule.copy('__meta_kubernetes_namespace', 'namespace'),
        RelabelRule.copy('__meta_kubernetes_pod_name', 'pod'),
        RelabelRule.copy('__meta_kubernetes_service_name', 'service'),
      ],
    });
  }
}
