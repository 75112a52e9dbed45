import { ContainerView, EvaluationContext, K8sObject, PodView } from './types';

const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job']);

/** @internal */
export function isRecord(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The string-valued entries of a label map (anything else is dropped). @internal */
export function stringMap(x: unknown): Record<string, string> {
  if (!isRecord(x)) return {};
  const out: Record<string, string> = {};
  // for-in, not entries(): no arrays per key (this runs for every pod of an audit or synthesis).
  for (const k in x) if (Object.prototype.hasOwnProperty.call(x, k) && typeof x[k] === 'string') out[k] = x[k];
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
  } else if (isRecord(obj.spec?.template?.spec) && Array.isArray(obj.spec.template.spec.containers)) {
    // Workloads of other controllers carry the same pod template (Argo Rollouts, OpenShift
    // DeploymentConfigs, Knative Services, …): their pods run the same containers, so the same
    // pod and container rules apply (kube-linter treats such kinds as deployment-like too).
    spec = obj.spec.template.spec;
    specPath = 'spec.template.spec';
    meta = obj.spec.template.metadata;
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
    for (const k in ml) if (Object.prototype.hasOwnProperty.call(ml, k) && labels[k] !== ml[k]) return false;
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

/** One index term: a label pair (`k=v`), or a label key alone (`k` exists) when `v` is undefined. */
type Term = readonly [key: string, value: string | undefined];

/** Items by namespace, label key and value (nested maps: no key strings built per lookup). */
class LabelIndex<T> {
  private readonly byNamespace = new Map<string, Map<string, { exists: T[]; byValue: Map<string, T[]> }>>();

  /** Add under a term (`k=v`, or `k` alone when `v` is undefined); `alsoExists` also files the item under its key alone. */
  public add(ns: string, k: string, v: string | undefined, item: T, alsoExists = false): void {
    let keys = this.byNamespace.get(ns);
    if (!keys) this.byNamespace.set(ns, (keys = new Map()));
    let entry = keys.get(k);
    if (!entry) keys.set(k, (entry = { exists: [], byValue: new Map() }));
    if (v === undefined) {
      entry.exists.push(item);
      return;
    }
    push(entry.byValue, v, item);
    if (alsoExists) entry.exists.push(item);
  }

  public get(ns: string, k: string, v: string | undefined): readonly T[] | undefined {
    const entry = this.byNamespace.get(ns)?.get(k);
    if (!entry) return undefined;
    return v === undefined ? entry.exists : entry.byValue.get(v);
  }
}

/**
 * The requirements of a selector that an index can answer: each entry lists alternative terms (a
 * selected label set has at least one of them). matchLabels pairs give one term each; `In` gives
 * one per value; `Exists` gives the key alone. NotIn / DoesNotExist / malformed terms give none
 * (they are verified, not indexed).
 */
function requirements(selector: Record<string, any>): Term[][] {
  const out: Term[][] = [];
  const ml = selector.matchLabels;
  if (isRecord(ml)) for (const k in ml) if (Object.prototype.hasOwnProperty.call(ml, k) && typeof ml[k] === 'string') out.push([[k, ml[k]]]);
  const me = selector.matchExpressions;
  if (Array.isArray(me)) {
    for (const e of me) {
      if (!isRecord(e) || typeof e.key !== 'string') continue;
      if (e.operator === 'Exists') {
        out.push([[e.key, undefined]]);
      } else if (e.operator === 'In' && Array.isArray(e.values) && e.values.length && e.values.every((x: unknown) => typeof x === 'string')) {
        out.push([...new Set(e.values as string[])].map((x): Term => [e.key, x]));
      }
    }
  }
  return out;
}

/** The requirement whose terms together index the fewest entries (smallest bucket first). */
function smallest(reqs: readonly Term[][], size: (t: Term) => number): Term[] | undefined {
  let best: Term[] | undefined;
  let bestSize = Infinity;
  for (let i = 0; i < reqs.length; i++) {
    const r = reqs[i];
    let n = 0;
    for (let j = 0; j < r.length; j++) n += size(r[j]);
    if (n < bestSize) {
      best = r;
      bestSize = n;
      if (n === 0) break;
    }
  }
  return best;
}

/** Input order, without duplicates. */
function inOrder<T>(items: T[], order: Map<T, number>): T[] {
  const sorted = [...new Set(items)];
  return sorted.sort((a, b) => order.get(a)! - order.get(b)!);
}

/** Objects selecting pods: each indexed under its rarest requirement, the rest scanned. */
interface SelectorIndex {
  readonly chosen: LabelIndex<K8sObject>;
  readonly scan: Map<string, K8sObject[]>;
  readonly order: Map<K8sObject, number>;
  readonly answers: Map<PodView, K8sObject[]>;
}

function buildSelectorIndex(objects: readonly K8sObject[], selectorOf: (o: K8sObject) => unknown): SelectorIndex {
  const idx: SelectorIndex = { chosen: new LabelIndex(), scan: new Map(), order: new Map(), answers: new Map() };
  // A selector with one requirement is indexed under it. Only selectors with several need the bucket
  // sizes of every term of every selector, to pick their rarest requirement.
  const several: { o: K8sObject; ns: string; reqs: Term[][] }[] = [];
  objects.forEach((o, i) => {
    const sel = selectorOf(o);
    if (!isRecord(sel)) return;
    idx.order.set(o, i);
    const ns = namespaceOf(o);
    const reqs = requirements(sel);
    if (reqs.length === 1) for (const t of reqs[0]) idx.chosen.add(ns, t[0], t[1], o);
    else if (reqs.length === 0) push(idx.scan, ns, o);
    else several.push({ o, ns, reqs });
  });
  if (several.length) {
    // Bucket sizes: the single-requirement selectors are in `chosen` already; add every term of the others.
    const others = new LabelIndex<K8sObject>();
    for (const { o, ns, reqs } of several) for (const r of reqs) for (const t of r) others.add(ns, t[0], t[1], o);
    const size = (ns: string, t: Term) => (idx.chosen.get(ns, t[0], t[1])?.length ?? 0) + (others.get(ns, t[0], t[1])?.length ?? 0);
    const picks = several.map(({ ns, reqs }) => smallest(reqs, (t) => size(ns, t))!);
    several.forEach(({ o, ns }, i) => {
      for (const t of picks[i]) idx.chosen.add(ns, t[0], t[1], o);
    });
  }
  return idx;
}

/** No pods (shared). */
const NO_PODS: readonly PodView[] = Object.freeze([]);

/** The answer of a lookup that found nothing (shared: most pods are selected by few objects). */
const NONE = Object.freeze([]) as unknown as K8sObject[];

/**
 * Build the evaluation context for a set of objects evaluated together. Cross-object lookups are
 * indexed (by namespace and name, and by every selector label), so evaluation stays linear even
 * when every workload shares its first label. Indexes are built on first use.
 */
export function createContext(objects: readonly K8sObject[]): EvaluationContext {
  const byKind = new Map<string, K8sObject[]>();
  const podByObject = new Map<K8sObject, PodView>();
  const pods: PodView[] = [];
  for (const o of objects) {
    push(byKind, typeof o.kind === 'string' ? o.kind : '', o);
    const pod = extractPod(o);
    if (pod) {
      podByObject.set(o, pod);
      pods.push(pod);
    }
  }
  let byName: Map<string, Map<string, Map<string, K8sObject>>> | undefined;
  const find = (kind: string, namespace: string, name: string): K8sObject | undefined => {
    if (!byName) {
      byName = new Map();
      for (const o of objects) {
        const n = o.metadata?.name;
        if (typeof n !== 'string') continue;
        const k = typeof o.kind === 'string' ? o.kind : '';
        let perKind = byName.get(k);
        if (!perKind) byName.set(k, (perKind = new Map()));
        const ns = namespaceOf(o);
        let perNs = perKind.get(ns);
        if (!perNs) perKind.set(ns, (perNs = new Map()));
        if (!perNs.has(n)) perNs.set(n, o);
      }
    }
    return byName.get(kind)?.get(namespace)?.get(name);
  };
  let podIndex: { byLabel: LabelIndex<PodView>; byNamespace: Map<string, PodView[]>; order: Map<PodView, number> } | undefined;
  const podsIndexed = () => {
    if (!podIndex) {
      podIndex = { byLabel: new LabelIndex(), byNamespace: new Map(), order: new Map() };
      pods.forEach((pod, i) => {
        podIndex!.order.set(pod, i);
        push(podIndex!.byNamespace, pod.namespace, pod);
        for (const k in pod.labels) podIndex!.byLabel.add(pod.namespace, k, pod.labels[k], pod, true);
      });
    }
    return podIndex;
  };
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
    find,
    indexBy,
    selecting: (kind, pod, selectorOf) => {
      const idx = selectorIndex(kind, selectorOf);
      // Several rules ask the same question of the same pod: answer once.
      const cached = idx.answers.get(pod);
      if (cached) return cached;
      const out: K8sObject[] = [];
      const consider = (list: readonly K8sObject[] | undefined) => {
        if (list) for (let i = 0; i < list.length; i++) if (selects(selectorOf(list[i]), pod.labels)) out.push(list[i]);
      };
      const ns = pod.namespace;
      for (const k in pod.labels) {
        consider(idx.chosen.get(ns, k, pod.labels[k]));
        consider(idx.chosen.get(ns, k, undefined));
      }
      consider(idx.scan.get(ns));
      // An object sits in one bucket per alternative of one requirement, and a pod has one value
      // per key, so it is found once; the order is input order.
      const answer = out.length > 1 ? inOrder(out, idx.order) : out.length ? out : NONE;
      idx.answers.set(pod, answer);
      return answer;
    },
    podsSelectedBy: (namespace, selector) => {
      if (!isRecord(selector)) return [];
      const { byLabel, byNamespace, order } = podsIndexed();
      const best = smallest(requirements(selector), (t) => byLabel.get(namespace, t[0], t[1])?.length ?? 0);
      if (!best) return (byNamespace.get(namespace) ?? []).filter((p) => selects(selector, p.labels));
      const out: PodView[] = [];
      for (let i = 0; i < best.length; i++) {
        const list = byLabel.get(namespace, best[i][0], best[i][1]) ?? NO_PODS;
        for (let j = 0; j < list.length; j++) if (selects(selector, list[j].labels)) out.push(list[j]);
      }
      return best.length > 1 && out.length > 1 ? inOrder(out, order) : out;
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
