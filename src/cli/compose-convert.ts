import { composeContainers, parseComposeBytes } from '../policy/compose';
import { RUNTIME_SOCKET, sensitive } from '../policy/rules/host';
import { parseImageReference } from '../spec/image';
import { BASELINE_CAPABILITIES } from '../spec/relaxations';
import { looksLikeSecretName, secretValueKind } from '../spec/secrets';

/**
 * `hardened init --from-compose`: turn a Compose file into a typed, hardened app (spec.ts shared by
 * main.ts for Kubernetes and docker.ts for Pulumi Docker) and a MIGRATION.md that lists, per
 * service, every change made for hardening and every TODO, each with its rule id.
 */

export interface MigrationItem {
  readonly ruleId?: string;
  readonly text: string;
}

export interface ServiceReport {
  readonly service: string;
  readonly kind: 'service' | 'database' | 'refused';
  readonly changes: MigrationItem[];
  readonly todos: MigrationItem[];
  readonly refused?: MigrationItem;
}

export interface ConversionResult {
  readonly files: Record<string, string>;
  readonly reports: ServiceReport[];
  /** Secrets the user must create (names and keys; never values). */
  readonly secrets: { name: string; keys: string[]; from: string }[];
}

type Any = Record<string, any>;

const DB_ENGINES: Record<string, 'postgres' | 'mysql' | 'mariadb' | 'redis' | 'mongo'> = {
  postgres: 'postgres', mysql: 'mysql', mariadb: 'mariadb', redis: 'redis', mongo: 'mongo',
};
const ENGINE_PORT = { postgres: 5432, mysql: 3306, mariadb: 3306, redis: 6379, mongo: 27017 } as const;
const PRESET_EPHEMERAL = { request: '128Mi', limit: '512Mi' };

function isRecord(x: unknown): x is Any {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A DNS-1123 label from a Compose name. */
export function k8sName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'app';
}

function kebabKey(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '') || 'value';
}

/** Compose durations ("1m30s", "500ms", "10s") in whole seconds. */
function seconds(d: unknown, fallback: number): number {
  if (typeof d === 'number') return Math.max(1, Math.round(d / 1e9));
  if (typeof d !== 'string') return fallback;
  let total = 0;
  let matched = false;
  for (const m of d.matchAll(/([0-9.]+)(ms|us|ns|h|m|s)/g)) {
    matched = true;
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : 0;
  }
  return matched ? Math.max(1, Math.round(total)) : fallback;
}

function healthcheckCommand(h: unknown): string[] | undefined {
  if (!isRecord(h) || h.disable === true) return undefined;
  const t = h.test;
  if (typeof t === 'string') return t.trim() ? ['sh', '-c', t] : undefined;
  if (!Array.isArray(t) || t.length === 0) return undefined;
  const [kind, ...rest] = t.map(String);
  if (kind === 'NONE') return undefined;
  if (kind === 'CMD-SHELL') return ['sh', '-c', rest.join(' ')];
  if (kind === 'CMD') return rest.length ? rest : undefined;
  return t.map(String);
}

function envEntries(x: unknown): [string, string | undefined][] {
  if (Array.isArray(x)) {
    return x.filter((e) => typeof e === 'string').map((e: string) => {
      const i = e.indexOf('=');
      return i > 0 ? [e.slice(0, i), e.slice(i + 1)] : [e, undefined];
    });
  }
  if (isRecord(x)) return Object.entries(x).map(([k, v]) => [k, v === null || v === undefined ? undefined : String(v)]);
  return [];
}

/** `${VAR:-default}` → the default; other interpolation → undefined (needs a value). */
function resolveInterpolation(v: string): { value?: string; interpolated: boolean } {
  if (!v.includes('$')) return { value: v, interpolated: false };
  const m = /^\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}$/.exec(v.trim());
  if (m) return { value: m[1], interpolated: true };
  return { value: undefined, interpolated: true };
}

function dependsOn(svc: Any): string[] {
  if (Array.isArray(svc.depends_on)) return svc.depends_on.map(String);
  if (isRecord(svc.depends_on)) return Object.keys(svc.depends_on);
  return [];
}

function networksOf(svc: Any): string[] {
  if (Array.isArray(svc.networks)) return svc.networks.map(String);
  if (isRecord(svc.networks)) return Object.keys(svc.networks);
  return [];
}

function cpuQuantity(x: unknown): string | undefined {
  const n = typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' ? Number(x) : NaN;
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return `${Math.max(1, Math.round(n * 1000))}m`;
}

function memQuantity(x: unknown): string | undefined {
  const b = parseComposeBytes(x);
  if (b === undefined || b <= 0) return undefined;
  return `${Math.max(1, Math.ceil(b / 2 ** 20))}Mi`;
}

/** The sizes Compose gives tmpfs mounts (`/run:size=10m`, or `tmpfs: { size }` in long syntax), by target. */
function composeTmpfsSizes(svc: Any): Map<string, string> {
  const sizes = new Map<string, string>();
  for (const t of typeof svc.tmpfs === 'string' ? [svc.tmpfs] : Array.isArray(svc.tmpfs) ? svc.tmpfs : []) {
    if (typeof t !== 'string') continue;
    const [target, opts = ''] = t.split(/:(.*)/s);
    const size = memQuantity(/(?:^|,)size=([^,]+)/.exec(opts)?.[1]);
    if (size) sizes.set(target, size);
  }
  for (const v of Array.isArray(svc.volumes) ? svc.volumes : []) {
    if (!isRecord(v) || v.type !== 'tmpfs' || typeof v.target !== 'string') continue;
    const size = memQuantity(v.tmpfs?.size);
    if (size) sizes.set(v.target, size);
  }
  return sizes;
}

