import { Construct } from 'constructs';
import { SELF_JOB, WEB_PORT } from './constants';
import { selfScrapeEndpoint, webPath, WebConfigSpec, WebSpec } from './web';
import { IPrometheus } from '../model/prometheus';
import { ScrapeJob } from '../scrapes/scrape-job';

/** Prometheus scraping itself in each pod (static `localhost:9090`). */
export class SelfScrape extends ScrapeJob {
  public constructor(scope: Construct, id: string, prometheus: IPrometheus, web: WebSpec, webConfig: WebConfigSpec) {
    super(scope, id);
    this._register(prometheus, {}, {
      defaultJobName: SELF_JOB,
      staticTargets: [`localhost:${WEB_PORT}`],
      relabelings: [],
      // Under a route prefix, /metrics moves too.
      metricsPath: web.prefix === '/' ? undefined : webPath(web.prefix, '/metrics'),
      // With TLS or basic auth on the web server, what the self-scrape needs to get in.
      ...selfScrapeEndpoint(webConfig),
    });
  }
}
