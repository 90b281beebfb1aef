/**
 * The real promtool on the rules we synthesize: `promtool check rules` on every rules file, and
 * `promtool test rules` on the hand-written unit tests in e2e/rules/ (input series and the alerts
 * and values expected, worked out by hand). Every built-in alert must be tested firing and not
 * firing, and every built-in recording rule's value must be tested.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as path from 'path';
import { parse } from 'yaml';
import { distFiles, ROOT, tool, WORK } from './lib/tools';

const RULE_TESTS = path.join(ROOT, 'e2e', 'rules');

function promtool(args: string[], cwd = ROOT) {
  const res = spawnSync(tool('PROMTOOL'), args, { encoding: 'utf8', cwd });
  return { status: res.status, output: `${res.stdout}\n${res.stderr}` };
}

test('promtool check rules accepts every synthesized rules file', () => {
  const files = distFiles('.rules.yml');
  const { status, output } = promtool(['check', 'rules', ...files]);
  assert.equal(status, 0, output);
  const count = [...output.matchAll(/SUCCESS: (\d+) rules found/g)].reduce((n, m) => n + Number(m[1]), 0);
  console.log(`promtool check rules: ${files.length} files, ${count} rules`);
  assert.ok(count >= 20);
});

test('promtool test rules passes every unit test in e2e/rules', () => {
  const files = fs.readdirSync(RULE_TESTS).filter(f => f.endsWith('.test.yml')).sort();
  assert.ok(files.length >= 4);
  const { status, output } = promtool(['test', 'rules', ...files], RULE_TESTS);
  console.log(`promtool test rules: ${files.length} files, ${(output.match(/SUCCESS/g) ?? []).length} passed`);
  assert.equal(status, 0, output);
});

test('every built-in alert is tested firing and not firing; every recording rule is tested', () => {
  // Every synthesized rules file: each example's built-in sets.
  const rules = distFiles('.rules.yml').flatMap(f => parse(fs.readFileSync(f, 'utf8')).groups.flatMap((g: any) => g.rules));
  const tests = fs.readdirSync(RULE_TESTS).filter(f => f.endsWith('.test.yml'))
    .flatMap(f => parse(fs.readFileSync(path.join(RULE_TESTS, f), 'utf8')).tests);
  const alertTests = tests.flatMap((t: any) => t.alert_rule_test ?? []);
  const exprTests = tests.flatMap((t: any) => t.promql_expr_test ?? []);
  const missing: string[] = [];
  for (const r of rules) {
    if (r.alert) {
      if (!alertTests.some((a: any) => a.alertname === r.alert && (a.exp_alerts ?? []).length > 0)) missing.push(`${r.alert}: never tested firing`);
      if (!alertTests.some((a: any) => a.alertname === r.alert && (a.exp_alerts ?? []).length === 0)) missing.push(`${r.alert}: never tested silent`);
    } else if (!exprTests.some((e: any) => e.expr === r.record && (e.exp_samples ?? []).length > 0)) {
      missing.push(`${r.record}: value never tested`);
    }
  }
  console.log(`rule coverage: ${rules.filter((r: any) => r.alert).length} alerts, ${rules.filter((r: any) => r.record).length} recording rules`);
  assert.deepEqual(missing, []);
});

test('promtool rejects a rules file with a PromQL type error (the check can fail)', () => {
  const broken = path.join(WORK, 'broken.rules.yml');
  fs.mkdirSync(WORK, { recursive: true });
  fs.writeFileSync(broken, 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: rate(up)\n');
  const { status, output } = promtool(['check', 'rules', broken]);
  assert.notEqual(status, 0);
  assert.match(output, /range vector/);
});
