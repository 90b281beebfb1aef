import { Duration } from 'cdk8s';
import { brand, hasBrand } from './brand';
import { checkHttpHeader, checkPositiveDuration, checkRegex, fail, Where } from './validation';

/**
 * Blackbox exporter modules: typed values, checked when given to an exporter.
 */

/** How a blackbox module probes its target. */
export enum BlackboxProber {
  /** An HTTP(S) request; the target is a URL or host:port. */
  HTTP = 'http',
  /** A TCP connection (optionally TLS); the target is host:port. */
  TCP = 'tcp',
}

/** HTTP methods a probe may use. */
export enum HttpMethod {
  /** GET */
  GET = 'GET',
  /** HEAD */
  HEAD = 'HEAD',
  /** POST */
  POST = 'POST',
  /** PUT */
  PUT = 'PUT',
  /** PATCH */
  PATCH = 'PATCH',
  /** DELETE */
  DELETE = 'DELETE',
  /** OPTIONS */
  OPTIONS = 'OPTIONS',
}

/** IP protocol a probe resolves its target to first (it falls back to the other one). */
export enum IpProtocol {
  /** IPv4 first: what most clusters have. */
  IP4 = 'ip4',
  /** IPv6 first (the exporter's own default). */
  IP6 = 'ip6',
}

/** Settings every module takes. */
export interface BlackboxModuleCommonOptions {
  /**
   * Name of the module: the `module` URL parameter of the probe. Letters, digits, `_`, `.` and `-`.
   */
  readonly name: string;
  /**
   * How long the probe may take. The exporter uses the smaller of this and the Prometheus scrape
   * timeout minus 0.5s.
   * @default - the Prometheus scrape timeout minus 0.5s
   */
  readonly timeout?: Duration;
  /**
   * IP protocol tried first when the target name resolves to both; the other one is the fallback.
   * @default IpProtocol.IP4
   */
  readonly preferredIpProtocol?: IpProtocol;
  /**
   * Accept any certificate from a TLS target. An explicit opt-in: never the default.
   * @default false
   */
  readonly insecureSkipVerify?: boolean;
}

/** Options of `BlackboxModule.http`. */
export interface HttpModuleOptions extends BlackboxModuleCommonOptions {
  /**
   * HTTP method.
   * @default HttpMethod.GET
   */
  readonly method?: HttpMethod;
  /**
   * Status codes that count as success.
   * @default - any 2xx
   */
  readonly validStatusCodes?: number[];
  /**
   * Request headers.
   * @default - none
   */
  readonly headers?: { [name: string]: string };
  /**
   * Request body.
   * @default - none
   */
  readonly body?: string;
  /**
   * Follow redirects (a redirect's final status counts).
   * @default true
   */
  readonly followRedirects?: boolean;
  /**
   * Fail unless the target answers over TLS.
   * @default false
   */
  readonly failIfNotSsl?: boolean;
  /**
   * Fail if the target answers over TLS.
   * @default false
   */
  readonly failIfSsl?: boolean;
  /**
   * Fail if the body matches any of these (Go RE2, unanchored).
   * @default - none
   */
  readonly failIfBodyMatches?: string[];
  /**
   * Fail unless the body matches every one of these (Go RE2, unanchored).
   * @default - none
   */
  readonly failIfBodyNotMatches?: string[];
}

/** Options of `BlackboxModule.tcp`. */
export interface TcpModuleOptions extends BlackboxModuleCommonOptions {
  /**
   * Start TLS right after connecting (and verify the certificate).
   * @default false
   */
  readonly tls?: boolean;
}

/**
 * Everything a module is, before rendering.
 * @internal
 */
export interface BlackboxModuleSpec {
  readonly name: string;
  readonly prober: BlackboxProber;
  readonly timeout?: Duration;
  readonly preferredIpProtocol: IpProtocol;
  readonly insecureSkipVerify?: boolean;
  readonly method?: HttpMethod;
  readonly validStatusCodes?: number[];
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly followRedirects?: boolean;
  readonly failIfNotSsl?: boolean;
  readonly failIfSsl?: boolean;
  readonly failIfBodyMatches?: string[];
  readonly failIfBodyNotMatches?: string[];
  readonly tls?: boolean;
}

/**
 * A blackbox exporter module: how a probe checks its target. Values are checked when the module
 * is given to a `BlackboxExporter`, so that errors name the construct path.
 */
export class BlackboxModule {
  /** Whether `x` is a BlackboxModule, made by any copy of this library. */
  public static isBlackboxModule(x: any): x is BlackboxModule {
    return hasBrand(x, 'BlackboxModule');
  }

