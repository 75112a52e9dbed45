import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { Flows, HardenedNamespace, HardenedService, HardenedServiceProps, LoggingSidecar, Peer, StatefulDatabase } from '../../src';
import { byKind, hardeningError, serviceProps, testChart } from '../util/fixtures';
import { expectValidObjects } from '../util/k8s-schema';

const DNS = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
};
const pod = (name: string, namespace?: string) => ({
  podSelector: { matchLabels: { 'app.kubernetes.io/instance': name } },
  ...(namespace ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } } : {}),
});

/** A service with no ingress peer in its props: connections come from calls only. */
function svc(chart: Chart, name: string, o: Partial<HardenedServiceProps> = {}): HardenedService {
  return new HardenedService(chart, name, serviceProps({ ingress: undefined, ...o }));
}

const onPort = (name: string, port: number, servicePort?: number): Partial<HardenedServiceProps> => ({
  ports: [{ name, port, servicePort }],
  probes: { readiness: { http: { path: '/ready', port: name } }, liveness: { http: { path: '/live', port: name } } },
});
const grpc = (port: number, servicePort?: number): Partial<HardenedServiceProps> => ({
  ports: [{ name: 'grpc', port, servicePort }],
  probes: { readiness: { grpc: { port: 'grpc' } }, liveness: { tcp: { port: 'grpc' } } },
});

function synthApp(app: App): any[] {
  return app.charts.flatMap((c) => Testing.synth(c));
}

function np(objects: any[], name: string, namespace?: string): any {
  return objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name && (!namespace || o.metadata.namespace === namespace)).spec;
}

describe('connectTo alone wires both policies', () => {
  const { app, chart } = testChart();
  const web = svc(chart, 'web', { ingress: [{ from: Peer.ingressController() }] });
  const api = svc(chart, 'api', { ports: [{ name: 'http', port: 8080, servicePort: 80 }] });
  web.connectTo(api);
  const objects = synthApp(app);

  test('the server needs no ingress prop: the connection is its peer', () => {
    expect(np(objects, 'api').ingress).toEqual([{ from: [pod('web')], ports: [{ port: 'http', protocol: 'TCP' }] }]);
  });

  test('the client may connect to the pod port (not the Service port), besides DNS', () => {
    expect(np(objects, 'web').egress).toEqual([DNS, { to: [pod('api')], ports: [{ port: 8080, protocol: 'TCP' }] }]);
  });

  test('strictly schema-valid', () => {
    expectValidObjects(objects);
  });

  test('Flows lists the connection', () => {
    expect(Flows.of(app).list()).toEqual([{ from: 'shop/web', to: 'shop/api', port: 8080, protocol: 'TCP', portName: 'http' }]);
  });
});

