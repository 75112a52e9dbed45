import { DEFAULTS } from './defaults';
import { Refuser } from './errors';

/** Props of a PriorityClass: a scheduling tier that workloads name in `priorityClassName`. */
export interface PriorityClassSpec {
  /** Cluster-wide name (DNS-1123 subdomain; `system-` is reserved by Kubernetes). */
  readonly name: string;
  /**
   * Priority; higher schedules first and, with preemption, evicts lower. User classes may use up
   * to 1,000,000,000 (higher values are reserved for system-cluster-critical and node-critical).
   */
  readonly value: number;
  /** What the tier is for, for the people choosing a class. */
  readonly description: string;
  /**
   * `PreemptLowerPriority` lets pending pods of this class evict lower-priority pods; `Never`
   * only moves them ahead in the scheduling queue.
   * @default 'PreemptLowerPriority' (the Kubernetes default)
   */
  readonly preemptionPolicy?: 'PreemptLowerPriority' | 'Never';
  /**
   * Make this the class of pods that name none. At most one class in a cluster may be the default.
   * @default false
   */
  readonly globalDefault?: boolean;
}

export interface ResolvedPriorityClass extends Required<PriorityClassSpec> {
  readonly labels: Record<string, string>;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** The highest value the API server accepts for a user-defined PriorityClass. */
export const MAX_USER_PRIORITY = 1_000_000_000;

/** @internal */
export function resolvePriorityClass(spec: PriorityClassSpec, constructPath: string): ResolvedPriorityClass {
  const refuser = new Refuser(constructPath);
  if (!spec || typeof spec !== 'object') refuser.refuse('spec/props', '', 'props are required.', "give { name: 'standard', value: 1000, description: '…' }.");
  if (typeof spec.name !== 'string' || spec.name.length > 253 || !DNS1123_SUBDOMAIN.test(spec.name)) {
    refuser.refuse('spec/dns-1123-name', 'name', `${JSON.stringify(spec.name)} is not a DNS-1123 subdomain.`, "use lowercase letters, digits, '-' and '.', e.g. 'standard'.");
  }
  if (spec.name.startsWith('system-')) refuser.refuse('spec/dns-1123-name', 'name', "names starting with 'system-' are reserved for Kubernetes' own classes.", "choose another name, e.g. 'platform-critical'.");
  if (!Number.isInteger(spec.value) || spec.value < -2147483648 || spec.value > MAX_USER_PRIORITY) {
    refuser.refuse('priority-class', 'value', `${JSON.stringify(spec.value)} is not a whole number up to ${MAX_USER_PRIORITY} (higher values are reserved for system classes).`, 'use e.g. 1000 for standard services and 100000 for critical ones.');
  }
  if (typeof spec.description !== 'string' || spec.description.trim().length < 10) {
    refuser.refuse('priority-class', 'description', 'a PriorityClass needs a description of at least 10 characters: it is how teams choose a tier.', "say what the tier is for, e.g. 'customer-facing services; preempts batch'.");
  }
  const preemptionPolicy = spec.preemptionPolicy ?? 'PreemptLowerPriority';
  if (preemptionPolicy !== 'PreemptLowerPriority' && preemptionPolicy !== 'Never') {
    refuser.refuse('priority-class', 'preemptionPolicy', `${JSON.stringify(preemptionPolicy)} is not a preemption policy.`, "use 'PreemptLowerPriority' or 'Never'.");
  }
  if (spec.globalDefault !== undefined && typeof spec.globalDefault !== 'boolean') {
    refuser.refuse('priority-class', 'globalDefault', 'globalDefault must be true or false.', 'remove it, or set true for the one default class of the cluster.');
  }
  return {
    name: spec.name,
    value: spec.value,
    description: spec.description.trim(),
    preemptionPolicy,
    globalDefault: spec.globalDefault ?? false,
    labels: { 'app.kubernetes.io/managed-by': DEFAULTS.managedBy },
  };
}
