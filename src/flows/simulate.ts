import { Cluster, Namespace, NAMESPACE_NAME_LABEL, Peer, Policy, PolicyPort, Protocol, Rule, Workload } from './model';
import { selects } from '../policy/model';

/**
 * NetworkPolicy semantics (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
 * a pod is isolated for a direction only when some policy of its namespace selects it with that
 * policy type; an isolated pod accepts (sends) only what the union of those policies' rules allows;
 * a connection needs the source's egress AND the destination's ingress to allow it.
 */

export interface DirectionVerdict {
  /** Some policy selects the pod for this direction. */
  readonly isolated: boolean;
  readonly allowed: boolean;
  /** `namespace/name` of the policies whose rules allow it (empty when not isolated). */
  readonly allowedBy: readonly string[];
  /** `namespace/name` of the policies that isolate the pod in this direction. */
  readonly isolatedBy: readonly string[];
}

export interface Verdict {
  readonly allowed: boolean;
  readonly egress: DirectionVerdict;
  readonly ingress: DirectionVerdict;
}

const EMPTY: Readonly<Record<string, string>> = {};

/** Does a peer (of a policy in `policyNs`) select this workload's pods? ipBlock never selects pods here: pods have no IPs in manifests. */
export function peerSelects(peer: Peer, policyNs: string, w: Workload, ns: Namespace | undefined): boolean {
  if (peer.ipBlock) return false;
  if (peer.namespaceSelector) {
    const labels = ns?.labels ?? { [NAMESPACE_NAME_LABEL]: w.namespace };
    if (!selects(peer.namespaceSelector, labels)) return false;
  } else if (w.namespace !== policyNs) {
    return false;
  }
  return peer.podSelector ? selects(peer.podSelector, w.labels) : true;
}

/** Does a policy port admit (port, protocol) on the destination `dst` (named ports resolve against its containers)? */
export function portMatches(pp: PolicyPort, port: number, protocol: Protocol, dst: Workload): boolean {
  if (pp.protocol !== protocol) return false;
  if (pp.port === undefined) return true;
  if (typeof pp.port === 'number') return port >= pp.port && port <= (pp.endPort ?? pp.port);
  return dst.ports.some((cp) => cp.name === pp.port && cp.port === port && cp.protocol === protocol);
}

function ruleAllows(rule: Rule, policyNs: string, peer: Workload, peerNs: Namespace | undefined, port: number, protocol: Protocol,
  dst: Workload): boolean {
  if (rule.ports && !rule.ports.some((pp) => portMatches(pp, port, protocol, dst))) return false;
  if (!rule.peers) return true;
  return rule.peers.some((p) => peerSelects(p, policyNs, peer, peerNs));
}

const policyId = (p: Policy) => `${p.namespace}/${p.name}`;

function verdict(isolating: readonly Policy[], allowedBy: string[]): DirectionVerdict {
  return { isolated: isolating.length > 0, allowed: isolating.length === 0 || allowedBy.length > 0, allowedBy, isolatedBy: isolating.map(policyId) };
}

export class Simulator {
  private readonly ingressPolicies = new Map<Workload, Policy[]>();
  private readonly egressPolicies = new Map<Workload, Policy[]>();

  constructor(readonly cluster: Cluster) {
    const byNs = new Map<string, Policy[]>();
    for (const p of cluster.policies) {
      const list = byNs.get(p.namespace);
      if (list) list.push(p);
      else byNs.set(p.namespace, [p]);
    }
    for (const w of cluster.workloads) {
      const selecting = (byNs.get(w.namespace) ?? []).filter((p) => selects(p.podSelector, w.labels ?? EMPTY));
      this.ingressPolicies.set(w, selecting.filter((p) => p.ingressType));
      this.egressPolicies.set(w, selecting.filter((p) => p.egressType));
    }
  }

  /** Policies selecting the workload for ingress (empty: anyone may reach it). */
  ingressOf(w: Workload): readonly Policy[] {
    return this.ingressPolicies.get(w) ?? [];
  }

  egressOf(w: Workload): readonly Policy[] {
    return this.egressPolicies.get(w) ?? [];
  }

  namespace(name: string): Namespace | undefined {
    return this.cluster.namespaces.get(name);
  }

  private egressAllows(p: Policy, _src: Workload, dst: Workload, port: number, protocol: Protocol): boolean {
    return p.egress.some((r) => ruleAllows(r, p.namespace, dst, this.namespace(dst.namespace), port, protocol, dst));
  }

  private ingressAllows(p: Policy, src: Workload, dst: Workload, port: number, protocol: Protocol): boolean {
    return p.ingress.some((r) => ruleAllows(r, p.namespace, src, this.namespace(src.namespace), port, protocol, dst));
  }

  /** The verdict of `check` without the explanation (fast path for all-pairs scans). */
  allows(src: Workload, dst: Workload, port: number, protocol: Protocol): boolean {
    const eg = this.egressOf(src);
    if (eg.length && !eg.some((p) => this.egressAllows(p, src, dst, port, protocol))) return false;
    const ing = this.ingressOf(dst);
    return !ing.length || ing.some((p) => this.ingressAllows(p, src, dst, port, protocol));
  }

  /** May `src` open a connection to `dst` on (port, protocol)? */
  check(src: Workload, dst: Workload, port: number, protocol: Protocol): Verdict {
    const eg = this.egressOf(src);
    const egressBy = eg.filter((p) => this.egressAllows(p, src, dst, port, protocol)).map(policyId);
    const egress = verdict(eg, egressBy);
    const ing = this.ingressOf(dst);
    const ingressBy = ing.filter((p) => this.ingressAllows(p, src, dst, port, protocol)).map(policyId);
    const ingress = verdict(ing, ingressBy);
    return { allowed: egress.allowed && ingress.allowed, egress, ingress };
  }

  /** One line saying why a connection is blocked (or allowed). */
  explain(src: Workload, dst: Workload, v: Verdict): string {
    if (v.allowed) {
      const parts = [
        v.egress.isolated ? `egress of ${src.id} allowed by ${v.egress.allowedBy.join(', ')}` : `${src.id} has no egress policy`,
        v.ingress.isolated ? `ingress of ${dst.id} allowed by ${v.ingress.allowedBy.join(', ')}` : `${dst.id} has no ingress policy`,
      ];
      return parts.join('; ');
    }
    const parts: string[] = [];
    if (!v.egress.allowed) parts.push(`egress of ${src.id} is limited by ${v.egress.isolatedBy.join(', ')} and no rule there allows it`);
    if (!v.ingress.allowed) parts.push(`ingress of ${dst.id} is limited by ${v.ingress.isolatedBy.join(', ')} and no rule there allows it`);
    return parts.join('; ');
  }
}
