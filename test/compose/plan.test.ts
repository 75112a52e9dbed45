import * as fc from 'fast-check';
import { ComposeInputError, convertComposeText, IMAGE_KNOWLEDGE, inferEdges, k8sName, knowledgeOf, readCompose } from '../../src/compose';
import { singletonScheduler } from '../../src/compose/schedulers';
import { credentialArgs, secretShape } from '../../src/compose/secrets';

const runs = Number(process.env.FC_NUM_RUNS ?? 100);
const convert = (text: string) => convertComposeText(text, { project: 'shop', source: 'compose.yaml', packageSpec: '^0.0.0' });
const all = (r: ReturnType<typeof convert>) => Object.values(r.files).join('\n') + JSON.stringify(r.synthesized.objects);

describe('read: one schema-valid document', () => {
  test('a multi-document file is refused, naming the count', () => {
    expect(() => readCompose('services:\n  a: {image: x:1}\n---\nservices:\n  b: {image: y:1}\n', 'c.yaml')).toThrow(/c\.yaml: 2 YAML documents in one file/);
  });

  test('empty documents around one document are fine', () => {
    expect([...readCompose('---\nservices:\n  a: {image: x:1}\n---\n', 'c.yaml').services.keys()]).toEqual(['a']);
  });

  test('duplicate keys are malformed YAML', () => {
    expect(() => readCompose('services:\n  a: {image: x:1}\n  a: {image: y:1}\n', 'c.yaml')).toThrow(ComposeInputError);
  });

  test('a modern file converts: the top-level name, and fields newer than the schema are listed, not refused; typos are refused', () => {
    const text = [
      'name: storefront',
      'services:',
      '  api:',
      '    image: ghcr.io/acme/api:1.0.0',
      '    ports: ["8080:8080"]',
      '    gpus: all',
      '    develop: { watch: [{ action: sync, path: ./src, target: /app }] }',
      '    env_file: [{ path: .env, required: false }]',
      '    healthcheck: { test: [CMD, /bin/check], start_interval: 1s }',
    ].join('\n');
    const fields = ['services.api.gpus', 'services.api.develop', 'services.api.healthcheck.start_interval'];
    expect(readCompose(text, 'c.yaml').unknownFields).toEqual(fields);
    const md = convert(text).files['MIGRATION.md'];
    expect(md).toContain('## Fields not converted');
    for (const f of fields) expect(md).toContain(`- \`${f}\``);
    // Any other unknown key is refused, as docker compose refuses it (a typo, usually).
    expect(() => readCompose(`${text}\n    imagee: typo\n`, 'c.yaml')).toThrow(/service 'api': must NOT have additional properties 'imagee'/);
    expect(readCompose('services:\n  a: {image: x:1}\n', 'c.yaml').unknownFields).toEqual([]);
    expect(convert('services:\n  a: {image: x:1}\n').files['MIGRATION.md']).not.toContain('Fields not converted');
  });

  test('the project (and namespace) is --name, else the file\'s top-level name, else the folder', () => {
    const named = 'name: Store Front\nservices:\n  a: {image: x:1}\n';
    const base = { source: 'compose.yaml', packageSpec: '^0.0.0', defaultProject: 'folder' };
    expect(convertComposeText(named, base).plan.namespace).toBe('store-front');
    expect(convertComposeText(named, { ...base, project: 'explicit' }).plan.namespace).toBe('explicit');
    expect(convertComposeText('services:\n  a: {image: x:1}\n', base).plan.namespace).toBe('folder');
  });

  test('the types of fields the schema knows are still checked', () => {
    expect(() => readCompose('name: 3\nservices:\n  a: {image: x:1}\n', 'c.yaml')).toThrow(/top level|field name/);
    expect(() => readCompose('services:\n  a: {image: x:1, cap_add: 3}\n', 'c.yaml')).toThrow(/service 'a', field cap_add: must be a list/);
    expect(() => readCompose('services:\n  a: {image: x:1, build: {context: 3, newer: x}}\n', 'c.yaml')).toThrow(ComposeInputError);
  });
});

