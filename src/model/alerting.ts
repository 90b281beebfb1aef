import { brand, hasBrand } from './brand';
import { Scheme } from './endpoint';

/** Options of `AlertmanagerEndpoint.service`. */
export interface AlertmanagerServiceOptions {
  /** Name of the Alertmanager Service. */
  readonly name: string;
  /** Namespace of the Service. */
  readonly namespace: string;
  /**
   * Port of the Alertmanager API.
   * @default 9093
   */
  readonly port?: number;
  /**
   * URL scheme.
   * @default Scheme.HTTP
   */
  readonly scheme?: Scheme;
}

/**
 * Where Prometheus sends alerts (`alerting.alertmanagers`). Deploying Alertmanager itself is not
 * this library's job.
 */
export class AlertmanagerEndpoint {
  /** Whether `x` is an AlertmanagerEndpoint, made by any copy of this library. */
  public static isAlertmanagerEndpoint(x: any): x is AlertmanagerEndpoint {
    return hasBrand(x, 'AlertmanagerEndpoint');
  }

  /**
   * An Alertmanager behind a Service, addressed by its cluster DNS name
   * (`<name>.<namespace>.svc:<port>`).
   */
  public static service(options: AlertmanagerServiceOptions): AlertmanagerEndpoint {
    return new AlertmanagerEndpoint(
      [`${options.name}.${options.namespace}.svc:${options.port ?? 9093}`], options.scheme ?? Scheme.HTTP,
      { name: options.name, namespace: options.namespace, port: options.port ?? 9093 });
  }

  /** Alertmanagers at fixed `host:port` addresses (e.g. each pod of a headless Service). */
  public static addresses(targets: string[], scheme?: Scheme): AlertmanagerEndpoint {
    return new AlertmanagerEndpoint([...targets], scheme ?? Scheme.HTTP);
  }

  private constructor(
    /** `host:port` targets. */
    public readonly targets: string[],
    /** URL scheme. */
    public readonly scheme: Scheme,
    /** @internal */
    public readonly _service?: { name: string; namespace: string; port: number },
  ) {}
}
brand(AlertmanagerEndpoint, 'AlertmanagerEndpoint');
