import { App, Testing } from 'cdk8s';
import { job, Manifest, objects, promConfig, schemaProblems } from './util';
import { agentStack } from '../examples/agent';
import { bookStack } from '../examples/book';
import { productionStack } from '../examples/production';
import { quickstart } from '../examples/quickstart';
import { webStack } from '../examples/web';

const EXAMPLES = { quickstart, book: bookStack, production: productionStack, agent: agentStack, web: webStack };

describe.each(Object.entries(EXAMPLES))('example %s', (name, build) => {
  // GIVEN the example app WHEN it is synthesized
  const ms = Testing.synth(build(Testing.app() as App)) as Manifest[];

  test('matches the snapshot', () => {
    expect(ms).toMatchSnapshot();
  });

  test('every object passes the Kubernetes OpenAPI schema', () => {
    expect(ms.length).toBeGreaterThan(8);
    expect(schemaProblems(ms)).toEqual([]);
  });

  test('uses no deprecated or beta API version', () => {
    for (const m of ms) {
      expect(m.apiVersion).not.toMatch(/beta|alpha|extensions/);
    }
  });

  test(`${name}: every pod template meets Pod Security restricted basics`, () => {
    for (const m of [...objects(ms, 'StatefulSet'), ...objects(ms, 'Deployment')]) {
      const pod = m.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(c.image).toMatch(/:v\d+\.\d+\.\d+$/);
      }
    }
  });
});

test('the book example reproduces the five jobs by name', () => {
  const ms = Testing.synth(bookStack(Testing.app() as App)) as Manifest[];
  expect(promConfig(ms).scrape_configs.map((j: any) => j.job_name).sort())
    .toEqual(['cadvisor', 'k8apiserver', 'k8pods', 'k8services', 'kubelet']);
  // the book's k8apiserver keeps only default/kubernetes:https
  expect(job(ms, 'k8apiserver').relabel_configs[0]).toEqual({
    source_labels: ['__meta_kubernetes_namespace', '__meta_kubernetes_service_name', '__meta_kubernetes_endpointslice_port_name'],
    regex: 'default;kubernetes;https',
    action: 'keep',
  });
  // k8services: job from the Service name; k8pods: job from the container name
  expect(job(ms, 'k8services').relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_service_name'], target_label: 'job', action: 'replace' });
  expect(job(ms, 'k8pods').relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'job', action: 'replace' });
  // cadvisor keeps its own job label and every series, as in the book
  // (the job label defaults to the job name, so no rule sets it)
  expect(job(ms, 'cadvisor').relabel_configs.filter((r: any) => r.target_label === 'job')).toEqual([]);
  expect(job(ms, 'cadvisor').metric_relabel_configs).toEqual([{ regex: 'container_label_.*', action: 'labeldrop' }]);
  // never the book's insecure TLS
  for (const j of promConfig(ms).scrape_configs) expect(j.tls_config?.insecure_skip_verify).toBeUndefined();
});

test('the schema check itself rejects a bad object', () => {
  const bad = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'x' }, spec: { replicas: 'two', selector: {}, template: {} } };
  expect(schemaProblems([bad as any]).join('\n')).toMatch(/StatefulSet\/x/);
  expect(schemaProblems([{ apiVersion: 'v9', kind: 'Nope', metadata: { name: 'y' } } as any])).toEqual(['Nope/y: no schema at kubernetes-models/v9/Nope']);
});
