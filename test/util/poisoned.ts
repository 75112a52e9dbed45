import * as fc from 'fast-check';

/**
 * Keys that change how JavaScript turns a value into text or looks it up: an object parsed from
 * YAML or JSON (or handed to a construct by untyped code) may define them with any value, and
 * `String(x)`, `${x}` or `x + ''` then call them (`toString: false` throws a TypeError).
 */
export const COERCION_KEYS = ['toString', 'valueOf', 'toJSON', '__proto__', 'constructor', 'hasOwnProperty'] as const;

/** An object or list whose keys shadow the coercion methods, as parsed input can. */
export const poisoned: fc.Arbitrary<unknown> = fc
  .tuple(fc.subarray([...COERCION_KEYS], { minLength: 1 }), fc.array(fc.jsonValue({ maxDepth: 1 }), { minLength: 6, maxLength: 6 }), fc.boolean())
  .map(([keys, values, list]) => {
    // JSON.parse makes `__proto__` an own key (an object literal would set the prototype).
    const o = JSON.parse(`{${keys.map((k, i) => `${JSON.stringify(k)}:${JSON.stringify(values[i] ?? null)}`).join(',')}}`);
    return list ? [o] : o;
  });

/** Any JSON value, with poisoned objects mixed in at any depth. */
export const anyParsedValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: poisoned },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), poisoned, { maxKeys: 3 }) },
);
