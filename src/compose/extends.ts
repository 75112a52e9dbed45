/**
 * Compose `extends`: a service takes the configuration of another service, of the same file or of
 * another one (`extends: { service, file }`), and overrides parts of it. Resolved here as
 * `docker compose config` does, before conversion and audit, so that both see the merged service
 * (https://docs.docker.com/reference/compose-file/services/#extends and
 * https://docs.docker.com/reference/compose-file/merge/):
 *
 * - mappings merge key by key, the extending service winning;
 * - sequences append, except `command`, `entrypoint` and `healthcheck.test`, which are replaced;
 * - `ports`, `volumes`, `secrets` and `configs` are merged by their unique key (ports: host IP,
 *   target, published port and protocol; volumes: target; secrets and configs: source);
 * - keys written as a list or a mapping (`environment`, `labels`, …) merge by name in either form;
 * - `depends_on` and `volumes_from` are never inherited;
 * - relative paths (`build`, `env_file`, bind-mount sources) of a service from another file stay
 *   relative to that file's folder: they are rewritten relative to the extending file's folder.
 *
 * Chains are followed (a service may extend one that extends another); a cycle or a missing
 * service is an error that names the services. YAML `!reset` / `!override` tags are not read:
 * tagged values merge like untagged ones.
 */
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { parsePort, parseVolume } from '../policy/compose';

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

function isRecord(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
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
  const x = parsePort(p);
  return x ? `port|${x.ip ?? ''}|${x.internal}|${x.external ?? ''}|${(x.protocol ?? 'tcp').toLowerCase()}` : `raw|${JSON.stringify(p)}`;
}
function volumeKey(v: unknown): string {
  const x = parseVolume(v);
  return x ? `target|${x.target}` : `raw|${JSON.stringify(v)}`;
}
function sourceKey(v: unknown): string {
  if (typeof v === 'string') return `source|${v}`;
  return isRecord(v) && typeof v.source === 'string' ? `source|${v.source}` : `raw|${JSON.stringify(v)}`;
}
const UNIQUE_KEY: Record<string, (x: unknown) => string> = { ports: portKey, volumes: volumeKey, secrets: sourceKey, configs: sourceKey };

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

/** Merge `over` into `base` (both already values of `field`). */
function mergeValue(base: unknown, over: unknown, field: string): unknown {
  if (over === undefined) return base;
  if (base === undefined || REPLACED.has(field)) return over;
  if (field === 'build') {
    const b = typeof base === 'string' ? { context: base } : base;
    const o = typeof over === 'string' ? { context: over } : over;
    return isRecord(b) && isRecord(o) ? mergeMapping(b, o, field) : over;
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
      const k = unique(e);
      const i = at.get(k);
      if (i === undefined) {
        at.set(k, out.length);
        out.push(e);
      } else {
        out[i] = isRecord(out[i]) && isRecord(e) ? mergeMapping(out[i], e, `${field}[]`) : e;
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
    if (b && o) return [...b, ...o];
  }
  return over;
}

function mergeMapping(base: Record<string, unknown>, over: Record<string, unknown>, field: string, flat = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(base)) setOwn(out, k, base[k]);
  for (const k of Object.keys(over)) {
    const sub = field ? `${field}.${k}` : k;
    setOwn(out, k, hasOwn(out, k) && !flat ? mergeValue(out[k], over[k], sub) : over[k]);
  }
  return out;
}

/** A path of another folder, rewritten relative to `toDir` (absolute paths, URLs and variables stay). */
function rebasePath(p: unknown, fromDir: string, toDir: string): unknown {
  if (typeof p !== 'string' || !p || path.isAbsolute(p) || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(p) || /^(~|\$|git@)/.test(p)) return p;
  const rel = path.relative(toDir, path.resolve(fromDir, p)).split(path.sep).join('/');
  if (!rel) return '.';
  return rel.startsWith('../') || rel === '..' ? rel : `./${rel}`;
}