  /** `http_2xx`: GET, any 2xx status after redirects, IPv4 first. */
  public static http2xx(): BlackboxModule {
    return BlackboxModule.http({ name: 'http_2xx' });
  }

  /** `tcp_connect`: the port accepts a TCP connection, IPv4 first. */
  public static tcpConnect(): BlackboxModule {
    return BlackboxModule.tcp({ name: 'tcp_connect' });
  }

  /** An HTTP(S) module. */
  public static http(options: HttpModuleOptions): BlackboxModule {
    return new BlackboxModule({
      ...copy(options),
      prober: BlackboxProber.HTTP,
      preferredIpProtocol: options.preferredIpProtocol ?? IpProtocol.IP4,
    });
  }

  /** A TCP (optionally TLS) connect module. */
  public static tcp(options: TcpModuleOptions): BlackboxModule {
    return new BlackboxModule({
      ...copy(options),
      prober: BlackboxProber.TCP,
      preferredIpProtocol: options.preferredIpProtocol ?? IpProtocol.IP4,
    });
  }

  /** @internal */
  public readonly _spec: BlackboxModuleSpec;

  private constructor(spec: BlackboxModuleSpec) {
    this._spec = spec;
  }

  /** Name of the module (the `module` URL parameter). */
  public get name(): string {
    return this._spec.name;
  }

  /** The prober the module uses. */
  public get prober(): BlackboxProber {
    return this._spec.prober;
  }
}
brand(BlackboxModule, 'BlackboxModule');

/** A shallow copy that also copies arrays and maps, so later changes by the caller do not leak in. */
function copy<T extends object>(options: T): T {
  const out: Record<string, unknown> = { ...(options as Record<string, unknown>) };
  for (const [k, v] of Object.entries(out)) {
    if (Array.isArray(v)) out[k] = [...v];
    else if (v !== null && typeof v === 'object' && !(v instanceof Duration)) out[k] = { ...v };
  }
  return out as T;
}

// ---------------------------------------------------------------------------------------------
// blackbox.yml: the one place that writes the exporter's configuration keys (snake_case).
// ---------------------------------------------------------------------------------------------

const MODULE_NAME = /^[A-Za-z0-9_.-]+$/;

export function checkModule(where: Where, module: BlackboxModule): void {
  if (!BlackboxModule.isBlackboxModule(module)) {
    fail(where, module, 'must be a BlackboxModule (use BlackboxModule.http2xx(), .tcpConnect(), .http() or .tcp())');
  }
  const m = module._spec;
  const at = (field: string): Where => ({ scope: where.scope, prop: `${where.prop}.${field}` });
  if (typeof m.name !== 'string' || !MODULE_NAME.test(m.name)) {
    fail(at('name'), m.name, 'a module name is a non-empty string of letters, digits, "_", "." and "-"');
  }
  if (m.timeout !== undefined) checkPositiveDuration(at('timeout'), m.timeout);
  if (!Object.values(IpProtocol).includes(m.preferredIpProtocol)) {
    fail(at('preferredIpProtocol'), m.preferredIpProtocol, `one of ${Object.values(IpProtocol).join(', ')}`);
  }
  if (m.prober !== BlackboxProber.HTTP) return;
  if (m.method !== undefined && !Object.values(HttpMethod).includes(m.method)) {
    fail(at('method'), m.method, `unknown HTTP method; one of ${Object.values(HttpMethod).join(', ')}`);
  }
  if (m.validStatusCodes !== undefined) {
    if (m.validStatusCodes.length === 0) {
      fail(at('validStatusCodes'), [], 'give at least one status code, or leave it out to accept any 2xx');
    }
    m.validStatusCodes.forEach((code, i) => {
      if (!Number.isInteger(code) || code < 100 || code > 599) {
        fail(at(`validStatusCodes[${i}]`), code, 'an HTTP status code is a whole number between 100 and 599');
      }
    });
  }
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    checkHttpHeader(at('headers'), name, value);
  }
  if (m.failIfSsl && m.failIfNotSsl) {
    fail(at('failIfSsl'), true, 'failIfSsl and failIfNotSsl together fail every probe; set one of them');
  }
  (m.failIfBodyMatches ?? []).forEach((re, i) => checkRegex(at(`failIfBodyMatches[${i}]`), re));
  (m.failIfBodyNotMatches ?? []).forEach((re, i) => checkRegex(at(`failIfBodyNotMatches[${i}]`), re));
}

// ---------------------------------------------------------------------------------------------
// The exporter
// ---------------------------------------------------------------------------------------------
