import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppNetwork } from './app-network';
import { renderDnsEgress, renderPeer } from './render';
import { canonicalCidr } from '../spec/cidr';
import { Refuser } from '../spec/errors';
import { NetworkPeer } from '../spec/network';
import { checkPeer, checkPeerSet } from '../spec/service';

type Protocol = 'TCP' | 'UDP';

/** A declared container port of a workload's pods. */
export interface PodPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
}

/**
 * What a NetworkPolicy's owner is: the workload whose pods it selects, as flows name it
 * (`namespace/name`), with its pod labels and declared ports (known at synthesis).
 * @internal
 */
export interface NetworkOwner {
  readonly name: string;
  readonly namespace: string;
  /** Kind of the workload object (Deployment, StatefulSet, CronJob, Job). */
  readonly kind: string;
  readonly podLabels: Record<string, string>;
  /** Construct path, for error messages. */
  readonly path: string;
  /** Declared container ports of the pods (every container), read at synthesis. */
  podPorts(): readonly PodPort[];
  /** Service ports that map to a pod port (port → target port name). */
  servicePorts(): readonly { port: number; targetPort: string; protocol: Protocol }[];
}

/** One rule per peer: ports merged, duplicates removed. `all` = every port. @internal */
export interface MergedRule {
  readonly peer: NetworkPeer;
  /** Where it was declared (for messages). */
  readonly field: string;
  all: boolean;
  readonly ports: Map<string, { port: string | number; protocol: Protocol }>;
}

