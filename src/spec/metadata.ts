import { isQualifiedName } from './api-rules';
import { DOMAIN } from './defaults';
import { Refuser } from './errors';
import { secretValueKind } from './secrets';

/** Organisation metadata for every object a construct emits, and for its pod template. */
export interface MetadataSpec {
  /**
   * Labels added to every object the construct emits and to its pod template (e.g. an owner or
   * cost-centre label your organisation requires). The `app.kubernetes.io/*` labels are the
   * construct's own: set them through `component` and `partOf`.
   * @default - only the recommended labels
   */
  readonly labels?: Record<string, string>;
  /**
   * Annotations added to every object the construct emits and to its pod template. Values are
   * written in clear: secret-looking values are refused.
   * @default - none
   */
  readonly annotations?: Record<string, string>;
}

/** Validated metadata. */
export interface ResolvedMetadata {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
/** Prefixes owned by Kubernetes itself or by this library: not for organisation metadata. */
const RESERVED_PREFIXES = ['kubernetes.io', 'k8s.io', DOMAIN];
/** Exemption annotations of the linters the rules anchor to. */
const LINTER_PREFIXES = ['polaris.fairwinds.com', 'kube-score', 'kube-linter.io'];


function reservedPrefix(key: string): string | undefined {
  const slash = key.indexOf('/');
  if (slash < 0) return undefined;
  const prefix = key.slice(0, slash);
  return RESERVED_PREFIXES.find((r) => prefix === r || prefix.endsWith(`.${r}`));
}

function entries(raw: unknown, field: string, refuser: Refuser): [string, unknown][] {
  if (raw === undefined) return [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    refuser.refuse('spec/metadata', field, 'must be an object of key: value strings.', "give e.g. { 'acme.com/owner': 'team-orders' }.");
  }
  return Object.entries(raw as Record<string, unknown>);
}

/**
 * Validate a label selector map (peer `podLabels`): label keys to label values, both as the API
 * server accepts them. @internal
 */
export function checkSelectorLabels(raw: unknown, field: string, refuser: Refuser): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  for (const [key, value] of entries(raw, field, refuser)) {
    const f = `${field}.${JSON.stringify(key)}`;
    if (!isQualifiedName(key)) refuser.refuse('spec/metadata', f, 'not a label key: Kubernetes rejects it.', "use '[dns-prefix/]name', e.g. 'app.kubernetes.io/name'.");
    if (typeof value !== 'string' || !LABEL_VALUE.test(value)) refuser.refuse('spec/metadata', f, 'not a label value: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending alphanumeric.', "give the pods' label value as a string, e.g. 'ingress-nginx'.");
  }
  return raw as Record<string, string>;
}

/**
 * Validate organisation labels and annotations (key syntax, label values, no secret-looking
 * annotation values, no keys owned by Kubernetes, this library or the recommended labels). @internal
 */
export function resolveMetadata(spec: MetadataSpec, refuser: Refuser): ResolvedMetadata {
  const labels: Record<string, string> = {};
  for (const [key, value] of entries(spec.labels, 'labels', refuser)) {
    const f = `labels.${JSON.stringify(key)}`;
    if (!isQualifiedName(key)) refuser.refuse('spec/metadata', f, 'not a label key: Kubernetes rejects it.', "use '[dns-prefix/]name' with a name of ≤ 63 letters, digits, '-', '_' or '.', e.g. 'acme.com/team'.");
    if (key.startsWith('app.kubernetes.io/')) refuser.refuse('recommended-labels', f, 'the app.kubernetes.io/* labels are set by the construct (selectors and policies depend on them).', 'set component and partOf on the props, or use a label of your own prefix.');
    const reserved = reservedPrefix(key);
    if (reserved) refuser.refuse('spec/metadata', f, `the ${reserved} prefix is reserved.`, 'use your organisation\'s own prefix, e.g. \'acme.com/team\'.');
    if (typeof value !== 'string' || !LABEL_VALUE.test(value)) refuser.refuse('spec/metadata', f, 'not a label value: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending alphanumeric.', 'shorten the value, or put free text in annotations.');
    labels[key] = value;
  }
  const annotations: Record<string, string> = {};
  let size = 0;
  for (const [key, value] of entries(spec.annotations, 'annotations', refuser)) {
    const f = `annotations.${JSON.stringify(key)}`;
    if (!isQualifiedName(key)) refuser.refuse('spec/metadata', f, 'not an annotation key: Kubernetes rejects it.', "use '[dns-prefix/]name', e.g. 'acme.com/runbook'.");
    const reserved = reservedPrefix(key);
    if (reserved) refuser.refuse('spec/metadata', f, `the ${reserved} prefix is reserved${reserved === DOMAIN ? ' (suppressions are made with relaxations or Suppressions.add, which check the reason)' : ''}.`, 'use your organisation\'s own prefix.');
    const prefix = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
    if (LINTER_PREFIXES.some((l) => prefix === l || prefix.endsWith(`.${l}`))) {
      refuser.refuse('spec/metadata', f, 'linter exemption annotations are written by relaxations and suppressions, which require a reason.', 'use a typed relaxation or Suppressions.add(scope, ruleId, reason).');
    }
    if (typeof value !== 'string') refuser.refuse('spec/metadata', f, 'an annotation value must be a string.', 'convert the value to a string.');
    if (secretValueKind(value) !== undefined) refuser.refuse('no-literal-secrets-in-env', f, 'this value looks like a credential, and annotations are readable by anyone who can read the object (the value is not shown).', 'keep credentials in a Secret and reference it.');
    size += key.length + value.length;
    annotations[key] = value;
  }
  if (size > 256 * 1024) refuser.refuse('spec/metadata', 'annotations', 'annotations exceed the 256 KiB the API server accepts per object.', 'keep annotations short; put large data in a ConfigMap.');
  return { labels, annotations };
}
