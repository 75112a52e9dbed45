import { ContainerSpec, ProbesSpec, WritablePath } from './container';

/**
 * Engine presets: official images pinned by tag, the engine-proper probes, and what it takes to
 * run each as a non-root UID on a read-only root filesystem. Backend-neutral: the Kubernetes and
 * Docker renderers both read these.
 */
export type EngineName = 'postgres' | 'mysql' | 'mariadb' | 'redis';

/** What an engine preset needs to know about one database. */
export interface EngineContext {
  readonly name: string;
  readonly namespace: string;
  readonly username: string;
  readonly database: string;
  /** The credentials Secret and the key holding the password. */
  readonly secretName: string;
  readonly passwordKey: string;
  /** Absolute path of the mounted password file. */
  readonly passwordFile: string;
  /** Absolute path of the mounted root/admin password file (MySQL, MariaDB). */
  readonly rootPasswordFile: string;
  /** Host the backup and restore jobs connect to. */
  readonly host: string;
  readonly replicas: number;
  /** Stable DNS name of replica 0 (the primary when replicated). */
  readonly primaryHost: string;
  /** False in cache mode: nothing is written to disk. */
  readonly persistent: boolean;
}

export interface EnginePreset {
  readonly engine: EngineName;
  readonly image: string;
  readonly port: { readonly name: string; readonly port: number };
  /** Where the data claim is mounted. */
  readonly dataPath: string;
  /** Writable paths besides /tmp (the root filesystem is read-only). */
  readonly writablePaths: (sharedMemory: string) => WritablePath[];
  /** Keys the credentials Secret must hold. */
  readonly secretKeys: readonly ('password' | 'rootPassword')[];
  /** Whether the preset configures real replication for replicas > 1. */
  readonly replication: boolean;
  /** Where to go when you need more than the preset offers. */
  readonly operatorHint: string;
  /** Command, args, env and probes of the database container. */
  readonly container: (ctx: EngineContext) => Pick<ContainerSpec, 'command' | 'args' | 'env'> & { probes: ProbesSpec };
  /** Shell script of the backup job (writes `$OUT`, a file under the backup directory). */
  readonly backupScript: (ctx: EngineContext) => string;
  /** Shell script of the restore job (reads `$IN`), or undefined when restore is not a job. */
  readonly restoreScript?: (ctx: EngineContext) => string;
  /** Extension of dump files. */
  readonly dumpExtension: string;
  /** Environment of the backup/restore containers (secret references only). */
  readonly jobEnv: (ctx: EngineContext) => ContainerSpec['env'];
}

const startup = { failureThreshold: 60, periodSeconds: 5 };

const POSTGRES: EnginePreset = {
  engine: 'postgres',
  image: 'docker.io/library/postgres:16.4-bookworm',
  port: { name: 'postgres', port: 5432 },
  dataPath: '/var/lib/postgresql/data',
  // The Debian image fakes a passwd entry with nss_wrapper (temp files in /tmp), needs its socket
  // directory writable, and PostgreSQL wants more /dev/shm than the runtime's 64M default.
  writablePaths: (shm) => [
    { path: '/var/run/postgresql', sizeLimit: '16Mi' },
    { path: '/dev/shm', sizeLimit: shm, inMemory: true },
  ],
  secretKeys: ['password'],
  replication: false,
  operatorHint: 'CloudNativePG (cloudnative-pg.io) for streaming replicas with automated failover',
  container: (ctx) => ({
    // POSTGRES_PASSWORD_FILE is set on the command line, so the manifest holds no secret-looking
    // env literal; the password itself is a read-only mounted file.
    command: ['env', `POSTGRES_PASSWORD_FILE=${ctx.passwordFile}`, 'docker-entrypoint.sh'],
    args: ['postgres'],
    env: {
      POSTGRES_USER: ctx.username,
      POSTGRES_DB: ctx.database,
      // A subdirectory: initdb refuses a volume root that holds lost+found.
      PGDATA: '/var/lib/postgresql/data/pgdata',
    },
    probes: {
      // --username: a UID without a passwd entry makes pg_isready fail otherwise.
      readiness: { exec: { command: ['pg_isready', '--host', '127.0.0.1', '--port', '5432', '--username', ctx.username, '--dbname', ctx.database] } },
      liveness: { tcp: { port: 'postgres' } },
      startup: { exec: { command: ['pg_isready', '--host', '127.0.0.1', '--port', '5432', '--username', ctx.username, '--dbname', ctx.database] }, ...startup },
    },
  }),
  dumpExtension: 'dump',
  jobEnv: (ctx) => ({ PGUSER: ctx.username, PGDATABASE: ctx.database, PGHOST: ctx.host, PGPORT: '5432' }),
  backupScript: (ctx) => `PGPASSWORD="$(cat ${ctx.passwordFile})" pg_dump --format=custom --no-owner --file="$OUT.partial"`,
  restoreScript: (ctx) => `PGPASSWORD="$(cat ${ctx.passwordFile})" pg_restore --clean --if-exists --no-owner --dbname="$PGDATABASE" "$IN"`,
};

