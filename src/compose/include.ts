/**
 * Compose `include` (https://docs.docker.com/reference/compose-file/include/): each entry names a
 * Compose file (or a list of files, merged as `docker compose -f a -f b` merges them) that is
 * loaded as an application of its own, relative paths against its own project directory, and
 * whose resources (services, networks, volumes, secrets, configs) are then copied into the
 * including file's model. Resolved here before conversion, as `docker compose config` does:
 *
 * - includes apply recursively; a file that includes itself (directly or not) is an error, and a
 *   chain deeper than MAX_INCLUDE_DEPTH is refused rather than walked;
 * - a resource defined both by the including file (or an earlier include) and by an included file
 *   is an error unless both definitions are identical: Compose copies, it does not merge;
 * - an included file's own `extends` are resolved relative to that file;
 * - relative paths (build contexts, env files, bind-mount sources, secret and config files) are
 *   rewritten from the included project directory to the including file's folder;
 * - `path` and `project_directory` are interpolated as Compose does with an empty environment
 *   (`${DIR:-./db}`); `env_file` (variables for that interpolation) is not read: the converter
 *   interpolates every file with an empty environment, and lists the field as not converted.
 */
import * as path from 'path';
import { ComposeFileLoader, ExtendsError, interpolateWithoutEnvironment, mergeComposeFiles, noVariableValue, rebasePath, rebaseService, resolveExtends, usesExtends } from './extends';
import { applyTags, ComposeOverride, isReset } from './tags';
import { composeSchemaCheck } from '../cli/compose-schema';
import { hasOwn } from '../spec/canonical';

/** Deepest chain of files including files (real projects use two or three levels). */
export const MAX_INCLUDE_DEPTH = 32;
/** Most files one model may include, all levels together (each is read once). */
export const MAX_INCLUDED_FILES = 1000;

/** The top-level sections whose entries an included file contributes. */
const RESOURCES = ['services', 'networks', 'volumes', 'secrets', 'configs'] as const;

/**
 * Reads a whole Compose file named by `include` (or `extends.file`): `file` as written, resolved
 * against the folder of `from` (the file naming it; undefined for the main file). Returns the
 * parsed document (merge tags kept) and the file's canonical path.
 */
export type ComposeDocumentLoader = (file: string, from: string | undefined) => { readonly document: Record<string, unknown>; readonly path: string };

/** An `include` that cannot be resolved (missing or malformed file, a cycle, a conflict). */
export class IncludeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncludeError';
  }
}

export interface IncludeOptions {
  /** Path of the including (main) file; relative include paths are resolved against its folder. */
  readonly file?: string;
  /** How to read an included file; without it, `include` is an error. */
  readonly loadDocument?: ComposeDocumentLoader;
}

export interface IncludeResult {
  /** The document with every included resource copied in and `include` removed (merge tags of the main file kept). */
  readonly document: Record<string, unknown>;
  /** Each service that came from an included file, with that file as written in the include. */
  readonly origins: ReadonlyMap<string, string>;
  /** Fields of include entries that are not converted (`include[0].env_file`). */
  readonly notConverted: readonly string[];
}

const isRecord = (x: unknown): x is Record<string, any> =>
  typeof x === 'object' && x !== null && !Array.isArray(x) && !isReset(x) && !(x instanceof ComposeOverride);
const setOwn = (o: object, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
/** A section without its `!override` tag. */
const untagged = (x: unknown): unknown => (x instanceof ComposeOverride ? x.value : x);
const quote = (s: unknown) => JSON.stringify(String(s).slice(0, 100));

/** A path field as Compose reads it: interpolated with an empty environment. */
function pathValue(x: unknown, where: string): string {
  if (typeof x !== 'string' || !x.trim()) throw new IncludeError(`${where}: must be a file path (a non-empty string).`);
  const r = interpolateWithoutEnvironment(x);
  if (r.missing) throw new IncludeError(`${where}: ${quote(x)} ${noVariableValue(r.missing)}.`);
  return r.value;
}

interface Entry {
  readonly paths: string[];
  readonly projectDirectory?: string;
  readonly envFile: boolean;
}

function entriesOf(include: unknown, where: string): Entry[] {
  if (include === undefined || include === null) return [];
  if (!Array.isArray(include)) throw new IncludeError(`${where}include: must be a list of files or { path, project_directory, env_file } entries.`);
  return include.map((e, i) => {
    const at = `${where}include[${i}]`;
    if (typeof e === 'string') return { paths: [pathValue(e, at)], envFile: false };
    if (!isRecord(e)) throw new IncludeError(`${at}: must be a file path or { path, project_directory?, env_file? }.`);
    for (const k of Object.keys(e)) {
      if (k !== 'path' && k !== 'project_directory' && k !== 'env_file') throw new IncludeError(`${at}: unknown field ${quote(k)} (an include entry has path, project_directory and env_file).`);
    }
    const raw = Array.isArray(e.path) ? e.path : [e.path];
    if (raw.length === 0) throw new IncludeError(`${at}.path: must name at least one file.`);
    const paths = raw.map((p: unknown, j: number) => pathValue(p, Array.isArray(e.path) ? `${at}.path[${j}]` : `${at}.path`));
    const projectDirectory = e.project_directory === undefined ? undefined : pathValue(e.project_directory, `${at}.project_directory`);
    return { paths, projectDirectory, envFile: e.env_file !== undefined };
  });
}

/** Deep equality of parsed YAML values (plain data); iterative, so any nesting depth is compared. */
function same(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null || Array.isArray(x) !== Array.isArray(y)) return false;
    const kx = Object.keys(x);
    const ky = Object.keys(y);
    if (kx.length !== ky.length) return false;
    for (const k of kx) {
      if (!hasOwn(y, k)) return false;
      stack.push([(x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]]);
    }
  }
  return true;
}