describe('idempotency: one rule per peer, ports deduplicated', () => {
  test('connectTo twice, by name, pod port and Service port (numbers or digit strings), plus the peer in props: one rule each side', () => {
    const { app, chart } = testChart();
    const web = svc(chart, 'web', { ingress: [{ from: Peer.ingressController() }], egress: [{ to: Peer.workload('api'), ports: [{ port: 8080 }] }] });
    const api = svc(chart, 'api', { ports: [{ name: 'http', port: 8080, servicePort: 80 }], ingress: [{ from: Peer.workload('web') }] });
    web.connectTo(api);
    web.connectTo(api);
    web.connectTo(api, ['http']);
    web.connectTo(api, [8080]);
    web.connectTo(api, [80]);
    // Digits in a string are the number (a port name has a letter): pod port and Service port.
    web.connectTo(api, ['8080']);
    web.connectTo(api, ['80']);
    api.allowFrom(web);
    const objects = synthApp(app);
    expect(np(objects, 'api').ingress).toEqual([{ from: [pod('web')], ports: [{ port: 'http', protocol: 'TCP' }] }]);
    expect(np(objects, 'web').egress).toEqual([DNS, { to: [pod('api')], ports: [{ port: 8080, protocol: 'TCP' }] }]);
  });

  test('a port that is not the server\'s is refused with the ports it has, whatever its spelling', () => {
    const { chart } = testChart();
    const web = svc(chart, 'web', { ingress: [{ from: Peer.ingressController() }] });
    const api = svc(chart, 'api', { ports: [{ name: 'http', port: 8080, servicePort: 80 }] });
    for (const bad of ['9999', 9999, 'htp', '08080x']) {
      expect(() => web.connectTo(api, [bad])).toThrow(expect.objectContaining({
        name: 'HardeningError',
        ruleId: 'spec/connect',
        fieldPath: 'connectTo.ports[0]',
        message: expect.stringContaining(`${JSON.stringify(bad)} is not a port of shop/api`),
      }));
    }
  });

  test('two ports of the same peer merge into one rule', () => {
    const { app, chart } = testChart();
    const web = svc(chart, 'web', { ingress: [{ from: Peer.ingressController() }] });
    const api = svc(chart, 'api', { ports: [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9090 }] });
    web.connectTo(api, ['http']);
    web.connectTo(api, ['metrics']);
    web.connectTo(api);
    const objects = synthApp(app);
    expect(np(objects, 'api').ingress).toEqual([{ from: [pod('web')], ports: [{ port: 'http', protocol: 'TCP' }, { port: 'metrics', protocol: 'TCP' }] }]);
    expect(np(objects, 'web').egress).toEqual([DNS, { to: [pod('api')], ports: [{ port: 8080, protocol: 'TCP' }, { port: 9090, protocol: 'TCP' }] }]);
  });

  test('generated call sequences never duplicate a peer or a port, and Flows lists exactly the connected pairs', () => {
    const names = ['alpha', 'bravo', 'charlie', 'delta'];
    const call = fc.record({ from: fc.nat(3), to: fc.nat(3), ports: fc.option(fc.subarray(['http', 8080, 80, 'admin', 9000], { minLength: 1 }), { nil: undefined }) });
    fc.assert(fc.property(fc.array(call, { minLength: 1, maxLength: 12 }), (calls) => {
      const { app, chart } = testChart();
      const services = names.map((n) => svc(chart, n, {
        ports: [{ name: 'http', port: 8080, servicePort: 80 }, { name: 'admin', port: 9000 }],
        ingress: [{ from: Peer.monitoring(), ports: ['admin'] }],
      }));
      const expected = new Set<string>();
      for (const c of calls) {
        services[c.from].connectTo(services[c.to], c.ports);
        const ports = c.ports === undefined ? [8080, 9000] : c.ports.map((p) => (p === 'http' || p === 80 || p === 8080 ? 8080 : 9000));
        for (const p of ports) expected.add(`shop/${names[c.from]}>shop/${names[c.to]}:${p}`);
      }
      const objects = synthApp(app);
      for (const n of names) {
        const spec = np(objects, n);
        for (const rules of [spec.ingress, spec.egress]) {
          const peers = rules.map((r: any) => JSON.stringify(r.from ?? r.to));
          expect(new Set(peers).size).toBe(peers.length);
          for (const r of rules) {
            const ports = (r.ports ?? []).map((p: any) => `${p.port}/${p.protocol}`);
            expect(new Set(ports).size).toBe(ports.length);
          }
        }
      }
      expect(new Set(Flows.of(app).list().map((f) => `${f.from}>${f.to}:${f.port}`))).toEqual(expected);
    }), { numRuns: Number(process.env.FC_NUM_RUNS ?? 100) });
  });
});

