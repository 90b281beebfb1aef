/**
 * Shared by the benchmark scripts. bench/run.sh compiles bench/*.ts with tsc into
 * bench/.work/js/ and points the compiled `src` import at lib/ (the JS that `npx projen compile`
 * produces), so the timed processes run plain node on the library as published, no ts-node.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import {
  ApiServerScrape, CadvisorScrape, KubeletScrape, KubeStateMetrics, PodPortScrape, PrometheusStack, ServiceScrape,
} from '../src';

/** The repository root: bench/.work/js/bench/ once compiled, bench/ as source. */
export const ROOT = findRoot(__dirname);
export const WORK = path.join(ROOT, 'bench', '.work');

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, '.projenrc.ts'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${start}`);
  }
}

/** The kinds of scrape the scaling stacks mix, in round-robin order. */
export const SCRAPE_KINDS = ['KubeletScrape', 'CadvisorScrape', 'ApiServerScrape', 'ServiceScrape', 'PodPortScrape', 'KubeStateMetrics'];

/**
 * A stack with `n` scrape jobs, every kind in turn, each with its own jobName; ServiceScrape and
 * PodPortScrape each discover in a namespace of their own (a Role and RoleBinding each), and every
 * KubeStateMetrics lives in a namespace of its own (its own Deployment, Service, RBAC, NetworkPolicy).
 */
export function scaleStack(app: App, n: number): Chart {
  const chart = new Chart(app, `scale-${n}`, { namespace: 'monitoring' });
  const prometheus = new PrometheusStack(chart, 'prometheus');
  for (let i = 0; i < n; i++) {
    const id = `job-${i}`;
    switch (i % SCRAPE_KINDS.length) {
      case 0:
        new KubeletScrape(chart, id, { prometheus, jobName: `kubelet-${i}` });
        break;
      case 1:
        new CadvisorScrape(chart, id, { prometheus, jobName: `cadvisor-${i}` });
        break;
      case 2:
        new ApiServerScrape(chart, id, { prometheus, jobName: `apiserver-${i}` });
        break;
      case 3:
        new ServiceScrape(chart, id, { prometheus, jobName: `services-${i}`, namespaces: [`svc-${i}`], portName: 'metrics' });
        break;
      case 4:
        new PodPortScrape(chart, id, { prometheus, jobName: `pods-${i}`, namespaces: [`pods-${i}`] });
        break;
      default:
        new KubeStateMetrics(chart, `ksm-${i}`, { prometheus, jobName: `ksm-${i}`, namespace: `ksm-${i}` });
    }
  }
  return chart;
}

/** Writes JSON with a trailing newline, creating the directory. */
export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  if (xs.length === 0) throw new Error('median of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
