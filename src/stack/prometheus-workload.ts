import { Lazy, Size } from 'cdk8s';
import { ContainerResources, Cpu, k8s, ServiceType } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CONFIG_DIR, CONFIG_FILE, DATA_DIR, WEB_PORT } from './constants';
import { PrometheusStorage } from './prometheus-storage';
import { hasWebConfig, ingressControllerPeer, WEB_CONFIG_DIR, webArgs, webConfigScript, WebConfigSpec, webHashVolume, webProbe, WebSpec } from './web';
import { ComponentMeta, hardenedContainer, ingressOnlyFrom, keepOneReplica, namespacePeer, podMetadata, restrictedPodSpec, spreadOverNodes } from '../components/component';
import { CONFIG_HASH_ANNOTATION } from '../components/workload';
import { WorkloadOptions } from '../model/scheduling';
import { SecretKey, SecretMount } from '../model/secret';

/**
 * The Prometheus workload: the StatefulSet (storage, probes, hot reload, Pod Security
 * `restricted`), its Services, its NetworkPolicy and, with replicas, its PodDisruptionBudget.
 * Built from the component skeleton; the stack decides what goes in.
 */


/** What the stack decided about its workload. */
export interface PrometheusWorkloadParts {
  readonly meta: ComponentMeta;
  readonly replicas: number;
  readonly storage: PrometheusStorage;
  readonly image: string;
  readonly resources?: ContainerResources;
  readonly serviceType: ServiceType;
  /** Namespaces (besides the stack's own) whose pods may reach the web port. */
  readonly allowFromNamespaces: string[];
  /** The config checksum (a lazy value), on the StatefulSet and, when rolling on change, the pods. */
  readonly configHash: string;
  readonly restartOnConfigChange: boolean;
  readonly configMapName: string;
  /** The Secrets the config references, read at synth (after every job registered). */
  readonly secretMounts: () => SecretMount[];
  /** The user's scheduling options, checked. */
  readonly scheduling: WorkloadOptions;
  /** Agent mode: `--agent`, the WAL under `--storage.agent.path`. */
  readonly agent?: boolean;
  /** Static SigV4 keys, passed as the AWS SDK's environment variables. */
  readonly awsCredentials?: { readonly accessKey: SecretKey; readonly secretKey: SecretKey };
  /** External URL, route prefix, Ingress. */
  readonly web: WebSpec;
  /** TLS and basic auth of the web server. */
  readonly webConfig: WebConfigSpec;
}

