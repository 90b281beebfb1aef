import { Duration, Yaml } from 'cdk8s';
import { compact } from './shared';
import {
  AlertmanagerConfigSpec, AlertmanagerRoute, AlertMatcher, AlertmanagerReceiver, AlertmanagerTimeInterval,
} from '../model/alertmanager-config';
import { SecretKey, secretFilePath } from '../model/secret';
import { promDuration } from '../model/validation';

/**
 * The one place that writes Alertmanager configuration keys (`alertmanager.yml`). Secrets are
 * always `*_file` paths under the secrets directory.
 */

const LEGACY_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A matcher in Alertmanager's matcher syntax: `name="value"`, the name quoted when it is not a legacy name. */
export function renderMatcher(m: AlertMatcher): string {
  const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
  const name = LEGACY_NAME.test(m.name) ? m.name : quote(m.name);
  return `${name}${m.operator}${quote(m.value)}`;
}

const dur = (d: Duration | undefined) => (d ? promDuration(d) : undefined);

function renderRoute(r: AlertmanagerRoute): Record<string, unknown> {
  return compact({
    receiver: r.receiver,
    group_by: r.groupBy ? [...r.groupBy] : undefined,
    continue: r.continueMatching ? true : undefined,
    matchers: r.matchers?.length ? r.matchers.map(renderMatcher) : undefined,
    group_wait: dur(r.groupWait),
    group_interval: dur(r.groupInterval),
    repeat_interval: dur(r.repeatInterval),
    mute_time_intervals: r.muteTimeIntervals?.length ? [...r.muteTimeIntervals] : undefined,
    active_time_intervals: r.activeTimeIntervals?.length ? [...r.activeTimeIntervals] : undefined,
    routes: r.routes?.length ? r.routes.map(renderRoute) : undefined,
  });
}

function renderReceiver(r: AlertmanagerReceiver, file: (s: SecretKey | undefined) => string | undefined): Record<string, unknown> {
  const list = <T>(xs: T[] | undefined, f: (x: T) => Record<string, unknown>) => (xs?.length ? xs.map(f) : undefined);
  return compact({
    name: r.name,
    webhook_configs: list(r.webhooks, o => compact({
      send_resolved: o.sendResolved,
      url: o.url,
      url_file: file(o.urlSecret),
      max_alerts: o.maxAlerts || undefined,
      timeout: dur(o.timeout),
      http_config: o.bearerToken ? { authorization: { type: 'Bearer', credentials_file: file(o.bearerToken) } } : undefined,
    })),
    email_configs: list(r.emails, o => compact({
      send_resolved: o.sendResolved,
      to: o.to,
      from: o.from,
      smarthost: o.smarthost,
      auth_username: o.authUsername,
      auth_password_file: file(o.authPassword),
      require_tls: o.requireTls,
    })),
    slack_configs: list(r.slack, o => compact({
      send_resolved: o.sendResolved,
      api_url_file: file(o.apiUrl),
      channel: o.channel,
      title: o.title,
      text: o.text,
    })),
    pagerduty_configs: list(r.pagerDuty, o => compact({
      send_resolved: o.sendResolved,
      routing_key_file: file(o.routingKey),
      service_key_file: file(o.serviceKey),
      url: o.url,
      severity: o.severity,
      description: o.description,
    })),
    opsgenie_configs: list(r.opsgenie, o => compact({
      send_resolved: o.sendResolved,
      api_key_file: file(o.apiKey),
      api_url: o.apiUrl,
      message: o.message,
      priority: o.priority,
      tags: o.tags,
    })),
    msteamsv2_configs: list(r.msTeams, o => compact({
      send_resolved: o.sendResolved,
      webhook_url_file: file(o.webhookUrl),
      title: o.title,
      text: o.text,
    })),
  });
}

function renderTimeInterval(ti: AlertmanagerTimeInterval): Record<string, unknown> {
  return {
    name: ti.name,
    time_intervals: ti.periods.map(p => compact({
      times: p.times?.length ? p.times.map(t => ({ start_time: t.startTime, end_time: t.endTime })) : undefined,
      weekdays: p.weekdays?.length ? [...p.weekdays] : undefined,
      days_of_month: p.daysOfMonth?.length ? [...p.daysOfMonth] : undefined,
      months: p.months?.length ? [...p.months] : undefined,
      years: p.years?.length ? [...p.years] : undefined,
      location: p.location,
    })),
  };
}

/** The whole `alertmanager.yml`; secrets under `secretsDir`, templates under `templatesDir`. */
export function renderAlertmanagerConfig(spec: AlertmanagerConfigSpec, secretsDir: string, templatesDir: string): string {
  const file = (s: SecretKey | undefined) => (s ? secretFilePath(secretsDir, s) : undefined);
  const g = spec.global ?? {};
  const global = compact({
    resolve_timeout: dur(g.resolveTimeout),
    smtp_smarthost: g.smtpSmarthost,
    smtp_from: g.smtpFrom,
    smtp_auth_username: g.smtpAuthUsername,
    smtp_auth_password_file: file(g.smtpAuthPassword),
    smtp_require_tls: g.smtpRequireTls,
    slack_api_url_file: file(g.slackApiUrl),
    opsgenie_api_key_file: file(g.opsgenieApiKey),
    opsgenie_api_url: g.opsgenieApiUrl,
    pagerduty_url: g.pagerdutyUrl,
  });
  const doc = compact({
    global: Object.keys(global).length ? global : undefined,
    templates: spec.templates.length ? [`${templatesDir}/*.tmpl`] : undefined,
    route: renderRoute(spec.route),
    receivers: spec.receivers.map(r => renderReceiver(r, file)),
    inhibit_rules: spec.inhibitRules.length ? spec.inhibitRules.map(r => compact({
      source_matchers: r.sourceMatchers.map(renderMatcher),
      target_matchers: r.targetMatchers.map(renderMatcher),
      equal: r.equal?.length ? [...r.equal] : undefined,
    })) : undefined,
    time_intervals: spec.timeIntervals.length ? spec.timeIntervals.map(renderTimeInterval) : undefined,
  });
  return Yaml.stringify(doc);
}
