import { isLabelValue, isQualifiedName } from './api-rules';
import { hasOwn } from './canonical';
import { ResourceSpec } from './container';
import { DEFAULTS, SIZE_PRESETS, SizePreset } from './defaults';
import { Refuser } from './errors';
import { checkDns1123Label } from './names';
import { refuseSecretsInProps } from './props-scan';
import { checkQuantity } from './quantity';
import { quote } from './redact';

/** Totals a namespace may use. */
export interface NamespaceQuota {
  readonly requests: { readonly cpu: string; readonly memory: string; readonly ephemeralStorage: string };
  readonly limits: { readonly cpu: string; readonly memory: string; readonly ephemeralStorage: string };
  /** Maximum number of pods. */
  readonly pods: number;
  /**
   * Maximum number of PersistentVolumeClaims.
   * @default - not limited
   */
  readonly persistentVolumeClaims?: number;
  /**
   * Total requested storage of all claims.
   * @default - not limited
   */
  readonly storage?: string;
}

/** Backend-neutral props of a guarded namespace. */
export interface HardenedNamespaceSpec {
  /** Namespace name (DNS-1123 label, not `default` or `kube-*`). */
  readonly name: string;
  /** ResourceQuota. */
  readonly quota: NamespaceQuota;
  /**
   * Requests and limits the LimitRange gives containers that declare none (containers from
   * other tools; this library's own always declare theirs). A size preset name or explicit amounts.
   */
  readonly containerDefaults: ResourceSpec | SizePreset;
  /** Extra labels on the Namespace. */
  readonly labels?: Record<string, string>;
}

export interface ResolvedNamespace {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly quota: NamespaceQuota;
  readonly containerDefaults: ResourceSpec;
}

/** Resolve and validate namespace props, or throw HardeningError. */
export function resolveNamespace(spec: HardenedNamespaceSpec, constructPath: string): ResolvedNamespace {
  const refuser = new Refuser(constructPath);
  refuseSecretsInProps(spec, refuser);
  const name = checkDns1123Label(spec?.name, 'name', refuser);
  if (name === 'default' || name.startsWith('kube-')) {
    refuser.refuse('no-default-namespace', 'name', `'${name}' is a system namespace: workloads there escape the guardrails or sit beside cluster components.`, 'use a dedicated namespace per application or team.');
  }
  const q = spec.quota;
  if (!q || typeof q !== 'object') refuser.refuse('spec/quota', 'quota', 'a quota is required: without it one team can exhaust the cluster.', 'give quota: { requests: {…}, limits: {…}, pods }.');
  for (const side of ['requests', 'limits'] as const) {
    checkQuantity(q[side]?.cpu, 'cpu', `quota.${side}.cpu`, refuser);
    checkQuantity(q[side]?.memory, 'memory', `quota.${side}.memory`, refuser);
    checkQuantity(q[side]?.ephemeralStorage, 'ephemeral-storage', `quota.${side}.ephemeralStorage`, refuser);
  }
  if (!Number.isInteger(q.pods) || q.pods < 1) refuser.refuse('spec/quota', 'quota.pods', `${quote(q.pods)} is not a pod count.`, 'give a whole number ≥ 1.');
  if (q.persistentVolumeClaims !== undefined && (!Number.isInteger(q.persistentVolumeClaims) || q.persistentVolumeClaims < 0)) refuser.refuse('spec/quota', 'quota.persistentVolumeClaims', 'not a count.', 'give a whole number ≥ 0.');
  if (q.storage !== undefined) checkQuantity(q.storage, 'memory', 'quota.storage', refuser);
  const d = spec.containerDefaults;
  let containerDefaults: ResourceSpec;
  if (typeof d === 'string') {
    if (!hasOwn(SIZE_PRESETS, d)) refuser.refuse('spec/size-preset', 'containerDefaults', `${quote(d)} is not a size preset.`, `use one of ${Object.keys(SIZE_PRESETS).join(', ')}.`);
    containerDefaults = SIZE_PRESETS[d];
  } else if (d && typeof d === 'object') {
    containerDefaults = d;
    for (const side of ['requests', 'limits'] as const) {
      checkQuantity(d[side]?.cpu, 'cpu', `containerDefaults.${side}.cpu`, refuser);
      checkQuantity(d[side]?.memory, 'memory', `containerDefaults.${side}.memory`, refuser);
      checkQuantity(d[side]?.ephemeralStorage, 'ephemeral-storage', `containerDefaults.${side}.ephemeralStorage`, refuser);
    }
  } else {
    return refuser.refuse('spec/size-preset', 'containerDefaults', 'containerDefaults is required: containers from other tools that declare no resources get these.', "give a preset name such as 'small' or explicit requests/limits.");
  }
  if (spec.labels !== undefined) {
    if (!spec.labels || typeof spec.labels !== 'object' || Array.isArray(spec.labels)) refuser.refuse('spec/labels', 'labels', 'labels must be an object of key: value.', "give e.g. { team: 'payments' }.");
    for (const [k, v] of Object.entries(spec.labels)) {
      if (!isQualifiedName(k)) refuser.refuse('spec/labels', `labels.${k}`, `${quote(k)} is not a valid label key.`, "use '[prefix/]name', name ≤ 63 letters, digits, '-', '_' or '.'.");
      if (!isLabelValue(v)) refuser.refuse('spec/labels', `labels.${k}`, `${quote(v)} is not a valid label value.`, "use ≤ 63 letters, digits, '-', '_' or '.', alphanumeric at both ends.");
    }
  }
  const level = 'restricted';
  const labels: Record<string, string> = {
    ...(spec.labels ?? {}),
    'kubernetes.io/metadata.name': name,
    'app.kubernetes.io/managed-by': DEFAULTS.managedBy,
    'pod-security.kubernetes.io/enforce': level,
    'pod-security.kubernetes.io/enforce-version': DEFAULTS.podSecurityVersion,
    'pod-security.kubernetes.io/audit': level,
    'pod-security.kubernetes.io/audit-version': DEFAULTS.podSecurityVersion,
    'pod-security.kubernetes.io/warn': level,
    'pod-security.kubernetes.io/warn-version': DEFAULTS.podSecurityVersion,
  };
  return { name, labels, quota: q, containerDefaults };
}
