import { defaultRuleSet, evaluateKubernetes } from '../../src';
import { parseComposeBytes } from '../../src/policy/compose';
import { hasOwn, ownValue } from '../../src/spec/canonical';

/** Class 6: a user string never reaches a table's prototype (`toString`, `__proto__`, `constructor`). */
const KEYS = ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

test.each(KEYS)('own-property lookups ignore %s', (k) => {
  expect(hasOwn({ a: 1 }, k)).toBe(false);
  expect(ownValue({ a: 1 }, k)).toBeUndefined();
});

test.each(KEYS)('an audited object with apiVersion %s is not reported as a removed API (and nothing throws)', (k) => {
  const findings = evaluateKubernetes([{ object: { apiVersion: k, kind: 'Deployment', metadata: { name: 'x', namespace: 'y' } } }], defaultRuleSet());
  expect(findings.filter((f) => f.ruleId === 'no-removed-apis' || /removed in Kubernetes/.test(f.message))).toEqual([]);
});

test.each(KEYS.map((k) => `1${k.toLowerCase().replace(/_/g, '')}`))('Compose size %s is not a size', (s) => {
  expect(parseComposeBytes(s)).toBeUndefined();
});
