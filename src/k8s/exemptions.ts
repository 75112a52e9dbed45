import { BUILTIN_RULES } from '../policy/catalogue';
import { AnchorIds } from '../policy/types';
import { ResolvedRelaxation } from '../spec/relaxations';

type Tool = 'polaris' | 'kubeScore' | 'kubeLinter';
const TOOLS: readonly Tool[] = ['polaris', 'kubeScore', 'kubeLinter'];

/** For each tool's check id, the built-in rules anchored to it. */
let anchoredRules: Record<Tool, Map<string, Set<string>>> | undefined;
function rulesByAnchor(): Record<Tool, Map<string, Set<string>>> {
  if (anchoredRules) return anchoredRules;
  const out = { polaris: new Map(), kubeScore: new Map(), kubeLinter: new Map() } as Record<Tool, Map<string, Set<string>>>;
  for (const rule of BUILTIN_RULES) {
    for (const tool of TOOLS) {
      for (const check of (rule.anchors as AnchorIds)[tool] ?? []) {
        if (!out[tool].has(check)) out[tool].set(check, new Set());
        out[tool].get(check)!.add(rule.id);
      }
    }
  }
  return (anchoredRules = out);
}

/**
 * The exemption annotations of the linters a rule anchors to, for rules that explicit, reasoned
 * relaxations switched off: Polaris (`polaris.fairwinds.com/<check>-exempt`), kube-score
 * (`kube-score/ignore`) and kube-linter (`ignore-check.kube-linter.io/<check>`, whose value is the
 * reason). Teams that already run those tools then see the same decision instead of a warning the
 * library knows to be deliberate; the reason itself stays in the library's own annotation.
 *
 * A linter check is exempted only when every rule anchored to it is relaxed: kube-score's one
 * probe check covers readiness and liveness, so relaxing liveness alone must not silence its
 * readiness half. Only relaxations produce these; a default never does. @internal
 */
export function linterExemptions(relaxations: readonly ResolvedRelaxation[]): Record<string, string> {
  const relaxed = new Map<string, string>();
  for (const r of relaxations) {
    for (const id of r.ruleIds) {
      const reason = `${r.name}: ${r.reason}`;
      const prior = relaxed.get(id);
      relaxed.set(id, prior && prior !== reason ? `${prior}; ${reason}` : reason);
    }
  }
  const out: Record<string, string> = {};
  if (!relaxed.size) return out;
  const kubeScore: string[] = [];
  const index = rulesByAnchor();
  for (const tool of TOOLS) {
    for (const [check, rules] of index[tool]) {
      if (![...rules].every((id) => relaxed.has(id))) continue;
      if (tool === 'polaris') out[`polaris.fairwinds.com/${check}-exempt`] = 'true';
      else if (tool === 'kubeScore') kubeScore.push(check);
      else out[`ignore-check.kube-linter.io/${check}`] = [...new Set([...rules].map((id) => relaxed.get(id)!))].join('; ');
    }
  }
  if (kubeScore.length) out['kube-score/ignore'] = kubeScore.sort().join(',');
  return out;
}
