import { Construct } from 'constructs';
import { kubeletJob } from './kubelet-scrape';
import { ScrapeJob } from './scrape-job';
import { ScrapeTlsOptions } from '../model/endpoint';
import { ScrapeOptions } from '../model/job';
import { IPrometheus } from '../model/prometheus';
import { fail } from '../model/validation';

/** The kubelet's other metrics endpoints (besides `/metrics` and cAdvisor's `/metrics/cadvisor`). */
export enum KubeletEndpoint {
  /** `/metrics/probes`: liveness, readiness and startup probe results (`prober_probe_total`). */
  PROBES = '/metrics/probes',
  /** `/metrics/resource`: CPU and memory usage of nodes, pods and containers (what metrics-server reads). */
  RESOURCE = '/metrics/resource',
}

/** Options of `KubeletEndpointScrape`. */
export interface KubeletEndpointScrapeOptions extends ScrapeOptions {
  /** Which endpoint of the kubelet to scrape. */
  readonly endpoint: KubeletEndpoint;
  /**
   * TLS towards the kubelets (see KubeletScrape).
   * @default - verify with the in-cluster CA
   */
  readonly tls?: ScrapeTlsOptions;
}

/** Props of `KubeletEndpointScrape`. */
export interface KubeletEndpointScrapeProps extends KubeletEndpointScrapeOptions {
  /** The stack that scrapes the kubelets. */
  readonly prometheus: IPrometheus;
}

/**
 * Scrapes one of the kubelet's other endpoints, `/metrics/probes` or `/metrics/resource`, on every
 * node, labelled as kube-prometheus labels them: `job="kubelet"` and `metrics_path` (job names
 * `kubelet-probes` and `kubelet-resource`). Same connection as KubeletScrape: HTTPS to the kubelet,
 * the ServiceAccount token, `get nodes/metrics` (which covers every `/metrics/*` path).
 */
export class KubeletEndpointScrape extends ScrapeJob {
  public constructor(scope: Construct, id: string, props: KubeletEndpointScrapeProps) {
    super(scope, id);
    if (!Object.values(KubeletEndpoint).includes(props.endpoint)) {
      fail({ scope: this, prop: 'endpoint' }, props.endpoint, 'use KubeletEndpoint.PROBES or KubeletEndpoint.RESOURCE');
    }
    const name = props.endpoint === KubeletEndpoint.PROBES ? 'kubelet-probes' : 'kubelet-resource';
    this._register(props.prometheus, props, { ...kubeletJob(name, props.endpoint, props.tls), defaultJobLabel: 'kubelet' });
  }
}
