import { cronScheduleProblem, isConfigKey } from './api-rules';
import { canonicalPath, ownValue } from './canonical';
import { checkArgvSecrets, ContainerSpec, EnvValue, ProbesSpec, ResolvedContainer, resolveContainer, ResourceSpec, WritablePath } from './container';
import { DEFAULTS, SizePreset } from './defaults';
import { EngineContext, EngineName, EnginePreset, ENGINES } from './engines';
import { Refuser } from './errors';
import { MetadataSpec, resolveMetadata } from './metadata';
import { checkDns1123Label, checkReason, checkWorkloadName, recommendedLabels } from './names';
import { NetworkPeer } from './network';
import { refuseSecretsInProps } from './props-scan';
import { checkQuantity, parseQuantity } from './quantity';
import { quote } from './redact';
import { Relaxations, ResolvedRelaxation, resolveRelaxations } from './relaxations';
import { checkPeer, PodSettings } from './service';

/** Bring your own engine: image, port, data path and probes. */
export interface CustomEngineSpec {
  /** Short engine name used for the container name and labels (e.g. 'mongodb'). */
  readonly name: string;
  readonly image: string;
  readonly port: { readonly name: string; readonly port: number };
  /** Where the data claim is mounted. */
  readonly dataPath: string;
  readonly probes: ProbesSpec;
  readonly command?: string[];
  readonly args?: string[];
  readonly env?: Record<string, EnvValue>;
  readonly writablePaths?: WritablePath[];
  /**
   * Shell script that writes a dump to "$OUT.partial" (enables `backup`).
   * @default - backups are not available for the engine
   */
  readonly backupScript?: string;
  /** @default 'dump' */
  readonly dumpExtension?: string;
}

/** Where the database's credentials live. The Secret is never created by this library. */
export interface DatabaseCredentials {
  readonly secretName: string;
  /** @default 'password' */
  readonly passwordKey?: string;
  /**
   * Key of the root/admin password (MySQL, MariaDB).
   * @default 'root-password'
   */
  readonly rootPasswordKey?: string;
}

/** The data volume (one claim per replica, from volumeClaimTemplates). */
export interface DatabaseStorage {
  /** e.g. '20Gi'. */
  readonly size: string;
  /** @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** @default 'ReadWriteOnce' */
  readonly accessMode?: 'ReadWriteOnce' | 'ReadWriteOncePod';
}

/** Scheduled logical dumps with retention, into a claim and/or an object store. */
export interface BackupSpec {
  /** Cron schedule, e.g. '0 3 * * *'. */
  readonly schedule: string;
  /** @default - the controller's time zone (usually UTC) */
  readonly timeZone?: string;
  /**
   * Dumps kept on the backup claim; older ones are pruned after each successful run.
   * @default 7
   */
  readonly retain?: number;
  /** A dedicated claim (created) or an existing one. Required unless `objectStore` is given. */
  readonly storage?: { readonly size: string; readonly storageClassName?: string } | { readonly existingClaim: string };
  /**
   * Upload step after the dump: your image and command (it finds the dump's path in `$BACKUP_DIR/.latest`).
   * @default - no upload
   */
  readonly objectStore?: {
    readonly image: string;
    readonly command: string[];
    readonly env?: Record<string, EnvValue>;
    /** Where the uploader connects (egress is opened to it). */
    readonly peer: NetworkPeer;
    readonly port: number;
  };
  /** Requests and limits of the backup/restore containers. */
  readonly resources: ResourceSpec | SizePreset;
}

/** Cache mode of a Redis database: why losing the data on restart is acceptable. */
export interface DatabaseCacheMode {
  /** Written on the StatefulSet (at least 10 characters). */
  readonly reason: string;
  /**
   * Size limit of the scratch /data (replica full syncs).
   * @default '1Gi'
   */
  readonly sizeLimit?: string;
}

