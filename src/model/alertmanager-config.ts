/**
 * The typed Alertmanager configuration: matchers, the route tree, receivers, inhibit rules, time
 * intervals, global options and templates, and the checks that refuse at synth what Alertmanager
 * 0.35's loader (config/config.go, notify/<integration>/config.go) would refuse, plus the silent
 * traps. Rendering is `render/alertmanager-config.ts`.
 *
 * Secrets are `SecretKey`s only: each is mounted and rendered as the integration's `*_file` field.
 * Every integration offered here has a `_file` variant for each of its secrets, so nothing is ever
 * written inline.
 */
import { Duration } from 'cdk8s';
import { brand, hasBrand } from './brand';
import { checkSecretKey, SecretKey } from './secret';
import { checkLabelName, checkLabelValue, checkPositiveDuration, checkRegex, fail, NameValidationScheme, parseHttpUrl, Where } from './validation';

/** How a matcher compares a label with its value. */
export enum MatchOperator {
  /** `=`: the label equals the value. */
  EQUAL = '=',
  /** `!=`: the label differs from the value. */
  NOT_EQUAL = '!=',
  /** `=~`: the label matches the RE2 regex (anchored). */
  REGEX = '=~',
  /** `!~`: the label does not match the RE2 regex (anchored). */
  NOT_REGEX = '!~',
}

/** One label matcher (`name="value"`, `name=~"regex"` ...) of a route, inhibit rule or silence. */
export class AlertMatcher {
  /** Whether `x` is an AlertMatcher, made by any copy of this library. */
  public static isAlertMatcher(x: any): x is AlertMatcher {
    return hasBrand(x, 'AlertMatcher');
  }

  /** `name="value"`. */
  public static equal(name: string, value: string): AlertMatcher {
    return new AlertMatcher(name, MatchOperator.EQUAL, value);
  }

  /** `name!="value"`. */
  public static notEqual(name: string, value: string): AlertMatcher {
    return new AlertMatcher(name, MatchOperator.NOT_EQUAL, value);
  }

  /** `name=~"regex"` (RE2, anchored at both ends). */
  public static regex(name: string, regex: string): AlertMatcher {
    return new AlertMatcher(name, MatchOperator.REGEX, regex);
  }

  /** `name!~"regex"` (RE2, anchored at both ends). */
  public static notRegex(name: string, regex: string): AlertMatcher {
    return new AlertMatcher(name, MatchOperator.NOT_REGEX, regex);
  }

  private constructor(private readonly _name: string, private readonly _operator: MatchOperator, private readonly _value: string) {}

  /** The label name. */
  public get name(): string {
    return this._name;
  }

  /** The operator. */
  public get operator(): MatchOperator {
    return this._operator;
  }

  /** The value or regex. */
  public get value(): string {
    return this._value;
  }
}
brand(AlertMatcher, 'AlertMatcher');

/** A node of the routing tree. The root route takes every alert: it has a receiver and no matchers. */
export interface AlertmanagerRoute {
  /**
   * The receiver of the alerts this route takes. Required on the root route.
   * @default - the parent route's
   */
  readonly receiver?: string;
  /**
   * The alerts this route takes (all must match). Not allowed on the root route.
   * @default - every alert that reaches it
   */
  readonly matchers?: AlertMatcher[];
  /**
   * Labels that group alerts into one notification; `['...']` groups by every label.
   * @default - the parent route's (the root: no grouping, one group)
   */
  readonly groupBy?: string[];
  /**
   * How long to wait before the first notification of a new group.
   * @default - the parent route's (root: 30s)
   */
  readonly groupWait?: Duration;
  /**
   * How long to wait before notifying about new alerts of a group already notified.
   * @default - the parent route's (root: 5m)
   */
  readonly groupInterval?: Duration;
  /**
   * How long to wait before repeating a notification.
   * @default - the parent route's (root: 4h)
   */
  readonly repeatInterval?: Duration;
  /**
   * Keep matching the following sibling routes after this one matched (`continue`). Not allowed
   * on the root route.
   * @default false
   */
  readonly continueMatching?: boolean;
  /**
   * Time intervals (names from `timeIntervals`) during which the route sends nothing.
   * @default - none
   */
  readonly muteTimeIntervals?: string[];
  /**
   * Time intervals (names from `timeIntervals`) outside of which the route sends nothing.
   * @default - always active
   */
  readonly activeTimeIntervals?: string[];
  /**
   * Child routes, tried in order.
   * @default - none
   */
  readonly routes?: AlertmanagerRoute[];
}

