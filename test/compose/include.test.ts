import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { composeFileReaders } from '../../src/cli/init-cmd';
import { ComposeDocumentLoader, ComposeInputError, convertComposeText, IncludeError, MAX_INCLUDE_DEPTH, readCompose, resolveIncludes, selectProfiles } from '../../src/compose';
import { cli } from '../util/cli';

const runs = Number(process.env.FC_NUM_RUNS ?? 100);
const MAIN = '/app/compose.yaml';

/** An in-memory set of Compose documents, by absolute path. */
function memory(files: Record<string, Record<string, unknown>>, reads: string[] = []): ComposeDocumentLoader {
  return (file, from) => {
    const abs = path.posix.resolve(path.posix.dirname(from ?? MAIN), file);
    reads.push(abs);
    if (!files[abs]) throw new Error('cannot read (ENOENT)');
    return { document: files[abs], path: abs };
  };
}
const read = (main: Record<string, unknown>, files: Record<string, Record<string, unknown>>) =>
  resolveIncludes(main, { file: MAIN, loadDocument: memory(files) });

describe('include: resources copied in as docker compose config does', () => {
  const db = {
    services: {
      db: {
        image: 'postgres:16.2',
        build: '.',
        env_file: '.env',
        volumes: ['data:/var/lib/postgresql/data', './init:/docker-entrypoint-initdb.d:ro', { type: 'bind', source: '../common/conf', target: '/etc/conf' }],
        secrets: ['pw'],
      },
    },
    volumes: { data: {} },
    secrets: { pw: { file: './pw.txt' } },
    networks: { backend: {} },
  };

  test('services, volumes, secrets and networks of the included file join the model; relative paths follow the file', () => {
    const r = read({ include: ['db/compose.yaml'], services: { web: { image: 'ghcr.io/acme/web:1.0.0', depends_on: ['db'] } } }, { '/app/db/compose.yaml': db });
    expect(Object.keys(r.document).sort()).toEqual(['networks', 'secrets', 'services', 'volumes']);
    expect(r.document.services).toEqual({
      web: { image: 'ghcr.io/acme/web:1.0.0', depends_on: ['db'] },
      db: {
        image: 'postgres:16.2',
        build: './db',
        env_file: './db/.env',
        volumes: ['data:/var/lib/postgresql/data', './db/init:/docker-entrypoint-initdb.d:ro', { type: 'bind', source: './common/conf', target: '/etc/conf' }],
        secrets: ['pw'],
      },
    });
    expect(r.document.secrets).toEqual({ pw: { file: './db/pw.txt' } });
    expect(r.document.volumes).toEqual({ data: {} });
    expect([...r.origins]).toEqual([['db', 'db/compose.yaml']]);
    expect(r.notConverted).toEqual([]);
  });

  test('includes apply recursively, each path relative to the file that names it', () => {
    const r = read({ include: ['a/compose.yaml'] }, {
      '/app/a/compose.yaml': { include: ['../b/compose.yaml'], services: { a: { image: 'a:1', build: 'src' } } },
      '/app/b/compose.yaml': { include: [{ path: 'c.yaml' }], services: { b: { image: 'b:1', build: 'src' } } },
      '/app/b/c.yaml': { services: { c: { image: 'c:1', build: 'src' } } },
    });
    expect(r.document.services).toEqual({ a: { image: 'a:1', build: './a/src' }, b: { image: 'b:1', build: './b/src' }, c: { image: 'c:1', build: './b/src' } });
    expect([...r.origins]).toEqual([['c', 'b/c.yaml'], ['b', 'b/compose.yaml'], ['a', 'a/compose.yaml']]);
  });

  test('a path list merges its files as -f does; project_directory sets where relative paths start', () => {
    const r = read({ include: [{ path: ['db/compose.yaml', 'db/override.yaml'], project_directory: 'db/project', env_file: ['db/.env'] }] }, {
      '/app/db/compose.yaml': { services: { db: { image: 'postgres:16.2', environment: { A: '1', B: '2' }, build: '.' } } },
      '/app/db/override.yaml': { services: { db: { environment: ['B=3'], ports: ['5432:5432'] } } },
    });
    expect(r.document.services).toEqual({ db: { image: 'postgres:16.2', environment: { A: '1', B: '3' }, build: './db/project', ports: ['5432:5432'] } });
    expect(r.notConverted).toEqual(['include[0].env_file']);
  });

  test('an included file resolves its own extends, against itself', () => {
    const r = read({ include: ['db/compose.yaml'] }, {
      '/app/db/compose.yaml': { services: { base: { image: 'x:1', build: 'ctx' }, db: { extends: { file: 'common.yaml', service: 'c' }, user: '10001' } } },
      '/app/db/common.yaml': { services: { c: { image: 'postgres:16.2', env_file: 'c.env' } } },
    });
    expect((r.document.services as Record<string, unknown>).db).toEqual({ image: 'postgres:16.2', env_file: './db/c.env', user: '10001' });
  });

  test('a definition in two places is refused unless both are identical', () => {
    const files = { '/app/db/compose.yaml': { services: { db: { image: 'postgres:16.2' } } } };
    expect(() => read({ include: ['db/compose.yaml'], services: { db: { image: 'postgres:15' } } }, files))
      .toThrow(new IncludeError('include[0]: "db/compose.yaml" defines service "db", which this file defines differently: Compose copies included resources and refuses conflicting definitions (it does not merge them). Rename one, or define it in one place.'));
    expect(() => read({ include: ['db/compose.yaml', 'other.yaml'] }, { ...files, '/app/other.yaml': { services: { db: { image: 'mysql:8.4' } } } }))
      .toThrow(/include\[1\]: "other\.yaml" defines service "db", which "db\/compose\.yaml" defines differently/);
    const same = read({ include: ['db/compose.yaml'], services: { db: { image: 'postgres:16.2' } } }, files);
    expect(same.document.services).toEqual({ db: { image: 'postgres:16.2' } });
  });

  test('cycles, missing files, a missing reader, deep chains and unset variables are errors that name the include', () => {
    expect(() => read({ include: ['a.yaml'] }, { '/app/a.yaml': { include: ['b.yaml'], services: {} }, '/app/b.yaml': { include: ['a.yaml'], services: {} } }))
      .toThrow(new IncludeError('b.yaml: include[0]: "a.yaml" includes itself (through "compose.yaml" → "a.yaml" → "b.yaml"): Compose refuses include cycles.'));
    expect(() => read({ include: ['compose.yaml'] }, { [MAIN]: { services: {} } })).toThrow(/include\[0\]: "compose\.yaml" includes itself/);
    expect(() => read({ include: ['nowhere.yaml'] }, {})).toThrow(new IncludeError('include[0]: "nowhere.yaml": cannot read (ENOENT)'));
    expect(() => resolveIncludes({ include: ['x.yaml'] })).toThrow(/include\[0\] includes "x\.yaml", and no file reader was given/);
    const chain: Record<string, Record<string, unknown>> = {};
    for (let i = 0; i < MAX_INCLUDE_DEPTH + 5; i++) chain[`/app/f${i}.yaml`] = { include: [`f${i + 1}.yaml`], services: { [`s${i}`]: { image: 'x:1' } } };
    expect(() => read({ include: ['f0.yaml'] }, chain)).toThrow(/nest deeper than 32 files/);
    expect(() => read({ include: ['${DB_DIR}/compose.yaml'] }, {})).toThrow(/needs the variable DB_DIR, and the converter reads no environment/);
    const withDefault = read({ include: ['${DB_DIR:-db}/compose.yaml'] }, { '/app/db/compose.yaml': { services: { db: { image: 'postgres:16.2' } } } });
    expect(Object.keys(withDefault.document.services as object)).toEqual(['db']);
    expect(() => read({ include: [{ path: 'a.yaml', extra: 1 }] }, {})).toThrow(/include\[0\]: unknown field "extra"/);
    expect(() => read({ include: 'a.yaml' }, {})).toThrow(/include: must be a list/);
  });

  test('an included file must follow the Compose Specification itself: a misspelled section is an error, not a silent drop', () => {
    expect(() => read({ include: ['db.yaml'], services: { web: { image: 'w:1' } } }, { '/app/db.yaml': { servces: { db: { image: 'postgres:16.2' } } } }))
      .toThrow(/include\[0\]: "db\.yaml" does not follow the Compose Specification: top level: must NOT have additional properties 'servces'/);
    expect(() => read({ include: ['db.yaml'] }, { '/app/db.yaml': { services: { db: { image: 'postgres:16.2', ports: 5432 } } } }))
      .toThrow(/"db\.yaml" does not follow the Compose Specification: service 'db', field ports: must be a list/);
    // A field newer than the schema is listed as not converted, with the file.
    expect(read({ include: ['db.yaml'] }, { '/app/db.yaml': { services: { db: { image: 'postgres:16.2', gpus: 'all' } } } }).notConverted).toEqual(['db.yaml: services.db.gpus']);
  });

  test('a bind-mount source with a default is rewritten like a plain one; variables without a default stay', () => {
    const r = read({ include: ['db/compose.yaml'] }, {
      '/app/db/compose.yaml': { services: { db: { image: 'postgres:16.2', volumes: ['${INIT:-./init}:/docker-entrypoint-initdb.d:ro', '${DATA}:/data', 'named:/var/lib/x'] } } },
    });
    expect((r.document.services as any).db.volumes).toEqual(['./db/init:/docker-entrypoint-initdb.d:ro', '${DATA}:/data', 'named:/var/lib/x']);
    // Remote build contexts are not paths.
    const remote = read({ include: ['db/compose.yaml'] }, {
      '/app/db/compose.yaml': { services: { a: { build: 'github.com/acme/a' }, b: { build: 'https://github.com/acme/b.git#main' }, c: { build: 'git@github.com:acme/c.git' } } },
    });
    expect(Object.values(remote.document.services as object).map((x) => x.build)).toEqual(['github.com/acme/a', 'https://github.com/acme/b.git#main', 'git@github.com:acme/c.git']);
  });

  test('with project_directory, the included file\'s own includes are found from that folder (as compose-go loads them)', () => {
    const r = read({ include: [{ path: 'team/compose.yaml', project_directory: 'proj' }] }, {
      '/app/team/compose.yaml': { include: ['sub.yaml'], services: { t: { image: 't:1' } } },
      '/app/proj/sub.yaml': { services: { fromProject: { image: 'p:1' } } },
      '/app/team/sub.yaml': { services: { fromTeam: { image: 'x:1' } } },
    });
    expect(Object.keys(r.document.services as object).sort()).toEqual(['fromProject', 't']);
  });

  test('a file included again is resolved and compared once: work does not grow with the number of includes', () => {
    // Count how often the included service's environment is walked.
    let walks = 0;
    const env = new Proxy(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`K${i}`, String(i)])), { ownKeys: (t) => { walks++; return Reflect.ownKeys(t); } });
    const walked = (times: number) => {
      walks = 0;
      const r = read({ include: Array.from({ length: times }, () => 'common.yaml') }, { '/app/common.yaml': { services: { one: { image: 'x:1', environment: env } } } });
      expect(Object.keys(r.document.services as object)).toEqual(['one']);
      return walks;
    };
    expect(walked(500)).toBe(walked(2));
  });

  test('each file is read once per include however many services it defines', () => {
    const reads: string[] = [];
    resolveIncludes({ include: ['db.yaml'] }, { file: MAIN, loadDocument: memory({ '/app/db.yaml': { services: { a: { image: 'a:1' }, b: { image: 'b:1' } } } }, reads) });
    expect(reads).toEqual(['/app/db.yaml']);
  });

  test('property: including files equals writing their services in one file (disjoint names, no relative paths)', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
    const placement = fc.array(fc.nat(3), { minLength: 12, maxLength: 12 });
    fc.assert(fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 12 }), placement, (names, where) => {
      // Service i lives in the main file (0) or in one of three included files.
      const files: Record<string, Record<string, unknown>> = { '/app/f1.yaml': { services: {} }, '/app/f2.yaml': { services: {} }, '/app/f3.yaml': { services: {} } };
      const main: Record<string, unknown> = { include: ['f1.yaml', 'f2.yaml', 'f3.yaml'], services: {} };
      const all: Record<string, unknown> = {};
      names.forEach((n, i) => {
        const svc = { image: `ghcr.io/acme/${n}:1.0.${i}`, environment: { N: String(i) } };
        all[n] = svc;
        const target = where[i] === 0 ? main : files[`/app/f${where[i]}.yaml`];
        (target.services as Record<string, unknown>)[n] = svc;
      });
      const r = read(main, files);
      expect(r.document.services).toEqual(all);
      expect(new Set(r.origins.keys())).toEqual(new Set(names.filter((_, i) => where[i] !== 0)));
    }), { numRuns: runs });
  });
});