/** Backend-neutral props of a stateful database. */
export interface StatefulDatabaseSpec extends MetadataSpec {
  /** @default - the construct id */
  readonly name?: string;
  /** @default - the chart's namespace */
  readonly namespace?: string;
  /** A preset ('postgres', 'mysql', 'mariadb', 'redis') or your own engine. */
  readonly engine: EngineName | CustomEngineSpec;
  /**
   * Override the preset image (pin a digest or another version).
   * @default - the preset's pinned official image
   */
  readonly image?: string;
  readonly resources: ResourceSpec | SizePreset;
  /** Required unless `cache` is set. */
  readonly storage?: DatabaseStorage;
  readonly credentials: DatabaseCredentials;
  /**
   * Options appended to the preset's server command (PostgreSQL, MySQL, MariaDB), e.g.
   * `['--default-authentication-plugin=mysql_native_password']` or `['-c', 'max_connections=200']`.
   * @default - none
   */
  readonly serverArgs?: string[];
  /** @default 'app' */
  readonly username?: string;
  /** @default 'app' */
  readonly database?: string;
  /**
   * Replicas. More than 1 only where the preset configures replication (Redis); otherwise refused.
   * @default 1
   */
  readonly replicas?: number;
  /** Who may connect on the database port (more with `allowFrom`). */
  readonly clients?: NetworkPeer[];
  /**
   * Size of the in-memory /dev/shm (PostgreSQL); counts against the memory limit.
   * @default '256Mi'
   */
  readonly sharedMemory?: string;
  /**
   * Run Redis as a cache: nothing is persisted (no AOF, no RDB snapshots, no claim), so a
   * restart starts empty. The reason (why losing the data is acceptable) is written on the
   * StatefulSet. `storage`, `backup` and `snapshot` must then be absent; the password still comes
   * from `credentials`.
   * @default - persistent (a claim per replica)
   */
  readonly cache?: DatabaseCacheMode;
  /** @default - no backups */
  readonly backup?: BackupSpec;
  /**
   * Emit a VolumeSnapshot of replica 0's claim (needs the snapshot CRDs and a CSI driver).
   * @default - none
   */
  readonly snapshot?: { readonly volumeSnapshotClassName: string };
  /** @default 10001 */
  readonly user?: number;
  /** @default 10001 */
  readonly group?: number;
  readonly priorityClassName?: string;
  /**
   * Databases need time to checkpoint and shut down cleanly.
   * @default 120
   */
  readonly terminationGracePeriodSeconds?: number;
  readonly component?: string;
  readonly partOf?: string;
  readonly relaxations?: Pick<Relaxations, 'runAsRoot' | 'writableRootFilesystem' | 'addCapabilities' | 'noProbes' | 'unpinnedImage'>;
}

export interface ResolvedBackup {
  readonly schedule: string;
  readonly timeZone?: string;
  readonly retain: number;
  readonly claim?: { readonly create: boolean; readonly name: string; readonly size?: string; readonly storageClassName?: string };
  /** The dump container (an init container when an upload follows). */
  readonly dump: ResolvedContainer;
  readonly upload?: { readonly container: ResolvedContainer; readonly peer: NetworkPeer; readonly port: number };
  /** The restore container, when the engine restores with a job. */
  readonly restore?: ResolvedContainer;
  readonly startingDeadlineSeconds: number;
  readonly activeDeadlineSeconds: number;
  readonly backoffLimit: number;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly name: string;
}

