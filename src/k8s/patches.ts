import { ApiObject } from 'cdk8s';

/** A value a JSON patch put into an object that the object's L1 class then dropped. */
export interface DroppedPatchValue {
  /** JSON pointer of the value, e.g. `/spec/template/spec/initContainers/0/resources/requests/cpu`. */
  readonly pointer: string;
  readonly value: string | number;
}

/** A cdk8s Quantity or IntOrString after resolution: `{ value }`. The L1 classes unwrap these. */
function isWrapped(x: unknown): boolean {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const keys = Object.keys(x);
  return keys.length === 1 && keys[0] === 'value';
}

/**
 * Where the L1 classes expect a Quantity: resource maps (requests, limits, ResourceQuota hard,
 * LimitRange defaults, node capacity) and emptyDir size limits. Other dropped values (cdk8s-plus
 * patches booleans the generated classes do not carry) are not this trap.
 */
const QUANTITY_POINTER = /\/(requests|limits|capacity|allocatable|overhead|hard|default|defaultRequest|max|min|maxLimitRequestRatio)\/[^/]+$|\/sizeLimit$/;

function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The generated L1 classes (`k8s.KubeDeployment`…) convert their JSON once more after JSON
 * patches are applied, and that conversion reads quantity fields as `Quantity` objects: a plain
 * string such as `'100m'` in a patch becomes nothing, silently, and the pod is then reported as
 * having no CPU request. This finds every leaf value the patched JSON had that the final JSON
 * lost where a quantity belongs, so that the guard can fail loudly instead. Objects without patches cost nothing. @internal
 */
export function droppedPatchValues(obj: ApiObject): DroppedPatchValue[] {
  const patches = (obj as unknown as { patches?: unknown[] }).patches;
  if (!Array.isArray(patches) || patches.length === 0) return [];
  // ApiObject's own toJson applies the patches; the subclass's then converts the result again.
  if (Object.getPrototypeOf(obj).toJson === ApiObject.prototype.toJson) return [];
  const patched = ApiObject.prototype.toJson.call(obj) as unknown;
  const final = obj.toJson() as unknown;
  const out: DroppedPatchValue[] = [];
  // Iterative walk of both trees in step: the patched JSON is user-sized, never recursed deeply.
  const stack: [unknown, unknown, string][] = [[patched, final, '']];
  while (stack.length) {
    const [a, b, pointer] = stack.pop()!;
    if (a === null || a === undefined || isWrapped(a)) continue;
    if (typeof a !== 'object') {
      if ((b === undefined || b === null) && (typeof a === 'string' || typeof a === 'number') && QUANTITY_POINTER.test(pointer)) out.push({ pointer, value: a });
      continue;
    }
    if (b === undefined || b === null || typeof b !== 'object') continue;
    for (const [k, v] of Object.entries(a as Record<string, unknown>)) {
      stack.push([v, (b as Record<string, unknown>)[k], `${pointer}/${escape(k)}`]);
    }
  }
  return out.sort((x, y) => (x.pointer < y.pointer ? -1 : 1));
}
