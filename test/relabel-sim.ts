/**
 * Test helper: applies a rendered scrape config's `relabel_configs` to a discovered target, as
 * Prometheus does (scrape/target.go PopulateLabels), for the actions the probe, exporter and
 * annotation jobs use (replace, keep, drop, labelmap). Returns the final labels and the URL Prometheus would scrape, or
 * undefined when the target is dropped. The end-to-end suite checks the same against the real
 * Prometheus.
 */
import { RE2JS } from 're2js';

export interface SimulatedTarget {
  /** Labels the target keeps (no `__` labels). */
  readonly labels: Record<string, string>;
  /** The URL scraped. */
  readonly url: string;
}

function expand(template: string, groups: Array<string | null>): string {
  return template.replace(/\$\$|\$\{(\w+)\}|\$(\w+)/g, (m, braced, bare) => {
    if (m === '$$') return '$';
    const n = Number(braced ?? bare);
    return Number.isInteger(n) ? groups[n] ?? '' : '';
  });
}

export function simulateTarget(job: any, discovered: Record<string, string>): SimulatedTarget | undefined {
  const labels: Record<string, string> = {
    job: job.job_name,
    __scheme__: job.scheme ?? 'http',
    __metrics_path__: job.metrics_path ?? '/metrics',
    ...Object.fromEntries(Object.entries(job.params ?? {}).map(([k, v]) => [`__param_${k}`, (v as string[])[0]])),
    ...discovered,
  };
  for (const rule of job.relabel_configs ?? []) {
    const value = (rule.source_labels ?? []).map((l: string) => labels[l] ?? '').join(rule.separator ?? ';');
    const m = RE2JS.compile(`^(?s:${rule.regex ?? '(.*)'})$`).matcher(value);
    const matched = m.matches();
    switch (rule.action ?? 'replace') {
      case 'keep':
        if (!matched) return undefined;
        break;
      case 'drop':
        if (matched) return undefined;
        break;
      case 'replace': {
        if (!matched) break;
        const groups = Array.from({ length: m.groupCount() + 1 }, (_, i) => m.group(i));
        const out = expand(rule.replacement ?? '$1', groups);
        if (out === '') delete labels[rule.target_label];
        else labels[rule.target_label] = out;
        break;
      }
      case 'labelmap': {
        const re = RE2JS.compile(`^(?s:${rule.regex ?? '(.*)'})$`);
        for (const [name, v] of Object.entries({ ...labels })) {
          const lm = re.matcher(name);
          if (!lm.matches()) continue;
          const groups = Array.from({ length: lm.groupCount() + 1 }, (_, i) => lm.group(i));
          labels[expand(rule.replacement ?? '$1', groups)] = v;
        }
        break;
      }
      default:
        throw new Error(`simulateTarget: action ${rule.action} not simulated`);
    }
  }
  if (!labels.instance) labels.instance = labels.__address__;
  const params = Object.entries(labels).filter(([k]) => k.startsWith('__param_'))
    .map(([k, v]) => `${encodeURIComponent(k.slice('__param_'.length))}=${encodeURIComponent(v)}`).sort().join('&');
  const url = `${labels.__scheme__}://${labels.__address__}${labels.__metrics_path__}${params ? `?${params}` : ''}`;
  return { labels: Object.fromEntries(Object.entries(labels).filter(([k]) => !k.startsWith('__'))), url };
}