export interface ResolvedDatabase {
  readonly name: string;
  readonly namespace: string;
  readonly engine: string;
  /** Recommended labels plus the organisation's `labels`. */
  readonly labels: Record<string, string>;
  /** The organisation's `annotations`, on every object and pod template. */
  readonly annotations: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly replicas: number;
  readonly replicated: boolean;
  readonly container: ResolvedContainer;
  readonly port: { readonly name: string; readonly port: number };
  readonly dataPath: string;
  /** The claim per replica; in cache mode, `size` is the size limit of the scratch /data. */
  readonly storage: Required<Pick<DatabaseStorage, 'size' | 'accessMode'>> & { storageClassName?: string };
  /** Cache mode (Redis): nothing persisted, with the reason. */
  readonly cache?: { readonly reason: string; readonly sizeLimit: string };
  readonly pod: PodSettings;
  readonly clients: NetworkPeer[];
  readonly backup?: ResolvedBackup;
  readonly snapshot?: { readonly volumeSnapshotClassName: string };
  readonly relaxations: ResolvedRelaxation[];
  /** DNS names clients use. */
  readonly host: string;
  readonly primaryHost: string;
  readonly headlessServiceName: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const BACKUP_DIR = '/backup';
const SECRET_DIR = '/var/run/secrets/db';

function isCustom(e: StatefulDatabaseSpec['engine']): e is CustomEngineSpec {
  return typeof e === 'object' && e !== null;
}

function customPreset(e: CustomEngineSpec, refuser: Refuser): EnginePreset {
  checkDns1123Label(e.name, 'engine.name', refuser);
  const dataPath = canonicalPath(e.dataPath);
  if (!dataPath || dataPath === '/') refuser.refuse('spec/mount-path', 'engine.dataPath', `${quote(e.dataPath)} is not an absolute path below / ('..' may not climb above the root).`, "give the engine's data directory, e.g. '/data/db'.");
  if (typeof e.backupScript === 'string') checkArgvSecrets([e.backupScript], 'engine.backupScript', refuser);
  return {
    engine: e.name as EngineName,
    image: e.image,
    port: e.port,
    dataPath: dataPath!,
    writablePaths: () => e.writablePaths ?? [],
    secretKeys: ['password'],
    replication: false,
    operatorHint: `an operator for ${e.name}`,
    container: () => ({ command: e.command, args: e.args, env: e.env, probes: e.probes }),
    dumpExtension: e.dumpExtension ?? 'dump',
    jobEnv: () => ({}),
    backupScript: () => e.backupScript ?? '',
  };
}

/** The resolve step of a database: defaults and validation, or HardeningError. */
export function resolveDatabase(
  spec: StatefulDatabaseSpec,
  ctx: { constructPath: string; defaultName: string; defaultNamespace?: string; hosts?: 'kubernetes' | 'docker' },
): ResolvedDatabase {
  const refuser = new Refuser(ctx.constructPath);
  if (!spec || typeof spec !== 'object') refuser.refuse('spec/props', '', 'props are required.', 'give at least engine, resources, storage and credentials.');
  refuseSecretsInProps(spec, refuser);
  const name = checkWorkloadName(spec.name ?? ctx.defaultName, 'name', refuser);
  if (name.length > 50) refuser.refuse('spec/dns-1123-name', 'name', `'${name}' is too long: the claim names 'data-${name}-<n>' and the backup objects need room.`, 'use at most 50 characters.');
  const rawNs = spec.namespace ?? ctx.defaultNamespace;
  if (rawNs === undefined || rawNs === 'default') {
    refuser.refuse('no-default-namespace', 'namespace', 'a database needs a dedicated namespace: the default one has no Pod Security labels, quota or default-deny policy.', 'set namespace on the props or on the Chart.');
  }
  const namespace = checkDns1123Label(rawNs, 'namespace', refuser);
  const preset = isCustom(spec.engine) ? customPreset(spec.engine, refuser) : ownValue(ENGINES, spec.engine);
  if (!preset) return refuser.refuse('spec/database-engine', 'engine', `${quote(spec.engine)} is not an engine preset.`, `use one of ${Object.keys(ENGINES).join(', ')}, or { name, image, port, dataPath, probes } for your own.`);

  if (spec.cache !== undefined && preset.engine !== 'redis') {
    refuser.refuse('spec/database-cache', 'cache', `${preset.engine} is not a cache: running it without persistence loses every write on restart.`, 'remove cache and give storage; cache mode is for Redis used as a cache.');
  }
  const replicas = spec.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 9) refuser.refuse('spec/database-replicas', 'replicas', `${quote(replicas)} is not a replica count from 1 to 9.`, 'use 1 (or more where the engine replicates).');
  if (replicas > 1 && !preset.replication) {
    refuser.refuse('spec/database-replication', 'replicas', `${replicas} replicas of ${preset.engine} would be ${replicas} independent databases that look like a cluster: this construct configures no replication for ${preset.engine}, so writes to one replica never reach the others.`, `run replicas: 1 (with backups), or use ${preset.operatorHint}.`);
  }