function mysqlLike(engine: 'mysql' | 'mariadb'): EnginePreset {
  const maria = engine === 'mariadb';
  const prefix = maria ? 'MARIADB' : 'MYSQL';
  const admin = maria ? 'mariadb-admin' : 'mysqladmin';
  const dump = maria ? 'mariadb-dump' : 'mysqldump';
  const client = maria ? 'mariadb' : 'mysql';
  const options = (ctx: EngineContext) => `printf '[client]\\nuser=%s\\npassword=%s\\nhost=%s\\n' '${ctx.username}' "$(cat ${ctx.passwordFile})" '${ctx.host}' > /tmp/client.cnf`;
  return {
    engine,
    image: maria ? 'docker.io/library/mariadb:11.4.3' : 'docker.io/library/mysql:8.4.2',
    port: { name: maria ? 'mariadb' : 'mysql', port: 3306 },
    dataPath: '/var/lib/mysql',
    writablePaths: () => (maria
      ? [{ path: '/run/mysqld', sizeLimit: '16Mi' }]
      : [{ path: '/var/run/mysqld', sizeLimit: '16Mi' }, { path: '/var/lib/mysql-files', sizeLimit: '64Mi' }]),
    secretKeys: ['password', 'rootPassword'],
    replication: false,
    operatorHint: maria ? 'mariadb-operator for replication and Galera clusters' : 'MySQL Operator for Kubernetes (InnoDB Cluster) for replication and failover',
    container: (ctx) => ({
      command: ['env', `${prefix}_PASSWORD_FILE=${ctx.passwordFile}`, `${prefix}_ROOT_PASSWORD_FILE=${ctx.rootPasswordFile}`, 'docker-entrypoint.sh'],
      // A subdirectory of the claim: initialisation refuses a volume root that holds lost+found.
      args: [maria ? 'mariadbd' : 'mysqld', '--datadir=/var/lib/mysql/data'],
      env: { [`${prefix}_USER`]: ctx.username, [`${prefix}_DATABASE`]: ctx.database },
      probes: {
        // `ping` exits 0 whenever the server answers, even with access denied: no credentials needed.
        readiness: { exec: { command: [admin, 'ping', '--host=127.0.0.1', '--port=3306', '--user=probe', '--silent'] } },
        liveness: { tcp: { port: maria ? 'mariadb' : 'mysql' } },
        startup: { exec: { command: [admin, 'ping', '--host=127.0.0.1', '--port=3306', '--user=probe', '--silent'] }, ...startup },
      },
    }),
    dumpExtension: 'sql',
    jobEnv: () => ({}),
    backupScript: (ctx) => `${options(ctx)} && ${dump} --defaults-extra-file=/tmp/client.cnf --single-transaction --routines --triggers '${ctx.database}' > "$OUT.partial"`,
    restoreScript: (ctx) => `${options(ctx)} && ${client} --defaults-extra-file=/tmp/client.cnf '${ctx.database}' < "$IN"`,
  };
}

/** Docker delivers secrets as files (REDISCLI_AUTH_FILE); Kubernetes as a Secret reference (REDISCLI_AUTH). */
const REDIS_AUTH_FROM_FILE = 'if [ -n "${REDISCLI_AUTH_FILE:-}" ]; then REDISCLI_AUTH="$(cat "$REDISCLI_AUTH_FILE")"; export REDISCLI_AUTH; fi';

const REDIS: EnginePreset = {
  engine: 'redis',
  image: 'docker.io/library/redis:7.4.0-bookworm',
  port: { name: 'redis', port: 6379 },
  dataPath: '/data',
  writablePaths: () => [],
  secretKeys: ['password'],
  replication: true,
  operatorHint: 'a Redis operator or Sentinel for automated failover',
  container: (ctx) => ({
    // Replica 0 is the primary; the others replicate from it (no automatic failover).
    command: ['sh', '-c', [
      REDIS_AUTH_FROM_FILE,
      'set --',
      ctx.replicas > 1 ? `if [ "\${HOSTNAME##*-}" != "0" ]; then set -- --replicaof ${ctx.primaryHost} 6379 --replica-read-only yes; fi` : ':',
      `exec redis-server --port 6379 --dir /data ${ctx.persistent ? '--appendonly yes' : "--appendonly no --save ''"} --protected-mode no --requirepass "$REDISCLI_AUTH" --masterauth "$REDISCLI_AUTH" "$@"`,
    ].join('; ')],
    // Redis has no *_FILE convention: the password comes from a Secret reference (never a literal),
    // and redis-cli reads REDISCLI_AUTH by itself.
    env: { REDISCLI_AUTH: { secret: { name: ctx.secretName, key: ctx.passwordKey } } },
    probes: {
      readiness: { exec: { command: ['sh', '-c', `${REDIS_AUTH_FROM_FILE}; redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG`] } },
      liveness: { tcp: { port: 'redis' } },
      startup: { exec: { command: ['sh', '-c', `${REDIS_AUTH_FROM_FILE}; redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG`] }, ...startup },
    },
  }),
  dumpExtension: 'rdb',
  jobEnv: (ctx) => ({ REDISCLI_AUTH: { secret: { name: ctx.secretName, key: ctx.passwordKey } } }),
  backupScript: (ctx) => `${REDIS_AUTH_FROM_FILE}; redis-cli -h '${ctx.host}' -p 6379 --rdb "$OUT.partial"`,
};

/** The built-in engine presets. */
export const ENGINES: Record<EngineName, EnginePreset> = {
  postgres: POSTGRES,
  mysql: mysqlLike('mysql'),
  mariadb: mysqlLike('mariadb'),
  redis: REDIS,
};
