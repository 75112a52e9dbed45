import { isDns1035Label, isLabelValue } from './api-rules';
import { visibleLength } from './canonical';
import { DEFAULTS } from './defaults';
import { Refuser } from './errors';
import { quote } from './redact';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function isDns1123Label(s: unknown): s is string {
  return typeof s === 'string' && s.length <= 63 && DNS1123_LABEL.test(s);
}

/** @internal */
export function checkDns1123Label(name: unknown, field: string, refuser: Refuser): string {
  if (!isDns1123Label(name)) {
    refuser.refuse('spec/dns-1123-name', field, `${quote(name)} is not a DNS-1123 label: Kubernetes rejects it as an object name and it cannot be used as a DNS name for the Service.`, "use at most 63 characters of lowercase letters, digits and '-', starting and ending with a letter or digit, e.g. 'orders-api'.");
  }
  return name;
}

/**
 * A workload name: a DNS-1123 label that is not `default` (the workload's ServiceAccount takes
 * its name, and `default` is the namespace's shared ServiceAccount). @internal
 */
export function checkWorkloadName(name: unknown, field: string, refuser: Refuser): string {
  const n = checkDns1123Label(name, field, refuser);
  if (!isDns1035Label(n)) {
    refuser.refuse('spec/dns-1035-name', field, `${quote(n)} starts with a digit: the workload's Service takes this name, and Service names are DNS-1035 labels (they start with a letter), so the API server would reject it.`, `start the name with a letter, e.g. ${quote(`svc-${n}`.slice(0, 63))}.`);
  }
  if (n === 'default') {
    refuser.refuse('dedicated-service-account', field, "'default' would make the workload's ServiceAccount the namespace's shared default one, with every grant anyone gives it.", "choose another name, e.g. 'default-api'.");
  }
  return n;
}

/** Port names must be IANA service names: at most 15 characters, a letter, no '--'. @internal */
export function checkPortName(name: unknown, field: string, refuser: Refuser): string {
  if (typeof name !== 'string' || name.length > 15 || !IANA_SVC_NAME.test(name) || !/[a-z]/.test(name) || name.includes('--')) {
    refuser.refuse('container-ports-valid', field, `${quote(name)} is not a valid port name: probes and Services refer to ports by name, and Kubernetes requires an IANA service name.`, "use at most 15 lowercase letters, digits and single hyphens, with at least one letter, e.g. 'http' or 'metrics'.");
  }
  return name;
}

/** @internal */
export function checkEnvName(name: unknown, field: string, refuser: Refuser): string {
  if (typeof name !== 'string' || !ENV_NAME.test(name)) {
    refuser.refuse('spec/env-name', field, `${quote(name)} is not a valid environment variable name.`, "use letters, digits, '_', '-' and '.', not starting with a digit, e.g. 'LOG_LEVEL'.");
  }
  return name;
}

/**
 * The `app.kubernetes.io/*` labels of a workload (`instance` = the workload's name, which Polaris
 * checks against metadata.name), with `component` and `partOf` validated as label values. @internal
 */
export function recommendedLabels(
  l: { name: string; appName: string; version: string; component?: string; partOf?: string; defaultComponent: string },
  refuser: Refuser,
): Record<string, string> {
  for (const [k, v] of [['component', l.component], ['partOf', l.partOf]] as const) {
    if (v !== undefined && (!isLabelValue(v) || v === '')) {
      refuser.refuse('recommended-labels', k, `${quote(v)} is not a valid label value.`, "use ≤ 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric.");
    }
  }
  return {
    'app.kubernetes.io/name': l.appName,
    'app.kubernetes.io/instance': l.name,
    'app.kubernetes.io/version': l.version,
    'app.kubernetes.io/component': l.component ?? l.defaultComponent,
    'app.kubernetes.io/part-of': l.partOf ?? l.name,
    'app.kubernetes.io/managed-by': DEFAULTS.managedBy,
  };
}

/** Reasons for relaxations and suppressions must say something. @internal */
export const MIN_REASON_LENGTH = 10;

/** @internal */
export function checkReason(reason: unknown, field: string, refuser: Refuser, ruleId = 'spec/reason-required'): string {
  if (typeof reason !== 'string' || visibleLength(reason) < MIN_REASON_LENGTH) {
    refuser.refuse(ruleId, field, `a relaxation needs a reason of at least ${MIN_REASON_LENGTH} visible characters (spaces, zero-width and control characters do not count); got ${quote(reason)}. The reason is written into the output so reviewers and auditors see why the default was relaxed.`, "give a sentence saying why this workload needs it, e.g. 'legacy image binds port 80; tracked in OPS-123'.");
  }
  return reason.trim();
}

/**
 * Levenshtein distance, for "did you mean" hints between names (DNS labels and workload
 * references are short: the quadratic table stays tiny). @internal
 */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}
