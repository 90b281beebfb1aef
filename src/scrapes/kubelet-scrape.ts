import { Construct } from 'constructs';
import { ScrapeJob } from './scrape-job';
import { DiscoveryRole } from '../model/discovery';
import { Scheme, ScrapeAuthorization, ScrapeTlsOptions, SERVICE_ACCOUNT_CA } from '../model/endpoint';
import { JobBuild, ScrapeOptions } from '../model/job';
import { IPrometheus } from '../model/prometheus';
import { RelabelRule } from '../model/relabel';
import { kubeletRules } from '../rules/built-in-rules';
import { BuiltInRulesOptions, PrometheusRuleGroup } from '../rules/prometheus-rule-group';

/** Options of `KubeletScrape`. */
export interface KubeletScrapeOptions extends ScrapeOptions {
  /**
   * TLS towards the kubelets. The kubelet serving certificates must be signed by the cluster CA
   * (kubelet `serverTLSBootstrap`); set `insecureSkipVerify: true` only if they are self-signed.
   * @default - verify with the in-cluster CA
   */
  readonly tls?: ScrapeTlsOptions;
}

/** Props of `KubeletScrape`. */
export interface KubeletScrapeProps extends KubeletScrapeOptions {
  /** The stack that scrapes the kubelets. */
  readonly prometheus: IPrometheus;
}

/**
 * What the kubelet and cAdvisor scrapes share: role node, HTTPS straight to the kubelet at the node
 * address (never through the API server proxy, which needs the exec-equivalent `nodes/proxy`),
 * the ServiceAccount token, the in-cluster CA, and the `node` and `metrics_path` labels.
 */
export function kubeletJob(defaultJobName: string, metricsPath: string, tls: ScrapeTlsOptions | undefined): JobBuild {
  return {
    defaultJobName,
    role: DiscoveryRole.NODE,
    scheme: Scheme.HTTPS,
    metricsPath,
    tls: { caFile: tls?.insecureSkipVerify ? undefined : SERVICE_ACCOUNT_CA, ...tls },
    authorization: ScrapeAuthorization.serviceAccountToken(),
    relabelings: [
      RelabelRule.copy('__meta_kubernetes_node_name', 'node'),
      RelabelRule.copy('__metrics_path__', 'metrics_path'),
    ],
    kubeletMetrics: true,
  };
}

/**
 * Scrapes the kubelet's `/metrics` on every node (`job="kubelet"`, `metrics_path="/metrics"`,
 * as the kubernetes-mixin expects). Needs `get nodes/metrics`, which the stack grants.
 */
export class KubeletScrape extends ScrapeJob {
  public constructor(scope: Construct, id: string, props: KubeletScrapeProps) {
    super(scope, id);
    this._register(props.prometheus, props, kubeletJob('kubelet', '/metrics', props.tls));
  }

  /** Alerts on kubelet targets down (group `kubelet`). */
  public addRules(options: BuiltInRulesOptions = {}): PrometheusRuleGroup {
    return this._addBuiltInRules('kubelet', kubeletRules, options);
  }
}
