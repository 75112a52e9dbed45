import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { BAD_INPUTS, runBadInput } from './catalogue';
import { defaultRuleSet } from '../../src';

const rules = defaultRuleSet();

test('the catalogue has at least 40 named bad inputs with unique ids', () => {
  expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(40);
  expect(new Set(BAD_INPUTS.map((b) => b.id)).size).toBe(BAD_INPUTS.length);
});

describe.each(BAD_INPUTS.map((b) => [b.id, b] as const))('%s', (_id, b) => {
  test('is refused with a HardeningError naming the rule, the field and the fix', () => {
    const e = runBadInput(b);
    expect(e).toBeDefined();
    expect(e.name).toBe('HardeningError');
    expect(e.ruleId).toBe(b.ruleId);
    expect(e.fieldPath).toBe(b.fieldPath);
    expect(e.fix.length).toBeGreaterThan(15);
    expect(e.message).toContain(`[${b.ruleId}]`);
    expect(e.message).toContain(b.fieldPath);
    expect(e.message).toMatch(/\n {2}fix: /);
    // Catalogue rule ids are real rules; spec/ ids are input validation.
    if (!b.ruleId.startsWith('spec/')) expect(rules.get(b.ruleId)).toBeDefined();
  });

  test('nothing is written', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-input-'));
    fs.writeFileSync(path.join(outdir, 'previous.k8s.yaml'), 'kept: true\n');
    const app = new App({ outdir });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    expect(() => b.build(chart)).toThrow();
    expect(fs.readdirSync(outdir)).toEqual(['previous.k8s.yaml']);
  });
});
