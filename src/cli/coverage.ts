import { Io } from './audit';
import { coverage, formatCoverage } from '../policy/coverage';
import { RuleSet } from '../policy/rule-set';

/** `hardened coverage`: which rules cover each default check of Polaris, kube-score and kube-linter. */
export function runCoverage(ruleSet: RuleSet, format: 'text' | 'json', io: Io): number {
  io.stdout(formatCoverage(coverage(ruleSet), format));
  return 0;
}
