import * as fs from 'fs';
import * as path from 'path';
import { toSarif } from '../../src/cli/sarif';
import { BUILTIN_RULES, defaultRuleSet } from '../../src/policy/catalogue';
import { cli } from '../util/cli';

const root = path.resolve(__dirname, '../..');

/** Every text file under a folder (recursively), relative to the repository. */
function filesUnder(dir: string): string[] {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  if (fs.statSync(abs).isFile()) return [dir];
  return fs.readdirSync(abs).flatMap((n) => filesUnder(path.join(dir, n)));
}

describe('every rule cites public references users can open', () => {
  test.each(BUILTIN_RULES.map((r) => [r.id, r] as const))('%s', (_id, r) => {
    expect(r.references?.length).toBeGreaterThanOrEqual(1);
    for (const ref of r.references ?? []) {
      expect(ref.title.trim().length).toBeGreaterThan(3);
      expect(new URL(ref.url).protocol).toBe('https:');
    }
    // Beyond the anchor tools' check pages, each rule names a benchmark, a guide or the platform's docs.
    expect((r.references ?? []).some((x) => /cisecurity\.org|media\.defense\.gov|kubernetes\.io\/docs|docs\.docker\.com|owasp\.org/.test(x.url))).toBe(true);
  });

  test('explain prints the references with their URLs', () => {
    const r = cli('explain', 'run-as-non-root');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/References:\n {2}CIS Kubernetes Benchmark 5\.2\.7\n {4}https:\/\/www\.cisecurity\.org\/benchmark\/kubernetes\n/);
    expect(r.stdout).toContain('https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted');
    expect(r.stdout).toContain('https://docs.kubelinter.io/#/generated/checks?id=run-as-non-root');
  });

  test('rules --format json carries them', () => {
    const rules = JSON.parse(cli('rules', '--format', 'json').stdout);
    const rule = rules.find((x: any) => x.id === 'network-policy-required');
    expect(rule.references).toContainEqual({ title: 'Kubernetes: Network Policies', url: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/' });
    expect(rules.every((x: any) => x.references.length > 0)).toBe(true);
  });

  test('SARIF rules link their first reference as helpUri', () => {
    const sarif: any = toSarif([], defaultRuleSet(), '0.0.0');
    const rules = sarif.runs[0].tool.driver.rules;
    expect(rules).toHaveLength(BUILTIN_RULES.length);
    for (const r of rules) {
      const builtin = BUILTIN_RULES.find((b) => b.id === r.id)!;
      expect(r.helpUri).toBe(builtin.references![0].url);
    }
  });

  test('docs/rules.md lists every reference of every rule', () => {
    const doc = fs.readFileSync(path.join(root, 'docs/rules.md'), 'utf8');
    for (const r of BUILTIN_RULES) for (const x of r.references!) expect(doc).toContain(`[${x.title}](${x.url})`);
  });
});

describe('what ships cites no internal documents', () => {
  const shipped = ['src', 'docs', 'examples', 'bin', 'scripts', 'README.md']
    .flatMap(filesUnder)
    .filter((f) => /\.(ts|js|md|json|ya?ml)$|^bin\//.test(f));

  test('there is something to scan', () => {
    expect(shipped.length).toBeGreaterThan(50);
    expect(shipped).toContain(path.join('src', 'policy', 'rules', 'identity.ts'));
  });

  test.each(shipped)('%s', (file) => {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    expect(text).not.toMatch(/seed (report|dialog)/i);
    expect(text).not.toMatch(/§\s?[1-8]\b/);
    expect(text).not.toMatch(/\.\.\/shared\b|\/work\/shared/);
  });
});
