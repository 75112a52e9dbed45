/**
 * The Kubernetes API server's own validation, for what this library emits: name formats per kind,
 * label keys and values, uniqueness of container, port, volume and mount names, Secret and
 * ConfigMap keys, CronJob schedules, and object identities. The strict JSON schema checks types
 * only; these are the rules `kubectl apply` would otherwise enforce after the files are written.
 * References: Kubernetes API conventions (object names and IDs), k8s.io/apimachinery
 * pkg/util/validation, pkg/apis/core/validation, pkg/apis/batch/validation.
 */
import { canonicalPath, hasOwn } from './canonical';
import { quote } from './redact';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

/** DNS-1123 label: ≤ 63 lowercase alphanumerics and '-', alphanumeric at both ends. */
export function isDns1123LabelName(s: unknown): s is string {
  return typeof s === 'string' && s.length <= 63 && DNS1123_LABEL.test(s);
}
/** DNS-1035 label (Service names): a DNS-1123 label that starts with a letter. */
export function isDns1035Label(s: unknown): s is string {
  return typeof s === 'string' && s.length <= 63 && DNS1035_LABEL.test(s);
}
/** DNS-1123 subdomain: ≤ 253 characters, dot-separated DNS-1123 labels. */
export function isDns1123Subdomain(s: unknown): s is string {
  return typeof s === 'string' && s.length > 0 && s.length <= 253 && s.split('.').every((l) => l.length > 0 && DNS1123_LABEL.test(l));
}
/** Label value: ≤ 63 characters, alphanumerics and `-_.`, alphanumeric at both ends (or empty). */
export function isLabelValue(s: unknown): s is string {
  return typeof s === 'string' && s.length <= 63 && LABEL_VALUE.test(s);
}
/** Keys already found valid (they repeat on every object); bounded. */
const validQualifiedNames = new Set<string>();

/** Label or annotation key: `[prefix/]name`, prefix a DNS-1123 subdomain, name ≤ 63. */
export function isQualifiedName(s: unknown): s is string {
  if (typeof s !== 'string' || s.length > 317) return false;
  // Keys repeat on every object (app.kubernetes.io/*): remember the valid ones (bounded).
  if (validQualifiedNames.has(s)) return true;
  if (!checkQualifiedName(s)) return false;
  if (validQualifiedNames.size >= 10_000) validQualifiedNames.clear();
  validQualifiedNames.add(s);
  return true;
}

function checkQualifiedName(s: string): boolean {
  const slash = s.indexOf('/');
  const name = slash < 0 ? s : s.slice(slash + 1);
  if (slash >= 0 && !isDns1123Subdomain(s.slice(0, slash))) return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name);
}
/** Secret and ConfigMap keys: `[-._a-zA-Z0-9]+`, ≤ 253, not `.` or `..`. */
export function isConfigKey(s: unknown): s is string {
  return typeof s === 'string' && s.length <= 253 && CONFIG_KEY.test(s) && s !== '.' && s !== '..' && !s.startsWith('..');
}
/** IANA service name (port names): ≤ 15, lowercase alphanumerics and single '-', one letter at least. */
export function isIanaSvcName(s: unknown): s is string {
  return typeof s === 'string' && s.length <= 15 && DNS1123_LABEL.test(s) && /[a-z]/.test(s) && !s.includes('--');
}

/** Descriptors the CronJob controller accepts in place of five fields. */
const CRON_DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const CRON_FIELD = /^[0-9A-Za-z*/,?-]+$/;

/**
 * Why a CronJob schedule would be rejected, or undefined when it is valid: five standard fields
 * (minute hour day-of-month month day-of-week, names allowed) or a descriptor such as `@daily`.
 * Ranges are checked with cron-parser. Time zones go to `timeZone`, never into the schedule.
 */
