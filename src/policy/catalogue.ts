import { RuleSet } from './rule-set';
import { availabilityRules } from './rules/availability';
import { dockerfileRules } from './rules/dockerfile';
import { hostRules } from './rules/host';
import { identityRules } from './rules/identity';
import { imageRules } from './rules/image';
import { monitoringRules } from './rules/monitoring';
import { networkingRules } from './rules/networking';
import { resourceRules } from './rules/resources';
import { reviewRules } from './rules/review';
import { Rule, RuleMetadata } from './types';

/** Every built-in rule, in catalogue order. */
export const BUILTIN_RULES: readonly Rule[] = [
  ...identityRules,
  ...hostRules,
  ...resourceRules,
  ...availabilityRules,
  ...networkingRules,
  ...imageRules,
  ...monitoringRules,
  ...dockerfileRules,
  ...reviewRules,
];

/** The default rule set (all built-in rules at their default severities). */
export function defaultRuleSet(): RuleSet {
  return new RuleSet(BUILTIN_RULES);
}

/** Metadata only (no check functions), e.g. for `hardened rules --format json`. */
export function ruleMetadata(r: Rule): RuleMetadata {
  const { id, category, severity, title, rationale, fix, appliesTo, anchors, references } = r;
  return { id, category, severity, title, rationale, fix, appliesTo, anchors, references: references ?? [] };
}
