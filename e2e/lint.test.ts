/**
 * kube-score on every synthesized manifest. Findings (CRITICAL and WARNING) fail the test unless
 * e2e/lint-exemptions.json lists them with a reason. kube-linter is not served by the Go module
 * proxy (see e2e/tools/README.md); kube-score and the API server's Pod Security admission
 * (e2e/cluster.test.ts) cover its intent.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as os from 'os';
import * as path from 'path';
import { distFiles, ROOT, tool } from './lib/tools';

interface Exemption { object: string; finding: string; reason: string }

const exemptions: Exemption[] = JSON.parse(fs.readFileSync(path.join(ROOT, 'e2e', 'lint-exemptions.json'), 'utf8')).exemptions;

function kubeScore(files: string[]): string[] {
  let out: string;
  try {
    out = execFileSync(tool('KUBE_SCORE'), ['score', '--output-format', 'ci', ...files], { encoding: 'utf8' });
  } catch (e: any) {
    // kube-score exits 1 when it reports CRITICAL findings; the output is what we judge.
    if (typeof e.stdout !== 'string' || e.stdout.length === 0) throw e;
    out = e.stdout;
  }
  return out.split('\n').filter(l => /^\[(CRITICAL|WARNING)\]/.test(l));
}

test('every exemption has a one-line reason', () => {
  assert.ok(exemptions.length > 0);
  for (const e of exemptions) {
    assert.ok(e.reason && e.reason.length > 20 && !e.reason.includes('\n'), `exemption without a reason: ${JSON.stringify(e)}`);
  }
});

test('kube-score reports nothing unexempted on the example manifests', () => {
  const files = distFiles('.k8s.yaml');
  const findings = kubeScore(files);
  const unexempted = findings.filter(f => !exemptions.some(e => f.includes(e.object) && f.includes(e.finding)));
  console.log(`kube-score: ${files.length} manifests, ${findings.length} findings, ${findings.length - unexempted.length} exempted`);
  assert.deepEqual(unexempted, []);
});

test('kube-score itself flags a bad manifest (the check can fail)', () => {
  const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kube-score-')), 'bad.yaml');
  fs.writeFileSync(bad, [
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: bad}',
    'spec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: "nginx:latest", securityContext: {privileged: true}}]}}}',
  ].join('\n'));
  const findings = kubeScore([bad]);
  assert.ok(findings.some(f => f.includes('privileged')), findings.join('\n'));
});
