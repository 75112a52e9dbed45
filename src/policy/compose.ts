import { DockerContainer, DockerPort } from './types';
import { ownValue, scalarText } from '../spec/canonical';

/**
 * Map the services of a Compose file to the Docker container model the rules check. Tolerant of
 * malformed input: wrong types are ignored, never thrown on.
 */

function isRecord(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const UNITS: Record<string, number> = {
  b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4,
};

/** Compose byte values: 512m, 1g, 1.5gb, 1073741824. */
export function parseComposeBytes(x: unknown): number | undefined {
  if (typeof x === 'number' && Number.isFinite(x)) return x;
  if (typeof x !== 'string') return undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)$/.exec(x.trim());
  if (!m) return undefined;
  const unit = ownValue(UNITS, m[2].toLowerCase() || 'b');
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

function num(x: unknown): number | undefined {
  if (typeof x === 'number' && Number.isFinite(x)) return x;
  if (typeof x === 'string' && x.trim() !== '' && Number.isFinite(Number(x))) return Number(x);
  return undefined;
}

function strList(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((s) => typeof s === 'string' || typeof s === 'number').map(String) : [];
}

/** `KEY=VALUE` lists or maps. */
function keyValues(x: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(x)) {
    for (const e of x) {
      if (typeof e !== 'string') continue;
      const i = e.indexOf('=');
      if (i > 0) out[e.slice(0, i)] = e.slice(i + 1);
      else out[e] = '';
    }
  } else if (isRecord(x)) {
    for (const [k, v] of Object.entries(x)) out[k] = scalarText(v);
  }
  return out;
}

/** A value that is only `${VAR}` / `$VAR` interpolation is not a literal in the file. */
function isInterpolation(v: string): boolean {
  return /^\$\{[A-Za-z_][A-Za-z0-9_]*(:?[-?+][^}]*)?\}$|^\$[A-Za-z_][A-Za-z0-9_]*$/.test(v.trim());
}

function parsePort(p: unknown): DockerPort | undefined {
  if (isRecord(p)) {
    const internal = num(p.target);
    if (internal === undefined) return undefined;
    return { internal, external: num(p.published), ip: typeof p.host_ip === 'string' ? p.host_ip : undefined, protocol: typeof p.protocol === 'string' ? p.protocol : undefined };
  }
  if (typeof p !== 'string' && typeof p !== 'number') return undefined;
  let s = String(p);
  let protocol: string | undefined;
  const slash = s.indexOf('/');
  if (slash >= 0) {
    protocol = s.slice(slash + 1);
    s = s.slice(0, slash);
  }
  // [ip:]published:target, with IPv6 in brackets.
  let ip: string | undefined;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(s);
  if (v6) {
    ip = v6[1];
    s = v6[2];
  }
  const parts = s.split(':');
  if (parts.length === 3) ip = parts.shift();
  const target = num(parts[parts.length - 1]?.split('-')[0]);
  if (target === undefined) return undefined;
  const published = parts.length === 2 ? num(parts[0].split('-')[0]) : undefined;
  return { internal: target, external: published, ip: ip || undefined, protocol };
}

type Mount = NonNullable<DockerContainer['mounts']>[number];

function parseVolume(v: unknown): Mount | undefined {
  if (isRecord(v)) {
    const type = v.type === 'bind' || v.type === 'tmpfs' ? v.type : 'volume';
    if (typeof v.target !== 'string') return undefined;
    return { type, source: typeof v.source === 'string' ? v.source : undefined, target: v.target, readOnly: v.read_only === true, propagation: typeof v.bind?.propagation === 'string' ? v.bind.propagation : undefined };
  }
  if (typeof v !== 'string') return undefined;
  const parts = v.split(':');
  if (parts.length === 1) return { type: 'volume', target: parts[0] };
  const [source, target, mode = ''] = parts;
  const bind = /^([./~]|\$)/.test(source);
  const opts = mode.split(',');
  return { type: bind ? 'bind' : 'volume', source, target, readOnly: opts.includes('ro'), propagation: opts.find((o) => /^r?(shared|slave|private)$/.test(o)) };
}

function parseRestart(svc: Record<string, any>): { restart?: string; maxRetryCount?: number } {
  const rp = svc.deploy?.restart_policy;
  if (isRecord(rp)) {
    const cond = rp.condition === 'on-failure' ? 'on-failure' : rp.condition === 'any' ? 'always' : rp.condition === 'none' ? 'no' : undefined;
    return { restart: cond, maxRetryCount: num(rp.max_attempts) };
  }
  if (typeof svc.restart !== 'string') return {};
  const m = /^on-failure(?::([0-9]+))?$/.exec(svc.restart);
  if (m) return { restart: 'on-failure', maxRetryCount: m[1] !== undefined ? Number(m[1]) : undefined };
  return { restart: svc.restart };
}

