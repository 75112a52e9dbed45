import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cli } from '../util/cli';

const fixtures = path.join(__dirname, '..', 'flows', 'fixtures');
const cluster = path.join(fixtures, 'cluster.yaml');
const tight = path.join(fixtures, 'tight.yaml');
const flowsFile = path.join(fixtures, 'flows.yaml');

function flows(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flows-'));
  const f = path.join(dir, 'flows.yaml');
  fs.writeFileSync(f, text);
  return f;
}

describe('hardened verify-flows', () => {
  test('every listed flow allowed: exit 0, text report', () => {
    const r = cli('verify-flows', '--flows', flowsFile, cluster);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      'allowed     shop/web -> shop/api:8080/TCP',
      'allowed     shop/api -> shop/db:5432/TCP',
      'allowed     shop/api -> shop/cache:6379/TCP',
      'allowed     shop/report -> shop/cache:6379/TCP',
      'allowed     shop/report -> shop/api:8080/TCP',
      'allowed     monitoring/prometheus -> shop/api:9090/TCP',
      'note        no DNS (kube-system/kube-dns 53/UDP+TCP) from: monitoring/prometheus',
      '6 flows: 6 allowed, 0 blocked (9 workloads, 11 NetworkPolicies)',
      '',
    ].join('\n'));
  });

  test('--strict: every other allowed pair on declared ports is unexpected (exit 1); JSON entries {from,to,port,protocol}', () => {
    const r = cli('verify-flows', '--flows', flowsFile, cluster, '--strict', '--format', 'json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['allowed', 'blocked', 'unexpected', 'warnings', 'summary']);
    expect(out.allowed[0]).toEqual({ from: 'shop/web', to: 'shop/api', port: 8080, protocol: 'TCP' });
    expect(out.unexpected.map((e: any) => `${e.from} ${e.to}:${e.port}/${e.protocol}`)).toEqual([
      'monitoring/prometheus monitoring/node-agent:9100/TCP',
      'monitoring/node-agent shop/db:5432/TCP',
      'monitoring/node-agent monitoring/prometheus:9090/TCP',
      'monitoring/node-agent legacy/old:80/TCP',
      'legacy/old monitoring/prometheus:9090/TCP',
      'legacy/old monitoring/node-agent:9100/TCP',
      'legacy/old monitoring/node-agent:8125/UDP',
      'default/debug monitoring/prometheus:9090/TCP',
      'default/debug monitoring/node-agent:9100/TCP',
      'default/debug monitoring/node-agent:8125/UDP',
      'default/debug legacy/old:80/TCP',
    ]);
    expect(out.unexpected[1].reason).toBe('monitoring/node-agent has no egress policy; ingress of shop/db allowed by shop/db-ingress');
    expect(out.summary).toEqual({ flows: 6, allowed: 6, blocked: 0, unexpected: 11, strict: true, workloads: 9, policies: 11, dnsBlocked: ['monitoring/prometheus'] });
  });

  test('--strict passes where only the listed flows (and DNS) are open', () => {
    const f = flows('flows:\n  - from: tight/front\n    to: tight/back:grpc\n');
    const r = cli('verify-flows', '--flows', f, tight, '--strict');
    expect(r.stdout).toBe('allowed     tight/front -> tight/back:9000/TCP\n1 flow: 1 allowed, 0 blocked; strict: 0 unexpected (2 workloads, 4 NetworkPolicies)\n');
    expect(r.code).toBe(0);
  });

  test('a blocked flow: exit 1 with the policy that stops it; a flows file can name DNS', () => {
    const f = flows([
      'flows:',
      '  - from: shop/web',
      '    to: shop/db:pg',
      '  - from: shop/web',
      '    to: kube-system/kube-dns:53/UDP',
      '  - from: monitoring/prometheus',
      '    to: kube-system/kube-dns:dns',
      '  - from: shop/web          # a duplicate counts once',
      '    to: shop/db:5432/TCP',
    ].join('\n'));
    const r = cli('verify-flows', '--flows', f, cluster, '--format', 'json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.allowed).toEqual([{ from: 'shop/web', to: 'kube-system/kube-dns', port: 53, protocol: 'UDP' }]);
    expect(out.blocked).toEqual([
      {
        from: 'shop/web',
        to: 'shop/db',
        port: 5432,
        protocol: 'TCP',
        reason: 'egress of shop/web is limited by shop/default-deny, shop/allow-dns, shop/web-egress and no rule there allows it; '
          + 'ingress of shop/db is limited by shop/default-deny, shop/db-ingress and no rule there allows it',
      },
      { from: 'monitoring/prometheus', to: 'kube-system/kube-dns', port: 53, protocol: 'UDP', reason: 'egress of monitoring/prometheus is limited by monitoring/prometheus-egress and no rule there allows it' },
    ]);
    expect(out.summary.flows).toBe(3);
  });

  test('a Service port written where the pod port belongs: a warning that names the pod port', () => {
    const f = flows('flows:\n  - from: shop/web\n    to: shop/api:5000\n');
    const r = cli('verify-flows', '--flows', f, cluster, '--format', 'json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.warnings).toEqual([`${f}: flows[0]: shop/api declares no container port 5000/TCP (declared: 8080/TCP (http), 9090/TCP (metrics)); `
      + "5000 is Service api's port, the pod port behind it is 8080: flows and NetworkPolicies use pod ports"]);
    expect(out.blocked).toHaveLength(1);
  });

  test.each([
    ['flows:\n  - from: shop/web\n    to: shop/apii:8080\n', 'flows[0].to: no workload shop/apii in the manifests (did you mean shop/api?)'],
    ['flows:\n  - from: shop/checkoutservic\n    to: shop/api:8080\n', 'flows[0].from: no workload shop/checkoutservic in the manifests'],
    ['flows:\n  - from: shop/web\n    to: shop/api\n', 'flows[0].to: "shop/api" needs a port: namespace/workload:port[/TCP|UDP|SCTP]'],
    ['flows:\n  - from: web\n    to: shop/api:8080\n', 'flows[0].from: "web" must be namespace/workload'],
    ['flows:\n  - from: shop/web\n    to: shop/api:8080/ICMP\n', 'flows[0].to: protocol must be TCP, UDP or SCTP (got "ICMP")'],
    ['flows:\n  - from: shop/web\n    to: shop/api:70000\n', 'flows[0].to: port 70000 is outside 1-65535'],
    ['flows:\n  - from: shop/web\n    to: shop/api:grpc\n', 'flows[0].to: shop/api has no container port named "grpc" (declared: 8080/TCP (http), 9090/TCP (metrics))'],
    ['flows:\n  - from: shop/web\n    to: shop/api:8080\n    port: 1\n', 'flows[0]: unknown key "port" (from, to, description)'],
    ['flows:\n  - from: Shop/Web\n    to: shop/api:8080\n', 'flows[0].from: namespace "Shop" is not a Kubernetes name'],
    ['- from: shop/web\n', 'expected a map with a `flows:` list'],
    ['flows: [\n', 'malformed YAML'],
    ['flows: []\nextra: 1\n', 'unknown key "extra" (only `flows`)'],
  ])('bad input exits 2 with a message naming it: %j', (text, message) => {
    const f = flows(text);
    const r = cli('verify-flows', '--flows', f, cluster);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
    expect(r.stderr.startsWith('hardened verify-flows: ')).toBe(true);
    expect(r.code).toBe(2);
  });

  test('missing flows file, missing manifests, malformed policy: exit 2', () => {
    expect(cli('verify-flows', '--flows', '/nonexistent/flows.yaml', cluster)).toMatchObject({ code: 2, stderr: 'hardened verify-flows: --flows /nonexistent/flows.yaml: cannot read (ENOENT)\n' });
    expect(cli('verify-flows', '--flows', flowsFile, '/nonexistent/dir')).toMatchObject({ code: 2, stderr: expect.stringContaining('/nonexistent/dir: cannot read (ENOENT)') });
    expect(cli('verify-flows', cluster)).toMatchObject({ code: 2, stderr: expect.stringContaining("required option '--flows <file>' not specified") });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flows-'));
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p, namespace: a }\nspec:\n  podSelector: {}\n  ingress: [{ from: [{ ipBlock: { cidr: 10.0.0.0/40 } }] }]\n');
    expect(cli('verify-flows', '--flows', flowsFile, bad)).toMatchObject({
      code: 2, stderr: `hardened verify-flows: ${bad}: NetworkPolicy a/p: spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.0/40" is not a CIDR (e.g. 10.0.0.0/8)\n`,
    });
  });
});
