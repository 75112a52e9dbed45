import { ApiObject, App, Chart, DependencyGraph, Yaml } from 'cdk8s';
import { IConstruct, IValidation } from 'constructs';
import { dictionaryChildrenAll } from './children';
import { droppedPatchValues } from './patches';
import { Suppressions } from './suppressions';
import { useMapDependencyGraph } from './topology';
import { useDirectYaml } from './yaml-emit';

export { PolicyViolationError };
import { defaultRuleSet } from '../policy/catalogue';
import { evaluateKubernetes, failing, SourcedObject, summarize } from '../policy/engine';
import { PolicyViolationError } from '../policy/errors';
import { RulePack, RuleSet } from '../policy/rule-set';
import { suppressionAnnotation } from '../policy/suppressions';
import { Finding, Severity } from '../policy/types';
import { validateApiObjects } from '../spec/api-rules';
import { HardeningError, Refuser } from '../spec/errors';

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
  /**
   * Print nothing on success. By default `app.synth()` / `app.synthYaml()` print a one-line
   * summary and every warning (rule, object, fix) to stderr; errors fail synthesis either way.
   * @default - false, or true when the environment variable HARDENED_QUIET is `1`
   */
  readonly quiet?: boolean;
}

const guards = new WeakMap<IConstruct, PolicyGuard>();

function buildRuleSet(options: PolicyOptions): RuleSet {
  return (options.packs ?? []).reduce((rs, p) => rs.withPack(p), defaultRuleSet());
}

/**
 * One synthesis of an App (`app.synth()` or `app.synthYaml()`). cdk8s validates the whole app once
 * per call and again from every chart's `toJson()`; within one pass every guard evaluates once, and
 * every object is serialized once (the evaluated JSON is the JSON written). Nothing outlives the
 * pass: the next synthesis serializes and evaluates afresh, so objects changed in between are
 * never served stale.
 */
interface SynthesisPass {
  readonly evaluated: Set<PolicyGuard>;
  /** Objects whose own `toJson` the pass replaced, with what to put back (undefined: delete). */
  readonly replaced: Map<ApiObject, PropertyDescriptor | undefined>;
}

const passes = new WeakMap<IConstruct, SynthesisPass>();
/** cdk8s's own `Yaml.stringify`, as this module found it (see yaml-emit.ts). */
const cdk8sYamlStringify = Yaml.stringify;
const instrumented = new WeakSet<IConstruct>();

/** A cdk8s App (by its jsii type, which every copy carries) that is not of this library's copy of cdk8s. */
function isForeignApp(root: IConstruct): boolean {
  if (root instanceof App) return false;
  const rtti = (root.constructor as unknown as Record<symbol, { fqn?: unknown } | undefined>)[Symbol.for('jsii.rtti')];
  return rtti?.fqn === 'cdk8s.App';
}

function cdk8sLocation(): string {
  try {
    return `cdk8s at ${require.resolve('cdk8s')}`;
  } catch {
    return 'its own cdk8s';
  }
}

/** Mark the synthesis passes of an App (its `synth` and `synthYaml`), once per App. */
function instrumentApp(root: IConstruct): void {
  if (instrumented.has(root)) return;
  instrumented.add(root);
  if (!(root instanceof App)) return;
  instrumentChartSynthesis();
  const app = root as unknown as Record<string, unknown>;
  for (const method of ['synth', 'synthYaml']) {
    const original = app[method];
    if (typeof original !== 'function') continue;
    Object.defineProperty(app, method, {
      configurable: true,
      writable: true,
      value: function synthesisPass(this: unknown, ...args: unknown[]) {
        if (passes.has(root)) return original.apply(this, args);
        const pass: SynthesisPass = { evaluated: new Set(), replaced: new Map() };
        passes.set(root, pass);
        // Child tables of the user's own constructs too (see children.ts), and cdk8s's dependency
        // graphs over Maps for this synthesis (see topology.ts), and YAML printed directly (see yaml-emit.ts).
        dictionaryChildrenAll(root);
        const restoreGraph = useMapDependencyGraph();
        const restoreYaml = useDirectYaml(Yaml, cdk8sYamlStringify);
        try {
          return original.apply(this, args);
        } finally {
          restoreYaml();
          restoreGraph();
          passes.delete(root);
          for (const [o, own] of pass.replaced) {
            passJsonOf.delete(o);
            if (own) Object.defineProperty(o, 'toJson', own);
            else delete (o as Partial<Record<'toJson', unknown>>).toJson;
          }
        }
      },
    });
  }
}

