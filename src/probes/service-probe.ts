import { Construct } from 'constructs';
import { exporterRewrite, optInRule, resolveProbeModule } from './probe';
import { BlackboxExporter } from '../components/blackbox-exporter';
import { BlackboxModule } from '../model/blackbox-module';
import { DiscoveryRole } from '../model/discovery';
import { ScrapeOptions } from '../model/job';
import { IPrometheus } from '../model/prometheus';
import { RelabelRule } from '../model/relabel';
import { checkPortName } from '../model/validation';
import { ScrapeJob } from '../scrapes/scrape-job';

/** Options of `ServiceProbe`. */
export interface ServiceProbeOptions extends ScrapeOptions {
  /**
   * The module every Service port is probed with; the exporter must offer it.
   * @default BlackboxModule.tcpConnect(): any TCP port, HTTP or not
   */
  readonly module?: BlackboxModule;
  /**
   * Namespaces to discover Services in (filtered by the API server; the stack grants Roles only
   * there).
   * @default - all namespaces (a ClusterRole)
   */
  readonly namespaces?: string[];
  /**
   * Probe only the Services carrying this annotation set to `"true"` (e.g. `prometheus.io/probe`).
   * @default - every Service
   */
  readonly optInAnnotation?: string;
  /**
   * Probe only the Service ports with this name.
   * @default - every TCP port
   */
  readonly portName?: string;
}

/** Props of `ServiceProbe`. */
export interface ServiceProbeProps extends ServiceProbeOptions {
  /** The stack that runs the probes. */
  readonly prometheus: IPrometheus;
  /** The exporter the probes go through. */
  readonly blackboxExporter: BlackboxExporter;
}

/**
 * Probes every TCP port of every Service through the blackbox exporter (discovery role
 * `service`): the Service address `<service>.<namespace>.svc:<port>` goes to the exporter as
 * `target` and becomes the `instance` label, with `namespace` and `service` labels; the
 * series are `probe_success`, `probe_duration_seconds` ... of that target. The API server's
 * `default/kubernetes` Service is left out (it answers only HTTPS with credentials).
 */
export class ServiceProbe extends ScrapeJob {
  /** Name of the module the probes use. */
  public readonly moduleName: string;

  public constructor(scope: Construct, id: string, props: ServiceProbeProps) {
    super(scope, id);
    this.moduleName = resolveProbeModule(this, props.blackboxExporter, props.module ?? BlackboxModule.tcpConnect());
    if (props.portName !== undefined) checkPortName({ scope: this, prop: 'portName' }, props.portName);
    const relabelings = [
      RelabelRule.drop({
        sourceLabels: ['__meta_kubernetes_namespace', '__meta_kubernetes_service_name'],
        regex: 'default;kubernetes',
      }),
      // UDP and SCTP ports cannot be probed over TCP or HTTP.
      RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_service_port_protocol'], regex: 'TCP' }),
    ];
    if (props.optInAnnotation !== undefined) relabelings.push(optInRule(this, 'service', props.optInAnnotation));
    if (props.portName !== undefined) {
      relabelings.push(RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_service_port_name'], regex: props.portName }));
    }
    relabelings.push(
      RelabelRule.copy('__address__', '__param_target'),
      ...exporterRewrite(props.blackboxExporter),
      RelabelRule.copy('__meta_kubernetes_namespace', 'namespace'),
      RelabelRule.copy('__meta_kubernetes_service_name', 'service'),
    );
    this._register(props.prometheus, props, {
      defaultJobName: 'blackbox-services',
      role: DiscoveryRole.SERVICE,
      namespaces: props.namespaces,
      metricsPath: '/probe',
      params: { module: [this.moduleName] },
      relabelings,
    });
  }
}