  const relaxations = resolveRelaxations(spec.relaxations, refuser);
  const user = spec.user ?? DEFAULTS.user;
  const group = spec.group ?? DEFAULTS.group;
  if (!Number.isInteger(user) || user < 10000) refuser.refuse('high-uid-gid', 'user', `UID ${quote(user)} is below 10000.`, 'use a UID ≥ 10000 (default 10001).');
  if (!Number.isInteger(group) || group < 10000) refuser.refuse('high-uid-gid', 'group', `GID ${quote(group)} is below 10000.`, 'use a GID ≥ 10000 (default 10001).');

  const username = spec.username ?? 'app';
  const database = spec.database ?? 'app';
  if (!IDENTIFIER.test(username)) refuser.refuse('spec/database-identifier', 'username', `${quote(username)} is not a plain identifier.`, "use lowercase letters, digits and '_', e.g. 'app'.");
  if (!IDENTIFIER.test(database)) refuser.refuse('spec/database-identifier', 'database', `${quote(database)} is not a plain identifier.`, "use lowercase letters, digits and '_', e.g. 'orders'.");

  const cred = spec.credentials;
  if (!cred || typeof cred !== 'object') {
    refuser.refuse('no-literal-secrets-in-env', 'credentials', 'credentials are required and come only from a Secret you create (never generated into the manifests).', "give credentials: { secretName: 'orders-db' } with a 'password' key (and 'root-password' for MySQL/MariaDB).");
  }
  // Credential fields are never echoed: a password pasted in the wrong place must not reach logs.
  if (typeof cred.secretName !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(cred.secretName)) refuser.refuse('spec/dns-1123-name', 'credentials.secretName', 'this is not a Secret name (the value is not shown in case it is a secret).', "give the name of the Secret, e.g. 'orders-db', never the password itself.");
  const passwordKey = cred.passwordKey ?? 'password';
  const rootPasswordKey = cred.rootPasswordKey ?? 'root-password';
  for (const [k, v] of [['passwordKey', passwordKey], ['rootPasswordKey', rootPasswordKey]] as const) {
    if (!isConfigKey(v)) refuser.refuse('spec/secret-ref', `credentials.${k}`, 'this is not a Secret key (the value is not shown in case it is a secret).', "use letters, digits, '-', '_' or '.', e.g. 'password'.");
  }

  const headlessServiceName = `${name}-headless`;
  // On Docker, containers find each other by their network aliases.
  const docker = ctx.hosts === 'docker';
  const host = docker ? name : `${name}.${namespace}.svc.cluster.local`;
  const primaryHost = docker ? `${name}-0` : `${name}-0.${headlessServiceName}.${namespace}.svc.cluster.local`;
  const engineCtx: EngineContext = {
    name,
    namespace,
    username,
    database,
    secretName: cred.secretName,
    passwordKey,
    passwordFile: `${SECRET_DIR}/${passwordKey}`,
    rootPasswordFile: `${SECRET_DIR}/${rootPasswordKey}`,
    host,
    replicas,
    primaryHost,
    persistent: spec.cache === undefined,
  };
  const keys = preset.secretKeys.map((k) => (k === 'password' ? passwordKey : rootPasswordKey));
  const sharedMemory = spec.sharedMemory ?? '256Mi';
  checkQuantity(sharedMemory, 'memory', 'sharedMemory', refuser);
  const engineName = preset.engine;
  const secretFiles = isCustom(spec.engine) ? [] : [{ secretName: cred.secretName, mountPath: SECRET_DIR, keys }];
  const engineContainer = preset.container(engineCtx);
  if (spec.serverArgs !== undefined) {
    if (!Array.isArray(spec.serverArgs) || !spec.serverArgs.every((a) => typeof a === 'string')) refuser.refuse('spec/database-args', 'serverArgs', 'serverArgs must be a list of strings.', "give e.g. ['-c', 'max_connections=200'].");
    if (isCustom(spec.engine) || !engineContainer.args) refuser.refuse('spec/database-args', 'serverArgs', `the ${engineName} ${isCustom(spec.engine) ? 'custom engine takes its own args' : 'preset builds its server command in a script'}: options cannot be appended.`, isCustom(spec.engine) ? 'put the options in engine.args.' : "set them in the engine's configuration file instead.");
  }
  const containerSpec: ContainerSpec = {
    name: engineName,
    image: spec.image ?? preset.image,
    ports: [{ name: preset.port.name, port: preset.port.port }],
    resources: spec.resources,
    ...engineContainer,
    args: spec.serverArgs?.length ? [...(engineContainer.args ?? []), ...spec.serverArgs] : engineContainer.args,
    secretFiles: preset.engine === 'redis' ? [] : secretFiles,
    writablePaths: preset.writablePaths(sharedMemory),
  };
  const container = resolveContainer(containerSpec, { refuser, field: '', relaxations, user, group }, engineName);
  const shm = container.writablePaths.filter((w) => w.inMemory).reduce((a, w) => a + (parseQuantity(w.sizeLimit) ?? 0), 0);
  if (shm >= container.resourceNumbers.limits.memory) {
    refuser.refuse('memory-limits', 'sharedMemory', `the in-memory paths (${sharedMemory}) use up the whole memory limit ${container.resources.limits.memory}: the database would be OOM-killed.`, 'raise resources.limits.memory or lower sharedMemory.');
  }

