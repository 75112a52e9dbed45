import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { HardenedNamespace, HardenedNamespaceProps, HardenedService, HardenedServiceProps, LoggingSidecar, Peer, StatefulDatabase, StatefulDatabaseProps } from '../../src';
import { BadInput, service } from '../bad-inputs/catalogue';

/**
 * Hostile inputs, by class of defect: each is refused with a HardeningError naming the rule and the
 * field. docs/bad-inputs.md lists them (generated). Classes: 1 work that grows faster than the
 * input, 3 guards a spelling gets around, 4 manifests the API server would reject, 5 secret values
 * that leak, 6 crashes, 7 output that lies.
 */
export interface HostileInput extends BadInput {
  readonly cls: 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;
  /** A value that must never appear in the error (a secret). */
  readonly secret?: string;
  /** The synthesized app (not the constructor) refuses it. */
  readonly atSynth?: boolean;
}

export const CLASS_TITLES: Record<HostileInput['cls'], string> = {
  1: 'Work that grows faster than the input',
  2: 'Inputs that are not regular files',
  3: 'Guards that a spelling gets around',
  4: 'Manifests the API server would reject',
  5: 'Secret values that leak',
  6: 'Crashes',
  7: 'Output that lies',
  8: 'Lost work',
};

/** The sentinel secret every class-5 shape carries. */
export const SENTINEL = 'Zq7SENTINELx4f1c9';

/** Every shape of a secret in free text, each holding the sentinel. */
export const SECRET_SHAPES: Record<string, (s: string) => string> = {
  'url-userinfo': (s) => `https://deploy:${s}@registry.example.com/v2/`,
  'dsn-password': (s) => `postgres://app:${s}@db.shop.svc:5432/app`,
  'password-flag-equals': (s) => `--password=${s}`,
  'password-flag-space': (s) => `app --password ${s} --verbose`,
  'token-flag': (s) => `--token=${s}`,
  'mysql-p': (s) => `mysql -h db -u app -p${s} shop`,
  'secret-assignment': (s) => `DB_PASSWORD=${s} ./run`,
  'github-token': (s) => `ghp_${s}${'A'.repeat(36 - s.length)}`,
  'github-pat': (s) => `github_pat_11AB${s}_${'b'.repeat(30)}`,
  'aws-access-key': () => 'AKIAZQ7SENTINEL4F1CX',
  'slack-token': (s) => `xoxb-123456789012-${s}`,
  'stripe-key': (s) => `sk_live_${s}0123456789`,
  'jwt': (s) => `eyJhbGciOiJIUzI1NiJ9.eyJzdWIi${s}.c2lnbmF0dXJl`,
  'private-key': (s) => `-----BEGIN OPENSSH PRIVATE KEY-----\n${s}\n-----END OPENSSH PRIVATE KEY-----`,
  'bearer-header': (s) => `curl -H 'Authorization: Bearer ${s}' https://api.example.com`,
  'curl-user': (s) => `curl -u admin:${s} https://api.example.com`,
};

/** The literal of a shape that must not leak (the AWS key id is fixed, the rest hold the sentinel). */
export function secretOf(shape: string): string {
  return shape === 'aws-access-key' ? 'AKIAZQ7SENTINEL4F1CX' : SENTINEL;
}

const database = (o: Partial<StatefulDatabaseProps> = {}): StatefulDatabaseProps => ({
  engine: 'postgres', resources: 'medium', storage: { size: '20Gi' }, credentials: { secretName: 'orders-db' }, clients: [Peer.workload('api')], ...o,
});
const namespace = (o: Partial<HardenedNamespaceProps> = {}): HardenedNamespaceProps => ({
  name: 'team',
  quota: { requests: { cpu: '4', memory: '8Gi', ephemeralStorage: '10Gi' }, limits: { cpu: '8', memory: '16Gi', ephemeralStorage: '20Gi' }, pods: 40 },
  containerDefaults: 'small',
  ...o,
});
const backup = { schedule: '0 3 * * *', storage: { size: '10Gi' }, resources: 'small' as const };

