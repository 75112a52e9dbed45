/**
 * The YAML cdk8s writes, written without building a YAML document per object.
 *
 * cdk8s serializes every object with the `yaml` library (`Yaml.stringify`: YAML 1.1, `lineWidth: 0`,
 * `keepUndefined`). That library first builds a node tree (a `Document`) of every object and then
 * prints it: more than half of a large synthesis, and most of its short-lived memory. Manifests are
 * plain JSON data (maps, lists, strings, numbers, booleans, null), whose block layout is fixed, so
 * during a synthesis pass this module prints them directly and byte for byte as `yaml` would:
 *
 * - The layout: `key: value`, `key:` + nested block, `- ` items (nested maps start on the dash
 *   line), lists indented under their key, `{}` and `[]` for empty collections.
 * - Every scalar and key is printed by cdk8s's own `Yaml.stringify` (once per distinct string or
 *   number and pass, remembered): quoting, escapes and YAML 1.1 look-alikes (`"yes"`, `"1.0"`,
 *   `"12:30"`) are decided by the library, never re-implemented here.
 * - Keys are read as `yaml` reads them: own enumerable keys (`Object.keys`), in order.
 * - Anything else is handed to cdk8s's own `Yaml.stringify`, one whole object at a time: a scalar
 *   whose printed form is not one line (block scalars, folded or explicit keys), document markers
 *   (`---`, `...`, `%` at a line start), `-0`, `undefined`, list holes, an object or list met twice
 *   in one document (`yaml` writes anchors and aliases), objects and lists that are not plain
 *   (class instances, `toJSON`, an own iterator, `yaml`'s own node objects), functions, symbols
 *   and bigints, strings with line breaks, nesting deeper than 100 levels, empty documents, and
 *   documents with more than 256 scalars not printed before (one library call for the document is
 *   then cheaper than one per scalar).
 * - Nothing is replaced unless `Yaml.stringify` is cdk8s's own and prints a sample of every layout
 *   rule exactly as this printer does; a `Yaml.stringify` the app installs stays.
 * - The one difference: a getter in the data runs once more when its document is handed to the
 *   library. cdk8s's `toJson` output has none (it copies values into plain objects).
 *
 * `test/k8s/yaml-emit.test.ts` compares both on generated documents and on every example.
 * @internal
 */

/** One document as cdk8s prints it (cdk8s's `Yaml.stringify` of one object). */
export type PrintOne = (doc: unknown) => string;

/** Thrown inside the printer when a document needs the library; never escapes this module. */
const FALLBACK: unique symbol = Symbol('fallback');

/** Printed scalars and keys of one printer (one synthesis pass), bounded (cleared when full). */
const MEMO_LIMIT = 50_000;
/** Longer strings are printed without being remembered: they are rarely repeated. */
const MEMO_MAX_LENGTH = 256;
/** Deeper documents go to the library, which fails on very deep ones (its recursion): so do we. */
const MAX_INDENT = 2 * 100;

/** Scalars one document may send to the library before the whole document goes there instead. */
const PROBES_PER_DOCUMENT = 256;

const ARRAY_ITERATOR = Array.prototype[Symbol.iterator];
/** `yaml` treats any object carrying this symbol as one of its own nodes. */
const YAML_NODE_TYPE = Symbol.for('yaml.node.type');
const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

const DOCUMENT_MARKER = /^(?:%|---|\.\.\.)/m;

/** A map `yaml` prints from its own keys: no class, no `toJSON`, not iterable (it would print a list). */
function isPlainObject(o: object): boolean {
  const p = Object.getPrototypeOf(o);
  return (p === Object.prototype || p === null) && typeof (o as { toJSON?: unknown }).toJSON !== 'function' && !(Symbol.iterator in o) && !(YAML_NODE_TYPE in o);
}

/** A list `yaml` prints item by item: a plain array with the array iterator and no `toJSON`. */
function isPlainArray(a: unknown[]): boolean {
  return Object.getPrototypeOf(a) === Array.prototype && a[Symbol.iterator] === ARRAY_ITERATOR && typeof (a as { toJSON?: unknown }).toJSON !== 'function'
    && !(YAML_NODE_TYPE in a);
}