/** Options every integration of a receiver takes. */
export interface AlertmanagerNotifierOptions {
  /**
   * Notify when the alerts of a group are resolved.
   * @default - Alertmanager's per-integration default (true for webhook, PagerDuty, Opsgenie, Teams; false for email, Slack)
   */
  readonly sendResolved?: boolean;
}

/** A webhook integration (`webhook_configs`). */
export interface WebhookReceiverOptions extends AlertmanagerNotifierOptions {
  /**
   * The URL, when it carries no secret (an in-cluster service). A URL with credentials or a
   * query string is refused: give it as `urlSecret`.
   * @default - none; one of `url` and `urlSecret` is required
   */
  readonly url?: string;
  /**
   * The Secret key holding the URL (`url_file`).
   * @default - none; one of `url` and `urlSecret` is required
   */
  readonly urlSecret?: SecretKey;
  /**
   * A bearer token sent in the Authorization header (`http_config.authorization.credentials_file`).
   * @default - none
   */
  readonly bearerToken?: SecretKey;
  /**
   * The most alerts sent in one request; 0 sends all.
   * @default 0
   */
  readonly maxAlerts?: number;
  /**
   * Request timeout.
   * @default - none (Alertmanager's notification timeout)
   */
  readonly timeout?: Duration;
}

/** An email integration (`email_configs`). */
export interface EmailReceiverOptions extends AlertmanagerNotifierOptions {
  /** Recipient address(es), comma-separated. */
  readonly to: string;
  /**
   * Sender address.
   * @default - the global `smtpFrom`
   */
  readonly from?: string;
  /**
   * SMTP server, `host:port`.
   * @default - the global `smtpSmarthost`
   */
  readonly smarthost?: string;
  /**
   * SMTP user name.
   * @default - the global `smtpAuthUsername`
   */
  readonly authUsername?: string;
  /**
   * SMTP password (`auth_password_file`).
   * @default - the global `smtpAuthPassword`
   */
  readonly authPassword?: SecretKey;
  /**
   * Require STARTTLS.
   * @default - the global `smtpRequireTls` (true)
   */
  readonly requireTls?: boolean;
}

/** A Slack integration (`slack_configs`), through an incoming webhook URL. */
export interface SlackReceiverOptions extends AlertmanagerNotifierOptions {
  /**
   * The Secret key holding the incoming webhook URL (`api_url_file`).
   * @default - the global `slackApiUrl`
   */
  readonly apiUrl?: SecretKey;
  /**
   * Channel (`#name`) or user (`@name`).
   * @default - the webhook's
   */
  readonly channel?: string;
  /**
   * Message title (template).
   * @default - Alertmanager's default template
   */
  readonly title?: string;
  /**
   * Message text (template).
   * @default - Alertmanager's default template
   */
  readonly text?: string;
}

/** A PagerDuty integration (`pagerduty_configs`). */
export interface PagerDutyReceiverOptions extends AlertmanagerNotifierOptions {
  /**
   * Events API v2 integration key (`routing_key_file`).
   * @default - none; one of `routingKey` and `serviceKey` is required
   */
  readonly routingKey?: SecretKey;
  /**
   * Events API v1 (Prometheus integration) service key (`service_key_file`).
   * @default - none; one of `routingKey` and `serviceKey` is required
   */
  readonly serviceKey?: SecretKey;
  /**
   * Events API URL.
   * @default - the global `pagerdutyUrl`
   */
  readonly url?: string;
  /**
   * Severity of the event (template).
   * @default "error"
   */
  readonly severity?: string;
  /**
   * Description of the incident (template).
   * @default - Alertmanager's default template
   */
  readonly description?: string;
}