/** Top-level secrets and configs read from a file: the path is relative to the project directory. */
function rebaseResource(kind: string, value: unknown, fromDir: string, toDir: string): unknown {
  if ((kind !== 'secrets' && kind !== 'configs') || !isRecord(value) || typeof value.file !== 'string') return value;
  return { ...value, file: rebasePath(value.file, fromDir, toDir) };
}

interface Context {
  /** Canonical path ('' for a document given without a file). */
  readonly key: string;
  /** The folder relative paths of the document are relative to. */
  readonly dir: string;
  /** Files including this one, canonical paths (cycles). */
  readonly stack: readonly string[];
  /** The include path as written, for messages (undefined for the main file). */
  readonly label?: string;
}

/** Resolve every `include` of a document (recursively). Throws IncludeError. */
export function resolveIncludes(document: Record<string, unknown>, options: IncludeOptions = {}): IncludeResult {
  const mainPath = options.file ? path.resolve(options.file) : '';
  const mainDir = mainPath ? path.dirname(mainPath) : process.cwd();
  const origins = new Map<string, string>();
  const notConverted: string[] = [];
  let filesRead = 0;
  /** Files whose schema was checked. */
  const checked = new Set<string>();
  /** Resolved entries: a file included again (from anywhere, to the same folder) is copied from here. */
  const resolvedEntries = new Map<string, Record<string, unknown>>();

  /** The resources an include entry contributes, with every path relative to `toDir`. */
  const includeEntry = (entry: Entry, ctx: Context, at: string, toDir: string): Record<string, unknown> => {
    if (!options.loadDocument) throw new IncludeError(`${at} includes ${quote(entry.paths[0])}, and no file reader was given to read it.`);
    const loaded = entry.paths.map((p) => {
      let r: ReturnType<ComposeDocumentLoader>;
      try {
        // Relative to the including model's project directory (its file's folder unless project_directory moved it).
        r = options.loadDocument!(p, ctx.key ? path.join(ctx.dir, path.basename(ctx.key)) : undefined);
      } catch (e) {
        if (e instanceof IncludeError) throw e;
        throw new IncludeError(`${at}: ${quote(p)}: ${String((e as Error)?.message ?? e).split('\n')[0].slice(0, 300)}`);
      }
      if (r.path === ctx.key || ctx.stack.includes(r.path)) {
        throw new IncludeError(`${at}: ${quote(p)} includes itself (through ${[...ctx.stack, ctx.key].filter(Boolean).map((k) => quote(path.basename(k))).join(' → ')}): Compose refuses include cycles.`);
      }
      if (!isRecord(r.document)) throw new IncludeError(`${at}: ${quote(p)} is not a Compose file (a mapping).`);
      // Each included file follows the Compose Specification on its own (as docker compose checks
      // it): a misspelled `servces:` must not drop its services silently.
      if (!checked.has(r.path)) {
        checked.add(r.path);
        const result = composeSchemaCheck(applyTags(r.document));
        if (result.errors.length) {
          throw new IncludeError(`${at}: ${quote(p)} does not follow the Compose Specification: ${result.errors.slice(0, 5).join('; ')}${result.errors.length > 5 ? ` (and ${result.errors.length - 5} more)` : ''}`);
        }
        for (const f of result.unknownFields) if (f !== 'include') notConverted.push(`${p}: ${f}`);
      }
      return r;
    });
    if (ctx.stack.length + 1 >= MAX_INCLUDE_DEPTH) throw new IncludeError(`${at}: includes nest deeper than ${MAX_INCLUDE_DEPTH} files: flatten them.`);
    const first = loaded[0];
    // The project directory: given (relative to the including file's folder), or the first file's folder.
    const projectDir = entry.projectDirectory !== undefined ? path.resolve(ctx.dir, entry.projectDirectory) : path.dirname(first.path);
    // The same files into the same folder give the same resources: resolved once (a file included
    // by many others, or listed many times, costs one resolution; cycles were checked above).
    const cacheKey = `${loaded.map((r) => r.path).join('\0')}\0${projectDir}\0${toDir}`;
    const cached = resolvedEntries.get(cacheKey);
    if (cached) return cached;
    filesRead += loaded.length;
    if (filesRead > MAX_INCLUDED_FILES) throw new IncludeError(`${at}: more than ${MAX_INCLUDED_FILES} included files: refused rather than read.`);
    const merged = loaded.slice(1).reduce((doc, r) => mergeComposeFiles(doc, r.document), first.document);
    const label = entry.paths.join(' + ');
    // Where the services are defined, relative to the main file's folder (what a reader of it sees).
    const shown = loaded.map((r) => path.relative(mainDir, r.path).split(path.sep).join('/') || r.path).join(' + ');
    const model = resolveModel(merged, { key: first.path, dir: projectDir, stack: [...ctx.stack, ctx.key].filter(Boolean), label }, `${label}: `);
    const out: Record<string, unknown> = {};
    for (const kind of RESOURCES) {
      const section = model[kind];
      if (!isRecord(section)) continue;
      const rebased: Record<string, unknown> = {};
      for (const name of Object.keys(section)) {
        const v = section[name];
        setOwn(rebased, name, kind === 'services' && isRecord(v) ? rebaseService(v, projectDir, toDir) : rebaseResource(kind, v, projectDir, toDir));
        if (kind === 'services' && !origins.has(name)) origins.set(name, shown);
      }
      setOwn(out, kind, rebased);
    }
    resolvedEntries.set(cacheKey, out);
    return out;
  };

  /**
   * A document with its includes copied in and its own extends resolved (`where` prefixes messages).
   * The main document keeps its merge tags and extends: the caller resolves them with the rest.
   */
  const resolveModel = (doc: Record<string, unknown>, ctx: Context, where: string, main = false): Record<string, unknown> => {
    const entries = entriesOf(doc.include, where);
    const own = main ? doc : (applyTags(doc) as Record<string, unknown>);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(own)) if (k !== 'include') setOwn(out, k, own[k]);
    /** Who defined each resource, for conflict messages. */
    const definedBy = new Map<string, string>();
    const here = ctx.label ?? 'this file';
    for (const kind of RESOURCES) {
      const section = untagged(out[kind]);
      if (isRecord(section)) for (const n of Object.keys(section)) definedBy.set(`${kind}\0${n}`, here);
    }
    // Each section is copied once (the document's own entries), then every include adds to the copy.
    const targets = new Map<string, Record<string, unknown>>();
    const targetOf = (kind: string): Record<string, unknown> => {
      let target = targets.get(kind);
      if (!target) {
        target = {};
        // A tagged section (`services: !override {…}`) of the main file: its entries, the tag kept around them.
        const existing = out[kind];
        const base = untagged(existing);
        if (isRecord(base)) for (const n of Object.keys(base)) setOwn(target, n, base[n]);
        setOwn(out, kind, existing instanceof ComposeOverride ? new ComposeOverride(target) : target);
        targets.set(kind, target);
      }
      return target;
    };
    entries.forEach((entry, i) => {
      const at = `${where}include[${i}]`;
      if (entry.envFile) notConverted.push(`${main ? '' : `${ctx.label}: `}include[${i}].env_file`);
      const imported = includeEntry(entry, ctx, at, ctx.dir);
      for (const kind of RESOURCES) {
        const section = imported[kind];
        if (!isRecord(section)) continue;
        const target = targetOf(kind);
        for (const n of Object.keys(section)) {
          const key = `${kind}\0${n}`;
          const by = definedBy.get(key);
          if (by !== undefined && hasOwn(target, n)) {
            // The same definition again (a file included twice): nothing to compare.
            if (target[n] === section[n]) continue;
            const mine = applyTags(target[n]);
            if (!same(mine, section[n])) {
              const what = kind === 'services' ? 'service' : kind.slice(0, -1);
              throw new IncludeError(`${at}: ${quote(entry.paths.join(' + '))} defines ${what} ${quote(n)}, which ${by === here ? (main ? 'this file' : quote(here)) : quote(by)} defines differently: Compose copies included resources and refuses conflicting definitions (it does not merge them). Rename one, or define it in one place.`);
            }
            continue;
          }
          definedBy.set(key, entry.paths.join(' + '));
          setOwn(target, n, section[n]);
        }
      }
    });
    if (main) return out;
    // An included file's own extends are resolved against it (its other files relative to it).
    const services = out.services;
    if (isRecord(services) && usesExtends(services)) {
      try {
        setOwn(out, 'services', resolveExtends(services, { file: ctx.key, load: extendsLoader }).services);
      } catch (e) {
        if (e instanceof ExtendsError) throw new IncludeError(`${where}${e.message}`);
        throw e;
      }
    }
    return out;
  };

  /** `extends.file` of an included file, read with the same reader. */
  const extendsLoader: ComposeFileLoader = (file, from) => {
    const r = options.loadDocument!(file, from);
    if (!isRecord(r.document) || !isRecord(r.document.services)) throw new ExtendsError(`${quote(file)} is not a Compose file (one YAML document with a services mapping)`);
    return { services: r.document.services, path: r.path };
  };

  const main: Context = { key: mainPath, dir: mainDir, stack: [] };
  const resolved = resolveModel(document, main, '', true);
  return { document: resolved, origins, notConverted };
}

/** Whether a document has includes to resolve. */
export function usesInclude(document: Record<string, unknown>): boolean {
  const i = document.include;
  return i !== undefined && i !== null && !(Array.isArray(i) && i.length === 0);
}