/** What a value is to the printer. */
const enum Shape {
  Scalar,
  Map,
  List,
  EmptyList,
  EmptyMap,
}

/** Prints documents of plain data as cdk8s's `Yaml.stringify` does, or says it cannot (`undefined`). @internal */
export class DirectYamlPrinter {
  private readonly values = new Map<string | number, string | null>();
  private readonly keys = new Map<string, string | null>();
  private parts: string[] = [];
  private seen: Set<object> = new Set();
  /** Library calls left for the current document. */
  private probes = PROBES_PER_DOCUMENT;

  constructor(private readonly printOne: PrintOne) {}

  /** The YAML of one document, or undefined when it must be printed by the library. */
  public document(doc: unknown): string | undefined {
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !isPlainObject(doc)) return undefined;
    // A getter in the data may print YAML itself: each document keeps its own state.
    const outer = { parts: this.parts, seen: this.seen, probes: this.probes };
    this.parts = [];
    this.seen = new Set([doc]);
    this.probes = PROBES_PER_DOCUMENT;
    try {
      this.map(doc as Record<string, unknown>, '', undefined);
      return this.parts.length ? this.parts.join('') : undefined;
    } catch (e) {
      if (e === FALLBACK) return undefined;
      throw e;
    } finally {
      this.parts = outer.parts;
      this.seen = outer.seen;
      this.probes = outer.probes;
    }
  }

  /** Documents as `Yaml.stringify(...docs)`: each printed directly or by the library, joined by `---`. */
  public documents(docs: readonly unknown[]): string {
    const out = new Array<string>(docs.length);
    for (let i = 0; i < docs.length; i++) {
      const d = docs[i];
      out[i] = d === undefined ? '\n' : this.document(d) ?? this.printOne(d);
    }
    return out.join('---\n');
  }

  private map(o: Record<string, unknown>, indent: string, lead: string | undefined): void {
    // The keys as they are now, as `yaml` reads them (Object.keys), whatever reading a value does.
    const keys = Object.keys(o);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      this.parts.push(lead ?? indent, this.key(k));
      lead = undefined;
      this.child(o[k], indent, true);
    }
  }

  private list(a: readonly unknown[], indent: string, lead: string | undefined): void {
    for (let i = 0; i < a.length; i++) {
      if (!(i in a)) throw FALLBACK;
      this.parts.push(lead ?? indent, '- ');
      lead = undefined;
      this.child(a[i], indent, false);
    }
  }

  /** A map value (after its key) or a list item (after its dash). */
  private child(v: unknown, indent: string, inMap: boolean): void {
    switch (this.shape(v)) {
      case Shape.Scalar:
        this.parts.push(inMap ? ': ' : '', this.scalar(v), '\n');
        return;
      case Shape.EmptyList:
        this.parts.push(inMap ? ': []\n' : '[]\n');
        return;
      case Shape.EmptyMap:
        this.parts.push(inMap ? ': {}\n' : '{}\n');
        return;
      case Shape.Map:
        if (indent.length >= MAX_INDENT) throw FALLBACK;
        if (inMap) this.parts.push(':\n');
        this.map(v as Record<string, unknown>, `${indent}  `, inMap ? undefined : '');
        return;
      case Shape.List:
        if (indent.length >= MAX_INDENT) throw FALLBACK;
        if (inMap) this.parts.push(':\n');
        this.list(v as unknown[], `${indent}  `, inMap ? undefined : '');
        return;
    }
  }

  private shape(v: unknown): Shape {
    if (v === null || typeof v !== 'object') return Shape.Scalar;
    if (this.seen.has(v)) throw FALLBACK; // `yaml` would write an anchor and an alias
    this.seen.add(v);
    if (Array.isArray(v)) {
      if (!isPlainArray(v)) throw FALLBACK;
      return v.length ? Shape.List : Shape.EmptyList;
    }
    if (!isPlainObject(v)) throw FALLBACK;
    // Own keys only: an enumerable key on Object.prototype is not the map's (`yaml` reads Object.keys).
    for (const k in v) if (hasOwn(v, k)) return Shape.Map;
    return Shape.EmptyMap;
  }

  private scalar(v: unknown): string {
    if (v === null) return 'null';
    if (v === true) return 'true';
    if (v === false) return 'false';
    if (typeof v === 'string' || (typeof v === 'number' && !Object.is(v, -0))) {
      let text = this.values.get(v);
      if (text === undefined) {
        // A line break makes a block scalar (or a folded quote): the library prints the document.
        if (typeof v === 'string' && (v.includes('\n') || DOCUMENT_MARKER.test(v))) throw FALLBACK;
        text = this.probe({ k: v }, 'k: ', '\n');
        if (typeof v === 'string' && v.length > MEMO_MAX_LENGTH) {
          if (text === null) throw FALLBACK;
          return text;
        }
        if (this.values.size >= MEMO_LIMIT) this.values.clear();
        this.values.set(v, text);
      }
      if (text === null) throw FALLBACK;
      return text;
    }
    throw FALLBACK; // undefined, -0, functions, symbols, bigints
  }

  private key(k: string): string {
    let text = this.keys.get(k);
    if (text === undefined) {
      text = k.includes('\n') || DOCUMENT_MARKER.test(k) ? null : this.probe({ [k]: 1 }, '', ': 1\n');
      if (k.length <= MEMO_MAX_LENGTH) {
        if (this.keys.size >= MEMO_LIMIT) this.keys.clear();
        this.keys.set(k, text);
      }
    }
    if (text === null) throw FALLBACK;
    return text;
  }

  /** The library's print of a one-entry map, cut to the scalar or key: null unless it is one line. */
  private probe(doc: Record<string, unknown>, before: string, after: string): string | null {
    // Mostly new scalars (a large map of distinct keys, say): one library call for the document is cheaper.
    if (--this.probes < 0) throw FALLBACK;
    const out = this.printOne(doc);
    if (!out.startsWith(before) || !out.endsWith(after) || out.length < before.length + after.length) return null;
    const text = out.slice(before.length, out.length - after.length);
    return text.length && !text.includes('\n') ? text : null;
  }
}

