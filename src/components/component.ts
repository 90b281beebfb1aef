/**
 * The skeleton every workload we deploy is built from (Prometheus, kube-state-metrics,
 * node-exporter, the blackbox exporter, and every later one): object metadata and labels, the
 * hardened container, the restricted pod spec, its ServiceAccount and the NetworkPolicy that
 * admits only named peers. A component states what is its own (image, args, ports, probes,
 * volumes); the security defaults come from here, once.
 */
import { ContainerResources, k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { componentLabels, renderResources, resolveName, resolveNamespace, restrictedContainerSecurityContext, restrictedPodSecurityContext } from './workload';
import { checkImage, resolveImage } from '../model/image';
import { checkPrometheus, IPrometheus } from '../model/prometheus';
import { mergeAffinity, WorkloadOptions, workloadOptions } from '../model/scheduling';

/**
 * The image a component deploys: the user's `image` (checked), else the pinned one through the
 * stack's registry mirror.
 */
export function componentImage(scope: IConstruct, userImage: string | undefined, pinned: string, prometheus: IPrometheus): string {
  if (userImage !== undefined) checkImage({ scope, prop: 'image' }, userImage);
  return resolveImage(userImage, pinned, prometheus.imageRegistry);
}

/** What every component's props start with: its Prometheus, namespace, name and scheduling. */
export interface ComponentBasicsProps extends WorkloadOptions {
  readonly prometheus: IPrometheus;
  readonly namespace?: string;
  readonly name?: string;
}

/**
 * The first step of every component's constructor, before anything reads its props: the
 * Prometheus checked, the scheduling options checked and copied, the namespace (the prop, else the
 * chart's, else the stack's) and the base name (at most `maxNameLength` characters) resolved.
 */
export function componentBasics(scope: Construct, props: ComponentBasicsProps, maxNameLength: number) {
  checkPrometheus({ scope, prop: 'prometheus' }, props.prometheus);
  const scheduling = workloadOptions({ scope, prop: '' }, props);
  const namespace = resolveNamespace(scope, props.namespace, props.prometheus.namespace);
  return { scheduling, namespace, name: resolveName(scope, props.name, maxNameLength) };
}

/** Names and labels of one component's objects. */
export class ComponentMeta {
  /** Every `app.kubernetes.io/*` label. */
  public readonly labels: Record<string, string>;
  /** The labels that select the component's pods (no version). */
  public readonly selector: Record<string, string>;

  public constructor(
    public readonly name: string,
    public readonly namespace: string,
    app: string,
    component: string,
    version: string | undefined,
  ) {
    const labels = componentLabels(app, name, component, version);
    this.labels = labels.all;
    this.selector = labels.selector;
  }

  /** Metadata of a namespaced object of the component (its base name unless `extra.name` says otherwise). */
  public meta(extra: Partial<k8s.ObjectMeta> = {}): k8s.ObjectMeta {
    return { name: this.name, namespace: this.namespace, labels: this.labels, ...extra };
  }
}

/** What a component's container is made of; everything else is the hardened default. */
export interface ContainerParts {
  /** The construct whose props these are (for error messages). */
  readonly scope: IConstruct;
  readonly name: string;
  readonly image: string;
  readonly args: string[];
  readonly ports: k8s.ContainerPort[];
  readonly env?: k8s.EnvVar[];
  readonly startupProbe?: k8s.Probe;
  readonly readinessProbe?: k8s.Probe;
  readonly livenessProbe?: k8s.Probe;
  /** The user's resources, merged per field over `defaultResources`. */
  readonly resources?: ContainerResources;
  readonly defaultResources: ContainerResources;
  readonly volumeMounts?: k8s.VolumeMount[];
}

/**
 * A container meeting Pod Security `restricted`: non-root (uid/gid 65534), read-only root
 * filesystem, no privilege escalation, every capability dropped, seccomp `RuntimeDefault`,
 * requests and limits, the image pulled only when missing.
 */
export function hardenedContainer(parts: ContainerParts): k8s.Container {
  return {
    name: parts.name,
    image: parts.image,
    imagePullPolicy: 'IfNotPresent',
    args: parts.args,
    ports: parts.ports,
    env: parts.env,
    startupProbe: parts.startupProbe,
    readinessProbe: parts.readinessProbe,
    livenessProbe: parts.livenessProbe,
    resources: renderResources(parts.scope, parts.resources, parts.defaultResources),
    securityContext: restrictedContainerSecurityContext(),
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts: parts.volumeMounts,
  };
}

/** What a component's pod is made of, besides its containers. */
export interface PodParts {
  readonly containers: k8s.Container[];
  /** Run to completion, in order, before `containers` start. */
  readonly initContainers?: k8s.Container[];
  /** Whether the pod calls the API server (mounts the ServiceAccount token). */
  readonly apiAccess: boolean;
  /** Whether volumes are chowned to the pod's group (`fsGroup`): for writable volumes. */
  readonly fsGroup?: boolean;
  readonly volumes?: k8s.Volume[];
  readonly nodeSelector?: Record<string, string>;
  readonly affinity?: k8s.Affinity;
  readonly tolerations?: k8s.Toleration[];
  readonly terminationGracePeriodSeconds?: number;
  readonly hostNetwork?: boolean;
  readonly hostPid?: boolean;
  /** The user's scheduling options (checked by the component first), merged over the above. */
  readonly scheduling?: WorkloadOptions;
}

/** The pod spec of a component: its own ServiceAccount, the restricted pod security context. */
export function restrictedPodSpec(meta: ComponentMeta, parts: PodParts): k8s.PodSpec {
  const user = parts.scheduling ?? {};
  const nodeSelector = parts.nodeSelector || user.nodeSelector ? { ...parts.nodeSelector, ...user.nodeSelector } : undefined;
  const tolerations = [...(parts.tolerations ?? []), ...(user.tolerations ?? [])];
  return {
    serviceAccountName: meta.name,
    automountServiceAccountToken: parts.apiAccess,
    hostNetwork: parts.hostNetwork,
    hostPid: parts.hostPid,
    securityContext: restrictedPodSecurityContext(parts.fsGroup ?? false),
    terminationGracePeriodSeconds: parts.terminationGracePeriodSeconds,
    priorityClassName: user.priorityClassName,
    nodeSelector,
    tolerations: tolerations.length > 0 ? tolerations : undefined,
    affinity: mergeAffinity(parts.affinity, user.affinity),
    // Without a labelSelector a constraint counts no pod (the API server warns): the component's own pods.
    topologySpreadConstraints: user.topologySpreadConstraints?.map(c => ({ labelSelector: { matchLabels: meta.selector }, ...c })),
    imagePullSecrets: user.imagePullSecrets?.map(name => ({ name })),
    initContainers: parts.initContainers,
    containers: parts.containers,
    volumes: parts.volumes,
  };
}

/** The pod template's metadata: the component's labels, the user's extra labels and annotations. */
export function podMetadata(meta: ComponentMeta, scheduling: WorkloadOptions | undefined, annotations?: Record<string, string>): k8s.ObjectMeta {
  const all = { ...scheduling?.podAnnotations, ...annotations };
  return {
    labels: { ...scheduling?.podLabels, ...meta.labels },
    annotations: Object.keys(all).length > 0 ? all : undefined,
  };
}

/**
 * The component's ServiceAccount. Its token is never mounted by default: pods that call the API
 * server ask for it in their own spec (`apiAccess`).
 */
export function componentServiceAccount(scope: Construct, meta: ComponentMeta, name = meta.name): k8s.KubeServiceAccount {
  return new k8s.KubeServiceAccount(scope, 'ServiceAccount', { metadata: meta.meta({ name }), automountServiceAccountToken: false });
}

/** Replicas of a component spread over nodes: a preferred pod anti-affinity on the hostname. */
export function spreadOverNodes(meta: ComponentMeta): k8s.Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{
        weight: 100,
        podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: meta.selector } },
      }],
    },
  };
}