function rebaseService(svc: Record<string, unknown>, fromDir: string, toDir: string): Record<string, unknown> {
  if (path.resolve(fromDir) === path.resolve(toDir)) return svc;
  const out = mergeMapping(svc, {}, '');
  const r = (p: unknown) => rebasePath(p, fromDir, toDir);
  if (typeof out.build === 'string') out.build = r(out.build);
  else if (isRecord(out.build)) out.build = { ...out.build, context: r(out.build.context ?? '.') };
  if (typeof out.env_file === 'string') out.env_file = r(out.env_file);
  else if (Array.isArray(out.env_file)) out.env_file = out.env_file.map((e) => (isRecord(e) ? { ...e, path: r(e.path) } : r(e)));
  if (Array.isArray(out.volumes)) {
    out.volumes = out.volumes.map((v) => {
      if (typeof v === 'string') {
        const i = v.indexOf(':');
        return i > 0 && v.startsWith('.') ? `${r(v.slice(0, i))}${v.slice(i)}` : v;
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

/** Resolve every `extends` of a services mapping. Throws ExtendsError. */
export function resolveExtends(services: Record<string, unknown>, options: ExtendsOptions = {}): ExtendsResult {
  const mainPath = options.file ? path.resolve(options.file) : '';
  const main: FileContext = { key: mainPath, services, dir: mainPath ? path.dirname(mainPath) : process.cwd() };
  const files = new Map<string, FileContext>();
  const done = new Map<string, { svc: unknown; chain: string[] }>();

  const resolve = (ctx: FileContext, name: string, stack: string[]): { svc: unknown; chain: string[] } => {
    const id = `${ctx.key}\0${name}`;
    const cached = done.get(id);
    if (cached) return cached;
    const svc = ctx.services[name];
    if (!isRecord(svc) || svc.extends === undefined || svc.extends === null) return { svc, chain: [] };
    const ext = svc.extends;
    const where = `service ${quote(name)}${ctx.label ? ` of ${ctx.label}` : ''}`;
    const target = typeof ext === 'string' ? ext : isRecord(ext) ? ext.service : undefined;
    const file = isRecord(ext) ? ext.file : undefined;
    if (typeof target !== 'string' || !target || (file !== undefined && (typeof file !== 'string' || !file))) {
      throw new ExtendsError(`${where}: extends must be a service name or { service: <name>, file?: <path> }.`);
    }
    let targetCtx = ctx;
    if (file !== undefined) {
      if (!options.load) throw new ExtendsError(`${where} extends ${quote(target)} from ${quote(file)}, and no file reader was given to read it.`);
      const loaded = options.load(file, ctx.key || undefined);
      const known = loaded.path === mainPath ? main : files.get(loaded.path);
      targetCtx = known ?? { key: loaded.path, services: loaded.services, dir: path.dirname(loaded.path), label: file };
      if (targetCtx !== main) files.set(loaded.path, targetCtx);
    }
    const targetId = `${targetCtx.key}\0${target}`;
    if (stack.includes(targetId)) {
      const names = [...stack, targetId].map((s) => s.split('\0')[1]);
      throw new ExtendsError(`${where}: extends forms a cycle (${names.map((n) => quote(n)).join(' → ')}): no service can be built.`);
    }
    if (!hasOwn(targetCtx.services, target) || !isRecord(targetCtx.services[target])) {
      throw new ExtendsError(`${where} extends ${quote(target)}${file !== undefined ? ` from ${quote(file)}` : ''}, which is not a service ${file !== undefined ? 'of that file' : 'of this file'}.`);
    }
    const base = resolve(targetCtx, target, [...stack, targetId]);
    const inherited = rebaseService(base.svc as Record<string, unknown>, targetCtx.dir, ctx.dir);
    const own: Record<string, unknown> = {};
    for (const k of Object.keys(inherited)) if (!NOT_INHERITED.includes(k)) setOwn(own, k, inherited[k]);
    const local: Record<string, unknown> = {};
    for (const k of Object.keys(svc)) if (k !== 'extends') setOwn(local, k, svc[k]);
    const result = { svc: mergeMapping(own, local, ''), chain: [`${target}${file !== undefined ? ` (${file})` : ''}`, ...base.chain] };
    done.set(id, result);
    return result;
  };

  const out: Record<string, unknown> = {};
  const merged = new Map<string, string[]>();
  for (const name of Object.keys(services)) {
    const r = resolve(main, name, [`${main.key}\0${name}`]);
    setOwn(out, name, r.svc);
    if (r.chain.length) merged.set(name, r.chain);
  }
  return { services: out, merged };
}

/** Whether any service of the mapping uses `extends`. */
export function usesExtends(services: Record<string, unknown>): boolean {
  return Object.values(services).some((s) => isRecord(s) && s.extends !== undefined && s.extends !== null);
}

/**
 * Parse the text of a file named by `extends.file`: one YAML document with a `services` mapping
 * (the file need not be a complete Compose file). Throws ExtendsError naming `file`.
 */
export function parseExtendedFile(text: string, file: string): Record<string, unknown> {
  const docs = parseAllDocuments(text, { merge: true, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const err = list.flatMap((d) => d.errors)[0];
  if (err) {
    const at = err.linePos?.[0];
    throw new ExtendsError(`${file}${at ? `:${at.line}:${at.col}` : ''}: malformed YAML: ${err.message.split('\n')[0]}`);
  }
  let values: unknown[];
  try {
    values = list.map((d) => d.toJS({ maxAliasCount: 100 })).filter((v) => v !== null && v !== undefined);
  } catch (e) {
    throw new ExtendsError(`${file}: malformed YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const doc = values[0];
  if (values.length !== 1 || !isRecord(doc) || !isRecord(doc.services)) throw new ExtendsError(`${file}: not a Compose file (one YAML document with a services mapping)`);
  return doc.services;
}
