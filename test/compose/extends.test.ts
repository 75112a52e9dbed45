import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { extendedFileLoader } from '../../src/cli/init-cmd';
import { ComposeFileLoader, ComposeInputError, convertComposeText, ExtendsError, parseExtendedFile, readCompose, resolveExtends, selectProfiles } from '../../src/compose';
import { cli } from '../util/cli';

const runs = Number(process.env.FC_NUM_RUNS ?? 100);
const merged = (services: Record<string, unknown>, name: string, load?: ComposeFileLoader, file = '/app/compose.yaml') => resolveExtends(services, { file, load }).services[name];

/** An in-memory set of files for `extends.file`. */
function memoryLoader(files: Record<string, Record<string, unknown>>): ComposeFileLoader {
  return (file, from) => {
    const abs = path.posix.resolve(path.posix.dirname(from ?? '/app/compose.yaml'), file);
    if (!files[abs]) throw new ExtendsError(`${file}: cannot read (ENOENT)`);
    return { services: files[abs], path: abs };
  };
}

describe('extends: the Compose merge rules', () => {
  test('mappings merge key by key (local wins), scalars are replaced, the result has no extends', () => {
    const s = merged({
      base: { image: 'x:1', user: '10001', deploy: { replicas: 2, resources: { limits: { cpus: '1', memory: '1g' } } } },
      app: { extends: 'base', user: '20000', deploy: { resources: { limits: { memory: '2g' } } } },
    }, 'app');
    expect(s).toEqual({ image: 'x:1', user: '20000', deploy: { replicas: 2, resources: { limits: { cpus: '1', memory: '2g' } } } });
  });

  test('sequences append; command, entrypoint and healthcheck.test are replaced', () => {
    const s = merged({
      base: { image: 'x:1', cap_drop: ['ALL'], dns: '1.1.1.1', command: ['serve', '--port', '1'], entrypoint: 'tini --', healthcheck: { test: ['CMD', 'a'], interval: '5s' } },
      app: { extends: { service: 'base' }, cap_drop: ['NET_RAW'], dns: ['8.8.8.8'], command: ['work'], healthcheck: { test: ['CMD', 'b'] } },
    }, 'app');
    expect(s).toEqual({
      image: 'x:1', cap_drop: ['ALL', 'NET_RAW'], dns: ['1.1.1.1', '8.8.8.8'], command: ['work'], entrypoint: 'tini --', healthcheck: { test: ['CMD', 'b'], interval: '5s' },
    });
  });

  test('environment, labels and the like merge by name across list and mapping forms', () => {
    const s = merged({
      base: { image: 'x:1', environment: ['A=1', 'B=2', 'C'], labels: { team: 'a' }, extra_hosts: ['db:10.0.0.1'], build: { context: '.', args: ['V=1'] } },
      app: { extends: 'base', environment: { B: '3' }, labels: ['tier=web'], extra_hosts: { db: '10.0.0.2' }, build: { args: { W: '2' } } },
    }, 'app') as Record<string, unknown>;
    expect(s.environment).toEqual({ A: '1', B: '3', C: null });
    expect(s.labels).toEqual({ team: 'a', tier: 'web' });
    expect(s.extra_hosts).toEqual({ db: '10.0.0.2' });
    expect(s.build).toEqual({ context: '.', args: { V: '1', W: '2' } });
  });

  test('ports, volumes, secrets and configs merge by their unique key', () => {
    const s = merged({
      base: { image: 'x:1', ports: ['8080:80', '9000:9000/udp'], volumes: ['data:/var/lib/app', './conf:/etc/app:ro'], secrets: ['db', { source: 'api', target: 'k' }] },
      app: { extends: 'base', ports: [{ target: 80, published: 8080 }, '9001:9001'], volumes: ['other:/var/lib/app'], secrets: [{ source: 'db', mode: 256 }, 'tls'] },
    }, 'app') as Record<string, unknown>;
    expect(s.ports).toEqual([{ target: 80, published: 8080 }, '9000:9000/udp', '9001:9001']);
    expect(s.volumes).toEqual(['other:/var/lib/app', './conf:/etc/app:ro']);
    expect(s.secrets).toEqual([{ source: 'db', mode: 256 }, { source: 'api', target: 'k' }, 'tls']);
  });

  test('depends_on and volumes_from are never inherited; the extended service stays as it is', () => {
    const services = { base: { image: 'x:1', depends_on: ['db'], volumes_from: ['other'] }, app: { extends: 'base' }, db: { image: 'postgres:16' }, other: { image: 'y:1' } };
    const r = resolveExtends(services, { file: '/app/compose.yaml' });
    expect(r.services.app).toEqual({ image: 'x:1' });
    expect(r.services.base).toBe(services.base);
    expect([...r.merged]).toEqual([['app', ['base']]]);
  });

  test('chains are followed across files; relative paths of another file are rewritten against the extending file', () => {
    const load = memoryLoader({
      '/app/common/services.yml': {
        web: { extends: { file: '../base/base.yml', service: 'root' }, build: './web', env_file: ['.env', { path: 'extra.env' }], volumes: ['./static:/srv/static', 'cache:/cache', { type: 'bind', source: 'conf', target: '/etc/x' }] },
      },
      '/app/base/base.yml': { root: { image: 'x:1', build: { dockerfile: 'Dockerfile.prod' }, environment: ['ROOT=1'] } },
    });
    const r = resolveExtends({ site: { extends: { file: 'common/services.yml', service: 'web' }, environment: { SITE: '1' } } }, { file: '/app/compose.yaml', load });
    expect(r.services.site).toEqual({
      build: { context: './common/web', dockerfile: 'Dockerfile.prod' },
      image: 'x:1',
      environment: { ROOT: '1', SITE: '1' },
      env_file: ['./common/.env', { path: './common/extra.env' }],
      volumes: ['./common/static:/srv/static', 'cache:/cache', { type: 'bind', source: './common/conf', target: '/etc/x' }],
    });
    expect(r.merged.get('site')).toEqual(['web (common/services.yml)', 'root (../base/base.yml)']);
  });

  test('a cycle, a missing service, a malformed extends and a file without a reader are named errors', () => {
    expect(() => resolveExtends({ a: { extends: 'b' }, b: { extends: { service: 'a' } } })).toThrow(/extends forms a cycle \("a" → "b" → "a"\)/);
    expect(() => resolveExtends({ a: { extends: 'a' } })).toThrow(/cycle/);
    expect(() => resolveExtends({ a: { extends: 'nope' } })).toThrow(/service "a" extends "nope", which is not a service of this file/);
    expect(() => resolveExtends({ a: { extends: { file: 'x.yml' } } })).toThrow(/extends must be a service name or/);
    expect(() => resolveExtends({ a: { extends: { service: 'b', file: 'x.yml' } } })).toThrow(/no file reader was given/);
    expect(() => resolveExtends({ a: { extends: { service: 'b', file: 'x.yml' } } }, { load: memoryLoader({ '/app/x.yml': { c: { image: 'x:1' } } }) }))
      .toThrow(/extends "b" from "x.yml", which is not a service of that file/);
    // A service name that is also an Object.prototype key is a name like any other.
    expect(() => resolveExtends({ a: { extends: 'constructor' } })).toThrow(/not a service/);
    const proto = resolveExtends({ ['__proto__']: { image: 'x:1' }, a: { extends: '__proto__' } } as any).services;
    expect(proto.a).toEqual({ image: 'x:1' });
    expect(Object.keys(proto)).toEqual(['__proto__', 'a']);
    expect(({} as any).image).toBeUndefined();
  });

  test('property: extending with nothing local gives the base minus what is never inherited', () => {
    const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean());
    const mapping = fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), scalar, { maxKeys: 3 });
    const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), mapping);
    const keys = fc.constantFrom('image', 'user', 'dns', 'cap_add', 'labels', 'environment', 'deploy', 'tmpfs', 'working_dir', 'depends_on', 'volumes_from');
    fc.assert(fc.property(fc.dictionary(keys, value), (base) => {
      const out = merged({ base, app: { extends: 'base' } }, 'app') as Record<string, unknown>;
      const expected = Object.fromEntries(Object.entries(base).filter(([k]) => k !== 'depends_on' && k !== 'volumes_from'));
      expect(out).toEqual(expected);
    }), { numRuns: runs });
  });

  test('property: keys only one side sets are kept as they are, whatever the other side holds', () => {
    const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.integer());
    fc.assert(fc.property(fc.dictionary(fc.constantFrom('image', 'user', 'hostname', 'stop_signal'), scalar), fc.dictionary(fc.constantFrom('working_dir', 'domainname', 'platform', 'pull_policy'), scalar), (base, local) => {
      expect(merged({ base, app: { ...local, extends: 'base' } }, 'app')).toEqual({ ...base, ...local });
    }), { numRuns: runs });
  });
});

