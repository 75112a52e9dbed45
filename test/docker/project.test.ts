/**
 * examples/docker is a complete Pulumi TypeScript project. Without the Pulumi CLI we do what it
 * would do: type-check the program with the project's own tsconfig.json (Pulumi type-checks by
 * default), then load the project directory the way the Node.js language host does (ts-node with
 * that tsconfig, package.json `main`), with `pulumi.runtime.setMocks` installed before the import,
 * and assert on what got registered. The package's own name is mapped onto src/ with tsconfig
 * `paths`, so this works before and after the package is compiled.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import * as YAML from 'yaml';
import { pulumiProjectFiles } from '../../src/docker';

const root = path.resolve(__dirname, '../..');
const project = path.join(root, 'examples', 'docker');
let tmp: string;
let tsconfig: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'docker-example-'));
  tsconfig = path.join(tmp, 'tsconfig.json');
  fs.writeFileSync(tsconfig, JSON.stringify({
    extends: path.join(project, 'tsconfig.json'),
    compilerOptions: {
      noEmit: true,
      baseUrl: root,
      paths: { 'hardened-constructs': ['src/index.ts'], 'hardened-constructs/docker': ['src/docker/index.ts'] },
    },
    files: [path.join(project, 'index.ts')],
  }));
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the project has the shape `pulumi new typescript` writes, plus a stack sample with docker:host', () => {
  const pulumiYaml = YAML.parse(fs.readFileSync(path.join(project, 'Pulumi.yaml'), 'utf8'));
  expect(pulumiYaml).toEqual({ name: 'shop-docker', runtime: { name: 'nodejs', options: { typescript: true } }, description: expect.any(String) });
  const stack = YAML.parse(fs.readFileSync(path.join(project, 'Pulumi.dev.yaml'), 'utf8'));
  expect(stack.config['docker:host']).toBe('unix:///var/run/docker.sock');
  expect(stack.config['shop-docker:publishAddress']).toBe('10.0.0.10');
  const pkg = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'));
  expect(pkg.main).toBe('index.ts');
  expect(Object.keys(pkg.dependencies).sort()).toEqual(['@pulumi/docker', '@pulumi/pulumi', 'hardened-constructs']);
  const tsc = JSON.parse(fs.readFileSync(path.join(project, 'tsconfig.json'), 'utf8'));
  expect(tsc.compilerOptions).toMatchObject({ strict: true, module: 'commonjs', moduleResolution: 'node', target: 'es2020' });
  // The committed files are what pulumiProjectFiles (also used by `hardened init`) writes.
  const generated = pulumiProjectFiles('shop-docker', { description: pulumiYaml.description, hardenedConstructs: 'file:../..', extraFiles: ['main.ts', 'spec.ts'] });
  for (const f of ['Pulumi.yaml', 'package.json', 'tsconfig.json']) expect(fs.readFileSync(path.join(project, f), 'utf8')).toBe(generated[f]);
  expect(fs.readFileSync(path.join(project, 'Pulumi.dev.yaml'), 'utf8').startsWith(generated['Pulumi.dev.yaml'])).toBe(true);
});

test('pulumiProjectFiles names: any input becomes a valid project name', () => {
  expect(Object.keys(pulumiProjectFiles('My App!'))).toEqual(['Pulumi.yaml', 'Pulumi.dev.yaml', 'package.json', 'tsconfig.json']);
  expect(YAML.parse(pulumiProjectFiles('My App!\nx: 1')['Pulumi.yaml']).name).toBe('My-App--x--1');
  expect(JSON.parse(pulumiProjectFiles('x', { entry: 'docker.ts' })['package.json']).main).toBe('docker.ts');
});

test('the program type-checks with the project tsconfig', () => {
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d: ts.Diagnostic) => { throw new Error(String(d.messageText)); } };
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, host)!;
  expect(parsed.options.moduleResolution).toBe(ts.ModuleResolutionKind.Node10);
  expect(parsed.options.strict).toBe(true);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n') + (d.file ? ` (${path.relative(root, d.file.fileName)})` : ''));
  expect(diagnostics).toEqual([]);
}, 600_000);

test('loaded like the language host does, under mocks, it registers the shop', () => {
  const out = path.join(tmp, 'resources.json');
  const host = path.join(tmp, 'host.js');
  // setMocks first, then require the project directory (package.json main → index.ts).
  fs.writeFileSync(host, `
    const pulumi = require(${JSON.stringify(require.resolve('@pulumi/pulumi'))});
    const fs = require('fs');
    const recorded = [];
    pulumi.runtime.setMocks({
      newResource: (a) => {
        recorded.push({ type: a.type, name: a.name, inputs: a.inputs });
        const state = { ...a.inputs };
        if (a.type === 'docker:index/remoteImage:RemoteImage') state.imageId = 'sha256:' + '0'.repeat(64);
        if (state.name === undefined) state.name = a.name;
        return { id: a.name + '-id', state };
      },
      call: (a) => a.inputs,
    }, 'shop-docker', 'dev', false).then(async () => {
      require(${JSON.stringify(project)});
      await pulumi.runtime.disconnect();
      fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify(recorded));
    }).catch((e) => { console.error(e && e.stack || e); process.exit(3); });
  `);
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', host], {
    cwd: project,
    env: { ...process.env, TS_NODE_PROJECT: tsconfig, PULUMI_CONFIG: JSON.stringify({ 'shop-docker:publishAddress': '10.1.2.3' }) },
    encoding: 'utf8',
    timeout: 580_000,
  });
  expect(r.stderr.split('\n').filter((l) => /error|TSError/i.test(l) && !l.startsWith('warning:') && !l.startsWith('info:'))).toEqual([]);
  expect(r.status).toBe(0);
  const resources = JSON.parse(fs.readFileSync(out, 'utf8'));
  const count = (t: string) => resources.filter((x: any) => x.type === t).length;
  expect(count('docker:index/container:Container')).toBe(11);
  expect(count('docker:index/network:Network')).toBe(6);
  expect(count('docker:index/remoteImage:RemoteImage')).toBe(5);
  const edge = resources.find((x: any) => x.name === 'shop-edge-0');
  // Stack configuration reaches the program.
  expect(edge.inputs.ports).toEqual([{ internal: 8080, external: 8080, ip: '10.1.2.3', protocol: 'tcp' }]);
  // The PIDs-limit gap is visible the way `pulumi preview` shows warnings.
  expect(r.stderr).toMatch(/^warning: \[runtime\] pids-limit: HardenedService api: shop-api-0, shop-api-1, shop-api-2: /m);
}, 600_000);

test('npm run example:docker prints the resources on stdout and the warnings on stderr', () => {
  const r = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', '-r', 'tsconfig-paths/register', '-P', 'test/tsconfig.json', 'scripts/run-docker-example.ts'], {
    cwd: root, encoding: 'utf8', timeout: 580_000, maxBuffer: 64 * 2 ** 20,
  });
  expect(r.status).toBe(0);
  const resources = JSON.parse(r.stdout);
  expect(resources.filter((x: any) => x.type === 'docker:index/container:Container')).toHaveLength(11);
  expect(r.stderr).toMatch(/^warning: \[runtime\] pids-limit: HardenedService worker: shop-worker-0, shop-worker-1: /m);
}, 600_000);
