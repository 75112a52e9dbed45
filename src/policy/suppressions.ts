import { Rule } from './types';
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

/**
 * Find the annotation that suppresses `rule` on an object: ours first, then the anchor tools'
 * own exemption annotations mapped through the rule's anchor ids.
 */
export function findSuppression(rule: Pick<Rule, 'id' | 'anchors'>, annotations: Record<string, unknown> | undefined): { by: string; reason: string } | undefined {
  if (!annotations) return undefined;
  const own = annotations[suppressionAnnotation(rule.id)];
  if (validReason(own)) return { by: suppressionAnnotation(rule.id), reason: own.trim() };
  const a = rule.anchors;
  if (a.polaris?.length) {
    if (String(annotations['polaris.fairwinds.com/exempt']) === 'true') return { by: 'polaris.fairwinds.com/exempt', reason: 'Polaris exemption (all checks)' };
    for (const id of a.polaris) {
      const key = `polaris.fairwinds.com/${id}-exempt`;
      if (String(annotations[key]) === 'true') return { by: key, reason: `Polaris exemption of ${id}` };
    }
  }
  if (a.kubeScore?.length && typeof annotations['kube-score/ignore'] === 'string') {
    const ignored = String(annotations['kube-score/ignore']).split(',').map((s) => s.trim());
    const hit = a.kubeScore.find((id) => ignored.includes(id));
    if (hit) return { by: 'kube-score/ignore', reason: `kube-score ignores ${hit}` };
  }
  if (a.kubeLinter?.length) {
    if (annotations['kube-linter.io/ignore-all'] !== undefined) return { by: 'kube-linter.io/ignore-all', reason: String(annotations['kube-linter.io/ignore-all'] || 'kube-linter: ignore all') };
    for (const id of a.kubeLinter) {
      const key = `ignore-check.kube-linter.io/${id}`;
      if (annotations[key] !== undefined) return { by: key, reason: String(annotations[key] || `kube-linter ignores ${id}`) };
    }
  }
  return undefined;
}
