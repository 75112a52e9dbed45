import { ContainerView, EvaluationContext, K8sObject, PodView } from './types';

const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job']);

function isRecord(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function stringMap(x: unknown): Record<string, string> {
  if (!isRecord(x)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(x)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Extract the pod of a workload object, tolerating malformed input. */
export function extractPod(obj: K8sObject): PodView | undefined {
  const kind = obj.kind;
  let spec: any;
  let specPath: string;
  let meta: any;
  let runsToCompletion = false;
  if (kind === 'Pod') {
    spec = obj.spec;
    specPath = 'spec';
    meta = obj.metadata;
    runsToCompletion = obj.spec?.restartPolicy === 'Never' || obj.spec?.restartPolicy === 'OnFailure';
  } else if (kind && TEMPLATE_KINDS.has(kind)) {
    spec = obj.spec?.template?.spec;
    specPath = 'spec.template.spec';
    meta = obj.spec?.template?.metadata;
    runsToCompletion = kind === 'Job';
  } else if (kind === 'CronJob') {
    spec = obj.spec?.jobTemplate?.spec?.template?.spec;
    specPath = 'spec.jobTemplate.spec.template.spec';
    meta = obj.spec?.jobTemplate?.spec?.template?.metadata;
    runsToCompletion = true;
  } else {
    return undefined;
  }
  if (!isRecord(spec)) return undefined;
  const containers: ContainerView[] = [];
  const add = (list: unknown, key: string, kindName: ContainerView['kind']) => {
    if (!Array.isArray(list)) return;
    list.forEach((c, i) => {
      if (!isRecord(c)) return;
      containers.push({ container: c, path: `${specPath}.${key}[${i}]`, kind: kindName, sidecar: kindName === 'initContainer' && c.restartPolicy === 'Always' });
    });
  };
  add(spec.initContainers, 'initContainers', 'initContainer');
  add(spec.containers, 'containers', 'container');
  add(spec.ephemeralContainers, 'ephemeralContainers', 'ephemeralContainer');
  return {
    object: obj,
    spec,
    specPath,
    labels: stringMap(meta?.labels),
    annotations: stringMap(meta?.annotations),
    containers,
    runsToCompletion,
    namespace: typeof obj.metadata?.namespace === 'string' ? obj.metadata.namespace : '',
  };
}

/** Label selector semantics (matchLabels AND matchExpressions). An empty selector selects everything. */
export function selects(selector: any, labels: Record<string, string>): boolean {
  if (!isRecord(selector)) return false;
  const ml = selector.matchLabels;
  if (isRecord(ml)) {
    for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  }
  const me = selector.matchExpressions;
  if (Array.isArray(me)) {
    for (const e of me) {
      if (!isRecord(e)) return false;
      const has = Object.prototype.hasOwnProperty.call(labels, e.key);
      const values: unknown[] = Array.isArray(e.values) ? e.values : [];
      switch (e.operator) {
        case 'In': if (!has || !values.includes(labels[e.key])) return false; break;
        case 'NotIn': if (has && values.includes(labels[e.key])) return false; break;
        case 'Exists': if (!has) return false; break;
        case 'DoesNotExist': if (has) return false; break;
        default: return false;
      }
    }
  }
  return true;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

const namespaceOf = (obj: K8sObject): string => (typeof obj.metadata?.namespace === 'string' ? obj.metadata.namespace : '');

/** Index key of a label pair (`k=v`) or of a label key alone (`k` exists), within a namespace. */
const pairKey = (ns: string, k: string, v: string) => `${ns}\u0000${k}\u0000${v}`;
const existsKey = (ns: string, k: string) => `${ns}\u0000${k}\u0001`;

/**
 * The requirements of a selector that an index can answer: each entry lists alternative index keys
 * (a selected label set has at least one of them). matchLabels pairs give one key each; `In` gives
 * one per value; `Exists` gives the key alone. NotIn / DoesNotExist / malformed terms give none
 * (they are verified, not indexed).
 */
function requirements(selector: Record<string, any>, ns: string): string[][] {
  const out: string[][] = [];
  const ml = selector.matchLabels;
  if (isRecord(ml)) for (const [k, v] of Object.entries(ml)) if (typeof v === 'string') out.push([pairKey(ns, k, v)]);
  const me = selector.matchExpressions;
  if (Array.isArray(me)) {
    for (const e of me) {
      if (!isRecord(e) || typeof e.key !== 'string') continue;
      if (e.operator === 'Exists') {
        out.push([existsKey(ns, e.key)]);
      } else if (e.operator === 'In' && Array.isArray(e.values) && e.values.length && e.values.every((x: unknown) => typeof x === 'string')) {
        out.push([...new Set(e.values as string[])].map((x) => pairKey(ns, e.key, x)));
      }
    }
  }
  return out;
}

/** The requirement whose keys together index the fewest entries (smallest bucket first). */
function smallest(reqs: readonly string[][], size: (key: string) => number): string[] | undefined {
  let best: string[] | undefined;
  let bestSize = Infinity;
  for (const r of reqs) {
    let n = 0;
    for (const k of r) n += size(k);
    if (n < bestSize) {
      best = r;
      bestSize = n;
      if (n === 0) break;
    }
  }
  return best;
}

/** Input order, without duplicates (distinct keys of odd labels can share an index key). */
function inOrder<T>(items: T[], order: Map<T, number>): T[] {
  const sorted = [...new Set(items)];
  return sorted.sort((a, b) => order.get(a)! - order.get(b)!);
}

/** Objects selecting pods: each indexed under its rarest requirement, the rest scanned. */
interface SelectorIndex {
  readonly byKey: Map<string, K8sObject[]>;
  readonly scan: Map<string, K8sObject[]>;
  readonly order: Map<K8sObject, number>;
  readonly answers: Map<PodView, K8sObject[]>;
}

function buildSelectorIndex(objects: readonly K8sObject[], selectorOf: (o: K8sObject) => unknown): SelectorIndex {
  const idx: SelectorIndex = { byKey: new Map(), scan: new Map(), order: new Map(), answers: new Map() };
  const entries: { o: K8sObject; reqs: string[][] }[] = [];
  const freq = new Map<string, number>();
  objects.forEach((o, i) => {
    const sel = selectorOf(o);
    if (!isRecord(sel)) return;
    idx.order.set(o, i);
    const reqs = requirements(sel, namespaceOf(o));
    entries.push({ o, reqs });
    for (const r of reqs) for (const k of r) freq.set(k, (freq.get(k) ?? 0) + 1);
  });
  for (const { o, reqs } of entries) {
    const best = smallest(reqs, (k) => freq.get(k) ?? 0);
    if (best) for (const k of best) push(idx.byKey, k, o);
    else push(idx.scan, namespaceOf(o), o);
  }
  return idx;
}

/**
 * Build the evaluation context for a set of objects evaluated together. Cross-object lookups are
 * indexed (by namespace and name, and by every selector label), so evaluation stays linear even
 * when every workload shares its first label.
 */
export function createContext(objects: readonly K8sObject[]): EvaluationContext {
  const byKind = new Map<string, K8sObject[]>();
  const podByObject = new Map<K8sObject, PodView>();
  const pods: PodView[] = [];
  const podOrder = new Map<PodView, number>();
  const byName = new Map<string, K8sObject>();
  const podsByKey = new Map<string, PodView[]>();
  const podsByNamespace = new Map<string, PodView[]>();
  for (const o of objects) {
    const kind = typeof o.kind === 'string' ? o.kind : '';
    push(byKind, kind, o);
    const name = o.metadata?.name;
    if (typeof name === 'string') {
      const key = `${kind}\u0000${namespaceOf(o)}\u0000${name}`;
      if (!byName.has(key)) byName.set(key, o);
    }
    const pod = extractPod(o);
    if (pod) {
      podByObject.set(o, pod);
      podOrder.set(pod, pods.length);
      pods.push(pod);
      push(podsByNamespace, pod.namespace, pod);
      for (const [k, v] of Object.entries(pod.labels)) {
        push(podsByKey, pairKey(pod.namespace, k, v), pod);
        push(podsByKey, existsKey(pod.namespace, k), pod);
      }
    }
  }
  const indexes = new Map<string, Map<(o: K8sObject) => string | undefined, Map<string, K8sObject[]>>>();
  const indexBy = (kind: string, key: (o: K8sObject) => string | undefined): Map<string, K8sObject[]> => {
    let perKind = indexes.get(kind);
    if (!perKind) indexes.set(kind, (perKind = new Map()));
    let idx = perKind.get(key);
    if (!idx) {
      idx = new Map();
      for (const o of byKind.get(kind) ?? []) {
        const k = key(o);
        if (k !== undefined) push(idx, k, o);
      }
      perKind.set(key, idx);
    }
    return idx;
  };
  // One selector index per kind and selector function (rules pass stable functions).
  const selectorIndexes = new Map<string, Map<(o: K8sObject) => unknown, SelectorIndex>>();
  const selectorIndex = (kind: string, selectorOf: (o: K8sObject) => unknown): SelectorIndex => {
    let perKind = selectorIndexes.get(kind);
    if (!perKind) selectorIndexes.set(kind, (perKind = new Map()));
    let idx = perKind.get(selectorOf);
    if (!idx) perKind.set(selectorOf, (idx = buildSelectorIndex(byKind.get(kind) ?? [], selectorOf)));
    return idx;
  };
  return {
    objects,
    ofKind: (kind) => byKind.get(kind) ?? [],
    podOf: (obj) => podByObject.get(obj),
    pods,
    namespaceOf,
    selects,
    find: (kind, namespace, name) => byName.get(`${kind}\u0000${namespace}\u0000${name}`),
    indexBy,
    selecting: (kind, pod, selectorOf) => {
      const idx = selectorIndex(kind, selectorOf);
      // Several rules ask the same question of the same pod: answer once.
      const cached = idx.answers.get(pod);
      if (cached) return cached;
      const out: K8sObject[] = [];
      const consider = (list: readonly K8sObject[] | undefined) => {
        if (list) for (const o of list) if (selects(selectorOf(o), pod.labels)) out.push(o);
      };
      for (const [k, v] of Object.entries(pod.labels)) {
        consider(idx.byKey.get(pairKey(pod.namespace, k, v)));
        consider(idx.byKey.get(existsKey(pod.namespace, k)));
      }
      consider(idx.scan.get(pod.namespace));
      const answer = out.length > 1 ? inOrder(out, idx.order) : out;
      idx.answers.set(pod, answer);
      return answer;
    },
    podsSelectedBy: (namespace, selector) => {
      if (!isRecord(selector)) return [];
      const best = smallest(requirements(selector, namespace), (k) => podsByKey.get(k)?.length ?? 0);
      if (!best) return (podsByNamespace.get(namespace) ?? []).filter((p) => selects(selector, p.labels));
      const out: PodView[] = [];
      for (const k of best) for (const p of podsByKey.get(k) ?? []) if (selects(selector, p.labels)) out.push(p);
      return best.length > 1 && out.length > 1 ? inOrder(out, podOrder) : out;
    },
  };
}

/** JSON path helper: `a.b[0].c`. */
export function jsonPath(...parts: (string | number)[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${p}` : p;
  }
  return out;
}
