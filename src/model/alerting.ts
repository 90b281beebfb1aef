import { brand, hasBrand } from './brand';
import { Scheme } from './endpoint';
import { checkDns1035Label, checkDns1123Label, fail, Where } from './validation';

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
    return new AlertmanagerEndpoint(targets, scheme ?? Scheme.HTTP);
  }

  private readonly _targets: readonly string[];

  private constructor(
    targets: string[],
    /** URL scheme. */
    public readonly scheme: Scheme,
    /** @internal */
    public readonly _service?: { readonly name: string; readonly namespace: string; readonly port: number },
  ) {
    // From JavaScript or another language `targets` may be anything: checked by the stack.
    this._targets = Object.freeze(Array.isArray(targets) ? [...targets] : targets as any);
  }

  /** `host:port` targets (a copy). */
  public get targets(): string[] {
    return [...this._targets];
  }
}
brand(AlertmanagerEndpoint, 'AlertmanagerEndpoint');

/** Checks one endpoint of `alertmanagers` as Prometheus would load it. */
export function checkAlertmanagerEndpoint(where: Where, am: AlertmanagerEndpoint): void {
  const at = (field: string): Where => ({ scope: where.scope, prop: `${where.prop}.${field}` });
  if (!AlertmanagerEndpoint.isAlertmanagerEndpoint(am)) fail(where, am, 'use AlertmanagerEndpoint.service() or .addresses()');
  const targets = (am as any)._targets;
  if (!Array.isArray(targets) || targets.some(t => typeof t !== 'string')) fail(where, targets, 'give a list of host:port targets (strings)');
  if (am.targets.length === 0) fail(where, am.targets, 'give at least one host:port target');
  am.targets.forEach(t => {
    if (!/^[A-Za-z0-9.-]+:\d{1,5}$/.test(t) || Number(t.split(':')[1]) < 1 || Number(t.split(':')[1]) > 65535) {
      fail(where, t, 'a target is host:port, without scheme or path (port 1-65535)');
    }
  });
  if (am._service) {
    checkDns1035Label(at('name'), am._service.name);
    checkDns1123Label(at('namespace'), am._service.namespace);
  }
  if (!Object.values(Scheme).includes(am.scheme)) fail(at('scheme'), am.scheme, 'Scheme.HTTP or Scheme.HTTPS');
}

/**
 * An Alertmanager in the cluster that Prometheus finds through Kubernetes discovery (the
 * EndpointSlices of its headless Service), so alerts reach every replica, never one behind a
 * load-balanced Service.
 * @internal
 */
export interface AlertmanagerDiscovery {
  readonly namespace: string;
  readonly serviceName: string;
  readonly portName: string;
}