describe('names: collisions are refused by name', () => {
  test('my_app, my-app and MY.APP', () => {
    expect(() => convert('services:\n  my_app: {image: "a:1"}\n  my-app: {image: "b:1"}\n  MY.APP: {image: "c:1"}\n  other: {image: "d:1"}\n'))
      .toThrow('service names collide after conversion to Kubernetes names: "MY.APP", "my-app", "my_app" all become \'my-app\'');
  });

  test('every generated name is a DNS-1035 label of at most 40 characters', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (s) => {
      const n = k8sName(s);
      expect(n).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
      expect(n.length).toBeLessThanOrEqual(40);
      expect(n).not.toBe('default');
    }), { numRuns: runs });
  });

  test('canonical: case and unicode compatibility forms fold', () => {
    expect(k8sName('ＡＰＩ')).toBe('api');
    expect(k8sName('9lives')).toBe('s-9lives');
  });
});

describe('edges: the call graph', () => {
  const edges = (yaml: string) => {
    const m = readCompose(yaml, 'c.yaml');
    const names = new Map([...m.services.keys()].map((n) => [n, k8sName(n)]));
    return inferEdges(m.services, names).map((e) => `${e.from}->${e.to} ${e.evidence.map((x) => `${x.what}${x.port ? `@${x.port}` : ''}`).join(' + ')}`);
  };

  test('depends_on, links with aliases, env hosts, URLs, DSNs, command lines', () => {
    expect(edges(`services:
  web:
    image: a:1
    depends_on: {api: {condition: service_started}}
    environment: [API=http://api:8080/v1, CACHE_HOST=cache, MODE=api]
  api:
    image: a:1
    links: ["db:database"]
    environment:
      DSN: "host=database port=5432 dbname=x"
      MONGO: mongodb://user@mongo1:27017,mongo2:27018/app?replicaSet=rs
    command: ["serve", "--redis", "cache:6379", "--upstream=http://web"]
  cache: {image: a:1}
  db: {image: a:1}
  mongo1: {image: a:1}
  mongo2: {image: a:1}
`)).toEqual([
      'api->cache command (host:port)@6379',
      'api->db links: db:database + environment DSN (host name)',
      'api->mongo1 environment MONGO (mongodb URL)@27017',
      'api->mongo2 environment MONGO (host:port)@27018',
      'api->web command --upstream (http URL)@80',
      'web->api depends_on + environment API (http URL)@8080',
      'web->cache environment CACHE_HOST (host name)',
    ]);
  });

  test('bare words count only where a host is expected; self-references are ignored', () => {
    expect(edges('services:\n  a: {image: "x:1", environment: {MODE: b, SELF_HOST: a}}\n  b: {image: "x:1"}\n')).toEqual([]);
  });

  test('scans stay linear on long values', () => {
    const big = `${'a:'.repeat(200_000)}b ${'x://'.repeat(50_000)}`;
    const t = Date.now();
    edges(`services:\n  a: {image: "x:1", environment: {URL: "${big}"}}\n  b: {image: "x:1"}\n`);
    expect(Date.now() - t).toBeLessThan(20_000);
  });
});

describe('secrets: values are never copied, whatever their name', () => {
  const shapes = [
    'ghp_0123456789abcdefghijABCDEFGHIJ0123456789',
    'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEF',
    'AKIAIOSFODNN7EXAMPLE',
    'xoxb-123456789012-abcdefghijkl',
    'sk_live_0123456789abcdefABCDEF',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    'postgres://app:S3ntinelPw@db:5432/app',
  ];

  test.each(shapes)('%s is recognized by its shape', (v) => {
    expect(secretShape(v)).toBeDefined();
  });

  test('credential flags: --password=x, --password x, -px, --requirepass x; not ports or plain flags', () => {
    expect(credentialArgs(['mysql', '-pS3ntinel', '--password=S3ntinel', '--token', 'S3ntinel', '-p8080', '-print', '--password=$(DB_PASSWORD)']).map((c) => c.index)).toEqual([1, 2, 4]);
  });

  test('init turns every shape into a Secret reference, in env, command and healthcheck', () => {
    fc.assert(fc.property(fc.constantFrom(...shapes), fc.constantFrom('CONFIG', 'GREETING', 'X_SETTING'), (secret, name) => {
      const r = convert(`services:
  api:
    image: ghcr.io/acme/api:1.0.0
    ports: ["8080:8080"]
    environment: {${name}: "${secret}"}
    command: ["serve", "--password=${secret}", "--token", "${secret}"]
    healthcheck: {test: ["CMD", "check", "--auth-token", "${secret}"]}
`);
      expect(all(r)).not.toContain(secret);
      expect(r.files['spec.ts']).toContain(`${name}: { secret: { name: "api-secrets", key: "${name.toLowerCase().replace(/_/g, '-')}" } }`);
      expect(r.files['spec.ts']).toContain('args: ["serve", "--password=$(COMMAND_CREDENTIAL_1)", "--token", "$(COMMAND_CREDENTIAL_2)"]');
    }), { numRuns: Math.min(runs, 20) });
  });

  test('a credential URL in an image reference or a database command is never echoed', () => {
    const r = convert(`services:
  api:
    image: https://user:S3ntinelPw@registry.example.com/x:1
    ports: ["8080:8080"]
  db:
    image: redis:7.2
    command: redis-server --requirepass S3ntinelPw
`);
    expect(all(r)).not.toContain('S3ntinelPw');
  });
});

