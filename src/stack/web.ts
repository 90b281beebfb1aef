/**
 * The Prometheus web UI and API as users reach them: the external URL and route prefix, and an
 * opt-in Ingress whose controller the NetworkPolicy admits.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { WEB_PORT } from './constants';
import { ComponentMeta } from '../components/component';
import { EndpointSpec, Scheme, ScrapeAuthorization } from '../model/endpoint';
import { checkCredentialKey, checkSecretKey, SecretKey } from '../model/secret';
import { checkDns1123Label, checkDns1123Subdomain, checkK8sLabelKey, checkK8sLabelValue, DNS1123_SUBDOMAIN, fail, parseHttpUrl, Where } from '../model/validation';
import { renderWebConfigScript } from '../render/web-config';

/** An Ingress in front of the Prometheus web UI and API. */
export interface PrometheusIngressOptions {
  /** Host name the Ingress serves (a DNS name; a leading `*.` for a wildcard). */
  readonly host: string;
  /**
   * Namespace of the ingress controller's pods: the stack's NetworkPolicy admits them to the web
   * port (by default it admits only the stack's own namespace, so the controller's requests
   * would be dropped).
   */
  readonly controllerNamespace: string;
  /**
   * Labels of the ingress controller's pods in `controllerNamespace` (narrows the NetworkPolicy peer).
   * @default - every pod of `controllerNamespace`
   */
  readonly controllerPodLabels?: { [key: string]: string };
  /**
   * Path prefix routed to Prometheus (`pathType: Prefix`).
   * @default - the route prefix (`webRoutePrefix`, else the path of `webExternalUrl`), else "/"
   */
  readonly path?: string;
  /**
   * `spec.ingressClassName`.
   * @default - the cluster's default IngressClass
   */
  readonly className?: string;
  /**
   * Name of a `kubernetes.io/tls` Secret in the stack's namespace: the controller terminates TLS
   * for `host` with it.
   * @default - no TLS section (plain HTTP, or the controller's default certificate)
   */
  readonly tlsSecretName?: string;
  /**
   * Extra annotations of the Ingress (controller settings such as auth or rate limits).
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
}

/** What the stack decided about its web server, checked. */
export interface WebSpec {
  /** `--web.external-url`, if any. */
  readonly externalUrl?: string;
  /** `--web.route-prefix`, if given. */
  readonly routePrefix?: string;
  /** The prefix Prometheus serves under: "/" or "/x" (no trailing "/"). */
  readonly prefix: string;
  readonly ingress?: PrometheusIngressOptions;
}

/** A path under the prefix: `webPath('/x', '/-/ready')` is `/x/-/ready`. */
export function webPath(prefix: string, path: string): string {
  return prefix === '/' ? path : `${prefix}${path}`;
}

/** Prometheus's own normalisation of the route prefix: "/" + the prefix without leading or trailing "/". */
function normalPrefix(p: string): string {
  return `/${p.replace(/^\/+|\/+$/g, '')}`;
}

const URL_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const INGRESS_PATH = /^\/[A-Za-z0-9\-._~/]*$/;

function checkPathSegments(where: Where, path: string, problem: string): void {
  if (/\/\/|\/\.\.?(\/|$)/.test(path)) fail(where, path, problem);
}

/** Checks the web props of the stack and returns what Prometheus will serve. */
export function checkWeb(scope: Construct, props: { webExternalUrl?: string; webRoutePrefix?: string; ingress?: PrometheusIngressOptions }): WebSpec {
  const where = (prop: string): Where => ({ scope, prop });
  let externalPath: string | undefined;
  if (props.webExternalUrl !== undefined) {
    const u = props.webExternalUrl;
    const parsed = parseHttpUrl(u);
    if (parsed === undefined
      || parsed.search !== '' || parsed.hash !== '' || parsed.username !== '' || parsed.password !== '' || /^\s|\s$|^["']|["']$/.test(u)) {
      fail(where('webExternalUrl'), u, 'an absolute http:// or https:// URL with a host, without credentials, query or fragment (e.g. "https://prometheus.example.com/")');
    }
    externalPath = parsed.pathname;
  }
  if (props.webRoutePrefix !== undefined) {
    const p = props.webRoutePrefix;
    const problem = 'a URL path starting with "/" (e.g. "/prometheus"), without query, fragment, "//", "." or ".." segments';
    if (typeof p !== 'string' || !URL_PATH.test(p)) fail(where('webRoutePrefix'), p, problem);
    checkPathSegments(where('webRoutePrefix'), p, problem);
  }
  const prefix = normalPrefix(props.webRoutePrefix ?? externalPath ?? '/');

  const ingress = props.ingress === undefined ? undefined : { ...props.ingress };
  if (ingress !== undefined) {
    const at = (prop: string) => where(`ingress.${prop}`);
    if (typeof ingress.host !== 'string' || ingress.host.length > 253 || !DNS1123_SUBDOMAIN.test(ingress.host.replace(/^\*\./, ''))
      || !/[a-z]/.test(ingress.host.split('.').pop() ?? '')) {
      fail(at('host'), ingress.host, 'a DNS name of lowercase letters, digits, "-" and "." (a leading "*." for a wildcard), not an IP address');
    }
    checkDns1123Label(at('controllerNamespace'), ingress.controllerNamespace);
    for (const [k, v] of Object.entries(ingress.controllerPodLabels ?? {})) {
      checkK8sLabelKey(at(`controllerPodLabels.${k}`), k);
      checkK8sLabelValue(at(`controllerPodLabels.${k}`), v);
    }
    if (ingress.path !== undefined) {
      const problem = 'a path starting with "/" of letters, digits and "-._~/", without "//", "." or ".." segments';
      if (typeof ingress.path !== 'string' || !INGRESS_PATH.test(ingress.path)) fail(at('path'), ingress.path, problem);
      checkPathSegments(at('path'), ingress.path, problem);
    }
    if (ingress.className !== undefined) checkDns1123Subdomain(at('className'), ingress.className);
    if (ingress.tlsSecretName !== undefined) checkDns1123Subdomain(at('tlsSecretName'), ingress.tlsSecretName);
    for (const [k, v] of Object.entries(ingress.annotations ?? {})) {
      checkK8sLabelKey(at(`annotations.${k}`), k);
      if (typeof v !== 'string') fail(at(`annotations.${k}`), v, 'an annotation value is a string');
      if (k.startsWith('prometheus.cdk8s.io/')) fail(at(`annotations.${k}`), k, 'prometheus.cdk8s.io/* annotations are the library\'s; pick another key');
    }
    Object.assign(ingress, {
      controllerPodLabels: ingress.controllerPodLabels && { ...ingress.controllerPodLabels },
      annotations: ingress.annotations && { ...ingress.annotations },
    });
  }
  // Links in the UI and alerts' generatorURL point at the Ingress unless the user says otherwise.
  // (Not for a wildcard host, or a path the controller rewrites: the URL is unknown then.)
  const derived = ingress !== undefined && !ingress.host.startsWith('*.') && (ingress.path === undefined || normalPrefix(ingress.path) === prefix);
  const externalUrl = props.webExternalUrl
    ?? (derived ? `${ingress!.tlsSecretName ? 'https' : 'http'}://${ingress!.host}${prefix === '/' ? '/' : prefix}` : undefined);
  return { externalUrl, routePrefix: props.webRoutePrefix === undefined ? undefined : prefix, prefix, ingress };
}

/** The `--web.*` flags for the URL and prefix. */
export function webArgs(web: WebSpec): string[] {
  return [
    ...(web.externalUrl !== undefined ? [`--web.external-url=${web.externalUrl}`] : []),
    ...(web.routePrefix !== undefined ? [`--web.route-prefix=${web.routePrefix}`] : []),
  ];
}

/** The NetworkPolicy peer of the ingress controller's pods. */
export function ingressControllerPeer(ingress: PrometheusIngressOptions): k8s.NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ingress.controllerNamespace } },
    podSelector: ingress.controllerPodLabels && Object.keys(ingress.controllerPodLabels).length > 0
      ? { matchLabels: { ...ingress.controllerPodLabels } } : {},
  };
}

