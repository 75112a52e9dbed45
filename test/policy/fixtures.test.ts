import * as fs from 'fs';
import * as path from 'path';
import { BUILTIN_RULES, defaultRuleSet, evaluateDocker, evaluateDockerfiles, evaluateKubernetes, parseDockerfile, Rule, RuleSet } from '../../src';
import { parseText } from '../../src/cli/load';

/**
 * Every rule has a passing and a failing fixture (plain YAML under fixtures/<rule-id>/). The pass
 * file yields no finding of that rule; the fail file yields at least one, from every backend the
 * fixture covers (Kubernetes objects and/or Compose services). Dockerfile rules have
 * pass.Dockerfile and fail.Dockerfile instead.
 */
const dir = path.join(__dirname, 'fixtures');
const ruleSet: RuleSet = defaultRuleSet();

function fixture(rule: Rule, which: 'pass' | 'fail'): string {
  return path.join(dir, rule.id, rule.checkDockerfile ? `${which}.Dockerfile` : `${which}.yaml`);
}

function load(rule: Rule, which: 'pass' | 'fail') {
  const file = fixture(rule, which);
  const text = fs.readFileSync(file, 'utf8');
  if (rule.checkDockerfile) {
    const docker = evaluateDockerfiles([parseDockerfile(text, file)], ruleSet).filter((f) => f.ruleId === rule.id);
    return { objects: [], containers: [{ name: 'Dockerfile' }], k8s: [], docker };
  }
  const { objects, containers } = parseText(text, file);
  const k8s = evaluateKubernetes(objects, ruleSet).filter((f) => f.ruleId === rule.id);
  const docker = evaluateDocker(containers, ruleSet).filter((f) => f.ruleId === rule.id);
  return { objects, containers, k8s, docker };
}

test('there are at least 60 rules, and every rule has fixtures', () => {
  expect(BUILTIN_RULES.length).toBeGreaterThanOrEqual(60);
  const missing = BUILTIN_RULES.filter((r) => !fs.existsSync(fixture(r, 'pass')) || !fs.existsSync(fixture(r, 'fail')));
  expect(missing.map((r) => r.id)).toEqual([]);
  const orphans = fs.readdirSync(dir).filter((d) => !ruleSet.get(d));
  expect(orphans).toEqual([]);
});

describe.each(BUILTIN_RULES.map((r) => [r.id, r] as const))('%s', (id, rule) => {
  test('pass fixture yields no finding', () => {
    const r = load(rule, 'pass');
    expect(r.objects.length + r.containers.length).toBeGreaterThan(0);
    expect([...r.k8s, ...r.docker].map((f) => `${f.object.kind}/${f.object.name}: ${f.message}`)).toEqual([]);
  });

  test('fail fixture is flagged on every backend it covers', () => {
    const r = load(rule, 'fail');
    if (rule.appliesTo !== 'docker') {
      expect(r.objects.length).toBeGreaterThan(0);
      expect(r.k8s.length).toBeGreaterThan(0);
    }
    if (rule.appliesTo !== 'kubernetes') {
      expect(r.containers.length).toBeGreaterThan(0);
      expect(r.docker.length).toBeGreaterThan(0);
    }
    for (const f of [...r.k8s, ...r.docker]) {
      expect(f.severity).toBe(rule.severity);
      expect(f.fix).toBe(rule.fix);
      expect(f.message).not.toMatch(/could not be checked/);
    }
  });

  test('metadata is complete', () => {
    expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(rule.title.length).toBeGreaterThan(5);
    expect(rule.rationale.length).toBeGreaterThan(20);
    expect(rule.references?.length).toBeGreaterThan(0);
    expect(rule.fix.length).toBeGreaterThan(10);
    expect(['error', 'warning', 'info']).toContain(rule.severity);
  });
});
