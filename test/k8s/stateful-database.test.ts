import { HardenedService, Peer, StatefulDatabase, StatefulDatabaseProps, defaultRuleSet, evaluateKubernetes } from '../../src';
import { byKind, hardeningError, serviceProps, synth, testChart } from '../util/fixtures';
import { expectValidObjects } from '../util/k8s-schema';
import { pssRestrictedViolations } from '../util/pss';

function dbProps(overrides: Partial<StatefulDatabaseProps> = {}): StatefulDatabaseProps {
  return {
    engine: 'postgres',
    resources: 'medium',
    storage: { size: '20Gi', storageClassName: 'fast-ssd' },
    credentials: { secretName: 'orders-db' },
    username: 'orders',
    database: 'orders',
    priorityClassName: 'standard',
    clients: [Peer.workload('api')],
    ...overrides,
  };
}

const backup = { schedule: '0 3 * * *', retain: 5, storage: { size: '50Gi' }, resources: 'small' as const };

function audit(objects: any[]) {
  return evaluateKubernetes(objects.map((object) => ({ object })), defaultRuleSet()).map((f) => `${f.ruleId} ${f.object.kind}/${f.object.name}: ${f.message}`);
}

describe('StatefulDatabase: PostgreSQL with backups', () => {
  const { chart } = testChart();
  const api = new HardenedService(chart, 'api', serviceProps());
  const db = new StatefulDatabase(chart, 'orders', dbProps({ clients: [], backup }));
  api.connectTo(db);
  db.addRestoreJob();
  const objects = synth(chart).filter((o) => o.metadata.name.startsWith('orders'));
  const sts = byKind(objects, 'StatefulSet');
  const pod = sts.spec.template.spec;
  const c = pod.containers[0];

  test('valid against the strict 1.28 schema, PSS restricted, and audits clean', () => {
    expectValidObjects(objects);
    expect(pssRestrictedViolations(objects)).toEqual([]);
    expect(audit(synth(chart))).toEqual([]);
  });

  test('emits the expected objects', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'CronJob/orders-backup', 'Job/orders-restore', 'NetworkPolicy/orders', 'NetworkPolicy/orders-backup', 'NetworkPolicy/orders-restore',
      'PersistentVolumeClaim/orders-backups', 'PodDisruptionBudget/orders', 'Service/orders', 'Service/orders-headless',
      'ServiceAccount/orders', 'ServiceAccount/orders-jobs', 'StatefulSet/orders',
    ]);
  });

  test('claim templates, Retain on delete and scale-down, governing headless Service', () => {
    expect(sts.spec.volumeClaimTemplates).toEqual([{
      metadata: { name: 'data', labels: { 'app.kubernetes.io/instance': 'orders' } },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '20Gi' } } },
    }]);
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(sts.spec.serviceName).toBe('orders-headless');
    expect(sts.spec.replicas).toBe(1);
    expect(byKind(objects, 'Service', 'orders-headless').spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
  });

  test('runs the official image as UID 10001 on a read-only root fs', () => {
    expect(c.image).toBe('docker.io/library/postgres:16.4-bookworm');
    expect(c.securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.securityContext).toMatchObject({ fsGroup: 10001, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.volumeMounts).toEqual([
      { name: 'postgres-tmp', mountPath: '/tmp' },
      { name: 'postgres-w0', mountPath: '/var/run/postgresql' },
      { name: 'postgres-w1', mountPath: '/dev/shm' },
      { name: 'postgres-secret-0', mountPath: '/var/run/secrets/db', readOnly: true },
      { name: 'data', mountPath: '/var/lib/postgresql/data' },
    ]);
    expect(pod.volumes).toContainEqual({ name: 'postgres-w1', emptyDir: { medium: 'Memory', sizeLimit: '256Mi' } });
    expect(pod.volumes).toContainEqual({ name: 'postgres-secret-0', secret: { secretName: 'orders-db', defaultMode: 0o440, items: [{ key: 'password', path: 'password' }] } });
    expect(c.env).toEqual([
      { name: 'POSTGRES_USER', value: 'orders' },
      { name: 'POSTGRES_DB', value: 'orders' },
      { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
      { name: 'TZ', value: 'UTC' },
    ]);
    expect(c.command).toEqual(['env', 'POSTGRES_PASSWORD_FILE=/var/run/secrets/db/password', 'docker-entrypoint.sh']);
    expect(pod.terminationGracePeriodSeconds).toBe(120);
  });

  test('engine-proper probes: pg_isready with --username, distinct liveness', () => {
    expect(c.readinessProbe.exec.command).toEqual(['pg_isready', '--host', '127.0.0.1', '--port', '5432', '--username', 'orders', '--dbname', 'orders']);
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 'postgres' });
    expect(c.startupProbe).toMatchObject({ failureThreshold: 60, periodSeconds: 5 });
  });

  test('NetworkPolicy admits the client, the backup and the restore job on the database port only', () => {
    const np = byKind(objects, 'NetworkPolicy', 'orders').spec;
    const from = np.ingress.map((r: any) => r.from[0].podSelector.matchLabels['app.kubernetes.io/instance']);
    expect(from.sort()).toEqual(['api', 'orders-backup', 'orders-restore']);
    expect(np.ingress.every((r: any) => r.ports[0].port === 'postgres')).toBe(true);
    expect(np.egress).toHaveLength(1);
  });

  test('backup CronJob: hardened, Forbid, deadlines, history, dump with pruning', () => {
    const cj = byKind(objects, 'CronJob').spec;
    expect(cj).toMatchObject({ schedule: '0 3 * * *', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 300, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3 });
    expect(cj.jobTemplate.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 3600 });
    expect(cj.jobTemplate.spec.ttlSecondsAfterFinished).toBeUndefined();
    const jp = cj.jobTemplate.spec.template.spec;
    expect(jp.restartPolicy).toBe('Never');
    expect(jp.serviceAccountName).toBe('orders-jobs');
    const dump = jp.containers[0];
    expect(dump.command[2]).toContain('pg_dump --format=custom');
    expect(dump.command[2]).toContain('if [ "$i" -gt 5 ]');
    expect(dump.env).toContainEqual({ name: 'PGHOST', value: 'orders.shop.svc.cluster.local' });
    expect(dump.volumeMounts).toContainEqual({ name: 'backup', mountPath: '/backup' });
    expect(jp.volumes).toContainEqual({ name: 'backup', persistentVolumeClaim: { claimName: 'orders-backups' } });
    expect(byKind(objects, 'PersistentVolumeClaim').spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } });
  });

  test('restore Job reads the claim read-only and cleans up after itself', () => {
    const job = byKind(objects, 'Job').spec;
    expect(job.ttlSecondsAfterFinished).toBe(86400);
    expect(job.template.spec.containers[0].command[2]).toContain('pg_restore --clean --if-exists');
    expect(job.template.spec.volumes).toContainEqual({ name: 'backup', persistentVolumeClaim: { claimName: 'orders-backups', readOnly: true } });
  });
});

