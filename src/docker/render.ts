import { RUNTIME_SOCKET, sensitive } from '../policy/rules/host';
import { suppressionAnnotation } from '../policy/suppressions';
import { DockerContainer } from '../policy/types';
import { ResolvedContainer, ResolvedProbe } from '../spec/container';
import { DEFAULTS, DOMAIN } from '../spec/defaults';
import { Refuser } from '../spec/errors';
import { checkReason } from '../spec/names';
import { parseQuantity } from '../spec/quantity';
import { ResolvedRelaxation } from '../spec/relaxations';

/**
 * Pure functions from the resolved spec to plain `docker.Container` inputs, plus the rule model of
 * exactly those inputs (the rules check what is emitted). No Pulumi import here.
 */

/** Where a referenced Secret's files come from on a Docker host (provisioned outside Pulumi). */
export interface DockerSecretSource {
  /** Host directory holding one file per key; mounted read-only at /run/secrets/<secret>. */
  readonly hostPath: string;
}

/** Publish a container port on the host. */
export interface DockerPublish {
  /** Name of a declared port. */
  readonly port: string;
  /** Host port (≥ 1025). */
  readonly hostPort: number;
  /**
   * Host interface. Anything but a loopback address needs `reason`.
   * @default '127.0.0.1'
   */
  readonly ip?: string;
  /** Why the port is open beyond the loopback interface (written as a label). */
  readonly reason?: string;
}

/** Container logging on Docker. */
export type DockerLogging =
  /** Rotated local files (default: json-file, 10m × 3). */
  | { readonly driver: 'json-file' | 'local'; readonly maxSize?: string; readonly maxFile?: number }
  /** Ship to a Fluentd/Fluent Bit forward endpoint, without blocking the app when it is down. */
  | { readonly driver: 'fluentd'; readonly address: string; readonly tag?: string }
  /** Ship to a GELF endpoint (Graylog). */
  | { readonly driver: 'gelf'; readonly address: string };

/** Docker-only options of a container. */
export interface DockerContainerOptions {
  readonly name: string;
  readonly hostname?: string;
  readonly imageRef: string;
  readonly networks: readonly string[];
  readonly aliases: readonly string[];
  readonly relaxations: readonly ResolvedRelaxation[];
  readonly secretSources: Readonly<Record<string, DockerSecretSource>>;
  readonly publish?: readonly DockerPublish[];
  /** Explicit health check command, for probes Docker cannot run by itself (HTTP, TCP, gRPC). */
  readonly healthcheck?: { readonly command: readonly string[] };
  readonly logging?: DockerLogging;
  /** Extra mounts (data volume, shared log volume). */
  readonly mounts?: readonly { type: 'volume' | 'bind'; source: string; target: string; readOnly?: boolean }[];
  /**
   * Raw `docker.Container` inputs laid over the hardened ones (an escape hatch). Values that undo
   * isolation (host namespaces, privileged, unconfined seccomp, root, a writable root fs, added
   * capabilities) are refused: use the typed relaxations where one exists.
   */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** A one-shot container (backup): no health check, started on demand. */
  readonly runsToCompletion?: boolean;
  readonly labels?: Readonly<Record<string, string>>;
  readonly field: string;
  /** @internal */
  readonly refuser: Refuser;
}

/** Plain `docker.Container` inputs (the component swaps `image` for the pulled image's id). */
export interface DockerContainerArgs {
  name: string;
  hostname?: string;
  image: string;
  user: string;
  readOnly: boolean;
  privileged: false;
  init: true;
  capabilities: { drops: string[]; adds?: string[] };
  securityOpts: string[];
  memory: number;
  memorySwap: number;
  memoryReservation: number;
  cpus: string;
  cpuShares: number;
  shmSize?: number;
  restart: string;
  maxRetryCount: number;
  healthcheck?: { tests: string[]; interval: string; timeout: string; retries: number; startPeriod: string };
  logDriver: string;
  logOpts: Record<string, string>;
  ports?: { internal: number; external: number; ip: string; protocol: string }[];
  networksAdvanced: { name: string; aliases?: string[] }[];
  entrypoints?: string[];
  command?: string[];
  envs: string[];
  tmpfs?: Record<string, string>;
  mounts?: { type: string; source: string; target: string; readOnly?: boolean }[];
  labels: { label: string; value: string }[];
  mustRun?: boolean;
  start?: boolean;
}

const MB = 2 ** 20;
const LOOPBACK = new Set(['127.0.0.1', '::1']);