  let cache: ResolvedDatabase['cache'];
  if (spec.cache !== undefined) {
    if (typeof spec.cache !== 'object' || spec.cache === null) refuser.refuse('spec/database-cache', 'cache', 'cache must be { reason }.', "give cache: { reason: 'session cache, rebuilt from the database on a miss' }.");
    for (const k of ['storage', 'backup', 'snapshot'] as const) {
      if (spec[k] !== undefined) refuser.refuse('spec/database-cache', k, `cache mode persists nothing, so ${k} has nothing to keep.`, `remove ${k}, or remove cache to persist the data.`);
    }
    const reason = checkReason(spec.cache.reason, 'cache.reason', refuser);
    const sizeLimit = spec.cache.sizeLimit ?? '1Gi';
    checkQuantity(sizeLimit, 'ephemeral-storage', 'cache.sizeLimit', refuser);
    cache = { reason, sizeLimit };
  }
  const rawStorage: DatabaseStorage | undefined = spec.storage ?? (cache ? { size: cache.sizeLimit } : undefined);
  if (!rawStorage || typeof rawStorage !== 'object') refuser.refuse('spec/database-storage', 'storage', 'storage is required: without a claim the data lives in the container layer and is lost with the pod.', "give storage: { size: '20Gi' } (or, for Redis used as a cache, cache: { reason }).");
  const st = rawStorage as DatabaseStorage;
  checkQuantity(st.size, 'memory', 'storage.size', refuser);
  if (st.storageClassName !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(st.storageClassName)) refuser.refuse('spec/dns-1123-name', 'storage.storageClassName', `${quote(st.storageClassName)} is not a StorageClass name.`, "use e.g. 'fast-ssd'.");
  const accessMode = st.accessMode ?? 'ReadWriteOnce';
  if (accessMode !== 'ReadWriteOnce' && accessMode !== 'ReadWriteOncePod') refuser.refuse('spec/database-storage', 'storage.accessMode', `${quote(accessMode)} is not ReadWriteOnce or ReadWriteOncePod: a database must not share its volume.`, "use 'ReadWriteOnce'.");

  if (spec.clients !== undefined && !Array.isArray(spec.clients)) refuser.refuse('network-policy-required', 'clients', 'clients must be a list of peers.', "give e.g. clients: [Peer.workload('api')].");
  const clients = (spec.clients ?? []).map((c, i) => checkPeer(c, `clients[${i}]`, refuser));
  const grace = spec.terminationGracePeriodSeconds ?? 120;
  if (!Number.isInteger(grace) || grace < 10 || grace > 3600) refuser.refuse('spec/grace-period', 'terminationGracePeriodSeconds', `${quote(grace)} is not 10–3600 seconds.`, 'use e.g. 120 so the database can shut down cleanly.');
  if (spec.priorityClassName !== undefined) checkDns1123Label(spec.priorityClassName, 'priorityClassName', refuser);