/**
 * Within a pass, a chart's `toJson()` lists its objects without redoing the whole-app work cdk8s
 * (2.x) repeats for every chart (resolve dependencies, validate every construct of the app): the
 * pass has done both already, with nothing changed since. That repetition makes one chart per
 * service quadratic. Outside a pass, and for an App class of another cdk8s copy, nothing changes.
 */
function instrumentChartSynthesis(): void {
  const appClass = App as unknown as { _synthChart?: (chart: Chart) => any[]; __hardenedPasses?: true };
  const original = appClass._synthChart;
  if (typeof original !== 'function' || appClass.__hardenedPasses) return;
  Object.defineProperty(appClass, '__hardenedPasses', { value: true });
  appClass._synthChart = function synthChart(this: unknown, chart: Chart) {
    if (!passes.has(chart.node.root)) return original.call(this, chart);
    // As cdk8s's own chartToKube: the chart's objects in dependency order, each in its closest chart.
    return new DependencyGraph(chart.node).topology()
      .filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart)
      .map((o) => o.toJson());
  };
}

/** The JSON of objects serialized in a running pass (an object belongs to one App, so to one pass). */
const passJsonOf = new WeakMap<ApiObject, any>();

/** An object to evaluate, with its construct path as source: computed for findings only. */
class ConstructSourced implements SourcedObject {
  constructor(public readonly object: any, private readonly construct: IConstruct) {}
  public get source(): string {
    return this.construct.node.path;
  }
}

/** What an object's `toJson` returns during a pass: the JSON the pass evaluated. One function for all. */
function cachedToJson(this: ApiObject): any {
  return passJsonOf.get(this);
}

/** An object's JSON, computed once per pass and handed to the synthesis that follows. */
function passJson(pass: SynthesisPass | undefined, o: ApiObject): any {
  if (!pass) return o.toJson();
  if (pass.replaced.has(o)) return passJsonOf.get(o);
  const json = o.toJson();
  passJsonOf.set(o, json);
  pass.replaced.set(o, Object.getOwnPropertyDescriptor(o, 'toJson'));
  Object.defineProperty(o, 'toJson', { configurable: true, writable: true, value: cachedToJson });
  return json;
}

function objectLabel(f: Finding): string {
  const o = f.object;
  return `${o.kind ?? '?'} ${o.namespace ? `${o.namespace}/` : ''}${o.name ?? '?'}`;
}

