import { DockerfileView } from './dockerfile';
import { createContext } from './model';
import { RuleSet } from './rule-set';
import { findSuppression, refusedSuppressions, suppressionAnnotation, validReason } from './suppressions';
import { DockerContainer, Finding, K8sObject, Locator, Rule, Severity, SEVERITY_RANK, Violation } from './types';
import { SUPPRESS_PREFIX } from '../spec/defaults';

/** An object to evaluate, with where it came from. */
export interface SourcedObject {
  readonly object: K8sObject;
  /** File path (audit) or construct path (synthesis). */
  readonly source?: string;
  /** Source positions (audit), computed only for findings. */
  readonly locate?: Locator;
}

function located(locate: Locator | undefined, path: string): Pick<Finding, 'location' | 'objectLocation'> {
  const l = locate?.(path);
  return l ? { location: l.field ?? l.object, objectLocation: l.object } : {};
}

function objectRef(o: K8sObject): Finding['object'] {
  const m = (o && typeof o.metadata === 'object' && o.metadata) || {};
  const s = (x: unknown) => (typeof x === 'string' ? x : undefined);
  return { apiVersion: s(o?.apiVersion), kind: s(o?.kind), namespace: s(m.namespace), name: s(m.name) };
}

function annotationsOf(o: K8sObject): Record<string, unknown> | undefined {
  const a = o?.metadata?.annotations;
  return a && typeof a === 'object' ? (a as Record<string, unknown>) : undefined;
}

/** An exception on malformed input becomes a finding instead of a crash. */
function malformed(rule: Rule, e: unknown): Violation[] {
  return [{ path: '', message: `could not be checked by ${rule.id}: the object is malformed (${(e as Error)?.message ?? String(e)})` }];
}

/** Run a check and turn an exception on malformed input into a finding. */
function safely(rule: Rule, run: () => Violation[]): Violation[] {
  try {
    return run() ?? [];
  } catch (e) {
    return malformed(rule, e);
  }
}

/**
 * Evaluate Kubernetes objects together against a rule set. Suppressed findings are returned
 * with `suppressed` set; they never count towards failure.
 */
export function evaluateKubernetes(sourced: readonly SourcedObject[], ruleSet: RuleSet): Finding[] {
  const objects = sourced.map((s) => s.object);
  // One table for input order, source and locator: they are read for findings only.
  const order = new Map<K8sObject, number>();
  for (let i = 0; i < objects.length; i++) order.set(objects[i], i);
  const objectOf = new Map<Finding, K8sObject>();
  const ctx = createContext(objects);
  const findings: Finding[] = [];
  const rules = ruleSet.rules.filter((r) => r.appliesTo !== 'docker');
  const control = ruleSet.controlsSuppressions ? ruleSet : undefined;
  const emit = (rule: Rule, obj: K8sObject, vs: Violation[], refusal?: { severity: Severity; fix: string }) => {
    const annotations = annotationsOf(obj);
    const suppressed = refusal ? undefined : findSuppression(rule, annotations, control);
    const refused = control && !suppressed && !refusal ? refusedSuppressions(rule, annotations, control) : [];
    const note = refused.length ? ` (not suppressed: ${refused.map((r) => `${r.by}: ${r.why}`).join('; ')})` : '';
    for (const v of vs) {
      const f: Finding = {
        ruleId: rule.id,
        severity: refusal?.severity ?? rule.severity,
        title: rule.title,
        message: v.message + note,
        fix: refusal?.fix ?? rule.fix,
        path: v.path,
        object: objectRef(obj),
        file: sourced[order.get(obj)!].source,
        ...located(sourced[order.get(obj)!].locate, v.path),
        suppressed,
      };
      objectOf.set(f, obj);
      findings.push(f);
    }
  };
  if (control) {
    // Our own suppression annotations that a rule pack refuses are errors of their own, whether
    // or not the rule fires on the object (a relaxation of a locked rule is refused outright).
    for (const obj of objects) {
      const annotations = annotationsOf(obj);
      if (!annotations) continue;
      for (const [key, value] of Object.entries(annotations)) {
        if (!key.startsWith(SUPPRESS_PREFIX) || !validReason(value)) continue;
        const rule = ruleSet.get(key.slice(SUPPRESS_PREFIX.length));
        if (!rule || rule.appliesTo === 'docker') continue;
        const pack = control.lockedBy(rule.id);
        const why = pack ? `rule '${rule.id}' is locked by rule pack '${pack}': it cannot be suppressed or relaxed` : control.reasonRefusal(value.trim());
        if (!why) continue;
        emit(rule, obj, [{ path: `metadata.annotations.${suppressionAnnotation(rule.id)}`, message: `suppression refused: ${why}` }], {
          severity: 'error',
          fix: pack
            ? `Remove the suppression (or relaxation) of '${rule.id}' and fix the finding: rule pack '${pack}' does not allow exceptions to it.`
            : "Put the ticket that tracks this exception in the reason, e.g. 'OPS-123: <why the exception is needed>'.",
        });
      }
    }
  }
  const objectRules = rules.filter((r) => r.checkObject);
  const podRules = rules.filter((r) => r.checkPod);
  const containerRules = rules.filter((r) => r.checkContainer);
  // Indexed loops: no iterator objects per step, whatever tier the engine's code runs in.
  for (let r = 0; r < objectRules.length; r++) {
    const rule = objectRules[r];
    const targets = rule.kinds ? rule.kinds.flatMap((k) => ctx.ofKind(k)) : objects;
    for (let i = 0; i < targets.length; i++) {
      const obj = targets[i];
      let vs: Violation[];
      try {
        vs = rule.checkObject!(obj, ctx);
      } catch (e) {
        vs = malformed(rule, e);
      }
      if (vs.length) emit(rule, obj, vs);
    }
  }
  const pods = ctx.pods;
  for (let p = 0; p < pods.length; p++) {
    const pod = pods[p];
    for (let r = 0; r < podRules.length; r++) {
      const rule = podRules[r];
      let vs: Violation[];
      try {
        vs = rule.checkPod!(pod, ctx);
      } catch (e) {
        vs = malformed(rule, e);
      }
      if (vs.length) emit(rule, pod.object, vs);
    }
    const containers = pod.containers;
    for (let c = 0; c < containers.length; c++) {
      for (let r = 0; r < containerRules.length; r++) {
        const rule = containerRules[r];
        let vs: Violation[];
        try {
          vs = rule.checkContainer!(containers[c], pod, ctx);
        } catch (e) {
          vs = malformed(rule, e);
        }
        if (vs.length) emit(rule, pod.object, vs);
      }
    }
  }
  // Group by object in input order; within an object, catalogue order (the sort is stable).
  const ruleOrder = new Map(rules.map((r, i) => [r.id, i]));
  return findings.sort((a, b) => order.get(objectOf.get(a)!)! - order.get(objectOf.get(b)!)! || ruleOrder.get(a.ruleId)! - ruleOrder.get(b.ruleId)!);
}

