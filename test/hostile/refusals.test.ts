import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { CLASS_TITLES, HOSTILE, runHostile } from './cases';
import { defaultRuleSet } from '../../src';

const rules = defaultRuleSet();
jest.setTimeout(120_000);

test('at least 150 hostile inputs over the construct classes, unique ids', () => {
  expect(HOSTILE.length).toBeGreaterThanOrEqual(150);
  expect(new Set(HOSTILE.map((h) => h.id)).size).toBe(HOSTILE.length);
  for (const cls of [1, 3, 4, 5, 6, 7] as const) expect(HOSTILE.filter((h) => h.cls === cls).length).toBeGreaterThan(0);
  expect(Object.keys(CLASS_TITLES)).toHaveLength(8);
});

describe.each(HOSTILE.map((h) => [`${h.cls} ${h.id}`, h] as const))('%s', (_id, h) => {
  test('is refused with a HardeningError naming the rule and the field', () => {
    const e = runHostile(h);
    expect(e).toBeDefined();
    expect(e.name).toBe('HardeningError');
    expect({ ruleId: e.ruleId, fieldPath: e.fieldPath }).toEqual({ ruleId: h.ruleId, fieldPath: h.fieldPath });
    expect(e.fix.length).toBeGreaterThan(15);
    if (!h.ruleId.startsWith('spec/')) expect(rules.get(h.ruleId)).toBeDefined();
    // One line of message, one of fix: no input can add lines, drive the terminal or show a secret.
    expect(e.message.split('\n')).toHaveLength(2);
    expect(e.message).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    if (h.secret) expect(e.message).not.toContain(h.secret);
    // Long inputs are cut in messages.
    expect(e.message.length).toBeLessThan(4000);
  });
});

describe('refused inputs write nothing', () => {
  const sample = HOSTILE.filter((_h, i) => i % 7 === 0 || _h.atSynth);
  test.each(sample.map((h) => [h.id, h] as const))('%s', (_id, h) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-'));
    fs.writeFileSync(path.join(outdir, 'previous.k8s.yaml'), 'kept: true\n');
    const app = new App({ outdir });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    expect(() => {
      h.build(chart);
      app.synth();
    }).toThrow();
    expect(fs.readdirSync(outdir)).toEqual(['previous.k8s.yaml']);
    expect(fs.readFileSync(path.join(outdir, 'previous.k8s.yaml'), 'utf8')).toBe('kept: true\n');
  });
});