/** A replicated component keeps one pod through voluntary disruptions (policy/v1). */
export function keepOneReplica(scope: Construct, meta: ComponentMeta): k8s.KubePodDisruptionBudget {
  return new k8s.KubePodDisruptionBudget(scope, 'PodDisruptionBudget', {
    metadata: meta.meta(),
    spec: {
      minAvailable: k8s.IntOrString.fromNumber(1),
      selector: { matchLabels: meta.selector },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}

/** The peer that is the Prometheus pods, seen from a component in `namespace`. */
export function prometheusPeer(prometheus: IPrometheus, namespace: string): k8s.NetworkPolicyPeer {
  const podSelector = { matchLabels: prometheus.selectorLabels };
  return prometheus.namespace === namespace
    ? { podSelector }
    : { podSelector, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': prometheus.namespace } } };
}

/** The peer that is every pod of a namespace. */
export function namespacePeer(namespace: string): k8s.NetworkPolicyPeer {
  return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } };
}

/**
 * The component's NetworkPolicy: ingress to `port` (TCP) from `from` only; egress stays open
 * (scrapes, probes and API calls go everywhere, and the API server cannot be named portably).
 */
export function ingressOnlyFrom(scope: Construct, meta: ComponentMeta, port: number, from: k8s.NetworkPolicyPeer[]): k8s.KubeNetworkPolicy {
  return ingressRules(scope, meta, [{ ports: [{ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' }], from }]);
}

/** The component's NetworkPolicy with several ingress rules (ports and peers); egress stays open. */
export function ingressRules(scope: Construct, meta: ComponentMeta, ingress: k8s.NetworkPolicyIngressRule[]): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, 'NetworkPolicy', {
    metadata: meta.meta(),
    spec: {
      podSelector: { matchLabels: meta.selector },
      policyTypes: ['Ingress', 'Egress'],
      ingress,
      egress: [{}],
    },
  });
}

/** The peer that is the component's own pods (a cluster's members). */
export function ownPodsPeer(meta: ComponentMeta): k8s.NetworkPolicyPeer {
  return { podSelector: { matchLabels: meta.selector } };
}

/** An HTTP probe on a named container port. */
export function httpProbe(path: string, port: string, timing: Omit<k8s.Probe, 'httpGet'>): k8s.Probe {
  return { httpGet: { path, port: k8s.IntOrString.fromString(port) }, ...timing };
}

/** A TCP probe on a named container port: the process listens. */
export function tcpProbe(port: string, timing: Omit<k8s.Probe, 'tcpSocket'>): k8s.Probe {
  return { tcpSocket: { port: k8s.IntOrString.fromString(port) }, ...timing };
}
