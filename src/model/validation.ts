import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { RE2JS } from 're2js';

/**
 * Synth-time checks shared by every construct. Each check throws a `ValidationError` whose message
 * names the construct path, the prop as the user wrote it, the bad value and what is allowed.
 *
 * Nothing here is exported from the package entry point: it is the library's own machinery.
 */

// re2js is a bundled dependency: a pure-JS port of Go's regexp/syntax, the engine Prometheus uses.

/** Where a value came from: the construct and the prop, for error messages. */
export interface Where {
  readonly scope: IConstruct;
  readonly prop: string;
}

/** Throws an error naming the construct path and the prop. */
export function fail(where: Where, value: unknown, problem: string): never {
  throw new Error(`${where.scope.node.path}: invalid ${where.prop} ${show(value)}: ${problem}`);
}

/** Renders a bad value for a message: strings quoted, everything else as JSON. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Duration) {
    try {
      return `${value.toMilliseconds()}ms`;
    } catch {
      return JSON.stringify(value.toHumanString());
    }
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

// ---------------------------------------------------------------------------------------------
// Prometheus
// ---------------------------------------------------------------------------------------------

/** Label name syntax that Prometheus enforces; UTF-8 is the Prometheus 3 default. */
export enum NameValidationScheme {
  /** Any non-empty valid UTF-8 string (Prometheus 3 default). */
  UTF8 = 'utf8',
  /** `[a-zA-Z_][a-zA-Z0-9_]*`, the Prometheus 2 rule. */
  LEGACY = 'legacy',
}

