import { defaultRuleSet } from '../policy/catalogue';
import { evaluateDocker, failing } from '../policy/engine';
import { PolicyViolationError } from '../policy/errors';
import { RulePack } from '../policy/rule-set';
import { DockerContainer, Finding, Severity } from '../policy/types';

/** Options of the rule check that runs before Docker resources are registered. */
export interface DockerPolicyOptions {
  /** @default - none */
  readonly packs?: readonly RulePack[];
  /** @default 'error' */
  readonly failOn?: Severity;
}

/**
 * Check the containers a component is about to register; throw (registering nothing) when a
 * finding is at or above `failOn`. Returns every finding.
 * @internal
 */
export function checkDockerContainers(models: readonly DockerContainer[], component: string, options: DockerPolicyOptions = {}): Finding[] {
  const ruleSet = (options.packs ?? []).reduce((rs, p) => rs.withPack(p), defaultRuleSet());
  const findings = evaluateDocker(models.map((m) => ({ ...m, source: component })), ruleSet);
  const failures = failing(findings, options.failOn ?? 'error');
  if (failures.length) throw new PolicyViolationError(findings, failures, `${component}: registration refused`);
  return findings;
}
