import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct, IValidation } from 'constructs';
import { Suppressions } from './suppressions';

export { PolicyViolationError };
import { defaultRuleSet } from '../policy/catalogue';
import { evaluateKubernetes, failing } from '../policy/engine';
import { PolicyViolationError } from '../policy/errors';
import { RulePack, RuleSet } from '../policy/rule-set';
import { suppressionAnnotation } from '../policy/suppressions';
import { Finding, Severity } from '../policy/types';
import { validateApiObjects } from '../spec/api-rules';
import { HardeningError } from '../spec/errors';

/** Options of synth-time enforcement. */
export interface PolicyOptions {
  /**
   * Rule packs applied on top of the built-in catalogue (your organisation's policy).
   * @default - none
   */
  readonly packs?: readonly RulePack[];
  /**
   * Findings at or above this severity fail synthesis.
   * @default 'error'
   */
  readonly failOn?: Severity;
  /**
   * Called with every finding (including suppressed and non-failing ones) after each evaluation.
   * @default - nothing is reported unless synthesis fails
   */
  readonly onFindings?: (findings: readonly Finding[]) => void;
}

const guards = new WeakMap<IConstruct, PolicyGuard>();

function buildRuleSet(options: PolicyOptions): RuleSet {
  return (options.packs ?? []).reduce((rs, p) => rs.withPack(p), defaultRuleSet());
}

/**
 * Runs the rule catalogue over every ApiObject under its scope during `app.synth()` (cdk8s
 * validation runs before any file is written). Objects added by hand or by other libraries are
 * checked like this library's own.
 */
export class PolicyGuard implements IValidation {
  /** The findings of the last evaluation. */
  public lastFindings: readonly Finding[] = [];
  private ruleSet: RuleSet;
  private options: PolicyOptions;

  /** @internal */
  constructor(private readonly scope: IConstruct, options: PolicyOptions, private _explicit: boolean) {
    this.options = options;
    this.ruleSet = buildRuleSet(options);
  }

  /** True when configured by `Policy.enforce` (not the default guard a construct attached). */
  public get explicit(): boolean {
    return this._explicit;
  }

  /** @internal */
  public _reconfigure(options: PolicyOptions): void {
    this._explicit = true;
    this.options = options;
    this.ruleSet = buildRuleSet(options);
  }

  public get rules(): RuleSet {
    return this.ruleSet;
  }

  public validate(): string[] {
    const all = this.scope.node.findAll();
    // The default guard leaves objects under an explicitly configured guard to that guard.
    const delegated = this.explicit ? [] : all.filter((c) => c !== this.scope && guards.get(c)?.explicit).map((c) => `${c.node.path}/`);
    const apiObjects = all.filter((c): c is ApiObject => ApiObject.isApiObject(c));
    const sourced = apiObjects.map((o) => {
      for (const [ruleId, reason] of Suppressions.of(o)) {
        if (!this.ruleSet.get(ruleId)) {
          throw new HardeningError({ ruleId: 'spec/suppression', constructPath: o.node.path, fieldPath: `suppressions.${ruleId}`, message: `suppression of unknown rule '${String(ruleId).slice(0, 80)}'.`, fix: 'use an id listed by `hardened rules` (or by your rule packs).' });
        }
        o.metadata.addAnnotation(suppressionAnnotation(ruleId), reason);
      }
      return { object: serializeOnce(o), source: o.node.path };
    });
    // What the API server would reject is bad input: refused before any rule runs or file is written.
    const issue = validateApiObjects(sourced.map((s) => s.object))[0];
    if (issue) {
      throw new HardeningError({ ruleId: issue.ruleId, constructPath: sourced[issue.index].source, fieldPath: `${issue.object} ${issue.fieldPath}`, message: issue.message, fix: issue.fix });
    }
    const evaluated = evaluateKubernetes(sourced, this.ruleSet);
    const findings = delegated.length ? evaluated.filter((f) => !delegated.some((d) => (f.file ?? '').startsWith(d))) : evaluated;
    this.lastFindings = findings;
    this.options.onFindings?.(findings);
    const failures = failing(findings, this.options.failOn ?? 'error');
    if (failures.length) throw new PolicyViolationError(findings, failures);
    return [];
  }
}

/**
 * Serialize an object for evaluation, and hand the very same JSON to the synthesis that follows
 * validation (cdk8s calls toJson() once more per object right after): the next toJson() call
 * returns it and restores the normal method, so every later call serializes afresh.
 */
function serializeOnce(o: ApiObject): any {
  const json = o.toJson();
  const own = o as ApiObject & { toJson: () => any };
  own.toJson = function cached(this: ApiObject) {
    delete (this as Partial<typeof own>).toJson;
    return json;
  };
  return json;
}

/** Synth-time policy enforcement. */
export class Policy {
  /**
   * Enforce the rule catalogue (plus `packs`) on everything under an App or Chart. Calling it again
   * on the same scope reconfigures the guard.
   */
  public static enforce(scope: App | Chart | IConstruct, options: PolicyOptions = {}): PolicyGuard {
    const existing = guards.get(scope);
    if (existing) {
      existing._reconfigure(options);
      return existing;
    }
    const guard = new PolicyGuard(scope, options, true);
    guards.set(scope, guard);
    scope.node.addValidation(guard);
    return guard;
  }

  /** The guard attached directly to `scope`, if any. */
  public static guardOf(scope: IConstruct): PolicyGuard | undefined {
    return guards.get(scope);
  }
}

/**
 * Make sure something enforces the policy on `construct`: an explicit guard on an ancestor, or a
 * default guard on the root (the App), which evaluates all objects together. Constructs of this library call it, so their output is always checked.
 * @internal
 */
export function ensurePolicyGuard(construct: IConstruct): void {
  if (construct.node.scopes.some((s) => guards.has(s))) return;
  const root = construct.node.root;
  const guard = new PolicyGuard(root, {}, false);
  guards.set(root, guard);
  root.node.addValidation(guard);
}