/** Every layout rule of the printer once (keys out of order, so a sorting printer shows). */
const LAYOUT_SAMPLE = Object.freeze({
  z: 'v',
  a: { m: [1, 'two', { x: true, y: null }], e: {}, l: [] },
  l: [[1, 2], [], {}, [{ p: 'q' }]],
});

interface YamlClass {
  stringify(...docs: unknown[]): string;
}

/**
 * Print YAML directly for the duration of a synthesis pass: cdk8s's `Yaml.stringify` (which
 * `synthYaml` and `synth` call) is replaced by a printer that lives for the pass, and the returned
 * function puts it back. Nothing is replaced unless `Yaml.stringify` is still `library` (cdk8s's
 * own, as loaded) and prints a one-entry map as cdk8s does: a function the app put there itself
 * (a wrapper adding a header, a spy) is called as it would be without this library.
 * @internal
 */
export function useDirectYaml(yaml: unknown, library: unknown): () => void {
  if (typeof yaml !== 'function' || typeof library !== 'function') return () => {};
  const descriptor = Object.getOwnPropertyDescriptor(yaml, 'stringify');
  if (!descriptor || !descriptor.writable || !descriptor.configurable || descriptor.value !== library) return () => {};
  // cdk8s's own printer (a wrapper the app installed before this library loaded is not), printing
  // the layout this module writes.
  if (!/keepUndefined/.test(Function.prototype.toString.call(library))) return () => {};
  const cls = yaml as unknown as YamlClass;
  const printOne = (doc: unknown): string => (library as YamlClass['stringify']).call(cls, doc);
  const printer = new DirectYamlPrinter(printOne);
  if (printer.document(LAYOUT_SAMPLE) !== printOne(LAYOUT_SAMPLE)) return () => {};
  const replacement = function stringify(...docs: unknown[]): string {
    return printer.documents(docs);
  };
  Object.defineProperty(yaml, 'stringify', { ...descriptor, value: replacement });
  return () => {
    // Unless the app replaced it meanwhile (then its own function stays, as without this library).
    if (Object.getOwnPropertyDescriptor(yaml, 'stringify')?.value === replacement) Object.defineProperty(yaml, 'stringify', descriptor);
  };
}