function seconds(n: number): string {
  return `${n}s`;
}

/** Docker health check from the liveness probe (exec) or an explicit command. */
function healthcheck(c: ResolvedContainer, o: DockerContainerOptions): DockerContainerArgs['healthcheck'] {
  if (o.runsToCompletion) return undefined;
  const live: ResolvedProbe | undefined = c.probes.liveness;
  if (!live) {
    if (o.relaxations.some((r) => r.name === 'noProbes' || r.name === 'noLivenessProbe')) return undefined;
    return o.refuser.refuse('liveness-probe', `${o.field}probes.liveness`, 'a container needs a health check.', 'add probes.liveness.');
  }
  let tests: string[];
  const ready = c.probes.readiness;
  if (o.healthcheck) {
    if (!Array.isArray(o.healthcheck.command) || o.healthcheck.command.length === 0) o.refuser.refuse('liveness-probe', `${o.field}docker.healthcheck.command`, 'the health check command is empty.', "give e.g. ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/livez'].");
    tests = ['CMD', ...o.healthcheck.command];
  } else if ('exec' in live) {
    tests = ['CMD', ...live.exec.command];
  } else if (ready && 'exec' in ready) {
    // A TCP/HTTP liveness probe cannot run inside the container; the engine's own readiness command can.
    tests = ['CMD', ...ready.exec.command];
  } else {
    const what = 'http' in live ? `GET ${live.http.path} on port ${live.http.portNumber}` : 'tcp' in live ? `a TCP connect to port ${live.tcp.portNumber}` : `gRPC health on port ${live.grpc.portNumber}`;
    return o.refuser.refuse('liveness-probe', `${o.field}docker.healthcheck`, `Docker runs health checks inside the container, and cannot perform ${what} by itself: the image must provide a tool for it.`, "give docker.healthcheck: { command: ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:<port><path>'] } (or curl, or the app's own health subcommand).");
  }
  const startup = c.probes.startup;
  return {
    tests,
    interval: seconds(live.periodSeconds),
    timeout: seconds(live.timeoutSeconds),
    retries: live.failureThreshold,
    startPeriod: seconds(startup ? startup.periodSeconds * startup.failureThreshold : Math.max(live.initialDelaySeconds, 0)),
  };
}

function logging(l: DockerLogging | undefined, o: DockerContainerOptions): Pick<DockerContainerArgs, 'logDriver' | 'logOpts'> {
  const addr = (a: unknown) => {
    if (typeof a !== 'string' || !/^(tcp|udp):\/\/[A-Za-z0-9.-]+:[0-9]{1,5}$/.test(a) && !/^[A-Za-z0-9.-]+:[0-9]{1,5}$/.test(a)) {
      o.refuser.refuse('spec/logging', `${o.field}logging.address`, `${JSON.stringify(a)} is not a host:port address.`, "use e.g. 'tcp://logs.internal:24224' (fluentd) or 'udp://graylog.internal:12201' (gelf).");
    }
    return a;
  };
  if (!l) return { logDriver: 'json-file', logOpts: { 'max-size': DEFAULTS.dockerLogMaxSize, 'max-file': DEFAULTS.dockerLogMaxFile } };
  switch (l.driver) {
    case 'json-file':
    case 'local': {
      const maxSize = l.maxSize ?? DEFAULTS.dockerLogMaxSize;
      if (!/^[0-9]+[kmg]$/.test(maxSize)) o.refuser.refuse('log-rotation', `${o.field}logging.maxSize`, `${JSON.stringify(maxSize)} is not a Docker size.`, "use e.g. '10m'.");
      const maxFile = l.maxFile ?? Number(DEFAULTS.dockerLogMaxFile);
      if (!Number.isInteger(maxFile) || maxFile < 1 || maxFile > 100) o.refuser.refuse('log-rotation', `${o.field}logging.maxFile`, `${JSON.stringify(maxFile)} is not a file count.`, 'use e.g. 3.');
      return { logDriver: l.driver, logOpts: { 'max-size': maxSize, 'max-file': String(maxFile) } };
    }
    case 'fluentd':
      return { logDriver: 'fluentd', logOpts: { 'fluentd-address': addr(l.address), 'fluentd-async': 'true', 'tag': l.tag ?? `${o.name}` } };
    case 'gelf':
      return { logDriver: 'gelf', logOpts: { 'gelf-address': addr(l.address) } };
    default:
      return o.refuser.refuse('spec/logging', `${o.field}logging.driver`, `${JSON.stringify((l as { driver?: unknown }).driver)} is not a supported log driver.`, 'use json-file, local, fluentd or gelf.');
  }
}

