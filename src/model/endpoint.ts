import { Construct } from 'constructs';
import { brand, hasBrand } from './brand';
import { checkCredentialKey, checkSecretKey, SecretKey } from './secret';
import { checkHttpHeader, fail, Where } from './validation';

/**
 * How a scrape reaches its target: scheme, TLS, credentials, headers, and the checks of what
 * Prometheus refuses or silently breaks on.
 */

/** URL scheme of a scrape. */
export enum Scheme {
  /** Plain HTTP. */
  HTTP = 'http',
  /** HTTPS. */
  HTTPS = 'https',
}

/** TLS protocol versions. */
export enum TlsVersion {
  /** TLS 1.0. */
  TLS10 = 'TLS10',
  /** TLS 1.1. */
  TLS11 = 'TLS11',
  /** TLS 1.2. */
  TLS12 = 'TLS12',
  /** TLS 1.3. */
  TLS13 = 'TLS13',
}

/** Where Kubernetes mounts the ServiceAccount token and the cluster CA in every pod. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export const SERVICE_ACCOUNT_TOKEN = `${SERVICE_ACCOUNT_DIR}/token`;

export const SERVICE_ACCOUNT_CA = `${SERVICE_ACCOUNT_DIR}/ca.crt`;

/** TLS settings of a scrape. */
export interface ScrapeTlsOptions {
  /**
   * CA bundle that verifies the target.
   * @default - the in-cluster CA (`/var/run/secrets/kubernetes.io/serviceaccount/ca.crt`) for the
   * kubelet and API server scrapes; the system roots elsewhere
   */
  readonly caFile?: string;
  /**
   * Server name expected in the target's certificate.
   * @default - the target host
   */
  readonly serverName?: string;
  /**
   * Skip verification of the target's certificate. An explicit opt-in: never the default.
   * @default false
   */
  readonly insecureSkipVerify?: boolean;
  /**
   * Client certificate file (requires `keyFile`).
   * @default - none
   */
  readonly certFile?: string;
  /**
   * Client key file (requires `certFile`).
   * @default - none
   */
  readonly keyFile?: string;
  /**
   * Minimum TLS version.
   * @default - Prometheus's default (TLS 1.2)
   */
  readonly minVersion?: TlsVersion;
  /**
   * CA bundle from a Secret in the Prometheus namespace (instead of `caFile`).
   * @default - `caFile`
   */
  readonly ca?: SecretKey;
  /**
   * Client certificate from a Secret in the Prometheus namespace (instead of `certFile`; requires `key`).
   * @default - `certFile`
   */
  readonly cert?: SecretKey;
  /**
   * Client key from a Secret in the Prometheus namespace (instead of `keyFile`; requires `cert`).
   * @default - `keyFile`
   */
  readonly key?: SecretKey;
}

/** Kinds of scrape authorization. */
export enum AuthorizationType {
  /** No credentials. */
  NONE = 'none',
  /** `Authorization: Bearer <file content>`. */
  BEARER_FILE = 'bearer-file',
  /** HTTP basic auth with a password file. */
  BASIC = 'basic',
}

/** Credentials sent with each scrape: one kind at a time, as Prometheus requires. */
export class ScrapeAuthorization {
  /** Whether `x` is a ScrapeAuthorization, made by any copy of this library. */
  public static isScrapeAuthorization(x: any): x is ScrapeAuthorization {
    return hasBrand(x, 'ScrapeAuthorization');
  }

  /** The pod's own ServiceAccount token (`authorization.credentials_file`). */
  public static serviceAccountToken(): ScrapeAuthorization {
    return new ScrapeAuthorization(AuthorizationType.BEARER_FILE, SERVICE_ACCOUNT_TOKEN);
  }

  /** A bearer token read from a file mounted in the Prometheus pod. */
  public static bearerTokenFile(path: string): ScrapeAuthorization {
    return new ScrapeAuthorization(AuthorizationType.BEARER_FILE, path);
  }

  /** HTTP basic auth; the password is read from a file mounted in the Prometheus pod. */
  public static basicAuth(username: string, passwordFile: string): ScrapeAuthorization {
    return new ScrapeAuthorization(AuthorizationType.BASIC, passwordFile, username);
  }

  /**
   * `Authorization: Bearer <token>`, the token read from a key of a Secret in the Prometheus
   * namespace (the stack mounts it).
   */
  public static bearerToken(token: SecretKey): ScrapeAuthorization {
    return new ScrapeAuthorization(AuthorizationType.BEARER_FILE, undefined, undefined, token);
  }

  /**
   * HTTP basic auth, the password read from a key of a Secret in the Prometheus namespace (the
   * stack mounts it).
   */
  public static basicAuthFromSecret(username: string, password: SecretKey): ScrapeAuthorization {
    return new ScrapeAuthorization(AuthorizationType.BASIC, undefined, username, password);
  }