function parseHealthcheck(h: unknown): DockerContainer['healthcheck'] {
  if (!isRecord(h)) return undefined;
  if (h.disable === true) return 'disabled';
  const test = typeof h.test === 'string' ? ['CMD-SHELL', h.test] : strList(h.test);
  if (test[0] === 'NONE') return 'disabled';
  return test.length ? { test } : undefined;
}

/** Is this parsed YAML document a Compose file? */
export function isComposeDocument(doc: unknown): doc is { services: Record<string, unknown> } {
  return isRecord(doc) && isRecord(doc.services) && doc.kind === undefined && doc.apiVersion === undefined;
}

/** One container model per Compose service. */
export function composeContainers(doc: { services: Record<string, unknown> }, source?: string): DockerContainer[] {
  const out: DockerContainer[] = [];
  for (const [name, raw] of Object.entries(doc.services)) {
    if (!isRecord(raw)) {
      out.push({ name, source });
      continue;
    }
    const svc = raw;
    const limits = isRecord(svc.deploy?.resources?.limits) ? svc.deploy.resources.limits : {};
    const reservations = isRecord(svc.deploy?.resources?.reservations) ? svc.deploy.resources.reservations : {};
    const env = keyValues(svc.environment);
    const secretEnv = Object.entries(env).filter(([, v]) => isInterpolation(v)).map(([k]) => k);
    const mounts: Mount[] = [];
    for (const v of Array.isArray(svc.volumes) ? svc.volumes : []) {
      const m = parseVolume(v);
      if (m) mounts.push(m);
    }
    for (const t of typeof svc.tmpfs === 'string' ? [svc.tmpfs] : strList(svc.tmpfs)) mounts.push({ type: 'tmpfs', target: t.split(':')[0] });
    const ports: DockerPort[] = [];
    for (const p of Array.isArray(svc.ports) ? svc.ports : []) {
      const parsed = parsePort(p);
      if (parsed) ports.push(parsed);
    }
    for (const e of Array.isArray(svc.expose) ? svc.expose : []) {
      const n = num(scalarText(e).split('/')[0]);
      if (n !== undefined) ports.push({ internal: n });
    }
    const declared = Array.isArray(svc.networks) ? strList(svc.networks) : isRecord(svc.networks) ? Object.keys(svc.networks) : [];
    // Compose attaches a service without `networks:` (and without network_mode) to the project's
    // own user-defined network, `default`: never to Docker's default bridge.
    const networks = declared.length || svc.network_mode !== undefined ? declared : ['default'];
    const logging = isRecord(svc.logging) ? svc.logging : {};
    out.push({
      name,
      source,
      image: typeof svc.image === 'string' ? svc.image : undefined,
      ...(svc.build !== undefined && svc.build !== null ? { build: typeof svc.build === 'string' ? svc.build : (isRecord(svc.build) && svc.build.context !== undefined && svc.build.context !== null ? scalarText(svc.build.context) : '.') } : {}),
      user: svc.user === undefined || svc.user === null ? undefined : scalarText(svc.user),
      readOnly: svc.read_only === true,
      privileged: svc.privileged === true,
      capAdd: strList(svc.cap_add),
      capDrop: strList(svc.cap_drop),
      securityOpts: strList(svc.security_opt),
      memory: parseComposeBytes(limits.memory ?? svc.mem_limit),
      memorySwap: parseComposeBytes(svc.memswap_limit),
      memoryReservation: parseComposeBytes(reservations.memory ?? svc.mem_reservation),
      cpus: num(limits.cpus ?? svc.cpus),
      cpuShares: num(svc.cpu_shares),
      pidsLimit: num(limits.pids ?? svc.pids_limit),
      ...parseRestart(svc),
      healthcheck: parseHealthcheck(svc.healthcheck),
      logDriver: typeof logging.driver === 'string' ? logging.driver : undefined,
      logOpts: keyValues(logging.options),
      ports,
      networkMode: typeof svc.network_mode === 'string' ? svc.network_mode : undefined,
      pidMode: typeof svc.pid === 'string' ? svc.pid : undefined,
      ipcMode: typeof svc.ipc === 'string' ? svc.ipc : undefined,
      utsMode: typeof svc.uts === 'string' ? svc.uts : undefined,
      usernsMode: typeof svc.userns_mode === 'string' ? svc.userns_mode : undefined,
      cgroupParent: typeof svc.cgroup_parent === 'string' ? svc.cgroup_parent : undefined,
      devices: Array.isArray(svc.devices) ? svc.devices.map((d: unknown) => (isRecord(d) ? scalarText(d.source) : scalarText(d))) : [],
      sysctls: keyValues(svc.sysctls),
      mounts,
      env,
      secretEnv,
      networks,
      labels: keyValues(svc.labels),
    });
  }
  return out;
}
