import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing, Yaml } from 'cdk8s';
import { defaultRuleSet, evaluateKubernetes, Flows } from '../src';
import { expectValidCustomResources, isCustomResource } from './util/crd-schema';
import { expectValidObjects } from './util/k8s-schema';
import { pssRestrictedViolations } from './util/pss';
import { buildBoutique, Entry, SPECS, synthBoutique } from '../examples/microservices/main';
import { run } from '../src/cli/main';

const DNS = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
};
const pod = (name: string) => ({ podSelector: { matchLabels: { 'app.kubernetes.io/instance': name } } });
const tcp = (port: number | string) => ({ port, protocol: 'TCP' });

/** The upstream call graph plus the orders database, as pod ports. */
const EXPECTED_FLOWS = [
  'boutique/cartservice -> boutique/redis-cart:6379',
  'boutique/checkoutservice -> boutique/cartservice:7070',
  'boutique/checkoutservice -> boutique/currencyservice:7000',
  'boutique/checkoutservice -> boutique/emailservice:8080',
  'boutique/checkoutservice -> boutique/orders-db:5432',
  'boutique/checkoutservice -> boutique/paymentservice:50051',
  'boutique/checkoutservice -> boutique/productcatalogservice:3550',
  'boutique/checkoutservice -> boutique/shippingservice:50051',
  'boutique/frontend -> boutique/adservice:9555',
  'boutique/frontend -> boutique/cartservice:7070',
  'boutique/frontend -> boutique/checkoutservice:5050',
  'boutique/frontend -> boutique/currencyservice:7000',
  'boutique/frontend -> boutique/productcatalogservice:3550',
  'boutique/frontend -> boutique/recommendationservice:8080',
  'boutique/frontend -> boutique/shippingservice:50051',
  'boutique/recommendationservice -> boutique/productcatalogservice:3550',
];

describe.each<Entry>(['ingress', 'gateway'])('example microservices (%s entry)', (entry) => {
  const app = Testing.app();
  buildBoutique(app, entry);
  const objects = app.charts.flatMap((c) => Testing.synth(c));
  const get = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const np = (name: string) => get('NetworkPolicy', name).spec;

  test('at least 8 services, gRPC and HTTP, a cache and a database', () => {
    const deployments = objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    expect(deployments.length).toBeGreaterThanOrEqual(8);
    expect(objects.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name).sort()).toEqual(['orders-db', 'redis-cart']);
    expect(get('Deployment', 'adservice').spec.template.spec.containers[0].readinessProbe.grpc).toEqual({ port: 9555 });
    expect(get('Deployment', 'frontend').spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe('/_healthz');
  });

  test('wired by connectTo alone: no spec declares ingress or egress peers', () => {
    for (const spec of Object.values(SPECS)) {
      expect(spec.ingress).toBeUndefined();
      expect(spec.egress).toBeUndefined();
    }
  });

  test('strictly valid: Kubernetes 1.28 schema, and the Gateway API CRD schema for routes', () => {
    expectValidObjects(objects.filter((o) => !isCustomResource(o)));
    expectValidCustomResources(objects.filter(isCustomResource));
  });

  test('Pod Security "restricted"', () => {
    expect(pssRestrictedViolations(objects)).toEqual([]);
  });

  test('audits clean at every severity', () => {
    const findings = evaluateKubernetes(objects.map((object) => ({ object })), defaultRuleSet()).filter((f) => !f.suppressed);
    expect(findings.map((f) => `${f.ruleId} ${f.object.kind}/${f.object.name}: ${f.message}`)).toEqual([]);
  });

  test('checkoutservice: exact egress (pod ports; the email Service port 5000 became 8080)', () => {
    expect(np('checkoutservice').egress).toEqual([
      DNS,
      { to: [pod('productcatalogservice')], ports: [tcp(3550)] },
      { to: [pod('shippingservice')], ports: [tcp(50051)] },
      { to: [pod('paymentservice')], ports: [tcp(50051)] },
      { to: [pod('emailservice')], ports: [tcp(8080)] },
      { to: [pod('currencyservice')], ports: [tcp(7000)] },
      { to: [pod('cartservice')], ports: [tcp(7070)] },
      { to: [pod('orders-db')], ports: [tcp(5432)] },
    ]);
  });

  test('servers admit exactly their callers, once each, on the named pod port', () => {
    expect(np('productcatalogservice').ingress).toEqual([
      { from: [pod('frontend')], ports: [tcp('grpc')] },
      { from: [pod('checkoutservice')], ports: [tcp('grpc')] },
      { from: [pod('recommendationservice')], ports: [tcp('grpc')] },
    ]);
    expect(np('emailservice').ingress).toEqual([{ from: [pod('checkoutservice')], ports: [tcp('grpc')] }]);
    expect(np('redis-cart').ingress).toEqual([{ from: [pod('cartservice')], ports: [tcp('redis')] }]);
    expect(np('orders-db').ingress).toEqual([{ from: [pod('checkoutservice')], ports: [tcp('postgres')] }]);
  });

  test('the frontend admits exactly the chosen entry', () => {
    const from = entry === 'ingress'
      ? [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }]
      : [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway-system' } } }];
    expect(np('frontend').ingress).toEqual([{ from, ports: [tcp('http')] }]);
    expect(objects.filter((o) => ['Ingress', 'HTTPRoute'].includes(o.kind)).map((o) => o.kind)).toEqual([entry === 'ingress' ? 'Ingress' : 'HTTPRoute']);
  });

  test('the declared flows: the call graph, nothing else', () => {
    expect(Flows.of(app).list().map((f) => `${f.from} -> ${f.to}:${f.port}`)).toEqual(EXPECTED_FLOWS);
    expect(Flows.of(app).list().every((f) => f.protocol === 'TCP')).toBe(true);
  });
});