/** An Opsgenie integration (`opsgenie_configs`). */
export interface OpsgenieReceiverOptions extends AlertmanagerNotifierOptions {
  /**
   * API key (`api_key_file`).
   * @default - the global `opsgenieApiKey`
   */
  readonly apiKey?: SecretKey;
  /**
   * API URL.
   * @default - the global `opsgenieApiUrl`
   */
  readonly apiUrl?: string;
  /**
   * Alert message (template).
   * @default - Alertmanager's default template
   */
  readonly message?: string;
  /**
   * Priority, `P1` to `P5` (or a template).
   * @default - Opsgenie's (P3)
   */
  readonly priority?: string;
  /**
   * Comma-separated tags (template).
   * @default - none
   */
  readonly tags?: string;
}

/** A Microsoft Teams integration through a Workflows (Power Automate) webhook (`msteamsv2_configs`). */
export interface MsTeamsReceiverOptions extends AlertmanagerNotifierOptions {
  /** The Secret key holding the webhook URL (`webhook_url_file`). */
  readonly webhookUrl: SecretKey;
  /**
   * Message title (template).
   * @default - Alertmanager's default template
   */
  readonly title?: string;
  /**
   * Message text (template).
   * @default - Alertmanager's default template
   */
  readonly text?: string;
}

/** A named receiver: where the alerts of a route go. Without integrations it drops them. */
export interface AlertmanagerReceiver {
  /** Unique name, referenced by routes. */
  readonly name: string;
  /** @default - none */
  readonly webhooks?: WebhookReceiverOptions[];
  /** @default - none */
  readonly emails?: EmailReceiverOptions[];
  /** @default - none */
  readonly slack?: SlackReceiverOptions[];
  /** @default - none */
  readonly pagerDuty?: PagerDutyReceiverOptions[];
  /** @default - none */
  readonly opsgenie?: OpsgenieReceiverOptions[];
  /** @default - none */
  readonly msTeams?: MsTeamsReceiverOptions[];
}

/** Mutes the alerts matching `targetMatchers` while an alert matching `sourceMatchers` fires. */
export interface AlertmanagerInhibitRule {
  /** The alerts that inhibit (all must match; at least one matcher). */
  readonly sourceMatchers: AlertMatcher[];
  /** The alerts that are muted (all must match; at least one matcher). */
  readonly targetMatchers: AlertMatcher[];
  /**
   * Labels whose values must be equal in the source and the target.
   * @default - none: any source mutes every target
   */
  readonly equal?: string[];
}

/** A time of day range, `HH:MM` to `HH:MM` (end exclusive, `24:00` allowed). */
export interface TimeRange {
  readonly startTime: string;
  readonly endTime: string;
}

/** One period of a time interval: every field given must match. */
export interface TimePeriod {
  /** @default - all day */
  readonly times?: TimeRange[];
  /** `monday`, or ranges like `monday:friday`. @default - every day of the week */
  readonly weekdays?: string[];
  /** `1`, `-1` (last day), or ranges like `1:5`. @default - every day of the month */
  readonly daysOfMonth?: string[];
  /** `january`, `1`, or ranges like `january:march`. @default - every month */
  readonly months?: string[];
  /** `2026`, or ranges like `2026:2027`. @default - every year */
  readonly years?: string[];
  /** IANA time zone, e.g. `Europe/Berlin`. @default "UTC" */
  readonly location?: string;
}

/** A named time interval for `muteTimeIntervals` / `activeTimeIntervals`. */
export interface AlertmanagerTimeInterval {
  readonly name: string;
  /** The interval is the union of these periods (at least one). */
  readonly periods: TimePeriod[];
}

