import * as ipaddr from 'ipaddr.js';
import { checkHostPath } from './paths';
import { SAFE_SYSCTLS } from '../policy/rules/identity';
import { DOMAIN } from '../spec/defaults';
import { Refuser } from '../spec/errors';

/**
 * `docker.overrides` is an ALLOW-LIST: a raw `docker.Container` input is accepted only when it is
 * listed in {@link ALLOWED_OVERRIDES} (and its value passes that field's check). Every other field
 * is refused with a rule id and a fix, listed in {@link REFUSED_OVERRIDES}; a field this table
 * does not know (a newer provider input, a typo) is refused too.
 */

type Check = (value: unknown, field: string, refuser: Refuser) => unknown;

/** Why a field is refused and what to do instead. */
export interface RefusedOverride {
  readonly ruleId: string;
  readonly why: string;
  readonly fix: string;
}

const isPlain = (v: unknown): boolean => {
  if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) return true;
  if (Array.isArray(v)) return v.every(isPlain);
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    return (proto === Object.prototype || proto === null) && Object.values(v as object).every(isPlain);
  }
  return false;
};

const str = (re: RegExp, fix: string): Check => (v, field, refuser) => {
  if (typeof v !== 'string' || v.length > 253 || !re.test(v)) refuser.refuse('spec/docker-override', field, `${JSON.stringify(v)} is not accepted here.`, fix);
  return v;
};
const int = (min: number, max: number): Check => (v, field, refuser) => {
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) refuser.refuse('spec/docker-override', field, `${JSON.stringify(v)} is not a whole number from ${min} to ${max}.`, `use ${min}–${max}.`);
  return v;
};
const bool: Check = (v, field, refuser) => {
  if (typeof v !== 'boolean') refuser.refuse('spec/docker-override', field, `${JSON.stringify(v)} is not a boolean.`, 'use true or false.');
  return v;
};
const list = (item: Check, max = 64): Check => (v, field, refuser) => {
  if (!Array.isArray(v) || v.length > max) refuser.refuse('spec/docker-override', field, `expected a list of at most ${max} items.`, 'give a list.');
  return (v as unknown[]).map((x, i) => item(x, `${field}[${i}]`, refuser));
};
const ip: Check = (v, field, refuser) => {
  if (typeof v !== 'string' || !ipaddr.isValid(v)) refuser.refuse('spec/docker-override', field, `${JSON.stringify(v)} is not an IP address.`, "use e.g. '10.0.0.53'.");
  return ipaddr.parse(v as string).toString();
};
const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** Label keys in the library's own domain (suppressions, published-port reasons) are not forgeable. */
const labels: Check = (v, field, refuser) => list((l, f) => {
  const o = l as { label?: unknown; value?: unknown };
  if (!o || typeof o.label !== 'string' || typeof o.value !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9._/-]{0,252}$/.test(o.label)) refuser.refuse('spec/docker-override', f, `${JSON.stringify(l)} is not a { label, value } pair of strings.`, "use e.g. { label: 'com.example.team', value: 'payments' }.");
  const key = (o.label as string).toLowerCase();
  if (key === DOMAIN || key.startsWith(`${DOMAIN}/`) || key.startsWith(`${DOMAIN}.`)) {
    refuser.refuse('spec/docker-override', `${f}.label`, `labels under ${DOMAIN} are written by the library (suppressions, reasons): setting one here would silence a rule without a typed relaxation.`, 'use the typed relaxations, or a label in your own domain.');
  }
  return { label: o.label, value: o.value };
})(v, field, refuser);