/** Inputs of one container, and the rule model of exactly those inputs. */
export function renderDockerContainer(c: ResolvedContainer, o: DockerContainerOptions): { args: DockerContainerArgs; model: DockerContainer } {
  const { refuser } = o;
  const s = c.security;
  const envs: string[] = [];
  const secretEnv: string[] = [];
  const mounts: NonNullable<DockerContainerArgs['mounts']> = [];
  const mountedSecrets = new Set<string>();
  const mountSecret = (secret: string, target: string, field: string) => {
    const src = o.secretSources[secret];
    if (src && typeof src.hostPath === 'string' && RUNTIME_SOCKET.test(src.hostPath)) {
      refuser.refuse('no-docker-socket', `secretSources.${secret}.hostPath`, `${src.hostPath} is a container runtime socket: whoever can talk to it is root on the host.`, 'mount a directory holding the secret files, never a runtime socket.');
    }
    if (src && typeof src.hostPath === 'string' && sensitive(src.hostPath)) {
      refuser.refuse('no-host-path', `secretSources.${secret}.hostPath`, `${src.hostPath} is (inside) a sensitive host directory: mounting it exposes the host's configuration to the container.`, `keep secret files under an application directory such as /srv/<app>/secrets/${secret}.`);
    }
    if (!src || typeof src.hostPath !== 'string' || !src.hostPath.startsWith('/')) {
      refuser.refuse('no-literal-secrets-in-env', field, `Secret '${secret}' has no source on the Docker host: secrets reach Docker containers only as read-only files, never as env literals.`, `give secretSources: { '${secret}': { hostPath: '/srv/<app>/secrets/${secret}' } }: a directory with one file per key, provisioned outside Pulumi (mode 0440, group ${s.runAsGroup}).`);
    }
    if (!mountedSecrets.has(target)) {
      mountedSecrets.add(target);
      mounts.push({ type: 'bind', source: src.hostPath, target, readOnly: true });
    }
  };
  for (const e of c.env) {
    if ('secret' in e) {
      // The Docker convention for secrets as files: <NAME>_FILE points at the mounted key.
      const dir = `/run/secrets/${e.secret.name}`;
      mountSecret(e.secret.name, dir, `${o.field}env.${e.name}`);
      envs.push(`${e.name}_FILE=${dir}/${e.secret.key}`);
      secretEnv.push(`${e.name}_FILE`);
    } else if ('configMap' in e) {
      refuser.refuse('spec/env', `${o.field}env.${e.name}`, 'ConfigMap references do not exist on Docker.', 'give the value as a literal (it is not a secret), or read it from a file.');
    } else {
      envs.push(`${e.name}=${e.value}`);
    }
  }
  c.secretFiles.forEach((f, i) => mountSecret(f.secretName, f.mountPath, `${o.field}secretFiles[${i}]`));

  const tmpfs: Record<string, string> = {};
  let shmSize: number | undefined;
  for (const w of c.writablePaths) {
    const bytes = parseQuantity(w.sizeLimit) ?? 0;
    if (w.path === '/dev/shm') shmSize = Math.ceil(bytes / MB);
    else tmpfs[w.path] = `rw,noexec,nosuid,size=${Math.ceil(bytes)},uid=${s.runAsUser},gid=${s.runAsGroup},mode=0770`;
  }
  for (const m of o.mounts ?? []) mounts.push({ ...m });

  const ports: NonNullable<DockerContainerArgs['ports']> = [];
  const labels: Record<string, string> = { ...(o.labels ?? {}) };
  (o.publish ?? []).forEach((p, i) => {
    const f = `${o.field}docker.publish[${i}]`;
    const port = c.ports.find((x) => x.name === p?.port);
    if (!port) return refuser.refuse('spec/ports', `${f}.port`, `${JSON.stringify(p?.port)} is not a declared port.`, `use one of: ${c.ports.map((x) => x.name).join(', ')}.`);
    if (!Number.isInteger(p.hostPort) || p.hostPort < 1025 || p.hostPort > 65535) refuser.refuse('no-host-ports', `${f}.hostPort`, `host port ${JSON.stringify(p.hostPort)} is privileged or invalid: binding below 1025 needs root on the host.`, 'publish on a port from 1025 to 65535 and put a reverse proxy in front.');
    const ip = p.ip ?? '127.0.0.1';
    if (!/^[0-9a-fA-F:.]+$/.test(ip)) refuser.refuse('bind-specific-host-interface', `${f}.ip`, `${JSON.stringify(ip)} is not an IP address.`, "use '127.0.0.1' or the one interface that should serve.");
    if (!LOOPBACK.has(ip)) {
      const reason = checkReason(p.reason, `${f}.reason`, refuser);
      if (ip === '0.0.0.0' || ip === '::') labels[suppressionAnnotation('bind-specific-host-interface')] = reason;
      labels[`${DOMAIN}/published.${p.port}`] = reason;
    }
    ports.push({ internal: port.port, external: p.hostPort, ip, protocol: port.protocol.toLowerCase() });
  });
  for (const r of o.relaxations) {
    for (const id of r.ruleIds) {
      const key = suppressionAnnotation(id);
      labels[key] = labels[key] ? `${labels[key]}; ${r.name}: ${r.reason}` : `${r.name}: ${r.reason}`;
    }
  }

  const memory = Math.ceil(c.resourceNumbers.limits.memory / MB);
  const args: DockerContainerArgs = {
    name: o.name,
    hostname: o.hostname,
    image: o.imageRef,
    user: `${s.runAsUser}:${s.runAsGroup}`,
    readOnly: s.readOnlyRootFilesystem,
    privileged: false,
    init: true,
    capabilities: { drops: ['ALL'], adds: s.capabilitiesAdd.length ? [...s.capabilitiesAdd] : undefined },
    securityOpts: ['no-new-privileges:true'],
    memory,
    memorySwap: memory,
    memoryReservation: Math.ceil(c.resourceNumbers.requests.memory / MB),
    cpus: String(c.resourceNumbers.limits.cpu),
    cpuShares: Math.max(2, Math.round(c.resourceNumbers.requests.cpu * 1024)),
    shmSize,
    restart: 'on-failure',
    maxRetryCount: o.runsToCompletion ? 2 : DEFAULTS.dockerMaxRetryCount,
    healthcheck: healthcheck(c, o),
    ...logging(o.logging, o),
    ports: ports.length ? ports : undefined,
    networksAdvanced: o.networks.map((name) => ({ name, aliases: o.aliases.length ? [...o.aliases] : undefined })),
    entrypoints: c.command ? [...c.command] : undefined,
    command: c.args ? [...c.args] : undefined,
    envs,
    tmpfs: Object.keys(tmpfs).length ? tmpfs : undefined,
    mounts: mounts.length ? mounts : undefined,
    labels: Object.entries(labels).map(([label, value]) => ({ label, value })),
    mustRun: o.runsToCompletion ? false : undefined,
    start: o.runsToCompletion ? false : undefined,
  };
  const merged = applyOverrides(args, o);
  return { args: merged, model: toModel(merged, o.imageRef, secretEnv, o.runsToCompletion) };
}