  const org = resolveMetadata(spec, refuser);
  const labels = Object.assign({}, org.labels, recommendedLabels({ name, appName: engineName, version: container.image.version, component: spec.component, partOf: spec.partOf, defaultComponent: 'database' }, refuser));

  let backup: ResolvedBackup | undefined;
  if (spec.backup !== undefined) {
    backup = resolveBackup(spec.backup, {
      preset,
      engineCtx,
      name,
      labels,
      refuser,
      relaxations,
      user,
      group,
      image: container.image.normalized,
      secretFiles: containerSpec.secretFiles,
      unpinned: relaxations.some((r) => r.name === 'unpinnedImage'),
    });
  }
  if (spec.snapshot !== undefined) checkDns1123Label(spec.snapshot?.volumeSnapshotClassName, 'snapshot.volumeSnapshotClassName', refuser);

  return {
    name,
    namespace,
    engine: engineName,
    labels,
    annotations: org.annotations,
    selector: { 'app.kubernetes.io/instance': name },
    replicas,
    replicated: replicas > 1,
    container,
    port: preset.port,
    dataPath: preset.dataPath,
    storage: { size: st.size, storageClassName: st.storageClassName, accessMode },
    cache,
    pod: {
      runAsUser: container.security.runAsUser,
      runAsGroup: container.security.runAsGroup,
      fsGroup: group,
      runAsNonRoot: container.security.runAsNonRoot,
      priorityClassName: spec.priorityClassName,
      terminationGracePeriodSeconds: grace,
    },
    clients,
    backup,
    snapshot: spec.snapshot,
    relaxations,
    host,
    primaryHost,
    headlessServiceName,
  };
}