export function cronScheduleProblem(schedule: unknown): string | undefined {
  if (typeof schedule !== 'string') return 'the schedule is not a string';
  const s = schedule.trim();
  if (s.length === 0 || s.length > 256) return 'the schedule is empty or too long';
  if (/^(CRON_)?TZ=/.test(s)) return 'a time zone inside the schedule (TZ=…) is rejected by the API server';
  if (s.startsWith('@')) return CRON_DESCRIPTORS.has(s) ? undefined : `${quote(s)} is not one of ${[...CRON_DESCRIPTORS].join(', ')}`;
  const fields = s.split(/\s+/);
  if (fields.length !== 5) return `a schedule has five fields (minute hour day-of-month month day-of-week); this one has ${fields.length}`;
  const bad = fields.find((f) => !CRON_FIELD.test(f) || /[LW#H]/.test(f.replace(/[A-Za-z]{3}/g, (m) => (/^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|sun|mon|tue|wed|thu|fri|sat)$/i.test(m) ? '' : m))));
  if (bad !== undefined) return `${quote(bad)} is not a standard cron field (L, W, # and H are extensions the controller rejects)`;
  // Loaded on the first CronJob: most apps have none, and the parser brings luxon.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { CronExpressionParser } = require('cron-parser') as typeof import('cron-parser');
  try {
    CronExpressionParser.parse(s, { strict: false });
  } catch (e) {
    return `${quote(s)}: ${(e as Error).message}`;
  }
  return undefined;
}

/** One API-server rejection of a synthesized object. */
export interface ApiIssue {
  readonly ruleId: 'spec/api-validation' | 'spec/duplicate-object';
  /** `Kind/namespace/name` of the object (names quoted safely). */
  readonly object: string;
  /** Index of the object in the list given. */
  readonly index: number;
  /** JSON path inside the object, e.g. `spec.template.spec.containers[0].name`. */
  readonly fieldPath: string;
  readonly message: string;
  readonly fix: string;
}

/** Kinds whose name must be a DNS-1035 label (Services) or a DNS-1123 label (Namespaces). */
const LABEL_NAMED = new Set(['Namespace']);
const DNS1035_NAMED = new Set(['Service']);
/** Longest names: CronJob (the controller appends 11 characters to Job names), StatefulSet and Job (a label carries the name plus a suffix). */
const MAX_NAME: Record<string, number> = { CronJob: 52, Job: 63, StatefulSet: 52, DaemonSet: 63, Deployment: 253 };

function podSpecOf(o: any): { spec: any; path: string; claims?: string[] } | undefined {
  switch (o?.kind) {
    case 'StatefulSet': return { spec: o.spec?.template?.spec, path: 'spec.template.spec', claims: arr(o.spec?.volumeClaimTemplates).map((t) => t?.metadata?.name) };
    case 'Pod': return { spec: o.spec, path: 'spec' };
    case 'CronJob': return { spec: o.spec?.jobTemplate?.spec?.template?.spec, path: 'spec.jobTemplate.spec.template.spec' };
    case 'Deployment': case 'DaemonSet': case 'ReplicaSet': case 'Job':
      return { spec: o.spec?.template?.spec, path: 'spec.template.spec' };
    default: return undefined;
  }
}

function arr(x: unknown): any[] {
  return Array.isArray(x) ? x : [];
}

/**
 * Validate objects as the API server would (for the parts this library emits). Returns every
 * problem found; an empty list means the API server accepts them on these counts.
 */
export function validateApiObjects(objects: readonly unknown[]): ApiIssue[] {
  const issues: ApiIssue[] = [];
  const identities = new Map<string, number>();
  objects.forEach((raw, index) => {
    const o = raw as any;
    if (!o || typeof o !== 'object') return;
    const kind = typeof o.kind === 'string' ? o.kind : '';
    const name = o.metadata?.name;
    const ns = o.metadata?.namespace;
    const objectLabel = () => `${kind}/${typeof ns === 'string' ? `${ns}/` : ''}${typeof name === 'string' ? name : quote(name)}`;
    const add = (fieldPath: string, message: string, fix: string, ruleId: ApiIssue['ruleId'] = 'spec/api-validation') =>
      issues.push({ ruleId, object: objectLabel(), index, fieldPath, message, fix });

    // Names per kind.
    if (DNS1035_NAMED.has(kind)) {
      if (!isDns1035Label(name)) add('metadata.name', `${quote(name)} is not a valid ${kind} name: it must be a DNS-1035 label (start with a letter, ≤ 63 lowercase letters, digits and '-').`, "start the name with a letter, e.g. 'svc-9lives' instead of '9lives'.");
    } else if (LABEL_NAMED.has(kind)) {
      if (!isDns1123LabelName(name)) add('metadata.name', `${quote(name)} is not a valid ${kind} name (DNS-1123 label).`, "use ≤ 63 lowercase letters, digits and '-'.");
    } else if (name !== undefined && !isDns1123Subdomain(name)) {
      add('metadata.name', `${quote(name)} is not a valid ${kind} name (DNS-1123 subdomain).`, "use ≤ 253 lowercase letters, digits, '-' and '.'.");
    }
    if (typeof name === 'string' && hasOwn(MAX_NAME, kind) && name.length > MAX_NAME[kind]) {
      add('metadata.name', `${kind} name ${quote(name)} has ${name.length} characters; the API server accepts at most ${MAX_NAME[kind]} (it derives longer names from it).`, `shorten the workload name so '${kind}' names stay within ${MAX_NAME[kind]} characters.`);
    }
    if (ns !== undefined && !isDns1123LabelName(ns)) add('metadata.namespace', `${quote(ns)} is not a namespace name.`, 'use a DNS-1123 label.');
    // for-in, not entries(): no arrays per key on every object.
    const labels = o.metadata?.labels;
    if (labels && typeof labels === 'object') {
      for (const k in labels) {
        if (!hasOwn(labels, k)) continue;
        if (!isQualifiedName(k)) add(`metadata.labels.${k}`, `${quote(k)} is not a valid label key.`, "use '[prefix/]name' with name ≤ 63 alphanumerics, '-', '_' or '.'.");
        if (!isLabelValue(labels[k])) add(`metadata.labels.${k}`, `${quote(labels[k])} is not a valid label value.`, "use ≤ 63 letters, digits, '-', '_' or '.', alphanumeric at both ends.");
      }
    }
    const annotations = o.metadata?.annotations;
    if (annotations && typeof annotations === 'object') {
      for (const k in annotations) {
        if (hasOwn(annotations, k) && !isQualifiedName(k)) add(`metadata.annotations.${k}`, `${quote(k)} is not a valid annotation key.`, "use '[prefix/]name' with name ≤ 63 alphanumerics, '-', '_' or '.'.");
      }
    }
    // Identity: one kind/namespace/name per app.
    if (typeof name === 'string') {
      const group = typeof o.apiVersion === 'string' && o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
      const id = `${group}|${kind}|${ns ?? ''}|${name}`;
      const first = identities.get(id);
      if (first !== undefined) add('metadata.name', `${objectLabel()} is emitted twice (objects ${first} and ${index}): the second apply silently replaces the first.`, 'give every object a unique name per kind and namespace (different workload names).', 'spec/duplicate-object');
      else identities.set(id, index);
    }
    // Data keys.
    if (kind === 'Secret' || kind === 'ConfigMap') {
      for (const where of ['data', 'stringData', 'binaryData'] as const) {
        const d = o[where];
        if (d && typeof d === 'object') for (const k of Object.keys(d)) if (!isConfigKey(k)) add(`${where}.${k}`, `${quote(k)} is not a valid ${kind} key.`, "use letters, digits, '-', '_' and '.' only (no '/').");
      }
    }
    if (kind === 'CronJob') {
      const problem = cronScheduleProblem(o.spec?.schedule);
      if (problem) add('spec.schedule', problem, "use five fields, e.g. '0 3 * * *', or a descriptor such as '@daily'; put the time zone in timeZone.");
    }
    if (kind === 'Service') {
      const ports = arr(o.spec?.ports);
      const seenNames = new Set<string>();
      const seenPorts = new Set<string>();
      ports.forEach((p, i) => {
        const at = `spec.ports[${i}]`;
        if (ports.length > 1 && !p?.name) add(`${at}.name`, 'a Service with several ports must name each of them.', 'give every port a name.');
        if (p?.name !== undefined && !isDns1123LabelName(p.name)) add(`${at}.name`, `${quote(p.name)} is not a valid Service port name.`, 'use a DNS-1123 label.');
        if (p?.name !== undefined && seenNames.has(p.name)) add(`${at}.name`, `port name ${quote(p.name)} is used twice.`, 'give each Service port a unique name.');
        seenNames.add(p?.name);
        const key = `${p?.port}/${p?.protocol ?? 'TCP'}`;
        if (seenPorts.has(key)) add(`${at}.port`, `Service port ${key} is declared twice.`, 'expose each port number once per protocol (servicePort).');
        seenPorts.add(key);
      });
    }
    const pod = podSpecOf(o);
    if (pod?.spec && typeof pod.spec === 'object') validatePodSpec(pod.spec, pod.path, add, pod.claims ?? []);
  });
  return issues;
}

const ARGV_FIELDS = ['command', 'args'] as const;

function validatePodSpec(spec: any, at: string, add: (f: string, m: string, fix: string) => void, claims: string[]): void {
  const volumes = arr(spec.volumes);
  const volumeNames = new Set<string>(claims);
  volumes.forEach((v, i) => {
    if (!isDns1123LabelName(v?.name)) add(`${at}.volumes[${i}].name`, `${quote(v?.name)} is not a valid volume name (DNS-1123 label, ≤ 63 characters).`, 'shorten the container or volume name.');
    else if (volumeNames.has(v.name)) add(`${at}.volumes[${i}].name`, `volume ${quote(v.name)} is defined twice.`, 'give every volume a unique name.');
    volumeNames.add(v?.name);
  });
  const containerNames = new Set<string>();
  const init = arr(spec.initContainers);
  const main = arr(spec.containers);
  for (let n = 0; n < init.length + main.length; n++) {
    const c = n < init.length ? init[n] : main[n - init.length];
    const cp = n < init.length ? `${at}.initContainers[${n}]` : `${at}.containers[${n - init.length}]`;
    if (!isDns1123LabelName(c?.name)) add(`${cp}.name`, `${quote(c?.name)} is not a valid container name (DNS-1123 label).`, "use ≤ 63 lowercase letters, digits and '-'.");
    else if (containerNames.has(c.name)) add(`${cp}.name`, `container name ${quote(c.name)} is used twice in the pod.`, 'give every container a unique name.');
    containerNames.add(c?.name);
    for (const k of ARGV_FIELDS) {
      if (c?.[k] !== undefined && (!Array.isArray(c[k]) || !c[k].every((x: unknown) => typeof x === 'string'))) add(`${cp}.${k}`, `${k} must be a list of strings.`, `write ${k}: ['sleep', '10'], not a single string.`);
    }
    const portNames = new Set<string>();
    const portNums = new Set<string>();
    arr(c?.ports).forEach((p, i) => {
      if (p?.name !== undefined) {
        if (!isIanaSvcName(p.name)) add(`${cp}.ports[${i}].name`, `${quote(p.name)} is not a valid port name (IANA service name, ≤ 15 characters).`, "use e.g. 'http'.");
        else if (portNames.has(p.name)) add(`${cp}.ports[${i}].name`, `port name ${quote(p.name)} is used twice.`, 'give each port a unique name.');
        portNames.add(p.name);
      }
      const key = `${p?.containerPort}/${p?.protocol ?? 'TCP'}`;
      if (portNums.has(key)) add(`${cp}.ports[${i}].containerPort`, `port ${key} is declared twice.`, 'declare each port once.');
      portNums.add(key);
    });
    const mountPaths = new Set<string>();
    arr(c?.volumeMounts).forEach((m, i) => {
      const mp = canonicalPath(m?.mountPath);
      if (!mp) add(`${cp}.volumeMounts[${i}].mountPath`, `${quote(m?.mountPath)} is not an absolute path.`, "use e.g. '/var/lib/app'.");
      else if (mountPaths.has(mp)) add(`${cp}.volumeMounts[${i}].mountPath`, `${mp} is mounted twice in container ${quote(c?.name)}.`, 'mount each path once.');
      if (mp) mountPaths.add(mp);
      if (!volumeNames.has(m?.name)) add(`${cp}.volumeMounts[${i}].name`, `volume ${quote(m?.name)} is not defined in the pod.`, 'define the volume or fix the mount.');
    });
  }
}
