import { IConstruct } from 'constructs';

/**
 * The dependency order cdk8s writes objects in, computed without a plain-object table keyed by
 * construct path.
 *
 * cdk8s builds a `DependencyGraph` for the app and one per chart on every synthesis, each keeping
 * its vertices in a plain object keyed by path. With one chart per service, thousands of such
 * tables each start with a key of their own (the chart's path), which fills V8's table of hidden
 * class transitions of the empty object; from then on every object literal in the process gets a
 * class of its own, and serialization (cdk8s `toJson`, YAML) runs 1.5–3× slower while holding far
 * more memory (see children.ts for the same effect of construct child tables).
 *
 * During a synthesis pass, cdk8s's `DependencyGraph` export is replaced by this class: the same
 * algorithm (vertices in `findAll()` order, edges from `node.dependencies` inside the scope,
 * dependency roots adopted in table order, depth-first post-order) over `Map`s, so the order is
 * the one cdk8s computes. A dependency cycle, or any use beyond `topology()`, is handed to cdk8s's
 * own class, which reports or serves it as it always did.
 * @internal
 */

interface Vertex {
  readonly value: IConstruct;
  /** Dependencies inside the scope; created for the few constructs that have any. */
  out: Set<Vertex> | undefined;
  inbound: boolean;
}

type GraphClass = new (node: IConstruct['node']) => { readonly root: unknown; topology(): IConstruct[] };

/** Array-index keys come first in a plain object's key order (ascending), then insertion order. */
function isArrayIndex(key: string): boolean {
  return /^(?:0|[1-9][0-9]*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}

/** Depth-first post-order from the dependency roots; undefined when the graph has a cycle. */
function order(node: IConstruct['node']): IConstruct[] | undefined {
  const all = node.findAll();
  const byPath = new Map<string, Vertex>();
  for (const c of all) byPath.set(c.node.path, { value: c, out: undefined, inbound: false });
  for (const c of all) {
    const deps = c.node.dependencies;
    for (let i = 0; i < deps.length; i++) {
      const target = byPath.get(deps[i].node.path);
      if (!target) continue; // outside the scope, as cdk8s
      const source = byPath.get(c.node.path)!;
      (source.out ??= new Set()).add(target);
      target.inbound = true;
    }
  }
  const keys = [...byPath.keys()];
  const indexKeys = keys.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
  const roots = [...indexKeys, ...keys.filter((k) => !isArrayIndex(k))].map((k) => byPath.get(k)!).filter((v) => !v.inbound);
  const done = new Set<Vertex>();
  const active = new Set<Vertex>();
  const result: IConstruct[] = [];
  let cycle = false;
  const visit = (v: Vertex): void => {
    if (done.has(v) || cycle) return;
    if (active.has(v)) {
      cycle = true;
      return;
    }
    active.add(v);
    if (v.out) for (const c of v.out) visit(c);
    active.delete(v);
    done.add(v);
    result.push(v.value);
  };
  for (const r of roots) visit(r);
  // A cycle leaves vertices unreachable from any root (or is met on the way).
  if (cycle || done.size !== byPath.size) return undefined;
  return result;
}

/** Build the replacement class around cdk8s's own (used for cycles and for `root`). */
function mapGraphClass(original: GraphClass): GraphClass {
  return class MapDependencyGraph {
    private originalGraph?: InstanceType<GraphClass>;

    constructor(private readonly node: IConstruct['node']) {}

    public get root(): unknown {
      return this.original().root;
    }

    public topology(): IConstruct[] {
      return order(this.node) ?? this.original().topology();
    }

    private original(): InstanceType<GraphClass> {
      return (this.originalGraph ??= new original(this.node));
    }
  };
}

/**
 * Replace cdk8s's `DependencyGraph` for the duration of a synthesis; returns the undo. Nothing is
 * replaced when cdk8s's module layout is not the expected one.
 */
export function useMapDependencyGraph(): () => void {
  let mod: { DependencyGraph?: unknown };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('cdk8s/lib/dependency');
  } catch {
    return () => {};
  }
  const descriptor = Object.getOwnPropertyDescriptor(mod, 'DependencyGraph');
  if (!descriptor || !descriptor.writable || typeof descriptor.value !== 'function') return () => {};
  const original = descriptor.value as GraphClass;
  mod.DependencyGraph = mapGraphClass(original);
  return () => {
    mod.DependencyGraph = original;
  };
}

/** The topology of a scope as cdk8s orders it (exported for tests). @internal */
export function dependencyOrder(node: IConstruct['node']): IConstruct[] | undefined {
  return order(node);
}