  /** No credentials. */
  public static none(): ScrapeAuthorization {
    return new ScrapeAuthorization(AuthorizationType.NONE);
  }

  private constructor(
    /** The kind of credentials. */
    public readonly type: AuthorizationType,
    /** The token or password file. */
    public readonly file?: string,
    /** Basic-auth user name. */
    public readonly username?: string,
    /** The Secret key holding the token or password, when it comes from a Secret. */
    public readonly secret?: SecretKey,
  ) {}
}
brand(ScrapeAuthorization, 'ScrapeAuthorization');

/** How a scrape reaches a target it discovers: for the constructs that scrape your workloads. */
export interface TargetEndpointOptions {
  /**
   * URL scheme of the scrape.
   * @default Scheme.HTTP
   */
  readonly scheme?: Scheme;
  /**
   * Path of the metrics endpoint; starts with "/", no query string (use `params`).
   * @default "/metrics"
   */
  readonly metricsPath?: string;
  /**
   * URL query parameters of the scrape.
   * @default - none
   */
  readonly params?: { [name: string]: string[] };
  /**
   * TLS settings for HTTPS targets.
   * @default - system roots, no client certificate
   */
  readonly tls?: ScrapeTlsOptions;
  /**
   * Credentials sent with each scrape.
   * @default ScrapeAuthorization.none()
   */
  readonly authorization?: ScrapeAuthorization;
  /**
   * Extra HTTP request headers (not the ones Prometheus sets itself, such as Authorization or
   * User-Agent).
   * @default - none
   */
  readonly httpHeaders?: { [name: string]: string };
}

/** The endpoint options of a props object, for `JobBuild` (so constructs pass them on in one line). */
export function endpointOptions(o: TargetEndpointOptions): TargetEndpointOptions {
  return {
    scheme: o.scheme,
    metricsPath: o.metricsPath,
    params: o.params,
    httpHeaders: o.httpHeaders,
    tls: o.tls,
    authorization: o.authorization,
  };
}

/** Headers Prometheus sets or that change the connection (prometheus/common config.ReservedHeaders). */
const RESERVED_HEADERS = new Set([
  'Authorization', 'Host', 'Content-Encoding', 'Content-Length', 'Content-Type', 'User-Agent', 'Connection',
  'Keep-Alive', 'Proxy-Authenticate', 'Proxy-Authorization', 'Www-Authenticate', 'Accept-Encoding',
  'X-Prometheus-Remote-Write-Version', 'X-Prometheus-Remote-Read-Version', 'X-Prometheus-Scrape-Timeout-Seconds',
  'X-Amz-Date', 'X-Amz-Security-Token', 'X-Amz-Content-Sha256',
]);

/** Go's http.CanonicalHeaderKey. */
function canonicalHeader(name: string): string {
  return name.split('-').map(w => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('-');
}

function checkAbsoluteFile(where: Where, file: string | undefined): void {
  if (file === undefined) return;
  if (typeof file !== 'string' || !file.startsWith('/')) {
    fail(where, file, 'give an absolute path of a file mounted in the Prometheus pod (a relative path resolves against the read-only config directory)');
  }
}

/**
 * How a job reaches its targets, as a construct builds it (`JobBuild` extends it).
 * @internal
 */
export interface EndpointSpec {
  readonly scheme?: Scheme;
  readonly metricsPath?: string;
  readonly params?: Record<string, string[]>;
  readonly httpHeaders?: Record<string, string>;
  readonly tls?: ScrapeTlsOptions;
  readonly authorization?: ScrapeAuthorization;
}

/**
 * Request headers (scrape `httpHeaders`, remote-write `headers`): valid names and values, and none
 * that Prometheus sets itself or refuses.
 */
export function checkHeaders(where: Where, headers: Record<string, string> | undefined): void {
  for (const [name, value] of Object.entries(headers ?? {})) {
    checkHttpHeader(where, name, value);
    if (RESERVED_HEADERS.has(canonicalHeader(name))) {
      fail(where, name, `Prometheus refuses to set "${canonicalHeader(name)}" (reserved: ${[...RESERVED_HEADERS].join(', ')}); use \`authorization\` for credentials`);
    }
  }
}

/** TLS settings (of a scrape or a remote-write endpoint); `prefix` is the prop holding them (`tls`). */
export function checkTls(scope: Construct, prefix: string, tls: ScrapeTlsOptions | undefined): void {
  const at = (prop: string): Where => ({ scope, prop: prop.replace(/^tls/, prefix) });
  if (tls) {
    if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
      fail(at(tls.certFile === undefined ? 'tls.keyFile' : 'tls.certFile'), tls.certFile ?? tls.keyFile,
        'a client certificate needs both certFile and keyFile');
    }
    for (const [file, secret] of [['caFile', 'ca'], ['certFile', 'cert'], ['keyFile', 'key']] as const) {
      if (tls[secret] !== undefined) {
        checkSecretKey(at(`tls.${secret}`), tls[secret]);
        if (tls[file] !== undefined) fail(at(`tls.${file}`), tls[file], `give either ${file} or ${secret} (a Secret key), not both`);
      }
    }
    if ((tls.cert === undefined) !== (tls.key === undefined)) {
      fail(at(tls.cert === undefined ? 'tls.key' : 'tls.cert'), (tls.cert ?? tls.key)!.key, 'a client certificate from a Secret needs both cert and key');
    }
    if (tls.cert !== undefined && tls.key !== undefined && tls.cert.secretName === tls.key.secretName && tls.cert.key === tls.key.key) {
      fail(at('tls.key'), tls.key.key, 'the client certificate and its key are two different Secret keys');
    }
    checkAbsoluteFile(at('tls.caFile'), tls.caFile);
    checkAbsoluteFile(at('tls.certFile'), tls.certFile);
    checkAbsoluteFile(at('tls.keyFile'), tls.keyFile);
    if (tls.minVersion !== undefined && !Object.values(TlsVersion).includes(tls.minVersion)) {
      fail(at('tls.minVersion'), tls.minVersion, `unknown TLS version; one of ${Object.values(TlsVersion).join(', ')}`);
    }
    if (tls.serverName !== undefined && (typeof tls.serverName !== 'string' || tls.serverName.trim() === '')) {
      fail(at('tls.serverName'), tls.serverName, 'a server name must be a non-empty host name');
    }
  }
}