function resolveBackup(b: BackupSpec, c: {
  preset: EnginePreset;
  engineCtx: EngineContext;
  name: string;
  labels: Record<string, string>;
  refuser: Refuser;
  relaxations: ResolvedRelaxation[];
  user: number;
  group: number;
  image: string;
  secretFiles: ContainerSpec['secretFiles'];
  unpinned: boolean;
}): ResolvedBackup {
  const { refuser, preset, engineCtx } = c;
  if (!b || typeof b !== 'object') return refuser.refuse('spec/backup', 'backup', 'backup must be an object.', "give backup: { schedule: '0 3 * * *', storage: { size: '50Gi' }, resources: 'small' }.");
  const script = preset.backupScript(engineCtx);
  if (!script) refuser.refuse('spec/backup', 'backup', `no backup procedure is known for ${preset.engine}.`, 'give engine.backupScript (a shell script writing "$OUT.partial").');
  const cronProblem = cronScheduleProblem(b.schedule);
  if (cronProblem) refuser.refuse('spec/backup', 'backup.schedule', `${cronProblem}: the API server rejects the CronJob.`, "use five standard fields (minute 0-59, hour 0-23, day 1-31, month 1-12, weekday 0-7), e.g. '0 3 * * *', or '@daily'; put the time zone in backup.timeZone.");
  if (c.name.length + '-backup'.length > 52) refuser.refuse('spec/dns-1123-name', 'name', `the backup CronJob would be named ${quote(`${c.name}-backup`)} (${c.name.length + 7} characters); CronJob names are at most 52 characters.`, `use a database name of at most ${52 - 7} characters when backups are on.`);
  if (b.timeZone !== undefined && (typeof b.timeZone !== 'string' || b.timeZone.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(b.timeZone))) refuser.refuse('spec/backup', 'backup.timeZone', `${quote(b.timeZone)} is not a time zone.`, "use e.g. 'Etc/UTC'.");
  const retain = b.retain ?? 7;
  if (!Number.isInteger(retain) || retain < 1 || retain > 1000) refuser.refuse('spec/backup', 'backup.retain', `${quote(retain)} is not a number of dumps to keep (1–1000).`, 'use e.g. 7.');
  if (!b.storage && !b.objectStore) refuser.refuse('spec/backup', 'backup.storage', 'a backup needs somewhere to go: a claim, an object store, or both.', "give storage: { size: '50Gi' } or objectStore: { image, command, peer, port }.");
  if (b.storage !== undefined && (typeof b.storage !== 'object' || b.storage === null || Array.isArray(b.storage))) {
    refuser.refuse('spec/backup', 'backup.storage', `${quote(b.storage)} is not a storage: it must be { size } or { existingClaim }.`, "give storage: { size: '50Gi' } or { existingClaim: 'backups' }.");
  }
  let claim: ResolvedBackup['claim'];
  if (b.storage && 'existingClaim' in b.storage) {
    claim = { create: false, name: checkDns1123Label(b.storage.existingClaim, 'backup.storage.existingClaim', refuser) };
  } else if (b.storage) {
    checkQuantity(b.storage.size, 'memory', 'backup.storage.size', refuser);
    claim = { create: true, name: `${c.name}-backups`, size: b.storage.size, storageClassName: b.storage.storageClassName };
  }
  const bname = `${c.name}-backup`;
  const ext = preset.dumpExtension;
  const prune = `i=0; for f in $(ls -1t ${BACKUP_DIR}/${c.name}-*.${ext}); do i=$((i+1)); if [ "$i" -gt ${retain} ]; then rm -f -- "$f"; fi; done`;
  const dumpScript = [
    'set -eu',
    `OUT="${BACKUP_DIR}/${c.name}-$(date -u +%Y%m%dT%H%M%SZ).${ext}"`,
    script,
    'mv "$OUT.partial" "$OUT"',
    `echo "$OUT" > ${BACKUP_DIR}/.latest`,
    prune,
    'echo "backup written: $OUT"',
  ].join('\n');
  const jobRelaxations = c.unpinned ? c.relaxations.filter((r) => r.name === 'unpinnedImage') : [];
  const jobContainer = (name: string, command: string[], extra: Partial<ContainerSpec> = {}) => resolveContainer({
    name,
    image: c.image,
    command,
    env: preset.jobEnv(engineCtx),
    resources: b.resources,
    secretFiles: c.secretFiles,
    ...extra,
  }, { refuser, field: 'backup', relaxations: jobRelaxations, user: c.user, group: c.group, probesOptional: true }, name);
  const dump = jobContainer('dump', ['sh', '-c', dumpScript]);
  let upload: ResolvedBackup['upload'];
  if (b.objectStore) {
    const o = b.objectStore;
    if (!Array.isArray(o.command) || o.command.length === 0 || !o.command.every((x) => typeof x === 'string')) refuser.refuse('spec/backup', 'backup.objectStore.command', 'the upload step needs a command.', "give e.g. ['sh', '-c', 'rclone copy \"$(cat $BACKUP_DIR/.latest)\" remote:backups'].");
    if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) refuser.refuse('spec/port-range', 'backup.objectStore.port', `${quote(o.port)} is not a port.`, 'use e.g. 443.');
    const peer = checkPeer(o.peer, 'backup.objectStore.peer', refuser);
    const container = resolveContainer({
      name: 'upload', image: o.image, command: o.command, env: { BACKUP_DIR, ...(o.env ?? {}) }, resources: b.resources,
    }, { refuser, field: 'backup.objectStore', relaxations: [], user: c.user, group: c.group, probesOptional: true }, 'upload');
    upload = { container, peer, port: o.port };
  }
  let restore: ResolvedContainer | undefined;
  if (preset.restoreScript && claim) {
    const restoreScript = [
      'set -eu',
      `IN="\${RESTORE_FILE:-$(ls -1t ${BACKUP_DIR}/${c.name}-*.${ext} | head -n 1)}"`,
      'echo "restoring $IN"',
      preset.restoreScript(engineCtx),
      'echo "restore finished"',
    ].join('\n');
    restore = jobContainer('restore', ['sh', '-c', restoreScript]);
  }
  return {
    schedule: b.schedule.trim(),
    timeZone: b.timeZone,
    retain,
    claim,
    dump,
    upload,
    restore,
    startingDeadlineSeconds: 300,
    activeDeadlineSeconds: 3600,
    backoffLimit: 2,
    labels: { ...c.labels, 'app.kubernetes.io/instance': bname, 'app.kubernetes.io/component': 'backup' },
    selector: { 'app.kubernetes.io/instance': bname },
    name: bname,
  };
}
