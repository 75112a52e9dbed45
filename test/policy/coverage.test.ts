import { BUILTIN_RULES, defaultRuleSet } from '../../src/policy/catalogue';
import {
  coverage, COVERAGE_DIFFERENCES, formatCoverage, KUBE_LINTER_CHECKS, KUBE_LINTER_OPTIONAL_CHECKS,
  KUBE_SCORE_CHECKS, KUBE_SCORE_OPTIONAL_CHECKS, POLARIS_CHECKS,
} from '../../src/policy/coverage';

describe('coverage of the anchor tools\' default checks', () => {
  const entries = coverage(defaultRuleSet());

  test('every default check of the three tools has a row, once', () => {
    expect(entries).toHaveLength(44 + 33 + 31);
    expect([POLARIS_CHECKS.length, KUBE_SCORE_CHECKS.length, KUBE_LINTER_CHECKS.length]).toEqual([44, 33, 31]);
    const keys = entries.map((e) => `${e.tool}:${e.check}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('no default check is missing; differences are few and explained', () => {
    expect(entries.filter((e) => e.status === 'missing')).toEqual([]);
    const different = entries.filter((e) => e.status === 'different');
    expect(different.map((e) => `${e.tool}:${e.check}`).sort()).toEqual(Object.keys(COVERAGE_DIFFERENCES).sort());
    expect(different.length).toBeLessThanOrEqual(5);
    for (const e of different) expect(e.reason.length).toBeGreaterThan(40);
  });

  test('rows name the rules anchored to the check', () => {
    const row = entries.find((e) => e.tool === 'kube-score' && e.check === 'container-resources')!;
    expect(row).toEqual({ tool: 'kube-score', check: 'container-resources', status: 'covered', rules: expect.arrayContaining(['cpu-requests', 'cpu-limits', 'memory-requests', 'memory-limits']), reason: '' });
    expect(entries.find((e) => e.check === 'missingPodDisruptionBudget')).toMatchObject({ status: 'different', rules: ['pdb-required'] });
  });

  test('every anchor id in the catalogue is a real check of its tool (no typos)', () => {
    const known = {
      polaris: new Set(POLARIS_CHECKS),
      kubeScore: new Set([...KUBE_SCORE_CHECKS, ...KUBE_SCORE_OPTIONAL_CHECKS]),
      kubeLinter: new Set([...KUBE_LINTER_CHECKS, ...KUBE_LINTER_OPTIONAL_CHECKS]),
    };
    const unknown: string[] = [];
    for (const r of BUILTIN_RULES) {
      for (const tool of ['polaris', 'kubeScore', 'kubeLinter'] as const) {
        for (const id of r.anchors[tool] ?? []) if (!known[tool].has(id)) unknown.push(`${r.id} → ${tool}:${id}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  test('disabling the only rule of a check turns it into missing', () => {
    const rs = defaultRuleSet().withPack({ name: 'no-tls', disable: ['ingress-tls'] });
    expect(coverage(rs).find((e) => e.check === 'tlsSettingsMissing')).toMatchObject({ status: 'missing', rules: [] });
  });

  test('JSON and text formats', () => {
    const json = JSON.parse(formatCoverage(entries, 'json'));
    expect(json[0]).toEqual({ tool: 'polaris', check: 'deploymentMissingReplicas', status: 'different', rules: ['min-replicas'], reason: expect.any(String) });
    const text = formatCoverage(entries, 'text');
    expect(text).toMatch(/^108 checks: 106 covered, 2 different, 0 missing$/m);
  });
});