describe('every pair of construct kinds, across namespaces', () => {
  const app = Testing.app();
  const shop = new Chart(app, 'shop', { namespace: 'shop' });
  const data = new Chart(app, 'data', { namespace: 'data' });
  const monitoring = new Chart(app, 'monitoring', { namespace: 'monitoring' });
  const web = svc(shop, 'web', { ingress: [{ from: Peer.ingressController() }] });
  const db = new StatefulDatabase(data, 'orders-db', { engine: 'postgres', resources: 'medium', storage: { size: '10Gi' }, credentials: { secretName: 'orders-db' }, priorityClassName: 'standard' });
  svc(monitoring, 'loki', { ports: [{ name: 'http', port: 3100, servicePort: 80 }] });
  const exporter = svc(monitoring, 'pg-exporter', { ...onPort('metrics', 9187), ingress: [{ from: Peer.monitoring() }] });
  web.connectTo(db);
  db.connectTo(exporter);
  new LoggingSidecar(shop, 'web-logs', { target: web, logPath: '/var/log/app', resources: 'nano', output: { kind: 'loki', host: 'loki.monitoring.svc.cluster.local', port: 80, tls: false, peer: Peer.workload('loki', 'monitoring') } });
  const objects = synthApp(app);

  test('service → database in another namespace: namespaceSelector on kubernetes.io/metadata.name', () => {
    expect(np(objects, 'web').egress).toContainEqual({ to: [pod('orders-db', 'data')], ports: [{ port: 5432, protocol: 'TCP' }] });
    expect(np(objects, 'orders-db').ingress).toEqual([{ from: [pod('web', 'shop')], ports: [{ port: 'postgres', protocol: 'TCP' }] }]);
  });

  test('database → service (the database as a client)', () => {
    expect(np(objects, 'orders-db').egress).toEqual([DNS, { to: [pod('pg-exporter', 'monitoring')], ports: [{ port: 9187, protocol: 'TCP' }] }]);
    expect(np(objects, 'pg-exporter').ingress).toContainEqual({ from: [pod('orders-db', 'data')], ports: [{ port: 'metrics', protocol: 'TCP' }] });
  });

  test('sidecar target → its log backend, declared as a workload peer: both ends, Service port resolved', () => {
    expect(np(objects, 'web').egress).toContainEqual({ to: [pod('loki', 'monitoring')], ports: [{ port: 3100, protocol: 'TCP' }] });
    expect(np(objects, 'loki').ingress).toEqual([{ from: [pod('web', 'shop')], ports: [{ port: 'http', protocol: 'TCP' }] }]);
  });

  test('Flows lists the three connections', () => {
    expect(Flows.of(app).list().map((f) => `${f.from} -> ${f.to}:${f.port}/${f.protocol}`)).toEqual([
      'data/orders-db -> monitoring/pg-exporter:9187/TCP',
      'shop/web -> data/orders-db:5432/TCP',
      'shop/web -> monitoring/loki:3100/TCP',
    ]);
  });
});