describe('extends in conversion and audit', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'extends-'));
  fs.mkdirSync(path.join(dir, 'common'));
  fs.writeFileSync(path.join(dir, 'common', 'services.yml'), 'services:\n  webapp:\n    image: ghcr.io/acme/web:2.0.0\n    environment: [SHARED=1, LOG_LEVEL=debug]\n    ports: ["8080:8080"]\n    healthcheck: { test: [CMD, /bin/health], interval: 10s }\n    depends_on: [cache]\n');
  const compose = [
    'services:',
    '  base:',
    '    image: ghcr.io/acme/api:1.2.3',
    '    environment: { LOG_LEVEL: info }',
    '    ports: ["9000:9000"]',
    '  worker:',
    '    extends: base',
    '    command: [worker]',
    '  web:',
    '    extends: { file: common/services.yml, service: webapp }',
    '    environment: { LOG_LEVEL: warn }',
    '    privileged: true',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'compose.yaml'), compose);

  test('readCompose merges extended services (same file and another) and the spec shows the merged service', () => {
    const file = path.join(dir, 'compose.yaml');
    const load: ComposeFileLoader = (f, from) => {
      const abs = path.resolve(path.dirname(from ?? file), f);
      return { services: parseExtendedFile(fs.readFileSync(abs, 'utf8'), f), path: abs };
    };
    const model = readCompose(compose, 'compose.yaml', { path: file, load });
    expect(model.services.get('worker')).toEqual({ image: 'ghcr.io/acme/api:1.2.3', environment: { LOG_LEVEL: 'info' }, ports: ['9000:9000'], command: ['worker'] });
    expect(model.services.get('web')).toMatchObject({ image: 'ghcr.io/acme/web:2.0.0', environment: { SHARED: '1', LOG_LEVEL: 'warn' }, privileged: true });
    expect(model.services.get('web')).not.toHaveProperty('depends_on');
    expect([...model.extended!]).toEqual([['worker', ['base']], ['web', ['webapp (common/services.yml)']]]);
    // Without a reader, the file is refused with its name; a same-file extends needs none.
    expect(() => readCompose(compose, 'compose.yaml')).toThrow(/compose\.yaml: service "web" extends a service of "common\/services\.yml", and no file reader/);
  });

  test('hardened init converts the merged services, says so, and keeps no TODO about extends', () => {
    const out = path.join(dir, 'out');
    const r = cli('init', '--from-compose', path.join(dir, 'compose.yaml'), '--out', out);
    // web is refused (privileged, inherited or not); worker carries base's image, env and port.
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const spec = fs.readFileSync(path.join(out, 'spec.ts'), 'utf8');
    expect(spec).toMatch(/"worker": \{[^}]*image: "ghcr\.io\/acme\/api:1\.2\.3",\s+ports: \[\{ name: "port-9000", port: 9000 \}\]/);
    expect(spec).not.toContain('extends is not followed');
    const md = fs.readFileSync(path.join(out, 'MIGRATION.md'), 'utf8');
    expect(md).toContain('- extends base: merged as `docker compose config` does');
    expect(md).toMatch(/## web \(not converted\)\n\nRefused: `no-privileged`/);
  });

  test('hardened audit checks extended services as merged, with the extending service\'s position', () => {
    const r = cli('audit', path.join(dir, 'compose.yaml'), '--format', 'json');
    const findings = JSON.parse(r.stdout).findings as any[];
    const web = findings.filter((f) => f.object?.name === 'web');
    expect(web.map((f) => f.ruleId)).toContain('no-privileged');
    // The image comes from the other file: the unpinned-image rule is silent, the health check is inherited.
    expect(web.some((f) => f.ruleId === 'image-tag-pinned')).toBe(false);
    const missing = path.join(dir, 'broken.yaml');
    fs.writeFileSync(missing, 'services:\n  a:\n    extends: { file: nowhere.yml, service: b }\n');
    const bad = cli('audit', missing);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`hardened audit: ${missing}: service "a": extends.file "nowhere.yml": cannot read (ENOENT)\n`);
    fs.mkdirSync(path.join(dir, 'adir'));
    fs.writeFileSync(missing, 'services:\n  a:\n    extends: { file: adir, service: b }\n');
    expect(cli('audit', missing).stderr).toBe(`hardened audit: ${missing}: service "a": extends.file "adir": is a folder, not a file\n`);
    const r2 = cli('init', '--from-compose', missing, '--out', path.join(dir, 'out-bad'));
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/broken\.yaml: service "a": extends\.file "adir": .*not a regular file/);
  });
});