/** TypeScript source kept verbatim by `tsLiteral` (e.g. `Peer.workload('api')`). */
class Raw {
  constructor(public readonly code: string) {}
}

function tsString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** A readable TypeScript literal: identifier keys unquoted, single quotes, short values on one line. */
function tsLiteral(x: unknown, indent = 0): string {
  const pad = ' '.repeat(indent);
  if (x instanceof Raw) return x.code;
  if (typeof x === 'string') return tsString(x);
  if (Array.isArray(x)) {
    const items = x.map((v) => tsLiteral(v, indent + 2));
    const one = `[${items.join(', ')}]`;
    return one.length <= 100 && !one.includes('\n') ? one : `[\n${items.map((i) => `${pad}  ${i},`).join('\n')}\n${pad}]`;
  }
  if (x && typeof x === 'object') {
    const entries = Object.entries(x).filter(([, v]) => v !== undefined);
    const key = (k: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : tsString(k));
    const items = entries.map(([k, v]) => `${key(k)}: ${tsLiteral(v, indent + 2)}`);
    const one = `{ ${items.join(', ')} }`;
    if (!items.length) return '{}';
    return one.length <= 100 && !one.includes('\n') ? one : `{\n${items.map((i) => `${pad}  ${i},`).join('\n')}\n${pad}}`;
  }
  return JSON.stringify(x);
}

interface Converted {
  readonly name: string;
  readonly composeName: string;
  readonly kind: 'service' | 'database';
  readonly engine?: keyof typeof ENGINE_PORT;
  /** TypeScript source of the spec object (may reference Peer). */
  readonly specSource: string;
  readonly ports: number[];
  readonly published: { port: number; hostPort?: number; name: string }[];
  readonly healthcheck?: string[];
  readonly secrets: string[];
  readonly logging?: Any;
  readonly replicas: number;
}

