import { Construct } from 'constructs';
import { exporterRewrite, optInRule, resolveProbeModule } from './probe';
import { BlackboxExporter } from '../components/blackbox-exporter';
import { BlackboxModule } from '../model/blackbox-module';
import { DiscoveryRole } from '../model/discovery';
import { ScrapeOptions } from '../model/job';
import { IPrometheus } from '../model/prometheus';
import { RelabelRule } from '../model/relabel';
import { ScrapeJob } from '../scrapes/scrape-job';

/** Options of `IngressProbe`. */
export interface IngressProbeOptions extends ScrapeOptions {
  /**
   * The module every Ingress URL is probed with; the exporter must offer it.
   * @default BlackboxModule.http2xx()
   */
  readonly module?: BlackboxModule;
  /**
   * Namespaces to discover Ingresses in (filtered by the API server; the stack grants Roles only
   * there).
   * @default - all namespaces (a ClusterRole)
   */
  readonly namespaces?: string[];
  /**
   * Probe only the Ingresses carrying this annotation set to `"true"` (e.g. `prometheus.io/probe`).
   * @default - every Ingress
   */
  readonly optInAnnotation?: string;
}

/** Props of `IngressProbe`. */
export interface IngressProbeProps extends IngressProbeOptions {
  /** The stack that runs the probes. */
  readonly prometheus: IPrometheus;
  /** The exporter the probes go through. */
  readonly blackboxExporter: BlackboxExporter;
}

/**
 * Probes the URL of every Ingress rule path through the blackbox exporter (discovery role
 * `ingress`): `<scheme>://<host><path>`, `https` when the host is listed under the Ingress's
 * `tls`, goes to the exporter as `target` and becomes the `instance` label, with `namespace`
 * and `ingress` labels. Rules without a host or with a wildcard host (`*.example.com`) have no
 * URL to probe and are left out. Paths are probed literally (a regex path of an ingress
 * controller is not expanded).
 */
export class IngressProbe extends ScrapeJob {
  /** Name of the module the probes use. */
  public readonly moduleName: string;

  public constructor(scope: Construct, id: string, props: IngressProbeProps) {
    super(scope, id);
    this.moduleName = resolveProbeModule(this, props.blackboxExporter, props.module ?? BlackboxModule.http2xx());
    const relabelings = [
      RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_ingress_host'], regex: '[^*]+' }),
    ];
    if (props.optInAnnotation !== undefined) relabelings.push(optInRule(this, 'ingress', props.optInAnnotation));
    relabelings.push(
      RelabelRule.replace({
        sourceLabels: ['__meta_kubernetes_ingress_scheme', '__address__', '__meta_kubernetes_ingress_path'],
        regex: '(.+);(.+);(.+)',
        targetLabel: '__param_target',
        replacement: '${1}://${2}${3}',
      }),
      ...exporterRewrite(props.blackboxExporter),
      RelabelRule.copy('__meta_kubernetes_namespace', 'namespace'),
      RelabelRule.copy('__meta_kubernetes_ingress_name', 'ingress'),
    );
    this._register(props.prometheus, props, {
      defaultJobName: 'blackbox-ingresses',
      role: DiscoveryRole.INGRESS,
      namespaces: props.namespaces,
      metricsPath: '/probe',
      params: { module: [this.moduleName] },
      relabelings,
    });
  }
}
