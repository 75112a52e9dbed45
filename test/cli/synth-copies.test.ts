import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App as OwnApp, Chart } from 'cdk8s';
import { HardenedService, Peer } from '../../src';
import { run } from '../../src/cli/main';

/**
 * Two copies of cdk8s: the app's own, and another one beside hardened-constructs (what a package
 * installed from a linked folder brings: `file:../clone`, `npm link`). Objects of one copy cannot be
 * rendered by the other; `hardened synth` shares the app's copy, and a construct placed in an App of
 * another copy is refused with the fix instead of cdk8s's "can't render non-simple object".
 */
jest.setTimeout(240_000);
const repo = path.join(__dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hardened-copies-'));
const modules = path.join(dir, 'node_modules');
fs.mkdirSync(modules);
// A real copy of cdk8s (another module instance); the rest shared with the repository.
fs.cpSync(path.join(repo, 'node_modules', 'cdk8s'), path.join(modules, 'cdk8s'), { recursive: true, dereference: true });
for (const m of ['constructs', 'cdk8s-plus-28']) fs.symlinkSync(path.join(repo, 'node_modules', m), path.join(modules, m), 'dir');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const props = {
  image: 'ghcr.io/acme/api:1.2.3',
  ports: [{ name: 'http', port: 8080 }],
  resources: 'small' as const,
  probes: { readiness: { http: { path: '/readyz', port: 'http' } }, liveness: { http: { path: '/livez', port: 'http' } } },
  ingress: [{ from: Peer.ingressController() }],
};

test('a construct in an App of another cdk8s copy is refused with the fix', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const other = require(path.join(modules, 'cdk8s')) as typeof import('cdk8s');
  expect(other.App).not.toBe(OwnApp);
  const chart = new other.Chart(new other.App(), 'shop', { namespace: 'shop' }) as unknown as Chart;
  expect(() => new HardenedService(chart, 'api', props)).toThrow(expect.objectContaining({
    name: 'HardeningError',
    ruleId: 'spec/cdk8s-copies',
    fieldPath: 'scope',
    fix: expect.stringContaining('npm ls cdk8s'),
  }));
});

test('an App of the library\'s own copy is accepted (the check costs nothing there)', () => {
  const app = new OwnApp();
  new HardenedService(new Chart(app, 'shop', { namespace: 'shop' }), 'api', props);
  expect(app.synthYaml()).toContain('kind: Deployment');
});

test('hardened synth renders an app whose cdk8s is not the copy beside the library', () => {
  fs.writeFileSync(path.join(dir, 'main.ts'), `import { App, Chart } from 'cdk8s';
import { HardenedService, Peer } from 'hardened-constructs';
if (!require.resolve('cdk8s').startsWith(${JSON.stringify(modules)})) throw new Error('the app should load its own cdk8s copy');
const app = new App();
new HardenedService(new Chart(app, 'shop', { namespace: 'shop' }), 'api', ${JSON.stringify(props)});
app.synth();
`);
  let stdout = '';
  let stderr = '';
  const code = run(['synth', path.join(dir, 'main.ts'), '--out', path.join(dir, 'dist')], { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, isTTY: false });
  expect({ code, stderr }).toEqual({ code: 0, stderr: expect.not.stringContaining('non-simple') });
  expect(stdout).toContain('Wrote 1 manifest file(s)');
  expect(fs.readFileSync(path.join(dir, 'dist', 'shop.k8s.yaml'), 'utf8')).toContain('name: api');
});
