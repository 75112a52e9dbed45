import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { stringify } from 'yaml';
import { SECRET_SHAPES, secretOf, SENTINEL } from './cases';
import {
  evaluateKubernetes, defaultRuleSet, findSecret, HardenedNamespace, HardenedNamespaceProps, HardenedService, HardenedServiceProps,
  LoggingSidecar, Peer, quote, redact, secretValueKind, StatefulDatabase, StatefulDatabaseProps,
} from '../../src';
import { planDockerService } from '../../src/docker';
import { service } from '../bad-inputs/catalogue';
import { anyParsedValue } from '../util/poisoned';

/**
 * Generated proof for two classes:
 * (a) a sentinel secret, in every shape of class 5, put into every string field (and key) of every
 *     public props type never appears in synthesized YAML, errors or Pulumi inputs;
 * (b) long, deep, special and unicode inputs give a clear result (output or HardeningError, never
 *     another exception) within a generous time bound, and the shared detector is linear.
 */
const numRuns = Number(process.env.FC_NUM_RUNS ?? 300);
jest.setTimeout(600_000);

type Build = (props: any) => string;
const synth = (build: (chart: Chart) => void): string => {
  const app = Testing.app();
  build(new Chart(app, 'shop', { namespace: 'shop' }));
  return app.charts.map((c) => stringify(Testing.synth(c))).join('---\n');
};

const dbBase: StatefulDatabaseProps = {
  engine: 'postgres',
  resources: 'medium',
  storage: { size: '20Gi', storageClassName: 'fast' },
  credentials: { secretName: 'orders-db', passwordKey: 'password' },
  username: 'app',
  database: 'orders',
  clients: [Peer.workload('api'), Peer.cidr('10.1.0.0/16')],
  component: 'db',
  partOf: 'shop',
  priorityClassName: 'high',
  backup: { schedule: '0 3 * * *', timeZone: 'Etc/UTC', storage: { size: '10Gi' }, resources: 'small', objectStore: { image: 'ghcr.io/acme/up:1.0.0', command: ['sh', '-c', 'rclone copy x remote:y'], peer: Peer.cidr('10.9.0.0/16'), port: 443 } },
  relaxations: { unpinnedImage: 'pinned by the platform team weekly' },
};
const svcBase: HardenedServiceProps = service({
  name: 'api',
  component: 'server',
  partOf: 'shop',
  command: ['/app/server'],
  args: ['--port', '8080'],
  env: { LOG_LEVEL: 'info', DB_PASSWORD: { secret: { name: 'db', key: 'password' } }, SETTINGS: { configMap: { name: 'settings', key: 'level' } }, NOTE: { value: 'v', notASecret: 'just a build label, public' } },
  secretFiles: [{ secretName: 'tls', mountPath: '/run/secrets/tls', keys: ['tls.crt'] }],
  writablePaths: [{ path: '/var/cache/app', sizeLimit: '32Mi' }],
  timezone: 'Europe/Berlin',
  priorityClassName: 'high',
  egress: [{ to: Peer.namespace('data', { app: 'db' }), ports: [{ port: 5432 }] }],
  relaxations: { noLivenessProbe: 'the vendor image has no distinct liveness endpoint' },
  sidecars: [{ name: 'proxy', image: 'ghcr.io/acme/proxy:1.0.0', resources: 'nano', args: ['--upstream', 'localhost:8080'], ports: [{ name: 'proxy', port: 9000 }], probes: { readiness: { tcp: { port: 'proxy' } }, liveness: { http: { path: '/l', port: 'proxy' } } } }],
});
const nsBase: HardenedNamespaceProps = {
  name: 'team',
  labels: { team: 'payments' },
  quota: { requests: { cpu: '4', memory: '8Gi', ephemeralStorage: '10Gi' }, limits: { cpu: '8', memory: '16Gi', ephemeralStorage: '20Gi' }, pods: 40, storage: '100Gi' },
  containerDefaults: 'small',
};
const logBase = {
  logPath: '/var/log/app',
  files: '*.log',
  resources: 'nano',
  volumeSize: '128Mi',
  output: { kind: 'loki', host: 'loki.monitoring.svc', user: 'shop', tenantId: 'shop', labels: { team: 'payments' }, password: { name: 'loki', key: 'password' }, peer: Peer.namespace('monitoring') },
};

const TARGETS: [string, any, Build][] = [
  ['HardenedService', svcBase, (p) => synth((c) => new HardenedService(c, 'api', p))],
  ['StatefulDatabase', dbBase, (p) => synth((c) => new StatefulDatabase(c, 'db', p))],
  ['HardenedNamespace', nsBase, (p) => synth((c) => new HardenedNamespace(c, 'ns', p))],
  ['LoggingSidecar', logBase, (p) => synth((c) => new LoggingSidecar(c, 'logs', { ...p, target: new HardenedService(c, 'api', service({ resources: 'medium' })) }))],
  ['docker.HardenedService (Pulumi inputs)', { ...service({ replicas: 1, relaxations: { singleReplica: 'single host, one instance' }, command: ['/app/server'] }), docker: { app: 'shop', healthcheck: { command: ['/bin/check'] } } },
    (p) => JSON.stringify(planDockerService('svc', p))],
];

/** Paths of every string leaf and every key of a plain props object. */
function stringPaths(x: unknown, at: (string | number)[] = []): { path: (string | number)[]; key: boolean }[] {
  if (typeof x === 'string') return [{ path: at, key: false }];
  if (Array.isArray(x)) return x.flatMap((v, i) => stringPaths(v, [...at, i]));
  if (x && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
    return Object.entries(x).flatMap(([k, v]) => [{ path: [...at, k], key: true }, ...stringPaths(v, [...at, k])]);
  }
  return [];
}

