import { Construct } from 'constructs';
import { ScrapeJob } from './scrape-job';
import { DiscoveryRole } from '../model/discovery';
import { Scheme, ScrapeAuthorization, ScrapeTlsOptions, SERVICE_ACCOUNT_CA } from '../model/endpoint';
import { ScrapeOptions } from '../model/job';
import { IPrometheus } from '../model/prometheus';
import { RelabelRule } from '../model/relabel';
import { checkLabelSelector } from '../model/selector';
import { checkDns1123Label, checkPort, fail } from '../model/validation';
import { controlPlaneRules } from '../rules/built-in-rules';
import { BuiltInRulesOptions, PrometheusRuleGroup } from '../rules/prometheus-rule-group';

/** Control-plane and cluster components that `ControlPlaneScrape` scrapes. */
export enum ControlPlaneComponent {
  /** kube-scheduler: HTTPS :10259, pods labelled `component=kube-scheduler` (kubeadm static pods). */
  SCHEDULER = 'kube-scheduler',
  /** kube-controller-manager: HTTPS :10257, pods labelled `component=kube-controller-manager`. */
  CONTROLLER_MANAGER = 'kube-controller-manager',
  /** etcd: HTTPS :2379 with a client certificate, pods labelled `component=etcd`. */
  ETCD = 'etcd',
  /** kube-proxy: HTTP :10249, pods labelled `k8s-app=kube-proxy` (needs `metricsBindAddress: 0.0.0.0:10249`). */
  KUBE_PROXY = 'kube-proxy',
  /** CoreDNS: HTTP :9153, pods labelled `k8s-app=kube-dns`. */
  COREDNS = 'coredns',
}

interface ComponentDefaults {
  readonly label: string;
  readonly port: number;
  readonly https: boolean;
  /** The job label the mixins select on. */
  readonly job: string;
  /** The token authenticates the scrape (the component delegates authorization to the API server). */
  readonly token: boolean;
  readonly rule: string;
}

const COMPONENTS: Record<ControlPlaneComponent, ComponentDefaults> = {
  [ControlPlaneComponent.SCHEDULER]: { label: 'component=kube-scheduler', port: 10259, https: true, job: 'kube-scheduler', token: true, rule: 'KubeScheduler' },
  [ControlPlaneComponent.CONTROLLER_MANAGER]: {
    label: 'component=kube-controller-manager', port: 10257, https: true, job: 'kube-controller-manager', token: true, rule: 'KubeControllerManager',
  },
  [ControlPlaneComponent.ETCD]: { label: 'component=etcd', port: 2379, https: true, job: 'etcd', token: false, rule: 'Etcd' },
  [ControlPlaneComponent.KUBE_PROXY]: { label: 'k8s-app=kube-proxy', port: 10249, https: false, job: 'kube-proxy', token: false, rule: 'KubeProxy' },
  // kube-prometheus and the kubernetes-mixin call CoreDNS's job "kube-dns".
  [ControlPlaneComponent.COREDNS]: { label: 'k8s-app=kube-dns', port: 9153, https: false, job: 'kube-dns', token: false, rule: 'CoreDNS' },
};

/** Options of `ControlPlaneScrape`. */
export interface ControlPlaneScrapeOptions extends ScrapeOptions {
  /** The component. */
  readonly component: ControlPlaneComponent;
  /**
   * The namespace its pods run in.
   * @default "kube-system"
   */
  readonly namespace?: string;
  /**
   * Label selector of its pods.
   * @default - `component=<name>` for the kubeadm static pods, `k8s-app=kube-proxy`, `k8s-app=kube-dns`
   */
  readonly podSelector?: string;
  /**
   * The metrics port.
   * @default - 10259, 10257, 2379, 10249, 9153
   */
  readonly port?: number;
  /**
   * TLS towards the component. etcd needs a client certificate (`cert` and `key`, from a Secret).
   * kubeadm's scheduler and controller-manager serve self-signed certificates: set
   * `insecureSkipVerify: true` there, explicitly, or give them certificates from the cluster CA.
   * @default - verify with the in-cluster CA (HTTPS components)
   */
  readonly tls?: ScrapeTlsOptions;
}

