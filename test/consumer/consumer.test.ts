/**
 * The stranger: the packed package, installed into a new TypeScript project, used the way the
 * README says. Offline (the consumer's other packages are this repository's installed ones).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { linkPackage, Packed, packAndInstall, ROOT, run, RunResult, tsc } from './pack';
import { Snippet, snippets } from './snippets';

// Generous ceiling: packing compiles the package, and four type-checks run side by side.
jest.setTimeout(600_000);

/** The module settings consumers use, each type-checked with skipLibCheck off. */
const SETTINGS: Record<string, { module: string; moduleResolution: string }> = {
  'commonjs + node10': { module: 'commonjs', moduleResolution: 'node10' },
  'node16': { module: 'node16', moduleResolution: 'node16' },
  'nodenext': { module: 'nodenext', moduleResolution: 'nodenext' },
  'esnext + bundler': { module: 'esnext', moduleResolution: 'bundler' },
};

/** Both entry points, named the way a consumer imports them. */
const ENTRY_POINTS = `import { App, Chart } from 'cdk8s';
import { HardenedService, HardenedServiceSpec, HardeningError, Policy, Rule, RulePack, defaultRuleSet } from 'hardened-constructs';
import * as docker from 'hardened-constructs/docker';
import * as policy from 'hardened-constructs/policy';

export const spec: HardenedServiceSpec = {
  image: 'ghcr.io/acme/api:1.0.0', ports: [{ name: 'http', port: 8080 }], resources: 'small',
  probes: { readiness: { http: { path: '/readyz', port: 'http' } }, liveness: { http: { path: '/livez', port: 'http' } } },
};
export function k8sApp(): HardenedService {
  const app = new App();
  Policy.enforce(app, { failOn: 'error' });
  return new HardenedService(new Chart(app, 'c', { namespace: 'shop' }), 'api', spec);
}
export const dockerService: typeof docker.HardenedService = docker.HardenedService;
export const rules: readonly Rule[] = defaultRuleSet().rules;
export const pack: RulePack = { name: 'acme', rules: [], disable: ['priority-class'] };
export const sameRules: readonly policy.Rule[] = rules;
export const isHardeningError = (e: unknown): e is HardeningError => e instanceof HardeningError;
`;

let packed: Packed;
let programs: Snippet[];
const checks = new Map<string, RunResult>();

function tsconfig(setting: { module: string; moduleResolution: string }, files: readonly string[], extra: object = {}): object {
  return {
    compilerOptions: {
      ...setting,
      target: 'ES2022',
      lib: ['es2022'],
      types: ['node'],
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      esModuleInterop: true,
      ...extra,
    },
    files,
  };
}

beforeAll(async () => {
  packed = await packAndInstall(['cdk8s-cli', 'ts-node', 'typescript']);
  const docs = [['README.md', path.join(packed.installed, 'README.md')], ...fs.readdirSync(path.join(packed.installed, 'docs'))
    .filter((f) => f.endsWith('.md')).map((f) => [`docs/${f}`, path.join(packed.installed, 'docs', f)])];
  programs = docs.flatMap(([name, file]) => snippets(fs.readFileSync(file, 'utf8'), name));
  const src = path.join(packed.consumer, 'src');
  fs.mkdirSync(src);
  for (const p of programs) fs.writeFileSync(path.join(src, p.file), `// ${p.origin}\n${p.source}`);
  fs.writeFileSync(path.join(src, 'entry-points.ts'), ENTRY_POINTS);
  const files = ['src/entry-points.ts', ...programs.map((p) => `src/${p.file}`)];

  // The first setting also compiles every declaration the package ships, not only those the snippets reach.
  const declarations = packed.files.filter((f) => f.endsWith('.d.ts')).map((f) => `node_modules/hardened-constructs/${f}`);
  const names = Object.keys(SETTINGS);
  // The project's own tsconfig.json, as \`cdk8s init typescript-app\` writes one (ts-node reads it).
  fs.writeFileSync(path.join(packed.consumer, 'tsconfig.json'), JSON.stringify({ ...tsconfig(SETTINGS['commonjs + node10'], []), files: undefined, include: ['**/*.ts'], exclude: ['node_modules'] }));
  names.forEach((name, i) => fs.writeFileSync(path.join(packed.consumer, `tsconfig.${i}.json`), JSON.stringify(tsconfig(SETTINGS[name], i === 0 ? [...files, ...declarations] : files))));
  const results = await Promise.all(names.map((_n, i) => tsc(['-p', `tsconfig.${i}.json`], packed.consumer)));
  names.forEach((n, i) => checks.set(n, results[i]));
});

