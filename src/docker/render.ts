import * as ipaddr from 'ipaddr.js';
import { checkOverrides } from './overrides';
import { checkHostPath } from './paths';
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
   * Host interface. Anything but a loopback address needs `reason`. When the spec's ingress names
   * CIDRs, a non-loopback `ip` must be a host address inside one of them (Docker cannot filter
   * sources: binding to the interface that faces that network is the closest equivalent).
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
  /** User-defined networks to join, each with the DNS aliases the container answers to there. */
  readonly networks: readonly { readonly name: string; readonly aliases?: readonly string[] }[];
  /** 'none' when the container has no declared connection at all (loopback only). */
  readonly networkMode?: 'none';
  /** Ingress CIDRs of the spec: published ports must bind to a host address inside one of them. */
  readonly ingressCidrs?: readonly string[];
  /** Seconds between SIGTERM and SIGKILL (the spec's terminationGracePeriodSeconds). */
  readonly stopTimeout?: number;
  /** @default DEFAULTS.dockerRestart */
  readonly restart?: 'unless-stopped' | 'on-failure';
  /**
   * Enforce the ephemeral-storage limit with `--storage-opt size=` (only overlay2 on xfs with
   * pquota, btrfs, zfs; other storage drivers refuse to create the container).
   * @default false - reported as a gap
   */
  readonly storageLimit?: boolean;
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
  maxRetryCount?: number;
  healthcheck?: { tests: string[]; interval: string; timeout: string; retries: number; startPeriod: string; startInterval?: string };
  stopTimeout?: number;
  destroyGraceSeconds?: number;
  storageOpts?: Record<string, string>;
  networkMode?: string;
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
  // The startup probe's budget becomes the start period, checked at the startup probe's rate
  // (startInterval needs Docker Engine 25 / API 1.44; older daemons ignore it).
  const startup = c.probes.startup;
  return {
    tests,
    interval: seconds(live.periodSeconds),
    timeout: seconds(live.timeoutSeconds),
    retries: live.failureThreshold,
    startPeriod: seconds(startup
      ? startup.initialDelaySeconds + startup.periodSeconds * startup.failureThreshold
      : Math.max(live.initialDelaySeconds, 0)),
    startInterval: startup ? seconds(startup.periodSeconds) : undefined,
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
    const src = Object.prototype.hasOwnProperty.call(o.secretSources, secret) ? o.secretSources[secret] : undefined;
    if (!src || typeof src.hostPath !== 'string') {
      refuser.refuse('no-literal-secrets-in-env', field, `Secret '${secret}' has no source on the Docker host: secrets reach Docker containers only as read-only files, never as env literals.`, `give secretSources: { '${secret}': { hostPath: '/srv/<app>/secrets/${secret}' } }: a directory with one file per key, provisioned outside Pulumi (mode 0440, group ${s.runAsGroup}).`);
    }
    // Canonical before checking: '/srv/../etc' is '/etc'. The canonical path is what is mounted.
    const source = checkHostPath(src!.hostPath, `secretSources.${secret}.hostPath`, refuser, 'secret directory');
    if (!mountedSecrets.has(target)) {
      mountedSecrets.add(target);
      mounts.push({ type: 'bind', source, target, readOnly: true });
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
    const rawIp = p.ip ?? '127.0.0.1';
    if (typeof rawIp !== 'string' || !ipaddr.isValid(rawIp)) refuser.refuse('bind-specific-host-interface', `${f}.ip`, `${JSON.stringify(rawIp)} is not an IP address.`, "use '127.0.0.1' or the one interface that should serve.");
    // Canonical form before checking: '0:0::0' is '::', '127.000.0.1' is not accepted by ipaddr.js.
    const addr = ipaddr.process(rawIp);
    const ip = addr.toString();
    if (addr.range() !== 'loopback') {
      const reason = checkReason(p.reason, `${f}.reason`, refuser);
      const cidrs = o.ingressCidrs ?? [];
      if (cidrs.length) {
        const inside = addr.range() !== 'unspecified' && cidrs.some((cidr) => {
          const [net, bits] = ipaddr.parseCIDR(cidr);
          return net.kind() === addr.kind() && addr.match(net, bits);
        });
        if (!inside) {
          refuser.refuse('bind-specific-host-interface', `${f}.ip`, `the spec admits only ${cidrs.join(', ')}, but Docker cannot filter the source of a published port: binding to ${ip} would let any address in.`, `bind to the host's own address inside ${cidrs.join(' or ')} (ip: '<that address>'), or filter in the host firewall (DOCKER-USER chain) and publish on 127.0.0.1 behind a proxy.`);
        }
        labels[`${DOMAIN}/published.${p.port}.sources`] = cidrs.join(',');
      } else if (addr.range() === 'unspecified') {
        labels[suppressionAnnotation('bind-specific-host-interface')] = reason;
      }
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

  // Services come back after a daemon restart or reboot (unless-stopped) only with a health check
  // that keeps a crash loop visible; without one (a relaxed container) and for one-shot containers,
  // on-failure with bounded retries (CIS Docker 5.15). See DEFAULTS.dockerRestart.
  const hc = healthcheck(c, o);
  const restart = o.runsToCompletion || !hc ? 'on-failure' : o.restart ?? DEFAULTS.dockerRestart;
  if (!o.runsToCompletion && !hc && o.restart === 'unless-stopped') {
    refuser.refuse('restart-policy', `${o.field}docker.restart`, 'unless-stopped without a health check would hide a crash loop.', "add a liveness probe (and docker.healthcheck), or use restart: 'on-failure'.");
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
    // One-shot containers retry twice; services come back after a reboot (see DEFAULTS.dockerRestart).
    restart,
    maxRetryCount: o.runsToCompletion ? 2 : restart === 'on-failure' ? DEFAULTS.dockerMaxRetryCount : undefined,
    healthcheck: hc,
    stopTimeout: o.stopTimeout,
    destroyGraceSeconds: o.stopTimeout,
    storageOpts: o.storageLimit && c.resourceNumbers.limits['ephemeral-storage'] ? { size: String(Math.ceil(c.resourceNumbers.limits['ephemeral-storage'])) } : undefined,
    networkMode: o.networkMode,
    ...logging(o.logging, o),
    ports: ports.length ? ports : undefined,
    networksAdvanced: o.networks.map((n) => ({ name: n.name, aliases: n.aliases?.length ? [...n.aliases] : undefined })),
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

/**
 * Lay the allow-listed overrides (see ./overrides) over the hardened inputs. Lists add to what the
 * spec produced (secret mounts, no-new-privileges must survive); other values replace.
 */
function applyOverrides(args: DockerContainerArgs, o: DockerContainerOptions): DockerContainerArgs {
  if (o.overrides === undefined) return args;
  const ov = checkOverrides(o.overrides, `${o.field}docker.overrides`, o.refuser);
  const merged: Record<string, unknown> = { ...args };
  for (const [k, v] of Object.entries(ov)) {
    const current = merged[k];
    merged[k] = Array.isArray(current) && Array.isArray(v) ? [...current, ...v] : v;
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
    sysctls: (a as { sysctls?: Record<string, string> }).sysctls,
    labels: Object.fromEntries(a.labels.map((l) => [l.label, l.value])),
    runsToCompletion,
  };
}
