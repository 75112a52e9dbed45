import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

/**
 * Strict validation of custom resources against the `openAPIV3Schema` of their
 * CustomResourceDefinition (the Gateway API CRDs committed under src/k8s/imports/crds): every
 * object schema that lists properties rejects unknown fields, as the API server prunes or rejects
 * them; `x-kubernetes-preserve-unknown-fields` schemas stay open.
 */

const CRD_DIR = path.resolve(__dirname, '../../src/k8s/imports/crds');

function strictify(node: any): any {
  if (Array.isArray(node)) return node.map(strictify);
  if (!node || typeof node !== 'object') return node;
  const out: any = {};
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('x-kubernetes-')) continue; // CEL rules and list/map markers are not JSON Schema
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strictify(s)])) : strictify(v);
  }
  if (out.properties && out.additionalProperties === undefined && !node['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}

const validators = new Map<string, ValidateFunction>();

function load(): void {
  if (validators.size) return;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  for (const file of fs.readdirSync(CRD_DIR).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(CRD_DIR, file), 'utf8'))) {
      const crd = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const v of crd.spec.versions) {
        const schema = strictify(v.schema.openAPIV3Schema);
        // metadata is an ObjectMeta: the CRD schema leaves it open.
        schema.properties.metadata = { type: 'object' };
        schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind', 'metadata', 'spec'])];
        validators.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, ajv.compile(schema));
      }
    }
  }
}

/** Errors of one custom resource against its CRD schema (empty when valid). */
export function crdSchemaErrors(obj: any): string[] {
  load();
  const key = `${obj?.apiVersion}/${obj?.kind}`;
  const validate = validators.get(key);
  if (!validate) return [`no CRD schema for ${key}`];
  if (validate(obj)) return [];
  return (validate.errors ?? []).map((e) => `${obj.kind}/${obj.metadata?.name}${e.instancePath}: ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${(e.params as any).additionalProperty})` : ''}`);
}

export function expectValidCustomResources(objects: any[]): void {
  const errors = objects.flatMap(crdSchemaErrors);
  if (errors.length) throw new Error(`custom resources fail their CRD schema:\n${errors.join('\n')}`);
}

/** Kinds validated against committed CRDs instead of the Kubernetes 1.28 schema. */
export const CRD_KINDS = new Set(['gateway.networking.k8s.io/v1/HTTPRoute', 'gateway.networking.k8s.io/v1/GRPCRoute']);

export function isCustomResource(o: any): boolean {
  return CRD_KINDS.has(`${o?.apiVersion}/${o?.kind}`);
}
