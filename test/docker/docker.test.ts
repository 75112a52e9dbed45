import { spawnSync } from 'child_process';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { shopOnDocker } from '../../examples/docker/main';
import * as shop from '../../examples/shop/spec';
import { HardenedService as K8sService } from '../../src';
import { HardenedService, planDockerService, recordResources, RecordedResource, renderDockerContainer } from '../../src/docker';
import { Refuser } from '../../src/spec/errors';
import { resolveService } from '../../src/spec/service';
import { hardeningError, serviceProps, synth, testChart } from '../util/fixtures';

let resources: RecordedResource[] = [];
let app: ReturnType<typeof shopOnDocker>;
const urns: Record<string, string> = {};

beforeAll(async () => {
  resources = await recordResources(async () => {
    app = shopOnDocker();
    for (const c of [...app.api.containers, app.db.containers[0]]) {
      const name = await new Promise<string>((res) => pulumi.output(c.name).apply((n) => res(n as string)));
      urns[name] = await new Promise<string>((res) => c.urn.apply(res));
    }
  }, { project: 'shop', stack: 'test' });
});

const containers = () => resources.filter((r) => r.type === 'docker:index/container:Container').map((r) => r.inputs as any);

describe('npm run example:docker: every container meets the defaults', () => {
  test('components, networks, pinned images and containers are registered', () => {
    const types = resources.map((r) => r.type);
    expect(types.filter((t) => t.startsWith('hardened-constructs:docker:')).sort()).toEqual([
      'hardened-constructs:docker:HardenedService', 'hardened-constructs:docker:HardenedService', 'hardened-constructs:docker:HardenedService',
      'hardened-constructs:docker:HardenedService', 'hardened-constructs:docker:StatefulDatabase',
    ]);
    expect(resources.filter((r) => r.type === 'docker:index/remoteImage:RemoteImage').map((r) => (r.inputs as any).name).sort()).toEqual([
      'docker.io/library/postgres:16.4-bookworm', 'docker.io/nginxinc/nginx-unprivileged:1.27.2', 'ghcr.io/acme/shop-api:2.3.1', 'ghcr.io/acme/shop-web:1.8.2', 'ghcr.io/acme/shop-worker:2.3.1',
    ]);
    expect(containers()).toHaveLength(11);
    expect(urns['shop-api-0']).toBe('urn:pulumi:test::shop::hardened-constructs:docker:HardenedService$docker:index/container:Container::shop-api-0');
    expect(urns['shop-orders-db-0']).toContain('hardened-constructs:docker:StatefulDatabase$docker:index/container:Container');
  });

  test.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])('container %i', (i) => {
    const c = containers()[i];
    expect(c.user).toBe('10001:10001');
    expect(c.readOnly).toBe(true);
    expect(c.tmpfs['/tmp']).toMatch(/^rw,noexec,nosuid,size=\d+,uid=10001,gid=10001,mode=0770$/);
    expect(c.capabilities).toEqual({ drops: ['ALL'] });
    expect(c.securityOpts).toEqual(['no-new-privileges:true']);
    expect(c.privileged).toBe(false);
    expect(c.memory).toBeGreaterThan(0);
    expect(c.memorySwap).toBe(c.memory);
    expect(Number(c.cpus)).toBeGreaterThan(0);
    expect(c.restart).toBe('on-failure');
    expect(c.maxRetryCount).toBeLessThanOrEqual(5);
    expect(c.networksAdvanced.length).toBeGreaterThan(0);
    expect(JSON.stringify(c)).not.toMatch(/"(networkMode|pidMode|ipcMode)":"host"/);
    if (c.start !== false) expect(c.healthcheck.tests[0]).toBe('CMD');
    if (c.logDriver === 'json-file') expect(c.logOpts).toEqual({ 'max-size': '10m', 'max-file': '3' });
    else expect(c.logOpts['fluentd-async']).toBe('true');
    for (const p of c.ports ?? []) {
      const label = c.labels.find((l: any) => l.label === `hardened-constructs.io/published.${'http'}`);
      expect(p.ip === '127.0.0.1' || !!label).toBe(true);
      expect(p.external).toBeGreaterThanOrEqual(1025);
    }
    expect(c.envs.every((e: string) => !/(PASSWORD|TOKEN|SECRET)=/.test(e))).toBe(true);
  });

  test('secrets arrive as read-only files, never as env values', () => {
    const api = containers().find((c) => c.name === 'shop-api-0');
    expect(api.envs).toEqual(expect.arrayContaining(['DATABASE_PASSWORD_FILE=/run/secrets/shop-api-db/password']));
    expect(api.mounts).toContainEqual({ type: 'bind', source: '/srv/shop/secrets/shop-api-db', target: '/run/secrets/shop-api-db', readOnly: true });
  });

  test('the database: named volume, internal network, engine health check, one-shot backup', () => {
    const db = containers().find((c) => c.name === 'shop-orders-db-0');
    expect(db.mounts).toContainEqual({ type: 'volume', source: 'shop-orders-db-data-0', target: '/var/lib/postgresql/data' });
    expect(db.healthcheck.tests).toEqual(['CMD', 'pg_isready', '--host', '127.0.0.1', '--port', '5432', '--username', 'shop', '--dbname', 'orders']);
    expect(db.shmSize).toBe(256);
    const net = resources.find((r) => r.name === 'orders-db-network')!.inputs as any;
    expect(net.internal).toBe(true);
    const backup = containers().find((c) => c.name === 'shop-orders-db-backup');
    expect(backup.start).toBe(false);
    expect(backup.entrypoints[2]).toContain('pg_dump --format=custom');
    expect(backup.labels).toContainEqual({ label: 'hardened-constructs.io/run', value: 'docker start -a shop-orders-db-backup' });
    const api = containers().find((c) => c.name === 'shop-api-0');
    expect(api.networksAdvanced.map((n: any) => n.name)).toEqual(['shop-api', 'shop-orders-db']);
  });

  test('the only public port carries its reason', () => {
    const edge = containers().find((c) => c.name === 'shop-edge-0');
    expect(edge.ports).toEqual([{ internal: 8080, external: 8080, ip: '0.0.0.0', protocol: 'tcp' }]);
    expect(edge.labels).toContainEqual({ label: 'hardened-constructs.io/suppress.bind-specific-host-interface', value: 'the public entry point of the shop on this host' });
  });

  test('warnings only: the PIDs-limit gap is reported, not hidden', () => {
    expect(app.api.findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['pids-limit']));
    expect(app.api.findings.every((f) => f.severity !== 'error')).toBe(true);
  });
});