/** Defaults the integrations inherit, and the resolve timeout. */
export interface AlertmanagerGlobalOptions {
  /**
   * How long an alert without an end time stays firing after its last update.
   * @default Duration.minutes(5)
   */
  readonly resolveTimeout?: Duration;
  /** SMTP server, `host:port`. @default - none */
  readonly smtpSmarthost?: string;
  /** Sender address of emails. @default - none */
  readonly smtpFrom?: string;
  /** SMTP user name. @default - none */
  readonly smtpAuthUsername?: string;
  /** SMTP password (`smtp_auth_password_file`). @default - none */
  readonly smtpAuthPassword?: SecretKey;
  /** Require STARTTLS. @default true */
  readonly smtpRequireTls?: boolean;
  /** Slack incoming webhook URL (`slack_api_url_file`). @default - none */
  readonly slackApiUrl?: SecretKey;
  /** Opsgenie API key (`opsgenie_api_key_file`). @default - none */
  readonly opsgenieApiKey?: SecretKey;
  /** Opsgenie API URL. @default "https://api.opsgenie.com/" */
  readonly opsgenieApiUrl?: string;
  /** PagerDuty Events API URL. @default "https://events.pagerduty.com/v2/enqueue" */
  readonly pagerdutyUrl?: string;
}

/** A notification template file (Go text/template `define` blocks). */
export interface AlertmanagerTemplate {
  /** File name, ending in `.tmpl`. */
  readonly name: string;
  /** The template source. */
  readonly content: string;
}

/** The whole typed configuration, as the construct checked it. @internal */
export interface AlertmanagerConfigSpec {
  readonly global?: AlertmanagerGlobalOptions;
  readonly route: AlertmanagerRoute;
  readonly receivers: AlertmanagerReceiver[];
  readonly inhibitRules: AlertmanagerInhibitRule[];
  readonly timeIntervals: AlertmanagerTimeInterval[];
  readonly templates: AlertmanagerTemplate[];
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

const at = (where: Where, field: string): Where => ({ scope: where.scope, prop: `${where.prop}.${field}` });
const idx = (where: Where, i: number): Where => ({ scope: where.scope, prop: `${where.prop}[${i}]` });

function checkArray(where: Where, value: unknown): asserts value is unknown[] {
  if (!Array.isArray(value)) fail(where, value, 'must be a list');
}

function checkString(where: Where, value: unknown, what = 'a non-empty string'): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) fail(where, value, `must be ${what}`);
}

function checkBool(where: Where, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') fail(where, value, 'must be true or false');
}

/** An absolute http(s) URL. */
export function checkHttpUrl(where: Where, url: unknown): void {
  if (!parseHttpUrl(url)) fail(where, url, 'must be an absolute http:// or https:// URL');
}

/** `host:port`, as Alertmanager's HostPort parses it. */
function checkHostPort(where: Where, hp: unknown): void {
  const m = typeof hp === 'string' ? /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(hp) : null;
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) fail(where, hp, 'must be host:port, e.g. "smtp.example.org:587"');
}

function checkOptionalSecret(where: Where, ref: unknown): void {
  if (ref !== undefined) checkSecretKey(where, ref);
}

function checkDuration(where: Where, d: unknown): void {
  if (d === undefined) return;
  if (!(d instanceof Duration)) fail(where, d, 'must be a Duration');
  checkPositiveDuration(where, d);
}

/** Alertmanager label names: any non-empty UTF-8 (its default utf8 mode). */
function checkAmLabelName(where: Where, name: unknown): void {
  checkLabelName(where, name as string, NameValidationScheme.UTF8);
}

export function checkMatcher(where: Where, m: unknown): asserts m is AlertMatcher {
  if (!AlertMatcher.isAlertMatcher(m)) fail(where, m, 'use AlertMatcher.equal(), .notEqual(), .regex() or .notRegex()');
  checkAmLabelName(at(where, 'name'), m.name);
  checkLabelValue(at(where, 'value'), m.value);
  if (m.operator === MatchOperator.REGEX || m.operator === MatchOperator.NOT_REGEX) checkRegex(at(where, 'value'), m.value);
}

