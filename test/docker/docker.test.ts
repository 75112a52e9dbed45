import { spawnSync } from 'child_process';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { shopOnDocker } from '../../examples/docker/main';
import { HardenedService, planDockerService, recordResources, RecordedResource, renderDockerContainer } from '../../src/docker';
import { Refuser } from '../../src/spec/errors';
import { resolveService } from '../../src/spec/service';
import { hardeningError, serviceProps } from '../util/fixtures';

let resources: RecordedResource[] = [];
let app: ReturnType<typeof shopOnDocker>;
const urns: Record<string, string> = {};
const warnings: string[] = [];

beforeAll(async () => {
  const warn = jest.spyOn(console, 'warn').mockImplementation((m: string) => void warnings.push(String(m)));
  const info = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  resources = await recordResources(async () => {
    app = shopOnDocker();
    for (const c of [...app.api.containers, app.db.containers[0]]) {
      const name = await new Promise<string>((res) => pulumi.output(c.name).apply((n) => res(n as string)));
      urns[name] = await new Promise<string>((res) => c.urn.apply(res));
    }
  }, { project: 'shop', stack: 'test' });
  warn.mockRestore();
  info.mockRestore();
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
    if (c.start === false) {
      expect(c.restart).toBe('on-failure');
      expect(c.maxRetryCount).toBe(2);
    } else {
      // Comes back after a daemon restart or reboot; crash loops stay visible via the health check.
      expect(c.restart).toBe('unless-stopped');
      expect(c.maxRetryCount).toBeUndefined();
      expect(c.stopTimeout).toBe(c.destroyGraceSeconds);
      expect(c.stopTimeout).toBeGreaterThanOrEqual(30);
    }
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

  test('grace periods become stopTimeout (Docker would kill after 10 s)', () => {
    const byName = (n: string) => containers().find((c) => c.name === n);
    expect(byName('shop-worker-0').stopTimeout).toBe(120);
    expect(byName('shop-orders-db-0').stopTimeout).toBe(120);
    expect(byName('shop-api-0').stopTimeout).toBe(30);
    expect(byName('shop-orders-db-backup').stopTimeout).toBeUndefined();
  });

  test('the startup probe sets the start period and its check rate', () => {
    const api = containers().find((c) => c.name === 'shop-api-0');
    // startup: http /livez, period 5 (default) × failureThreshold 60, initialDelay 0.
    expect(api.healthcheck).toEqual({ tests: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/livez'], interval: '10s', timeout: '3s', retries: 3, startPeriod: '300s', startInterval: '5s' });
    const web = containers().find((c) => c.name === 'shop-web-0');
    expect(web.healthcheck.startInterval).toBeUndefined();
  });

  test('what Docker cannot enforce is logged with pulumi.log.warn and labelled on the containers', () => {
    expect(warnings.filter((w) => w.startsWith('warning: [runtime] pids-limit: HardenedService api: shop-api-0, shop-api-1, shop-api-2:'))).toHaveLength(1);
    expect(warnings.some((w) => w.includes('ephemeral-storage-limits: HardenedService api') && w.includes('1Gi'))).toBe(true);
    expect(warnings.some((w) => w.includes('network-policy-required: HardenedService api') && w.includes("namespace 'monitoring'"))).toBe(true);
    const api = containers().find((c) => c.name === 'shop-api-1');
    const label = (k: string) => api.labels.find((l: any) => l.label === `hardened-constructs.io/finding.${k}`)?.value;
    expect(label('pids-limit')).toBe("container 'shop-api-1' has no PIDs limit");
    expect(label('hpa-target-exists')).toContain('Docker does not autoscale');
    expect(label('ephemeral-storage-limits')).toContain('1Gi');
    expect(label('spec/prestop-delay')).toContain('no preStop hook');
  });

  test('the database: named volume, client networks only, engine health check, one-shot backup', () => {
    const db = containers().find((c) => c.name === 'shop-orders-db-0');
    expect(db.mounts).toContainEqual({ type: 'volume', source: 'shop-orders-db-data-0', target: '/var/lib/postgresql/data' });
    expect(db.healthcheck.tests).toEqual(['CMD', 'pg_isready', '--host', '127.0.0.1', '--port', '5432', '--username', 'shop', '--dbname', 'orders']);
    expect(db.shmSize).toBe(256);
    expect(db.networksAdvanced).toEqual([
      { name: 'shop-api-to-orders-db', aliases: ['orders-db', 'orders-db-0'] },
      { name: 'shop-orders-db-backup-to-orders-db', aliases: ['orders-db', 'orders-db-0'] },
    ]);
    const backup = containers().find((c) => c.name === 'shop-orders-db-backup');
    expect(backup.start).toBe(false);
    expect(backup.entrypoints[2]).toContain('pg_dump --format=custom');
    expect(backup.labels).toContainEqual({ label: 'hardened-constructs.io/run', value: 'docker start -a shop-orders-db-backup' });
    const api = containers().find((c) => c.name === 'shop-api-0');
    expect(api.networksAdvanced.map((n: any) => n.name)).toEqual(['shop-web-to-api', 'shop-worker-to-api', 'shop-api-to-orders-db']);
    expect(backup.networksAdvanced).toEqual([{ name: 'shop-orders-db-backup-to-orders-db' }]);
  });

  test('the only published port binds to the host address inside the admitted CIDR', () => {
    const edge = containers().find((c) => c.name === 'shop-edge-0');
    expect(edge.ports).toEqual([{ internal: 8080, external: 8080, ip: '10.0.0.10', protocol: 'tcp' }]);
    expect(edge.labels).toContainEqual({ label: 'hardened-constructs.io/published.http', value: 'the entry point of the shop for the office network' });
    expect(edge.labels).toContainEqual({ label: 'hardened-constructs.io/published.http.sources', value: '10.0.0.0/8' });
    expect(edge.labels.some((l: any) => l.label.endsWith('suppress.bind-specific-host-interface'))).toBe(false);
    expect(edge.networksAdvanced.map((n: any) => n.name)).toEqual(['shop-edge-to-web', 'shop-edge-publish']);
  });

  test('every network is internal except the publish network, which has no outbound NAT', () => {
    const nets = resources.filter((r) => r.type === 'docker:index/network:Network').map((r) => r.inputs as any);
    expect(nets.map((n) => n.name).sort()).toEqual(['shop-api-to-orders-db', 'shop-edge-publish', 'shop-edge-to-web', 'shop-orders-db-backup-to-orders-db', 'shop-web-to-api', 'shop-worker-to-api']);
    for (const n of nets) {
      if (n.name === 'shop-edge-publish') expect([n.internal, n.options]).toEqual([false, { 'com.docker.network.bridge.enable_ip_masquerade': 'false' }]);
      else expect(n.internal).toBe(true);
    }
  });

  test('warnings only: the PIDs-limit gap is reported, not hidden', () => {
    expect(app.api.findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['pids-limit']));
    expect(app.api.findings.every((f) => f.severity !== 'error')).toBe(true);
  });
});

describe('refused on Docker, before anything is registered', () => {
  const base = { ...serviceProps(), docker: { app: 'x', healthcheck: { command: ['true'] } } };
  const refuse = (props: any) => hardeningError(() => new HardenedService('svc', props));

  // Host modes, privileged, socket and sensitive mounts, probes and ports: see the bad-input catalogue.
  test.each([
    ['a secret source under /etc', { secretSources: { db: { hostPath: '/etc/db' } }, overrides: {} }, 'no-host-path', 'secretSources.db.hostPath'],
    ['a secret source that is the Docker socket', { secretSources: { db: { hostPath: '/run/docker.sock' } } }, 'no-docker-socket', 'secretSources.db.hostPath'],
    ['overriding a validated field', { overrides: { user: '0:0' } }, 'run-as-non-root', 'docker.overrides.user'],
    ['a field that is not a provider input', { overrides: { utsMode: 'host' } }, 'spec/docker-override', 'docker.overrides.utsMode'],
    ['a secret source spelled around /etc', { secretSources: { db: { hostPath: '/srv/../etc/db' } } }, 'no-host-path', 'secretSources.db.hostPath'],
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
    const { args, model } = renderDockerContainer(spec.containers[0], { name: 'svc-0', imageRef: 'ghcr.io/acme/api:1.2.3', networks: [{ name: 'x' }], relaxations: spec.relaxations, secretSources: {}, healthcheck: { command: ['true'] }, field: '', refuser: new Refuser('x') });
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
      overrides: { volumes: [{ hostPath: '/srv/x//static/', containerPath: '/static', readOnly: true }], stopSignal: 'SIGQUIT' },
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