/** Convert a Compose document. Schema errors are the caller's business (see composeSchemaErrors). */
export function convertCompose(doc: Any, options: { project: string; source: string; version: string }): ConversionResult {
  const ns = k8sName(options.project);
  const servicesIn: Any = isRecord(doc.services) ? doc.services : {};
  const names = Object.keys(servicesIn).sort();
  const nameOf = new Map(names.map((n) => [n, k8sName(n)]));
  const reports: ServiceReport[] = [];
  const secrets: ConversionResult['secrets'] = [];
  const models = new Map(composeContainers({ services: servicesIn }, options.source).map((m) => [m.name, m]));
  const engineOf = (svc: Any): keyof typeof ENGINE_PORT | undefined => {
    if (typeof svc.image !== 'string') return undefined;
    const ref = parseImageReference(svc.image.trim());
    if (!ref || ref.registry !== 'docker.io') return undefined;
    const repo = ref.repository.replace(/^library\//, '');
    return DB_ENGINES[repo];
  };

  // Refusals first: a service that cannot be made safe is reported, the rest still converts.
  const refused = new Map<string, MigrationItem>();
  for (const n of names) {
    const svc = servicesIn[n];
    if (!isRecord(svc)) {
      refused.set(n, { text: 'the service definition is not a mapping' });
      continue;
    }
    const m = models.get(n)!;
    const why = ((): MigrationItem | undefined => {
      if (m.networkMode === 'host') return { ruleId: 'no-host-network', text: 'network_mode: host shares the host\'s network stack: the service would see and bind every host interface. Run it on the cluster network, or outside Kubernetes (a node agent).' };
      if (m.pidMode === 'host') return { ruleId: 'no-host-pid', text: 'pid: host lets the service see and signal every process on the node.' };
      if (m.ipcMode === 'host') return { ruleId: 'no-host-ipc', text: 'ipc: host shares the host\'s IPC namespace.' };
      if (m.usernsMode === 'host') return { ruleId: 'no-host-userns', text: 'userns_mode: host disables user-namespace remapping.' };
      if (m.privileged) return { ruleId: 'no-privileged', text: 'privileged: true gives the container every capability and host device; nothing hardened can be derived from it.' };
      const bad = (m.capAdd ?? []).map((c) => c.toUpperCase().replace(/^CAP_/, '')).filter((c) => !BASELINE_CAPABILITIES.has(c));
      if (bad.length) return { ruleId: 'restrict-added-capabilities', text: `cap_add ${bad.join(', ')} is outside the Pod Security baseline set: it gives the container control over the host or its network.` };
      if ((m.devices ?? []).length) return { ruleId: 'no-host-devices', text: `devices (${m.devices!.join(', ')}) pass host hardware into the container.` };
      const sock = (m.mounts ?? []).find((x) => x.type === 'bind' && RUNTIME_SOCKET.test(x.source ?? ''));
      if (sock) return { ruleId: 'no-docker-socket', text: `it mounts the container runtime socket ${sock.source}: whoever talks to it is root on the host.` };
      const sens = (m.mounts ?? []).find((x) => x.type === 'bind' && x.source && x.source.startsWith('/') && sensitive(x.source));
      if (sens) return { ruleId: 'no-host-path', text: `it mounts the sensitive host path ${sens.source}.` };
      return undefined;
    })();
    if (why) refused.set(n, why);
  }
  const ok = names.filter((n) => !refused.has(n));

  // Who depends on whom (depends_on, and services sharing an explicitly declared network).
  const dependents = new Map<string, Set<string>>(ok.map((n) => [n, new Set()]));
  for (const n of ok) {
    for (const d of dependsOn(servicesIn[n])) if (dependents.has(d) && d !== n) dependents.get(d)!.add(n);
  }
  const sharedNetworkPeers = (n: string) => ok.filter((o) => o !== n && networksOf(servicesIn[o]).some((x) => networksOf(servicesIn[n]).includes(x)));

  const converted: Converted[] = [];
  for (const n of ok) {
    const svc: Any = servicesIn[n];
    const m = models.get(n)!;
    const name = nameOf.get(n)!;
    const changes: MigrationItem[] = [];
    const todos: MigrationItem[] = [];
    if (name !== n) changes.push({ text: `renamed to '${name}' (Kubernetes names are DNS-1123 labels)` });
    const engine = engineOf(svc);
    const clients = [...new Set([...dependents.get(n)!, ...sharedNetworkPeers(n)])].sort().map((c) => nameOf.get(c)!);

    // Resources.
    const lim = isRecord(svc.deploy?.resources?.limits) ? svc.deploy.resources.limits : {};
    const res = isRecord(svc.deploy?.resources?.reservations) ? svc.deploy.resources.reservations : {};
    const cpuL = cpuQuantity(lim.cpus ?? svc.cpus);
    const memL = memQuantity(lim.memory ?? svc.mem_limit);
    let resources: unknown;
    if (cpuL && memL) {
      const cpuR = cpuQuantity(res.cpus) ?? cpuL;
      const memR = memQuantity(res.memory ?? svc.mem_reservation) ?? memL;
      resources = {
        requests: { cpu: cpuR, memory: memR, ephemeralStorage: PRESET_EPHEMERAL.request },
        limits: { cpu: cpuL, memory: memL, ephemeralStorage: PRESET_EPHEMERAL.limit },
      };
      changes.push({ ruleId: 'ephemeral-storage-limits', text: `resources from deploy.resources (CPU ${cpuL}, memory ${memL}); ephemeral-storage ${PRESET_EPHEMERAL.request}/${PRESET_EPHEMERAL.limit} added` });
    } else {
      resources = engine ? 'medium' : 'small';
      todos.push({ ruleId: 'cpu-limits', text: `no CPU and memory limits in the Compose file: the '${resources}' size preset is a placeholder; measure and set requests/limits` });
    }

    // User, root filesystem, capabilities.
    const uid = /^([0-9]+)(?::([0-9]+))?$/.exec(String(svc.user ?? ''));
    const relaxations: Any = {};
    const spec: Any = {};
    if (uid && Number(uid[1]) >= 10000) {
      spec.user = Number(uid[1]);
      if (uid[2] && Number(uid[2]) >= 10000) spec.group = Number(uid[2]);
    } else {
      changes.push({ ruleId: 'run-as-non-root', text: `runs as UID/GID 10001${svc.user !== undefined ? ` instead of '${svc.user}'` : ' (Compose ran the image\'s default user, often root)'}; if the image insists on root, fix the image` });
    }
    if (svc.read_only !== true) changes.push({ ruleId: 'read-only-root-fs', text: 'the root filesystem is read-only, with a 64Mi writable /tmp' });
    const tmpfsSize = composeTmpfsSizes(svc);
    const tmpfs = (m.mounts ?? []).filter((x) => x.type === 'tmpfs' && x.target !== '/tmp').map((x) => ({ path: x.target, sizeLimit: tmpfsSize.get(x.target) ?? '64Mi' }));
    const caps = (m.capAdd ?? []).map((c) => c.toUpperCase().replace(/^CAP_/, '')).filter((c) => c !== 'NET_BIND_SERVICE');
    if (caps.length) {
      // Pod Security "restricted" (the namespace's level) admits no added capability but NET_BIND_SERVICE.
      todos.push({ ruleId: 'restrict-added-capabilities', text: `cap_add ${caps.join(', ')} was dropped: Pod Security "restricted" forbids it. If the service really needs it, add relaxations.addCapabilities and run it in a namespace at the "baseline" level` });
    }
    changes.push({ ruleId: 'drop-all-capabilities', text: 'drops ALL capabilities, no privilege escalation, seccomp RuntimeDefault' });

    // Image.
    let image: string;
    const rawImage = typeof svc.image === 'string' ? svc.image.trim() : undefined;
    const ref = rawImage ? parseImageReference(rawImage) : undefined;
    if (!rawImage && svc.build !== undefined) {
      image = `registry.example.com/${ns}/${name}:0.1.0`;
      const ctx = typeof svc.build === 'string' ? svc.build : svc.build?.context ?? '.';
      todos.push({ ruleId: 'image-tag-pinned', text: `built from source (${ctx}) in Compose: build and push the image, then replace the placeholder ${image}` });
    } else if (!ref) {
      image = `registry.example.com/${ns}/${name}:0.1.0`;
      todos.push({ ruleId: 'image-tag-pinned', text: `'${rawImage ?? ''}' is not a pinned image reference (variables are not resolved): replace the placeholder ${image}` });
    } else if (engine && (!ref.tag || /latest|alpine/i.test(ref.tag)) && !ref.digest) {
      image = '';
      changes.push({ ruleId: 'image-tag-pinned', text: `the ${engine} image comes from the library's pinned preset${ref.tag ? ` (Compose used '${rawImage}')` : ''}` });
    } else if ((!ref.tag || ref.tag.toLowerCase() === 'latest') && !ref.digest) {
      image = rawImage!;
      relaxations.unpinnedImage = `TODO: pin ${rawImage} to a version tag or a digest`;
      todos.push({ ruleId: 'image-tag-pinned', text: `'${rawImage}' is not pinned; it is kept through a relaxation until you pin a version or digest` });
    } else {
      image = rawImage!;
    }

    // Ports: TCP and UDP, each (port, protocol) once; a TCP port is named port-N, a UDP one udp-N.
    const portList = servicePorts(m.ports ?? [], todos);
    for (const raw of Array.isArray(svc.ports) ? svc.ports : []) {
      if (typeof raw === 'string' && /\d-\d/.test(raw.split('/')[0])) todos.push({ text: `port range '${raw}': only its first port was converted; declare the others in spec.ts` });
    }
    const targets = [...new Set(portList.map((p) => p.port))];
    const ports = portList.map((p) => (p.protocol === 'UDP' ? { name: p.name, port: p.port, protocol: 'UDP' } : { name: p.name, port: p.port }));
    const published = (m.ports ?? []).filter((p) => p.external !== undefined).flatMap((p) => {
      const declared = portList.find((x) => x.port === p.internal && x.protocol === protocolOf(p));
      return declared ? [{ port: p.internal, hostPort: p.external, name: declared.name }] : [];
    });
    const tcpPorts = ports.filter((p) => p.protocol === undefined);
    if (targets.some((p) => p < 1024)) {
      relaxations.privilegedPorts = `TODO: the image listens on ${targets.filter((p) => p < 1024).join(', ')}; configure a port of 1024 or more`;
      todos.push({ ruleId: 'unprivileged-container-ports', text: `listens on ${targets.filter((p) => p < 1024).join(', ')} (below 1024): a non-root process cannot bind it; configure the image to listen on a high port` });
    }

    // Probes from the Compose healthcheck.
    const hc = healthcheckCommand(svc.healthcheck);
    const interval = seconds(svc.healthcheck?.interval, 10);
    const timeout = seconds(svc.healthcheck?.timeout, 3);
    const retries = Number.isInteger(svc.healthcheck?.retries) && svc.healthcheck.retries > 0 ? svc.healthcheck.retries : 3;
    const startPeriod = seconds(svc.healthcheck?.start_period, 0);
    // Compose's start_period (failures do not count yet) is what a startup probe does for liveness.
    const startup = hc && startPeriod > 0
      ? { exec: { command: hc }, periodSeconds: interval, timeoutSeconds: timeout, failureThreshold: Math.ceil(startPeriod / interval) + retries }
      : undefined;

    // Environment and secrets.
    const env: Any = {};
    const secretKeys: string[] = [];
    const secretName = `${name}-secrets`;
    let timezone: string | undefined;
    // A database's credentials come from its own Secret; its other variables are engine settings.
    for (const [k, v] of engine ? [] : envEntries(svc.environment)) {
      if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(k)) {
        todos.push({ text: `environment variable '${k}' has an invalid name and was dropped` });
        continue;
      }
      if (k === 'TZ') {
        timezone = v && /^[A-Za-z0-9_+\-/]+$/.test(v) ? v : undefined;
        continue;
      }
      if (looksLikeSecretName(k) || (v !== undefined && secretValueKind(v))) {
        const key = kebabKey(k);
        secretKeys.push(key);
        env[k] = { secret: { name: secretName, key } };
        continue;
      }
      if (v === undefined) {
        todos.push({ text: `${k} takes its value from the shell environment in Compose: set it in spec.ts` });
        env[k] = '';
        continue;
      }
      const r = resolveInterpolation(v);
      if (r.interpolated) todos.push({ text: `${k} used variable interpolation (${v}); ${r.value !== undefined ? `its default '${r.value}' is used` : 'set its value'} in spec.ts` });
      env[k] = r.value ?? '';
    }
    if (secretKeys.length) {
      secrets.push({ name: secretName, keys: secretKeys, from: n });
      changes.push({ ruleId: 'no-literal-secrets-in-env', text: `${secretKeys.length} secret-looking variable(s) now reference the Secret '${secretName}' (keys ${secretKeys.join(', ')}); their values were not copied` });
    }
    if (svc.env_file !== undefined) todos.push({ ruleId: 'no-literal-secrets-in-env', text: 'env_file is not converted: move plain settings into spec.ts and secrets into a Secret' });
    if (svc.configs !== undefined) todos.push({ text: 'configs are not converted: put the files in a ConfigMap and mount it' });
    if (svc.extends !== undefined) todos.push({ text: 'extends is not followed: merge the extended service by hand' });
    const fileSecrets = Array.isArray(svc.secrets) ? svc.secrets.map((x: unknown) => (isRecord(x) ? String(x.source) : String(x))) : [];
    const secretFiles = fileSecrets.length ? [{ secretName: `${name}-files`, mountPath: '/run/secrets', keys: fileSecrets }] : undefined;
    if (fileSecrets.length) {
      secrets.push({ name: `${name}-files`, keys: fileSecrets, from: n });
      changes.push({ text: `Compose secrets (${fileSecrets.join(', ')}) are keys of the Secret '${name}-files', mounted read-only at /run/secrets as before` });
    }

    // Volumes.
    const claims: Any[] = [];
    for (const v of m.mounts ?? []) {
      if (v.type === 'bind') {
        const src = v.source ?? '';
        const suggestion = /secret|key|cert|pem|password|token/i.test(src) ? 'a Secret (mounted read-only)' : /\.[a-z0-9]{2,5}$/i.test(src) ? 'a ConfigMap (for a configuration file)' : 'a claim (for data) or an image layer (for code)';
        todos.push({ ruleId: 'no-host-path', text: `the host bind mount ${src} → ${v.target} was dropped: host paths tie the pod to one node and are not allowed under Pod Security "restricted"; use ${suggestion}` });
      } else if (v.type === 'volume' && !engine) {
        const cname = k8sName(v.source ?? `data-${claims.length}`);
        claims.push({ name: cname.slice(0, 40), mountPath: v.target, size: '1Gi', readOnly: v.readOnly || undefined });
        todos.push({ text: `named volume ${v.source ?? '(anonymous)'} became the claim '${name}-${cname.slice(0, 40)}' of 1Gi: set its size and storageClassName` });
      }
    }

    // Replicas.
    const composeReplicas = Number.isInteger(svc.deploy?.replicas) ? svc.deploy.replicas : 1;
    let replicas = Math.max(2, composeReplicas);
    if (claims.length) {
      replicas = 1;
      relaxations.singleReplica = 'TODO: the service writes to a ReadWriteOnce claim; move the state out (or use ReadWriteMany storage) to replicate';
      todos.push({ ruleId: 'min-replicas', text: 'runs one replica because it writes to a claim' });
    } else if (composeReplicas < 2 && !engine) {
      changes.push({ ruleId: 'min-replicas', text: `runs ${replicas} replicas (Compose ran ${composeReplicas})` });
    }

    if (svc.restart !== undefined || svc.deploy?.restart_policy !== undefined) changes.push({ ruleId: 'restart-policy', text: 'the restart policy is Kubernetes\' (failed containers restart with back-off)' });
    const logDriver = isRecord(svc.logging) ? svc.logging.driver : undefined;
    if (logDriver && !['json-file', 'local'].includes(logDriver)) {
      todos.push({ ruleId: 'centralized-logging', text: `Compose shipped logs with the ${logDriver} driver: on Kubernetes the node's log agent collects stdout; if the app writes log files, add a LoggingSidecar` });
    } else {
      changes.push({ ruleId: 'log-rotation', text: 'stdout/stderr are rotated by the kubelet (docker.ts: json-file, 10m × 3)' });
    }

    if (engine) {
      // ---- a database
      const port = ENGINE_PORT[engine];
      const envMap = Object.fromEntries(envEntries(svc.environment));
      const ident = (x: string | undefined, fallback: string) => {
        const r = x !== undefined ? resolveInterpolation(x).value : undefined;
        return r && /^[a-z_][a-z0-9_]{0,62}$/.test(r) ? r : fallback;
      };
      const user = ident(envMap.POSTGRES_USER ?? envMap.MYSQL_USER ?? envMap.MARIADB_USER ?? envMap.MONGO_INITDB_ROOT_USERNAME, engine === 'postgres' ? 'postgres' : 'app');
      const dbName = ident(envMap.POSTGRES_DB ?? envMap.MYSQL_DATABASE ?? envMap.MARIADB_DATABASE, user);
      const credKeys = engine === 'mysql' || engine === 'mariadb' ? ['password', 'root-password'] : ['password'];
      secrets.push({ name: `${name}-credentials`, keys: credKeys, from: n });
      changes.push({ ruleId: 'no-literal-secrets-in-env', text: `credentials come from the Secret '${name}-credentials' (keys ${credKeys.join(', ')}), mounted as files; no password is in the manifests` });
      changes.push({ text: `a StatefulSet with a 10Gi claim per replica, kept when the StatefulSet is deleted or scaled down; nightly backups (${name}-backups claim, 7 kept)` });
      todos.push({ text: 'set storage.size and storageClassName; the 10Gi claim is a placeholder (copy the data from the Compose volume)' });
      const keepRelax = Object.fromEntries(Object.entries(relaxations).filter(([k]) => ['unpinnedImage', 'addCapabilities'].includes(k)));
      if (!clients.length) todos.push({ ruleId: 'network-policy-required', text: 'no service depends on this database in the Compose file: declare its clients' });
      if (engine === 'mongo') todos.push({ text: 'MongoDB is a custom engine here (no preset): review its probes, and plan backups (mongodump) yourself' });
      const specSource = tsLiteral({
        name,
        engine: engine === 'mongo' ? {
          name: 'mongodb',
          image: image || 'docker.io/library/mongo:7.0.14',
          port: { name: 'mongo', port: 27017 },
          dataPath: '/data/db',
          env: { MONGO_INITDB_ROOT_USERNAME: user, MONGO_INITDB_ROOT_PASSWORD: { secret: { name: `${name}-credentials`, key: 'password' } } },
          probes: {
            readiness: { exec: { command: ['mongosh', '--quiet', '--eval', 'db.adminCommand({ ping: 1 })'] } },
            liveness: { tcp: { port: 'mongo' } },
          },
        } : engine,
        image: image && engine !== 'mongo' ? image : undefined,
        resources,
        storage: { size: '10Gi' },
        credentials: { secretName: `${name}-credentials` },
        username: engine === 'redis' || engine === 'mongo' ? undefined : user,
        database: engine === 'redis' || engine === 'mongo' ? undefined : dbName,
        clients: clients.length ? clients.map((c) => new Raw(`Peer.workload(${tsString(c)})`)) : undefined,
        priorityClassName: `${ns}-default`,
        backup: engine === 'mongo' ? undefined : { schedule: '0 3 * * *', retain: 7, storage: { size: '20Gi' }, resources: 'small' },
        relaxations: Object.keys(keepRelax).length ? keepRelax : undefined,
      }, 2);
      converted.push({ name, composeName: n, kind: 'database', engine, specSource, ports: [port], published: [], healthcheck: hc, secrets: [`${name}-credentials`], replicas: 1, logging: svc.logging });
      reports.push({ service: n, kind: 'database', changes, todos });
      continue;
    }

    // ---- a stateless service
    let probes: Any | undefined;
    if (tcpPorts.length) {
      const first = tcpPorts[0].name;
      if (hc) {
        probes = {
          readiness: { tcp: { port: first } },
          liveness: { exec: { command: hc }, periodSeconds: interval, timeoutSeconds: timeout, failureThreshold: retries },
          startup,
        };
        if (startup) changes.push({ ruleId: 'liveness-probe', text: `start_period ${startPeriod}s: a startup probe (the healthcheck, up to ${startup.failureThreshold} × ${interval}s) holds liveness back while the service starts` });
        changes.push({ ruleId: 'readiness-probe', text: `readiness: TCP on ${tcpPorts[0].port}; liveness: the Compose healthcheck` });
      } else {
        probes = { readiness: { tcp: { port: first } } };
        relaxations.noLivenessProbe = 'TODO: no healthcheck in Compose; add a liveness endpoint distinct from readiness';
        todos.push({ ruleId: 'liveness-probe', text: `no healthcheck in Compose: readiness is a TCP check on ${tcpPorts[0].port}; add an HTTP readiness endpoint and a distinct liveness check` });
      }
    } else if (hc) {
      probes = { readiness: { exec: { command: hc }, periodSeconds: interval, timeoutSeconds: timeout, failureThreshold: retries } };
      relaxations.noLivenessProbe = 'TODO: the Compose healthcheck serves as readiness; add a distinct liveness check';
      todos.push({ ruleId: 'liveness-probe', text: 'the Compose healthcheck became the readiness probe; add a distinct liveness check' });
    } else {
      relaxations.noProbes = 'TODO: no TCP port and no healthcheck in Compose; add health checks';
      todos.push({ ruleId: 'readiness-probe', text: 'no TCP port and no healthcheck: runs without probes through a relaxation; add health checks' });
    }

    // Who may connect, and where it connects.
    const ingress: Raw[] = [];
    if (ports.length) {
      for (const c of clients) ingress.push(new Raw(`{ from: Peer.workload(${tsString(c)}) }`));
      if (published.length) {
        ingress.push(new Raw('{ from: Peer.ingressController() }'));
        todos.push({ ruleId: 'ingress-tls', text: `Compose published port(s) ${published.map((p) => `${p.hostPort}→${p.port}`).join(', ')}: the service admits the ingress controller; add an Ingress with TLS` });
      }
      if (!ingress.length) {
        ingress.push(new Raw(`{ from: Peer.namespace(${tsString(ns)}) }`));
        todos.push({ ruleId: 'network-policy-required', text: 'nothing in the Compose file depends on this service: it admits its whole namespace; narrow it to the real clients' });
      }
    } else if (clients.length) {
      todos.push({ text: `${clients.join(', ')} depend(s) on it, but it declares no port` });
    }
    const egress: Raw[] = [];
    for (const d of dependsOn(svc)) {
      if (!ok.includes(d)) continue;
      const serverEngine = engineOf(servicesIn[d]);
      const serverPorts = serverEngine ? [{ port: ENGINE_PORT[serverEngine], protocol: 'TCP' }] : servicePorts(models.get(d)?.ports ?? [], []);
      if (serverPorts.length) egress.push(new Raw(`{ to: Peer.workload(${tsString(nameOf.get(d)!)}), ports: [${serverPorts.map((p) => (p.protocol === 'UDP' ? `{ port: ${p.port}, protocol: 'UDP' }` : `{ port: ${p.port} }`)).join(', ')}] }`));
    }
    if (egress.length) changes.push({ ruleId: 'network-policy-required', text: `NetworkPolicy: DNS plus ${egress.length} declared dependenc${egress.length === 1 ? 'y' : 'ies'} (depends_on); nothing else` });

    // Compose splits a string entrypoint/command into words without a shell; one that needs a
    // shell (operators, expansions) runs through sh -c.
    const words = (what: 'entrypoint' | 'command', v: string): string[] => {
      const w = shellWords(v);
      if (w) return w;
      todos.push({ text: `the Compose ${what} string needs a shell and runs through sh -c; check the image has one` });
      return ['sh', '-c', v];
    };
    let command = Array.isArray(svc.entrypoint) ? svc.entrypoint.map(String) : typeof svc.entrypoint === 'string' && svc.entrypoint.trim() ? words('entrypoint', svc.entrypoint) : undefined;
    let args = Array.isArray(svc.command) ? svc.command.map(String) : typeof svc.command === 'string' && svc.command.trim() ? words('command', svc.command) : undefined;
    if (args?.[0] === 'sh' && args[1] === '-c' && typeof svc.command === 'string' && command === undefined) {
      // A shell command line replaces the image's entrypoint, as it would need to in Kubernetes.
      command = args;
      args = undefined;
    }
    const specSource = tsLiteral({
      name,
      image,
      command,
      args,
      ports,
      resources,
      probes,
      ...spec,
      timezone,
      env: Object.keys(env).length ? env : undefined,
      secretFiles,
      writablePaths: tmpfs.length ? tmpfs : undefined,
      claims: claims.length ? claims : undefined,
      replicas,
      priorityClassName: `${ns}-default`,
      ingress,
      egress: egress.length ? egress : undefined,
      relaxations: Object.keys(relaxations).length ? relaxations : undefined,
    }, 2);
    converted.push({ name, composeName: n, kind: 'service', specSource, ports: targets, published, healthcheck: hc, secrets: [...(secretKeys.length ? [secretName] : []), ...(fileSecrets.length ? [`${name}-files`] : [])], replicas, logging: svc.logging });
    reports.push({ service: n, kind: 'service', changes, todos });
  }
  for (const [n, why] of refused) reports.push({ service: n, kind: 'refused', changes: [], todos: [], refused: why });
  reports.sort((a, b) => a.service.localeCompare(b.service));

  const files: Record<string, string> = {
    'spec.ts': specFile(ns, converted, options),
    'main.ts': mainFile(ns, converted, options),
    'docker.ts': dockerFile(ns, converted, servicesIn, nameOf, options),
    'package.json': `${JSON.stringify({
      name: `${ns}-infra`,
      private: true,
      description: `Hardened infrastructure for ${options.project}, generated from ${options.source}`,
      scripts: { 'synth': 'hardened synth main.ts', 'audit': 'hardened audit dist', 'docker:preview': 'pulumi preview' },
      dependencies: { 'hardened-constructs': `^${options.version}`, 'cdk8s': '^2.70.0', 'cdk8s-plus-28': '^2.5.6', 'constructs': '^10.3.0' },
      devDependencies: { '@pulumi/pulumi': '^3.142.0', '@pulumi/docker': '^5.2.0', 'ts-node': '^10.9.2', 'typescript': '~5.9.3' },
    }, null, 2)}\n`,
    'cdk8s.yaml': 'language: typescript\napp: npx ts-node --transpile-only main.ts\noutput: dist\ncheckUpgrade: false\n',
    'MIGRATION.md': migrationFile(options, reports, secrets),
  };
  return { files, reports, secrets };
}