function checkMatchers(where: Where, ms: unknown, required: boolean): void {
  if (ms === undefined && !required) return;
  checkArray(where, ms);
  if (required && ms.length === 0) fail(where, ms, 'give at least one matcher');
  ms.forEach((m, i) => checkMatcher(idx(where, i), m));
}

function checkGroupBy(where: Where, groupBy: unknown): void {
  if (groupBy === undefined) return;
  checkArray(where, groupBy);
  const seen = new Set<string>();
  groupBy.forEach((l, i) => {
    if (l === '...') {
      if (groupBy.length > 1) fail(idx(where, i), l, '"..." groups by every label and cannot be combined with other labels');
      return;
    }
    checkAmLabelName(idx(where, i), l);
    if (seen.has(l as string)) fail(idx(where, i), l, 'label listed twice in groupBy');
    seen.add(l as string);
  });
}

function checkRoute(where: Where, route: AlertmanagerRoute, root: boolean, receivers: Set<string>, intervals: Set<string>): void {
  if (route === null || typeof route !== 'object') fail(where, route, 'must be a route object');
  if (root && route.receiver === undefined) fail(at(where, 'receiver'), undefined, 'the root route needs a default receiver');
  if (route.receiver !== undefined) {
    checkString(at(where, 'receiver'), route.receiver);
    if (!receivers.has(route.receiver)) {
      fail(at(where, 'receiver'), route.receiver, `no such receiver; one of ${[...receivers].map(r => JSON.stringify(r)).join(', ') || 'none (add receivers)'}`);
    }
  }
  if (root && route.matchers !== undefined && route.matchers.length > 0) {
    fail(at(where, 'matchers'), route.matchers.map(m => `${m.name}${m.operator}${m.value}`), 'the root route takes every alert; put matchers on child routes');
  }
  checkMatchers(at(where, 'matchers'), route.matchers, false);
  checkGroupBy(at(where, 'groupBy'), route.groupBy);
  checkDuration(at(where, 'groupWait'), route.groupWait);
  checkDuration(at(where, 'groupInterval'), route.groupInterval);
  checkDuration(at(where, 'repeatInterval'), route.repeatInterval);
  checkBool(at(where, 'continueMatching'), route.continueMatching);
  if (root && route.continueMatching) fail(at(where, 'continueMatching'), true, 'the root route cannot continue; leave it out');
  for (const field of ['muteTimeIntervals', 'activeTimeIntervals'] as const) {
    const names = route[field];
    if (names === undefined) continue;
    checkArray(at(where, field), names);
    if (root && names.length > 0) fail(at(where, field), names, 'the root route cannot have time intervals; put them on child routes');
    names.forEach((n, i) => {
      if (!intervals.has(n)) {
        fail(idx(at(where, field), i), n, `no such time interval; one of ${[...intervals].map(x => JSON.stringify(x)).join(', ') || 'none (add timeIntervals)'}`);
      }
    });
  }
  if (route.routes !== undefined) {
    checkArray(at(where, 'routes'), route.routes);
    route.routes.forEach((r, i) => checkRoute(idx(at(where, 'routes'), i), r, false, receivers, intervals));
  }
}

/** A URL given inline must not carry a secret: credentials or a query string (tokens). */
function checkSecretFreeUrl(where: Where, url: string, secretProp: string): void {
  checkHttpUrl(where, url);
  const u = new URL(url);
  if (u.username || u.password || u.search) {
    fail(where, url.replace(/\/\/[^@/]*@/, '//***@').replace(/\?.*$/, '?***'),
      `a URL with credentials or a query string is a secret; give it as ${secretProp} (a SecretKey, rendered as a *_file field)`);
  }
}

function checkNotifier(where: Where, n: AlertmanagerNotifierOptions): void {
  if (n === null || typeof n !== 'object') fail(where, n, 'must be an options object');
  checkBool(at(where, 'sendResolved'), n.sendResolved);
}