const HOST_MODES: Record<string, string> = { networkMode: 'no-host-network', pidMode: 'no-host-pid', ipcMode: 'no-host-ipc', utsMode: 'no-host-uts', usernsMode: 'no-host-userns' };

function applyOverrides(args: DockerContainerArgs, o: DockerContainerOptions): DockerContainerArgs {
  const ov = o.overrides;
  if (!ov) return args;
  const refuser = o.refuser;
  const f = (k: string) => `${o.field}docker.overrides.${k}`;
  for (const [k, v] of Object.entries(ov)) {
    if (k in HOST_MODES && v === 'host') {
      refuser.refuse(HOST_MODES[k], f(k), `${k}: host shares the host's namespace with the container: its processes, network or IPC become reachable from inside.`, 'remove the override; such software (a node agent, a network appliance) is outside what a hardened service can be.');
    }
  }
  if (ov.privileged === true) refuser.refuse('no-privileged', f('privileged'), 'a privileged container has every capability and every host device.', 'remove privileged; add the one baseline capability needed with relaxations.addCapabilities.');
  if (Array.isArray(ov.securityOpts) && ov.securityOpts.some((x) => /seccomp[=:]unconfined|apparmor[=:]unconfined|label[=:]disable/i.test(String(x)))) {
    refuser.refuse('seccomp-runtime-default', f('securityOpts'), 'an unconfined seccomp/AppArmor profile or disabled SELinux labels remove a kernel-level guard.', 'remove the option; keep no-new-privileges:true.');
  }
  if (Array.isArray(ov.devices) && ov.devices.length) refuser.refuse('no-host-devices', f('devices'), 'host devices give the container direct access to hardware.', 'remove devices.');
  if (typeof ov.cgroupParent === 'string') refuser.refuse('no-cgroup-parent-override', f('cgroupParent'), 'a custom cgroup parent can escape the limits set here.', 'remove cgroupParent.');
  for (const k of ['user', 'readOnly', 'capabilities', 'restart', 'maxRetryCount', 'memory', 'memorySwap', 'cpus', 'logDriver', 'logOpts', 'image', 'healthcheck']) {
    if (k in ov) refuser.refuse('spec/docker-override', f(k), `${k} is set by the spec: overriding it here would bypass validation.`, 'change the spec (resources, probes, image, relaxations, docker.logging) instead.');
  }
  const volumes = (ov.volumes ?? ov.mounts) as { hostPath?: string; source?: string; type?: string; readOnly?: boolean }[] | undefined;
  for (const m of Array.isArray(volumes) ? volumes : []) {
    const path = m.hostPath ?? (m.type === 'bind' ? m.source : undefined);
    if (path && RUNTIME_SOCKET.test(path)) refuser.refuse('no-docker-socket', f('volumes'), `${path} is a container runtime socket: whoever can talk to it is root on the host.`, 'remove the mount; use a rootless builder or the orchestrator API instead.');
    if (path && sensitive(path)) refuser.refuse('no-host-path', f('volumes'), `${path} is a sensitive host directory.`, 'use a named volume, or a read-only bind of an application directory.');
  }
  // Lists add to what the spec produced (secret mounts must survive); other values replace.
  const merged: Record<string, unknown> = { ...args };
  for (const [k, v] of Object.entries(ov)) {
    const current = merged[k];
    merged[k] = Array.isArray(current) && Array.isArray(v) && ['mounts', 'volumes', 'labels', 'envs'].includes(k) ? [...current, ...v] : v;
  }
  return merged as unknown as DockerContainerArgs;
}

