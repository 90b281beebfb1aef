/**
 * RelabelRule: the fields each factory sets, how a rule is rendered into relabel_configs, and the
 * synth-time checks a user rule goes through (through a real scrape wherever there is one).
 */
import { Testing } from 'cdk8s';
import {
  DiscoveryRole, KubeletScrape, NameValidationScheme, PodPortScrape, RelabelAction, RelabelRule, ServiceScrape,
} from '../src';
import { job, stack, synth } from './util';
// Static targets (the stack's self-scrape) take no user rules: the check has no public path there.
import { checkRelabelRule } from '../src/model/relabel-check';

/** The fields a rule sets (read through its public properties), without the undefined ones. */
const FIELDS = ['action', 'sourceLabels', 'regex', 'separator', 'targetLabel', 'replacement', 'modulus'] as const;
const fields = (rule: RelabelRule) => Object.fromEntries(FIELDS.map(f => [f, rule[f]]).filter(([, v]) => v !== undefined));

describe('factories', () => {
  test.each<[string, () => RelabelRule, Record<string, unknown>]>([
    ['keep', () => RelabelRule.keep({ sourceLabels: ['a', 'b'], regex: 'x;y' }),
      { action: 'keep', sourceLabels: ['a', 'b'], regex: 'x;y' }],
    ['keep with a separator', () => RelabelRule.keep({ sourceLabels: ['a', 'b'], regex: 'x,y', separator: ',' }),
      { action: 'keep', sourceLabels: ['a', 'b'], regex: 'x,y', separator: ',' }],
    ['drop', () => RelabelRule.drop({ sourceLabels: ['a'], regex: 'x' }),
      { action: 'drop', sourceLabels: ['a'], regex: 'x' }],
    ['replace (target only)', () => RelabelRule.replace({ targetLabel: 't' }),
      { action: 'replace', targetLabel: 't' }],
    ['replace (every field)', () => RelabelRule.replace({ sourceLabels: ['a'], regex: '(.*):.*', separator: '/', targetLabel: 't', replacement: '${1}' }),
      { action: 'replace', sourceLabels: ['a'], regex: '(.*):.*', separator: '/', targetLabel: 't', replacement: '${1}' }],
    ['copy', () => RelabelRule.copy('__meta_kubernetes_pod_name', 'pod'),
      { action: 'replace', sourceLabels: ['__meta_kubernetes_pod_name'], targetLabel: 'pod' }],
    ['setLabel', () => RelabelRule.setLabel('team', 'payments'),
      { action: 'replace', targetLabel: 'team', replacement: 'payments' }],
    ['setLabel escapes $ as $$', () => RelabelRule.setLabel('price', 'US$5 and $$'),
      { action: 'replace', targetLabel: 'price', replacement: 'US$$5 and $$$$' }],
    ['hashMod', () => RelabelRule.hashMod({ sourceLabels: ['__address__'], modulus: 4, targetLabel: '__tmp_shard' }),
      { action: 'hashmod', sourceLabels: ['__address__'], modulus: 4, targetLabel: '__tmp_shard' }],
    ['keepEqual', () => RelabelRule.keepEqual({ sourceLabels: ['a'], targetLabel: 'b' }),
      { action: 'keepequal', sourceLabels: ['a'], targetLabel: 'b' }],
    ['dropEqual', () => RelabelRule.dropEqual({ sourceLabels: ['a'], targetLabel: 'b' }),
      { action: 'dropequal', sourceLabels: ['a'], targetLabel: 'b' }],
    ['lowercase', () => RelabelRule.lowercase({ sourceLabels: ['a', 'b'], targetLabel: 'c', separator: '-' }),
      { action: 'lowercase', sourceLabels: ['a', 'b'], targetLabel: 'c', separator: '-' }],
    ['uppercase', () => RelabelRule.uppercase({ sourceLabels: ['a'], targetLabel: 'c' }),
      { action: 'uppercase', sourceLabels: ['a'], targetLabel: 'c' }],
    ['labelMap', () => RelabelRule.labelMap({ regex: '__meta_kubernetes_pod_label_(.+)' }),
      { action: 'labelmap', regex: '__meta_kubernetes_pod_label_(.+)' }],
    ['labelMap with a replacement', () => RelabelRule.labelMap({ regex: '__meta_kubernetes_pod_label_(.+)', replacement: 'k8s_$1' }),
      { action: 'labelmap', regex: '__meta_kubernetes_pod_label_(.+)', replacement: 'k8s_$1' }],
    ['labelDrop', () => RelabelRule.labelDrop('id|name'),
      { action: 'labeldrop', regex: 'id|name' }],
    ['labelKeep', () => RelabelRule.labelKeep('__name__|job|instance'),
      { action: 'labelkeep', regex: '__name__|job|instance' }],
  ])('%s', (_what, make, expected) => {
    const rule = make();
    expect(fields(rule)).toStrictEqual(expected);
    expect(RelabelRule.isRelabelRule(rule)).toBe(true);
  });

  test('the action enum spells the Prometheus actions', () => {
    expect(Object.values(RelabelAction).sort()).toEqual([
      'drop', 'dropequal', 'hashmod', 'keep', 'keepequal', 'labeldrop', 'labelkeep', 'labelmap', 'lowercase', 'replace', 'uppercase',
    ]);
  });

  test('source labels are copied: changing the array afterwards does not change the rule', () => {
    const sourceLabels = ['a'];
    const rule = RelabelRule.keep({ sourceLabels, regex: 'x' });
    sourceLabels.push('b');
    expect(rule.sourceLabels).toEqual(['a']);
  });

  test('isRelabelRule is false for look-alikes', () => {
    expect(RelabelRule.isRelabelRule({ action: 'keep', sourceLabels: ['a'], regex: 'x' })).toBe(false);
    expect(RelabelRule.isRelabelRule(undefined)).toBe(false);
    expect(RelabelRule.isRelabelRule(null)).toBe(false);
  });
});