const sysctls: Check = (v, field, refuser) => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) refuser.refuse('safe-sysctls-only', field, 'expected a map of sysctl name to value.', "use e.g. { 'net.ipv4.ip_local_port_range': '1024 65000' }.");
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as object)) {
    // Docker accepts `net/ipv4/x` as well as `net.ipv4.x`: canonicalize before checking.
    const name = k.trim().replace(/\//g, '.');
    if (!SAFE_SYSCTLS.has(name)) refuser.refuse('safe-sysctls-only', `${field}.${k}`, `sysctl '${k}' is not in the Pod Security baseline's safe set: it changes kernel behaviour beyond this container.`, `remove it, or use one of: ${[...SAFE_SYSCTLS].join(', ')}.`);
    if (typeof val !== 'string' || /[\0\n\r]/.test(val)) refuser.refuse('safe-sysctls-only', `${field}.${k}`, 'the value must be a single-line string.', "e.g. '1024 65000'.");
    out[name] = val as string;
  }
  return out;
};

const ULIMITS = new Set(['nofile', 'nproc']);
const ulimits: Check = list((u, f, refuser) => {
  const o = u as { name?: unknown; soft?: unknown; hard?: unknown };
  if (!o || typeof o.name !== 'string' || !ULIMITS.has(o.name)) refuser.refuse('spec/docker-override', `${f}.name`, `ulimit ${JSON.stringify(o?.name)} is not allowed here.`, `use one of: ${[...ULIMITS].join(', ')}.`);
  int(0, 1048576)(o.soft, `${f}.soft`, refuser);
  int(0, 1048576)(o.hard, `${f}.hard`, refuser);
  if ((o.soft as number) > (o.hard as number)) refuser.refuse('spec/docker-override', `${f}.soft`, 'soft is above hard.', 'keep soft ≤ hard.');
  return { name: o.name, soft: o.soft, hard: o.hard };
}, 8);

const PROPAGATION_OK = new Set(['private', 'rprivate']);
const mounts: Check = list((m, f, refuser) => {
  const o = m as Record<string, unknown>;
  if (!o || typeof o !== 'object') return refuser.refuse('spec/docker-override', f, 'expected a mount object.', "use { type: 'bind', source: '/srv/<app>/static', target: '/static', readOnly: true }.");
  for (const k of Object.keys(o)) {
    if (!['type', 'source', 'target', 'readOnly', 'bindOptions', 'volumeOptions', 'tmpfsOptions'].includes(k)) refuser.refuse('spec/docker-override', `${f}.${k}`, `mount field ${k} is not allowed.`, 'use type, source, target, readOnly (and bindOptions.propagation: rprivate).');
  }
  const target = o.target;
  if (typeof target !== 'string' || !target.startsWith('/') || target === '/') refuser.refuse('spec/mount-path', `${f}.target`, `${JSON.stringify(target)} is not an absolute path below /.`, "use e.g. '/static'.");
  if (o.type === 'bind') {
    const source = checkHostPath(o.source, `${f}.source`, refuser);
    const bo = o.bindOptions as { propagation?: unknown } | undefined;
    if (bo !== undefined && (typeof bo !== 'object' || Object.keys(bo).some((k) => k !== 'propagation') || (bo.propagation !== undefined && !PROPAGATION_OK.has(String(bo.propagation))))) {
      refuser.refuse('no-shared-mount-propagation', `${f}.bindOptions`, 'only private propagation is allowed: shared mounts propagate back to the host.', "remove bindOptions or use { propagation: 'rprivate' }.");
    }
    return { ...o, source };
  }
  if (o.type === 'volume') {
    const vo = o.volumeOptions as Record<string, unknown> | undefined;
    if (vo && (vo.driverName !== undefined || vo.driverOptions !== undefined)) {
      // The local driver with `o: bind, device: /` is a bind mount of any host path in disguise.
      refuser.refuse('no-host-path', `${f}.volumeOptions`, 'a volume driver or driver options can bind any host path (local driver, o=bind, device=/…).', 'use a plain named volume; create special volumes outside this program and bind them read-only.');
    }
    if (typeof o.source !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(o.source)) refuser.refuse('spec/docker-override', `${f}.source`, `${JSON.stringify(o.source)} is not a volume name.`, "use e.g. 'shop-static'.");
    return o;
  }
  if (o.type === 'tmpfs') return o;
  return refuser.refuse('spec/docker-override', `${f}.type`, `mount type ${JSON.stringify(o.type)} is not allowed.`, "use 'bind' (read-only application directory), 'volume' or 'tmpfs'.");
}, 32);