afterAll(() => {
  if (packed) fs.rmSync(packed.tmp, { recursive: true, force: true });
});

describe('the packed package', () => {
  test('ships the library, its sources, docs and README, and nothing of the repository machinery', () => {
    for (const f of ['package.json', 'README.md', 'LICENSE', 'bin/hardened', 'lib/index.js', 'lib/index.d.ts', 'lib/docker/index.js', 'lib/docker/index.d.ts', 'lib/policy/index.d.ts', 'src/index.ts', 'docs/rules.md', 'docs/extending.md']) {
      expect(packed.files).toContain(f);
    }
    expect(packed.files.filter((f) => /^(test|\.projen|projenrc|bench|scripts|\.ci)\//.test(f) || /^(tsconfig|\.projenrc|\.eslintrc)/.test(f))).toEqual([]);
  });

  test('has real metadata', () => {
    const m = packed.manifest;
    expect(m.version).toMatch(/^0\.[1-9]\d*\.\d+$|^0\.\d+\.[1-9]\d*$/);
    expect(m.license).toBe('Apache-2.0');
    expect(m.repository.url).toMatch(/^git\+https:\/\/github\.com\/[^/]+\/hardened-constructs\.git$/);
    expect(m.homepage).toMatch(/^https:\/\//);
    expect(m.keywords).toEqual(expect.arrayContaining(['cdk8s', 'kubernetes', 'pulumi', 'docker', 'security']));
    expect(m.typesVersions['*'].docker).toEqual(['lib/docker/index.d.ts']);
    expect(m.exports['./docker']).toEqual({ types: './lib/docker/index.d.ts', default: './lib/docker/index.js' });
  });

  test('every source map names files that ship', () => {
    const maps = packed.files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(50);
    const missing: string[] = [];
    for (const m of maps) {
      const map = JSON.parse(fs.readFileSync(path.join(packed.installed, m), 'utf8'));
      for (const s of map.sources as string[]) {
        const target = path.resolve(path.dirname(path.join(packed.installed, m)), map.sourceRoot ?? '', s);
        if (!target.startsWith(packed.installed + path.sep) || !fs.existsSync(target)) missing.push(`${m} → ${s}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('a stack trace (with source maps) names files that exist in node_modules', async () => {
    const script = `const { App, Chart } = require('cdk8s');
const { HardenedService } = require('hardened-constructs');
try {
  new HardenedService(new Chart(new App(), 'c', { namespace: 'shop' }), 'api', { image: 'nginx:latest', ports: [{ name: 'http', port: 8080 }], resources: 'small',
    probes: { readiness: { http: { path: '/readyz', port: 'http' } }, liveness: { http: { path: '/livez', port: 'http' } } } });
} catch (e) { console.log(JSON.stringify({ name: e.constructor.name, ruleId: e.ruleId, stack: e.stack })); }
`;
    const r = await run(process.execPath, ['--enable-source-maps', '-e', script], { cwd: packed.consumer });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out).toEqual(expect.objectContaining({ name: 'HardeningError', ruleId: 'image-tag-pinned' }));
    const frames = [...(out.stack as string).matchAll(/\(?((?:\/|[A-Za-z]:)[^():]+):\d+:\d+\)?/g)].map((m) => m[1]).filter((f) => f.includes('hardened-constructs'));
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.some((f) => f.endsWith('.ts'))).toBe(true);
    for (const f of frames) expect(fs.existsSync(f)).toBe(true);
  });

  test('README links resolve from the package (relative targets ship; others are https)', () => {
    const readme = fs.readFileSync(path.join(packed.installed, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) {
      if (/^[a-z]+:/i.test(link)) {
        expect(link).toMatch(/^https:\/\//);
      } else if (!link.startsWith('#')) {
        expect(packed.files).toContain(path.posix.normalize(link.split('#')[0]));
      }
    }
  });

  test('every shipped declaration compiles without skipLibCheck (commonjs + node10)', () => {
    const r = checks.get('commonjs + node10')!;
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('the README TypeScript type-checks in a consumer project, skipLibCheck off', () => {
  test('the README has TypeScript for both entry points', () => {
    const readme = programs.filter((p) => p.origin.startsWith('README.md'));
    expect(readme.length).toBeGreaterThanOrEqual(5);
    expect(readme.some((p) => p.source.includes("from 'hardened-constructs/docker'"))).toBe(true);
    expect(programs.some((p) => p.origin.startsWith('docs/extending.md'))).toBe(true);
  });

  test.each(Object.keys(SETTINGS))('%s', (name) => {
    const r = checks.get(name)!;
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('it runs', () => {
  test("the README's first program synthesizes, guarded", async () => {
    const first = programs[0];
    expect(first.origin).toMatch(/^README\.md:/);
    const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
    const js = ts.transpileModule(first.source, { compilerOptions }).outputText;
    fs.writeFileSync(path.join(packed.consumer, 'first.js'), js);
    const out = path.join(packed.tmp, 'first-out');
    const r = await run(process.execPath, ['first.js'], { cwd: packed.consumer, env: { ...process.env, CDK8S_OUTDIR: out } });
    expect(r.code).toBe(0);
    const docs = fs.readdirSync(out).flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(out, f), 'utf8')).map((d) => d.toJS()));
    expect(docs[0]).toEqual(expect.objectContaining({ kind: 'Namespace', metadata: expect.objectContaining({ name: 'shop' }) }));
    const api = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'api');
    expect(api.spec.template.spec.securityContext).toEqual(expect.objectContaining({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }));
    expect(api.spec.template.spec.containers[0].image).toBe('ghcr.io/acme/shop-api:2.3.1');
  });

  test('`cdk8s synth` (the cdk8s CLI) runs examples/shop against the installed package', async () => {
    // The example as a user copies it: its cdk8s.yaml, main.ts and spec.ts, in a project that
    // depends on the package, cdk8s-cli and ts-node (what `cdk8s init typescript-app` sets up).
    const app = path.join(packed.consumer, 'shop');
    fs.mkdirSync(app);
    for (const f of ['cdk8s.yaml', 'main.ts', 'spec.ts']) fs.copyFileSync(path.join(ROOT, 'examples', 'shop', f), path.join(app, f));
    const bin = path.join(packed.consumer, 'node_modules', '.bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js'), path.join(bin, 'ts-node'));
    linkPackage(path.join(packed.consumer, 'node_modules'), 'ts-node');
    const out = path.join(packed.tmp, 'shop-out');
    const r = await run(process.execPath, [path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--no-check-upgrade', '--output', out], {
      cwd: app,
      env: { ...process.env, npm_config_offline: 'true', npm_config_yes: 'false' },
    });
    // The only thing on stderr is the synthesis summary of the policy guard.
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.stringMatching(/^hardened-constructs: \d+ objects checked against \d+ rules: 0 errors, 0 warnings, 0 info, 0 suppressed\n$/) });
    expect(r.stdout).toContain('Synthesizing application');
    const docs = parseAllDocuments(fs.readFileSync(path.join(out, 'app.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    expect(docs.filter((d) => d.kind === 'Deployment').map((d) => d.metadata.name).sort()).toEqual(['api', 'web', 'worker']);
  });

  test('the README says how to run the example with the cdk8s CLI, and the example has a cdk8s.yaml', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('npm run compile && cd examples/shop && npx cdk8s synth --no-check-upgrade');
    expect(fs.readFileSync(path.join(ROOT, 'examples', 'shop', 'cdk8s.yaml'), 'utf8')).toMatch(/^app: npx ts-node --transpile-only main\.ts$/m);
  });
});