type Cls = HostileInput['cls'];
const svc = (cls: Cls, id: string, area: string, input: Partial<HardenedServiceProps>,
  ruleId: string, fieldPath: string, secret?: string): HostileInput =>
  ({ cls, id, construct: 'HardenedService', area, input, ruleId, fieldPath, secret, build: (c) => new HardenedService(c, 'svc', service(input)) });
const db = (cls: Cls, id: string, area: string, input: Partial<StatefulDatabaseProps>,
  ruleId: string, fieldPath: string, secret?: string): HostileInput =>
  ({ cls, id, construct: 'StatefulDatabase', area, input, ruleId, fieldPath, secret, build: (c) => new StatefulDatabase(c, 'db', database(input)) });
const ns = (cls: Cls, id: string, input: Partial<HardenedNamespaceProps>, ruleId: string, fieldPath: string): HostileInput =>
  ({ cls, id, construct: 'HardenedNamespace', area: 'namespaces', input, ruleId, fieldPath, build: (c) => new HardenedNamespace(c, 'ns', namespace(input)) });
/** An own `__proto__` key (an object literal would set the prototype instead). */
const ownKey = (key: string, value: unknown) => JSON.parse(JSON.stringify({ [key === '__proto__' ? '__PROTO__' : key]: value }).replace('__PROTO__', '__proto__'));

const shapeCases: HostileInput[] = Object.entries(SECRET_SHAPES).flatMap(([shape, make]) => {
  const text = make(SENTINEL);
  const secret = secretOf(shape);
  const rule = 'no-literal-secrets-in-env';
  return [
    svc(5, `secret-${shape}-in-command`, 'secrets in commands', { command: ['sh', '-c', text] }, rule, 'command[2]', secret),
    svc(5, `secret-${shape}-in-args`, 'secrets in commands', { args: ['--verbose', text] }, rule, 'args[1]', secret),
    svc(5, `secret-${shape}-in-exec-probe`, 'secrets in health checks', {
      probes: { readiness: { exec: { command: ['sh', '-c', text] } }, liveness: { http: { path: '/livez', port: 'http' } } },
    }, rule, 'probes.readiness.exec.command[2]', secret),
    svc(5, `secret-${shape}-in-harmless-env`, 'secrets in values', { env: { APP_OPTS: text } }, rule, 'env.APP_OPTS', secret),
    svc(5, `secret-${shape}-in-sidecar-args`, 'secrets in commands', {
      sidecars: [{ name: 'proxy', image: 'ghcr.io/acme/proxy:1.0.0', resources: 'nano', args: [text], relaxations: undefined } as any],
    }, rule, 'sidecars[0].args[0]', secret),
    db(5, `secret-${shape}-in-backup-upload`, 'secrets in commands', {
      backup: { ...backup, objectStore: { image: 'ghcr.io/acme/uploader:1.0.0', command: ['sh', '-c', text], peer: Peer.cidr('10.9.0.0/16'), port: 443 } },
    }, rule, 'backup.objectStore.command[2]', secret),
  ];
});

