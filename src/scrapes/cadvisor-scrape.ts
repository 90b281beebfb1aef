import { Construct } from 'constructs';
import { kubeletJob } from './kubelet-scrape';
import { ScrapeJob } from './scrape-job';
import { ScrapeTlsOptions } from '../model/endpoint';
import { ScrapeOptions } from '../model/job';
import { IPrometheus } from '../model/prometheus';
import { RelabelRule } from '../model/relabel';
import { fail } from '../model/validation';
import { cadvisorRules, droppedBy } from '../rules/built-in-rules';
import { BuiltInRulesOptions, PrometheusRuleGroup } from '../rules/prometheus-rule-group';

/** Which cAdvisor series to drop at scrape time (cardinality presets). */
export class CadvisorMetrics {
  /** Keep every series cAdvisor exposes. */
  public static readonly NONE = new CadvisorMetrics('none', []);

  /**
   * The drops kube-prometheus ships: per-container spec and bookkeeping series of no pod, TCP/UDP
   * usage, task states, load average and per-device block I/O.
   */
  public static readonly KUBE_PROMETHEUS = new CadvisorMetrics('kube-prometheus', [
    RelabelRule.drop({
      sourceLabels: ['__name__'],
      regex: 'container_(network_tcp_usage_total|network_udp_usage_total|tasks_state|cpu_load_average_10s)',
    }),
    RelabelRule.drop({
      sourceLabels: ['__name__', 'pod', 'namespace'],
      regex: '(container_spec_.*|container_file_descriptors|container_sockets|container_threads_max|container_threads|container_start_time_seconds|container_last_seen);;',
    }),
    RelabelRule.drop({
      sourceLabels: ['__name__', 'container'],
      regex: '(container_blkio_device_usage_total);.+',
    }),
  ]);

  /**
   * The default: KUBE_PROMETHEUS plus the series no kubernetes-mixin rule, alert or dashboard
   * reads and that dominate a real payload: network series of the kernel's fallback tunnel devices
   * (created, down, in every pod's network namespace: nine of ten interfaces per pod), page-fault
   * counters (`container_memory_failures_total`) and pressure stall information
   * (`container_pressure_*`). On the kubelet 1.35 payload in bench/ it keeps 48.7% of the series
   * and every series the mixin uses.
   */
  public static readonly RECOMMENDED = new CadvisorMetrics('recommended', [
    ...CadvisorMetrics.KUBE_PROMETHEUS.rules,
    // Host interfaces, a real tunl0 included, are node-exporter's to report.
    RelabelRule.drop({
      sourceLabels: ['__name__', 'interface'],
      regex: 'container_network_.*;(erspan|gre|gretap|ip6_vti|ip6gre|ip6tnl|ip_vti|sit|tunl)[0-9]*',
    }),
    RelabelRule.drop({ sourceLabels: ['__name__'], regex: 'container_memory_failures_total|container_pressure_.*' }),
  ]);

  /**
   * kube-prometheus-stack's stricter set: also CPU user/system split, filesystem detail, memory
   * swap and mapped-file series, CNI interfaces, and the cgroup-hierarchy series of no pod. It drops
   * series the kubernetes-mixin records (`container_memory_swap`, `container_spec_*`): the
   * ContainerMemoryNearLimit rule cannot run on it.
   */
  public static readonly AGGRESSIVE = new CadvisorMetrics('aggressive', [
    RelabelRule.drop({
      sourceLabels: ['__name__'],
      regex: 'container_cpu_(cfs_throttled_seconds_total|load_average_10s|system_seconds_total|user_seconds_total)',
    }),
    RelabelRule.drop({
      sourceLabels: ['__name__'],
      regex: 'container_fs_(io_current|io_time_seconds_total|io_time_weighted_seconds_total|reads_merged_total|sector_reads_total|sector_writes_total|writes_merged_total)',
    }),
    RelabelRule.drop({ sourceLabels: ['__name__'], regex: 'container_memory_(mapped_file|swap)' }),
    RelabelRule.drop({ sourceLabels: ['__name__'], regex: 'container_(file_descriptors|tasks_state|threads_max)' }),
    RelabelRule.drop({ sourceLabels: ['__name__', 'scope'], regex: 'container_memory_failures_total;hierarchy' }),
    RelabelRule.drop({ sourceLabels: ['__name__', 'interface'], regex: 'container_network_.*;(cali|cilium|cni|lxc|nodelocaldns|tunl).*' }),
    RelabelRule.drop({ sourceLabels: ['__name__'], regex: 'container_spec.*' }),
    RelabelRule.drop({ sourceLabels: ['id', 'pod'], regex: '.+;' }),
  ]);

