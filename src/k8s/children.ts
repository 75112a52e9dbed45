import { IConstruct } from 'constructs';

/**
 * Keep the construct tree's child tables from slowing down every object of the process.
 *
 * `constructs` stores each node's children in a plain object keyed by child id. V8 gives a plain
 * object a hidden class per sequence of keys, and the empty object's class keeps a table of
 * transitions, one per distinct first key. An app with thousands of charts or wrapper constructs,
 * each holding one child with its own id (`svc-1`, `svc-2`, …), fills that table; past its limit
 * every object literal that gains a property gets a class of its own. Serialization (cdk8s `toJson`,
 * YAML) then runs 2–3× slower and promotes several times the memory: measured on 2,000 services
 * each wrapped in its own construct, `toJson` of the same objects took 1.6–2.0 s and 145–180 MB of
 * old space instead of 0.7–1.0 s and 70 MB.
 *
 * A null-prototype object is a hash table from the start: no hidden classes, no transitions.
 * Swapping the store keeps the behaviour (`in`, lookups, `Object.values` order, `delete`). Nodes are
 * converted before this library adds a child to them, and every node of an app at the start of a
 * synthesis (a table converted after the fact frees its classes at the next full collection).
 * When `constructs` stores children differently, nothing is changed.
 * @internal
 */
const converted = new WeakSet<object>();
/** Nodes of this library's constructs: their children have fixed ids, which add no hidden classes. */
const fixedIds = new WeakSet<object>();

interface ChildStore {
  _children?: Record<string, IConstruct>;
}

function convert(node: object): boolean {
  if (converted.has(node)) return false;
  converted.add(node);
  if (!('_children' in node)) return true;
  const n = node as ChildStore;
  const current = n._children;
  if (current === undefined) {
    n._children = Object.create(null);
  } else if (current !== null && typeof current === 'object' && Object.getPrototypeOf(current) === Object.prototype) {
    n._children = Object.assign(Object.create(null), current);
  }
  return true;
}

/** Convert the child tables of `scope` and its ancestors; returns `scope` (for `super(…)` calls). */
export function dictionaryChildren<T extends IConstruct>(scope: T): T {
  for (let c: IConstruct | undefined = scope; c; c = c.node.scope) {
    if (!convert(c.node)) break; // its ancestors were converted with it
  }
  return scope;
}

/** Mark a construct of this library: its child ids are fixed names, its table is left as it is. */
export function fixedChildIds(c: IConstruct): void {
  fixedIds.add(c.node);
}

/**
 * Convert the tables of the nodes under `root` (at the start of a synthesis) that can hold classes
 * of their own: not empty ones (an object without keys added none) and not this library's
 * constructs' (fixed ids, the same classes for every instance).
 */
export function dictionaryChildrenAll(root: IConstruct): void {
  for (const c of root.node.findAll()) {
    const n = c.node as unknown as ChildStore;
    if (fixedIds.has(n) || converted.has(n) || !('_children' in n)) continue;
    const t = n._children;
    // `constructs` creates the table with the first child: leaves have none.
    if (t === undefined || t === null) continue;
    let empty = true;
    for (const _ in t) {
      empty = false;
      break;
    }
    if (!empty) convert(n);
  }
}