describe('StatefulDatabase: replication', () => {
  test('Redis replicas replicate from replica 0, with required anti-affinity and zone spread', () => {
    const { chart } = testChart();
    new StatefulDatabase(chart, 'cache', dbProps({ engine: 'redis', replicas: 3, resources: 'small' }));
    const objects = synth(chart);
    const sts = byKind(objects, 'StatefulSet');
    expectValidObjects(objects);
    expect(audit(objects)).toEqual([]);
    expect(pssRestrictedViolations(objects)).toEqual([]);
    expect(sts.spec.replicas).toBe(3);
    const pod = sts.spec.template.spec;
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([{ labelSelector: { matchLabels: { 'app.kubernetes.io/instance': 'cache' } }, topologyKey: 'kubernetes.io/hostname' }]);
    expect(pod.topologySpreadConstraints[0].topologyKey).toBe('topology.kubernetes.io/zone');
    expect(pod.containers[0].command[2]).toContain('--replicaof cache-0.cache-headless.shop.svc.cluster.local 6379');
    expect(pod.containers[0].env).toContainEqual({ name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'orders-db', key: 'password' } } });
    expect(byKind(objects, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    const np = byKind(objects, 'NetworkPolicy').spec;
    expect(np.egress).toContainEqual({ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'cache' } } }], ports: [{ port: 6379, protocol: 'TCP' }] });
  });

  test.each(['postgres', 'mysql', 'mariadb'] as const)('3 replicas of %s are refused and point to an operator', (engine) => {
    const { chart } = testChart();
    const e = hardeningError(() => new StatefulDatabase(chart, 'db', dbProps({ engine, replicas: 3 })));
    expect(e.ruleId).toBe('spec/database-replication');
    expect(e.fieldPath).toBe('replicas');
    expect(e.reason).toMatch(/independent databases/);
    expect(e.fix).toMatch(/operator|CloudNativePG/i);
  });
});