describe('image knowledge', () => {
  test('the table covers the popular images, each with absolute paths and a port', () => {
    const repos = IMAGE_KNOWLEDGE.map((k) => k.repository);
    for (const r of ['nginx', 'httpd', 'postgres', 'mysql', 'mariadb', 'redis', 'mongo', 'rabbitmq', 'elasticsearch', 'grafana/grafana', 'prom/prometheus', 'wordpress']) expect(repos).toContain(r);
    for (const k of IMAGE_KNOWLEDGE) {
      expect(k.port).toBeGreaterThan(0);
      for (const p of [...k.writablePaths, ...k.dataPaths]) expect(p).toMatch(/^\/[a-z]/);
      expect(k.note.length).toBeGreaterThan(20);
    }
    expect(knowledgeOf('nginx:1.27')?.nonRoot).toEqual({ repository: 'nginxinc/nginx-unprivileged', port: 8080, extraPorts: { 443: 8443 } });
    expect(knowledgeOf('docker.io/library/postgres:16')?.engine).toBe('postgres');
    expect(knowledgeOf('ghcr.io/x/nginx:1')).toBeUndefined();
  });

  test('nginx becomes nginx-unprivileged on 8080 behind Service port 80, writing /var/cache/nginx and /var/run', () => {
    const r = convert('services:\n  web:\n    image: nginx:1.27\n    ports: ["80:80"]\n');
    const dep = r.synthesized.objects.find((o) => o.kind === 'Deployment')!;
    const c = dep.spec.template.spec.containers[0];
    expect(c.image).toBe('docker.io/nginxinc/nginx-unprivileged:1.27');
    expect(c.ports).toEqual([{ name: 'port-80', containerPort: 8080, protocol: 'TCP' }]);
    expect(c.securityContext.runAsUser ?? dep.spec.template.spec.securityContext.runAsUser).toBe(10001);
    expect(c.volumeMounts.map((m: any) => m.mountPath).sort()).toEqual(['/tmp', '/var/cache/nginx', '/var/run']);
    const svc = r.synthesized.objects.find((o) => o.kind === 'Service')!;
    expect(svc.spec.ports).toEqual([{ name: 'port-80', port: 80, targetPort: 'port-80', protocol: 'TCP' }]);
    expect(dep.metadata?.annotations?.['hardened-constructs.io/suppress.unprivileged-container-ports']).toBeUndefined();
    expect(r.files['MIGRATION.md']).toContain('- Writable: `/tmp` (64Mi), `/var/cache/nginx` (64Mi), `/var/run` (64Mi).');
  });

  test('a database keeps its Compose command options; Redis reports its new password', () => {
    const r = convert(`services:
  db:
    image: mysql:8.0
    command: --default-authentication-plugin=mysql_native_password
  cache:
    image: redis:7.2
  app:
    image: ghcr.io/acme/app:1.0.0
    environment: {DB: "db:3306", CACHE: "redis://cache:6379"}
`);
    const sts = r.synthesized.objects.find((o) => o.kind === 'StatefulSet' && o.metadata?.name === 'db')!;
    expect(sts.spec.template.spec.containers[0].args).toEqual(['mysqld', '--datadir=/var/lib/mysql/data', '--default-authentication-plugin=mysql_native_password']);
    expect(r.files['MIGRATION.md']).toContain("Redis now requires a password (key 'password' of 'cache-credentials'); the Compose Redis had none");
  });
});