/** A ServiceScrape (role endpointslice) with the rules; its rendered job. */
function serviceJob(relabelings: RelabelRule[], metricRelabelings: RelabelRule[] = [], scheme = NameValidationScheme.UTF8) {
  const { chart, prometheus } = stack({ nameValidationScheme: scheme });
  new ServiceScrape(chart, 's', { prometheus, relabelings, metricRelabelings });
  return job(synth(chart), 'kubernetes-services');
}

describe('rendering', () => {
  test('user rules come last in relabel_configs, with only the fields they set, in Prometheus key order', () => {
    const user = [
      RelabelRule.keep({ sourceLabels: ['__meta_kubernetes_service_label_app'], regex: 'web' }),
      RelabelRule.replace({ sourceLabels: ['__address__'], regex: '([^:]+):(\\d+)', separator: ';', targetLabel: 'host', replacement: '${1}' }),
      RelabelRule.hashMod({ sourceLabels: ['__address__'], modulus: 3, targetLabel: '__tmp_shard', separator: '|' }),
      RelabelRule.keepEqual({ sourceLabels: ['__meta_kubernetes_pod_container_port_number'], targetLabel: '__meta_kubernetes_endpointslice_port' }),
      RelabelRule.labelMap({ regex: '__meta_kubernetes_service_label_(.+)', replacement: 'svc_$1' }),
      RelabelRule.setLabel('team', 'a$b'),
    ];
    const rendered = serviceJob(user).relabel_configs.slice(-user.length);
    expect(rendered).toEqual([
      { source_labels: ['__meta_kubernetes_service_label_app'], regex: 'web', action: 'keep' },
      { source_labels: ['__address__'], separator: ';', regex: '([^:]+):(\\d+)', target_label: 'host', replacement: '${1}', action: 'replace' },
      { source_labels: ['__address__'], separator: '|', modulus: 3, target_label: '__tmp_shard', action: 'hashmod' },
      { source_labels: ['__meta_kubernetes_pod_container_port_number'], target_label: '__meta_kubernetes_endpointslice_port', action: 'keepequal' },
      { regex: '__meta_kubernetes_service_label_(.+)', replacement: 'svc_$1', action: 'labelmap' },
      { target_label: 'team', replacement: 'a$$b', action: 'replace' },
    ]);
    expect(Object.keys(rendered[1])).toEqual(['source_labels', 'separator', 'regex', 'target_label', 'replacement', 'action']);
    expect(Object.keys(rendered[2])).toEqual(['source_labels', 'separator', 'modulus', 'target_label', 'action']);
  });

  test('metric rules go into metric_relabel_configs', () => {
    const j = serviceJob([], [RelabelRule.drop({ sourceLabels: ['__name__'], regex: 'go_gc_.*' }), RelabelRule.labelDrop('id')]);
    expect(j.metric_relabel_configs).toEqual([
      { source_labels: ['__name__'], regex: 'go_gc_.*', action: 'drop' },
      { regex: 'id', action: 'labeldrop' },
    ]);
  });
});