describe('parity: Kubernetes and Docker agree on the same spec', () => {
  test.each([['api', shop.api], ['web', shop.web], ['worker', shop.worker]] as const)('%s', (name, spec) => {
    const { chart } = testChart();
    new K8sService(chart, name, spec);
    const dep = synth(chart).find((o) => o.kind === 'Deployment');
    const k = dep.spec.template.spec.containers[0];
    const d = containers().find((c) => c.name === `shop-${name}-0`);
    expect(d.user).toBe(`${k.securityContext.runAsUser}:${k.securityContext.runAsGroup}`);
    expect(d.readOnly).toBe(k.securityContext.readOnlyRootFilesystem);
    expect(d.capabilities.drops).toEqual(k.securityContext.capabilities.drop);
    expect(d.securityOpts.includes('no-new-privileges:true')).toBe(k.securityContext.allowPrivilegeEscalation === false);
    const mi = (q: string) => (q.endsWith('Gi') ? Number(q.slice(0, -2)) * 1024 : Number(q.slice(0, -2)));
    expect(d.memory).toBe(mi(k.resources.limits.memory));
    const cores = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q));
    expect(Number(d.cpus)).toBe(cores(k.resources.limits.cpu));
    expect(d.healthcheck.interval).toBe(`${k.livenessProbe.periodSeconds}s`);
    expect(d.healthcheck.retries).toBe(k.livenessProbe.failureThreshold);
    expect(d.healthcheck.timeout).toBe(`${k.livenessProbe.timeoutSeconds}s`);
    // Both restart a failed container; Kubernetes' Deployment pods always use restartPolicy Always.
    expect(dep.spec.template.spec.restartPolicy).toBeUndefined();
    expect(d.restart).toBe('on-failure');
    expect(d.tmpfs['/tmp']).toContain(`size=${64 * 1024 * 1024}`);
    expect(k.volumeMounts).toContainEqual({ name: 'main-tmp', mountPath: '/tmp' });
    expect(k.ports.map((p: any) => p.containerPort)).toEqual(spec.ports!.map((p) => p.port));
  });
});

