/**
 * The Prometheus web UI and API as users reach them: the external URL and route prefix, and an
 * opt-in Ingress whose controller the NetworkPolicy admits.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ComponentMeta } from '../components/component';
import { checkDns1123Label, checkDns1123Subdomain, checkK8sLabelKey, checkK8sLabelValue, DNS1123_SUBDOMAIN, fail, Where } from '../model/validation';

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
    let parsed: URL | undefined;
    try {
      parsed = typeof u === 'string' ? new URL(u) : undefined;
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || !['http:', 'https:'].includes(parsed.protocol) || parsed.hostname === ''
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