const volumes: Check = list((m, f, refuser) => {
  const o = m as Record<string, unknown>;
  if (!o || typeof o !== 'object') return refuser.refuse('spec/docker-override', f, 'expected a volume object.', "use { hostPath: '/srv/<app>/static', containerPath: '/static', readOnly: true }.");
  if (o.fromContainer !== undefined) refuser.refuse('no-host-path', `${f}.fromContainer`, "volumes from another container share that container's data and mounts.", 'mount a named volume into both instead.');
  for (const k of Object.keys(o)) {
    if (!['hostPath', 'volumeName', 'containerPath', 'readOnly'].includes(k)) refuser.refuse('spec/docker-override', `${f}.${k}`, `volume field ${k} is not allowed.`, 'use hostPath or volumeName, containerPath and readOnly.');
  }
  if (typeof o.containerPath !== 'string' || !o.containerPath.startsWith('/') || o.containerPath === '/') refuser.refuse('spec/mount-path', `${f}.containerPath`, `${JSON.stringify(o.containerPath)} is not an absolute path below /.`, "use e.g. '/static'.");
  if (o.hostPath !== undefined) return { ...o, hostPath: checkHostPath(o.hostPath, `${f}.hostPath`, refuser) };
  if (typeof o.volumeName !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(o.volumeName)) refuser.refuse('spec/docker-override', `${f}.volumeName`, `${JSON.stringify(o.volumeName)} is not a volume name.`, "use e.g. 'shop-static'.");
  return o;
}, 32);

/**
 * securityOpts that only tighten: an AppArmor profile other than unconfined, an SELinux level
 * (MCS categories). Not `label=type:…` (spc_t is "super privileged"), `label=disable`,
 * `seccomp=unconfined`, `systempaths=unconfined` or `apparmor=unconfined`.
 */
const securityOpts: Check = list((o, f, refuser) => {
  const s = typeof o === 'string' ? o.trim() : '';
  const [key, value = ''] = s.split(/[=:](.*)/s);
  const k = key.toLowerCase();
  const okApparmor = k === 'apparmor' && /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(value) && value.toLowerCase() !== 'unconfined';
  const okLevel = k === 'label' && /^level:s[0-9]+(-s[0-9]+)?(:c[0-9]+([.,]c[0-9]+)*)?$/.test(value);
  const okNnp = k === 'no-new-privileges' && (value === '' || value === 'true');
  if (!okApparmor && !okLevel && !okNnp) {
    refuser.refuse(k === 'apparmor' ? 'apparmor-not-unconfined' : k === 'label' ? 'selinux-options-safe' : 'seccomp-runtime-default', f,
      `security option ${JSON.stringify(o)} is not on the allow-list: it could loosen a kernel-level guard (seccomp, AppArmor, SELinux type, masked system paths).`,
      "only 'apparmor=<profile>' (not unconfined) and 'label=level:s0:cX,cY' are accepted; no-new-privileges:true is always set.");
  }
  return s;
}, 8);

/**
 * Fields accepted in `docker.overrides`, each with the check its value must pass.
 * @internal
 */
