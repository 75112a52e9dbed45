import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXIT_INTERNAL, run } from '../../src/cli/main';
import { DEFAULT_SYNTH_TIMEOUT_SECONDS } from '../../src/cli/synth';
import { cli } from '../util/cli';

/**
 * `hardened synth` against hostile apps and output folders: one-line messages, the documented exit
 * codes, no staging folder left behind, and the output folder unchanged unless the new manifests
 * are written whole and audit clean.
 */
jest.setTimeout(240_000);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-synth-'));

/** Every file below `dir`, with contents. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

function appDir(name: string, source: string): { dir: string; main: string; dist: string } {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'dist', 'old.k8s.yaml'), 'kept: true\n');
  fs.writeFileSync(path.join(dir, 'main.ts'), source);
  return { dir, main: path.join(dir, 'main.ts'), dist: path.join(dir, 'dist') };
}

const noStaging = (dir: string) => expect(fs.readdirSync(dir).filter((f) => f.includes('hardened-synth'))).toEqual([]);

const GOOD = `import { App, Chart } from 'cdk8s';
import { HardenedService, Peer } from 'hardened-constructs';
const app = new App();
new HardenedService(new Chart(app, 'shop', { namespace: 'shop' }), 'api', {
  image: 'ghcr.io/acme/api:1.2.3', ports: [{ name: 'http', port: 8080 }], resources: 'small',
  probes: { readiness: { http: { path: '/readyz', port: 'http' } }, liveness: { http: { path: '/livez', port: 'http' } } },
  ingress: [{ from: Peer.ingressController() }],
});
app.synth();
`;

test('the default timeout is documented and positive', () => {
  expect(DEFAULT_SYNTH_TIMEOUT_SECONDS).toBe(120);
  expect(fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8')).toContain('--timeout');
});

test('an app that never exits is stopped after --timeout: exit 2, output unchanged, no staging left', () => {
  const a = appDir('hang', 'setInterval(() => undefined, 1000);\n');
  const before = snapshot(a.dir);
  const r = cli('synth', a.main, '--timeout', '3');
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/did not finish within 3 s and was stopped .*--timeout <seconds>/);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(snapshot(a.dir)).toEqual(before);
  noStaging(a.dir);
});

test('an app that sets its own outdir and writes a privileged pod without the guard: audited where it would have written, refused, exit 1', () => {
  const a = appDir('elsewhere', `import { App, Chart, ApiObject } from 'cdk8s';
const app = new App({ outdir: 'elsewhere' });
const chart = new Chart(app, 'x', { namespace: 'x' });
new ApiObject(chart, 'pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'evil', namespace: 'x' },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36', securityContext: { privileged: true } }] } });
app.synth();
`);
  const before = snapshot(a.dir);
  const r = cli('synth', a.main);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('sets outdir "elsewhere"');
  expect(r.stdout).toContain('no-privileged');
  expect(r.stderr).toContain('nothing written');
  expect(fs.existsSync(path.join(a.dir, 'elsewhere'))).toBe(false);
  expect(snapshot(a.dir)).toEqual(before);
  noStaging(a.dir);
});

test('an app that crashes: exit 2, its output redacted, dist unchanged', () => {
  const a = appDir('crash', "throw new Error('cannot reach https://deploy:Zq7SENTINELx4f1c9@registry.example.com');\n");
  const before = snapshot(a.dir);
  const r = cli('synth', a.main);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('failed (');
  expect(r.stderr).not.toContain('Zq7SENTINELx4f1c9');
  expect(snapshot(a.dir)).toEqual(before);
  noStaging(a.dir);
});

test('a good app replaces the old manifests by rename, exit 0, nothing else left', () => {
  const a = appDir('good', GOOD);
  fs.writeFileSync(path.join(a.dist, 'notes.txt'), 'mine\n');
  const r = cli('synth', a.main);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(fs.readdirSync(a.dist).sort()).toEqual(['notes.txt', 'shop.k8s.yaml']);
  expect(fs.readFileSync(path.join(a.dist, 'shop.k8s.yaml'), 'utf8')).toContain('kind: Deployment');
  noStaging(a.dir);
});

describe('output folders that cannot be written: one line, exit 2, nothing left behind', () => {
  const a = appDir('outputs', GOOD);
  test('--out is a file', () => {
    const file = path.join(a.dir, 'file.txt');
    fs.writeFileSync(file, 'x');
    const r = cli('synth', a.main, '--out', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hardened synth: .*file\.txt exists and is not a folder/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.readFileSync(file, 'utf8')).toBe('x');
    noStaging(a.dir);
  });
  test('--out below a file (ENOTDIR)', () => {
    const file = path.join(a.dir, 'plain');
    fs.writeFileSync(file, 'x');
    const r = cli('synth', a.main, '--out', path.join(file, 'dist'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hardened synth: cannot .*(ENOTDIR|EEXIST)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
  test('--out on a read-only file system (EROFS) or missing proc entry', () => {
    const r = cli('synth', a.main, '--out', '/proc/hardened-synth-test/dist');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hardened synth: cannot /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
  test('--timeout that is not a number', () => {
    const r = cli('synth', a.main, '--timeout', 'soon');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--timeout .* is not a positive number of seconds/);
  });
  test('the app is a folder', () => {
    const r = cli('synth', a.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`hardened synth: ${a.dir}: not a regular file\n`);
  });
  test('the app does not exist', () => {
    expect(cli('synth', path.join(a.dir, 'nope.ts')).code).toBe(2);
  });
});

test('an internal failure exits 70, never 1, with one redacted line', () => {
  let stderr = '';
  const code = run(['rules'], {
    stdout: () => { throw new Error('write EPIPE while printing --password=Zq7SENTINELx4f1c9'); },
    stderr: (s) => { stderr += s; },
    isTTY: false,
  });
  expect(code).toBe(EXIT_INTERNAL);
  expect(EXIT_INTERNAL).toBe(70);
  expect(stderr).toMatch(/^hardened: internal error: write EPIPE/);
  expect(stderr).not.toContain('Zq7SENTINELx4f1c9');
});
