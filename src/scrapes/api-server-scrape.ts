import { Construct } from 'constructs';
import { ScrapeJob } from './scrape-job';
import { DiscoveryRole, EndpointDiscovery, endpointPortNameLabel } from '../model/discovery';
import { Scheme, ScrapeAuthorization, SERVICE_ACCOUNT_CA } from '../model/endpoint';
import { ScrapeOptions } from '../model/job';
import { IPrometheus } from '../model/prometheus';
import { RelabelRule } from '../model/relabel';
import { apiServerRules } from '../rules/built-in-rules';
import { BuiltInRulesOptions, PrometheusRuleGroup } from '../rules/prometheus-rule-group';

/** Options of `ApiServerScrape`. */
export interface ApiServerScrapeOptions extends ScrapeOptions {
  /**
   * How the `default/kubernetes` Service's endpoints are discovered.
   * @default EndpointDiscovery.ENDPOINT_SLICE
   */
  readonly discovery?: EndpointDiscovery;
}

/** Props of `ApiServerScrape`. */
export interface ApiServerScrapeProps extends ApiServerScrapeOptions {
  /** The stack that scrapes the API server. */
  readonly prometheus: IPrometheus;
}

/**
 * Scrapes every API server behind the `default/kubernetes` Service over HTTPS, verified with the
 * in-cluster CA (`server_name: kubernetes`) and authenticated with the ServiceAccount token.
 * Discovery is limited to the `default` namespace, so a Role there is enough; `/metrics` is
 * granted as a non-resource URL.
 */
export class ApiServerScrape extends ScrapeJob {
  public constructor(scope: Construct, id: string, props: ApiServerScrapeProps) {
    super(scope, id);
    const discovery = props.discovery ?? EndpointDiscovery.ENDPOINT_SLICE;
    this._register(props.prometheus, props, {
      defaultJobName: 'apiserver',
      role: discovery as unknown as DiscoveryRole,
      namespaces: ['default'],
      scheme: Scheme.HTTPS,
      tls: { caFile: SERVICE_ACCOUNT_CA, serverName: 'kubernetes' },
      authorization: ScrapeAuthorization.serviceAccountToken(),
      relabelings: [
        RelabelRule.keep({
          sourceLabels: ['__meta_kubernetes_namespace', '__meta_kubernetes_service_name', endpointPortNameLabel(discovery)],
          regex: 'default;kubernetes;https',
        }),
      ],
      nonResourceUrls: ['/metrics'],
    });
  }

  /** API server targets down and error ratio (group `apiserver`). */
  public addRules(options: BuiltInRulesOptions = {}): PrometheusRuleGroup {
    return this._addBuiltInRules('apiserver', apiServerRules, options);
  }
}
