import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { stringify } from 'yaml';
import { run } from '../../src/cli/main';
import { anyParsedValue } from '../util/poisoned';

/**
 * Malformed and hostile audit inputs: `hardened audit` exits 0, 1 or 2 with a message, and never
 * crashes or hangs.
 */
const numRuns = Number(process.env.FC_NUM_RUNS ?? 1000);
jest.setTimeout(300_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-fuzz-'));
let n = 0;

function audit(text: string, ext = '.yaml', format: 'text' | 'json' | 'sarif' = 'json'): { code: number; out: string; err: string } {
  const file = path.join(dir, `in-${n++}${ext}`);
  fs.writeFileSync(file, text);
  let out = '';
  let err = '';
  const started = Date.now();
  const code = run(['audit', file, '--format', format], { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, isTTY: false });
  fs.rmSync(file);
  if (Date.now() - started > 20_000) throw new Error('audit took longer than 20 s');
  return { code, out, err };
}

function expectOutcome(r: { code: number; out: string; err: string }): void {
  expect([0, 1, 2]).toContain(r.code);
  if (r.code === 2) {
    expect(r.err).toMatch(/^hardened audit: .+\n$/);
    expect(r.err.split('\n').length).toBe(2);
    expect(r.err).not.toMatch(/\n\s+at /);
  } else {
    expect(() => JSON.parse(r.out)).not.toThrow();
  }
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' }, annotations: { 'kube-score/ignore': 'x', 'polaris.fairwinds.com/exempt': 'false', 'ignore-check.kube-linter.io/no-read-only-root-fs': 'r', 'kube-linter.io/ignore-all': '' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        volumes: [{ name: 'd', hostPath: { path: '/var/run/docker.sock' } }],
        containers: [{ name: 'c', image: 'nginx:1.27', ports: [{ containerPort: 8080, name: 'http' }], env: [{ name: 'A', value: 'b' }], resources: { limits: { cpu: '1' } }, securityContext: { capabilities: { drop: ['ALL'] } }, readinessProbe: { httpGet: { path: '/', port: 'http' } } }],
      },
    },
  },
};

/** Replace the value at a random path of a JSON tree. */
function paths(x: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(x)) return [prefix, ...x.flatMap((v, i) => paths(v, [...prefix, i]))];
  if (x && typeof x === 'object') return [prefix, ...Object.entries(x).flatMap(([k, v]) => paths(v, [...prefix, k]))];
  return [prefix];
}
const allPaths = paths(deployment).filter((p) => p.length > 0);
function setAt(x: any, p: (string | number)[], v: unknown): any {
  const copy = structuredClone(x);
  let cur = copy;
  for (const k of p.slice(0, -1)) cur = cur[k];
  cur[p[p.length - 1]] = v;
  return copy;
}

const kinds = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'Service', 'NetworkPolicy', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'ServiceAccount', 'ConfigMap', 'Role', 'ClusterRoleBinding', 'Ingress', 'List', 'Widget'];

test('arbitrary text', () => {
  fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => expectOutcome(audit(text))), { numRuns });
});

test('YAML-looking text (indentation, flow collections, anchors, tags, document markers)', () => {
  const token = fc.constantFrom('---', '...', 'kind: Deployment', 'apiVersion: v1', 'metadata:', '  name: x', '- a', '[', ']', '{', '}', '&a', '*a', '!!binary', '!<tag>', ': ', 'spec:', '  containers: [{name: c, image: x}]', '"\\u00', "'", '#', '\t', 'services:', '  web: {image: nginx}');
  fc.assert(fc.property(fc.array(token, { maxLength: 30 }), fc.array(fc.constantFrom('\n', ' ', ''), { maxLength: 30 }), (tokens, seps) => {
    expectOutcome(audit(tokens.map((t, i) => `${t}${seps[i] ?? '\n'}`).join('')));
  }), { numRuns });
});

test('wrong types anywhere in a known kind', () => {
  fc.assert(fc.property(fc.constantFrom(...allPaths), anyParsedValue, fc.constantFrom(...kinds), (p, v, kind) => {
    const obj = setAt({ ...deployment, kind }, p, v);
    expectOutcome(audit(stringify(obj)));
    expectOutcome(audit(JSON.stringify(obj), '.json'));
  }), { numRuns });
});

test('arbitrary JSON documents, alone and in Lists', () => {
  fc.assert(fc.property(anyParsedValue, fc.constantFrom(...kinds), fc.boolean(), (v, kind, list) => {
    const doc = list ? { apiVersion: 'v1', kind: 'List', items: [v, { apiVersion: 'v1', kind, metadata: v, spec: v }] } : { apiVersion: 'v1', kind, metadata: { name: 'x' }, spec: v };
    expectOutcome(audit(stringify(doc)));
  }), { numRuns });
});

test('hostile Compose files', () => {
  fc.assert(fc.property(anyParsedValue, fc.constantFrom('image', 'ports', 'volumes', 'environment', 'deploy', 'healthcheck', 'logging', 'user', 'cap_add', 'networks', 'restart', 'security_opt', 'build', 'devices', 'expose', 'links', 'secrets', 'tmpfs', 'labels', 'depends_on', 'command', 'entrypoint', 'sysctls', 'mem_limit', 'cpus', 'pids_limit', 'read_only', 'network_mode'), (v, key) => {
    expectOutcome(audit(stringify({ services: { web: { image: 'nginx:1.27', [key]: v }, other: v } })));
  }), { numRuns });
});

test('huge inputs stay bounded', () => {
  const many = Array.from({ length: 1000 }, (_, i) => stringify({ ...deployment, metadata: { ...deployment.metadata, name: `web-${i}` } })).join('---\n');
  const r = audit(many);
  expect(r.code).toBe(1);
  expect(JSON.parse(r.out).summary.objects).toBe(1000);
  const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
  expectOutcome(audit(deep));
  const wide = stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'y' }, data: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 'v'.repeat(50)])) });
  expectOutcome(audit(wide));
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n');
  const b = audit(bomb);
  expect(b.code).toBe(2);
});
