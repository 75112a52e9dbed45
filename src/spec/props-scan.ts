import { Refuser } from './errors';
import { findSecret, quote } from './redact';

/** Deepest props nesting walked (anything deeper is refused: no props type nests that far). */
const MAX_DEPTH = 24;
/** Most string leaves and keys walked; a props object with more is refused. */
const MAX_LEAVES = 100_000;

function isPlain(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * Keys that shadow JavaScript's own object machinery: props parsed from YAML/JSON can carry them
 * (`toString: false`), and every later `String(x)`, template or regular-expression test of that
 * object would throw a TypeError instead of a HardeningError; cdk8s cannot serialize an object
 * with a `constructor` key. No props field, env variable or label worth having is named so. @internal
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['toString', 'valueOf', 'toJSON', 'toLocaleString', 'constructor', '__proto__', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable']);

/**
 * Refuse a literal secret anywhere in construct props, by its shape: every string value and
 * every key of plain objects and arrays is scanned (linear time each) for URL userinfo, password
 * flags, secret-named assignments, known token formats, JWTs and private keys. Props carry names
 * and references of secrets, never values; whatever field a secret is pasted into (a label, a
 * reason, an argument, a host), it is refused here with its field path, and the value is never
 * shown. Keys that shadow object methods and prototype-less objects are refused too. Objects
 * that are not plain data (constructs, class instances) are not walked. @internal
 */
export function refuseSecretsInProps(props: unknown, refuser: Refuser, skip: readonly string[] = []): void {
  let leaves = 0;
  const seen = new Set<object>();
  // The path to the value being visited, as keys and indices: its text is built only for a refusal.
  const at: (string | number)[] = [];
  const field = (): string => {
    let out = '';
    for (let i = 0; i < at.length; i++) {
      const p = at[i];
      out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
    }
    return out;
  };
  const visit = (x: unknown, depth: number): void => {
    if (typeof x === 'string') {
      if (++leaves > MAX_LEAVES) refuser.refuse('spec/props', field(), `the props hold more than ${MAX_LEAVES} values.`, 'pass a props object of a sensible size.');
      const shape = findSecret(x);
      if (shape) {
        refuser.refuse('no-literal-secrets-in-env', field(), `this value holds ${shape} (the value is not shown). Props are written into manifests, Pulumi state, git and \`kubectl describe\`: a secret never belongs in them.`, 'store the secret in a Secret and reference it ({ secret: { name, key } }), or mount it with secretFiles; in commands, write $(VAR) for an env variable that references the Secret.');
      }
      return;
    }
    if (typeof x !== 'object' || x === null || seen.has(x)) return;
    const array = Array.isArray(x);
    if (!array && !isPlain(x)) return;
    if (depth > MAX_DEPTH) refuser.refuse('spec/props', field(), `the props nest deeper than ${MAX_DEPTH} levels.`, 'pass plain, shallow props.');
    seen.add(x);
    if (!array && Object.getPrototypeOf(x) === null) {
      refuser.refuse('spec/props', field() || '<props>', 'an object without a prototype (Object.create(null), or parsed so): it cannot be turned into text, so no field can be checked.', 'pass plain objects ({ … }), e.g. { ...value }.');
    }
    if (array) {
      const list = x as unknown[];
      for (let i = 0; i < list.length; i++) {
        at.push(i);
        visit(list[i], depth + 1);
        at.pop();
      }
      return;
    }
    const keys = Object.keys(x);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (depth === 0 && skip.includes(key)) continue;
      if (RESERVED_KEYS.has(key)) {
        at.push(key);
        refuser.refuse('spec/props', field(), `${quote(key)} as a key shadows a method of every JavaScript object (the object could not be turned into text or serialized): no props field, env variable or label is named so.`, 'remove the key; check the props type for the field you meant.');
      }
      const keyShape = findSecret(key);
      if (keyShape) {
        refuser.refuse('no-literal-secrets-in-env', field() || '<props>', `a key holds ${keyShape} (not shown): keys become names in the manifests.`, 'use a plain name as the key and reference the secret from a Secret.');
      }
      at.push(key);
      visit((x as Record<string, unknown>)[key], depth + 1);
      at.pop();
    }
  };
  visit(props, 0);
}