describe('profiles', () => {
  const text = [
    'services:',
    '  app: { image: "ghcr.io/acme/api:1.2.3", ports: ["8080:8080"] }',
    '  adminer: { image: "adminer:4.8.1", profiles: [debug], ports: ["8081:8080"] }',
    '  seed: { image: "ghcr.io/acme/api:1.2.3", profiles: [tools, debug], command: [seed] }',
    '',
  ].join('\n');
  const convert = (t: string, profiles?: string[]) => convertComposeText(t, { project: 'shop', source: 'compose.yaml', packageSpec: '^0.0.0', profiles });

  test('services whose profiles are not enabled are left out, as docker compose up leaves them, and listed', () => {
    const r = convert(text);
    expect(r.plan.workloads.map((w) => w.name)).toEqual(['app']);
    expect(r.plan.leftOut).toEqual([{ name: 'adminer', profiles: ['debug'] }, { name: 'seed', profiles: ['tools', 'debug'] }]);
    expect(r.files['MIGRATION.md']).toContain('## Left out (profiles)');
    expect(r.files['MIGRATION.md']).toContain('- `seed` (profiles: `tools`, `debug`)');
    expect(r.synthesized.objects.some((o: any) => o.metadata?.name === 'adminer')).toBe(false);
  });

  test('--profile enables them; * enables all', () => {
    expect(convert(text, ['tools']).plan.workloads.map((w) => w.name).sort()).toEqual(['app', 'seed']);
    expect(convert(text, ['*']).plan.workloads.map((w) => w.name).sort()).toEqual(['adminer', 'app', 'seed']);
    expect(convert(text, ['*']).files['MIGRATION.md']).not.toContain('Left out');
  });

  test('an enabled service that needs a left-out one is an error, as in Compose; an optional dependency is not', () => {
    const needs = 'services:\n  app: { image: "x:1", depends_on: [db] }\n  db: { image: "postgres:16", profiles: [db] }\n';
    expect(() => convert(needs)).toThrow(ComposeInputError);
    expect(() => convert(needs)).toThrow(/service "app" needs "db" \(depends_on\), which is left out: its profiles \(db\) are not enabled. Enable one with --profile db/);
    expect(() => selectProfiles(readCompose(needs.replace('depends_on: [db]', 'links: ["db:database"]'), 'c.yaml'), [], 'c.yaml')).toThrow(/needs "db" \(links\)/);
    const optional = 'services:\n  app: { image: "x:1", depends_on: { db: { condition: service_started, required: false } } }\n  db: { image: "postgres:16", profiles: [db] }\n';
    expect(convert(optional).plan.leftOut).toEqual([{ name: 'db', profiles: ['db'] }]);
    expect(convert(needs, ['db']).plan.leftOut).toEqual([]);
    // A reference to a service the file does not define is refused, as docker compose refuses it.
    expect(() => convert('services:\n  app: { image: "x:1", depends_on: [ghost] }\n')).toThrow(/service "app" needs "ghost" \(depends_on\), which is not a service of this file/);
  });

  test('the CLI takes --profile (repeatable, comma-separated) and refuses names Compose would refuse', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'profiles-'));
    fs.writeFileSync(path.join(dir, 'compose.yaml'), text);
    const r = cli('init', '--from-compose', path.join(dir, 'compose.yaml'), '--out', path.join(dir, 'out'), '--profile', 'debug,tools');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/3 service\(s\)/);
    const none = cli('init', '--from-compose', path.join(dir, 'compose.yaml'), '--out', path.join(dir, 'out-none'));
    expect(none.stdout).toContain('Left out: 2 service(s) whose profiles are not enabled (adminer, seed); --profile debug / tools includes them.\n');
    const bad = cli('init', '--from-compose', path.join(dir, 'compose.yaml'), '--out', path.join(dir, 'out2'), '--profile', '-x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--profile: "-x" is not a Compose profile name/);
  });
});