export const ALLOWED_OVERRIDES: Readonly<Record<string, Check>> = {
  labels,
  stopSignal: str(/^(SIG[A-Z0-9+-]{2,12}|[0-9]{1,2})$/, "use e.g. 'SIGQUIT'."),
  workingDir: str(/^\/[^\0\n\r]*$/, "use an absolute path, e.g. '/app'."),
  domainname: str(HOSTNAME, "use e.g. 'internal.example'."),
  dns: list(ip, 3),
  dnsSearches: list(str(HOSTNAME, "use e.g. 'internal.example'."), 6),
  dnsOpts: list(str(/^(ndots|timeout|attempts):[0-9]{1,2}$|^(rotate|edns0|single-request|single-request-reopen|use-vc)$/, "use e.g. 'ndots:2'."), 8),
  hosts: list((h, f, refuser) => {
    const o = h as { host?: unknown; ip?: unknown };
    str(HOSTNAME, "use e.g. 'db.internal'.")(o?.host, `${f}.host`, refuser);
    return { host: o.host, ip: ip(o.ip, `${f}.ip`, refuser) };
  }, 32),
  destroyGraceSeconds: int(0, 3600),
  wait: bool,
  waitTimeout: int(1, 3600),
  containerReadRefreshTimeoutMilliseconds: int(1, 600000),
  removeVolumes: bool,
  platform: str(/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/, "use e.g. 'linux/amd64'."),
  stdinOpen: bool,
  tty: bool,
  logs: bool,
  ulimits,
  sysctls,
  securityOpts,
  mounts,
  volumes,
  cgroupnsMode: str(/^private$/, "only 'private' is allowed: 'host' shares the host's cgroup namespace."),
};

const SPEC = (what: string): RefusedOverride => ({ ruleId: 'spec/docker-override', why: `it is set from the spec (${what}): overriding it here would bypass validation.`, fix: `change ${what} in the spec instead.` });
const HOST = (ruleId: string, what: string): RefusedOverride => ({ ruleId, why: `it can share the host's or another container's ${what}.`, fix: 'remove it: such software (a node agent, a debugging sidecar) is outside what a hardened service can be.' });
const DEVICES: RefusedOverride = { ruleId: 'no-host-devices', why: 'host devices (and GPUs) give the container direct access to hardware.', fix: 'remove it; run hardware-bound software outside the hardened constructs.' };

/** Every other `docker.Container` input, refused with a rule id and a fix. */
export const REFUSED_OVERRIDES: Readonly<Record<string, RefusedOverride>> = {
  attach: { ruleId: 'spec/docker-override', why: 'attach makes `pulumi up` wait for a long-running service to exit.', fix: 'remove it.' },
  capabilities: { ruleId: 'drop-all-capabilities', why: 'capabilities are derived from the spec (drop ALL, relaxations.addCapabilities).', fix: 'use relaxations.addCapabilities with a reason.' },
  cgroupParent: { ruleId: 'no-cgroup-parent-override', why: 'a custom cgroup parent can escape the limits set here.', fix: 'remove cgroupParent.' },
  command: SPEC('args'),
  cpuPeriod: SPEC('resources.limits.cpu'),
  cpuQuota: SPEC('resources.limits.cpu'),
  cpuSet: SPEC('resources'),
  cpuShares: SPEC('resources.requests.cpu'),
  cpus: SPEC('resources.limits.cpu'),
  deviceCgroupRules: DEVICES,
  deviceReadBps: DEVICES,
  deviceReadIops: DEVICES,
  deviceRequests: DEVICES,
  deviceWriteBps: DEVICES,
  deviceWriteIops: DEVICES,
  devices: DEVICES,
  entrypoints: SPEC('command'),
  envs: { ruleId: 'no-literal-secrets-in-env', why: 'raw env strings skip the secret checks of the spec.', fix: 'use env in the spec (secrets as references, mounted as files).' },
  gpus: DEVICES,
  groupAdds: { ruleId: 'high-uid-gid', why: "supplementary groups (e.g. '0', or the docker group) grant file access beyond the spec's user and group.", fix: 'use the spec group; give files that group.' },
  healthcheck: SPEC('probes and docker.healthcheck'),
  hostname: SPEC('name'),
  image: SPEC('image'),
  init: SPEC('the component (always an init process)'),
  ipcMode: HOST('no-host-ipc', 'IPC namespace (host, container:<other>, shareable)'),
  logDriver: SPEC('docker.logging'),
  logOpts: SPEC('docker.logging'),
  maxRetryCount: SPEC('docker.restart'),
  memory: SPEC('resources.limits.memory'),
  memoryReservation: SPEC('resources.requests.memory'),
  memorySwap: SPEC('resources.limits.memory'),
  mustRun: SPEC('the component'),
  name: SPEC('name'),
  networkMode: HOST('no-host-network', 'network namespace (host, container:<other>)'),
  networksAdvanced: { ruleId: 'network-policy-required', why: 'networks are derived from the declared connections (ingress, egress, connectTo) so reachability matches Kubernetes.', fix: 'declare the connection in the spec (ingress/egress) or with docker.connectTo.' },
  pidMode: HOST('no-host-pid', 'process namespace (host, container:<other>)'),
  ports: { ruleId: 'no-host-ports', why: 'published ports are checked against the spec (loopback by default, reasons, ingress CIDRs).', fix: 'use docker.publish.' },
  privileged: { ruleId: 'no-privileged', why: 'a privileged container has every capability and every host device.', fix: 'remove privileged; add the one baseline capability needed with relaxations.addCapabilities.' },
  publishAllPorts: { ruleId: 'no-host-ports', why: 'it publishes every exposed port on every host interface.', fix: 'use docker.publish.' },
  readOnly: { ruleId: 'read-only-root-fs', why: 'the root filesystem is read-only unless relaxed.', fix: 'use relaxations.writableRootFilesystem with a reason, or writablePaths.' },
  restart: SPEC('docker.restart'),
  rm: { ruleId: 'restart-policy', why: 'an auto-removed container cannot be restarted and loses its logs.', fix: 'remove rm.' },
  runtime: { ruleId: 'spec/docker-override', why: 'the OCI runtime decides the isolation itself (a custom runtime may have none).', fix: "configure the runtime as the daemon's default-runtime instead (e.g. runsc), outside this program." },
  shmSize: SPEC("writablePaths ('/dev/shm') or sharedMemory"),
  start: SPEC('the component'),
  stopTimeout: SPEC('terminationGracePeriodSeconds'),
  storageOpts: SPEC('resources.limits.ephemeralStorage with docker.storageLimit'),
  tmpfs: SPEC('writablePaths and tmpSizeLimit'),
  uploads: { ruleId: 'no-secret-values-in-manifests', why: 'uploaded file content becomes a Pulumi input (stored in state, often unencrypted) and is written into the container layer, which the read-only root filesystem refuses.', fix: 'bind a read-only host directory (secretSources for secrets, a mounts override for other files) or bake the file into the image.' },
  user: { ruleId: 'run-as-non-root', why: 'the user is derived from the spec (user, group, relaxations.runAsRoot).', fix: 'use the spec user/group.' },
  usernsMode: HOST('no-host-userns', 'user namespace'),
};

