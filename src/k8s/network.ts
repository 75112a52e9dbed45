import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { renderDnsEgress, renderPeer } from './render';
import { Refuser } from '../spec/errors';
import { NetworkPeer } from '../spec/network';
import { quote } from '../spec/redact';
import { checkPeer, checkPeerSet } from '../spec/service';

type Protocol = 'TCP' | 'UDP';

/**
 * The NetworkPolicy of one workload: DNS egress always, then declared peers. Rules can be added
 * until synthesis (connections are often declared after both ends exist).
 * @internal
 */
export class WorkloadNetwork {
  public readonly policy: k8s.KubeNetworkPolicy;
  private readonly ingress: { from: NetworkPeer; ports: { port: string | number; protocol: Protocol }[] }[] = [];
  private readonly egress: { to: NetworkPeer; ports: { port: number; protocol: Protocol }[] }[] = [];

  constructor(scope: Construct, id: string, metadata: k8s.ObjectMeta, selector: Record<string, string>, private readonly namespace: string) {
    this.policy = new k8s.KubeNetworkPolicy(scope, id, {
      metadata,
      spec: {
        podSelector: { matchLabels: { ...selector } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: Lazy.any({
          produce: () => this.ingress.map((r) => ({
            from: [renderPeer(r.from, this.namespace)],
            ports: r.ports.length
              ? r.ports.map((p) => ({ port: typeof p.port === 'number' ? k8s.IntOrString.fromNumber(p.port) : k8s.IntOrString.fromString(p.port), protocol: p.protocol }))
              : undefined,
          })),
        }),
        egress: Lazy.any({
          produce: () => [renderDnsEgress(), ...this.egress.map((r) => ({
            to: [renderPeer(r.to, this.namespace)],
            ports: r.ports.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol })),
          }))],
        }),
      },
    });
  }

  public get ingressCount(): number {
    return this.ingress.length;
  }

  /** Admit `from` on the given ports (port names of this workload, or numbers). */
  public allowIngress(from: NetworkPeer, ports: { port: string | number; protocol: Protocol }[], refuser: Refuser, field = 'allowFrom.peer'): void {
    this.ingress.push({ from: checkPeer(from, field, refuser), ports });
    checkPeerSet(this.ingress.map((r) => r.from), field, refuser);
  }

  /** Allow connections to `to` on the given ports. */
  public allowEgress(to: NetworkPeer, ports: { port: number; protocol?: Protocol }[], refuser: Refuser, field = 'allowTo.peer'): void {
    ports.forEach((p, i) => {
      if (!Number.isInteger(p?.port) || p.port < 1 || p.port > 65535) refuser.refuse('spec/port-range', `${field}.ports[${i}]`, `${quote(p?.port)} is not a port number.`, 'use 1–65535.');
    });
    this.egress.push({ to: checkPeer(to, field, refuser), ports: ports.map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' })) });
    checkPeerSet(this.egress.map((r) => r.to), field, refuser);
  }
}
