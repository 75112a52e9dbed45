import { Finding, Severity } from '../policy/types';
import { NetworkPeer } from '../spec/network';

/**
 * Reachability on Docker, from the same declarations as the Kubernetes NetworkPolicies. Docker
 * networks have no ports and no direction: every member reaches every other member on every
 * port. So each declared connection gets its own network:
 *
 * - `<app>-<client>-to-<server>` (internal: no route out of the host) holds the client's and the
 *   server's containers, joined when the server admits the client (its `ingress` names the
 *   workload, a database's `clients`) and the client declares it (`egress` to the workload, or
 *   `docker.connectTo`), like the two NetworkPolicies on Kubernetes;
 * - `<app>-<name>-egress` (a plain bridge) only for a workload whose spec declares egress to a
 *   CIDR: Docker cannot restrict the destination, which is reported;
 * - `<app>-<name>-publish` (a bridge without outbound NAT) only for a workload with published
 *   ports: Docker publishes ports only from a non-internal network;
 * - `<app>-<name>-peers` (internal) for the replicas of a replicated database.
 *
 * A workload with none of these runs with `networkMode: 'none'` (loopback only).
 * What Docker cannot express (documented, and reported as info): ports within a network, the
 * direction of a connection (a server can open connections back to its clients), and the
 * separation of the replicas of one workload that share a connection network.
 */
export interface PlannedNetwork {
  readonly name: string;
  readonly internal: boolean;
  readonly purpose: 'connection' | 'egress' | 'publish' | 'peers';
  /** Created once per program and shared by both ends (connection networks). */
  readonly shared: boolean;
  /** This workload is the server of the connection: its containers answer to its name there. */
  readonly serves: boolean;
  readonly options?: Record<string, string>;
}

/** Network name of the connection client → server. */
export function connectionNetworkName(app: string, client: string, server: string): string {
  return `${app}-${client}-to-${server}`;
}

/** A finding about something the Docker rendering cannot carry (or carries differently). */
export function dockerGap(ruleId: string, severity: Severity, name: string, path: string, message: string, fix: string, title = 'Not expressible on Docker'): Finding {
  return { ruleId, severity, title, message, fix, path, object: { kind: 'DockerContainer', name } };
}

/** Inputs of the network plan of one workload. */
export interface ConnectionDeclarations {
  readonly app: string;
  readonly name: string;
  readonly namespace: string;
  /** Who may connect (spec ingress, a database's clients). */
  readonly admits: readonly NetworkPeer[];
  /** Where it connects (spec egress). */
  readonly egress: readonly { readonly to: NetworkPeer; readonly ports: readonly { port: number }[] }[];
  /** Servers given with docker.connectTo (already checked to admit this workload). */
  readonly connectTo?: readonly string[];
  /** Workloads always admitted (a database's backup job). */
  readonly alsoAdmits?: readonly string[];
  readonly replicated?: boolean;
  readonly publishes?: boolean;
  /** Path of the ingress/clients field in messages. */
  readonly admitsField: string;
}

/** The networks one workload joins, and the findings about what Docker cannot express. */
export function planNetworks(d: ConnectionDeclarations): { networks: PlannedNetwork[]; findings: Finding[]; ingressCidrs: string[] } {
  const networks: PlannedNetwork[] = [];
  const findings: Finding[] = [];
  const ingressCidrs: string[] = [];
  const add = (n: PlannedNetwork) => {
    if (!networks.some((x) => x.name === n.name)) networks.push(n);
  };
  const sameApp = (p: { namespace?: string }) => p.namespace === undefined || p.namespace === d.namespace;
  const obj = `${d.app}-${d.name}`;
  d.admits.forEach((p, i) => {
    const field = `${d.admitsField}[${i}]`;
    if (p.kind === 'workload' && sameApp(p)) {
      if (p.name !== d.name) add({ name: connectionNetworkName(d.app, p.name, d.name), internal: true, purpose: 'connection', shared: true, serves: true });
    } else if (p.kind === 'cidr') {
      ingressCidrs.push(p.cidr);
      if (!d.publishes) findings.push(dockerGap('network-policy-required', 'info', obj, field, `${p.cidr} is admitted, but nothing is published on the host: on Docker no address outside the host reaches this workload.`, 'publish the port with docker.publish, bound to the host address inside the CIDR.'));
    } else {
      const what = p.kind === 'workload' ? `workload '${p.name}' of namespace '${p.namespace}'` : `namespace '${p.namespace}'`;
      findings.push(dockerGap('network-policy-required', 'warning', obj, field, `${what} is admitted on Kubernetes, but has no counterpart on this Docker host: no network is created for it, so it cannot connect.`, 'run that client with this library in the same app and admit it with Peer.workload(\'<name>\'), or publish a port on 127.0.0.1 for a host-level agent.'));
    }
  });
  for (const b of d.alsoAdmits ?? []) add({ name: connectionNetworkName(d.app, b, d.name), internal: true, purpose: 'connection', shared: true, serves: true });
  d.egress.forEach((r, i) => {
    const field = `egress[${i}].to`;
    const p = r.to;
    if (p.kind === 'workload' && sameApp(p)) {
      add({ name: connectionNetworkName(d.app, d.name, p.name), internal: true, purpose: 'connection', shared: true, serves: false });
    } else if (p.kind === 'cidr') {
      add({ name: `${obj}-egress`, internal: false, purpose: 'egress', shared: false, serves: false });
      findings.push(dockerGap('network-policy-required', 'warning', obj, field, `egress to ${p.cidr} on port(s) ${r.ports.map((x) => x.port).join(', ')}: Docker cannot restrict destinations or ports, so the egress network '${obj}-egress' reaches every address the host routes to.`, `restrict it in the host firewall (DOCKER-USER chain) to ${p.cidr}, or run on Kubernetes where the NetworkPolicy enforces it.`));
    } else {
      const what = p.kind === 'workload' ? `workload '${p.name}' of namespace '${p.namespace}'` : `namespace '${p.namespace}'`;
      findings.push(dockerGap('network-policy-required', 'warning', obj, field, `egress to ${what} has no counterpart on this Docker host: no network is created for it.`, 'connect to workloads of the same app (Peer.workload), or to a CIDR.'));
    }
  });
  for (const s of d.connectTo ?? []) add({ name: connectionNetworkName(d.app, d.name, s), internal: true, purpose: 'connection', shared: true, serves: false });
  if (d.replicated) add({ name: `${obj}-peers`, internal: true, purpose: 'peers', shared: false, serves: true });
  if (d.publishes) {
    // Docker publishes ports only from a non-internal network. Without outbound NAT, this network
    // gives the container no route to the internet; replies to published-port connections flow.
    add({ name: `${obj}-publish`, internal: false, purpose: 'publish', shared: false, serves: false, options: { 'com.docker.network.bridge.enable_ip_masquerade': 'false' } });
  }
  if (networks.some((n) => n.purpose === 'connection')) {
    findings.push(dockerGap('network-policy-required', 'info', obj, d.admitsField, 'Docker networks have no ports and no direction: on each connection network the client reaches every port of the server, the server can connect back, and replicas of one side reach each other.', 'accept it for a single host, or filter in the host firewall; Kubernetes enforces ports and direction.', 'Docker networks cannot restrict ports or direction'));
  }
  return { networks, findings, ingressCidrs };
}
