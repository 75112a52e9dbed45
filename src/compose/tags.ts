/**
 * Compose's merge tags as values (https://docs.docker.com/reference/compose-file/merge/): `!reset`
 * (drop what an extended service set) and `!override` (replace instead of merging). Both YAML
 * loaders (the converter's and the audit's) produce these; no YAML library is loaded here.
 */

/** `!reset`: the field takes its default (is removed), whatever the extended service set. */
export const RESET: object = Object.freeze(Object.create(null, { [Symbol.toStringTag]: { value: '!reset' } }));

/** `!override`: the value replaces the extended service's instead of merging with it. */
export class ComposeOverride {
  constructor(public readonly value: unknown) {}
}

export function isReset(x: unknown): boolean {
  return x === RESET;
}

/** A value with the merge tags applied for a file that extends nothing: reset fields removed, overrides unwrapped. */
export function applyTags(x: unknown): unknown {
  if (x instanceof ComposeOverride) return applyTags(x.value);
  if (Array.isArray(x)) {
    const out = x.filter((v) => v !== RESET).map(applyTags);
    return out.length === x.length && out.every((v, i) => v === x[i]) ? x : out;
  }
  if (typeof x !== 'object' || x === null) return x;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(x)) {
    const v = (x as Record<string, unknown>)[k];
    if (v === RESET) {
      changed = true;
      continue;
    }
    const a = applyTags(v);
    if (a !== v) changed = true;
    Object.defineProperty(out, k, { value: a, enumerable: true, writable: true, configurable: true });
  }
  return changed ? out : x;
}

/** Whether a parsed value holds a merge tag anywhere. */
export function hasTags(x: unknown): boolean {
  const stack: unknown[] = [x];
  while (stack.length) {
    const v = stack.pop();
    if (v === RESET || v instanceof ComposeOverride) return true;
    if (typeof v === 'object' && v !== null) for (const c of Array.isArray(v) ? v : Object.values(v)) stack.push(c);
  }
  return false;
}
