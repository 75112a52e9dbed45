// js-yaml is a runtime dependency of the audit loader (package.json dependencies, via .projenrc.ts).
import * as jsyaml from 'js-yaml';
import { ComposeOverride, RESET } from '../compose/tags';
import { SourceLocation } from '../policy/types';

/**
 * A YAML loader that keeps source positions, built on js-yaml's composition `listener`: the
 * parse itself is js-yaml's (fast, with error marks), and for every mapping and sequence we
 * keep the offsets of its entries. Line and column are computed lazily, only for the nodes a
 * finding points at.
 */

/** Where one mapping/sequence is, and its children as flat pairs (start offset, value). */
interface NodeInfo {
  readonly start: number;
  readonly end: number;
  readonly kids: unknown[] | null;
}

/** Raised for malformed YAML: a 1-based line/column and js-yaml's reason. */
export class YamlSyntaxError extends Error {
  constructor(readonly reason: string, readonly line?: number, readonly column?: number) {
    super(reason);
    this.name = 'YamlSyntaxError';
  }
}

/** A tagged scalar as the core schema reads it untagged (`!override true` is a boolean); other text stays text. */
function coreScalar(data: unknown): unknown {
  if (typeof data !== 'string') return data ?? null;
  try {
    const v = jsyaml.load(data, { schema: jsyaml.CORE_SCHEMA });
    return v === null || typeof v === 'boolean' || typeof v === 'number' ? v : data;
  } catch {
    return data;
  }
}

/** YAML 1.2 core schema (no timestamps: dates stay strings, as the API server reads them) plus merge keys `<<`. */
const SCHEMA = jsyaml.CORE_SCHEMA.extend({
  implicit: [(jsyaml as unknown as { types: { merge: jsyaml.Type } }).types.merge],
  // Compose's merge tags (`ports: !reset []`, `environment: !override {…}`), on any node kind.
  explicit: (['scalar', 'sequence', 'mapping'] as const).flatMap((kind) => [
    new jsyaml.Type('!reset', { kind, construct: () => RESET }),
    new jsyaml.Type('!override', { kind, construct: (data: unknown) => new ComposeOverride(kind === 'scalar' ? coreScalar(data) : data ?? null) }),
  ]),
});

/** Alias expansion beyond this many nodes per file is refused (a "billion laughs" document). */
const MAX_EXPANDED_NODES = 2_000_000;

/** Nesting deeper than this is refused (Kubernetes objects, even CRD schemas, stay far below). */
export const MAX_DEPTH = 500;

export class PositionIndex {
  private lineStarts: number[] | undefined;

  constructor(readonly text: string, private readonly nodes: Map<object, NodeInfo>) {}

  /** 1-based line and column of an offset (binary search over lazily computed line starts). */
  position(offset: number): { line: number; column: number } {
    if (!this.lineStarts) {
      const starts = [0];
      const t = this.text;
      for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
    }
    const s = this.lineStarts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi + 1) / 2);
      if (s[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - s[lo] + 1 };
  }

  /** Skip separation space and comments forward (js-yaml opens a node before them). */
  private skipForward(offset: number, limit: number): number {
    const t = this.text;
    let i = offset;
    while (i < limit) {
      const c = t.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {i++;} else if (c === 0x23 /* # */) {
        const nl = t.indexOf('\n', i);
        i = nl === -1 ? limit : nl + 1;
      } else {break;}
    }
    return i < limit ? i : offset;
  }

  /** Trim trailing space back (a node's end may include the separation space after it). */
  private skipBack(start: number, end: number): number {
    const t = this.text;
    let i = end;
    while (i > start) {
      const c = t.charCodeAt(i - 1);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i--;
      else break;
    }
    return i;
  }

  private span(start: number, end: number): SourceLocation {
    const s = this.skipForward(start, end);
    const e = Math.max(s + 1, this.skipBack(s, end));
    const a = this.position(s);
    const b = this.position(e - 1);
    return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column + 1 };
  }

  /** End offset of a node: a collection's recorded end, else the end of the scalar's line. */
  private endOf(start: number, value: unknown): number {
    const info = typeof value === 'object' && value !== null ? this.nodes.get(value) : undefined;
    if (info) return info.end;
    const s = this.skipForward(start, this.text.length);
    const nl = this.text.indexOf('\n', s);
    return nl === -1 ? this.text.length : nl;
  }

  /** The location of a parsed mapping or sequence. */
  locateNode(node: unknown): SourceLocation | undefined {
    const info = typeof node === 'object' && node !== null ? this.nodes.get(node) : undefined;
    return info ? this.span(info.start, info.end) : undefined;
  }

  /**
   * Resolve a field path (`spec.containers[0].image`) inside `root`: the location of the deepest
   * node that exists on the path (the field itself when it exists), and whether it resolved fully.
   * Keys holding dots (`app.kubernetes.io/name`) are matched by joining segments.
   */
  locatePath(root: unknown, fieldPath: string): { location: SourceLocation; resolved: boolean } | undefined {
    const rootInfo = typeof root === 'object' && root !== null ? this.nodes.get(root) : undefined;
    if (!rootInfo) return undefined;
    const segments = splitPath(fieldPath);
    let node: unknown = root;
    let info: NodeInfo = rootInfo;
    let best = { start: rootInfo.start, end: rootInfo.end };
    let i = 0;
    while (i < segments.length) {
      const kids = info.kids;
      if (!kids) break;
      let found: { start: number; end: number; value: unknown } | undefined;
      let used = 1;
      if (Array.isArray(node)) {
        const seg = segments[i];
        const n = typeof seg === 'number' ? seg : -1;
        if (n >= 0 && n * 2 + 1 < kids.length) {
          const start = kids[n * 2] as number;
          found = { start, end: this.endOf(start, kids[n * 2 + 1]), value: kids[n * 2 + 1] };
        }
      } else {
        // Mapping: pairs alternate key, value. Try the segment, then it joined with the next ones.
        let key = String(segments[i]);
        for (let j = i; j < segments.length && !found; j++) {
          if (j > i) key += typeof segments[j] === 'number' ? `[${segments[j]}]` : `.${segments[j]}`;
          for (let k = 0; k + 3 < kids.length; k += 4) {
            if (String(kids[k + 1]) === key) {
              found = { start: kids[k] as number, end: this.endOf(kids[k + 2] as number, kids[k + 3]), value: kids[k + 3] };
              used = j - i + 1;
              break;
            }
          }
        }
      }
      if (!found) break;
      best = { start: found.start, end: found.end };
      i += used;
      node = found.value;
      const next = typeof node === 'object' && node !== null ? this.nodes.get(node) : undefined;
      if (!next) break;
      info = next;
    }
    return { location: this.span(best.start, best.end), resolved: i >= segments.length };
  }
}

