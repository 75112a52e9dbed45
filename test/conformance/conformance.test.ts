import * as fs from 'fs';
import * as path from 'path';
import { DIFFERENCES } from './differences';
import { BUILTIN_RULES, defaultRuleSet, evaluateKubernetes } from '../../src';
import { parseText } from '../../src/cli/load';
import { run } from '../../src/cli/main';

/**
 * Conformance with the linters the catalogue anchors to, on their own test data (copied
 * unchanged, with LICENSE and SOURCE, under polaris/ and kube-score/). A rule that names a
 * Polaris or kube-score check must agree with it on these files, or the difference is listed,
 * with its reason, in differences.ts.
 */
const ruleSet = defaultRuleSet();
const here = __dirname;

function rulesAnchoredTo(tool: 'polaris' | 'kubeScore', check: string): string[] {
  return BUILTIN_RULES.filter((r) => (r.anchors[tool] ?? []).includes(check)).map((r) => r.id);
}

/** Does any of these rules find something in the file? */
function flags(file: string, rules: readonly string[]): boolean {
  const { objects } = parseText(fs.readFileSync(file, 'utf8'), file, false);
  return evaluateKubernetes(objects, ruleSet).some((f) => rules.includes(f.ruleId) && !f.suppressed);
}

interface Case { tool: 'polaris' | 'kube-score'; check: string; file: string; expectFail: boolean; rules: string[] }

function polarisCases(): Case[] {
  const root = path.join(here, 'polaris', 'test', 'checks');
  const out: Case[] = [];
  for (const check of fs.readdirSync(root).sort()) {
    const rules = rulesAnchoredTo('polaris', check);
    if (!rules.length) continue;
    for (const f of fs.readdirSync(path.join(root, check)).sort()) {
      const m = /^(success|failure)/.exec(f);
      if (!m || !/\.ya?ml$/.test(f)) continue;
      out.push({ tool: 'polaris', check, file: `polaris/test/checks/${check}/${f}`, expectFail: m[1] === 'failure', rules });
    }
  }
  return out;
}

/** `testExpectedScore(t, "file.yaml", "Check Name", scorecard.GradeX)` in kube-score's Go tests. */
function kubeScoreCases(): Case[] {
  const dir = path.join(here, 'kube-score', 'score');
  const out: Case[] = [];
  const seen = new Set<string>();
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('_test.go')).sort()) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const m of text.matchAll(/testExpectedScore\(t, "([^"]+)", "([^"]+)", scorecard\.Grade(\w+)\)/g)) {
      const [, file, name, grade] = m;
      const check = name.toLowerCase().replace(/ /g, '-');
      const rules = rulesAnchoredTo('kubeScore', check);
      if (!rules.length || !['Critical', 'Warning', 'AllOK'].includes(grade)) continue;
      const key = `${check} ${file}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ tool: 'kube-score', check, file: `kube-score/score/testdata/${file}`, expectFail: grade !== 'AllOK', rules });
    }
  }
  return out;
}

const cases = [...polarisCases(), ...kubeScoreCases()];

test('the anchored checks have test data here', () => {
  expect(cases.filter((c) => c.tool === 'polaris').length).toBeGreaterThan(60);
  expect(cases.filter((c) => c.tool === 'kube-score').length).toBeGreaterThan(80);
});

describe.each(cases.map((c) => [`${c.tool} ${c.check} ${path.basename(c.file)}`, c] as const))('%s', (_name, c) => {
  const key = `${c.tool}:${c.check}:${c.file}`;
  const documented = DIFFERENCES[key];
  test(documented ? `differs, documented: ${documented}` : `agrees (${c.expectFail ? 'flagged' : 'clean'}) via ${c.rules.join(', ')}`, () => {
    const flagged = flags(path.join(here, c.file), c.rules);
    expect(flagged).toBe(documented ? !c.expectFail : c.expectFail);
  });
});

test('every documented difference is still a difference of an existing case', () => {
  const keys = new Set(cases.map((c) => `${c.tool}:${c.check}:${c.file}`));
  expect(Object.keys(DIFFERENCES).filter((k) => !keys.has(k))).toEqual([]);
});

describe('auditing the whole test-data trees', () => {
  test.each(['polaris', 'kube-score'])('%s: exits 0 or 1, never 2, and lists skipped files', (tool) => {
    let stdout = '';
    let stderr = '';
    const code = run(['audit', path.join(here, tool), '--format', 'json'], { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, isTTY: false });
    expect(stderr).toBe('');
    expect([0, 1]).toContain(code);
    const out = JSON.parse(stdout);
    expect(out.summary.objects).toBeGreaterThan(100);
    expect(Array.isArray(out.summary.skipped)).toBe(true);
    for (const s of out.summary.skipped) expect(s).toEqual({ file: expect.any(String), kind: expect.any(String), reason: expect.any(String) });
  });
});
