import { isIPv4, isIPv6 } from 'net';
import { checkLabelValue, checkWritableLabel, fail, NameValidationScheme, Where } from './validation';

/**
 * Fixed scrape targets (`static_configs`): the `host:port` form Prometheus dials, checked before
 * it reaches a config (a URL where a host is expected is the classic mistake).
 */

/** One fixed target of a `StaticScrape`. */
export interface StaticTarget {
  /**
   * `host:port`: a DNS name, an IPv4 address, or an IPv6 address in brackets
   * (`[fd00::1]:9100`). No scheme, no path (use the scrape's `scheme` and `metricsPath`).
   */
  readonly address: string;
  /**
   * Labels of this target's series (besides `job` and `instance`).
   * @default - none
   */
  readonly labels?: { [name: string]: string };
}

/**
 * One `static_configs` entry, as the renderer writes it.
 * @internal
 */
export interface StaticConfigSpec {
  readonly targets: string[];
  readonly labels?: Record<string, string>;
}

const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*\.?$/;

/** Checks a `host:port` target address. */
export function checkHostPort(where: Where, address: unknown): void {
  if (typeof address !== 'string' || address === '') fail(where, address, 'give a "host:port" string');
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(address)) {
    fail(where, address, 'give "host:port" without a scheme (set the scrape\'s scheme for https) and without a path (set metricsPath)');
  }
  if (/[/?#@\s]/.test(address)) {
    fail(where, address, 'give "host:port" only: no path, query, credentials or spaces (use metricsPath, params and authorization)');
  }
  let host: string;
  let port: string;
  const bracketed = /^\[([^\]]*)\]:(\d+)$/.exec(address);
  if (address.startsWith('[')) {
    if (!bracketed || !isIPv6(bracketed[1])) fail(where, address, 'an IPv6 target is "[address]:port", e.g. "[fd00::1]:9100"');
    [, host, port] = bracketed;
  } else {
    const i = address.lastIndexOf(':');
    if (i < 0) fail(where, address, 'a target needs a port: "host:port"');
    host = address.slice(0, i);
    port = address.slice(i + 1);
    if (host.includes(':')) {
      fail(where, address, isIPv6(host) || isIPv6(address)
        ? 'put an IPv6 address in brackets: "[address]:port", e.g. "[fd00::1]:9100"'
        : 'a target is "host:port" with a single colon (IPv6 addresses go in brackets)');
    }
    if (!isIPv4(host) && (!HOSTNAME.test(host) || /^[\d.]+$/.test(host))) {
      fail(where, address, 'the host must be a DNS name or an IP address');
    }
  }
  const n = Number(port);
  if (!/^\d{1,5}$/.test(port) || n < 1 || n > 65535) fail(where, address, 'the port must be a whole number between 1 and 65535');
}

/** Checks the targets of a static job and returns one `static_configs` entry per target. */
export function staticConfigs(
  scope: Where['scope'], prop: string, targets: unknown, nameScheme: NameValidationScheme,
): StaticConfigSpec[] {
  if (!Array.isArray(targets) || targets.length === 0) fail({ scope, prop }, targets, 'give at least one target ({ address: "host:port" })');
  const seen = new Set<string>();
  return targets.map((t: StaticTarget, i) => {
    const at = `${prop}[${i}]`;
    if (t === null || typeof t !== 'object') fail({ scope, prop: at }, t, 'a target is { address: "host:port", labels? }');
    checkHostPort({ scope, prop: `${at}.address` }, t.address);
    const key = t.address.toLowerCase();
    if (seen.has(key)) fail({ scope, prop: `${at}.address` }, t.address, 'this target is listed twice; give each address once');
    seen.add(key);
    if (t.labels !== undefined && (t.labels === null || typeof t.labels !== 'object' || Array.isArray(t.labels))) {
      fail({ scope, prop: `${at}.labels` }, t.labels, 'labels are a map of label names to values');
    }
    const labels = t.labels ? { ...t.labels } : undefined;
    for (const [name, value] of Object.entries(labels ?? {})) {
      checkWritableLabel({ scope, prop: `${at}.labels` }, name, nameScheme);
      if (name === 'job') fail({ scope, prop: `${at}.labels` }, name, 'the job label comes from the job (jobName or jobLabel)');
      if (name === '__address__') fail({ scope, prop: `${at}.labels` }, name, 'the address is the target\'s `address`');
      checkLabelValue({ scope, prop: `${at}.labels.${name}` }, value);
    }
    return { targets: [t.address], labels: labels && Object.keys(labels).length > 0 ? labels : undefined };
  });
}