/** `a.b[0].c` → ['a', 'b', 0, 'c']. */
export function splitPath(p: string): (string | number)[] {
  const out: (string | number)[] = [];
  if (!p) return out;
  let cur = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '.') {
      if (cur) out.push(cur);
      cur = '';
    } else if (c === '[') {
      if (cur) out.push(cur);
      cur = '';
      const close = p.indexOf(']', i);
      if (close === -1) {
        cur = p.slice(i);
        break;
      }
      const inner = p.slice(i + 1, close);
      out.push(/^[0-9]+$/.test(inner) ? Number(inner) : inner.replace(/^['"]|['"]$/g, ''));
      i = close;
    } else {
      cur += c;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** Count nodes with aliases expanded (memoized per shared node: linear in distinct nodes). */
function expandedSize(root: unknown, memo: Map<object, number>, limit: number): number {
  if (typeof root !== 'object' || root === null) return 1;
  const known = memo.get(root);
  if (known !== undefined) return known;
  memo.set(root, 1); // cycles (self-referencing aliases) count once
  let n = 1;
  for (const v of Array.isArray(root) ? root : Object.values(root)) {
    n += expandedSize(v, memo, limit);
    if (n > limit) break;
  }
  memo.set(root, n);
  return n;
}

/** Parse every YAML document of a text, keeping positions. Throws YamlSyntaxError. */
export function loadYamlWithPositions(text: string): { docs: unknown[]; index: PositionIndex } {
  const nodes = new Map<object, NodeInfo>();
  // Indexed by js-yaml's composition depth (bounded by maxDepth): no allocation per scalar.
  const starts: number[] = new Array(MAX_DEPTH + 2).fill(0);
  const kidsAt: (unknown[] | null)[] = new Array(MAX_DEPTH + 2).fill(null);
  let aliases = 0;
  const listener = (event: 'open' | 'close', state: any) => {
    const d: number = state.depth;
    if (event === 'open') {
      starts[d] = state.position;
      kidsAt[d] = null;
      return;
    }
    const start = starts[d];
    const result = state.result;
    if (typeof result === 'object' && result !== null) {
      if (!nodes.has(result)) nodes.set(result, { start, end: state.position, kids: kidsAt[d] });
      else aliases++;
    }
    let parent = kidsAt[d - 1];
    if (parent === null) kidsAt[d - 1] = parent = [];
    parent.push(start, result);
  };
  let docs: unknown[];
  try {
    docs = jsyaml.loadAll(text, undefined, { schema: SCHEMA, listener, maxDepth: MAX_DEPTH } as jsyaml.LoadOptions) as unknown[];
  } catch (e) {
    const err = e as { reason?: string; mark?: { line: number; column: number }; message?: string };
    if (err && typeof err === 'object' && 'mark' in err && err.mark) {
      throw new YamlSyntaxError(err.reason ?? String(err.message).split('\n')[0], err.mark.line + 1, err.mark.column + 1);
    }
    throw new YamlSyntaxError(String(err?.message ?? e).split('\n')[0]);
  }
  if (aliases) {
    const memo = new Map<object, number>();
    let total = 0;
    for (const d of docs) total += expandedSize(d, memo, MAX_EXPANDED_NODES);
    if (total > MAX_EXPANDED_NODES) throw new YamlSyntaxError(`aliases expand to more than ${MAX_EXPANDED_NODES} nodes (a "billion laughs" document)`);
  }
  return { docs, index: new PositionIndex(text, nodes) };
}
