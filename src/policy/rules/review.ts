import { rule, v } from './helpers';
import { DOMAIN, SUPPRESS_PREFIX } from '../../spec/defaults';
import { K8sObject, Rule, Violation } from '../types';

/**
 * Generated relaxations and TODOs stay visible until a person reviews them. `hardened init`
 * writes relaxation reasons that begin with `TODO` and an `hardened-constructs.io/unreviewed`
 * annotation listing the open TODOs of a workload; removing the marker is the review.
 */
export const UNREVIEWED_ANNOTATION = `${DOMAIN}/unreviewed`;

/** Does a suppression value (`name: reason; name: reason`, or a bare reason) hold a TODO reason? */
export function hasTodoReason(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  for (const part of value.split(';')) {
    let s = part.trim();
    const colon = s.indexOf(':');
    // `unpinnedImage: TODO: …` (a relaxation name first) or `TODO: …`.
    if (colon > 0 && /^[A-Za-z]+$/.test(s.slice(0, colon)) && s.slice(0, colon) !== 'TODO') s = s.slice(colon + 1).trim();
    if (/^TODO\b/.test(s)) return true;
  }
  return false;
}

function unreviewed(entries: Record<string, unknown> | undefined, where: string, name: string): Violation[] {
  if (!entries || typeof entries !== 'object') return [];
  const out: Violation[] = [];
  const marker = entries[UNREVIEWED_ANNOTATION];
  if (marker !== undefined && String(marker).trim() !== '' && String(marker) !== 'false') {
    const n = String(marker).split(' | ').length;
    out.push(v(`${where}["${UNREVIEWED_ANNOTATION}"]`, `${name} carries ${n} unreviewed TODO(s) from a generator (the ${UNREVIEWED_ANNOTATION} marker)`));
  }
  for (const k of Object.keys(entries).sort()) {
    if (k.startsWith(SUPPRESS_PREFIX) && hasTodoReason(entries[k])) {
      out.push(v(`${where}["${k}"]`, `${name}: the relaxation of ${k.slice(SUPPRESS_PREFIX.length)} has a TODO reason (not reviewed yet)`));
    }
  }
  return out;
}

export const reviewRules: Rule[] = [
  rule({
    id: 'unreviewed-relaxation',
    category: 'identity-and-privilege',
    severity: 'warning',
    title: 'Generated relaxations and TODOs have been reviewed',
    rationale: 'A relaxation is a decision to depart from a hardening control. Hardening baselines (CIS Docker Benchmark, NSA/CISA Kubernetes Hardening Guide) expect each departure to be documented and reviewed by someone who owns it; a relaxation a migration tool wrote as a placeholder is not that decision yet, and counting it as "suppressed" would let an app pass before anyone looked.',
    fix: `Resolve the TODO (pin the image, add the probe, narrow the peer …), or keep the relaxation and replace its "TODO:" reason with the real one; then delete the ${UNREVIEWED_ANNOTATION} annotation (in a generated app: the entry in spec.ts's unreviewed list).`,
    appliesTo: 'both',
    anchors: {},
    checkObject: (obj: K8sObject) => unreviewed(obj?.metadata?.annotations, 'metadata.annotations', `${obj.kind ?? 'object'} '${obj?.metadata?.name ?? ''}'`),
    checkDocker: (c) => unreviewed(c.labels as Record<string, unknown> | undefined, 'labels', `container '${c.name}'`),
  }),
];