export const HOSTILE: HostileInput[] = [
  // 1. Work that grows faster than the input: a megabyte is one pass, and a clear answer.
  svc(1, 'megabyte-env-value-with-url', 'long inputs', { env: { BLOB: `${'a://'.repeat(2 ** 18)}x:${SENTINEL}@h` } }, 'no-literal-secrets-in-env', 'env.BLOB', SENTINEL),
  svc(1, 'megabyte-env-name-with-dash-first-char', 'long inputs', { env: { [`9${'A'.repeat(2 ** 20)}`]: 'x' } }, 'spec/env-name', `env.9${'A'.repeat(2 ** 20)}`),
  svc(1, 'megabyte-name', 'long inputs', { name: 'a'.repeat(2 ** 20) }, 'spec/dns-1123-name', 'name'),
  svc(1, 'megabyte-image', 'long inputs', { image: `ghcr.io/${'a'.repeat(2 ** 20)}:1` }, 'spec/image-reference', 'image'),
  svc(1, 'megabyte-quantity', 'long inputs', { resources: { requests: { cpu: '1'.repeat(2 ** 20), memory: '1Gi', ephemeralStorage: '1Gi' }, limits: { cpu: '1', memory: '1Gi', ephemeralStorage: '1Gi' } } }, 'cpu-limits', 'resources.requests.cpu'),

  // 3. Guards that a spelling gets around.
  svc(3, 'cidr-two-halves-ingress', 'CIDRs', { ingress: [{ from: Peer.cidr('0.0.0.0/1') }, { from: Peer.cidr('128.0.0.0/1') }] }, 'network-policy-required', 'ingress'),
  svc(3, 'cidr-two-halves-egress', 'CIDRs', { egress: [{ to: Peer.cidr('0.0.0.0/1'), ports: [{ port: 443 }] }, { to: Peer.cidr('128.0.0.0/1'), ports: [{ port: 443 }] }] }, 'network-policy-required', 'egress'),
  svc(3, 'cidr-four-quarters', 'CIDRs', { egress: ['0.0.0.0/2', '64.0.0.0/2', '128.0.0.0/2', '192.0.0.0/2'].map((c) => ({ to: Peer.cidr(c), ports: [{ port: 443 }] })) }, 'network-policy-required', 'egress'),
  svc(3, 'cidr-ipv6-long-zero', 'CIDRs', { egress: [{ to: Peer.cidr('0::0/0'), ports: [{ port: 443 }] }] }, 'network-policy-required', 'egress[0].to.cidr'),
  svc(3, 'cidr-ipv6-expanded-zero', 'CIDRs', { egress: [{ to: Peer.cidr('0000:0000:0000:0000:0000:0000:0000:0000/0'), ports: [{ port: 443 }] }] }, 'network-policy-required', 'egress[0].to.cidr'),
  svc(3, 'cidr-ipv4-mapped-whole', 'CIDRs', { egress: [{ to: Peer.cidr('::ffff:0.0.0.0/96'), ports: [{ port: 443 }] }] }, 'network-policy-required', 'egress[0].to.cidr'),
  svc(3, 'cidr-host-bits-whole', 'CIDRs', { egress: [{ to: Peer.cidr('10.1.2.3/0'), ports: [{ port: 443 }] }] }, 'network-policy-required', 'egress[0].to.cidr'),
  svc(3, 'cidr-ipv6-halves', 'CIDRs', { egress: [{ to: Peer.cidr('::/1'), ports: [{ port: 443 }] }, { to: Peer.cidr('8000::/1'), ports: [{ port: 443 }] }] }, 'network-policy-required', 'egress'),
  svc(3, 'cidr-invalid-octets', 'CIDRs', { egress: [{ to: Peer.cidr('999.1.1.1/99'), ports: [{ port: 443 }] }] }, 'spec/network-peer', 'egress[0].to.cidr'),
  svc(3, 'cidr-prefix-too-long', 'CIDRs', { egress: [{ to: Peer.cidr('10.0.0.0/33'), ports: [{ port: 443 }] }] }, 'spec/network-peer', 'egress[0].to.cidr'),
  svc(3, 'cidr-leading-zero-octal', 'CIDRs', { egress: [{ to: Peer.cidr('010.0.0.0/8'), ports: [{ port: 443 }] }] }, 'spec/network-peer', 'egress[0].to.cidr'),
  svc(3, 'cidr-trailing-space', 'CIDRs', { egress: [{ to: Peer.cidr('10.0.0.0/8 '), ports: [{ port: 443 }] }] }, 'spec/network-peer', 'egress[0].to.cidr'),
  svc(3, 'cidr-except-outside', 'CIDRs', { egress: [{ to: Peer.cidr('10.0.0.0/8', ['192.168.0.0/16']), ports: [{ port: 443 }] }] }, 'spec/network-peer', 'egress[0].to.except[0]'),
  svc(3, 'cidr-no-prefix', 'CIDRs', { egress: [{ to: Peer.cidr('10.0.0.1'), ports: [{ port: 443 }] }] }, 'spec/network-peer', 'egress[0].to.cidr'),
  db(3, 'cidr-halves-as-db-clients', 'CIDRs', { clients: [Peer.cidr('0.0.0.0/1'), Peer.cidr('128.0.0.0/1')] }, 'network-policy-required', 'clients[1]'),
  svc(3, 'reason-zero-width-spaces', 'reasons', { relaxations: { runAsRoot: '\u200b'.repeat(20) } }, 'spec/reason-required', 'relaxations.runAsRoot'),
  svc(3, 'reason-nbsp', 'reasons', { relaxations: { runAsRoot: '\u00a0'.repeat(20) } }, 'spec/reason-required', 'relaxations.runAsRoot'),
  svc(3, 'reason-control-chars', 'reasons', { relaxations: { runAsRoot: '\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000e\u000f\u0010' } }, 'spec/reason-required', 'relaxations.runAsRoot'),
  svc(3, 'reason-bidi-marks', 'reasons', { relaxations: { runAsRoot: 'ok\u202e\u202d\u200e\u200f\u2066\u2067\u2068\u2069\u061c\ufeff' } }, 'spec/reason-required', 'relaxations.runAsRoot'),
  svc(3, 'reason-ideographic-spaces', 'reasons', { relaxations: { runAsRoot: 'a\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000b' } }, 'spec/reason-required', 'relaxations.runAsRoot'),
  svc(3, 'reason-line-separators', 'reasons', { relaxations: { noProbes: '\u2028\u2029\u2028\u2029\u2028\u2029\u2028\u2029\u2028\u2029x' } }, 'spec/reason-required', 'relaxations.noProbes'),
  svc(3, 'reason-soft-hyphens', 'reasons', { relaxations: { singleReplica: 'abc\u00ad\u00ad\u00ad\u00ad\u00ad\u00ad\u00ad\u00ad\u00ad' } }, 'spec/reason-required', 'relaxations.singleReplica'),
  svc(3, 'not-a-secret-reason-invisible', 'reasons', { env: { DB_PASSWORD: { value: 'x', notASecret: '\u200b\u200c\u200d\u2060\u2060\u2060\u2060\u2060\u2060\u2060\u2060' } } }, 'spec/reason-required', 'env.DB_PASSWORD.notASecret'),
  svc(3, 'mount-path-dotdot-to-tmp', 'paths', { writablePaths: [{ path: '/var/../tmp' }] }, 'spec/mount-path', 'writablePaths[0].path'),
  svc(3, 'mount-path-trailing-slash-tmp', 'paths', { writablePaths: [{ path: '/tmp/' }] }, 'spec/mount-path', 'writablePaths[0].path'),
  svc(3, 'mount-path-double-slash-tmp', 'paths', { writablePaths: [{ path: '//tmp' }] }, 'spec/mount-path', 'writablePaths[0].path'),
  svc(3, 'mount-path-climbs-above-root', 'paths', { writablePaths: [{ path: '/../../etc' }] }, 'spec/mount-path', 'writablePaths[0].path'),
  svc(3, 'mount-path-is-root-spelled', 'paths', { writablePaths: [{ path: '/srv/..' }] }, 'spec/mount-path', 'writablePaths[0].path'),
  svc(3, 'secret-mount-dot-tmp', 'paths', { secretFiles: [{ secretName: 'db', mountPath: '/./tmp' }] }, 'spec/mount-path', 'secretFiles[0].mountPath'),
  svc(3, 'claim-over-writable-path', 'paths', { replicas: 1, relaxations: { singleReplica: 'one writer on RWO storage' }, writablePaths: [{ path: '/data' }], claims: [{ name: 'data', mountPath: '/data/.', size: '1Gi' }] }, 'spec/mount-path', 'claims[0].mountPath'),
  svc(3, 'fullwidth-default-name', 'names', { name: '\uff44\uff45\uff46\uff41\uff55\uff4c\uff54' }, 'spec/dns-1123-name', 'name'),
  svc(3, 'capability-fullwidth', 'names', { relaxations: { addCapabilities: { capabilities: ['\uff33\uff39\uff33_\uff21\uff24\uff2d\uff29\uff2e'], reason: 'mounts at runtime, tracked' } } }, 'restrict-added-capabilities', 'relaxations.addCapabilities.capabilities[0]'),
  svc(3, 'env-name-fullwidth-password', 'names', { env: { ＰＡＳＳＷＯＲＤ: 'x' } }, 'spec/env-name', 'env.\uff30\uff21\uff33\uff33\uff37\uff2f\uff32\uff24'),

  // 4. Manifests the API server would reject.
  svc(4, 'service-name-starts-with-digit', 'names', { name: '9lives' }, 'spec/dns-1035-name', 'name'),
  db(4, 'database-name-starts-with-digit', 'names', { name: '1db' }, 'spec/dns-1035-name', 'name'),
  db(4, 'backup-cronjob-name-too-long', 'names', { name: 'a'.repeat(50), backup }, 'spec/dns-1123-name', 'name'),
  svc(4, 'sidecar-volume-name-too-long', 'names', { sidecars: [{ name: 'a'.repeat(63), image: 'ghcr.io/acme/proxy:1.0.0', resources: 'nano', ports: [{ name: 'p', port: 9000 }], probes: { readiness: { tcp: { port: 'p' } }, liveness: { http: { path: '/l', port: 'p' } } } }] }, 'spec/dns-1123-name', 'sidecars[0].name'),
  svc(4, 'claim-volume-name-too-long', 'names', { replicas: 1, relaxations: { singleReplica: 'one writer on RWO storage' }, claims: [{ name: 'c'.repeat(60), mountPath: '/data', size: '1Gi' }] }, 'spec/dns-1123-name', 'claims[0].name'),
  svc(4, 'component-label-too-long', 'names', { component: 'c'.repeat(64) }, 'recommended-labels', 'component'),
  svc(4, 'part-of-label-invalid', 'names', { partOf: 'shop/api' }, 'recommended-labels', 'partOf'),
  ns(4, 'namespace-label-key-invalid', { labels: { 'bad key': 'x' } }, 'spec/labels', 'labels.bad key'),
  ns(4, 'namespace-label-value-invalid', { labels: { team: 'payments team' } }, 'spec/labels', 'labels.team'),
  db(4, 'cron-minute-61', 'cron schedules', { backup: { ...backup, schedule: '61 * * * *' } }, 'spec/backup', 'backup.schedule'),
  db(4, 'cron-hour-24', 'cron schedules', { backup: { ...backup, schedule: '0 24 * * *' } }, 'spec/backup', 'backup.schedule'),
  db(4, 'cron-six-fields', 'cron schedules', { backup: { ...backup, schedule: '0 0 3 * * *' } }, 'spec/backup', 'backup.schedule'),
  db(4, 'cron-four-fields', 'cron schedules', { backup: { ...backup, schedule: '0 3 * *' } }, 'spec/backup', 'backup.schedule'),
  db(4, 'cron-quartz-last-day', 'cron schedules', { backup: { ...backup, schedule: '0 3 L * *' } }, 'spec/backup', 'backup.schedule'),
  db(4, 'cron-jenkins-hash', 'cron schedules', { backup: { ...backup, schedule: 'H 3 * * *' } }, 'spec/backup', 'backup.schedule'),
  db(4, 'cron-nth-weekday', 'cron schedules', { backup: { ...backup, schedule: '0 3 * * 1#2' } }, 'spec/backup', 'backup.schedule'),
  db(4, 'cron-tz-in-schedule', 'cron schedules', { backup: { ...backup, schedule: 'TZ=Europe/Berlin 0 3 * * *' } }, 'spec/backup', 'backup.schedule'),
  db(4, 'cron-crontz-in-schedule', 'cron schedules', { backup: { ...backup, schedule: 'CRON_TZ=UTC 0 3 * * *' } }, 'spec/backup', 'backup.schedule'),
  db(4, 'cron-reboot', 'cron schedules', { backup: { ...backup, schedule: '@reboot' } }, 'spec/backup', 'backup.schedule'),
  db(4, 'cron-month-13', 'cron schedules', { backup: { ...backup, schedule: '0 3 1 13 *' } }, 'spec/backup', 'backup.schedule'),
  db(4, 'cron-weekday-8', 'cron schedules', { backup: { ...backup, schedule: '0 3 * * 8' } }, 'spec/backup', 'backup.schedule'),
  svc(4, 'two-service-ports-80', 'ports', { ports: [{ name: 'http', port: 8080, servicePort: 80 }, { name: 'alt', port: 8081, servicePort: 80 }] }, 'container-ports-valid', 'ports[1].servicePort'),
  svc(4, 'port-name-16-chars', 'ports', { ports: [{ name: 'a'.repeat(16), port: 8080 }] }, 'container-ports-valid', 'ports[0].name'),
  svc(4, 'port-name-digits-only', 'ports', { ports: [{ name: '8080', port: 8080 }] }, 'container-ports-valid', 'ports[0].name'),
  svc(4, 'secret-key-with-slash', 'secret keys', { env: { DB_PASSWORD: { secret: { name: 'db', key: 'a/b' } } } }, 'spec/secret-ref', 'env.DB_PASSWORD.secret.key'),
  svc(4, 'configmap-key-with-space', 'secret keys', { env: { LEVEL: { configMap: { name: 'settings', key: 'log level' } } } }, 'spec/configmap-ref', 'env.LEVEL.configMap.key'),
  svc(4, 'secret-files-key-traversal', 'secret keys', { secretFiles: [{ secretName: 'db', mountPath: '/var/run/secrets/db', keys: ['../../etc/x'] }] }, 'spec/secret-files', 'secretFiles[0].keys[0]'),
  svc(4, 'secret-files-key-dotdot', 'secret keys', { secretFiles: [{ secretName: 'db', mountPath: '/var/run/secrets/db', keys: ['..'] }] }, 'spec/secret-files', 'secretFiles[0].keys[0]'),
  svc(4, 'secret-files-key-absolute', 'secret keys', { secretFiles: [{ secretName: 'db', mountPath: '/var/run/secrets/db', keys: ['/etc/passwd'] }] }, 'spec/secret-files', 'secretFiles[0].keys[0]'),
  svc(4, 'secret-files-key-twice', 'secret keys', { secretFiles: [{ secretName: 'db', mountPath: '/var/run/secrets/db', keys: ['password', 'password'] }] }, 'spec/secret-files', 'secretFiles[0].keys'),
  db(4, 'database-password-key-with-slash', 'secret keys', { credentials: { secretName: 'orders-db', passwordKey: 'pass/word' } }, 'spec/secret-ref', 'credentials.passwordKey'),
  svc(4, 'two-mounts-at-tmp', 'paths', { writablePaths: [{ path: '/tmp' }] }, 'spec/mount-path', 'writablePaths[0].path'),
  svc(4, 'secret-and-scratch-same-path', 'paths', { secretFiles: [{ secretName: 'db', mountPath: '/run/secrets' }], writablePaths: [{ path: '/run/secrets' }] }, 'spec/mount-path', 'writablePaths[0].path'),
  svc(4, 'two-secret-mounts-same-path', 'paths', { secretFiles: [{ secretName: 'a', mountPath: '/run/s' }, { secretName: 'b', mountPath: '/run/s' }] }, 'spec/mount-path', 'secretFiles[1].mountPath'),
  svc(4, 'command-as-string', 'commands', { command: 'sleep 10' as any }, 'spec/command', 'command'),
  svc(4, 'args-as-string', 'commands', { args: '--verbose' as any }, 'spec/command', 'args'),
  svc(4, 'command-with-number', 'commands', { command: ['sleep', 10] as any }, 'spec/command', 'command'),
  svc(4, 'exec-probe-as-string', 'commands', { probes: { readiness: { exec: { command: 'pg_isready' as any } }, liveness: { http: { path: '/livez', port: 'http' } } } }, 'spec/probe-handler', 'probes.readiness.exec.command'),
  db(4, 'backup-upload-command-string', 'commands', { backup: { ...backup, objectStore: { image: 'ghcr.io/acme/up:1.0.0', command: 'rclone copy' as any, peer: Peer.cidr('10.9.0.0/16'), port: 443 } } }, 'spec/backup', 'backup.objectStore.command'),
  {
    cls: 4,
    id: 'same-object-twice',
    construct: 'HardenedService',
    area: 'object identities',
    input: { ids: ['a', 'b'], name: 'api' },
    ruleId: 'spec/duplicate-object',
    fieldPath: 'ServiceAccount/shop/api metadata.name',
    atSynth: true,
    build: (c) => {
      new HardenedService(c, 'a', service({ name: 'api' }));
      new HardenedService(c, 'b', service({ name: 'api' }));
      return Testing.synth(c);
    },
  },
  {
    cls: 4,
    id: 'same-object-twice-across-charts',
    construct: 'HardenedService',
    area: 'object identities',
    input: { charts: ['one', 'two'], name: 'api', namespace: 'shop' },
    ruleId: 'spec/duplicate-object',
    fieldPath: 'ServiceAccount/shop/api metadata.name',
    atSynth: true,
    build: (c) => {
      const app = c.node.root as any;
      new HardenedService(new Chart(app, 'one', { namespace: 'shop' }), 'api', service());
      new HardenedService(new Chart(app, 'two', { namespace: 'shop' }), 'api', service());
      return app.synthYaml();
    },
  },

  // 6. Crashes: user strings never index a table's prototype; odd numbers get a real message.
  ...['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf'].map((engine) =>
    db(6, `engine-${engine.replace(/_/g, '')}`, 'prototype keys', { engine: engine as any }, 'spec/database-engine', 'engine')),
  ...['toString', '__proto__', 'constructor'].map((preset) =>
    svc(6, `resources-preset-${preset.replace(/_/g, '')}`, 'prototype keys', { resources: preset as any }, 'spec/size-preset', 'resources')),
  ns(6, 'namespace-defaults-toString', { containerDefaults: 'toString' as any }, 'spec/size-preset', 'containerDefaults'),
  svc(6, 'relaxation-named-toString', 'prototype keys', { relaxations: { toString: 'because I can, really' } as any }, 'spec/props', 'relaxations.toString'),
  svc(6, 'relaxation-named-proto', 'prototype keys', { relaxations: ownKey('__proto__', 'because I can, really') }, 'spec/props', 'relaxations.__proto__'),
  svc(6, 'env-named-proto-twice-with-tz', 'prototype keys', { env: { ...ownKey('__proto__', 'x'), TZ: 'UTC' } }, 'spec/props', 'env.__proto__'),
  // Values parsed from YAML/JSON may define keys that shadow the methods that turn an object into
  // text: refused where they stand, never a TypeError later.
  svc(6, 'image-object-with-toString-false', 'poisoned objects', { image: JSON.parse('{"toString":false}') }, 'spec/props', 'image.toString'),
  svc(6, 'label-key-constructor', 'poisoned objects', { labels: JSON.parse('{"constructor":"x"}') }, 'spec/props', 'labels.constructor'),
  svc(6, 'prototype-less-env', 'poisoned objects', { env: Object.assign(Object.create(null), { A: 'b' }) }, 'spec/props', 'env'),
  svc(6, 'peer-pod-labels-object-value', 'wrong types', { ingress: [{ from: { kind: 'namespace', namespace: 'edge', podLabels: { app: { '': 1 } as any } } }] }, 'spec/metadata', 'ingress[0].from.podLabels."app"'),
  svc(6, 'probe-handler-false', 'wrong types', { probes: { readiness: { tcp: false as any }, liveness: { http: { path: '/l', port: 'http' } } } }, 'spec/probe-handler', 'probes.readiness.tcp'),
  db(6, 'database-clients-object', 'wrong types', { clients: {} as any }, 'network-policy-required', 'clients'),
  svc(6, 'replicas-nan', 'numbers', { replicas: NaN }, 'min-replicas', 'replicas'),
  svc(6, 'replicas-infinity', 'numbers', { replicas: Infinity }, 'min-replicas', 'replicas'),
  svc(6, 'replicas-string', 'numbers', { replicas: '3' as any }, 'min-replicas', 'replicas'),
  svc(6, 'replicas-fraction', 'numbers', { replicas: 2.5 }, 'min-replicas', 'replicas'),
  svc(6, 'port-nan', 'numbers', { ports: [{ name: 'http', port: NaN }] }, 'spec/port-range', 'ports[0].port'),
  svc(6, 'user-nan', 'numbers', { user: NaN }, 'high-uid-gid', 'user'),
  db(6, 'database-replicas-nan', 'numbers', { replicas: NaN }, 'spec/database-replicas', 'replicas'),
  svc(6, 'writable-paths-not-a-list', 'shapes', { writablePaths: '/cache' as any }, 'spec/mount-path', 'writablePaths'),
  svc(6, 'secret-files-not-a-list', 'shapes', { secretFiles: { secretName: 'db' } as any }, 'spec/secret-files', 'secretFiles'),
  svc(6, 'secret-files-entry-null', 'shapes', { secretFiles: [null] as any }, 'spec/secret-files', 'secretFiles[0]'),
  svc(6, 'ingress-not-a-list', 'shapes', { ingress: { from: Peer.ingressController() } as any }, 'spec/props', 'ingress'),
  svc(6, 'sidecars-not-a-list', 'shapes', { sidecars: 'proxy' as any }, 'spec/props', 'sidecars'),
  svc(6, 'ingress-ports-not-a-list', 'shapes', { ingress: [{ from: Peer.ingressController(), ports: 'http' as any }] }, 'network-policy-required', 'ingress[0].ports'),
  {
    cls: 6,
    id: 'logging-sidecar-on-empty-workload',
    construct: 'LoggingSidecar',
    area: 'shapes',
    input: { target: 'a cdk8s-plus Deployment without containers' },
    ruleId: 'spec/logging',
    fieldPath: 'target',
    build: (c) => new LoggingSidecar(c, 'logs', { target: new kplus.Deployment(c, 'bare'), logPath: '/var/log/app', output: { kind: 'stdout' }, resources: 'nano' }),
  },

  // 7. Output that lies: control characters in names never reach the message raw.
  svc(7, 'name-forging-a-finding-line', 'escaping', { name: 'evil\n  error  fake-rule: all good \u001b[31m' }, 'spec/dns-1123-name', 'name'),
  svc(7, 'image-with-ansi', 'escaping', { image: 'ghcr.io/acme/api:1.0\u001b[2J' }, 'spec/image-reference', 'image'),
  svc(7, 'env-name-with-newline', 'escaping', { env: { 'A\nerror fake': 'x' } }, 'spec/env-name', 'env.A\\x0aerror fake'),
  svc(7, 'port-name-with-bidi', 'escaping', { ports: [{ name: 'http\u202e', port: 8080 }] }, 'container-ports-valid', 'ports[0].name'),
  svc(7, 'relaxation-key-with-escape', 'escaping', { relaxations: { 'x\u001b[0m': 'because I can, really' } as any }, 'spec/unknown-relaxation', 'relaxations.x\\x1b[0m'),

  ...shapeCases,
];

/** Run one entry in a fresh app; returns the error it threw (or undefined). */
export function runHostile(b: HostileInput): any {
  const app = Testing.app();
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  try {
    b.build(chart);
    if (b.atSynth) app.synthYaml();
  } catch (e) {
    return e;
  }
  return undefined;
}