  /** Your own drop (or keep) rules. */
  public static custom(rules: RelabelRule[]): CadvisorMetrics {
    return new CadvisorMetrics('custom', [...rules]);
  }

  /** Whether the rules are the user's own (`custom`), not a shipped preset. */
  public get isCustom(): boolean {
    return this.name === 'custom';
  }

  private constructor(
    /** Name of the preset. */
    public readonly name: string,
    private readonly rules: RelabelRule[],
  ) {}

  /** The metric relabel rules of the preset (a copy). */
  public get metricRelabelings(): RelabelRule[] {
    return [...this.rules];
  }
}

/**
 * Which metrics the built-in cAdvisor rules read that each shipped preset drops, and by which
 * regex: constants, so not recomputed with RE2 on every synth (test/built-in-rules.test.ts derives
 * them again from the presets' rules and fails on any drift). Custom presets are computed.
 */
export const SHIPPED_PRESET_DROPS: Record<string, Record<string, string>> = {
  'none': {},
  'kube-prometheus': {},
  'recommended': {},
  'aggressive': { container_spec_memory_limit_bytes: 'container_spec.*' },
};

/** Options of `CadvisorScrape`. */
export interface CadvisorScrapeOptions extends ScrapeOptions {
  /**
   * Which series to drop.
   * @default CadvisorMetrics.RECOMMENDED
   */
  readonly metrics?: CadvisorMetrics;
  /**
   * TLS towards the kubelets (see KubeletScrape).
   * @default - verify with the in-cluster CA
   */
  readonly tls?: ScrapeTlsOptions;
}

/** Props of `CadvisorScrape`. */
export interface CadvisorScrapeProps extends CadvisorScrapeOptions {
  /** The stack that scrapes cAdvisor. */
  readonly prometheus: IPrometheus;
}

/**
 * Scrapes the cAdvisor embedded in every kubelet (`/metrics/cadvisor`), with the series labelled
 * `job="kubelet", metrics_path="/metrics/cadvisor"` as the kubernetes-mixin expects. cAdvisor
 * stamps its samples with its own timestamps, which are ignored (`honor_timestamps: false`) so
 * that staleness works.
 */
export class CadvisorScrape extends ScrapeJob {
  /** The cardinality preset in use. */
  public readonly metrics: CadvisorMetrics;

  public constructor(scope: Construct, id: string, props: CadvisorScrapeProps) {
    super(scope, id);
    this.metrics = props.metrics ?? CadvisorMetrics.RECOMMENDED;
    const base = kubeletJob('cadvisor', '/metrics/cadvisor', props.tls);
    this._register(props.prometheus, props, {
      ...base,
      honorTimestamps: false,
      defaultJobLabel: 'kubelet',
      metricRelabelingsProp: this.metrics.isCustom ? 'metrics' : undefined,
      metricRelabelings: [
        ...this.metrics.metricRelabelings,
        // Docker-era container labels: never wanted as series labels (as in the book).
        RelabelRule.labelDrop('container_label_.*'),
      ],
    });
  }

  /**
   * CPU usage and memory working set per container, pod and namespace (kubernetes-mixin names),
   * the ContainerMemoryNearLimit alert (working set over `container_spec_memory_limit_bytes`, only
   * where a limit is set) and ContainerCPUThrottlingHigh (group `cadvisor`). A rule whose metric the
   * cardinality preset drops is an error: leave it out with `omit`.
   */
  public addRules(options: BuiltInRulesOptions = {}): PrometheusRuleGroup {
    return this._addBuiltInRules('cadvisor', cadvisorRules, options, (rules, omit) => {
      for (const { rule, metrics } of rules) {
        if (omit.has(rule.name)) continue;
        for (const metric of metrics) {
          const regex = this.metrics.isCustom
            ? droppedBy(metric, this.metrics.metricRelabelings)?.regex
            : SHIPPED_PRESET_DROPS[this.metrics.name]?.[metric];
          if (regex !== undefined) {
            fail({ scope: this, prop: 'metrics' }, this.metrics.name, `the preset drops ${metric} (regex ${JSON.stringify(regex)}), `
              + `which rule ${rule.name} needs; add "${rule.name}" to addRules({ omit }) or choose another preset`);
          }
        }
      }
    });
  }
}