function checkList<T>(where: Where, list: T[] | undefined, each: (w: Where, x: T) => void): void {
  if (list === undefined) return;
  checkArray(where, list);
  list.forEach((x, i) => each(idx(where, i), x));
}

function checkReceiver(where: Where, r: AlertmanagerReceiver, g: AlertmanagerGlobalOptions): void {
  checkString(at(where, 'name'), r.name);
  checkList(at(where, 'webhooks'), r.webhooks, (w, o) => {
    checkNotifier(w, o);
    if ((o.url === undefined) === (o.urlSecret === undefined)) fail(at(w, 'url'), o.url, 'give exactly one of url and urlSecret');
    if (o.url !== undefined) checkSecretFreeUrl(at(w, 'url'), o.url, 'urlSecret');
    checkOptionalSecret(at(w, 'urlSecret'), o.urlSecret);
    checkOptionalSecret(at(w, 'bearerToken'), o.bearerToken);
    if (o.maxAlerts !== undefined && (!Number.isSafeInteger(o.maxAlerts) || o.maxAlerts < 0)) fail(at(w, 'maxAlerts'), o.maxAlerts, 'must be a whole number >= 0');
    checkDuration(at(w, 'timeout'), o.timeout);
  });
  checkList(at(where, 'emails'), r.emails, (w, o) => {
    checkNotifier(w, o);
    checkString(at(w, 'to'), o.to, 'one or more addresses');
    if (o.from !== undefined) checkString(at(w, 'from'), o.from, 'an address');
    if ((o.from ?? g.smtpFrom) === undefined) fail(at(w, 'from'), undefined, 'set from here or smtpFrom in global');
    if (o.smarthost !== undefined) checkHostPort(at(w, 'smarthost'), o.smarthost);
    if ((o.smarthost ?? g.smtpSmarthost) === undefined) fail(at(w, 'smarthost'), undefined, 'set smarthost here or smtpSmarthost in global');
    checkOptionalSecret(at(w, 'authPassword'), o.authPassword);
    checkBool(at(w, 'requireTls'), o.requireTls);
  });
  checkList(at(where, 'slack'), r.slack, (w, o) => {
    checkNotifier(w, o);
    checkOptionalSecret(at(w, 'apiUrl'), o.apiUrl);
    if (o.apiUrl === undefined && g.slackApiUrl === undefined) fail(at(w, 'apiUrl'), undefined, 'set apiUrl here or slackApiUrl in global (a SecretKey)');
  });
  checkList(at(where, 'pagerDuty'), r.pagerDuty, (w, o) => {
    checkNotifier(w, o);
    if ((o.routingKey === undefined) === (o.serviceKey === undefined)) fail(at(w, 'routingKey'), undefined, 'give exactly one of routingKey (Events API v2) and serviceKey (v1)');
    checkOptionalSecret(at(w, 'routingKey'), o.routingKey);
    checkOptionalSecret(at(w, 'serviceKey'), o.serviceKey);
    if (o.url !== undefined) checkSecretFreeUrl(at(w, 'url'), o.url, 'routingKey');
  });
  checkList(at(where, 'opsgenie'), r.opsgenie, (w, o) => {
    checkNotifier(w, o);
    checkOptionalSecret(at(w, 'apiKey'), o.apiKey);
    if (o.apiKey === undefined && g.opsgenieApiKey === undefined) fail(at(w, 'apiKey'), undefined, 'set apiKey here or opsgenieApiKey in global (a SecretKey)');
    if (o.apiUrl !== undefined) checkSecretFreeUrl(at(w, 'apiUrl'), o.apiUrl, 'apiKey');
  });
  checkList(at(where, 'msTeams'), r.msTeams, (w, o) => {
    checkNotifier(w, o);
    checkSecretKey(at(w, 'webhookUrl'), o.webhookUrl);
  });
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function minutes(t: string): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(t);
  if (!m) return undefined;
  const v = Number(m[1]) * 60 + Number(m[2]);
  return Number(m[2]) < 60 && v <= 1440 ? v : undefined;
}

