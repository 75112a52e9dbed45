/**
 * docker.overrides is an allow-list: every input of @pulumi/docker's ContainerArgs (read from the
 * installed provider's type declarations, so a new provider field fails here) is either allowed
 * (with a checked value) or refused with a rule id and a fix. Host paths are canonicalized before
 * the sensitive-path check, whatever the spelling.
 */
import * as fs from 'fs';
import * as fc from 'fast-check';
import * as ts from 'typescript';
import { ALLOWED_OVERRIDES, canonicalHostPath, checkOverrides, planDockerService, REFUSED_OVERRIDES } from '../../src/docker';
import { BUILTIN_RULES } from '../../src/policy';
import { HardeningError, Refuser } from '../../src/spec/errors';
import { hardeningError, serviceProps } from '../util/fixtures';

function containerArgsKeys(): string[] {
  const file = require.resolve('@pulumi/docker/container.d.ts');
  const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const keys: string[] = [];
  sf.forEachChild((n) => {
    if (ts.isInterfaceDeclaration(n) && n.name.text === 'ContainerArgs') {
      for (const m of n.members) if (ts.isPropertySignature(m)) keys.push(m.name.getText(sf));
    }
  });
  return keys;
}

const KEYS = containerArgsKeys();
const refuser = new Refuser('svc');
const attempt = (ov: unknown) => {
  try {
    return { ok: checkOverrides(ov, 'docker.overrides', refuser) };
  } catch (e) {
    if (!(e instanceof HardeningError)) throw e;
    return { error: e };
  }
};
const RULE_IDS = new Set(BUILTIN_RULES.map((r) => r.id));

/** A safe sample value per allowed field (what a careful user would write). */
const SAFE: Record<string, unknown> = {
  labels: [{ label: 'com.example.team', value: 'payments' }],
  stopSignal: 'SIGQUIT',
  workingDir: '/app',
  domainname: 'internal.example',
  dns: ['10.0.0.53'],
  dnsSearches: ['internal.example'],
  dnsOpts: ['ndots:2'],
  hosts: [{ host: 'db.internal', ip: '10.0.0.5' }],
  destroyGraceSeconds: 30,
  wait: true,
  waitTimeout: 60,
  containerReadRefreshTimeoutMilliseconds: 15000,
  removeVolumes: false,
  platform: 'linux/amd64',
  stdinOpen: false,
  tty: false,
  logs: false,
  ulimits: [{ name: 'nofile', soft: 1024, hard: 4096 }],
  sysctls: { 'net.ipv4.ip_local_port_range': '1024 65000' },
  securityOpts: ['apparmor=docker-default'],
  mounts: [{ type: 'bind', source: '/srv/app/static', target: '/static', readOnly: true }],
  volumes: [{ volumeName: 'app-cache', containerPath: '/cache' }],
  cgroupnsMode: 'private',
};

test('the provider declares the inputs this table was written against', () => {
  expect(KEYS.length).toBeGreaterThanOrEqual(70);
  expect(KEYS).toEqual(expect.arrayContaining(['uploads', 'securityOpts', 'groupAdds', 'sysctls', 'cgroupnsMode', 'mounts', 'networkMode', 'pidMode']));
});

test.each(KEYS)('ContainerArgs.%s is either allow-listed or refused, never both', (key) => {
  const allowed = Object.prototype.hasOwnProperty.call(ALLOWED_OVERRIDES, key);
  const refused = Object.prototype.hasOwnProperty.call(REFUSED_OVERRIDES, key);
  expect([allowed, refused]).toContainEqual(true);
  expect(allowed && refused).toBe(false);
  if (allowed) {
    expect(SAFE).toHaveProperty([key]);
    expect(attempt({ [key]: SAFE[key] }).ok).toBeDefined();
  } else {
    // Any value: the field itself is refused, with a rule id and a fix.
    for (const value of [true, 'host', ['0'], { a: 1 }, 1]) {
      const r = attempt({ [key]: value });
      expect(r.error?.fieldPath).toBe(`docker.overrides.${key}`);
      const id = r.error!.ruleId;
      expect(RULE_IDS.has(id) || id.startsWith('spec/')).toBe(true);
      expect(r.error!.fix.length).toBeGreaterThan(8);
    }
  }
});

test('the tables name no field the provider does not have', () => {
  for (const k of [...Object.keys(ALLOWED_OVERRIDES), ...Object.keys(REFUSED_OVERRIDES)]) expect(KEYS).toContain(k);
});