describe('include in conversion and audit', () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'include-')));
  fs.mkdirSync(path.join(dir, 'db'));
  fs.writeFileSync(path.join(dir, 'db', 'compose.yaml'), [
    'services:',
    '  db:',
    '    image: postgres:16.2',
    '    environment: { POSTGRES_PASSWORD_FILE: /run/secrets/pw }',
    '    volumes: [data:/var/lib/postgresql/data]',
    '    privileged: true',
    '  adminer:',
    '    image: adminer:4.8.1',
    '    profiles: [debug]',
    '    ports: ["8081:8080"]',
    'volumes:',
    '  data: {}',
    '',
  ].join('\n'));
  const compose = 'include:\n  - db/compose.yaml\nservices:\n  web:\n    image: ghcr.io/acme/web:1.2.3\n    ports: ["8080:8080"]\n    depends_on: [db]\n    environment: { DB_HOST: db }\n';
  fs.writeFileSync(path.join(dir, 'compose.yaml'), compose);

  test('readCompose copies the included services in, with their origin; without a reader the file is refused', () => {
    const file = path.join(dir, 'compose.yaml');
    const model = readCompose(compose, 'compose.yaml', { path: file, ...composeFileReaders(file) });
    expect([...model.services.keys()]).toEqual(['adminer', 'db', 'web']);
    expect(model.services.get('db')).toMatchObject({ image: 'postgres:16.2', privileged: true });
    expect([...model.included!]).toEqual([['db', 'db/compose.yaml'], ['adminer', 'db/compose.yaml']]);
    expect(model.unknownFields).toEqual([]);
    expect(selectProfiles(model, [], 'compose.yaml').leftOut.map((l) => l.name)).toEqual(['adminer']);
    expect(() => readCompose(compose, 'compose.yaml')).toThrow(new ComposeInputError('compose.yaml: include[0] includes "db/compose.yaml", and no file reader was given to read it.'));
  });

  test('hardened init converts the app with its included services, and wires the connection to them', () => {
    fs.writeFileSync(path.join(dir, 'db', 'compose.yaml'), fs.readFileSync(path.join(dir, 'db', 'compose.yaml'), 'utf8').replace('    privileged: true\n', ''));
    const out = path.join(dir, 'out');
    const r = cli('init', '--from-compose', path.join(dir, 'compose.yaml'), '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Converted compose.yaml into');
    expect(r.stdout).toContain('1 service(s), 1 database(s), 0 refused; 1 connection(s) wired.');
    const md = fs.readFileSync(path.join(out, 'MIGRATION.md'), 'utf8');
    expect(md).toContain('- defined in db/compose.yaml (include): copied in as `docker compose config` does');
    expect(md).toMatch(/`web` → `db` on 5432\/TCP: allowed by both NetworkPolicies/);
    expect(md).not.toContain('`include`');
    // The same through the library API, with the files in memory.
    const files: Record<string, Record<string, unknown>> = { '/app/db/compose.yaml': { services: { db: { image: 'postgres:16.2' } } } };
    const api = convertComposeText('include: [db/compose.yaml]\nservices:\n  web: { image: "ghcr.io/acme/web:1.2.3", ports: ["8080:8080"], depends_on: [db] }\n', {
      source: 'compose.yaml', packageSpec: '^1.0.0', path: MAIN, loadDocument: memory(files),
    });
    expect(api.plan.workloads.map((w) => [w.composeName, w.kind])).toEqual([['db', 'database'], ['web', 'service']]);
  });

  test('hardened init refuses a conflicting include and a file that includes itself, naming them', () => {
    const bad = path.join(dir, 'conflict.yaml');
    fs.writeFileSync(bad, 'include: [db/compose.yaml]\nservices:\n  db: { image: "mysql:8.4" }\n');
    const r = cli('init', '--from-compose', bad, '--out', path.join(dir, 'out-bad'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('hardened init: conflict.yaml: include[0]: "db/compose.yaml" defines service "db", which this file defines differently: Compose copies included resources and refuses conflicting definitions (it does not merge them). Rename one, or define it in one place.\n');
    const loop = path.join(dir, 'loop.yaml');
    fs.writeFileSync(loop, 'include: [loop.yaml]\nservices: {}\n');
    expect(cli('init', '--from-compose', loop, '--out', path.join(dir, 'out-loop')).stderr).toMatch(/loop\.yaml: include\[0\]: "loop\.yaml" includes itself/);
    expect(fs.existsSync(path.join(dir, 'out-bad'))).toBe(false);
  });

  test('hardened init refuses includes that add up to more than 16 MiB, before reading the rest', () => {
    const big = path.join(dir, 'big');
    fs.mkdirSync(big);
    // Five files just under the 4 MiB limit of one file (comments: cheap to parse).
    const padding = `#${'x'.repeat(1023)}\n`.repeat(3800);
    for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(big, `f${i}.yaml`), `${padding}services:\n  s${i}: { image: "ghcr.io/acme/s:1.0.0" }\n`);
    fs.writeFileSync(path.join(big, 'compose.yaml'), 'include: [f0.yaml, f1.yaml, f2.yaml, f3.yaml, f4.yaml]\n');
    const r = cli('init', '--from-compose', path.join(big, 'compose.yaml'), '--out', path.join(big, 'out'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('hardened init: compose.yaml: include[4]: "f4.yaml": the files read through extends and include add up to more than 16 MiB: refused rather than read\n');
  });

  test('hardened audit audits an include path list merged, as docker compose -f merges it, also when a folder walk finds its files', () => {
    const pl = path.join(dir, 'pathlist');
    fs.mkdirSync(path.join(pl, 'db'), { recursive: true });
    fs.writeFileSync(path.join(pl, 'compose.yaml'), 'include:\n  - path: [db/compose.yaml, db/prod.yaml]\nservices:\n  web: { image: "ghcr.io/acme/web:1.0.0" }\n');
    fs.writeFileSync(path.join(pl, 'db', 'compose.yaml'), 'services:\n  db:\n    image: postgres:16.2\n    ports: ["5432:5432"]\n  adminer:\n    image: adminer:4.8.1\n');
    fs.writeFileSync(path.join(pl, 'db', 'prod.yaml'), 'services:\n  db:\n    ports: !reset []\n    privileged: true\n  adminer: !reset\n');
    const names = (j: any) => [...new Set((j.findings as any[]).map((f) => `${f.object.name} ${path.relative(pl, path.resolve(f.file))}`))].sort();
    const explicit = JSON.parse(cli('audit', path.join(pl, 'compose.yaml'), '--format', 'json').stdout);
    // adminer was reset, db has no image-less fragment findings, and its privileged flag points at prod.yaml's key.
    expect(names(explicit)).toEqual(['db db/prod.yaml', 'web compose.yaml']);
    expect((explicit.findings as any[]).filter((f) => f.ruleId === 'no-privileged').map((f) => f.line)).toEqual([4]);
    expect((explicit.findings as any[]).some((f) => f.ruleId === 'image-tag-pinned' || /no image/.test(f.message))).toBe(false);
    const cwd = process.cwd();
    try {
      process.chdir(pl);
      const walked = JSON.parse(cli('audit', '.', '--format', 'json').stdout);
      expect(names(walked)).toEqual(['db db/prod.yaml', 'web compose.yaml']);
      expect(walked.summary.files).toBe(2);
      expect(walked.summary.skipped.map((k: any) => [k.file, k.kind])).toEqual([['db/compose.yaml', 'include-override'], ['db/prod.yaml', 'include-override']]);
    } finally {
      process.chdir(cwd);
    }
  });

  test('hardened audit audits the included files too, each with its own positions, each once', () => {
    fs.writeFileSync(path.join(dir, 'db', 'compose.yaml'), fs.readFileSync(path.join(dir, 'db', 'compose.yaml'), 'utf8').replace('    volumes:', '    privileged: true\n    volumes:'));
    const r = cli('audit', path.join(dir, 'compose.yaml'), '--format', 'json');
    const j = JSON.parse(r.stdout);
    expect(j.summary.files).toBe(2);
    const priv = (j.findings as any[]).filter((f) => f.ruleId === 'no-privileged');
    expect(priv.map((f) => [f.object.name, path.basename(path.dirname(f.file)) + '/' + path.basename(f.file), f.line])).toEqual([['db', 'db/compose.yaml', 5]]);
    // Named again on the command line, or included by two files: audited once.
    const twice = JSON.parse(cli('audit', path.join(dir, 'compose.yaml'), path.join(dir, 'db', 'compose.yaml'), '--format', 'json').stdout);
    expect(twice.summary.files).toBe(2);
    expect((twice.findings as any[]).filter((f) => f.ruleId === 'no-privileged')).toHaveLength(1);
    // A cycle ends; a missing included file is an input error, as for docker compose.
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'include: [b.yaml]\nservices:\n  a: { image: "ghcr.io/acme/a:1.0.0" }\n');
    fs.writeFileSync(path.join(dir, 'b.yaml'), 'include: [a.yaml]\nservices:\n  b: { image: "ghcr.io/acme/b:1.0.0" }\n');
    expect(JSON.parse(cli('audit', path.join(dir, 'a.yaml'), '--format', 'json').stdout).summary.files).toBe(2);
    fs.writeFileSync(path.join(dir, 'gone.yaml'), 'include: [nowhere.yaml]\n');
    const gone = cli('audit', path.join(dir, 'gone.yaml'));
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/nowhere\.yaml: cannot read/);
  });
});