describe('serverArgs (the Compose command of a database preset)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { resolveDatabase } = require('../../src/spec/database') as typeof import('../../src/spec/database');
  const base = { resources: 'medium' as const, storage: { size: '10Gi' }, credentials: { secretName: 'db-credentials' } };
  const ctx = { constructPath: 'shop/db', defaultName: 'db', defaultNamespace: 'shop' };

  test('appended to the preset server command', () => {
    expect(resolveDatabase({ ...base, engine: 'postgres', serverArgs: ['-c', 'max_connections=200'] }, ctx).container.args).toEqual(['postgres', '-c', 'max_connections=200']);
  });

  test('refused where the preset builds its command in a script (Redis), with a rule id', () => {
    expect(() => resolveDatabase({ ...base, engine: 'redis', serverArgs: ['--save', '60'] }, ctx)).toThrow(/\[spec\/database-args\] shop\/db: serverArgs:/);
  });
});

describe('schedulers run once', () => {
  test.each([
    [['celery', '-A', 'shop', 'beat', '--loglevel=info'], 'celery beat'],
    [['celery', '--app=shop', 'worker', '-B'], 'celery beat'],
    [['sh', '-c', 'python manage.py migrate && exec celery -A shop beat'], 'celery beat'],
    [['/usr/local/bin/rqscheduler', '--host', 'redis'], 'rq-scheduler'],
    [['tini', '--', 'supercronic', '/etc/crontab'], 'cron'],
    [['crond', '-f', '-l', '2'], 'cron'],
    [['gosu', 'app', 'cron', '-f'], 'cron'],
    [['php', 'artisan', 'schedule:work'], 'Laravel scheduler'],
    [['bundle', 'exec', 'clockwork', 'clock.rb'], 'clockwork'],
  ])('%j is %s', (argv, name) => {
    expect(singletonScheduler(argv)?.name).toBe(name);
  });

  test.each([
    [['celery', '-A', 'shop', 'worker', '--concurrency=4']],
    [['python', 'manage.py', 'cron']],
    [['gunicorn', 'shop.wsgi', '--bind', '0.0.0.0:8000']],
    [['echo', 'beat']],
    [[]],
  ])('%j is not a scheduler', (argv) => {
    expect(singletonScheduler(argv)).toBeUndefined();
  });

  test('converted: the worker is replicated, beat runs once with its reason, and both synthesize', () => {
    const r = convert([
      'services:',
      '  worker:',
      '    image: ghcr.io/acme/shop:1.0.0',
      '    command: celery -A shop worker --concurrency=4',
      '  beat:',
      '    image: ghcr.io/acme/shop:1.0.0',
      '    command: ["celery", "-A", "shop", "beat"]',
    ].join('\n'));
    const deployments = r.synthesized.objects.filter((o: any) => o.kind === 'Deployment');
    const replicas = Object.fromEntries(deployments.map((o: any) => [o.metadata.name, o.spec.replicas]));
    expect(replicas).toEqual({ worker: 2, beat: 1 });
    const beat: any = deployments.find((o: any) => o.metadata.name === 'beat');
    expect(beat.metadata.annotations['hardened-constructs.io/suppress.min-replicas']).toMatch(/^singleReplica: celery beat is the periodic task scheduler: a second copy sends every scheduled task twice/);
    expect(r.files['MIGRATION.md']).toContain('runs 1 replica: celery beat is the periodic task scheduler');
  });

  test('Compose that runs two schedulers keeps them, with a note to run one', () => {
    const r = convert('services:\n  beat:\n    image: ghcr.io/acme/shop:1.0.0\n    command: celery -A shop beat\n    deploy: { replicas: 2 }\n');
    expect((r.synthesized.objects.find((o: any) => o.kind === 'Deployment') as any).spec.replicas).toBe(2);
    expect(r.files['MIGRATION.md']).toMatch(/Compose runs 2 copies of celery beat, kept: .*; run one/);
  });
});

test('environment variables named like object methods (__proto__, constructor) are dropped with a TODO, not lost or fatal', () => {
  const r = convert('services:\n  web:\n    image: ghcr.io/acme/web:1.0.0\n    environment:\n      __proto__: x\n      constructor: y\n      OK: z\n');
  expect(r.plan.workloads[0].spec.env).toEqual({ OK: 'z' });
  const todos = r.plan.workloads[0].todos.map((t) => t.text);
  expect(todos).toContain("the environment variable '__proto__' was dropped: its name shadows a method of every JavaScript object, and the specs refuse it as a key; rename it in the application");
  expect(todos.some((t) => t.includes("'constructor' was dropped"))).toBe(true);
});

