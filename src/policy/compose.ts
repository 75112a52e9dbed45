import { DockerContainer, DockerPort } from './types';
import { ownValue, scalarText } from '../spec/canonical';

/**
 * Map the services of a Compose file to the Docker container model the rules check. Tolerant of
 * malformed input: wrong types are ignored, never thrown on.
 */

function isRecord(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** An argument vector of a Compose service (`command`, `entrypoint`, `healthcheck.test`), for the secret scans. */
export interface ComposeArgv {
  /** The Compose field: `command`, `entrypoint` or `healthcheck.test`. */
  readonly field: string;
  /** The arguments (a string form split like a shell command line). */
  readonly argv: readonly string[];
  /** List form: a finding points at `field[index]`; string form: at `field` itself. */
  readonly list: boolean;
}

/** A Compose service as the rules see it: the Docker container model plus what only Compose files carry. */
export interface ComposeContainer extends DockerContainer {
  /** `command`, `entrypoint` and `healthcheck.test`, interpolated. */
  readonly argvs?: readonly ComposeArgv[];
  /** Variables the file uses without a default, by field (`image` → `['APP_VERSION']`): their value comes from the environment. */
  readonly unresolved?: Readonly<Record<string, readonly string[]>>;
}

/** Interpolation nested deeper than this (`${A:-${B:-…}}`) is left as written. */
const MAX_INTERPOLATION_DEPTH = 16;
const VAR_START = /[A-Za-z_]/;
const VAR_CHAR = /[A-Za-z0-9_]/;

/**
 * Compose interpolation as `docker compose config` does it with an empty environment: `$$` is a
 * literal `$`; `${VAR:-default}` and `${VAR-default}` give the (interpolated) default;
 * `${VAR:+alt}` and `${VAR+alt}` give ''; `${VAR}`, `$VAR` and `${VAR:?err}` / `${VAR?err}` need a
 * value from the environment: they are kept as written and their names returned in `unresolved`.
 * One pass over the text (nesting is bounded); malformed `${` is kept as written.
 * See https://docs.docker.com/reference/compose-file/interpolation/. @internal
 */
export function interpolateCompose(text: string): { value: string; unresolved: string[] } {
  const unresolved: string[] = [];
  const [value] = interpolateFrom(text, 0, 0, unresolved);
  return { value, unresolved };
}

/** Interpolate from `i` to the end, or (depth > 0) to the `}` closing the current `${`. Returns the text and the index after it. */
function interpolateFrom(text: string, i: number, depth: number, unresolved: string[]): [string, number] {
  let out = '';
  while (i < text.length) {
    const c = text[i];
    if (depth > 0 && c === '}') return [out, i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const n = text[i + 1];
    if (n === '$') {
      out += '$';
      i += 2;
    } else if (n !== undefined && VAR_START.test(n)) {
      let j = i + 2;
      while (j < text.length && VAR_CHAR.test(text[j])) j++;
      unresolved.push(text.slice(i + 1, j));
      out += text.slice(i, j);
      i = j;
    } else if (n === '{' && depth < MAX_INTERPOLATION_DEPTH) {
      const start = i;
      let j = i + 2;
      if (j < text.length && VAR_START.test(text[j])) {
        while (j < text.length && VAR_CHAR.test(text[j])) j++;
      }
      const name = text.slice(i + 2, j);
      const op = text.startsWith(':-', j) || text.startsWith(':?', j) || text.startsWith(':+', j) ? text.slice(j, j + 2) : '-?+'.includes(text[j] ?? 'x') ? text[j] : '';
      if (!name || (op === '' && text[j] !== '}')) {
        // Not interpolation Compose understands: keep the `$` and go on.
        out += '$';
        i++;
        continue;
      }
      if (op === '') {
        unresolved.push(name);
        out += text.slice(start, j + 1);
        i = j + 1;
        continue;
      }
      const [inner, end] = interpolateFrom(text, j + op.length, depth + 1, unresolved);
      if (end >= text.length) {
        // Unterminated: as written.
        out += text.slice(start);
        return [out, text.length];
      }
      if (op.endsWith('-')) {
        out += inner;
      } else if (op.endsWith('?')) {
        unresolved.push(name);
        out += text.slice(start, end + 1);
      }
      i = end + 1;
    } else {
      out += c;
      i++;
    }
  }
  return [out, i];
}

/**
 * A copy of a parsed value with every string interpolated; keys stay as written (Compose does not
 * interpolate them). Shared nodes (YAML anchors) are copied once per service (the loader bounds alias expansion).
 */
function interpolateTree(x: unknown, at: string, unresolved: Map<string, Set<string>>, memo: Map<object, unknown>): unknown {
  if (typeof x === 'string') {
    if (!x.includes('$')) return x;
    const r = interpolateCompose(x);
    if (r.unresolved.length) {
      const names = unresolved.get(at) ?? new Set<string>();
      for (const name of r.unresolved) names.add(name);
      unresolved.set(at, names);
    }
    return r.value;
  }
  if (typeof x !== 'object' || x === null) return x;
  const known = memo.get(x);
  if (known !== undefined) return known;
  if (Array.isArray(x)) {
    const copy: unknown[] = [];
    memo.set(x, copy);
    x.forEach((e, i) => copy.push(interpolateTree(e, `${at}[${i}]`, unresolved, memo)));
    return copy;
  }
  const copy: Record<string, unknown> = {};
  memo.set(x, copy);
  // defineProperty: a key named `__proto__` stays a key (as it is in the parsed document), never a prototype.
  for (const [k, v] of Object.entries(x)) Object.defineProperty(copy, k, { value: interpolateTree(v, at ? `${at}.${k}` : k, unresolved, memo), enumerable: true, writable: true, configurable: true });
  return copy;
}

/**
 * Split a Compose string `command`/`entrypoint` into words the way Compose does (shell-style
 * quoting, no shell): `'…'`, `"…"` with `\` escapes, `\` outside quotes. Linear. @internal
 */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      inWord = true;
      if (c === '"' || c === "'") quote = c;
      else if (c === '\\' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** `command`, `entrypoint` and `healthcheck.test` of a service as argument vectors. */
function serviceArgvs(svc: Record<string, any>): ComposeArgv[] {
  const out: ComposeArgv[] = [];
  for (const field of ['command', 'entrypoint'] as const) {
    const x = svc[field];
    if (typeof x === 'string') out.push({ field, argv: splitShellWords(x), list: false });
    else if (Array.isArray(x)) out.push({ field, argv: x.map((a) => (typeof a === 'string' || typeof a === 'number' ? String(a) : '')), list: true });
  }
  const test = isRecord(svc.healthcheck) ? svc.healthcheck.test : undefined;
  // A string test is CMD-SHELL: the text is a shell script, scanned as a whole.
  if (typeof test === 'string') out.push({ field: 'healthcheck.test', argv: [test], list: false });
  else if (Array.isArray(test)) out.push({ field: 'healthcheck.test', argv: test.map((a) => (typeof a === 'string' || typeof a === 'number' ? String(a) : '')), list: true });
  return out;
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

/** One `volumes` entry (short or long syntax). @internal */
export function parseVolume(v: unknown): Mount | undefined {
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
export function composeContainers(doc: { services: Record<string, unknown> }, source?: string): ComposeContainer[] {
  const out: ComposeContainer[] = [];
  for (const [name, raw] of Object.entries(doc.services)) {
    if (!isRecord(raw)) {
      out.push({ name, source });
      continue;
    }
    // What `docker compose config` would check with an empty environment (the parsed document is not changed).
    const unresolved = new Map<string, Set<string>>();
    const svc = interpolateTree(raw, '', unresolved, new Map()) as Record<string, any>;
    const limits = isRecord(svc.deploy?.resources?.limits) ? svc.deploy.resources.limits : {};
    const reservations = isRecord(svc.deploy?.resources?.reservations) ? svc.deploy.resources.reservations : {};
    const env = keyValues(svc.environment);
    // Values left to the environment (`${DB_PASSWORD}`) are references; a default written in the
    // file (`${DB_PASSWORD:-hunter2}`) is a literal like any other.
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
      argvs: serviceArgvs(svc),
      ...(unresolved.size ? { unresolved: Object.fromEntries([...unresolved].map(([k, names]) => [k, [...names]])) } : {}),
    });
  }
  return out;
}
