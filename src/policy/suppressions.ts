import { Rule } from './types';
import { scalarText } from '../spec/canonical';
import { SUPPRESS_PREFIX } from '../spec/defaults';
import { MIN_REASON_LENGTH } from '../spec/names';

/** Annotation (or Docker label) that suppresses a rule on one object, with the reason as value. */
export function suppressionAnnotation(ruleId: string): string {
  return `${SUPPRESS_PREFIX}${ruleId}`;
}

/** Is this reason good enough? */
export function validReason(reason: unknown): reason is string {
  return typeof reason === 'string' && reason.trim().length >= MIN_REASON_LENGTH;
}

/** Organisation control over suppressions (a {@link RuleSet} built from rule packs). */
export interface SuppressionControl {
  /** The name of the rule pack that locks `ruleId`, if one does. */
  lockedBy(ruleId: string): string | undefined;
  /** Why a suppression reason is not accepted, or undefined when it is. */
  reasonRefusal(reason: string): string | undefined;
}

/** A suppression found on an object: which annotation, with what reason. */
export interface FoundSuppression {
  readonly by: string;
  readonly reason: string;
}

/** Every annotation that would suppress `rule`, in priority order (ours first, then anchor tools'). */
function* candidates(rule: Pick<Rule, 'id' | 'anchors'>, annotations: Record<string, unknown>): Generator<FoundSuppression & { reasoned: boolean }> {
  const own = annotations[suppressionAnnotation(rule.id)];
  if (validReason(own)) yield { by: suppressionAnnotation(rule.id), reason: own.trim(), reasoned: true };
  const a = rule.anchors;
  if (a.polaris?.length) {
    if (scalarText(annotations['polaris.fairwinds.com/exempt']) === 'true') yield { by: 'polaris.fairwinds.com/exempt', reason: 'Polaris exemption (all checks)', reasoned: false };
    for (const id of a.polaris) {
      const key = `polaris.fairwinds.com/${id}-exempt`;
      if (scalarText(annotations[key]) === 'true') yield { by: key, reason: `Polaris exemption of ${id}`, reasoned: false };
    }
  }
  if (a.kubeScore?.length && typeof annotations['kube-score/ignore'] === 'string') {
    const ignored = scalarText(annotations['kube-score/ignore']).split(',').map((s) => s.trim());
    const hit = a.kubeScore.find((id) => ignored.includes(id));
    if (hit) yield { by: 'kube-score/ignore', reason: `kube-score ignores ${hit}`, reasoned: false };
  }
  if (a.kubeLinter?.length) {
    const all = annotations['kube-linter.io/ignore-all'];
    if (all !== undefined) yield { by: 'kube-linter.io/ignore-all', reason: all ? scalarText(all) : 'kube-linter: ignore all', reasoned: !!all };
    for (const id of a.kubeLinter) {
      const key = `ignore-check.kube-linter.io/${id}`;
      if (annotations[key] !== undefined) yield { by: key, reason: annotations[key] ? scalarText(annotations[key]) : `kube-linter ignores ${id}`, reasoned: !!annotations[key] };
    }
  }
}

/**
 * Find the annotation that suppresses `rule` on an object: ours first, then the anchor tools'
 * own exemption annotations mapped through the rule's anchor ids. With `control`, a locked rule is
 * never suppressed, and a suppression counts only when its reason carries the required ticket
 * (exemptions without a reason of their own, like Polaris's, then do not count).
 */
export function findSuppression(rule: Pick<Rule, 'id' | 'anchors'>, annotations: Record<string, unknown> | undefined, control?: SuppressionControl): FoundSuppression | undefined {
  if (!annotations) return undefined;
  if (control?.lockedBy(rule.id)) return undefined;
  for (const c of candidates(rule, annotations)) {
    if (control?.reasonRefusal(c.reasoned ? c.reason : '')) continue;
    return { by: c.by, reason: c.reason };
  }
  return undefined;
}

/**
 * Suppressions of `rule` on an object that `control` refuses, each with why: any suppression of a
 * locked rule, and reasons without the required ticket.
 */
export function refusedSuppressions(rule: Pick<Rule, 'id' | 'anchors'>, annotations: Record<string, unknown> | undefined, control: SuppressionControl): { by: string; why: string }[] {
  if (!annotations) return [];
  const out: { by: string; why: string }[] = [];
  const pack = control.lockedBy(rule.id);
  for (const c of candidates(rule, annotations)) {
    const why = pack ? `rule '${rule.id}' is locked by rule pack '${pack}': no suppression, relaxation or exemption is accepted` : control.reasonRefusal(c.reasoned ? c.reason : '');
    if (why) out.push({ by: c.by, why });
  }
  return out;
}
