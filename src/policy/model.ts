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

/** Build the evaluation context for a set of objects evaluated together. */
export function createContext(objects: readonly K8sObject[]): EvaluationContext {
  const byKind = new Map<string, K8sObject[]>();
  const podByObject = new Map<K8sObject, PodView>();
  const pods: PodView[] = [];
  for (const o of objects) {
    const kind = typeof o.kind === 'string' ? o.kind : '';
    let list = byKind.get(kind);
    if (!list) byKind.set(kind, (list = []));
    list.push(o);
    const pod = extractPod(o);
    if (pod) {
      podByObject.set(o, pod);
      pods.push(pod);
    }
  }
  return {
    objects,
    ofKind: (kind) => byKind.get(kind) ?? [],
    podOf: (obj) => podByObject.get(obj),
    pods,
    namespaceOf: (obj) => (typeof obj.metadata?.namespace === 'string' ? obj.metadata.namespace : ''),
    selects,
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