/** The one-line summary and every warning of a synthesis, as printed to stderr. */
export function synthesisReport(findings: readonly Finding[], objects: number, rules: number): string {
  const s = summarize(findings, objects);
  const plural = (n: number, w: string) => `${n.toLocaleString('en-US')} ${w}${n === 1 ? '' : 's'}`;
  const lines = [`hardened-constructs: ${plural(objects, 'object')} checked against ${plural(rules, 'rule')}: ${plural(s.error, 'error')}, ${plural(s.warning, 'warning')}, ${s.info.toLocaleString('en-US')} info, ${s.suppressed.toLocaleString('en-US')} suppressed`];
  for (const f of findings) {
    if (f.suppressed || f.severity !== 'warning') continue;
    lines.push(`  warning ${f.ruleId}: ${objectLabel(f)}${f.file ? ` (${f.file})` : ''}: ${f.message}`, `    fix: ${f.fix}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Runs the rule catalogue over every ApiObject under its scope during `app.synth()` (cdk8s
 * validation runs before any file is written). Objects added by hand or by other libraries are
 * checked like this library's own. The catalogue runs once per `app.synth()` / `app.synthYaml()`
 * however many charts the app has; a chart's `toJson()` on its own evaluates on every call.
 */
export class PolicyGuard implements IValidation {
  /** The findings of the last evaluation. */
  public lastFindings: readonly Finding[] = [];
  /** How many times the catalogue ran (once per synthesis of the app). */
  public evaluations = 0;
  private ruleSet: RuleSet;
  private options: PolicyOptions;

  /** @internal */
  constructor(private readonly scope: IConstruct, options: PolicyOptions, private _explicit: boolean) {
    this.options = options;
    this.ruleSet = buildRuleSet(options);
    instrumentApp(scope.node.root);
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
    const pass = passes.get(this.scope.node.root);
    if (pass?.evaluated.has(this)) return [];
    const all = this.scope.node.findAll();
    // The default guard leaves objects under an explicitly configured guard to that guard.
    const delegated = this.explicit ? [] : all.filter((c) => c !== this.scope && guards.get(c)?.explicit).map((c) => `${c.node.path}/`);
    const sourced: SourcedObject[] = [];
    for (const o of all) {
      if (!ApiObject.isApiObject(o)) continue;
      for (const [ruleId, reason] of Suppressions.of(o)) {
        this.checkSuppression(o, ruleId, reason);
        o.metadata.addAnnotation(suppressionAnnotation(ruleId), reason);
      }
      const dropped = droppedPatchValues(o);
      if (dropped.length) {
        const d = dropped[0];
        throw new HardeningError({
          ruleId: 'spec/patch-dropped-value',
          constructPath: o.node.path,
          fieldPath: d.pointer,
          message: `a JSON patch set ${JSON.stringify(d.value)} here, and the object's cdk8s L1 class dropped it when serializing${dropped.length > 1 ? ` (with ${dropped.length - 1} more value(s))` : ''}: the manifest would silently lack it.`,
          fix: `give quantities as k8s.Quantity.fromString(${JSON.stringify(String(d.value))}) (and ports as k8s.IntOrString) inside patch values, or set the field through the construct's props.`,
        });
      }
      sourced.push(new ConstructSourced(passJson(pass, o), o));
    }
    // What the API server would reject is bad input: refused before any rule runs or file is written.
    const issue = validateApiObjects(sourced.map((s) => s.object))[0];
    if (issue) {
      throw new HardeningError({ ruleId: issue.ruleId, constructPath: sourced[issue.index].source ?? this.scope.node.path, fieldPath: `${issue.object} ${issue.fieldPath}`, message: issue.message, fix: issue.fix });
    }
    const evaluated = evaluateKubernetes(sourced, this.ruleSet);
    const findings = delegated.length ? evaluated.filter((f) => !delegated.some((d) => (f.file ?? '').startsWith(d))) : evaluated;
    this.evaluations++;
    pass?.evaluated.add(this);
    this.lastFindings = findings;
    this.options.onFindings?.(findings);
    const failures = failing(findings, this.options.failOn ?? 'error');
    if (failures.length) throw new PolicyViolationError(findings, failures);
    if (pass && !this.quiet) process.stderr.write(synthesisReport(findings, sourced.length, this.ruleSet.rules.filter((r) => r.appliesTo !== 'docker').length));
    return [];
  }

  private get quiet(): boolean {
    return this.options.quiet ?? process.env.HARDENED_QUIET === '1';
  }

  /** A construct-level suppression: a known rule, not locked, with the ticket a pack requires. */
  private checkSuppression(o: ApiObject, ruleId: string, reason: string): void {
    if (!this.ruleSet.get(ruleId)) {
      throw new HardeningError({ ruleId: 'spec/suppression', constructPath: o.node.path, fieldPath: `suppressions.${ruleId}`, message: `suppression of unknown rule '${String(ruleId).slice(0, 80)}'.`, fix: 'use an id listed by `hardened rules` (or by your rule packs).' });
    }
    const refuser = new Refuser(o.node.path);
    const pack = this.ruleSet.lockedBy(ruleId);
    if (pack) {
      refuser.refuse('policy/locked-rule', `suppressions.${ruleId}`, `rule '${ruleId}' is locked by rule pack '${pack}': it cannot be suppressed or relaxed.`, `remove Suppressions.add(…, '${ruleId}', …) and fix what the rule reports; rule pack '${pack}' allows no exception.`);
    }
    const why = this.ruleSet.reasonRefusal(reason);
    if (why) refuser.refuse('policy/suppression-ticket', `suppressions.${ruleId}`, `suppression of '${ruleId}' refused: ${why}.`, 'put the ticket that tracks this exception in the reason, e.g. \'OPS-123: legacy debug pod, removed next sprint\'.');
  }
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
  if (isForeignApp(root)) {
    throw new HardeningError({
      ruleId: 'spec/cdk8s-copies',
      constructPath: construct.node.path,
      fieldPath: 'scope',
      message: `the app is an App of another copy of cdk8s than the one hardened-constructs loads (${cdk8sLocation()}): objects of one copy cannot be rendered by the other (cdk8s then fails with "can't render non-simple object of type 'Lazy'").`,
      fix: '`npm ls cdk8s` must show one copy (deduped). Install hardened-constructs from the registry or a packed tarball (npm pack) rather than a linked folder (file:../clone, npm link), which brings the clone\'s own node_modules/cdk8s; `hardened synth` shares the app\'s copy by itself.',
    });
  }
  const guard = new PolicyGuard(root, {}, false);
  guards.set(root, guard);
  root.node.addValidation(guard);
}
