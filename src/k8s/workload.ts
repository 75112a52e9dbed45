import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { NetworkPeer } from '../spec/network';

/**
 * A workload of this library that takes part in network policies: others can allow traffic from
 * it, or connect to it, by reference.
 */
export interface IHardenedWorkload extends IConstruct {
  /** `metadata.name` and `app.kubernetes.io/instance` of the workload. */
  readonly workloadName: string;
  readonly namespace: string;
  /** Container ports other workloads may connect to. */
  readonly connectablePorts: readonly { name: string; port: number; protocol: 'TCP' | 'UDP' }[];
  /** The workload object (Deployment, StatefulSet). */
  readonly workload: ApiObject;
  /** Admit traffic from a peer on the given port names (default: all). */
  allowFrom(peer: NetworkPeer | IHardenedWorkload, ports?: string[]): void;
  /** Allow this workload to open connections to a peer on the given ports. */
  allowTo(peer: NetworkPeer, ports: { port: number; protocol?: 'TCP' | 'UDP' }[]): void;
}

/** A peer for another workload of this library. @internal */
export function peerOf(w: IHardenedWorkload): NetworkPeer {
  return { kind: 'workload', name: w.workloadName, namespace: w.namespace };
}

/** Is this a workload of this library? @internal */
export function isHardenedWorkload(x: unknown): x is IHardenedWorkload {
  return typeof x === 'object' && x !== null && 'workloadName' in x && 'allowFrom' in x && 'connectablePorts' in x;
}

/**
 * Wire a dependency both ways: `client` may open connections to `server`'s ports, and `server`
 * admits them. Both NetworkPolicies change, so the traffic really flows.
 */
export function connect(client: IHardenedWorkload, server: IHardenedWorkload, portNames?: string[]): void {
  const ports = server.connectablePorts.filter((p) => !portNames || portNames.includes(p.name));
  if (ports.length === 0) throw new Error(`${server.workloadName} has no port named ${portNames?.join(', ')}`);
  client.allowTo(peerOf(server), ports.map((p) => ({ port: p.port, protocol: p.protocol })));
  server.allowFrom(client, ports.map((p) => p.name));
}