function put(base: unknown, p: { path: (string | number)[]; key: boolean }, value: string): any {
  const copy = JSON.parse(JSON.stringify(base));
  let o = copy;
  for (const k of p.path.slice(0, -1)) o = o[k];
  const last = p.path[p.path.length - 1];
  if (p.key) {
    const v = o[last];
    delete o[last];
    o[value] = v;
  } else {
    o[last] = value;
  }
  return copy;
}

describe.each(TARGETS)('(a) a secret in any string field of %s never leaks', (_name, base, build) => {
  test('the unmodified props synthesize (the base is valid)', () => {
    expect(() => build(base)).not.toThrow();
  });
  test('every field x every shape', () => {
    const paths = stringPaths(base);
    expect(paths.length).toBeGreaterThan(8);
    fc.assert(fc.property(fc.constantFrom(...paths), fc.constantFrom(...Object.keys(SECRET_SHAPES)), (p, shape) => {
      const secret = secretOf(shape);
      let out = '';
      try {
        out = build(put(base, p, SECRET_SHAPES[shape](SENTINEL)));
      } catch (e: any) {
        expect(e.name).toBe('HardeningError');
        expect(`${e.message}${JSON.stringify({ ...e })}`).not.toContain(secret);
        return;
      }
      expect(out).not.toContain(secret);
    }), { numRuns });
  });
});

describe('(b) long, deep, special and unicode inputs: a clear result in bounded time', () => {
  const weird = fc.oneof(
    fc.string({ maxLength: 64 }),
    fc.string({ unit: 'grapheme', maxLength: 64 }),
    fc.string({ unit: 'binary', maxLength: 64 }),
    fc.constantFrom('toString', '__proto__', 'constructor', '\u0000', '\u001b[31m', '\u202e', '\u200b'.repeat(12), '../../etc/passwd', '/..', 'ＡＢＣ', '9lives', 'a'.repeat(300)),
    fc.integer({ min: 10, max: 17 }).map((n) => 'x'.repeat(2 ** n)),
  );
  const paths = stringPaths(svcBase);
  test('any string field of HardenedService props set to a hostile string', () => {
    fc.assert(fc.property(fc.constantFrom(...paths), weird, (p, v) => {
      const t = Date.now();
      try {
        new HardenedService(new Chart(Testing.app(), 'c', { namespace: 'shop' }), 'api', put(svcBase, p, v));
      } catch (e: any) {
        expect(e.name).toBe('HardeningError');
        expect(e.message.length).toBeLessThan(4000);
      }
      expect(Date.now() - t).toBeLessThan(20_000);
    }), { numRuns: Math.min(numRuns, 200) });
  });
  /** Every path of a props object (leaves and inner nodes; constructs and class instances are not walked). */
  function anyPaths(x: unknown, at: (string | number)[] = []): (string | number)[][] {
    const here = at.length ? [at] : [];
    if (Array.isArray(x)) return [...here, ...x.flatMap((v, i) => anyPaths(v, [...at, i]))];
    if (x && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) return [...here, ...Object.entries(x).flatMap(([k, v]) => anyPaths(v, [...at, k]))];
    return here;
  }
  function setPath(base: any, p: (string | number)[], v: unknown): any {
    const copy = { ...base };
    let o: any = copy;
    for (const k of p.slice(0, -1)) {
      o[k] = Array.isArray(o[k]) ? [...o[k]] : o[k] && Object.getPrototypeOf(o[k]) === Object.prototype ? { ...o[k] } : o[k];
      o = o[k];
    }
    o[p[p.length - 1]] = v;
    return copy;
  }
  test.each(TARGETS)('any field of %s set to a wrong-typed or poisoned value (toString: false…)', (_name, base, build) => {
    const all = anyPaths(base);
    fc.assert(fc.property(fc.constantFrom(...all), anyParsedValue, (p, v) => {
      try {
        build(setPath(base, p, v));
      } catch (e: any) {
        if (e?.name !== 'HardeningError') throw e;
        expect(e.message.length).toBeLessThan(4000);
      }
    }), { numRuns: numRuns * 3 });
  });
  test('deeply nested props are refused, not overflowed', () => {
    let deep: any = 'x';
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    expect(() => new HardenedService(new Chart(Testing.app(), 'c', { namespace: 'shop' }), 'api', service({ env: { X: deep } }))).toThrow(expect.objectContaining({ name: 'HardeningError', ruleId: 'spec/props' }));
  });
  test('1 MiB env values and ConfigMap scalars through the constructs, the detector and the audit rules', () => {
    const mib = 2 ** 20;
    const values = ['a://'.repeat(mib / 4), 'a:'.repeat(mib / 2), 'eyJ'.repeat(mib / 3), '-p'.repeat(mib / 2), 'a=b '.repeat(mib / 4), '@:'.repeat(mib / 2), 'x'.repeat(mib), `${'-----BEGIN '.repeat(mib / 11)}`];
    const t = Date.now();
    for (const v of values) {
      findSecret(v);
      redact(v);
      quote(v);
      secretValueKind(v);
      const out = synth((c) => new HardenedService(c, 'api', service({ env: { BLOB: v } })));
      expect(out.length).toBeGreaterThan(mib);
      const objects = [{ object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big', namespace: 'shop' }, data: { blob: v } } }];
      evaluateKubernetes(objects, defaultRuleSet());
    }
    // Generous: linear scans take well under a second per megabyte; quadratic ones took minutes.
    expect(Date.now() - t).toBeLessThan(120_000);
  });
});