/** The rule model of container inputs. */
export function toModel(a: DockerContainerArgs, imageRef: string, secretEnv: string[] = [], runsToCompletion = false): DockerContainer {
  const env: Record<string, string> = {};
  for (const e of a.envs) {
    const i = e.indexOf('=');
    env[e.slice(0, i)] = e.slice(i + 1);
  }
  return {
    name: a.name,
    image: imageRef,
    user: a.user,
    readOnly: a.readOnly,
    privileged: a.privileged,
    capAdd: a.capabilities.adds ?? [],
    capDrop: a.capabilities.drops,
    securityOpts: a.securityOpts,
    memory: a.memory * MB,
    memorySwap: a.memorySwap * MB,
    memoryReservation: a.memoryReservation * MB,
    cpus: Number(a.cpus),
    cpuShares: a.cpuShares,
    restart: a.restart,
    maxRetryCount: a.maxRetryCount,
    networkMode: (a as { networkMode?: string }).networkMode,
    pidMode: (a as { pidMode?: string }).pidMode,
    ipcMode: (a as { ipcMode?: string }).ipcMode,
    utsMode: (a as { utsMode?: string }).utsMode,
    usernsMode: (a as { usernsMode?: string }).usernsMode,
    healthcheck: a.healthcheck ? { test: a.healthcheck.tests } : undefined,
    logDriver: a.logDriver,
    logOpts: a.logOpts,
    ports: (a.ports ?? []).map((p) => ({ internal: p.internal, external: p.external, ip: p.ip, protocol: p.protocol })),
    mounts: [
      ...(a.mounts ?? []).map((m) => ({ type: m.type as 'bind' | 'volume', source: m.source, target: m.target, readOnly: m.readOnly })),
      // Legacy `volumes` inputs (from overrides): host paths are bind mounts, the rest named volumes.
      ...((a as { volumes?: { hostPath?: string; volumeName?: string; containerPath?: string; readOnly?: boolean }[] }).volumes ?? []).map((v) => ({
        type: (v.hostPath ? 'bind' : 'volume') as 'bind' | 'volume', source: v.hostPath ?? v.volumeName, target: v.containerPath ?? '', readOnly: v.readOnly,
      })),
      ...Object.keys(a.tmpfs ?? {}).map((t) => ({ type: 'tmpfs' as const, target: t })),
    ],
    env,
    secretEnv,
    networks: a.networksAdvanced.map((n) => n.name),
    labels: Object.fromEntries(a.labels.map((l) => [l.label, l.value])),
    runsToCompletion,
  };
}
