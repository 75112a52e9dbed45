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

/** The first matchLabels pair of a selector (an index key), or undefined when it has none. */
function firstPair(selector: unknown): string | undefined {
  const ml = isRecord(selector) ? selector.matchLabels : undefined;
  if (!isRecord(ml)) return undefined;
  for (const [k, v] of Object.entries(ml)) if (typeof v === 'string') return `${k}=${v}`;
  return undefined;
}

/**
 * Build the evaluation context for a set of objects evaluated together. Cross-object lookups are
 * indexed (by namespace and name, and by selector label), so evaluation stays linear.
 */
export function createContext(objects: readonly K8sObject[]): EvaluationContext {
  const byKind = new Map<string, K8sObject[]>();
  const podByObject = new Map<K8sObject, PodView>();
  const pods: PodView[] = [];
  const byName = new Map<string, K8sObject>();
  const podsByLabel = new Map<string, PodView[]>();
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
      pods.push(pod);
      push(podsByNamespace, pod.namespace, pod);
      for (const [k, v] of Object.entries(pod.labels)) push(podsByLabel, `${pod.namespace}\u0000${k}=${v}`, pod);
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
  // Selector indexes: objects by namespace + their selector's first matchLabels pair; the rest
  // (empty or expression-only selectors) are scanned.
  const selectingCache = new Map<PodView, Map<string, K8sObject[]>>();
  const selectorIndexes = new Map<string, { byPair: Map<string, K8sObject[]>; scan: Map<string, K8sObject[]> }>();
  const selectorIndex = (kind: string, selectorOf: (o: K8sObject) => unknown) => {
    let idx = selectorIndexes.get(kind);
    if (!idx) {
      idx = { byPair: new Map(), scan: new Map() };
      for (const o of byKind.get(kind) ?? []) {
        const sel = selectorOf(o);
        if (!isRecord(sel)) continue;
        const pair = firstPair(sel);
        if (pair) push(idx.byPair, `${namespaceOf(o)}\u0000${pair}`, o);
        else push(idx.scan, namespaceOf(o), o);
      }
      selectorIndexes.set(kind, idx);
    }
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
      // Several rules ask the same question of the same pod: answer once.
      const cacheKey = `${kind}\u0000${pod.specPath}`;
      let perPod = selectingCache.get(pod);
      if (!perPod) selectingCache.set(pod, (perPod = new Map()));
      const cached = perPod.get(cacheKey);
      if (cached) return cached;
      const idx = selectorIndex(kind, selectorOf);
      const out: K8sObject[] = [];
      const seen = new Set<K8sObject>();
      const consider = (o: K8sObject) => {
        if (!seen.has(o) && selects(selectorOf(o), pod.labels)) out.push(o);
        seen.add(o);
      };
      for (const [k, v] of Object.entries(pod.labels)) for (const o of idx.byPair.get(`${pod.namespace}\u0000${k}=${v}`) ?? []) consider(o);
      for (const o of idx.scan.get(pod.namespace) ?? []) consider(o);
      perPod.set(cacheKey, out);
      return out;
    },
    podsSelectedBy: (namespace, selector) => {
      if (!isRecord(selector)) return [];
      const pair = firstPair(selector);
      const candidates = pair ? podsByLabel.get(`${namespace}\u0000${pair}`) ?? [] : podsByNamespace.get(namespace) ?? [];
      return candidates.filter((p) => selects(selector, p.labels));
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
