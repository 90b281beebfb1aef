import { Construct } from 'constructs';
import { ScrapeJob } from './scrape-job';
import { endpointOptions, TargetEndpointOptions } from '../model/endpoint';
import { ScrapeOptions } from '../model/job';
import { checkPrometheus, IPrometheus } from '../model/prometheus';
import { staticConfigs, StaticTarget } from '../model/static-target';

/** Options of `StaticScrape`. */
export interface StaticScrapeOptions extends ScrapeOptions, TargetEndpointOptions {
  /** The targets: `host:port` each (IPv6 in brackets), with labels of their own. */
  readonly targets: StaticTarget[];
}

/** Props of `StaticScrape`. */
export interface StaticScrapeProps extends StaticScrapeOptions {
  /** The stack that scrapes the targets. */
  readonly prometheus: IPrometheus;
}

/**
 * Scrapes fixed hosts, such as those outside the cluster (`static_configs`): one target per
 * `host:port`, with its own labels, reached with the scrape's scheme, path, params, TLS and
 * credentials (from Secret keys, which the stack mounts). No discovery: no RBAC. The job name is
 * the construct id unless `jobName` says otherwise.
 */
export class StaticScrape extends ScrapeJob {
  public constructor(scope: Construct, id: string, props: StaticScrapeProps) {
    super(scope, id);
    checkPrometheus({ scope: this, prop: 'prometheus' }, props.prometheus);
    const configs = staticConfigs(this, 'targets', props.targets, props.prometheus.nameValidationScheme);
    this._register(props.prometheus, props, {
      defaultJobName: id,
      staticConfigs: configs,
      ...endpointOptions(props),
      relabelings: [],
    });
  }
}
