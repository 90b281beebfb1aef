import { Construct } from 'constructs';
import { ScrapeJob } from './scrape-job';
import { DiscoveryRole } from '../model/discovery';
import { endpointOptions, TargetEndpointOptions } from '../model/endpoint';
import { ScrapeOptions } from '../model/job';
import { IPrometheus } from '../model/prometheus';
import { RelabelRule } from '../model/relabel';
import { checkPortName } from '../model/validation';

/** Options of `PodPortScrape`. */
export interface PodPortScrapeOptions extends ScrapeOptions, TargetEndpointOptions {
  /**
   * Name of the container ports to scrape.
   * @default "metrics"
   */
  readonly portName?: string;
  /**
   * Namespaces to discover pods in.
   * @default - all namespaces (a ClusterRole)
   */
  readonly namespaces?: string[];
}

/** Props of `PodPortScrape`. */
export interface PodPortScrapeProps extends PodPortScrapeOptions {
  /** The stack that scrapes the pods. */
  readonly prometheus: IPrometheus;
}

/**
 * Scrapes every container port with a given name (`metrics` by default) of every running pod (the
 * book's `k8pods` job), with `job` set to the container name and `namespace`, `pod` and
 * `container` labels. Pods that are not running (Pending, Succeeded, Failed) are dropped, and so are
 * this library's own components (node-exporter, kube-state-metrics ...), which have jobs of their own.
 */
export class PodPortScrape extends ScrapeJob {
  /** The container port name scraped. */
  public readonly portName: string;

  public constructor(scope: Construct, id: string, props: PodPortScrapeProps) {
    super(scope, id);
    this.portName = props.portName ?? 'metrics';
    checkPortName({ scope: this, prop: 'portName' }, this.portName);
    this._register(props.prometheus, props, {
      defaultJobName: 'pods',
      role: DiscoveryRole.POD,
      namespaces: props.namespaces,
      ...endpointOptions(props),
      relabelings: [
        RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_pod_container_port_name'], regex: this.portName }),
        RelabelRule.drop({ sourceLabels: ['__meta_kubernetes_pod_phase'], regex: 'Pending|Succeeded|Failed|Completed' }),
        // This library's own components (node-exporter, kube-state-metrics ...) have jobs of their own.
        RelabelRule.drop({ sourceLabels: ['__meta_kubernetes_pod_label_app_kubernetes_io_part_of'], regex: 'cdk8s-prometheus' }),
        RelabelRule.copy('__meta_kubernetes_namespace', 'namespace'),
        RelabelRule.copy('__meta_kubernetes_pod_name', 'pod'),
        RelabelRule.copy('__meta_kubernetes_pod_container_name', 'container'),
      ],
      jobLabelFrom: '__meta_kubernetes_pod_container_name',
    });
  }
}
