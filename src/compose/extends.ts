/**
 * Compose `extends`: a service takes the configuration of another service, of the same file or of
 * another one (`extends: { service, file }`), and overrides parts of it. Resolved here as
 * `docker compose config` does, before conversion and audit, so that both see the merged service
 * (https://docs.docker.com/reference/compose-file/services/#extends and
 * https://docs.docker.com/reference/compose-file/merge/):
 *
 * - mappings merge key by key, the extending service winning;
 * - sequences append without repeating an entry, except `command`, `entrypoint` and
 *   `healthcheck.test`, which are replaced;
 * - `ports`, `volumes`, `secrets` and `configs` are merged by their unique key (ports: host IP,
 *   target, published port and protocol, ranges as written; volumes: target; secrets and configs:
 *   their target, by default `/run/secrets/<source>` and `/<source>`);
 * - keys written as a list or a mapping (`environment`, `labels`, …) merge by name in either form;
 *   `networks` merge per network (aliases append; a network listed by name keeps its settings);
 * - `logging` is replaced when the driver differs;
 * - `!reset` drops what the extended service set, `!override` replaces instead of merging;
 * - `depends_on` and `volumes_from` are never inherited;
 * - relative paths (`build`, `build.additional_contexts`, `env_file`, bind-mount sources) of a
 *   service from another file stay relative to that file's folder: they are rewritten relative to
 *   the extending file's folder.
 *
 * Chains are followed (a service may extend one that extends another, up to
 * MAX_EXTENDS_DEPTH); a cycle, a missing service or file is an error that names the service.
 * `extends.file` and `extends.service` are interpolated as Compose does with an empty environment
 * (`${COMMON:-common.yml}`). Each file is read once however many services extend it.
 */
import * as path from 'path';
import { applyTags, ComposeOverride, isReset } from './tags';
import { interpolateCompose, parseVolume } from '../policy/compose';
import { hasOwn } from '../spec/canonical';

/** Longest extends chain followed (Compose files use a handful; a longer one is refused, not walked). */
export const MAX_EXTENDS_DEPTH = 64;

/** An `extends` that cannot be resolved (missing service or file, a cycle, a malformed value). */
export class ExtendsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExtendsError';
  }
}

/**
 * Reads the Compose file an `extends.file` names: `file` as written, resolved against the folder of
 * `from` (the file that names it; undefined for the main file). Returns the file's `services`
 * mapping and its canonical path (the same file must give the same path: cycles are found by it).
 */
export type ComposeFileLoader = (file: string, from: string | undefined) => { readonly services: Record<string, unknown>; readonly path: string };

export interface ExtendsOptions {
  /** Path of the file the services come from: relative paths of other files are rewritten against its folder. */
  readonly file?: string;
  /** How to read another file; without it, `extends.file` is an error. */
  readonly load?: ComposeFileLoader;
}

export interface ExtendsResult {
  /** Every service, in input order, extended ones merged (without `extends`). */
  readonly services: Record<string, unknown>;
  /** For each service that extends another: the services merged into it, nearest first (`base`, or `base (common.yaml)`). */
  readonly merged: ReadonlyMap<string, readonly string[]>;
}

/** A mapping (not a list, and not a `!reset` / `!override` value). */
function isRecord(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !isReset(x) && !(x instanceof ComposeOverride);
}