/** Evaluate Docker containers (from the Docker backend or a compose file). */
export function evaluateDocker(containers: readonly DockerContainer[], ruleSet: RuleSet): Finding[] {
  const findings: Finding[] = [];
  for (const rule of ruleSet.rules) {
    if (!rule.checkDocker || rule.appliesTo === 'kubernetes') continue;
    for (const c of containers) {
      const vs = safely(rule, () => rule.checkDocker!(c));
      if (!vs.length) continue;
      const suppressed = findSuppression(rule, c.labels as Record<string, unknown> | undefined, ruleSet.controlsSuppressions ? ruleSet : undefined);
      for (const v of vs) {
        findings.push({
          ruleId: rule.id,
          severity: rule.severity,
          title: rule.title,
          message: v.message,
          fix: rule.fix,
          path: v.path,
          object: { kind: 'DockerContainer', name: c.name },
          file: c.source,
          ...located(c.locate, v.path),
          suppressed,
        });
      }
    }
  }
  return findings;
}

/** Evaluate Dockerfiles (the images Compose services are built from). */
export function evaluateDockerfiles(dockerfiles: readonly DockerfileView[], ruleSet: RuleSet): Finding[] {
  const findings: Finding[] = [];
  for (const df of dockerfiles) {
    const name = df.source ? df.source.split(/[\\/]/).pop() : 'Dockerfile';
    for (const rule of ruleSet.rules) {
      if (!rule.checkDockerfile) continue;
      const vs = safely(rule, () => rule.checkDockerfile!(df));
      if (!vs.length) continue;
      const suppressed = findSuppression(rule, df.annotations);
      for (const v of vs) {
        findings.push({ ruleId: rule.id, severity: rule.severity, title: rule.title, message: v.message, fix: rule.fix, path: v.path, object: { kind: 'Dockerfile', name }, file: df.source, ...(v.line ? { location: { line: v.line, column: 1 }, objectLocation: { line: 1, column: 1 } } : {}), suppressed });
      }
    }
  }
  return findings.sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || (a.location?.line ?? 0) - (b.location?.line ?? 0));
}

/** Findings at or above a severity that are not suppressed. */
export function failing(findings: readonly Finding[], threshold: Severity): Finding[] {
  return findings.filter((f) => !f.suppressed && SEVERITY_RANK[f.severity] >= SEVERITY_RANK[threshold]);
}

/** Counts for reports. */
export function summarize(findings: readonly Finding[], objectsEvaluated: number) {
  const active = findings.filter((f) => !f.suppressed);
  return {
    objects: objectsEvaluated,
    findings: active.length,
    error: active.filter((f) => f.severity === 'error').length,
    warning: active.filter((f) => f.severity === 'warning').length,
    info: active.filter((f) => f.severity === 'info').length,
    suppressed: findings.length - active.length,
  };
}