test('unknown fields (typos, other providers, prototype names) are refused', () => {
  for (const k of ['utsMode', 'privilegedd', 'toString', '__proto__', 'constructor', 'hasOwnProperty']) {
    const r = attempt(JSON.parse(`{${JSON.stringify(k)}: 1}`));
    expect(r.error?.ruleId).toBe('spec/docker-override');
  }
});

describe('allowed fields still refuse the values that escape', () => {
  test.each([
    ['a local-volume driver bind of /', { mounts: [{ type: 'volume', source: 'root', target: '/host', volumeOptions: { driverName: 'local', driverOptions: { type: 'none', o: 'bind', device: '/' } } }] }, 'no-host-path'],
    ['driver options without a driver name', { mounts: [{ type: 'volume', source: 'root', target: '/host', volumeOptions: { driverOptions: { o: 'bind', device: '/etc' } } }] }, 'no-host-path'],
    ['systempaths=unconfined', { securityOpts: ['systempaths=unconfined'] }, 'seccomp-runtime-default'],
    ['seccomp:unconfined (legacy colon)', { securityOpts: ['seccomp:unconfined'] }, 'seccomp-runtime-default'],
    ['label=type:spc_t', { securityOpts: ['label=type:spc_t'] }, 'selinux-options-safe'],
    ['label:disable', { securityOpts: ['label:disable'] }, 'selinux-options-safe'],
    ['apparmor=unconfined', { securityOpts: ['apparmor=Unconfined'] }, 'apparmor-not-unconfined'],
    ['no-new-privileges=false', { securityOpts: ['no-new-privileges=false'] }, 'seccomp-runtime-default'],
    ['host cgroupns', { cgroupnsMode: 'host' }, 'spec/docker-override'],
    ['an unsafe sysctl', { sysctls: { 'kernel.core_pattern': '|/tmp/x' } }, 'safe-sysctls-only'],
    ['an unsafe sysctl in slash form', { sysctls: { 'net/ipv4/ip_forward': '1' } }, 'safe-sysctls-only'],
    ['volumes from another container', { volumes: [{ fromContainer: 'db', containerPath: '/x' }] }, 'no-host-path'],
    ['a bind with shared propagation', { mounts: [{ type: 'bind', source: '/srv/a', target: '/a', readOnly: true, bindOptions: { propagation: 'rshared' } }] }, 'no-shared-mount-propagation'],
    ['a forged suppression label', { labels: [{ label: 'Hardened-Constructs.io/suppress.no-privileged', value: 'x' }] }, 'spec/docker-override'],
    ['an npipe mount', { mounts: [{ type: 'npipe', source: '\\\\.\\pipe\\docker_engine', target: '/x' }] }, 'spec/docker-override'],
    ['a memlock ulimit', { ulimits: [{ name: 'memlock', soft: -1, hard: -1 }] }, 'spec/docker-override'],
    ['an Output-like value', { stopSignal: Object.assign(Object.create({ apply() {} }), { value: 'SIGTERM' }) }, 'spec/docker-override'],
  ])('%s', (_n, ov, ruleId) => {
    expect(attempt(ov).error?.ruleId).toBe(ruleId);
  });

  test.each([
    ['container:<other> network', { networkMode: 'container:db' }, 'no-host-network'],
    ['container:<other> PID', { pidMode: 'container:db' }, 'no-host-pid'],
    ['groupAdds 0', { groupAdds: ['0'] }, 'high-uid-gid'],
    ['uploads', { uploads: [{ file: '/etc/app.conf', content: 'secret=1' }] }, 'no-secret-values-in-manifests'],
  ])('%s (refused field)', (_n, ov, ruleId) => {
    expect(attempt(ov).error?.ruleId).toBe(ruleId);
  });
});