describe('checks', () => {
  const svc = (rule: RelabelRule, scheme = NameValidationScheme.UTF8) => {
    const { chart, prometheus } = stack({ nameValidationScheme: scheme });
    return new ServiceScrape(chart, 's', { prometheus, relabelings: [rule] });
  };
  const metric = (rule: RelabelRule) => {
    const { chart, prometheus } = stack();
    return new ServiceScrape(chart, 's', { prometheus, metricRelabelings: [rule] });
  };
  const pod = (rule: RelabelRule) => {
    const { chart, prometheus } = stack();
    return new PodPortScrape(chart, 'p', { prometheus, relabelings: [rule] });
  };
  const node = (rule: RelabelRule) => {
    const { chart, prometheus } = stack();
    return new KubeletScrape(chart, 'k', { prometheus, relabelings: [rule] });
  };

  describe('actions that read source labels need at least one', () => {
    test.each<[string, RelabelRule]>([
      ['keep', RelabelRule.keep({ sourceLabels: [], regex: 'x' })],
      ['drop', RelabelRule.drop({ sourceLabels: [], regex: 'x' })],
      ['hashmod', RelabelRule.hashMod({ sourceLabels: [], modulus: 2, targetLabel: '__tmp_h' })],
      ['keepequal', RelabelRule.keepEqual({ sourceLabels: [], targetLabel: 'x' })],
      ['dropequal', RelabelRule.dropEqual({ sourceLabels: [], targetLabel: 'x' })],
      ['lowercase', RelabelRule.lowercase({ sourceLabels: [], targetLabel: 'x' })],
      ['uppercase', RelabelRule.uppercase({ sourceLabels: [], targetLabel: 'x' })],
    ])('%s', (action, rule) => {
      expect(() => svc(rule)).toThrow(`test/s: invalid relabelings[0].sourceLabels []: action ${action} needs at least one source label`);
    });

    test.each<[string, RelabelRule]>([
      ['replace', RelabelRule.setLabel('team', 'a')],
      ['labelmap', RelabelRule.labelMap({ regex: '__meta_kubernetes_service_label_(.+)' })],
      ['labeldrop', RelabelRule.labelDrop('x')],
      ['labelkeep', RelabelRule.labelKeep('.+')],
    ])('but %s does not', (_action, rule) => {
      expect(() => svc(rule)).not.toThrow();
    });
  });

  describe('hashmod modulus', () => {
    test.each([[0, '0'], [-1, '-1'], [2.5, '2.5'], [NaN, 'null']])('rejects %d', (modulus, shown) => {
      expect(() => svc(RelabelRule.hashMod({ sourceLabels: ['__address__'], modulus, targetLabel: '__tmp_h' })))
        .toThrow(`test/s: invalid relabelings[0].modulus ${shown}: hashmod needs a positive whole-number modulus`);
    });

    test.each([1, 2, 1000])('accepts %d', modulus => {
      expect(() => svc(RelabelRule.hashMod({ sourceLabels: ['__address__'], modulus, targetLabel: '__tmp_h' }))).not.toThrow();
    });
  });

  describe('replacement group references', () => {
    const replace = (regex: string | undefined, replacement: string) =>
      RelabelRule.replace({ sourceLabels: ['__address__'], regex, targetLabel: 'x', replacement });

    test.each<[string, string | undefined, string]>([
      ['$1 of the default (.*)', undefined, '$1'],
      ['$0, the whole match, of a regex without groups', 'abc', '$0'],
      ['$2 of two groups', '(a)(b)', '$2'],
      ['${2} of two groups', '(a)(b)', '${2}-${1}'],
      ['$1 of a named group', '(?P<host>.+)', '$1'],
      ['$3 of nested groups', '((a)(b))', '$3'],
    ])('accepts %s', (_what, regex, replacement) => {
      expect(() => svc(replace(regex, replacement))).not.toThrow();
    });

    test.each<[string | undefined, string, string, number]>([
      [undefined, '${2}', '2', 1],
      ['abc', '$1', '1', 0],
      ['(a)(?:b)', '$2', '2', 1],
      ['(a)(b)', '${1}:${3}', '3', 2],
    ])('rejects regex %j with replacement %j', (regex, replacement, group, groups) => {
      expect(() => svc(replace(regex, replacement))).toThrow(
        `test/s: invalid relabelings[0].replacement ${JSON.stringify(replacement)}: refers to group $${group} but the regex has ${groups} group(s)`);
    });

    test('rejects $1_suffix, read by Prometheus as a named group', () => {
      expect(() => svc(replace('(.*)', '$1_suffix')))
        .toThrow('test/s: invalid relabelings[0].replacement "$1_suffix": "$1_suffix" is read as the group named "1_suffix"; write "${1}_suffix"');
    });
  });

  describe('labelmap replacement', () => {
    const map = (replacement: string) => RelabelRule.labelMap({ regex: '__meta_kubernetes_service_label_app', replacement });

    test('a fixed name is checked under the stack\'s scheme', () => {
      expect(() => svc(map('my-app'), NameValidationScheme.LEGACY)).toThrow(
        'test/s: invalid relabelings[0].replacement "my-app": a label name must match [a-zA-Z_][a-zA-Z0-9_]* under the legacy validation scheme');
      expect(() => svc(map('my_app'), NameValidationScheme.LEGACY)).not.toThrow();
      expect(() => svc(map('my-app'), NameValidationScheme.UTF8)).not.toThrow();
    });

    test('an empty name is refused under both schemes', () => {
      for (const scheme of [NameValidationScheme.UTF8, NameValidationScheme.LEGACY]) {
        expect(() => svc(map(''), scheme)).toThrow('test/s: invalid relabelings[0].replacement "": a label name must be a non-empty string');
      }
    });
  });

  describe('target labels', () => {
    test('a written target must not be a __ label that is dropped after relabeling', () => {
      expect(() => svc(RelabelRule.copy('__address__', '__team')))
        .toThrow(/^test\/s: invalid relabelings\[0\]\.targetLabel "__team": labels beginning with "__" are dropped/);
      expect(() => svc(RelabelRule.lowercase({ sourceLabels: ['__address__'], targetLabel: '__x' })))
        .toThrow(/^test\/s: invalid relabelings\[0\]\.targetLabel "__x": labels beginning with "__" are dropped/);
      expect(() => svc(RelabelRule.copy('__address__', '__param_target'))).not.toThrow();
    });

    test('keepequal and dropequal read their target label: any valid name, but a meta label must exist for the role', () => {
      expect(() => svc(RelabelRule.keepEqual({ sourceLabels: ['__address__'], targetLabel: '__tmp_expected' }))).not.toThrow();
      expect(() => svc(RelabelRule.dropEqual({ sourceLabels: ['__address__'], targetLabel: '__meta_kubernetes_endpointslice_port' }))).not.toThrow();
      expect(() => pod(RelabelRule.keepEqual({ sourceLabels: ['__address__'], targetLabel: '__meta_kubernetes_pod_ip' }))).not.toThrow();
      expect(() => node(RelabelRule.keepEqual({ sourceLabels: ['__address__'], targetLabel: '__meta_kubernetes_pod_ip' }))).toThrow(
        /^test\/k: invalid relabelings\[0\]\.targetLabel "__meta_kubernetes_pod_ip": discovery role "node" never produces this meta label/);
      expect(() => svc(RelabelRule.keepEqual({ sourceLabels: ['__address__'], targetLabel: 'my-label' }), NameValidationScheme.LEGACY))
        .toThrow(/^test\/s: invalid relabelings\[0\]\.targetLabel "my-label": a label name must match/);
    });

    test('keepequal and dropequal take no separator other than the default', () => {
      expect(() => svc(RelabelRule.dropEqual({ sourceLabels: ['__address__'], targetLabel: 'x', separator: ',' })))
        .toThrow('test/s: invalid relabelings[0].separator ",": action dropequal takes no separator');
      expect(() => svc(RelabelRule.keepEqual({ sourceLabels: ['__address__'], targetLabel: 'x', separator: ';' }))).not.toThrow();
    });

    test('a templated target label is checked as a replacement', () => {
      expect(() => svc(RelabelRule.replace({ sourceLabels: ['__meta_kubernetes_service_name'], regex: '(.+)', targetLabel: 'svc_${1}' })))
        .not.toThrow();
      expect(() => svc(RelabelRule.replace({ sourceLabels: ['__meta_kubernetes_service_name'], regex: '(.+)', targetLabel: 'svc_$1_x' })))
        .toThrow(/^test\/s: invalid relabelings\[0\]\.targetLabel "svc_\$1_x": "\$1_x" is read as the group named "1_x"/);
    });
  });

  describe('source label names', () => {
    test('checked under the stack\'s scheme', () => {
      const rule = RelabelRule.keep({ sourceLabels: ['__address__', 'my-label'], regex: '.*' });
      expect(() => svc(rule, NameValidationScheme.LEGACY)).toThrow(
        'test/s: invalid relabelings[0].sourceLabels[1] "my-label": a label name must match [a-zA-Z_][a-zA-Z0-9_]* under the legacy validation scheme');
      expect(() => svc(rule, NameValidationScheme.UTF8)).not.toThrow();
    });
  });

  describe('meta labels', () => {
    test('gone in metric relabelings', () => {
      expect(() => metric(RelabelRule.drop({ sourceLabels: ['__meta_kubernetes_namespace'], regex: 'kube-system' }))).toThrow(
        'test/s: invalid metricRelabelings[0].sourceLabels[0] "__meta_kubernetes_namespace": meta labels are gone after the scrape; '
        + 'use them in relabelings, not metricRelabelings');
      expect(() => metric(RelabelRule.keepEqual({ sourceLabels: ['namespace'], targetLabel: '__meta_kubernetes_namespace' })))
        .toThrow(/^test\/s: invalid metricRelabelings\[0\]\.targetLabel "__meta_kubernetes_namespace": meta labels are gone after the scrape/);
      // the same rule on targets is fine
      expect(() => svc(RelabelRule.drop({ sourceLabels: ['__meta_kubernetes_namespace'], regex: 'kube-system' }))).not.toThrow();
    });

    test('one the role never produces', () => {
      expect(() => pod(RelabelRule.copy('__meta_kubernetes_endpointslice_port_name', 'port')))
        .toThrow(/^test\/p: invalid relabelings\[0\]\.sourceLabels\[0\] "__meta_kubernetes_endpointslice_port_name": discovery role "pod" never produces this meta label; it produces __meta_kubernetes_\{namespace,pod_name,pod_ip,pod_label_<name>,/);
      expect(() => node(RelabelRule.copy('__meta_kubernetes_namespace', 'namespace')))
        .toThrow(/^test\/k: invalid relabelings\[0\]\.sourceLabels\[0\] "__meta_kubernetes_namespace": discovery role "node" never produces this meta label; it produces __meta_kubernetes_\{node_name,node_provider_id,node_label_<name>,node_labelpresent_<name>,node_annotation_<name>,node_annotationpresent_<name>,node_address_<name>\}$/);
      expect(() => svc(RelabelRule.copy('__meta_kubernetes_endpointslice_port_name', 'port'))).not.toThrow();
    });

    test('labels outside __meta_kubernetes_ are not role-checked', () => {
      expect(() => node(RelabelRule.copy('__meta_other', 'x'))).not.toThrow();
    });

    test('a static-target job has none at all', () => {
      const scope = Testing.chart();
      const ctx = { scope, prop: 'relabelings[0]', role: undefined, scheme: NameValidationScheme.UTF8, metric: false };
      expect(() => checkRelabelRule(ctx, RelabelRule.copy('__meta_kubernetes_pod_name', 'pod'))).toThrow(
        'test: invalid relabelings[0].sourceLabels[0] "__meta_kubernetes_pod_name": this job has static targets: no Kubernetes discovery meta labels exist');
      expect(() => checkRelabelRule(ctx, RelabelRule.copy('__address__', 'target'))).not.toThrow();
      // the same rule with a role that produces it passes
      expect(() => checkRelabelRule({ ...ctx, role: DiscoveryRole.POD }, RelabelRule.copy('__meta_kubernetes_pod_name', 'pod'))).not.toThrow();
    });
  });
});
