import { Duration, Yaml } from 'cdk8s';
import { compact, sortedBy } from './shared';
import { BlackboxModule, BlackboxModuleSpec, BlackboxProber } from '../model/blackbox-module';

/**
 * blackbox.yml: the one place that writes the exporter's configuration keys (snake_case).
 */

/** A Go `time.Duration` string: whole seconds as `5s`, anything finer in milliseconds. */
function goDuration(d: Duration): string {
  const ms = d.toMilliseconds();
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export function renderModule(m: BlackboxModuleSpec): Record<string, unknown> {
  const tlsConfig = m.insecureSkipVerify ? { insecure_skip_verify: true } : undefined;
  const probe = m.prober === BlackboxProber.HTTP
    ? compact({
      method: m.method,
      valid_status_codes: m.validStatusCodes,
      headers: m.headers,
      body: m.body,
      follow_redirects: m.followRedirects === false ? false : undefined,
      fail_if_ssl: m.failIfSsl || undefined,
      fail_if_not_ssl: m.failIfNotSsl || undefined,
      fail_if_body_matches_regexp: m.failIfBodyMatches,
      fail_if_body_not_matches_regexp: m.failIfBodyNotMatches,
      preferred_ip_protocol: m.preferredIpProtocol,
      tls_config: tlsConfig,
    })
    : compact({
      preferred_ip_protocol: m.preferredIpProtocol,
      tls: m.tls || undefined,
      tls_config: tlsConfig,
    });
  return compact({
    prober: m.prober,
    timeout: m.timeout ? goDuration(m.timeout) : undefined,
    [m.prober]: probe,
  });
}

/** The whole `blackbox.yml`, modules sorted by name. */
export function renderBlackboxConfig(modules: BlackboxModule[]): string {
  const sorted = sortedBy(modules, m => m.name);
  return Yaml.stringify({ modules: Object.fromEntries(sorted.map(m => [m.name, renderModule(m._spec)])) });
}

// ---------------------------------------------------------------------------------------------
// Validation of modules
// ---------------------------------------------------------------------------------------------