function header(options: { source: string }): string {
  return `// Generated by \`hardened init --from-compose ${options.source}\`. It is yours now: read MIGRATION.md, then edit.\n`;
}

function specFile(ns: string, converted: Converted[], options: { source: string }): string {
  const lines = [
    header(options),
    '/* The services as backend-neutral specs: main.ts (Kubernetes) and docker.ts (Pulumi Docker) share them. */',
    "import { HardenedServiceSpec, Peer, StatefulDatabaseSpec } from 'hardened-constructs';",
    '',
    `export const NAMESPACE = ${tsString(ns)};`,
    '',
  ];
  const dbs = converted.filter((c) => c.kind === 'database');
  const svcs = converted.filter((c) => c.kind === 'service');
  lines.push('export const databases: Record<string, StatefulDatabaseSpec> = {');
  for (const d of dbs) lines.push(`  ${tsString(d.name)}: ${d.specSource},`);
  lines.push('};', '', 'export const services: Record<string, HardenedServiceSpec> = {');
  for (const s of svcs) lines.push(`  ${tsString(s.name)}: ${s.specSource},`);
  lines.push('};', '');
  if (!svcs.length && !dbs.length) lines.push('// Nothing could be converted: see MIGRATION.md.', '');
  if (!lines.join('\n').includes('Peer.')) lines.push('void Peer;', '');
  return lines.join('\n');
}