describe.each(['mysql', 'mariadb', 'redis'] as const)('StatefulDatabase: %s preset', (engine) => {
  const { chart } = testChart();
  new StatefulDatabase(chart, 'db', dbProps({ engine, backup }));
  const objects = synth(chart);

  test('valid, PSS restricted, audits clean', () => {
    expectValidObjects(objects);
    expect(pssRestrictedViolations(objects)).toEqual([]);
    expect(audit(objects)).toEqual([]);
  });

  test('no secret-looking env literal anywhere', () => {
    const envs = objects.flatMap((o) => JSON.stringify(o).match(/"name":"[A-Z_]*(PASSWORD|SECRET|TOKEN)[A-Z_]*","value"/g) ?? []);
    expect(envs).toEqual([]);
  });
});

describe('StatefulDatabase: refused input', () => {
  test.each([
    ['no storage', { storage: undefined as any }, 'spec/database-storage', 'storage'],
    ['a shared volume', { storage: { size: '1Gi', accessMode: 'ReadWriteMany' as any } }, 'spec/database-storage', 'storage.accessMode'],
    ['no credentials', { credentials: undefined as any }, 'no-literal-secrets-in-env', 'credentials'],
    ['an unknown engine', { engine: 'oracle' as any }, 'spec/database-engine', 'engine'],
    ['a bad cron schedule', { backup: { ...backup, schedule: 'daily at 3' } }, 'spec/backup', 'backup.schedule'],
    ['a backup going nowhere', { backup: { schedule: '@daily', resources: 'small' as const } }, 'spec/backup', 'backup.storage'],
    ['shared memory eating the memory limit', { sharedMemory: '2Gi' }, 'memory-limits', 'sharedMemory'],
    ['a latest image', { image: 'postgres:latest' }, 'image-tag-pinned', 'image'],
    ['a username that is not an identifier', { username: 'drop table' }, 'spec/database-identifier', 'username'],
  ])('%s', (_n, overrides, ruleId, fieldPath) => {
    const { chart } = testChart();
    const e = hardeningError(() => new StatefulDatabase(chart, 'db', dbProps(overrides as Partial<StatefulDatabaseProps>)));
    expect(e.ruleId).toBe(ruleId);
    expect(e.fieldPath).toBe(fieldPath);
  });

  test('a database nobody may reach fails synthesis', () => {
    const { chart } = testChart();
    new StatefulDatabase(chart, 'db', dbProps({ clients: [] }));
    expect(() => synth(chart)).toThrow(/no client may reach database 'db'/);
  });

  test('redis has no restore job', () => {
    const { chart } = testChart();
    const db = new StatefulDatabase(chart, 'cache', dbProps({ engine: 'redis', backup }));
    expect(hardeningError(() => db.addRestoreJob()).fix).toMatch(/scale the StatefulSet to 0/);
  });
});

test('a custom engine with a VolumeSnapshot', () => {
  const { chart } = testChart();
  new StatefulDatabase(chart, 'docs', dbProps({
    engine: {
      name: 'mongodb',
      image: 'docker.io/library/mongo:7.0.14',
      port: { name: 'mongo', port: 27017 },
      dataPath: '/data/db',
      probes: { readiness: { exec: { command: ['mongosh', '--quiet', '--eval', 'db.adminCommand("ping")'] } }, liveness: { tcp: { port: 'mongo' } } },
    },
    snapshot: { volumeSnapshotClassName: 'csi-snapclass' },
  }));
  const objects = synth(chart);
  expect(byKind(objects, 'VolumeSnapshot').spec).toEqual({ volumeSnapshotClassName: 'csi-snapclass', source: { persistentVolumeClaimName: 'data-docs-0' } });
  expectValidObjects(objects.filter((o) => o.kind !== 'VolumeSnapshot'));
  expect(audit(objects)).toEqual([]);
});