test('Compose secrets are mounted where Compose mounts them (their target), the same secret at two targets included', () => {
  const r = convert([
    'services:',
    '  app:',
    '    image: ghcr.io/acme/app:1.0.0',
    '    secrets: [s1, {source: s1, target: /etc/app/s1}, {source: tls, target: cert.pem}, {source: k, target: /run/secrets/sub/k}, {source: t, target: /tmp/t}]',
    'secrets: {s1: {file: ./s1}, tls: {file: ./tls}, k: {file: ./k}, t: {file: ./t}}',
    '',
  ].join('\n'));
  const w = r.plan.workloads[0];
  expect(w.spec.secretFiles).toEqual([
    { secretName: 'app-files', mountPath: '/run/secrets', keys: ['s1', 'cert.pem'] },
    { secretName: 'app-files', mountPath: '/etc/app', keys: ['s1'] },
  ]);
  const todos = w.todos.map((t) => t.text).join('\n');
  expect(todos).toContain('/run/secrets/sub/k: /run/secrets/sub is inside /run/secrets');
  expect(todos).toContain("secret 't' was mounted at /tmp/t in Compose");
  expect(w.changes.map((c) => c.text)).toContain("secret 'tls' is mounted as /run/secrets/cert.pem, as in Compose: the Secret 'app-files' holds it under the key 'cert.pem'");
  const pod = (r.synthesized.objects.find((o: any) => o.kind === 'Deployment') as any).spec.template.spec;
  expect(pod.containers[0].volumeMounts.filter((m: any) => m.name.includes('secret')).map((m: any) => m.mountPath)).toEqual(['/run/secrets', '/etc/app']);
});

describe('published ports', () => {
  const ingressFrom = (r: ReturnType<typeof convert>) => JSON.stringify((r.synthesized.objects.find((o: any) => o.kind === 'NetworkPolicy') as any).spec.ingress);
  test.each([
    ['"127.0.0.1:8080:8080"'],
    ['"127.0.0.2:8080:8080"'],
    ['{ target: 8080, published: "8080", host_ip: "::1" }'],
    ['{ target: 8080, published: 8080, host_ip: "[::1]" }'],
  ])('%s (the host\'s loopback only) stays inside the namespace', (port) => {
    const r = convert(`services:\n  admin:\n    image: ghcr.io/acme/admin:1.0.0\n    ports: [${port}]\n`);
    expect(ingressFrom(r)).not.toContain('ingress-nginx');
    expect(ingressFrom(r)).toContain('"kubernetes.io/metadata.name":"shop"');
    expect(r.files['MIGRATION.md']).toContain("were published on the host's loopback interface only");
    expect(r.files['MIGRATION.md']).not.toContain('on every interface');
  });

  test('one host port published on every interface and on loopback is published on every interface, once', () => {
    const r = convert('services:\n  web:\n    image: ghcr.io/acme/web:1.0.0\n    ports: ["8000:8000", { target: 8000, published: 8000, host_ip: 127.0.0.1 }]\n');
    expect(ingressFrom(r)).toContain('ingress-nginx');
    expect(r.plan.workloads[0].published).toEqual([{ name: 'port-8000', composePort: 8000, hostPort: 8000, loopback: undefined }]);
    expect(r.files['MIGRATION.md']).not.toContain('loopback interface only');
    expect(r.files['docker.ts'].match(/hostPort: 8000/g)).toHaveLength(1);
    const lo = convert('services:\n  web:\n    image: ghcr.io/acme/web:1.0.0\n    ports: ["127.0.0.1:8000:8000", { target: 8000, published: 8000, host_ip: "::1" }]\n');
    expect(lo.plan.workloads[0].published).toEqual([{ name: 'port-8000', composePort: 8000, hostPort: 8000, loopback: true }]);
  });

  test.each([['"8080:8080"'], ['"0.0.0.0:8080:8080"'], ['"10.0.0.5:8080:8080"']])('%s admits the ingress controller', (port) => {
    const r = convert(`services:\n  web:\n    image: ghcr.io/acme/web:1.0.0\n    ports: [${port}]\n`);
    expect(ingressFrom(r)).toContain('ingress-nginx');
  });
});