function mainFile(ns: string, converted: Converted[], options: { source: string }): string {
  void converted;
  return `${header(options)}import { App, Chart, YamlOutputType } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { HardenedNamespace, HardenedService, StatefulDatabase } from 'hardened-constructs';
import { databases, NAMESPACE, services } from './spec';

export function build(app: App): void {
  const platform = new Chart(app, \`\${NAMESPACE}-platform\`);
  new HardenedNamespace(platform, 'namespace', {
    name: NAMESPACE,
    // TODO: size the quota for the team.
    quota: {
      requests: { cpu: '8', memory: '16Gi', ephemeralStorage: '20Gi' },
      limits: { cpu: '16', memory: '32Gi', ephemeralStorage: '40Gi' },
      pods: 50,
    },
    containerDefaults: 'small',
  });
  new k8s.KubePriorityClass(platform, 'priority', {
    metadata: { name: \`\${NAMESPACE}-default\` },
    value: 1000,
    globalDefault: false,
    description: 'Workloads converted from Compose (${ns})',
  });

  const chart = new Chart(app, NAMESPACE, { namespace: NAMESPACE });
  chart.addDependency(platform);
  for (const [id, props] of Object.entries(databases)) new StatefulDatabase(chart, id, props);
  for (const [id, props] of Object.entries(services)) new HardenedService(chart, id, props);
}

if (require.main === module) {
  // One file, Namespace first: file-at-a-time linters see the default-deny policy with its workloads.
  const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_APP });
  build(app);
  app.synth();
}
`;
}