/** `a` or `a:b` with `a <= b`, each a value `parse` accepts. */
function checkRange(where: Where, s: unknown, parse: (x: string) => number | undefined, what: string, ordered = true): void {
  const parts = typeof s === 'string' ? s.split(':') : [];
  const vals = parts.map(p => parse(p.trim().toLowerCase()));
  if (parts.length < 1 || parts.length > 2 || vals.some(v => v === undefined) || (ordered && vals.length === 2 && vals[0]! > vals[1]!)) {
    fail(where, s, `must be ${what}, or a range "start:end" with start <= end`);
  }
}

function checkTimeInterval(where: Where, ti: AlertmanagerTimeInterval): void {
  checkString(at(where, 'name'), ti.name);
  checkArray(at(where, 'periods'), ti.periods);
  if (ti.periods.length === 0) fail(at(where, 'periods'), ti.periods, 'give at least one period');
  ti.periods.forEach((p, i) => {
    const w = idx(at(where, 'periods'), i);
    checkList(at(w, 'times'), p.times, (tw, t) => {
      const s = minutes(t.startTime);
      const e = minutes(t.endTime);
      if (s === undefined || s >= 1440) fail(at(tw, 'startTime'), t.startTime, 'must be HH:MM between 00:00 and 23:59');
      if (e === undefined) fail(at(tw, 'endTime'), t.endTime, 'must be HH:MM between 00:01 and 24:00');
      if (e <= s) fail(at(tw, 'endTime'), t.endTime, `must be after startTime (${t.startTime})`);
    });
    checkList(at(w, 'weekdays'), p.weekdays, (x, d) => checkRange(x, d, v => (WEEKDAYS.indexOf(v) >= 0 ? WEEKDAYS.indexOf(v) : undefined), 'a weekday name (monday ...)'));
    checkList(at(w, 'daysOfMonth'), p.daysOfMonth, (x, d) => checkRange(x, d, v => {
      const n = /^-?\d+$/.test(v) ? Number(v) : NaN;
      return n !== 0 && n >= -31 && n <= 31 ? n : undefined;
    }, 'a day of the month 1 to 31 (or -31 to -1 from the end)', false));
    checkList(at(w, 'months'), p.months, (x, d) => checkRange(x, d, v => {
      if (MONTHS.includes(v)) return MONTHS.indexOf(v) + 1;
      const n = /^\d+$/.test(v) ? Number(v) : NaN;
      return n >= 1 && n <= 12 ? n : undefined;
    }, 'a month name or number 1 to 12'));
    checkList(at(w, 'years'), p.years, (x, d) => checkRange(x, d, v => (/^\d{4}$/.test(v) ? Number(v) : undefined), 'a four-digit year'));
    if (p.location !== undefined && !(typeof p.location === 'string' && (p.location === 'UTC' || p.location === 'Local' || /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+$/.test(p.location)))) {
      fail(at(w, 'location'), p.location, 'must be an IANA time zone name such as "Europe/Berlin", or "UTC"');
    }
  });
}

function checkGlobal(where: Where, g: AlertmanagerGlobalOptions): void {
  if (g === null || typeof g !== 'object') fail(where, g, 'must be an options object');
  checkDuration(at(where, 'resolveTimeout'), g.resolveTimeout);
  if (g.smtpSmarthost !== undefined) checkHostPort(at(where, 'smtpSmarthost'), g.smtpSmarthost);
  if (g.smtpFrom !== undefined) checkString(at(where, 'smtpFrom'), g.smtpFrom, 'an address');
  checkOptionalSecret(at(where, 'smtpAuthPassword'), g.smtpAuthPassword);
  checkBool(at(where, 'smtpRequireTls'), g.smtpRequireTls);
  checkOptionalSecret(at(where, 'slackApiUrl'), g.slackApiUrl);
  checkOptionalSecret(at(where, 'opsgenieApiKey'), g.opsgenieApiKey);
  if (g.opsgenieApiUrl !== undefined) checkSecretFreeUrl(at(where, 'opsgenieApiUrl'), g.opsgenieApiUrl, 'opsgenieApiKey');
  if (g.pagerdutyUrl !== undefined) checkSecretFreeUrl(at(where, 'pagerdutyUrl'), g.pagerdutyUrl, 'a routingKey');
}

