/**
 * Test helper: turns a rendered `relabel_configs` / `metric_relabel_configs` list back into
 * RelabelRules with the public factories, so that a construct's own rules can be given to another
 * construct of the same discovery role as user rules, and go through the synth-time checks that
 * user rules go through. Throws on a key or action it does not know, so that nothing is lost on
 * the way back.
 */
import { RelabelRule } from '../src';

const KEYS = new Set(['source_labels', 'separator', 'regex', 'modulus', 'target_label', 'replacement', 'action']);

export function rulesFromConfig(configs: any[] | undefined): RelabelRule[] {
  return (configs ?? []).map((c: any) => {
    for (const k of Object.keys(c)) {
      if (!KEYS.has(k)) throw new Error(`rulesFromConfig: unknown key ${k} in ${JSON.stringify(c)}`);
    }
    const sourceLabels: string[] = c.source_labels ?? [];
    switch (c.action ?? 'replace') {
      case 'keep':
        return RelabelRule.keep({ sourceLabels, regex: c.regex, separator: c.separator });
      case 'drop':
        return RelabelRule.drop({ sourceLabels, regex: c.regex, separator: c.separator });
      case 'replace':
        return RelabelRule.replace({
          sourceLabels: c.source_labels,
          regex: c.regex,
          separator: c.separator,
          targetLabel: c.target_label,
          replacement: c.replacement,
        });
      case 'hashmod':
        return RelabelRule.hashMod({ sourceLabels, modulus: c.modulus, targetLabel: c.target_label, separator: c.separator });
      case 'keepequal':
        return RelabelRule.keepEqual({ sourceLabels, targetLabel: c.target_label });
      case 'dropequal':
        return RelabelRule.dropEqual({ sourceLabels, targetLabel: c.target_label });
      case 'lowercase':
        return RelabelRule.lowercase({ sourceLabels, targetLabel: c.target_label, separator: c.separator });
      case 'uppercase':
        return RelabelRule.uppercase({ sourceLabels, targetLabel: c.target_label, separator: c.separator });
      case 'labelmap':
        return RelabelRule.labelMap({ regex: c.regex, replacement: c.replacement });
      case 'labeldrop':
        return RelabelRule.labelDrop(c.regex);
      case 'labelkeep':
        return RelabelRule.labelKeep(c.regex);
      default:
        throw new Error(`rulesFromConfig: unknown action ${c.action}`);
    }
  });
}
