/** Test helpers: synthesize, find objects, parse the rendered prometheus.yml, schema-check objects. */
import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { PrometheusStack } from '../src';

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: any }; [k: string]: any };

/** A chart with a namespace, as every stack needs one. */
export function chart(namespace = 'monitoring'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

/** A stack on a fresh chart. */
export function stack(props: ConstructorParameters<typeof PrometheusStack>[2] = {}, namespace = 'monitoring') {
  const c = chart(namespace);
  return { chart: c, prometheus: new PrometheusStack(c, 'prometheus', props) };
}

export function synth(c: Chart): Manifest[] {
  return Testing.synth(c) as Manifest[];
}

export function objects(ms: Manifest[], kind: string): Manifest[] {
  return ms.filter(m => m.kind === kind);
}

export function one(ms: Manifest[], kind: string, name?: string): Manifest {
  const found = ms.filter(m => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}`);
  return found[0];
}

/** The prometheus.yml of the (single) stack ConfigMap, parsed. */
export function promConfig(ms: Manifest[]): any {
  const cm = ms.find(m => m.kind === 'ConfigMap' && m.data?.['prometheus.yml'] !== undefined);
  if (!cm) throw new Error('no ConfigMap with prometheus.yml');
  return parse(cm.data['prometheus.yml']);
}

/** One scrape config by job name. */
export function job(ms: Manifest[], name: string): any {
  const jobs = promConfig(ms).scrape_configs.filter((j: any) => j.job_name === name);
  if (jobs.length !== 1) throw new Error(`expected one job ${name}, found ${jobs.length}`);
  return jobs[0];
}

/**
 * Checks every object against the Kubernetes OpenAPI schema (kubernetes-models). Returns the
 * problems; an unknown kind is a problem too.
 */
export function schemaProblems(ms: Manifest[]): string[] {
  const problems: string[] = [];
  for (const m of ms) {
    const [group, version] = m.apiVersion.includes('/') ? m.apiVersion.split('/') : [undefined, m.apiVersion];
    const modulePath = `kubernetes-models/${group ? `${group}/` : ''}${version}/${m.kind}`;
    let Model: any;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      Model = require(modulePath)[m.kind];
    } catch {
      problems.push(`${m.kind}/${m.metadata.name}: no schema at ${modulePath}`);
      continue;
    }
    try {
      new Model(m).validate();
    } catch (e: any) {
      problems.push(`${m.kind}/${m.metadata.name}: ${e.message}`);
    }
  }
  return problems;
}

/** Pod Security `restricted` as we expect it on every pod of the library (written out by hand). */
export const RESTRICTED_POD_CONTEXT = {
  runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' },
};

/** The container side of it. */
export const RESTRICTED_CONTAINER_CONTEXT = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 65534,
  runAsGroup: 65534,
  privileged: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};
