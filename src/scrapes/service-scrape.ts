import { Construct } from 'constructs';
import { ScrapeJob } from './scrape-job';
import { DiscoveryRole, EndpointDiscovery, endpointPortNameLabel } from '../model/discovery';
import { endpointOptions, TargetEndpointOptions } from '../model/endpoint';
import { ScrapeOptions } from '../model/job';
import { IPrometheus } from '../model/prometheus';
import { RelabelRule } from '../model/relabel';
import { checkPortName } from '../model/validation';

/** Options of `ServiceScrape`. */
export interface ServiceScrapeOptions extends ScrapeOptions, TargetEndpointOptions {
  /**
   * Namespaces to discover Services in (filtered by the API server; the stack grants Roles only
   * there).
   * @default - all namespaces (a ClusterRole)
   */
  readonly namespaces?: string[];
  /**
   * Scrape only endpoint ports with this name.
   * @default - every port of every Service
   */
  readonly portName?: string;
  /**
   * How endpoints are discovered.
   * @default EndpointDiscovery.ENDPOINT_SLICE
   */
  readonly discovery?: EndpointDiscovery;
}

/** Props of `ServiceScrape`. */
export interface ServiceScrapeProps extends ServiceScrapeOptions {
  /** The stack that scrapes the Services. */
  readonly prometheus: IPrometheus;
}

/**
 * Scrapes the endpoints of every Service (the book's `k8services` job), except the API server's
 * `default/kubernetes` and this library's own components (scraped by their own jobs), with `job`
 * set to the Service name and `namespace`, `service` and `pod` labels.
 */
export class ServiceScrape extends ScrapeJob {
  public constructor(scope: Construct, id: string, props: ServiceScrapeProps) {
    super(scope, id);
    const discovery = props.discovery ?? EndpointDiscovery.ENDPOINT_SLICE;
    if (props.portName !== undefined) checkPortName({ scope: this, prop: 'portName' }, props.portName);
    const relabelings = [
      // Discovery also yields every container port of a backing pod that the Service does not
      // expose; those targets carry no endpoint port (slices) or readiness (Endpoints) label.
      discovery === EndpointDiscovery.ENDPOINTS
        ? RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_endpoint_ready'], regex: '.+' })
        : RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_endpointslice_port'], regex: '.+' }),
      RelabelRule.drop({
        sourceLabels: ['__meta_kubernetes_namespace', '__meta_kubernetes_service_name'],
        regex: 'default;kubernetes',
      }),
      // This library's own components (node-exporter, kube-state-metrics ...) have jobs of their own.
      RelabelRule.drop({ sourceLabels: ['__meta_kubernetes_service_label_app_kubernetes_io_part_of'], regex: 'cdk8s-prometheus' }),
    ];
    if (props.portName !== undefined) {
      relabelings.push(RelabelRule.keep({ sourceLabels: [endpointPortNameLabel(discovery)], regex: props.portName }));
    }
    relabelings.push(
      RelabelRule.copy('__meta_kubernetes_namespace', 'namespace'),
      RelabelRule.copy('__meta_kubernetes_service_name', 'service'),
      RelabelRule.copy('__meta_kubernetes_pod_name', 'pod'),
    );
    this._register(props.prometheus, props, {
      defaultJobName: 'kubernetes-services',
      role: discovery as unknown as DiscoveryRole,
      namespaces: props.namespaces,
      ...endpointOptions(props),
      relabelings,
      jobLabelFrom: '__meta_kubernetes_service_name',
    });
  }
}