function dockerFile(ns: string, converted: Converted[], servicesIn: Any, nameOf: Map<string, string>, options: { source: string }): string {
  const order: Converted[] = [];
  const byCompose = new Map(converted.map((c) => [c.composeName, c]));
  const visit = (c: Converted, seen: Set<string>) => {
    if (order.includes(c) || seen.has(c.composeName)) return;
    seen.add(c.composeName);
    for (const d of dependsOn(servicesIn[c.composeName])) {
      const dc = byCompose.get(d);
      if (dc) visit(dc, seen);
    }
    order.push(c);
  };
  for (const c of converted) visit(c, new Set());
  const v = (name: string) => `c_${name.replace(/-/g, '_')}`;
  const hasDb = order.some((c) => c.kind === 'database');
  const hasSvc = order.some((c) => c.kind === 'service');
  const needsSecrets = order.some((c) => c.secrets.length);
  const lines = [
    `${header(options)}// The same services on a single Docker host (Pulumi). Secrets are host directories, one file per key,`,
    '// provisioned outside Pulumi (TODO: create them) and mounted read-only; containers see <NAME>_FILE.',
    `import { ${[hasSvc ? 'HardenedService' : '', hasDb ? 'StatefulDatabase' : ''].filter(Boolean).join(', ') || 'HardenedService'} } from 'hardened-constructs/docker';`,
    `import { ${[hasDb ? 'databases' : '', 'NAMESPACE', hasSvc ? 'services' : ''].filter(Boolean).join(', ')} } from './spec';`,
    '',
    ...(needsSecrets ? ['const secretDir = (name: string) => ({ hostPath: `/srv/${NAMESPACE}/secrets/${name}` });', ''] : []),
  ];
  for (const c of order) {
    const secretSources = c.secrets.length ? `secretSources: { ${c.secrets.map((s) => `${JSON.stringify(s)}: secretDir(${JSON.stringify(s)})`).join(', ')} }, ` : '';
    const before = order.slice(0, order.indexOf(c)).map((o) => o.name);
    const deps = dependsOn(servicesIn[c.composeName]).map((d) => nameOf.get(d)).filter((d) => d !== undefined && before.includes(d));
    const connect = deps.length ? `connectTo: [${deps.map((d) => v(d!)).join(', ')}], ` : '';
    const log = isRecord(c.logging) && c.logging.driver === 'fluentd' && typeof c.logging.options?.['fluentd-address'] === 'string'
      ? `logging: { driver: 'fluentd', address: ${JSON.stringify(c.logging.options['fluentd-address'])} }, `
      : isRecord(c.logging) && c.logging.driver === 'local' ? "logging: { driver: 'local' }, " : '';
    if (c.kind === 'database') {
      lines.push(`export const ${v(c.name)} = new StatefulDatabase(${JSON.stringify(c.name)}, { ...databases[${JSON.stringify(c.name)}], docker: { app: NAMESPACE, ${secretSources}${log}} });`);
    } else {
      const hc = c.healthcheck ? `healthcheck: { command: ${JSON.stringify(c.healthcheck)} }, ` : '';
      const publishable = c.replicas === 1 ? c.published.filter((p) => p.hostPort && p.hostPort >= 1025) : [];
      const pub = publishable.length ? `publish: [${publishable.map((p) => `{ port: ${JSON.stringify(p.name)}, hostPort: ${p.hostPort} }`).join(', ')}], ` : '';
      lines.push(`export const ${v(c.name)} = new HardenedService(${JSON.stringify(c.name)}, { ...services[${JSON.stringify(c.name)}], docker: { app: NAMESPACE, ${secretSources}${hc}${pub}${connect}${log}} });`);
    }
  }
  if (!order.length) lines.push('// Nothing could be converted: see MIGRATION.md.', 'void HardenedService;', 'void NAMESPACE;');
  void ns;
  return `${lines.join('\n').replace(/, }/g, ' }')}\n`;
}

