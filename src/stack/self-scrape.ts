import { Construct } from 'constructs';
import { SELF_JOB, WEB_PORT } from './constants';
import { IPrometheus } from '../model/prometheus';
import { ScrapeJob } from '../scrapes/scrape-job';

/** Prometheus scraping itself in each pod (static `localhost:9090`). */
export class SelfScrape extends ScrapeJob {
  public constructor(scope: Construct, id: string, prometheus: IPrometheus) {
    super(scope, id);
    this._register(prometheus, {}, {
      defaultJobName: SELF_JOB,
      staticTargets: [`localhost:${WEB_PORT}`],
      relabelings: [],
    });
  }
}