/** Creates the StatefulSet, the Services, the NetworkPolicy and the PodDisruptionBudget. */
export function prometheusWorkload(scope: Construct, parts: PrometheusWorkloadParts): void {
  const { meta, storage } = parts;
  const ha = parts.replicas > 1;
  const probeTiming = (periodSeconds: number, failureThreshold: number) => ({ periodSeconds, failureThreshold, timeoutSeconds: 3 });
  const env: k8s.EnvVar[] = [];
  if (ha) env.push({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
  const aws = parts.awsCredentials;
  if (aws) {
    // Prometheus has no file setting for SigV4 keys; the AWS SDK reads these.
    const ref = (k: SecretKey) => ({ secretKeyRef: { name: k.secretName, key: k.key } });
    env.push({ name: 'AWS_ACCESS_KEY_ID', valueFrom: ref(aws.accessKey) }, { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: ref(aws.secretKey) });
  }
  const webConfigured = hasWebConfig(parts.webConfig);
  const container = hardenedContainer({
    scope,
    name: 'prometheus',
    image: parts.image,
    args: [
      `--config.file=${CONFIG_DIR}/${CONFIG_FILE}`,
      // Reload prometheus.yml in place when the ConfigMap changes; a bad config is refused and
      // the old one kept (prometheus_config_last_reload_successful drops to 0).
      '--config.auto-reload',
      '--config.auto-reload-interval=30s',
      // The --storage.tsdb.* flags are refused in agent mode, --storage.agent.* outside it.
      ...(parts.agent ? ['--agent', `--storage.agent.path=${DATA_DIR}`] : [`--storage.tsdb.path=${DATA_DIR}`]),
      `--web.listen-address=:${WEB_PORT}`,
      ...webArgs(parts.web),
      ...(webConfigured ? [`--web.config.file=${WEB_CONFIG_DIR}/web.yml`] : []),
    ],
    ports: [{ name: 'web', containerPort: WEB_PORT, protocol: 'TCP' }],
    env: env.length ? env : undefined,
    // /-/ready answers 503 until the WAL is replayed: it gates traffic, never liveness.
    startupProbe: webProbe(parts.web, parts.webConfig, 'ready', probeTiming(15, 60)),
    readinessProbe: webProbe(parts.web, parts.webConfig, 'ready', probeTiming(5, 3)),
    livenessProbe: webProbe(parts.web, parts.webConfig, 'healthy', probeTiming(5, 6)),
    resources: parts.resources,
    defaultResources: {
      cpu: { request: Cpu.millis(250), limit: Cpu.units(1) },
      memory: { request: Size.gibibytes(1), limit: Size.gibibytes(2) },
      // Logs only, unless the TSDB itself lives in an emptyDir, which counts against the pod's limits.
      ephemeralStorage: {
        request: Size.mebibytes(64),
        limit: Size.mebibytes(1024 + (storage.isPersistent ? 0 : storage.size.toMebibytes())),
      },
    },
    volumeMounts: Lazy.any({
      produce: () => [
        // The whole directory: a subPath mount would never see ConfigMap updates.
        { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
        { name: 'data', mountPath: DATA_DIR },
        ...(webConfigured ? [{ name: 'web-config', mountPath: WEB_CONFIG_DIR, readOnly: true }] : []),
        ...parts.secretMounts().map(m => m.mount),
      ],
    }) as any,
  });
  // exporter-toolkit's web.yml takes the bcrypt hash inline only: an init container (the same
  // image, its busybox sh) composes it from the mounted Secret into an in-memory emptyDir.
  const hashVolume = webHashVolume(parts.webConfig);
  const initContainers = webConfigured ? [{
    ...hardenedContainer({
      scope,
      name: 'web-config',
      image: parts.image,
      args: [webConfigScript(parts.webConfig)],
      ports: [],
      defaultResources: {
        cpu: { request: Cpu.millis(10), limit: Cpu.millis(100) },
        memory: { request: Size.mebibytes(16), limit: Size.mebibytes(32) },
        ephemeralStorage: { request: Size.mebibytes(1), limit: Size.mebibytes(16) },
      },
      volumeMounts: [
        { name: 'web-config', mountPath: WEB_CONFIG_DIR },
        ...(hashVolume ? [hashVolume.mount] : []),
      ],
    }),
    command: ['/bin/sh', '-c'],
    ports: undefined,
  }] : undefined;
  const volumes: k8s.Volume[] = [{ name: 'config', configMap: { name: parts.configMapName } }];
  if (webConfigured) {
    volumes.push({ name: 'web-config', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } });
    if (hashVolume) volumes.push(hashVolume.volume);
  }
  if (!storage.isPersistent) {
    volumes.push({ name: 'data', emptyDir: { sizeLimit: k8s.Quantity.fromString(`${storage.size.toMebibytes()}Mi`) } });
  }
  const hash = { [CONFIG_HASH_ANNOTATION]: parts.configHash };

  const headless = `${meta.name}-headless`;
  new k8s.KubeStatefulSet(scope, 'StatefulSet', {
    metadata: meta.meta({ annotations: hash }),
    spec: {
      serviceName: headless,
      replicas: parts.replicas,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: meta.selector },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: podMetadata(meta, parts.scheduling, parts.restartOnConfigChange ? hash : undefined),
        spec: restrictedPodSpec(meta, {
          scheduling: parts.scheduling,
          apiAccess: true,
          fsGroup: true,
          // Long enough for Prometheus to flush the head block on SIGTERM.
          terminationGracePeriodSeconds: 600,
          initContainers,
          containers: [container],
          volumes: Lazy.any({ produce: () => [...volumes, ...parts.secretMounts().map(m => m.volume)] }) as any,
          affinity: ha ? spreadOverNodes(meta) : undefined,
        }),
      },
      volumeClaimTemplates: storage.isPersistent ? [{
        metadata: { name: 'data', labels: meta.selector },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: storage.storageClassName,
          resources: { requests: { storage: k8s.Quantity.fromString(`${storage.size.toMebibytes()}Mi`) } },
        },
      }] : undefined,
    },
  });

  const servicePorts: k8s.ServicePort[] = [{ name: 'web', port: WEB_PORT, targetPort: k8s.IntOrString.fromString('web'), protocol: 'TCP' }];
  new k8s.KubeService(scope, 'Service', {
    metadata: meta.meta(),
    spec: { type: parts.serviceType, selector: meta.selector, ports: servicePorts },
  });
  new k8s.KubeService(scope, 'HeadlessService', {
    metadata: meta.meta({ name: headless }),
    spec: { clusterIp: 'None', selector: meta.selector, ports: servicePorts },
  });

  // Every pod of the stack's namespace, and of the namespaces the user allowed. Egress stays open
  // on purpose: scraping reaches every target in the cluster.
  // With an Ingress, its controller too: it runs in a namespace of its own, which the default
  // policy would not admit.
  ingressOnlyFrom(scope, meta, WEB_PORT, [
    { podSelector: {} },
    ...parts.allowFromNamespaces.map(namespacePeer),
    ...(parts.web.ingress ? [ingressControllerPeer(parts.web.ingress)] : []),
  ]);

  if (ha) {
    keepOneReplica(scope, meta);
  }
}