describe('extends: what Compose does beyond the basic rules', () => {
  test('entries repeated in base and child are kept once (a hardened base and child both drop ALL)', () => {
    const text = 'services:\n  base: {image: "a:1", cap_drop: [ALL], security_opt: ["no-new-privileges:true"], expose: ["80"]}\n  web: {extends: base, cap_drop: [ALL], security_opt: ["no-new-privileges:true"], expose: ["80", "81"]}\n';
    const web = readCompose(text, 'c.yaml').services.get('web');
    expect(web).toMatchObject({ cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'], expose: ['80', '81'] });
  });

  test('port ranges and IPv6 host addresses are part of the port key', () => {
    const s = merged({ base: { image: 'x:1', ports: ['5000-5002:5000-5002', '[::1]:80:80'] }, app: { extends: 'base', ports: ['5000:5000', '[::1]:80:80/tcp'] } }, 'app') as any;
    expect(s.ports).toEqual(['5000-5002:5000-5002', '[::1]:80:80/tcp', '5000:5000']);
  });

  test('networks merge per network: settings merge, aliases append, a network named in a list keeps its settings', () => {
    const s = merged({
      base: { image: 'x:1', networks: { backend: { aliases: ['api-internal'] }, front: null } },
      app: { extends: 'base', networks: { backend: { aliases: ['api'], priority: 10 } } },
      app2: { extends: 'base', networks: ['backend'] },
    }, 'app') as any;
    expect(s.networks).toEqual({ backend: { aliases: ['api-internal', 'api'], priority: 10 }, front: null });
    const s2 = resolveExtends({ base: { image: 'x:1', networks: { backend: { aliases: ['api-internal'] } } }, app2: { extends: 'base', networks: ['backend'] } }).services.app2 as any;
    expect(s2.networks).toEqual({ backend: { aliases: ['api-internal'] } });
  });

  test('logging is replaced when the driver differs, merged when it is the same', () => {
    const base = { image: 'x:1', logging: { driver: 'json-file', options: { 'max-size': '10m' } } };
    expect((merged({ base, app: { extends: 'base', logging: { driver: 'fluentd', options: { 'fluentd-address': 'f:24224' } } } }, 'app') as any).logging)
      .toEqual({ driver: 'fluentd', options: { 'fluentd-address': 'f:24224' } });
    expect((merged({ base, app: { extends: 'base', logging: { options: { 'max-file': '3' } } } }, 'app') as any).logging)
      .toEqual({ driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } });
  });

  test('secrets and configs merge by where they are mounted (their target)', () => {
    const s = merged({
      base: { image: 'x:1', secrets: [{ source: 'tls', target: '/etc/tls/cert.pem' }], configs: ['app'] },
      app: { extends: 'base', secrets: [{ source: 'tls', target: '/etc/tls/other.pem' }, 'tls'], configs: [{ source: 'app', target: '/app', mode: 0o440 }] },
    }, 'app') as any;
    expect(s.secrets).toEqual([{ source: 'tls', target: '/etc/tls/cert.pem' }, { source: 'tls', target: '/etc/tls/other.pem' }, 'tls']);
    expect(s.configs).toEqual([{ source: 'app', target: '/app', mode: 0o440 }]);
  });

  test('!reset drops what the base set, !override replaces it; both parse in init and audit', () => {
    const text = [
      'services:',
      '  base: {image: "ghcr.io/acme/web:3.0.0", ports: ["8080:8080"], cap_add: [SYS_ADMIN], profiles: [base], environment: {A: "1", B: "2"}}',
      '  web:',
      '    extends: base',
      '    ports: !reset []',
      '    cap_add: !reset []',
      '    profiles: !reset []',
      '    environment: !override {C: "3"}',
      '',
    ].join('\n');
    expect(readCompose(text, 'c.yaml').services.get('web')).toEqual({ image: 'ghcr.io/acme/web:3.0.0', environment: { C: '3' } });
    const r = convertComposeText(text, { project: 'shop', source: 'c.yaml', packageSpec: '^0.0.0' });
    expect(r.plan.workloads.map((w) => w.name)).toEqual(['web']);
    expect(r.plan.refused).toEqual([]);
    // Without extends, a tagged field is as if absent.
    expect(readCompose('services:\n  a: {image: "x:1", ports: !reset ["80:80"]}\n', 'c.yaml').services.get('a')).toEqual({ image: 'x:1' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tags-'));
    fs.writeFileSync(path.join(dir, 'compose.yaml'), text);
    const audit = cli('audit', path.join(dir, 'compose.yaml'), '--format', 'json');
    expect(audit.stderr).toBe('');
    const web = JSON.parse(audit.stdout).findings.filter((f: any) => f.object?.name === 'web').map((f: any) => f.ruleId);
    expect(web).not.toContain('restrict-added-capabilities');
    expect(web).toContain('read-only-root-fs');
    expect(web).not.toContain('bind-specific-host-interface');
  });

  test('audit: a finding on an inherited list entry points at the extending service\'s key, not at an entry of its own list', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'where-'));
    const file = path.join(dir, 'compose.yaml');
    fs.writeFileSync(file, 'services:\n  base: {image: "ghcr.io/acme/web:3.0.0", ports: ["8000:8000"]}\n  web:\n    extends: base\n    ports: ["127.0.0.1:9000:9000"]\n');
    const f = JSON.parse(cli('audit', file, '--format', 'json').stdout).findings.find((x: any) => x.object?.name === 'web' && x.ruleId === 'bind-specific-host-interface');
    expect(f).toMatchObject({ message: 'container \'web\' publishes port 8000 on all interfaces', line: 5, column: 5 });
  });

  test('fields newer than the schema that a service inherits are listed like its own', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newer-'));
    fs.writeFileSync(path.join(dir, 'common.yml'), 'services:\n  base: {image: "x:1", use_api_socket: true}\n');
    const file = path.join(dir, 'compose.yaml');
    const load: ComposeFileLoader = (f, from) => ({ services: parseExtendedFile(fs.readFileSync(path.resolve(path.dirname(from ?? file), f), 'utf8'), f), path: path.resolve(path.dirname(from ?? file), f) });
    expect(readCompose('services:\n  app: {extends: {file: common.yml, service: base}}\n', 'compose.yaml', { path: file, load }).unknownFields).toEqual(['services.app.use_api_socket']);
  });

  test('a file is read once however many services extend it; extends.file is interpolated', () => {
    let reads = 0;
    const load: ComposeFileLoader = (f, from) => {
      reads++;
      return memoryLoader({ '/app/sub/common.yml': { base: { image: 'x:1' } } })(f, from);
    };
    const services = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`s${i}`, { extends: { file: '${COMMON:-sub/common.yml}', service: 'base' } }]));
    const r = resolveExtends(services, { file: '/app/compose.yaml', load });
    expect(reads).toBe(1);
    expect(r.services.s19).toEqual({ image: 'x:1' });
    // Without a default, the variable has no value here: an error that names it, not a file named `${COMMON:?…}`.
    for (const [ext, what, name] of [[{ file: '${COMMON:?set COMMON}', service: 'base' }, 'file', 'COMMON'], [{ file: '$DIR/c.yml', service: 'base' }, 'file', 'DIR'], ['${BASE}', 'service', 'BASE']] as const) {
      expect(() => resolveExtends({ a: { extends: ext } }, { file: '/app/compose.yaml', load })).toThrow(new RegExp(`service "a": extends\\.${what} .* needs the variable ${name}, and the converter reads no environment`));
    }
    expect(reads).toBe(1);
  });

  test('a chain longer than 64 services is refused before it is walked; 64 are followed', () => {
    const chain = (n: number) => Object.fromEntries(Array.from({ length: n + 1 }, (_, i) => [`s${i}`, i === 0 ? { image: 'x:1', cap_drop: ['ALL'] } : { extends: `s${i - 1}`, environment: [`L${i}=1`] }]));
    expect(Object.keys((resolveExtends(chain(64)).services.s64 as any).environment)).toHaveLength(64);
    expect(() => resolveExtends(chain(65))).toThrow(/service "s65": the extends chain is longer than 64 services/);
    expect(() => resolveExtends(chain(50_000))).toThrow(/longer than 64/);
  });

  test('duplicate keys are refused with their position (checked once per mapping)', () => {
    expect(() => readCompose('services:\n  a: {image: "x:1"}\n  b: {image: "y:1", image: "z:1"}\n', 'c.yaml')).toThrow('c.yaml:3:21: malformed YAML: Map keys must be unique ("image" is given twice)');
    const many = `services:\n${Array.from({ length: 3000 }, (_, i) => `  s${i}: {image: "x:1"}`).join('\n')}\n  s7: {image: "y:1"}\n`;
    expect(() => readCompose(many, 'c.yaml')).toThrow(/c\.yaml:3002:3: .*"s7" is given twice/);
  });

  test('a sequence or mapping as a key (also through an alias) is refused as docker compose refuses it, with no parser warning', () => {
    const warn = jest.spyOn(process, 'emitWarning');
    try {
      const env = (key: string) => `x-k: &k [a]\nservices:\n  app:\n    image: "x:1"\n    environment:\n      ${key}: v\n`;
      expect(() => readCompose(env('? [a, b]\n      '), 'c.yaml')).toThrow('c.yaml:6:9: malformed YAML: a mapping key must be a scalar (a string), not a sequence');
      expect(() => readCompose(env('? {a: 1}\n      '), 'c.yaml')).toThrow(/c\.yaml:6:9: .*not a mapping/);
      expect(() => readCompose(env('*k '), 'c.yaml')).toThrow(/c\.yaml:6:7: .*not a sequence/);
      expect(readCompose(env('? !!str tagged\n      '), 'c.yaml').services.get('app')!.environment).toEqual({ tagged: 'v' });
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('merge tags and extends: the corners', () => {
  const svc = (text: string, name: string) => readCompose(text, 'c.yaml').services.get(name) as any;

  test('a tag in a service that extends nothing concerns that service alone; its children merge with the result', () => {
    const text = 'services:\n  base: {image: "x:1", cap_add: !override [SYS_ADMIN], environment: !override {A: "1"}}\n  app: {extends: base, cap_add: [CHOWN], environment: {B: "2"}}\n';
    expect(svc(text, 'base')).toEqual({ image: 'x:1', cap_add: ['SYS_ADMIN'], environment: { A: '1' } });
    expect(svc(text, 'app')).toEqual({ image: 'x:1', cap_add: ['SYS_ADMIN', 'CHOWN'], environment: { A: '1', B: '2' } });
    const nets = 'services:\n  base: {image: "x:1", networks: {backend: {aliases: [a], priority: 1}}}\n  app: {extends: base, networks: {backend: !override {aliases: [x]}}}\n';
    expect(svc(nets, 'app').networks).toEqual({ backend: { aliases: ['x'] } });
  });

  test('!override on a scalar reads it as the untagged scalar would be read, in init and audit', () => {
    const text = 'services:\n  app: {image: "ghcr.io/acme/app:1.0.0", privileged: !override true, read_only: !override true, user: !override "10001"}\n';
    expect(svc(text, 'app')).toEqual({ image: 'ghcr.io/acme/app:1.0.0', privileged: true, read_only: true, user: '10001' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scalar-'));
    fs.writeFileSync(path.join(dir, 'compose.yaml'), text);
    const ids = JSON.parse(cli('audit', path.join(dir, 'compose.yaml'), '--format', 'json').stdout).findings.map((f: any) => f.ruleId);
    expect(ids).toContain('no-privileged');
    expect(ids).not.toContain('read-only-root-fs');
  });

  test('a tagged node with an anchor can be aliased; a tagged services mapping, an alias bomb and duplicate keys under a tag are input errors', () => {
    const anchored = 'x-env: &env !override {A: "1"}\nx-none: &none !reset []\nservices:\n  a: {image: "x:1", environment: *env, cap_add: *none}\n  b: {image: "x:1", environment: *env, cap_add: *none}\n';
    expect(svc(anchored, 'b')).toEqual({ image: 'x:1', environment: { A: '1' } });
    expect(() => readCompose('services: !reset {}\n', 'c.yaml')).toThrow('c.yaml: not a Compose file (no services mapping)');
    const bomb = ['a: &a [1,1,1,1,1,1,1,1,1,1]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'services:', '  s: {image: "x:1", command: !override [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]}', ''].join('\n');
    expect(() => readCompose(bomb, 'c.yaml')).toThrow(/c\.yaml: malformed YAML: Excessive alias count/);
    expect(() => readCompose('services:\n  a: !override {image: "x:1", privileged: true, privileged: false}\n', 'c.yaml')).toThrow(/"privileged" is given twice/);
  });

  test('an entry with the same unique key replaces the extended one whole (a read-only bind is not kept read-only by its base)', () => {
    const text = 'services:\n  base: {image: "x:1", volumes: [{type: bind, source: ./data, target: /data, read_only: true}]}\n  app: {extends: base, volumes: [{type: bind, source: ./data, target: /data}]}\n';
    expect(svc(text, 'app').volumes).toEqual([{ type: 'bind', source: './data', target: '/data' }]);
  });

  test('service names and profiles are interpolated before they are compared', () => {
    const text = 'services:\n  app: {image: "x:1", depends_on: ["${DB:-db}"]}\n  db: {image: "postgres:16", profiles: ["${DB_PROFILE:-data}"]}\n';
    const convert = (profiles: string[]) => convertComposeText(text, { project: 'shop', source: 'c.yaml', packageSpec: '^0.0.0', profiles });
    expect(() => convert([])).toThrow(/needs "db" \(depends_on\), which is left out: its profiles \(data\) are not enabled\. Enable one with --profile data/);
    expect(convert(['data']).plan.workloads.map((w) => w.name).sort()).toEqual(['app', 'db']);
  });

  test('a file spelled several ways is read once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spell-'));
    fs.writeFileSync(path.join(dir, 'common.yml'), 'services:\n  base: {image: "ghcr.io/acme/app:1.0.0"}\n');
    const spellings = ['common.yml', './common.yml', '././common.yml', `../${path.basename(dir)}/common.yml`];
    fs.writeFileSync(path.join(dir, 'compose.yaml'), `services:\n${spellings.map((f, i) => `  s${i}: {extends: {file: "${f}", service: base}}`).join('\n')}\n`);
    // The same parsed services come back for every spelling: the file was read and parsed once.
    const load = extendedFileLoader(path.join(dir, 'compose.yaml'));
    const loaded = spellings.map((f) => load(f, undefined));
    for (const l of loaded) expect(l).toEqual({ services: loaded[0].services, path: fs.realpathSync(path.join(dir, 'common.yml')) });
    for (const l of loaded) expect(l.services).toBe(loaded[0].services);
    expect(cli('init', '--from-compose', path.join(dir, 'compose.yaml'), '--out', path.join(dir, 'out')).code).toBe(0);
  });
});
