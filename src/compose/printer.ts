/**
 * The code printer of `init`: every value of the generated TypeScript goes through here. Strings
 * are JSON string literals (with U+2028/U+2029 escaped too), object keys are identifiers or string
 * literals, comments are single lines with control and separator characters replaced, and the only
 * code that is not a literal is a call of a function from a fixed allow-list. So no Compose input
 * (a value with `\r`, a file name with a newline, `*\/`, quotes) can change the structure of the
 * generated code.
 */

/** Functions generated code may call with printed arguments. */
const CALLABLE = new Set(['secretDir', 'Peer.workload', 'Peer.namespace', 'Peer.ingressController', 'Peer.monitoring']);
/** Identifiers generated code may reference as values. */
const IDENTIFIERS = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A call of an allow-listed function (e.g. `Peer.workload("db")`). */
export class Call {
  constructor(public readonly fn: string, public readonly args: readonly unknown[]) {
    if (!CALLABLE.has(fn)) throw new Error(`printer: ${fn} is not an allowed call`);
  }
}

/** A reference to an identifier the generator itself declared (checked to be an identifier). */
export class Ref {
  constructor(public readonly name: string) {
    if (!IDENTIFIERS.test(name)) throw new Error('printer: not an identifier');
  }
}

/** A TypeScript string literal for any string. */
export function str(s: string): string {
  return JSON.stringify(String(s)).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A safe identifier from a name (letters, digits, `_`), prefixed so it never starts with a digit. */
export function identifier(prefix: string, name: string): string {
  let out = '';
  for (const ch of name) out += /[A-Za-z0-9]/.test(ch) ? ch : '_';
  return `${prefix}${out}`;
}

/**
 * Text that cannot leave a `//` comment (or a Markdown line): control characters, line and
 * paragraph separators and bidi controls become `\uXXXX`; `*\/` is broken up.
 */
export function oneLine(text: string): string {
  let out = '';
  for (const ch of String(text)) {
    const c = ch.codePointAt(0)!;
    const control = c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0);
    const separator = c === 0x2028 || c === 0x2029 || c === 0xfeff;
    const invisible = separator || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0x200e || c === 0x200f;
    if (control || invisible) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else {
      out += ch;
    }
  }
  return out.replace(/\*\//g, '*\\/');
}

/** A `// ` comment line. */
export function comment(text: string, indent = ''): string {
  return `${indent}// ${oneLine(text)}`;
}

function key(k: string): string {
  // `__proto__: v` (quoted or not) in an object literal sets the prototype; a computed key is a property.
  if (k === '__proto__') return `[${str(k)}]`;
  return IDENTIFIERS.test(k) ? k : str(k);
}

/** A readable TypeScript literal: short values on one line, longer ones one item per line. */
export function print(x: unknown, indent = 0): string {
  const pad = ' '.repeat(indent);
  if (x instanceof Call) return `${x.fn}(${x.args.map((a) => print(a, indent)).join(', ')})`;
  if (x instanceof Ref) return x.name;
  if (typeof x === 'string') return str(x);
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new Error('printer: not a finite number');
    return String(x);
  }
  if (typeof x === 'boolean') return String(x);
  if (x === null) return 'null';
  if (Array.isArray(x)) {
    const items = x.map((v) => print(v, indent + 2));
    const one = `[${items.join(', ')}]`;
    return one.length <= 100 && !one.includes('\n') ? one : `[\n${items.map((i) => `${pad}  ${i},`).join('\n')}\n${pad}]`;
  }
  if (typeof x === 'object') {
    const entries = Object.entries(x as object).filter(([, v]) => v !== undefined);
    if (!entries.length) return '{}';
    const items = entries.map(([k, v]) => `${key(k)}: ${print(v, indent + 2)}`);
    const one = `{ ${items.join(', ')} }`;
    return one.length <= 100 && !one.includes('\n') ? one : `{\n${items.map((i) => `${pad}  ${i},`).join('\n')}\n${pad}}`;
  }
  throw new Error(`printer: cannot print a ${typeof x}`);
}