/** A canonical key of a peer as seen from `namespace` (same peer, same key). @internal */
export function peerKey(peer: NetworkPeer, namespace: string): string {
  switch (peer.kind) {
    case 'workload':
      return `workload:${peer.namespace ?? namespace}/${peer.name}`;
    case 'namespace': {
      const labels = Object.entries(peer.podLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `namespace:${peer.namespace}:${JSON.stringify(labels)}`;
    }
    case 'cidr':
      return `cidr:${canonicalCidr(peer.cidr)?.cidr ?? peer.cidr}:${JSON.stringify([...(peer.except ?? [])].map((e) => canonicalCidr(e)?.cidr ?? e).sort())}`;
  }
}

/** The peer in its canonical form (workloads carry their namespace; CIDRs canonical). */
function canonicalPeer(peer: NetworkPeer, namespace: string): NetworkPeer {
  switch (peer.kind) {
    case 'workload':
      return { kind: 'workload', name: peer.name, namespace: peer.namespace ?? namespace };
    case 'namespace':
      return peer.podLabels && Object.keys(peer.podLabels).length ? { kind: 'namespace', namespace: peer.namespace, podLabels: { ...peer.podLabels } } : { kind: 'namespace', namespace: peer.namespace };
    case 'cidr':
      return { kind: 'cidr', cidr: canonicalCidr(peer.cidr)?.cidr ?? peer.cidr, except: peer.except?.length ? peer.except.map((e) => canonicalCidr(e)?.cidr ?? e) : undefined };
  }
}

/** Produces a policy's ingress or egress rules at synthesis. */
class RulesProducer {
  constructor(private readonly network: WorkloadNetwork, private readonly direction: 'ingress' | 'egress') {}
  public produce(): unknown[] {
    return this.direction === 'ingress' ? this.network.renderIngress() : this.network.renderEgress();
  }
}

/**
 * The NetworkPolicy of one workload: DNS egress always, then declared peers. Rules can be added
 * until synthesis (connections are often declared after both ends exist). One rule per peer:
 * declaring a peer twice (props and a call, or two calls) merges its ports, so nothing is
 * duplicated.
 * @internal
 */
export class WorkloadNetwork {
  public readonly policy: k8s.KubeNetworkPolicy;
  /** @internal */
  public readonly ingressRules = new Map<string, MergedRule>();
  private checkedIngressPeers: readonly NetworkPeer[] = [];
  /** @internal */
  public readonly egressRules = new Map<string, MergedRule>();
  private readonly appNetwork: AppNetwork;

  constructor(
    scope: Construct,
    id: string,
    metadata: k8s.ObjectMeta,
    selector: Record<string, string>,
    private readonly namespace: string,
    public readonly owner?: NetworkOwner,
  ) {
    this.appNetwork = AppNetwork.of(scope);
    if (owner) this.appNetwork.register(this);
    this.policy = new k8s.KubeNetworkPolicy(scope, id, {
      metadata,
      spec: {
        podSelector: { matchLabels: { ...selector } },
        policyTypes: ['Ingress', 'Egress'],
        // Producer objects rather than closures: one small object each per workload.
        ingress: Lazy.any(new RulesProducer(this, 'ingress')),
        egress: Lazy.any(new RulesProducer(this, 'egress')),
      },
    });
  }

  /** The rendered ingress rules (at synthesis, every connection known). @internal */
  public renderIngress(): unknown[] {
    this.appNetwork.settle();
    return [...this.ingressRules.values()].map((r) => ({
      from: [renderPeer(r.peer, this.namespace)],
      ports: r.all ? undefined : [...r.ports.values()].map((p) => ({ port: typeof p.port === 'number' ? k8s.IntOrString.fromNumber(p.port) : k8s.IntOrString.fromString(p.port), protocol: p.protocol })),
    }));
  }

  /** The rendered egress rules: DNS, then the declared peers. @internal */
  public renderEgress(): unknown[] {
    this.appNetwork.settle();
    return [renderDnsEgress(), ...[...this.egressRules.values()].map((r) => ({
      to: [renderPeer(r.peer, this.namespace)],
      ports: [...r.ports.values()].map((p) => ({ port: k8s.IntOrString.fromNumber(p.port as number), protocol: p.protocol })),
    }))];
  }

  /** Number of peers admitted. */
  public get ingressCount(): number {
    return this.ingressRules.size;
  }

  /**
   * Admit `from` on the given ports (port names of this workload, or numbers; an empty list
   * admits every port). `trusted` skips the peer check (reasoned exposures already checked it).
   */
  public allowIngress(from: NetworkPeer, ports: { port: string | number; protocol: Protocol }[], refuser: Refuser, field = 'allowFrom.peer', trusted = false): void {
    const peer = canonicalPeer(trusted ? from : checkPeer(from, field, refuser), this.namespace);
    this.merge(this.ingressRules, peer, field, ports.map((p) => ({ port: this.portName(p.port, p.protocol), protocol: p.protocol })));
    // Together, the declared peers must not add up to the whole internet (a reasoned exposure, already
    // checked where it was declared, is not counted).
    if (!trusted) {
      this.checkedIngressPeers = this.checkedIngressPeers.concat([peer]);
      checkPeerSet(this.checkedIngressPeers, field, refuser);
    }
  }

  /** Allow connections to `to` on the given ports. */
  public allowEgress(to: NetworkPeer, ports: { port: number; protocol?: Protocol }[], refuser: Refuser, field = 'allowTo.peer'): void {
    ports.forEach((p, i) => {
      if (!Number.isInteger(p?.port) || p.port < 1 || p.port > 65535) refuser.refuse('spec/port-range', `${field}.ports[${i}]`, `${JSON.stringify(p?.port)} is not a port number.`, 'use 1–65535.');
      if (p.protocol !== undefined && p.protocol !== 'TCP' && p.protocol !== 'UDP') refuser.refuse('spec/ports', `${field}.ports[${i}].protocol`, `${JSON.stringify(p.protocol)} is not TCP or UDP.`, "use 'TCP' or 'UDP'.");
    });
    if (ports.length === 0) refuser.refuse('network-policy-required', `${field}.ports`, 'an egress rule needs destination ports: an open port range defeats the policy.', 'list the ports, e.g. [{ port: 5432 }].');
    const peer = canonicalPeer(checkPeer(to, field, refuser), this.namespace);
    this.merge(this.egressRules, peer, field, ports.map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' })));
    checkPeerSet([...this.egressRules.values()].map((r) => r.peer), field, refuser);
  }

  /** A number that is one of this workload's declared ports is written by its name (one spelling per port). */
  private portName(port: string | number, protocol: Protocol): string | number {
    if (typeof port === 'string' || !this.owner) return port;
    return this.owner.podPorts().find((p) => p.port === port && p.protocol === protocol && p.name)?.name ?? port;
  }

  private merge(rules: Map<string, MergedRule>, peer: NetworkPeer, field: string, ports: { port: string | number; protocol: Protocol }[]): void {
    const key = peerKey(peer, this.namespace);
    let rule = rules.get(key);
    if (!rule) rules.set(key, (rule = { peer, field, all: false, ports: new Map() }));
    if (ports.length === 0) rule.all = true;
    for (const p of ports) rule.ports.set(`${p.port}/${p.protocol}`, p);
  }
}