test('generated spellings of loosening security options are all refused', () => {
  const recase = (x: string) => fc.array(fc.boolean(), { minLength: x.length, maxLength: x.length }).map((up) => [...x].map((ch, i) => (up[i] ? ch.toUpperCase() : ch)).join(''));
  const opt = fc.tuple(
    fc.constantFrom('seccomp', 'apparmor', 'label', 'systempaths', 'no-new-privileges', 'unknown-opt'),
    fc.constantFrom('=', ':'),
    fc.constantFrom('unconfined', 'disable', 'type:spc_t', 'type:unconfined_t', 'user:system_u', 'false', '/tmp/profile.json'),
    fc.constantFrom('', ' ', '\t'),
  ).chain(([k, sep, v, pad]) => fc.tuple(recase(k), recase(v)).map(([kk, vv]) => `${pad}${kk}${sep}${vv}${pad}`));
  fc.assert(fc.property(opt, (o) => {
    // An AppArmor profile name (other than unconfined) only tightens: it is allowed.
    fc.pre(!/^\s*apparmor[=:]/i.test(o) || /unconfined|\//i.test(o));
    const r = attempt({ securityOpts: [o] });
    expect(r.error?.fieldPath).toBe('docker.overrides.securityOpts[0]');
    expect(['seccomp-runtime-default', 'apparmor-not-unconfined', 'selinux-options-safe']).toContain(r.error?.ruleId);
  }), { numRuns: Number(process.env.FC_NUM_RUNS ?? 200) });
});

describe('host paths are canonical before the check', () => {
  test.each([
    ['/srv/..', '/'], ['/srv/../run', '/run'], ['/srv//app/', '/srv/app'], ['//etc', '/etc'], ['/srv/./a/../../etc/', '/etc'], ['/', '/'],
  ])('%s is %s', (raw, canonical) => {
    expect(canonicalHostPath(raw)).toBe(canonical);
  });

  test.each(['srv/app', '', '/srv/a\u0000b', '/srv/a\nb'])('%j is not a host path', (raw) => {
    expect(canonicalHostPath(raw)).toBeUndefined();
  });

  // Any spelling of a sensitive directory (dot segments, doubled and trailing slashes) is refused,
  // in override binds, legacy volumes and secret sources alike.
  const segment = fc.constantFrom('srv', 'app', 'data', '.', '..', 'x');
  const sensitive = fc.constantFrom('/', '/etc', '/run', '/var/run', '/proc', '/root', '/var/lib/docker', '/run/docker.sock');
  const spelled = fc.tuple(sensitive, fc.array(segment, { maxLength: 4 }), fc.boolean(), fc.boolean()).map(([s, detour, doubled, trailing]) => {
    // A detour that comes back: /srv/app/../../etc
    const down = detour.filter((x) => x !== '.' && x !== '..');
    const prefix = down.length ? `/${down.join('/')}${'/..'.repeat(down.length)}` : '';
    const p = `${prefix}${s === '/' ? '/' : s}`.replace(/\//g, doubled ? '//' : '/');
    return { raw: trailing && !p.endsWith('/') ? `${p}/` : p, canonical: s };
  });

  test('generated spellings of sensitive paths canonicalize and are refused everywhere', () => {
    fc.assert(fc.property(spelled, ({ raw, canonical }) => {
      expect(canonicalHostPath(raw)).toBe(canonical);
      const socket = canonical.endsWith('.sock');
      for (const ov of [
        { mounts: [{ type: 'bind', source: raw, target: '/x', readOnly: true }] },
        { volumes: [{ hostPath: raw, containerPath: '/x', readOnly: true }] },
      ]) {
        expect(attempt(ov).error?.ruleId).toBe(socket ? 'no-docker-socket' : 'no-host-path');
      }
      const e = hardeningError(() => planDockerService('svc', {
        ...serviceProps(),
        env: { DB_PASSWORD: { secret: { name: 'db', key: 'password' } } },
        docker: { app: 'x', healthcheck: { command: ['true'] }, secretSources: { db: { hostPath: raw } } },
      }));
      expect(e.ruleId).toBe(socket ? 'no-docker-socket' : 'no-host-path');
    }), { numRuns: Number(process.env.FC_NUM_RUNS ?? 100) });
  });

  test('an application directory spelled with dot segments is accepted in its canonical form', () => {
    const r = attempt({ mounts: [{ type: 'bind', source: '/srv/app/../app//static/', target: '/static', readOnly: true }] });
    expect(r.ok).toEqual({ mounts: [{ type: 'bind', source: '/srv/app/static', target: '/static', readOnly: true }] });
  });
});

test('accepted overrides reach the container: lists add, values replace', () => {
  const { plans } = planDockerService('svc', {
    ...serviceProps(),
    replicas: 1,
    relaxations: { singleReplica: 'single host deployment for the test' },
    docker: { app: 'x', healthcheck: { command: ['true'] }, overrides: { securityOpts: ['apparmor=docker-default'], stopSignal: 'SIGQUIT', sysctls: { 'net/ipv4/ip_local_port_range': '1024 65000' } } },
  });
  const a = plans[0].args as any;
  expect(a.securityOpts).toEqual(['no-new-privileges:true', 'apparmor=docker-default']);
  expect(a.stopSignal).toBe('SIGQUIT');
  expect(a.sysctls).toEqual({ 'net.ipv4.ip_local_port_range': '1024 65000' });
  expect(plans[0].model.sysctls).toEqual({ 'net.ipv4.ip_local_port_range': '1024 65000' });
});
