import { Construct } from 'constructs';
import { BlackboxExporter } from '../components/blackbox-exporter';
import { BlackboxModule } from '../model/blackbox-module';
import { RelabelRule } from '../model/relabel';
import { checkK8sLabelKey, fail } from '../model/validation';
import { renderModule } from '../render/blackbox-config';

/**
 * What ServiceProbe and IngressProbe share: the exporter and module checks, the opt-in rule
 * and the rewrite that sends a probe through the exporter.
 */

/**
 * Checks that a probe's exporter is a BlackboxExporter and offers the module (same name, same
 * definition). Returns the module name.
 * @internal
 */
export function resolveProbeModule(scope: Construct, exporter: BlackboxExporter, module: BlackboxModule): string {
  if (!BlackboxExporter.isBlackboxExporter(exporter)) {
    fail({ scope, prop: 'blackboxExporter' }, String(exporter), 'must be a BlackboxExporter');
  }
  if (!BlackboxModule.isBlackboxModule(module)) {
    fail({ scope, prop: 'module' }, module, 'must be a BlackboxModule (use BlackboxModule.http2xx(), .tcpConnect(), .http() or .tcp())');
  }
  const theirs = exporter.findModule(module.name);
  if (!theirs) {
    fail({ scope, prop: 'module' }, module.name, `the blackbox exporter ${exporter.node.path} has no such module `
      + `(it has ${exporter.modules.map(m => m.name).join(', ')}); add it to the exporter's modules or probe with one of those`);
  }
  if (theirs !== module && JSON.stringify(renderModule(theirs._spec)) !== JSON.stringify(renderModule(module._spec))) {
    fail({ scope, prop: 'module' }, module.name, `the blackbox exporter ${exporter.node.path} defines this module differently; `
      + 'pass the exporter\'s own module (exporter.findModule(name)) or give this one another name');
  }
  return module.name;
}

/**
 * The keep rule of an opt-in annotation: Kubernetes discovery turns the annotation name into a
 * label name by replacing every character outside [a-zA-Z0-9_] with "_".
 * @internal
 */
export function optInRule(scope: Construct, kind: 'service' | 'ingress', annotation: string): RelabelRule {
  const where = { scope, prop: 'optInAnnotation' };
  if (typeof annotation !== 'string' || annotation === '') fail(where, annotation, 'an annotation name must be a non-empty string');
  checkK8sLabelKey(where, annotation);
  const label = `__meta_kubernetes_${kind}_annotation_${annotation.replace(/[^a-zA-Z0-9_]/g, '_')}`;
  return RelabelRule.keep({ sourceLabels: [label], regex: 'true' });
}

/**
 * Sends the probe to the exporter: the target in `__param_target` becomes `instance`, and the
 * scrape goes to the exporter's Service.
 * @internal
 */
export function exporterRewrite(exporter: BlackboxExporter): RelabelRule[] {
  return [
    RelabelRule.setLabel('__address__', exporter.address),
    RelabelRule.copy('__param_target', 'instance'),
  ];
}