/** Set an own property, whatever the key (`__proto__` included). */
const setOwn = (o: object, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
const quote = (s: unknown) => JSON.stringify(String(s).slice(0, 100));

/** Fields whose value the extending service replaces instead of merging. */
const REPLACED = new Set(['command', 'entrypoint', 'healthcheck.test']);
/** Fields written either as `KEY=value` lists or as mappings: merged by key, as a mapping. */
const LIST_OR_MAPPING = new Set(['environment', 'labels', 'annotations', 'sysctls', 'extra_hosts', 'networks', 'build.args', 'build.labels', 'build.extra_hosts', 'deploy.labels']);
/** Keys never inherited from the extended service. */
const NOT_INHERITED = ['depends_on', 'volumes_from', 'extends'];

function portKey(p: unknown): string {
  if (typeof p === 'object' && p !== null && !Array.isArray(p)) {
    const x = p as Record<string, unknown>;
    return `port|${x.host_ip ?? ''}|${x.target ?? ''}|${x.published ?? ''}|${String(x.protocol ?? 'tcp').toLowerCase()}`;
  }
  if (typeof p !== 'string' && typeof p !== 'number') return `raw|${JSON.stringify(p)}`;
  // [ip:][published:]target[/protocol], ranges as written; an IPv6 host address is bracketed.
  let s = String(p);
  const slash = s.lastIndexOf('/');
  const protocol = slash >= 0 ? s.slice(slash + 1).toLowerCase() : 'tcp';
  if (slash >= 0) s = s.slice(0, slash);
  const parts = s.startsWith('[') ? [s.slice(0, s.indexOf(']') + 1), ...s.slice(s.indexOf(']') + 2).split(':')] : s.split(':');
  const target = parts.pop() ?? '';
  const published = parts.pop() ?? '';
  const ip = parts.join(':').replace(/^\[|\]$/g, '');
  return `port|${ip}|${target}|${published}|${protocol}`;
}
function volumeKey(v: unknown): string {
  const x = parseVolume(v);
  return x ? `target|${x.target}` : `raw|${JSON.stringify(v)}`;
}
/** Secrets and configs are mounted at their target: by default `/run/secrets/<source>` and `/<source>`. */
function mountKey(defaultDir: string): (v: unknown) => string {
  return (v) => {
    if (typeof v === 'string') return `target|${defaultDir}${v}`;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return `raw|${JSON.stringify(v)}`;
    const x = v as Record<string, unknown>;
    if (typeof x.target === 'string' && x.target) return `target|${x.target.startsWith('/') ? x.target : `${defaultDir}${x.target}`}`;
    return typeof x.source === 'string' ? `target|${defaultDir}${x.source}` : `raw|${JSON.stringify(v)}`;
  };
}
const UNIQUE_KEY: Record<string, (x: unknown) => string> = { ports: portKey, volumes: volumeKey, secrets: mountKey('/run/secrets/'), configs: mountKey('/') };

/** `KEY=value` entries (or `host:ip` for extra_hosts, a bare name for networks) as a mapping. */
function asMapping(x: unknown, field: string): Record<string, unknown> | undefined {
  if (isRecord(x)) return x;
  if (!Array.isArray(x)) return undefined;
  const out: Record<string, unknown> = {};
  for (const e of x) {
    if (typeof e !== 'string') return undefined;
    let i = e.indexOf('=');
    if (i < 0 && field.endsWith('extra_hosts')) i = e.indexOf(':');
    setOwn(out, i > 0 ? e.slice(0, i) : e, i > 0 ? e.slice(i + 1) : null);
  }
  return out;
}

/** Appended sequences keep one copy of each entry (Compose drops repeated ones). */
function appendUnique(base: readonly unknown[], over: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (const e of [...base, ...over]) {
    const k = typeof e === 'object' && e !== null ? `o|${JSON.stringify(e)}` : `${typeof e}|${String(e)}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(e);
  }
  return out;
}

/** Merge `over` into `base` (both already values of `field`). RESET means: remove the field. */
function mergeValue(base: unknown, over: unknown, field: string): unknown {
  if (over === undefined) return base;
  if (isReset(over)) return over;
  if (over instanceof ComposeOverride) return applyTags(over.value);
  if (base === undefined || REPLACED.has(field)) return over;
  if (field === 'build') {
    const b = typeof base === 'string' ? { context: base } : base;
    const o = typeof over === 'string' ? { context: over } : over;
    return isRecord(b) && isRecord(o) ? mergeMapping(b, o, field) : over;
  }
  if (field === 'logging' && isRecord(base) && isRecord(over) && over.driver !== undefined && base.driver !== undefined && over.driver !== base.driver) return over;
  if (field === 'networks') {
    const b = asMapping(base, field);
    const o = asMapping(over, field);
    if (!b || !o) return over;
    const out = mergeMapping(b, {}, '');
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (isReset(v)) delete out[k];
      else if (v === null || v === undefined) setOwn(out, k, hasOwn(out, k) ? out[k] : null);
      else setOwn(out, k, hasOwn(out, k) && isRecord(out[k]) && isRecord(v) ? mergeMapping(out[k] as Record<string, unknown>, v, 'networks.*') : applyTags(v));
    }
    return out;
  }
  if (LIST_OR_MAPPING.has(field)) {
    const b = asMapping(base, field);
    const o = asMapping(over, field);
    if (b && o) return mergeMapping(b, o, field, true);
    return over;
  }
  const unique = UNIQUE_KEY[field];
  if (unique && Array.isArray(base) && Array.isArray(over)) {
    const out = [...base];
    const at = new Map<string, number>();
    out.forEach((e, i) => at.set(unique(e), i));
    for (const e of over) {
      if (isReset(e)) continue;
      const k = unique(e);
      const i = at.get(k);
      if (i === undefined) {
        at.set(k, out.length);
        out.push(e);
      } else {
        // An entry with the same key replaces the extended service's whole entry (as compose-go does).
        out[i] = applyTags(e);
      }
    }
    return out;
  }
  if (isRecord(base) && isRecord(over)) return mergeMapping(base, over, field);
  // A single value and a list of the same field (`dns`, `tmpfs`, `env_file`, …) append as lists.
  const list = (x: unknown) => (Array.isArray(x) ? x : typeof x === 'string' ? [x] : undefined);
  if (Array.isArray(base) || Array.isArray(over)) {
    const b = list(base);
    const o = list(over);
    if (b && o) return appendUnique(b, o);
  }
  return over;
}

function mergeMapping(base: Record<string, unknown>, over: Record<string, unknown>, field: string, flat = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(base)) setOwn(out, k, base[k]);
  for (const k of Object.keys(over)) {
    const sub = field ? `${field}.${k}` : k;
    const v = hasOwn(out, k) && !flat ? mergeValue(out[k], over[k], sub) : over[k];
    if (isReset(v)) delete out[k];
    else setOwn(out, k, v instanceof ComposeOverride ? applyTags(v.value) : v);
  }
  return out;
}

/** The top-level sections whose entries files merge by name. */
const MERGED_SECTIONS = new Set(['services', 'networks', 'volumes', 'secrets', 'configs']);

/**
 * Merge two Compose files as `docker compose -f base -f over` does (an include `path` list): each
 * service, network, volume, secret and config by name with the rules above, `include` lists
 * appended, other top-level keys replaced. Merge tags of `over` are applied. @internal
 */
export function mergeComposeFiles(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(base)) setOwn(out, k, base[k]);
  for (const k of Object.keys(over)) {
    const b = out[k];
    const o = over[k];
    if (k === 'include' && Array.isArray(b) && Array.isArray(o)) {
      setOwn(out, k, [...b, ...o]);
    } else if (MERGED_SECTIONS.has(k) && isRecord(b) && isRecord(o)) {
      const section: Record<string, unknown> = {};
      for (const n of Object.keys(b)) setOwn(section, n, b[n]);
      for (const n of Object.keys(o)) {
        const prev = hasOwn(section, n) ? section[n] : undefined;
        const merged = isRecord(prev) && isRecord(o[n]) ? mergeMapping(prev, o[n], '') : o[n];
        if (isReset(merged)) delete section[n];
        else setOwn(section, n, merged);
      }
      setOwn(out, k, section);
    } else if (isReset(o)) {
      delete out[k];
    } else {
      setOwn(out, k, o);
    }
  }
  return out;
}

/** A path of another folder, rewritten relative to `toDir` (absolute paths, URLs, `github.com/…` remote contexts and variables stay). @internal */
export function rebasePath(raw: unknown, fromDir: string, toDir: string): unknown {
  let p = raw;
  if (typeof p === 'string' && p.includes('$')) {
    // With an empty environment a default (`${DIR:-./web}`) is the path; a variable without one stays.
    const r = interpolateCompose(p);
    if (r.unresolved.length) return raw;
    p = r.value;
  }
  if (typeof p !== 'string' || !p || path.isAbsolute(p) || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(p) || /^(~|git@|github\.com\/)/.test(p)) return raw;
  const rel = path.relative(toDir, path.resolve(fromDir, p)).split(path.sep).join('/');
  if (!rel) return '.';
  return rel.startsWith('../') || rel === '..' ? rel : `./${rel}`;
}

/** A service's relative paths (build, env files, bind mounts), rewritten from `fromDir` to `toDir`. @internal */
export function rebaseService(svc: Record<string, unknown>, fromDir: string, toDir: string): Record<string, unknown> {
  if (path.resolve(fromDir) === path.resolve(toDir)) return svc;
  const out = mergeMapping(svc, {}, '');
  const r = (p: unknown) => rebasePath(p, fromDir, toDir);
  if (typeof out.build === 'string') {
    out.build = r(out.build);
  } else if (isRecord(out.build)) {
    const build: Record<string, unknown> = { ...out.build, context: r(out.build.context ?? '.') };
    const extra = build.additional_contexts;
    if (isRecord(extra)) {
      build.additional_contexts = Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, r(v)]));
    } else if (Array.isArray(extra)) {
      build.additional_contexts = extra.map((e) => (typeof e === 'string' && e.includes('=') ? `${e.slice(0, e.indexOf('='))}=${r(e.slice(e.indexOf('=') + 1))}` : e));
    }
    out.build = build;
  }
  if (typeof out.env_file === 'string') out.env_file = r(out.env_file);
  else if (Array.isArray(out.env_file)) out.env_file = out.env_file.map((e) => (isRecord(e) ? { ...e, path: r(e.path) } : r(e)));
  if (Array.isArray(out.volumes)) {
    out.volumes = out.volumes.map((v) => {
      if (typeof v === 'string') {
        // `${DATA:-./data}:/data`: the default is the path (the `:` inside the variable is not the separator).
        const text = v.includes('$') ? interpolated(v) : v;
        if (typeof text !== 'string' || text.includes('$')) return v;
        const i = text.indexOf(':');
        return i > 0 && text.startsWith('.') ? `${r(text.slice(0, i))}${text.slice(i)}` : v;
      }
      return isRecord(v) && v.type === 'bind' ? { ...v, source: r(v.source) } : v;
    });
  }
  return out;
}

interface FileContext {
  /** Canonical path ('' for services given without a file). */
  readonly key: string;
  readonly services: Record<string, unknown>;
  readonly dir: string;
  /** Shown in messages and merge notes (undefined for the main file). */
  readonly label?: string;
}

/** An `extends` field (`service` or `file`) as Compose reads it: interpolated with an empty environment. */
function interpolated(x: unknown): unknown {
  return typeof x === 'string' && x.includes('$') ? interpolateCompose(x).value : x;
}

/**
 * A value (a path, a service name) as Compose interpolates it with an empty environment, the one
 * the converter has; `missing` names a variable that has no default (the value is then unknown). @internal
 */
export function interpolateWithoutEnvironment(raw: string): { value: string; missing?: string } {
  if (!raw.includes('$')) return { value: raw };
  const r = interpolateCompose(raw);
  return { value: r.value, missing: r.unresolved[0] };
}

/** How a message ends for a variable without a default. @internal */
export function noVariableValue(name: string): string {
  return `needs the variable ${name}, and the converter reads no environment: write the value, or give the variable a default (\${${name}:-…})`;
}

/** Resolve every `extends` of a services mapping. Throws ExtendsError. */
export function resolveExtends(services: Record<string, unknown>, options: ExtendsOptions = {}): ExtendsResult {
  const mainPath = options.file ? path.resolve(options.file) : '';
  const main: FileContext = { key: mainPath, services, dir: mainPath ? path.dirname(mainPath) : process.cwd() };
  const files = new Map<string, FileContext>();
  /** Each file read once: by the file naming it and the path as written. */
  const loads = new Map<string, FileContext>();
  const done = new Map<string, { svc: unknown; chain: string[] }>();

  const load = (file: string, ctx: FileContext, where: string): FileContext => {
    const id = `${ctx.key}\0${file}`;
    const read = loads.get(id);
    if (read) return read;
    if (!options.load) throw new ExtendsError(`${where} extends a service of ${quote(file)}, and no file reader was given to read it.`);
    let loaded: ReturnType<ComposeFileLoader>;
    try {
      loaded = options.load(file, ctx.key || undefined);
    } catch (e) {
      if (e instanceof ExtendsError) throw e;
      throw new ExtendsError(`${where}: extends.file ${quote(file)}: ${String((e as Error)?.message ?? e).split('\n')[0]}`);
    }
    const known = loaded.path === mainPath ? main : files.get(loaded.path);
    const target = known ?? { key: loaded.path, services: loaded.services, dir: path.dirname(loaded.path), label: file };
    if (target !== main) files.set(loaded.path, target);
    loads.set(id, target);
    return target;
  };

  const resolve = (ctx: FileContext, name: string, stack: Set<string>): { svc: unknown; chain: string[] } => {
    const id = `${ctx.key}\0${name}`;
    const cached = done.get(id);
    if (cached) return cached;
    const svc = ctx.services[name];
    // A service that extends nothing is its own value, its tags applied (they concern it alone).
    if (!isRecord(svc) || svc.extends === undefined || svc.extends === null) return { svc: applyTags(svc), chain: [] };
    const ext = svc.extends;
    const where = `service ${quote(name)}${ctx.label ? ` of ${ctx.label}` : ''}`;
    // A variable without a default has no value here (the converter reads no environment): say so,
    // rather than look for a file or service named `${VAR}`.
    const field = (what: 'service' | 'file', raw: unknown): unknown => {
      if (typeof raw !== 'string') return raw;
      const r = interpolateWithoutEnvironment(raw);
      if (r.missing) throw new ExtendsError(`${where}: extends.${what} ${quote(raw)} ${noVariableValue(r.missing)}.`);
      return r.value;
    };
    const target = field('service', typeof ext === 'string' ? ext : isRecord(ext) ? ext.service : undefined);
    const file = field('file', isRecord(ext) ? ext.file : undefined);
    if (typeof target !== 'string' || !target || (file !== undefined && (typeof file !== 'string' || !file))) {
      throw new ExtendsError(`${where}: extends must be a service name or { service: <name>, file?: <path> }.`);
    }
    const targetCtx = file !== undefined ? load(file, ctx, where) : ctx;
    const targetId = `${targetCtx.key}\0${target}`;
    if (stack.has(targetId)) {
      const names = [...stack, targetId].map((x) => x.split('\0')[1]);
      throw new ExtendsError(`${where}: extends forms a cycle (${names.map((n) => quote(n)).join(' → ')}): no service can be built.`);
    }
    if (stack.size >= MAX_EXTENDS_DEPTH) {
      throw new ExtendsError(`${where}: the extends chain is longer than ${MAX_EXTENDS_DEPTH} services: flatten it (a service may extend one that extends another, a few levels deep).`);
    }
    if (!hasOwn(targetCtx.services, target) || !isRecord(targetCtx.services[target])) {
      throw new ExtendsError(`${where} extends ${quote(target)}${file !== undefined ? ` from ${quote(file)}` : ''}, which is not a service ${file !== undefined ? 'of that file' : 'of this file'}.`);
    }
    stack.add(targetId);
    const base = resolve(targetCtx, target, stack);
    stack.delete(targetId);
    if (base.chain.length + 1 > MAX_EXTENDS_DEPTH) {
      throw new ExtendsError(`${where}: the extends chain is longer than ${MAX_EXTENDS_DEPTH} services: flatten it (a service may extend one that extends another, a few levels deep).`);
    }
    const inherited = rebaseService(base.svc as Record<string, unknown>, targetCtx.dir, ctx.dir);
    const own: Record<string, unknown> = {};
    for (const k of Object.keys(inherited)) if (!NOT_INHERITED.includes(k)) setOwn(own, k, inherited[k]);
    const local: Record<string, unknown> = {};
    for (const k of Object.keys(svc)) if (k !== 'extends') setOwn(local, k, svc[k]);
    const result = { svc: applyTags(mergeMapping(own, local, '')), chain: [`${target}${file !== undefined ? ` (${file})` : ''}`, ...base.chain] };
    done.set(id, result);
    return result;
  };

  const out: Record<string, unknown> = {};
  const merged = new Map<string, string[]>();
  for (const name of Object.keys(services)) {
    const r = resolve(main, name, new Set([`${main.key}\0${name}`]));
    setOwn(out, name, applyTags(r.svc));
    if (r.chain.length) merged.set(name, r.chain);
  }
  return { services: out, merged };
}

/** Whether any service of the mapping uses `extends`. */
export function usesExtends(services: Record<string, unknown>): boolean {
  return Object.values(services).some((s) => isRecord(s) && s.extends !== undefined && s.extends !== null);
}

/**
 * Parse the text of a file named by `extends.file` or `include`: one YAML document, a mapping (merge
 * tags kept). Throws ExtendsError naming `file`.
 */
export function parseComposeDocument(text: string, file: string): Record<string, unknown> {
  // The YAML library loads here: the audit reads its own files with another parser.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ComposeYamlError, parseComposeYaml } = require('./yaml') as typeof import('./yaml');
  let values: unknown[];
  try {
    values = parseComposeYaml(text, file);
  } catch (e) {
    if (e instanceof ComposeYamlError) throw new ExtendsError(e.message);
    throw e;
  }
  const doc = values[0];
  if (values.length !== 1 || !isRecord(doc)) throw new ExtendsError(`${file}: not a Compose file (one YAML document, a mapping)`);
  return doc;
}

/**
 * Parse the text of a file named by `extends.file`: one YAML document with a `services` mapping
 * (the file need not be a complete Compose file). Throws ExtendsError naming `file`.
 */
export function parseExtendedFile(text: string, file: string): Record<string, unknown> {
  const doc = parseComposeDocument(text, file);
  if (!isRecord(doc.services)) throw new ExtendsError(`${file}: not a Compose file (one YAML document with a services mapping)`);
  return doc.services;
}
