/**
 * The web configuration files of Prometheus's own HTTP server: `web.yml` (exporter-toolkit's
 * format) and `client.yml` (prometheus/common's HTTP client format, for the in-pod probes),
 * written by the stack's init container from the mounted Secret files. The one place that writes
 * their keys.
 */
import { PROMETHEUS_SECRETS_DIR, SecretKey, secretFilePath } from '../model/secret';

/** What the script needs of the stack's web TLS and basic-auth settings. */
export interface WebConfigInput {
  readonly tls?: { readonly cert: SecretKey; readonly key: SecretKey; readonly serverName?: string };
  readonly basicAuth?: { readonly username: string; readonly passwordHash: SecretKey; readonly password: SecretKey };
}

const sq = (s: string) => `'${s.replace(/'/g, '\'\\\'\'')}'`;

/**
 * The init container's script: composes `web.yml` (exporter-toolkit's format, which takes the
 * bcrypt hash only inline) from the mounted Secret files, and `client.yml` (prometheus/common's
 * HTTP client format) for the exec probes. Refuses a hash that is not bcrypt.
 */
export function renderWebConfigScript(c: WebConfigInput, dirs: { readonly config: string; readonly hash: string }): string {
  const file = (k: SecretKey) => secretFilePath(PROMETHEUS_SECRETS_DIR, k);
  const web: string[] = [];
  const client: string[] = [];
  if (c.tls) {
    web.push('tls_server_config:', `  cert_file: ${file(c.tls.cert)}`, `  key_file: ${file(c.tls.key)}`);
    client.push('tls_config:', `  ca_file: ${file(c.tls.cert)}`, `  server_name: ${c.tls.serverName}`);
  }
  const lines = ['set -eu', 'umask 077'];
  if (c.basicAuth) {
    const hashFile = `${dirs.hash}/${c.basicAuth.passwordHash.key}`;
    const what = `Secret ${c.basicAuth.passwordHash.secretName}, key ${c.basicAuth.passwordHash.key}`;
    client.push('basic_auth:', `  username: '${c.basicAuth.username}'`, `  password_file: ${file(c.basicAuth.password)}`);
    lines.push(
      `hash=$(cat ${sq(hashFile)})`,
      'case $hash in',
      '  \'$2a$\'*|\'$2b$\'*|\'$2y$\'*) ;;',
      `  *) echo ${sq(`web-config: ${what} holds no bcrypt hash (it must start with $2a$, $2b$ or $2y$)`)} >&2; exit 1 ;;`,
      'esac',
      'case $hash in',
      `  *[!./0-9A-Za-z$]*) echo ${sq(`web-config: ${what}: a bcrypt hash has only the characters ./0-9A-Za-z$`)} >&2; exit 1 ;;`,
      'esac',
    );
  }
  lines.push('{');
  if (web.length > 0) lines.push(`  printf '%s\\n' ${web.map(sq).join(' ')}`);
  if (c.basicAuth) lines.push(`  printf 'basic_auth_users:\\n  %s: %s\\n' ${sq(`'${c.basicAuth.username}'`)} "'$hash'"`);
  lines.push(`} > ${dirs.config}/web.yml.tmp`);
  lines.push(`printf '%s\\n' ${(client.length > 0 ? client : ['{}']).map(sq).join(' ')} > ${dirs.config}/client.yml.tmp`);
  lines.push(`mv ${dirs.config}/web.yml.tmp ${dirs.config}/web.yml`, `mv ${dirs.config}/client.yml.tmp ${dirs.config}/client.yml`);
  return lines.join('\n') + '\n';
}