/** Scheme, path, params, headers, TLS and credentials of a job: what Prometheus refuses, or silently breaks on. */
export function checkEndpoint(scope: Construct, spec: EndpointSpec): void {
  const at = (prop: string): Where => ({ scope, prop });
  if (spec.scheme !== undefined && !Object.values(Scheme).includes(spec.scheme)) {
    fail(at('scheme'), spec.scheme, 'the scheme must be Scheme.HTTP or Scheme.HTTPS');
  }
  if (spec.metricsPath !== undefined) {
    const path = spec.metricsPath;
    if (typeof path !== 'string' || !path.startsWith('/')) fail(at('metricsPath'), path, 'a metrics path must start with "/"');
    if (/[?#]/.test(path)) fail(at('metricsPath'), path, 'a metrics path carries no query or fragment; pass URL parameters with `params`');
  }
  for (const [name, values] of Object.entries(spec.params ?? {})) {
    if (name === '') fail(at('params'), name, 'a URL parameter needs a name');
    if (!Array.isArray(values) || values.length === 0 || values.some(v => typeof v !== 'string')) {
      fail(at(`params.${name}`), values, 'give a non-empty list of strings');
    }
  }
  checkHeaders(at('httpHeaders'), spec.httpHeaders);
  checkTls(scope, 'tls', spec.tls);
  const auth = spec.authorization;
  if (auth !== undefined) {
    if (!ScrapeAuthorization.isScrapeAuthorization(auth)) {
      fail(at('authorization'), auth, 'use ScrapeAuthorization.serviceAccountToken(), .bearerToken(), .basicAuthFromSecret(), .bearerTokenFile(), .basicAuth() or .none()');
    }
    if (auth.secret !== undefined) checkCredentialKey(at('authorization.secret'), auth.secret);
    if (auth.type !== AuthorizationType.NONE && auth.secret === undefined && auth.file === undefined) {
      fail(at('authorization'), auth.file, 'the credentials need a file: give the token or password file, or a SecretKey (bearerToken(), basicAuthFromSecret())');
    }
    checkAbsoluteFile(at('authorization'), auth.file);
    if (auth.type === AuthorizationType.BASIC && (typeof auth.username !== 'string' || auth.username === '')) {
      fail(at('authorization'), auth.username, 'basic auth needs a non-empty user name');
    }
    checkKeyNotSent(at('authorization'), auth.secret, spec.tls);
  }
}

/**
 * The one Secret key that must never also be a credential: the TLS client key. Sent as a token or
 * password, the private key would leave the pod in a request header.
 */
export function checkKeyNotSent(where: Where, credential: SecretKey | undefined, tls: ScrapeTlsOptions | undefined): void {
  const key = tls?.key;
  if (credential && key && credential.secretName === key.secretName && credential.key === key.key) {
    fail(where, `${key.secretName}/${key.key}`,
      'this Secret key is also the TLS client key (tls.key): sending it as a credential would leak the private key; give the credential its own key');
  }
}

/** Every Secret key a job's endpoint reads (TLS files and credentials). */
export function endpointSecrets(spec: EndpointSpec): SecretKey[] {
  const tls = spec.tls;
  return [tls?.ca, tls?.cert, tls?.key, spec.authorization?.secret].filter((s): s is SecretKey => s !== undefined);
}