describe('refusals', () => {
  test('connectTo a worker without ports: HardeningError with rule id and fix', () => {
    const { chart } = testChart();
    const web = svc(chart, 'web', { ingress: [{ from: Peer.ingressController() }] });
    const worker = svc(chart, 'worker', { ports: [], ingress: [], probes: { readiness: { exec: { command: ['ready'] } }, liveness: { exec: { command: ['alive'] } } } });
    const e = hardeningError(() => web.connectTo(worker));
    expect(e.ruleId).toBe('spec/connect');
    expect(e.message).toContain('shop/worker declares no port');
    expect(e.fix).toMatch(/declare the port/);
  });

  test('connectTo an unknown port names the ports there are', () => {
    const { chart } = testChart();
    const web = svc(chart, 'web', { ingress: [{ from: Peer.ingressController() }] });
    const api = svc(chart, 'api', { ports: [{ name: 'http', port: 8080, servicePort: 80 }] });
    const e = hardeningError(() => web.connectTo(api, [5000]));
    expect(e.ruleId).toBe('spec/connect');
    expect(e.fix).toContain('http (8080, Service 80)');
  });

  test('nobody may reach a service: accepted at construction, refused at synthesis', () => {
    const { app, chart } = testChart();
    expect(() => svc(chart, 'lonely')).not.toThrow();
    const e = hardeningError(() => synthApp(app));
    expect(e.ruleId).toBe('network-policy-required');
    expect(e.fieldPath).toBe('ingress');
    expect(e.message).toContain("nobody may reach service 'lonely'");
    expect(e.fix).toContain('connectTo');
  });

  test('a typo in a workload peer is refused, with the likely name', () => {
    const { app, chart } = testChart();
    svc(chart, 'checkoutservice', { ...grpc(5050), ingress: [{ from: Peer.workload('frontend') }] });
    svc(chart, 'frontend', { ingress: [{ from: Peer.ingressController() }], egress: [{ to: Peer.workload('checkoutservic'), ports: [{ port: 5050 }] }] });
    const e = hardeningError(() => synthApp(app));
    expect(e.ruleId).toBe('spec/flow-peer');
    expect(e.constructPath).toBe('test/frontend');
    expect(e.fieldPath).toBe('egress[0].to');
    expect(e.fix).toContain("did you mean 'checkoutservice'?");
  });

  test('in a namespace the app creates, a workload peer must name a workload of the app', () => {
    const app = Testing.app();
    const platform = new Chart(app, 'platform');
    new HardenedNamespace(platform, 'ns', { name: 'shop', quota: { requests: { cpu: '4', memory: '8Gi', ephemeralStorage: '8Gi' }, limits: { cpu: '8', memory: '16Gi', ephemeralStorage: '16Gi' }, pods: 20 }, containerDefaults: 'small' });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    svc(chart, 'api', { ingress: [{ from: Peer.workload('web') }] });
    const e = hardeningError(() => synthApp(app));
    expect(e.ruleId).toBe('spec/flow-peer');
    expect(e.fieldPath).toBe('ingress[0].from');
    expect(e.message).toContain("no workload of this app in namespace 'shop' has the pod label app.kubernetes.io/instance=web");
    expect(e.fix).toContain("Peer.namespace('shop', { 'app.kubernetes.io/instance': 'web' })");
  });

  test('a workload deployed outside the app, said so explicitly, is accepted', () => {
    const app = Testing.app();
    const platform = new Chart(app, 'platform');
    new HardenedNamespace(platform, 'ns', { name: 'shop', quota: { requests: { cpu: '4', memory: '8Gi', ephemeralStorage: '8Gi' }, limits: { cpu: '8', memory: '16Gi', ephemeralStorage: '16Gi' }, pods: 20 }, containerDefaults: 'small' });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    svc(chart, 'api', { ingress: [{ from: Peer.namespace('shop', { 'app.kubernetes.io/instance': 'legacy-web' }) }] });
    expect(np(synthApp(app), 'api').ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'legacy-web' } } }] }].map((r) => ({ ...r, ports: [{ port: 'http', protocol: 'TCP' }] })));
  });

  test('a Service port used as a pod port is refused, naming the pod port', () => {
    const { app, chart } = testChart();
    svc(chart, 'emailservice', { ...grpc(8080, 5000), ingress: [{ from: Peer.workload('checkout') }] });
    svc(chart, 'checkout', { ingress: [{ from: Peer.ingressController() }], egress: [{ to: Peer.workload('emailservice'), ports: [{ port: 5000 }] }] });
    const e = hardeningError(() => synthApp(app));
    expect(e.ruleId).toBe('spec/flow-port');
    expect(e.message).toContain('5000 is the Service port, and NetworkPolicies see the pod port 8080');
    expect(e.fix).toContain('use the pod port 8080');
  });

  test('the same egress with the pod port passes', () => {
    const { app, chart } = testChart();
    svc(chart, 'emailservice', { ...grpc(8080, 5000), ingress: [{ from: Peer.workload('checkout') }] });
    svc(chart, 'checkout', { ingress: [{ from: Peer.ingressController() }], egress: [{ to: Peer.workload('emailservice'), ports: [{ port: 8080 }] }] });
    synthApp(app);
    expect(Flows.of(app).list()).toEqual([{ from: 'shop/checkout', to: 'shop/emailservice', port: 8080, protocol: 'TCP', portName: 'grpc' }]);
  });
});