/** The Ingress to the stack's Service (port `web`). */
export function prometheusIngress(scope: Construct, meta: ComponentMeta, serviceName: string, web: WebSpec): k8s.KubeIngress | undefined {
  const ingress = web.ingress;
  if (ingress === undefined) return undefined;
  const annotations = ingress.annotations && Object.keys(ingress.annotations).length > 0 ? { ...ingress.annotations } : undefined;
  return new k8s.KubeIngress(scope, 'Ingress', {
    metadata: meta.meta({ annotations }),
    spec: {
      ingressClassName: ingress.className,
      tls: ingress.tlsSecretName ? [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }] : undefined,
      rules: [{
        host: ingress.host,
        http: {
          paths: [{
            path: ingress.path ?? web.prefix,
            pathType: 'Prefix',
            backend: { service: { name: serviceName, port: { name: 'web' } } },
          }],
        },
      }],
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Prometheus's own TLS and basic auth (--web.config.file)

/** Prometheus serves its web UI and API over TLS with a certificate from a Secret. */
export interface PrometheusWebTlsOptions {
  /** The certificate (PEM, with its chain) in a Secret of the stack's namespace, e.g. `SecretKey.of('prometheus-tls', 'tls.crt')`. */
  readonly cert: SecretKey;
  /** Its private key, e.g. `SecretKey.of('prometheus-tls', 'tls.key')`. */
  readonly key: SecretKey;
  /**
   * A DNS name the certificate is issued for. Clients in the pod (the self-scrape, the exec
   * probes with basic auth) connect to localhost, pin the certificate itself as their only CA
   * and check it for this name.
   */
  readonly serverName: string;
}

/**
 * Prometheus asks for HTTP basic auth on every endpoint of its web UI and API (also the probes'
 * and the self-scrape's).
 */
export interface PrometheusWebBasicAuthOptions {
  /** The user name (letters, digits, ".", "_", "-", "@"). */
  readonly username: string;
  /**
   * The bcrypt hash of the password (`$2a$`, `$2b$` or `$2y$`, e.g. from `htpasswd -nbBC 10 "" <password>`),
   * in a Secret of the stack's namespace. An init container writes it into the web config file;
   * it never reaches a ConfigMap. Restart the pods after rotating it.
   */
  readonly passwordHash: SecretKey;
  /**
   * The plain password, in a Secret of the stack's namespace: the clients in the pod (the
   * self-scrape, the probes) send it. Required: without it the self-scrape and the probes could
   * not log in.
   */
  readonly password: SecretKey;
}

/** The checked web config of the stack. */
export interface WebConfigSpec {
  readonly tls?: PrometheusWebTlsOptions;
  readonly basicAuth?: PrometheusWebBasicAuthOptions;
}

/** The emptyDir the init container writes web.yml (and the in-pod clients' client.yml) into. */
export const WEB_CONFIG_DIR = '/etc/prometheus/web';
/** Where the init container reads the password hash. */
const WEB_HASH_DIR = '/etc/prometheus/web-hash';

const USERNAME = /^[A-Za-z0-9._@-]+$/;

/** Checks `webTls` and `webBasicAuth`. */
export function checkWebConfig(scope: Construct,
  props: { webTls?: PrometheusWebTlsOptions; webBasicAuth?: PrometheusWebBasicAuthOptions }): WebConfigSpec {
  const where = (prop: string): Where => ({ scope, prop });
  let tls: PrometheusWebTlsOptions | undefined;
  if (props.webTls !== undefined) {
    tls = { ...props.webTls };
    checkSecretKey(where('webTls.cert'), tls.cert);
    checkCredentialKey(where('webTls.key'), tls.key);
    if (typeof tls.serverName !== 'string' || tls.serverName.length > 253 || !DNS1123_SUBDOMAIN.test(tls.serverName)) {
      fail(where('webTls.serverName'), tls.serverName, 'a DNS name the certificate is issued for (lowercase letters, digits, "-" and ".")');
    }
  }
  let basicAuth: PrometheusWebBasicAuthOptions | undefined;
  if (props.webBasicAuth !== undefined) {
    basicAuth = { ...props.webBasicAuth };
    if (typeof basicAuth.username !== 'string' || !USERNAME.test(basicAuth.username) || basicAuth.username.length > 128) {
      fail(where('webBasicAuth.username'), basicAuth.username, 'at most 128 letters, digits, ".", "_", "-" and "@"');
    }
    checkCredentialKey(where('webBasicAuth.passwordHash'), basicAuth.passwordHash);
    checkCredentialKey(where('webBasicAuth.password'), basicAuth.password);
    if (basicAuth.password.secretName === basicAuth.passwordHash.secretName && basicAuth.password.key === basicAuth.passwordHash.key) {
      fail(where('webBasicAuth.password'), `${basicAuth.password.secretName}/${basicAuth.password.key}`,
        'the plain password and its bcrypt hash are two keys; give the hash as passwordHash and the password itself as password');
    }
  }
  return { tls, basicAuth };
}

/** Whether Prometheus runs with a web config file. */
export function hasWebConfig(c: WebConfigSpec): boolean {
  return c.tls !== undefined || c.basicAuth !== undefined;
}

/** The Secret keys the Prometheus container reads (the hash is the init container's only). */
export function webConfigSecrets(c: WebConfigSpec): SecretKey[] {
  return [...(c.tls ? [c.tls.cert, c.tls.key] : []), ...(c.basicAuth ? [c.basicAuth.password] : [])];
}

/** How the self-scrape reaches Prometheus: scheme, TLS and credentials. */
export function selfScrapeEndpoint(c: WebConfigSpec): EndpointSpec {
  return {
    scheme: c.tls ? Scheme.HTTPS : undefined,
    tls: c.tls ? { ca: c.tls.cert, serverName: c.tls.serverName } : undefined,
    authorization: c.basicAuth ? ScrapeAuthorization.basicAuthFromSecret(c.basicAuth.username, c.basicAuth.password) : undefined,
  };
}

/**
 * The init container's script (rendered in render/web-config.ts, the one place that writes these
 * files' keys).
 */
export function webConfigScript(c: WebConfigSpec): string {
  return renderWebConfigScript(c, { config: WEB_CONFIG_DIR, hash: WEB_HASH_DIR });
}

/** The init container's extra volume (the hash's Secret, only that key) and its mount. */
export function webHashVolume(c: WebConfigSpec): { volume: k8s.Volume; mount: k8s.VolumeMount } | undefined {
  if (!c.basicAuth) return undefined;
  const h = c.basicAuth.passwordHash;
  return {
    volume: { name: 'web-password-hash', secret: { secretName: h.secretName, defaultMode: 0o440, items: [{ key: h.key, path: h.key }] } },
    mount: { name: 'web-password-hash', mountPath: WEB_HASH_DIR, readOnly: true },
  };
}

/** The container's probes: httpGet (HTTPS with TLS) without basic auth; promtool exec probes with it. */
export function webProbe(web: WebSpec, c: WebConfigSpec, check: 'ready' | 'healthy', timing: Omit<k8s.Probe, 'httpGet' | 'exec'>): k8s.Probe {
  const path = webPath(web.prefix, check === 'ready' ? '/-/ready' : '/-/healthy');
  if (c.basicAuth) {
    // The kubelet's httpGet cannot send credentials without writing them into the pod spec:
    // promtool (in the image) asks the same endpoint with the password file instead.
    const url = `${c.tls ? 'https' : 'http'}://localhost:${WEB_PORT}${web.prefix === '/' ? '' : web.prefix}`;
    return {
      exec: { command: ['/bin/promtool', 'check', check, `--url=${url}`, `--http.config.file=${WEB_CONFIG_DIR}/client.yml`] },
      ...timing,
      timeoutSeconds: Math.max(timing.timeoutSeconds ?? 1, 5),
    };
  }
  return { httpGet: { path, port: k8s.IntOrString.fromString('web'), scheme: c.tls ? 'HTTPS' : undefined }, ...timing };
}