const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Whether a JS string is valid UTF-8 once encoded (no lone surrogates). */
function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const n = s.charCodeAt(i + 1);
      if (!(n >= 0xdc00 && n <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

export function checkLabelName(where: Where, name: string, scheme: NameValidationScheme): void {
  if (typeof name !== 'string' || name.length === 0) {
    fail(where, name, 'a label name must be a non-empty string');
  }
  if (scheme === NameValidationScheme.LEGACY && !LEGACY_LABEL.test(name)) {
    fail(where, name, 'a label name must match [a-zA-Z_][a-zA-Z0-9_]* under the legacy validation scheme');
  }
  if (!isWellFormed(name)) fail(where, name, 'a label name must be valid UTF-8');
}

export function checkLabelValue(where: Where, value: string): void {
  if (typeof value !== 'string' || !isWellFormed(value)) {
    fail(where, value, 'a label value must be a valid UTF-8 string');
  }
}

/** Labels Prometheus itself reads during relabeling; a target label may set them. */
const SPECIAL_TARGET_LABELS = new Set([
  '__address__', '__scheme__', '__metrics_path__', '__scrape_interval__', '__scrape_timeout__', '__name__',
]);

/**
 * A label that begins with `__` is removed after relabeling and never reaches a series, except
 * the ones Prometheus reads (`__address__` ...), URL parameters (`__param_*`) and temporaries
 * (`__tmp*`), which are legitimate targets of a relabel rule.
 */
export function checkWritableLabel(where: Where, name: string, scheme: NameValidationScheme): void {
  checkLabelName(where, name, scheme);
  if (name.startsWith('__') && !SPECIAL_TARGET_LABELS.has(name)
    && !name.startsWith('__param_') && !name.startsWith('__tmp')) {
    fail(where, name, 'labels beginning with "__" are dropped after relabeling and never reach a series; '
      + 'use a name without the "__" prefix, or "__tmp_*" for a temporary');
  }
}

/** Compile results by pattern: the same preset regexes recur in every stack and every job. */
const compiled = new Map<string, { re: RE2JS; groups: number } | { error: string }>();

function compileRe2(pattern: string): { re: RE2JS; groups: number } | { error: string } {
  let result = compiled.get(pattern);
  if (result === undefined) {
    try {
      const re = RE2JS.compile(pattern);
      result = { re, groups: re.groupCount() };
    } catch (e: any) {
      result = { error: String(e.message) };
    }
    compiled.set(pattern, result);
  }
  return result;
}

/** Compiles a regex exactly as Prometheus does (`^(?s:` + re + `)$`, Go RE2 syntax). */
export function checkRegex(where: Where, regex: string): void {
  if (typeof regex !== 'string') fail(where, regex, 'a regex must be a string');
  const result = compileRe2(`^(?s:${regex})$`);
  if ('error' in result) {
    fail(where, regex, `not a valid RE2 regular expression (${result.error}); `
      + 'Prometheus uses Go RE2 syntax: no lookarounds and no backreferences');
  }
}

/** Whether a valid Prometheus regex matches the whole value (as a relabel rule would). */
export function regexMatches(regex: string, value: string): boolean {
  const result = compileRe2(`^(?s:${regex})$`);
  if ('error' in result) throw new Error(result.error);
  return result.re.matches(value);
}

/** Number of capture groups of a valid RE2 regex (compiled as Prometheus does: one compile per pattern). */
export function regexGroupCount(regex: string): number {
  const result = compileRe2(`^(?s:${regex})$`);
  if ('error' in result) throw new Error(result.error);
  return result.groups;
}

/**
 * `$1_suffix` means the group named `1_suffix` in Go's template expansion, not group 1 followed
 * by `_suffix`: Prometheus silently substitutes an empty string.
 */
export function checkReplacement(where: Where, replacement: string): void {
  if (typeof replacement !== 'string') fail(where, replacement, 'a replacement is a string');
  // Tokens as Go's Regexp.Expand reads them: `$$` is a literal `$`.
  for (const m of replacement.matchAll(/\$(?:(\$)|\{(\w+)\}|(\w*))/g)) {
    if (m[1] !== undefined) continue;
    const bare = m[3];
    if (bare !== undefined && /^\d+[A-Za-z_]/.test(bare)) {
      const digits = /^\d+/.exec(bare)![0];
      fail(where, replacement, `"$${bare}" is read as the group named "${bare}"; write "\${${digits}}${bare.slice(digits.length)}"`);
    }
    if (bare === '' && replacement[m.index! + 1] === '<') {
      fail(where, replacement, 'Go templates have no $<name>: write ${name} (or $$ for a literal "$")');
    }
  }
}

/** Renders a cdk8s Duration in Prometheus syntax (`1h30m`, `15s`, `500ms`). */
export function promDuration(d: Duration): string {
  let ms = d.toMilliseconds();
  if (ms === 0) return '0s';
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(ms / size);
    if (n > 0) {
      out += `${n}${unit}`;
      ms -= n * size;
    }
  }
  return out;
}

/** A positive, whole-millisecond duration. */
export function checkPositiveDuration(where: Where, d: Duration): void {
  let ms: number;
  try {
    ms = d.toMilliseconds();
  } catch (e: any) {
    fail(where, d, `not a duration (${e.message})`);
  }
  if (!Number.isFinite(ms) || ms <= 0 || !Number.isInteger(ms)) {
    fail(where, d, 'must be a positive whole number of milliseconds');
  }
}

/** A non-negative integer (sample_limit, label_limit...). */
export function checkNonNegativeInteger(where: Where, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) fail(where, n, 'must be a whole number >= 0');
}

/**
 * An HTTP request header: a token name and a single-line value. `where` names the prop holding
 * the headers (`httpHeaders`, `headers`); the value's error names the header too.
 */
export function checkHttpHeader(where: Where, name: string, value: string): void {
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) fail(where, name, 'not a valid HTTP header name');
  if (typeof value !== 'string' || /[\r\n]/.test(value)) {
    fail({ scope: where.scope, prop: `${where.prop}.${name}` }, value, 'a header value is a single-line string');
  }
}