describe('the flows file', () => {
  const { app, chart } = testChart();
  const web = svc(chart, 'web', { ingress: [{ from: Peer.ingressController() }] });
  const api = svc(chart, 'api', { ports: [{ name: 'http', port: 8080 }, { name: 'dns', port: 5353, protocol: 'UDP' }], probes: { readiness: { http: { path: '/r', port: 'http' } }, liveness: { http: { path: '/l', port: 'http' } } } });
  web.connectTo(api, ['http', 'dns']);

  test('YAML in the verify-flows format: TCP implied, other protocols spelled', () => {
    expect(Flows.of(app).toYaml()).toBe([
      '# Allowed connections between the workloads of this app, as declared by its constructs.',
      '# Check them against the manifests with: hardened verify-flows --flows <this file> <manifests> --strict',
      '',
      'flows:',
      '  - from: shop/web',
      '    to: shop/api:5353/UDP',
      '  - from: shop/web',
      '    to: shop/api:8080',
      '',
    ].join('\n'));
  });

  test('writeFile is atomic and keeps an existing file unless asked', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flows-'));
    const file = path.join(dir, 'flows.yaml');
    Flows.of(app).writeFile(file);
    expect(fs.readFileSync(file, 'utf8')).toBe(Flows.of(app).toYaml());
    fs.writeFileSync(file, 'mine\n');
    expect(hardeningError(() => Flows.of(app).writeFile(file)).ruleId).toBe('spec/overwrite');
    expect(fs.readFileSync(file, 'utf8')).toBe('mine\n');
    Flows.of(app).writeFile(file, { overwrite: true });
    expect(fs.readFileSync(file, 'utf8')).toBe(Flows.of(app).toYaml());
    expect(fs.readdirSync(dir)).toEqual(['flows.yaml']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

test('the NetworkPolicy of a service wired only by calls passes the catalogue', () => {
  const { app, chart } = testChart();
  const web = svc(chart, 'web', { ingress: [{ from: Peer.ingressController() }] });
  web.connectTo(svc(chart, 'api'));
  const objects = synthApp(app);
  expect(byKind(objects, 'NetworkPolicy', 'api').spec.policyTypes).toEqual(['Ingress', 'Egress']);
});

describe('generated peers and ports: the flow check accepts exactly what selects a workload and a declared port', () => {
  const quota = { requests: { cpu: '4', memory: '8Gi', ephemeralStorage: '8Gi' }, limits: { cpu: '8', memory: '16Gi', ephemeralStorage: '16Gi' }, pods: 20 };
  const runs = Number(process.env.FC_NUM_RUNS ?? 100);

  test('in a namespace the app creates, a workload peer is accepted iff it names a workload of the app', () => {
    const names = ['catalog', 'checkout', 'payment'];
    const name = fc.oneof(fc.constantFrom(...names), fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/));
    fc.assert(fc.property(name, fc.boolean(), (peer, asEgress) => {
      const app = Testing.app();
      new HardenedNamespace(new Chart(app, 'platform'), 'ns', { name: 'shop', quota, containerDefaults: 'small' });
      const chart = new Chart(app, 'shop', { namespace: 'shop' });
      for (const n of names) svc(chart, n, { ingress: [{ from: Peer.monitoring() }] });
      svc(chart, 'client', asEgress
        ? { ingress: [{ from: Peer.monitoring() }], egress: [{ to: Peer.workload(peer), ports: [{ port: 8080 }] }] }
        : { ingress: [{ from: Peer.workload(peer) }] });
      const known = names.includes(peer) || peer === 'client';
      if (known) {
        expect(() => synthApp(app)).not.toThrow();
      } else {
        expect(hardeningError(() => synthApp(app)).ruleId).toBe('spec/flow-peer');
      }
    }), { numRuns: runs });
  });

  test('an egress port to a workload of the app is accepted iff one of its containers declares it', () => {
    fc.assert(fc.property(fc.oneof(fc.constantFrom(8080, 9090, 80, 5000), fc.integer({ min: 1, max: 65535 })), fc.constantFrom<'TCP' | 'UDP'>('TCP', 'UDP'), (port, protocol) => {
      const { app, chart } = testChart();
      svc(chart, 'api', { ports: [{ name: 'http', port: 8080, servicePort: 80 }, { name: 'metrics', port: 9090 }], ingress: [{ from: Peer.workload('web') }] });
      svc(chart, 'web', { ingress: [{ from: Peer.ingressController() }], egress: [{ to: Peer.workload('api'), ports: [{ port, protocol }] }] });
      if ((port === 8080 || port === 9090) && protocol === 'TCP') {
        expect(() => synthApp(app)).not.toThrow();
      } else {
        expect(hardeningError(() => synthApp(app)).ruleId).toBe('spec/flow-port');
      }
    }), { numRuns: runs });
  });
});