function migrationFile(options: { source: string; project: string }, reports: ServiceReport[], secrets: ConversionResult['secrets']): string {
  const item = (i: MigrationItem) => `- ${i.ruleId ? `\`${i.ruleId}\`: ` : ''}${i.text}`;
  const lines = [
    `# Migrating ${options.project} from ${options.source}`,
    '',
    'Generated by `hardened init --from-compose`. Each item names the rule it relates to (`hardened explain <rule>`).',
    '',
    '## Before the first deploy',
    '',
    '1. Create the Secrets below (their values were never copied from the Compose file).',
    '2. Resolve every TODO (search spec.ts for `TODO`).',
    '3. `npm install && npx hardened synth main.ts` writes the manifests to dist/ and audits them.',
    '',
    '## Secrets to create',
    '',
  ];
  if (!secrets.length) lines.push('None.', '');
  for (const s of secrets) lines.push(`- \`${s.name}\` (from service ${s.from}): keys ${s.keys.map((k) => `\`${k}\``).join(', ')}. \`kubectl create secret generic ${s.name} ${s.keys.map((k) => `--from-file=${k}=<file>`).join(' ')}\``);
  lines.push('');
  for (const r of reports) {
    lines.push(`## ${r.service} (${r.kind === 'refused' ? 'not converted' : r.kind === 'database' ? 'StatefulDatabase' : 'HardenedService'})`, '');
    if (r.refused) {
      lines.push(`Refused: ${r.refused.ruleId ? `\`${r.refused.ruleId}\`: ` : ''}${r.refused.text}`, '', 'The rest of the file was converted without it. Run it outside the cluster, or redesign it so it needs none of this.', '');
      continue;
    }
    lines.push('Changed for production:', '', ...r.changes.map(item), '');
    lines.push('TODO:', '', ...(r.todos.length ? r.todos.map(item) : ['- nothing']), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function protocolOf(p: { protocol?: string }): string {
  return String(p.protocol ?? 'tcp').toUpperCase();
}

/** A service's ports as (port, protocol, name), TCP before UDP; other protocols become TODOs. */
function servicePorts(list: readonly { internal: number; protocol?: string }[], todos: MigrationItem[]): { port: number; protocol: 'TCP' | 'UDP'; name: string }[] {
  const out: { port: number; protocol: 'TCP' | 'UDP'; name: string }[] = [];
  for (const p of list) {
    const protocol = protocolOf(p);
    if (protocol !== 'TCP' && protocol !== 'UDP') {
      todos.push({ text: `port ${p.internal}/${p.protocol}: only TCP and UDP ports are converted` });
      continue;
    }
    if (!out.some((x) => x.port === p.internal && x.protocol === protocol)) out.push({ port: p.internal, protocol, name: `${protocol === 'UDP' ? 'udp' : 'port'}-${p.internal}` });
  }
  return out.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

/**
 * Split a Compose string command into words the way Compose does (quotes and backslashes, no
 * shell). Undefined when the string needs a shell: operators, redirections, `$` or backquotes.
 */
export function shellWords(s: string): string[] | undefined {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else cur += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '$' || ch === '`') return undefined;
      else if (ch === '\\' && i + 1 < s.length && '"\\'.includes(s[i + 1])) cur += s[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else if (';&|<>()$`'.includes(ch)) {
      return undefined;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) return undefined;
  if (inWord) out.push(cur);
  return out.length ? out : undefined;
}
