import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Refuser } from '../spec/errors';
import { NetworkPeer } from '../spec/network';

/** A port another workload may connect to. */
export interface ConnectablePort {
  readonly name: string;
  /** The pod (container) port: what NetworkPolicies see. */
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  /**
   * The Service port clients address (`servicePort`), when it differs from the pod port.
   * @default - the pod port
   */
  readonly servicePort?: number;
}

/**
 * A workload of this library that takes part in network policies: others can allow traffic from
 * it, or connect to it, by reference.
 */
export interface IHardenedWorkload extends IConstruct {
  /** `metadata.name` and `app.kubernetes.io/instance` of the workload. */
  readonly workloadName: string;
  readonly namespace: string;
  /** Container ports other workloads may connect to (the default set of `connectTo`). */
  readonly connectablePorts: readonly ConnectablePort[];
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

/** Every port a workload's pods declare (sidecars included), when it can tell. @internal */
function allPorts(w: IHardenedWorkload): readonly ConnectablePort[] {
  const more = (w as { podConnectablePorts?: () => readonly ConnectablePort[] }).podConnectablePorts;
  return more ? more.call(w) : w.connectablePorts;
}

/**
 * Resolve the ports a client names to the server's pod ports: a port name, the pod port number, or
 * the Service port number (which is resolved to the pod port behind it). @internal
 */
export function resolveConnectPorts(
  server: IHardenedWorkload,
  ports: readonly (string | number)[] | undefined,
  refuser: Refuser,
  field: string,
): ConnectablePort[] {
  const defaults = server.connectablePorts;
  const all = allPorts(server);
  if (all.length === 0) {
    refuser.refuse('spec/connect', field, `${server.namespace}/${server.workloadName} declares no port: it accepts no connections.`, `declare the port ${server.workloadName} listens on (ports: [{ name: 'http', port: 8080 }]), or remove the connection.`);
  }
  if (ports === undefined) return [...defaults];
  if (!Array.isArray(ports) || ports.length === 0) refuser.refuse('spec/connect', field, 'an empty port list connects nothing.', `omit the ports (every port of ${server.workloadName}) or name some: ${all.map((p) => p.name).join(', ')}.`);
  const out: ConnectablePort[] = [];
  ports.forEach((given, i) => {
    // A port name has a letter (IANA service name): a string of digits ('8080', from a config
    // file or an env variable) can only mean the number.
    const p = typeof given === 'string' && /^[0-9]{1,5}$/.test(given) ? Number(given) : given;
    const found = typeof p === 'string'
      ? all.find((x) => x.name === p)
      : all.find((x) => x.port === p) ?? all.find((x) => (x.servicePort ?? x.port) === p);
    if (!found) {
      refuser.refuse('spec/connect', `${field}[${i}]`, `${JSON.stringify(given)} is not a port of ${server.namespace}/${server.workloadName}.`, `use a port name, pod port or Service port: ${all.map((x) => `${x.name} (${x.port}${x.servicePort && x.servicePort !== x.port ? `, Service ${x.servicePort}` : ''})`).join(', ')}.`);
    }
    if (!out.includes(found)) out.push(found);
  });
  return out;
}

/**
 * Wire a dependency both ways: `client` may open connections to `server`'s pod ports, and
 * `server` admits them. Both NetworkPolicies change, so the traffic really flows. Idempotent:
 * connecting twice (or declaring the same peer in props) adds no rule.
 */
export function connect(client: IHardenedWorkload, server: IHardenedWorkload, ports?: readonly (string | number)[]): void {
  const refuser = new Refuser(client.node.path);
  const resolved = resolveConnectPorts(server, ports, refuser, 'connectTo.ports');
  client.allowTo(peerOf(server), resolved.map((p) => ({ port: p.port, protocol: p.protocol })));
  server.allowFrom(client, resolved.map((p) => p.name));
}