test('npm run synth writes both variants with their flows files, and the output audits clean', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'hardened-boutique-'));
  synthBoutique(outdir, 'ingress');
  synthBoutique(path.join(outdir, 'gateway'), 'gateway');
  expect(fs.readdirSync(outdir).sort()).toEqual(['app.k8s.yaml', 'flows.yaml', 'gateway']);
  expect(fs.readdirSync(path.join(outdir, 'gateway')).sort()).toEqual(['app.k8s.yaml', 'flows.yaml']);
  expect(Yaml.load(path.join(outdir, 'app.k8s.yaml'))[0].kind).toBe('Namespace');
  const flows = Yaml.load(path.join(outdir, 'flows.yaml'))[0].flows;
  expect(flows).toHaveLength(EXPECTED_FLOWS.length);
  expect(flows).toContainEqual({ from: 'boutique/checkoutservice', to: 'boutique/emailservice:8080' });
  // Each variant is one app, audited on its own (together, their shared Namespace would be one object defined twice).
  for (const file of [path.join(outdir, 'app.k8s.yaml'), path.join(outdir, 'gateway', 'app.k8s.yaml')]) {
    const out: string[] = [];
    const code = run(['audit', file, '--fail-on', 'info'], { stdout: (s) => out.push(s), stderr: (s) => out.push(s), isTTY: false });
    expect(out.join('')).toMatch(/0 errors, 0 warnings, 0 info/);
    expect(code).toBe(0);
  }
  // The written flows file passes `hardened verify-flows --strict` on the written manifests, both variants:
  // every declared flow is allowed and no other pair of workloads can talk.
  for (const dir of [outdir, path.join(outdir, 'gateway')]) {
    const verify: string[] = [];
    const vcode = run(['verify-flows', '--flows', path.join(dir, 'flows.yaml'), '--strict', '--format', 'json', path.join(dir, 'app.k8s.yaml')], { stdout: (s) => verify.push(s), stderr: () => undefined, isTTY: false });
    const report = JSON.parse(verify.join(''));
    expect([vcode, report.allowed.length, report.blocked, report.unexpected]).toEqual([0, EXPECTED_FLOWS.length, [], []]);
  }
  fs.rmSync(outdir, { recursive: true, force: true });
});