/**
 * Check `docker.overrides` against the allow-list; returns the accepted overrides with their
 * values canonicalized (host paths, sysctl names, IPs). Refuses everything else.
 * @internal
 */
export function checkOverrides(ov: unknown, fieldPrefix: string, refuser: Refuser): Record<string, unknown> {
  if (ov === undefined) return {};
  if (!ov || typeof ov !== 'object' || Array.isArray(ov)) refuser.refuse('spec/docker-override', fieldPrefix, 'overrides must be an object of docker.Container inputs.', 'give e.g. { stopSignal: "SIGQUIT" }.');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ov as object)) {
    const field = `${fieldPrefix}.${k}`;
    if (Object.prototype.hasOwnProperty.call(REFUSED_OVERRIDES, k)) {
      const r = REFUSED_OVERRIDES[k];
      refuser.refuse(r.ruleId, field, `${k} cannot be overridden: ${r.why}`, r.fix);
    }
    if (!Object.prototype.hasOwnProperty.call(ALLOWED_OVERRIDES, k)) {
      refuser.refuse('spec/docker-override', field, `${JSON.stringify(k)} is not on the allow-list of docker.overrides.`, `use one of: ${Object.keys(ALLOWED_OVERRIDES).join(', ')}; everything else comes from the spec.`);
    }
    if (!isPlain(v)) refuser.refuse('spec/docker-override', field, 'override values must be plain values (no Outputs or class instances), so that they can be checked before anything is registered.', 'give a literal value.');
    out[k] = ALLOWED_OVERRIDES[k](v, field, refuser);
  }
  return out;
}
