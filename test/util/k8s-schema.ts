import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';

/**
 * Strict validation against the exact Kubernetes 1.28 OpenAPI schema (test/schemas, copied into the
 * repository with its source and license): every object schema that lists properties rejects unknown
 * fields, the way kubeconform -strict does.
 */

/** The schema in this repository; `$K8S_SCHEMA_FILE` points at another one. */
export const SCHEMA_FILE = path.resolve(__dirname, '..', 'schemas', 'kubernetes-v1.28.0', '_definitions.json');

function findSchemaFile(): string {
  const file = process.env.K8S_SCHEMA_FILE || SCHEMA_FILE;
  if (!fs.existsSync(file)) throw new Error(`Kubernetes 1.28 schema not found at ${file} (see test/schemas/README.md)`);
  return file;
}

function strictify(node: any): any {
  if (Array.isArray(node)) return node.map(strictify);
  if (!node || typeof node !== 'object') return node;
  const out: any = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strictify(s)])) : strictify(v);
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

let ajv: Ajv | undefined;
const byGvk = new Map<string, string>();
const validators = new Map<string, ValidateFunction>();

function init(): Ajv {
  if (ajv) return ajv;
  const raw = JSON.parse(fs.readFileSync(findSchemaFile(), 'utf8'));
  const definitions = strictify(raw.definitions);
  for (const [name, def] of Object.entries<any>(raw.definitions)) {
    for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      byGvk.set(`${apiVersion}/${gvk.kind}`, name);
    }
  }
  ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: 'k8s', definitions }, 'k8s');
  return ajv;
}

/** Errors of one object against its 1.28 schema (empty when valid). */
export function schemaErrors(obj: any): string[] {
  const a = init();
  const key = `${obj?.apiVersion}/${obj?.kind}`;
  const name = byGvk.get(key);
  if (!name) return [`no Kubernetes 1.28 schema for ${key}`];
  let validate = validators.get(name);
  if (!validate) {
    validate = a.getSchema(`k8s#/definitions/${name}`)!;
    validators.set(name, validate);
  }
  if (validate(obj)) return [];
  return (validate.errors ?? []).map((e) => `${obj.kind}/${obj.metadata?.name}: ${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${(e.params as any).additionalProperty}'` : ''}`);
}

/** Assert every object is valid (throws with all errors). */
export function expectValidObjects(objects: readonly any[]): void {
  const errors = objects.flatMap(schemaErrors);
  if (errors.length) throw new Error(`schema violations:\n  ${errors.join('\n  ')}`);
}