/** Props of `ControlPlaneScrape`. */
export interface ControlPlaneScrapeProps extends ControlPlaneScrapeOptions {
  /** The stack that scrapes the component. */
  readonly prometheus: IPrometheus;
}

/**
 * Scrapes a control-plane or cluster component from its pods (running pods matching the selector,
 * filtered by the API server, in `kube-system`), at the pod IP and the component's metrics port
 * (IPv6 in brackets), with the job label the kubernetes-mixin and kube-prometheus use
 * (`kube-scheduler`, `kube-controller-manager`, `etcd`, `kube-proxy`, `kube-dns`) and `namespace`,
 * `pod`, `node` labels. Managed control planes (EKS, GKE, AKS) expose no scheduler,
 * controller-manager or etcd: leave those scrapes out there. Their alerts come only from their
 * own `addRules()`, so none can fire for a component you do not scrape.
 */
export class ControlPlaneScrape extends ScrapeJob {
  /** The component scraped. */
  public readonly component: ControlPlaneComponent;
  private readonly ruleName: string;

  public constructor(scope: Construct, id: string, props: ControlPlaneScrapeProps) {
    super(scope, id);
    if (!Object.values(ControlPlaneComponent).includes(props.component)) {
      fail({ scope: this, prop: 'component' }, props.component, `one of ${Object.keys(ControlPlaneComponent).map(k => `ControlPlaneComponent.${k}`).join(', ')}`);
    }
    const c = COMPONENTS[props.component];
    const namespace = props.namespace ?? 'kube-system';
    checkDns1123Label({ scope: this, prop: 'namespace' }, namespace);
    const label = props.podSelector ?? c.label;
    checkLabelSelector({ scope: this, prop: 'podSelector' }, label);
    const port = props.port ?? c.port;
    checkPort({ scope: this, prop: 'port' }, port);
    const tls = props.tls;
    if (props.component === ControlPlaneComponent.ETCD && !(tls?.cert || tls?.certFile)) {
      fail({ scope: this, prop: 'tls' }, tls ?? null, 'etcd admits only clients with a certificate: give tls.cert and tls.key (Secret keys) or certFile and keyFile');
    }
    if (!c.https && tls !== undefined) {
      fail({ scope: this, prop: 'tls' }, tls, `${props.component} serves plain HTTP; leave tls out`);
    }
    this.component = props.component;
    this.ruleName = c.rule;
    this._register(props.prometheus, props, {
      defaultJobName: props.component,
      defaultJobLabel: c.job,
      role: DiscoveryRole.POD,
      namespaces: [namespace],
      selectors: [{ role: DiscoveryRole.POD, label, field: 'status.phase=Running' }],
      scheme: c.https ? Scheme.HTTPS : Scheme.HTTP,
      tls: c.https ? { caFile: tls?.insecureSkipVerify || tls?.ca ? undefined : SERVICE_ACCOUNT_CA, ...tls } : undefined,
      authorization: c.token ? ScrapeAuthorization.serviceAccountToken() : undefined,
      nonResourceUrls: c.token ? ['/metrics'] : undefined,
      relabelings: [
        RelabelRule.drop({ sourceLabels: ['__meta_kubernetes_pod_container_init'], regex: 'true' }),
        // A static pod declares no ports (one target per container); CoreDNS declares three.
        RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_pod_container_port_number'], regex: `|${port}` }),
        RelabelRule.replace({ sourceLabels: ['__meta_kubernetes_pod_ip'], regex: '(.*:.*)', targetLabel: '__address__', replacement: `[$1]:${port}` }),
        RelabelRule.replace({ sourceLabels: ['__meta_kubernetes_pod_ip'], regex: '([^:]+)', targetLabel: '__address__', replacement: `$1:${port}` }),
        RelabelRule.copy('__meta_kubernetes_namespace', 'namespace'),
        RelabelRule.copy('__meta_kubernetes_pod_name', 'pod'),
        RelabelRule.copy('__meta_kubernetes_pod_node_name', 'node'),
      ],
    });
  }

  /** `<Component>Down` (no target up for 15 minutes) and `<Component>TargetsDown` (group: the job name). */
  public addRules(options: BuiltInRulesOptions = {}): PrometheusRuleGroup {
    return this._addBuiltInRules(this.jobName, controlPlaneRules(this.ruleName, this.component), options);
  }
}