describe('refused on Docker, before anything is registered', () => {
  const base = { ...serviceProps(), docker: { app: 'x', healthcheck: { command: ['true'] } } };
  const refuse = (props: any) => hardeningError(() => new HardenedService('svc', props));

  // Host modes, privileged, socket and sensitive mounts, probes and ports: see the bad-input catalogue.
  test.each([
    ['a secret source under /etc', { secretSources: { db: { hostPath: '/etc/db' } }, overrides: {} }, 'no-host-path', 'secretSources.db.hostPath'],
    ['a secret source that is the Docker socket', { secretSources: { db: { hostPath: '/run/docker.sock' } } }, 'no-docker-socket', 'secretSources.db.hostPath'],
    ['overriding a validated field', { overrides: { user: '0:0' } }, 'spec/docker-override', 'docker.overrides.user'],
    ['host UTS', { overrides: { utsMode: 'host' } }, 'no-host-uts', 'docker.overrides.utsMode'],
    ['devices', { overrides: { devices: [{ hostPath: '/dev/sda' }] } }, 'no-host-devices', 'docker.overrides.devices'],
  ])('%s', (_n, docker, ruleId, fieldPath) => {
    const e = refuse({
      ...base,
      env: { DB_PASSWORD: { secret: { name: 'db', key: 'password' } } },
      replicas: 1,
      relaxations: { singleReplica: 'single host deployment for the test' },
      docker: { secretSources: { db: { hostPath: '/srv/x/db' } }, ...base.docker, ...docker },
    });
    expect(e.ruleId).toBe(ruleId);
    expect(e.fieldPath).toBe(fieldPath);
    expect(e.fix.length).toBeGreaterThan(10);
  });

  test('a latest image', () => {
    expect(refuse({ ...base, image: 'nginx:latest' }).ruleId).toBe('image-tag-pinned');
  });

  test('a literal secret in env', () => {
    expect(refuse({ ...base, env: { DB_PASSWORD: 'hunter2' } }).ruleId).toBe('no-literal-secrets-in-env');
  });

  test('publishing with several replicas', () => {
    expect(refuse({ ...base, docker: { ...base.docker, publish: [{ port: 'http', hostPort: 8080 }] } }).ruleId).toBe('no-host-ports');
  });

  test('the rule check runs on what would be registered', () => {
    const spec = resolveService({ ...serviceProps(), relaxations: { writableRootFilesystem: 'legacy app writes next to its binary' } }, { constructPath: 'x', defaultName: 'svc', defaultNamespace: 'x' });
    const { args, model } = renderDockerContainer(spec.containers[0], { name: 'svc-0', imageRef: 'ghcr.io/acme/api:1.2.3', networks: ['x'], aliases: [], relaxations: spec.relaxations, secretSources: {}, healthcheck: { command: ['true'] }, field: '', refuser: new Refuser('x') });
    expect(args.readOnly).toBe(false);
    expect(model.labels!['hardened-constructs.io/suppress.read-only-root-fs']).toMatch(/legacy app/);
  });

});

test('importing the Kubernetes entry point loads no Pulumi module', () => {
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', `require(${JSON.stringify(path.join(__dirname, '../../src/index.ts'))}); const loaded = Object.keys(require.cache).filter((k) => k.includes('@pulumi')); console.log(JSON.stringify(loaded));`], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual([]);
});

test('overrides add to lists and stay visible to the rules', () => {
  const { plans, findings } = planDockerService('svc', {
    ...serviceProps(),
    env: { DB_PASSWORD: { secret: { name: 'db', key: 'password' } } },
    replicas: 1,
    relaxations: { singleReplica: 'single host deployment for the test' },
    docker: {
      app: 'x',
      healthcheck: { command: ['true'] },
      secretSources: { db: { hostPath: '/srv/x/db' } },
      overrides: { volumes: [{ hostPath: '/srv/x/static', containerPath: '/static', readOnly: true }], stopSignal: 'SIGQUIT' },
    },
  });
  const args = plans[0].args as any;
  expect(args.mounts).toContainEqual({ type: 'bind', source: '/srv/x/db', target: '/run/secrets/db', readOnly: true });
  expect(args.volumes).toEqual([{ hostPath: '/srv/x/static', containerPath: '/static', readOnly: true }]);
  expect(args.stopSignal).toBe('SIGQUIT');
  // A writable host bind from an override is an error finding, so registration would be refused.
  expect(() => planDockerService('svc2', {
    ...serviceProps(),
    replicas: 1,
    relaxations: { singleReplica: 'single host deployment for the test' },
    docker: { app: 'x', healthcheck: { command: ['true'] }, overrides: { volumes: [{ hostPath: '/srv/x/uploads', containerPath: '/uploads' }] } },
  })).toThrow(/no-host-path: container 'x-svc2-0' mounts host path \/srv\/x\/uploads writable/);
  expect(findings.every((f) => f.severity !== 'error')).toBe(true);
});