/**
 * Checks a whole configuration, in the order Alertmanager would: global, receivers (unique
 * names), time intervals (unique names), the route tree against both, inhibit rules, templates.
 * `where` is the construct; props are named as the user wrote them.
 */
export function checkAlertmanagerConfig(scope: Where['scope'], spec: AlertmanagerConfigSpec): void {
  const w = (prop: string): Where => ({ scope, prop });
  const global = spec.global ?? {};
  if (spec.global !== undefined) checkGlobal(w('global'), spec.global);
  checkArray(w('receivers'), spec.receivers);
  if (spec.receivers.length === 0) fail(w('receivers'), spec.receivers, 'give at least one receiver (the root route needs one)');
  const receivers = new Map<string, number>();
  spec.receivers.forEach((r, i) => {
    checkReceiver(w(`receivers[${i}]`), r, global);
    if (receivers.has(r.name)) fail(w(`receivers[${i}].name`), r.name, `receiver name already used by receivers[${receivers.get(r.name)}]`);
    receivers.set(r.name, i);
  });
  checkArray(w('timeIntervals'), spec.timeIntervals);
  const intervals = new Map<string, number>();
  spec.timeIntervals.forEach((ti, i) => {
    checkTimeInterval(w(`timeIntervals[${i}]`), ti);
    if (intervals.has(ti.name)) fail(w(`timeIntervals[${i}].name`), ti.name, `time interval name already used by timeIntervals[${intervals.get(ti.name)}]`);
    intervals.set(ti.name, i);
  });
  if (spec.route === undefined) fail(w('route'), undefined, 'give the root route, with a default receiver');
  checkRoute(w('route'), spec.route, true, new Set(receivers.keys()), new Set(intervals.keys()));
  checkArray(w('inhibitRules'), spec.inhibitRules);
  spec.inhibitRules.forEach((r, i) => {
    const ir = w(`inhibitRules[${i}]`);
    checkMatchers(at(ir, 'sourceMatchers'), r.sourceMatchers, true);
    checkMatchers(at(ir, 'targetMatchers'), r.targetMatchers, true);
    checkList(at(ir, 'equal'), r.equal, (x, l) => checkAmLabelName(x, l));
  });
  checkArray(w('templates'), spec.templates);
  const names = new Set<string>();
  spec.templates.forEach((t, i) => {
    if (typeof t?.name !== 'string' || !/^[A-Za-z0-9][-A-Za-z0-9_.]*\.tmpl$/.test(t.name) || t.name.length > 253) {
      fail(w(`templates[${i}].name`), t?.name, 'a file name of letters, digits, "-", "_" and ".", ending in ".tmpl"');
    }
    if (names.has(t.name)) fail(w(`templates[${i}].name`), t.name, 'template file name used twice');
    names.add(t.name);
    checkString(w(`templates[${i}].content`), t.content, 'non-empty template source');
  });
}

/** Every Secret key a configuration references, for mounting. */
export function alertmanagerSecrets(spec: AlertmanagerConfigSpec): SecretKey[] {
  const g = spec.global ?? {};
  const out: Array<SecretKey | undefined> = [g.smtpAuthPassword, g.slackApiUrl, g.opsgenieApiKey];
  for (const r of spec.receivers) {
    r.webhooks?.forEach(o => out.push(o.urlSecret, o.bearerToken));
    r.emails?.forEach(o => out.push(o.authPassword));
    r.slack?.forEach(o => out.push(o.apiUrl));
    r.pagerDuty?.forEach(o => out.push(o.routingKey, o.serviceKey));
    r.opsgenie?.forEach(o => out.push(o.apiKey));
    r.msTeams?.forEach(o => out.push(o.webhookUrl));
  }
  return out.filter((s): s is SecretKey => s !== undefined);
}
