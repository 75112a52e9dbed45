import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { defaultRuleSet, evaluateKubernetes } from '../../src';
import { run } from '../../src/cli/main';
import { recordResources } from '../../src/docker';
import { expectValidObjects } from '../util/k8s-schema';
import { pssRestrictedViolations } from '../util/pss';

jest.setTimeout(120_000);
const inputs = path.join(__dirname, 'compose');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'init-'));

function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = run(args, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, isTTY: false });
  return { code, stdout, stderr };
}

function convert(name: string) {
  const out = path.join(root, name);
  const init = cli('init', '--from-compose', path.join(inputs, `${name}.yaml`), '--out', out, '--name', name);
  const synth = init.code === 0 ? cli('synth', path.join(out, 'main.ts')) : undefined;
  const objects = synth?.code === 0
    ? fs.readdirSync(path.join(out, 'dist')).flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(out, 'dist', f), 'utf8')).map((d) => d.toJS()))
    : [];
  const read = (f: string) => fs.readFileSync(path.join(out, f), 'utf8');
  return { out, init, synth, objects, read };
}

const cases: [string, { services: string[]; databases: string[]; refused: Record<string, string> }][] = [
  ['web-postgres', { services: ['web'], databases: ['db'], refused: {} }],
  ['api-redis', { services: ['api'], databases: ['redis'], refused: {} }],
  ['wordpress-mysql', { services: ['wordpress'], databases: ['db'], refused: {} }],
  ['reverse-proxy', { services: ['app', 'proxy'], databases: [], refused: {} }],
  ['build-from-source', { services: ['rabbit', 'worker'], databases: [], refused: {} }],
  ['host-networking', { services: ['app'], databases: [], refused: { 'node-exporter': 'no-host-network', 'agent': 'restrict-added-capabilities', 'builder': 'no-docker-socket' } }],
];

describe.each(cases)('%s', (name, expected) => {
  const r = convert(name);

  test('converts, and the generated app synthesizes without edits', () => {
    expect(r.init.stderr).toBe('');
    expect(r.init.code).toBe(0);
    expect(fs.readdirSync(r.out).sort()).toEqual(['MIGRATION.md', 'cdk8s.yaml', 'dist', 'docker.ts', 'main.ts', 'package.json', 'spec.ts']);
    expect(r.synth!.stderr).toBe('');
    expect(r.synth!.code).toBe(0);
  });

  test('the manifests: strict 1.28 schema, Pod Security "restricted", the rule catalogue', () => {
    expectValidObjects(r.objects);
    expect(pssRestrictedViolations(r.objects)).toEqual([]);
    const findings = evaluateKubernetes(r.objects.map((object) => ({ object })), defaultRuleSet()).filter((f) => !f.suppressed);
    expect(findings.map((f) => `${f.ruleId} ${f.object.kind}/${f.object.name}`)).toEqual([]);
  });

  test('services, databases and refusals', () => {
    const kinds = (k: string) => r.objects.filter((o) => o.kind === k).map((o) => o.metadata.name).sort();
    expect(kinds('Deployment')).toEqual(expected.services);
    expect(kinds('StatefulSet')).toEqual(expected.databases);
    const md = r.read('MIGRATION.md');
    for (const [svc, rule] of Object.entries(expected.refused)) {
      expect(r.init.stdout).toContain(`refused ${svc}: [${rule}]`);
      expect(md).toContain(`## ${svc} (not converted)`);
      expect(md).toContain(`Refused: \`${rule}\``);
    }
  });

  test('MIGRATION.md lists every change and TODO with its rule id', () => {
    const md = r.read('MIGRATION.md');
    for (const svc of [...expected.services, ...expected.databases]) expect(md).toMatch(new RegExp(`## ${svc} \\((HardenedService|StatefulDatabase)\\)`));
    expect(md).toContain('`drop-all-capabilities`');
    const spec = r.read('spec.ts');
    const todoRelaxations = (spec.match(/TODO/g) ?? []).length;
    expect(md.split('\n').filter((l) => l.startsWith('- ')).length).toBeGreaterThanOrEqual(todoRelaxations);
  });

  test('no literal secret value from the Compose file appears in any generated file or manifest', () => {
    const compose = fs.readFileSync(path.join(inputs, `${name}.yaml`), 'utf8');
    const secretValues = [...compose.matchAll(/(PASSWORD|SECRET|KEY|TOKEN)[A-Z_]*["']?\s*[:=]\s*["']?([A-Za-z0-9\-_]{4,})/g)].map((m) => m[2]).filter((v) => !/^(db|redis|wordpress|example\b)$/.test(v));
    // Passwords inside URLs (DSNs, broker URLs), whatever the variable is called.
    secretValues.push(...[...compose.matchAll(/:\/\/[^\s/@:]*:([^\s/@]{4,})@/g)].map((m) => m[1]));
    const generated = ['spec.ts', 'main.ts', 'docker.ts', 'MIGRATION.md', 'package.json'].map(r.read).join('\n') + JSON.stringify(r.objects);
    for (const v of secretValues) expect(generated).not.toContain(v);
  });

  test('the Docker twin registers hardened containers under mocks', async () => {
    const resources = await recordResources(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(r.out, 'docker.ts'));
    }, { project: name });
    const containers = resources.filter((x) => x.type === 'docker:index/container:Container').map((x) => x.inputs as any);
    expect(containers.length).toBeGreaterThan(0);
    for (const c of containers) {
      expect(c.user).toBe('10001:10001');
      expect(c.capabilities.drops).toEqual(['ALL']);
      expect(c.securityOpts).toEqual(['no-new-privileges:true']);
    }
  });
});

describe('init refuses bad input with exit 2', () => {
  test.each([
    ['a schema error names the service and field', 'services:\n  web:\n    image: nginx:1.27\n    ports: 8080\n', /service 'web', field ports: must be array/],
    ['an unknown service key', 'services:\n  web:\n    image: nginx:1.27\n    colour: blue\n', /service 'web': must NOT have additional properties 'colour'/],
    ['malformed YAML', 'services:\n  web: [\n', /bad.yaml:\d+:\d+: malformed YAML/],
    ['not a Compose file', 'kind: Deployment\n', /not a Compose file/],
  ])('%s', (_n, text, message) => {
    const file = path.join(root, 'bad.yaml');
    fs.writeFileSync(file, text);
    const r = cli('init', '--from-compose', file, '--out', path.join(root, `bad-${Math.random()}`));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  test('a non-empty output folder without --force', () => {
    const out = path.join(root, 'busy');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'keep.txt'), 'x');
    expect(cli('init', '--from-compose', path.join(inputs, 'web-postgres.yaml'), '--out', out).code).toBe(2);
  });
});

describe('hardened synth', () => {
  test('a refused app leaves dist/ as it was and exits 1', () => {
    const dir = path.join(root, 'refused-app');
    fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dist', 'old.k8s.yaml'), 'kept: true\n');
    fs.writeFileSync(path.join(dir, 'main.ts'), `import { App, Chart } from 'cdk8s';
import { HardenedService } from 'hardened-constructs';
const app = new App();
new HardenedService(new Chart(app, 'x', { namespace: 'x' }), 'web', { image: 'nginx:latest', ports: [{ name: 'http', port: 8080 }], resources: 'small' } as any);
app.synth();
`);
    const r = cli('synth', path.join(dir, 'main.ts'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[image-tag-pinned]');
    expect(fs.readdirSync(path.join(dir, 'dist'))).toEqual(['old.k8s.yaml']);
  });

  test('a missing app exits 2', () => {
    expect(cli('synth', path.join(root, 'nope.ts')).code).toBe(2);
  });
});