// ---------------------------------------------------------------------------------------------
// Kubernetes
// ---------------------------------------------------------------------------------------------

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Namespace names, container names: RFC 1123 labels. */
export function checkDns1123Label(where: Where, name: string): void {
  if (typeof name !== 'string' || !DNS1123_LABEL.test(name) || name.length > 63) {
    fail(where, name, 'must be a lowercase RFC 1123 label: at most 63 characters of a-z, 0-9 and "-", '
      + 'starting and ending with a letter or digit');
  }
}

/** Names of most objects (Secrets, PriorityClasses ...): RFC 1123 subdomains, at most 253 characters. */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export function checkDns1123Subdomain(where: Where, name: string): void {
  if (typeof name !== 'string' || name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    fail(where, name, 'must be a lowercase RFC 1123 subdomain: at most 253 characters of a-z, 0-9, "-" and ".", '
      + 'starting and ending with a letter or digit');
  }
}

/** Service names: RFC 1035 labels, at most `maxLength` characters. */
export function checkDns1035Label(where: Where, name: string, maxLength = 63): void {
  if (typeof name !== 'string' || !DNS1035_LABEL.test(name) || name.length > maxLength) {
    fail(where, name, `must be a lowercase RFC 1035 label: at most ${maxLength} characters of a-z, 0-9 and "-", `
      + 'starting with a letter and ending with a letter or digit');
  }
}

/** Container and Service port names (IANA_SVC_NAME). */
export function checkPortName(where: Where, name: string): void {
  const problems: string[] = [];
  if (typeof name !== 'string' || name.length === 0) {
    problems.push('must not be empty');
  } else {
    if (name.length > 15) problems.push('must be no more than 15 characters');
    if (!/^[-a-z0-9]+$/.test(name)) problems.push('must contain only a-z, 0-9 and "-"');
    if (!/[a-z]/.test(name)) problems.push('must contain at least one letter (a-z)');
    if (name.includes('--')) problems.push('must not contain consecutive hyphens');
    if (name.startsWith('-') || name.endsWith('-')) problems.push('must not begin or end with a hyphen');
  }
  if (problems.length > 0) fail(where, name, `a port name (IANA service name) ${problems.join(', ')}`);
}

export function checkPort(where: Where, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(where, port, 'must be a whole number between 1 and 65535');
}

const LABEL_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Kubernetes label keys: optional DNS subdomain prefix and a name of at most 63 characters. */
export function checkK8sLabelKey(where: Where, key: string): void {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (!LABEL_NAME_PART.test(name) || name.length > 63) {
    fail(where, key, 'a label key name part must be at most 63 characters of alphanumerics, "-", "_" or ".", '
      + 'starting and ending with an alphanumeric character');
  }
  if (prefix !== undefined && (prefix.length > 253 || !prefix.split('.').every(p => DNS1123_LABEL.test(p)))) {
    fail(where, key, 'a label key prefix must be a lowercase DNS subdomain');
  }
}

export function checkK8sLabelValue(where: Where, value: string): void {
  if (value !== '' && (!LABEL_NAME_PART.test(value) || value.length > 63)) {
    fail(where, value, 'a label value must be empty or at most 63 characters of alphanumerics, "-", "_" or ".", '
      + 'starting and ending with an alphanumeric character');
  }
}

/**
 * The group references of a Go regexp template (`$1`, `${1}`, `$name`, `${name}`), as
 * `Regexp.Expand` reads them; `$$` is a literal `$`.
 */
export function templateRefs(template: string): string[] {
  const refs: string[] = [];
  for (const m of template.matchAll(/\$(?:(\$)|\{(\w+)\}|(\w+))/g)) {
    if (m[1] === undefined) refs.push(m[2] ?? m[3]);
  }
  return refs;
}

/** `value` as an absolute http(s) URL with a host, or undefined (anything else, any type). */
export function parseHttpUrl(value: unknown): URL | undefined {
  try {
    const url = typeof value === 'string' ? new URL(value) : undefined;
    return url && ['http:', 'https:'].includes(url.protocol) && url.hostname !== '' ? url : undefined;
  } catch {
    return undefined;
  }
}
