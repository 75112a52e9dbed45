import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { buildShop } from '../../examples/shop/main';
import { cli } from '../util/cli';

const fixtures = path.join(__dirname, '..', 'flows', 'fixtures');
const cluster = path.join(fixtures, 'cluster.yaml');
const tight = path.join(fixtures, 'tight.yaml');

describe('hardened graph', () => {
  test('mermaid on stdout by default; dot with --format dot', () => {
    const m = cli('graph', tight);
    expect(m).toMatchObject({ code: 0, stderr: '' });
    expect(m.stdout.split('\n').slice(0, 2)).toEqual(['flowchart LR', '  subgraph ns0["kube-system"]']);
    expect(m.stdout).toContain('  n0 -->|"9000/TCP"| n1\n');
    const d = cli('graph', '--format', 'dot', tight);
    expect(d.code).toBe(0);
    expect(d.stdout).toContain('  n0 -> n1 [label="9000/TCP"];\n');
  });

  test('--out writes atomically, refuses to overwrite without --force, leaves no temporary file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'graph-'));
    const out = path.join(dir, 'traffic.html');
    const first = cli('graph', '--format', 'html', '--out', out, cluster);
    expect(first).toEqual({ code: 0, stdout: '', stderr: `hardened graph: wrote ${out} (10 workloads, 23 edges)\n` });
    const html = fs.readFileSync(out, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('data-edge="shop/web-&gt;shop/api"');
    expect(html).toContain('<tr><td>entry</td><td>HTTPRoute shop/api</td><td>shop/api</td><td>8080/TCP</td><td>dropped: ');
    expect(html).not.toMatch(/<script|src="http|href="http|@import|url\((?!#)/i);

    fs.writeFileSync(out, 'mine');
    const again = cli('graph', '--format', 'html', '--out', out, cluster);
    expect(again).toEqual({ code: 2, stdout: '', stderr: `hardened graph: --out ${out}: exists (pass --force to overwrite it)\n` });
    expect(fs.readFileSync(out, 'utf8')).toBe('mine');

    expect(cli('graph', '--format', 'html', '--out', out, '--force', cluster).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(html);
    expect(fs.readdirSync(dir)).toEqual(['traffic.html']);
  });

  test('bad input exits 2: no manifests, unwritable --out, malformed policy, unknown format', () => {
    expect(cli('graph')).toMatchObject({ code: 2, stderr: 'hardened graph: give the manifests to draw (files or folders, - for stdin)\n' });
    expect(cli('graph', '--out', '/nonexistent/dir/x.mmd', tight)).toMatchObject({ code: 2, stderr: expect.stringContaining('hardened graph: --out /nonexistent/dir/x.mmd: cannot write (ENOENT)') });
    expect(cli('graph', '--format', 'svg', tight).code).toBe(2);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'graph-'));
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p }\nspec:\n  podSelector: { matchExpressions: [{ key: a, operator: In }] }\n');
    expect(cli('graph', bad)).toMatchObject({ code: 2, stderr: `hardened graph: ${bad}: NetworkPolicy default/p: spec.podSelector.matchExpressions[0]: In needs values\n` });
  });

  test("the library's own example: every workload behind a policy, DNS reachable, each call drawn", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'graph-shop-'));
    const app = new App({ outdir: dir });
    buildShop(app);
    app.synth();
    const out = path.join(dir, 'graph.html');
    expect(cli('graph', '--format', 'html', '--out', out, dir).code).toBe(0);
    const html = fs.readFileSync(out, 'utf8');
    const workloads = [...html.matchAll(/data-node="([^"]+)" data-type="workload" data-kind="Deployment" data-namespace="[^"]+" data-open="(true|false)"/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(workloads.length).toBeGreaterThanOrEqual(3);
    for (const w of workloads) expect(w).toMatch(/ false$/);
    expect(html).toContain('data-edge="shop/web-&gt;shop/api"');
    expect(html).toContain('data-edge="shop/web-&gt;kube-system/kube-dns" data-from="shop/web" data-to="kube-system/kube-dns" data-type="flow" data-ports="53/TCP,53/UDP"');
  });

  test('help lists both commands; the commands load lazily', () => {
    const h = cli('--help');
    expect(h.stdout).toMatch(/verify-flows \[options\] \[paths\.\.\.\]/);
    expect(h.stdout).toMatch(/graph \[options\] \[paths\.\.\.\]/);
    const main = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts'), 'utf8');
    expect(main).not.toMatch(/^import .*(verify-flows|\.\/graph|flows\/)/m);
  });
});
