import { IConstruct } from 'constructs';
import { linterExemptions } from './exemptions';
import { suppressionAnnotation } from '../policy/suppressions';
import { Refuser } from '../spec/errors';
import { checkReason } from '../spec/names';
import { ResolvedRelaxation } from '../spec/relaxations';
import { polarisSensitiveName } from '../spec/secrets';

const registry = new WeakMap<IConstruct, Map<string, string>>();
/** Whether any suppression was ever added (most apps have none: the lookup then costs nothing). */
let anySuppression = false;

/**
 * Annotations recording relaxations on a workload (one per suppressed rule; reasons joined).
 * @internal
 */
export function relaxationAnnotations(relaxations: readonly ResolvedRelaxation[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!relaxations.length) return out;
  for (const r of relaxations) {
    for (const id of r.ruleIds) {
      const key = suppressionAnnotation(id);
      out[key] = out[key] ? `${out[key]}; ${r.name}: ${r.reason}` : `${r.name}: ${r.reason}`;
    }
    if (r.name === 'notASecret' && r.subject && polarisSensitiveName(r.subject)) {
      // The user declared, with a reason, that this secret-looking literal is not a secret;
      // Polaris's sensitiveContainerEnvVar cannot know. The reason is in the annotation above.
      out['polaris.fairwinds.com/sensitiveContainerEnvVar-exempt'] = 'true';
    }
  }
  // notASecret is handled above (Polaris only, and only for names Polaris would flag).
  return Object.assign({}, out, linterExemptions(relaxations.filter((r) => r.name !== 'notASecret')));
}

/**
 * Suppress rules on a construct and everything below it, with a reason (≥ 10 characters) that is
 * written into the output as `hardened-constructs.io/suppress.<rule-id>` annotations. `hardened
 * audit` honours the same annotations.
 */
export class Suppressions {
  /** Suppress `ruleId` on every object under `scope`. */
  public static add(scope: IConstruct, ruleId: string, reason: string): void {
    const refuser = new Refuser(scope.node.path);
    if (typeof ruleId !== 'string' || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(ruleId)) {
      refuser.refuse('spec/suppression', 'ruleId', `${JSON.stringify(ruleId)} is not a rule id.`, 'use an id from `hardened rules`, e.g. \'priority-class\'.');
    }
    const text = checkReason(reason, `suppressions.${ruleId}`, refuser, 'spec/suppression-reason');
    let map = registry.get(scope);
    if (!map) registry.set(scope, (map = new Map()));
    map.set(ruleId, text);
    anySuppression = true;
  }

  /** Suppressions that apply to a construct (its own and its ancestors'), nearest first. */
  public static of(construct: IConstruct): Map<string, string> {
    const out = new Map<string, string>();
    if (!anySuppression) return out;
    for (const c of [...construct.node.scopes].reverse()) {
      for (const [id, reason] of registry.get(c) ?? []) if (!out.has(id)) out.set(id, reason);
    }
    return out;
  }
}
