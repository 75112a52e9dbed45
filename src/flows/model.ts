import { SourcedObject } from '../policy/engine';
import { extractPod, isRecord, stringMap } from '../policy/model';
import { K8sObject } from '../policy/types';
import { parseCidr } from '../spec/canonical';

/**
 * The network model of a set of manifests: workloads (pod templates), namespaces and their labels,
 * NetworkPolicies, Services and the routes that send outside traffic in (Ingress, Gateway API
 * HTTPRoute/GRPCRoute). Built from plain objects; nothing here needs a construct.
 */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** Bad input to the flow tools (malformed policy, flows file, unknown workload): the CLI exits 2. */
export class FlowsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlowsError';
  }
}

export interface ContainerPort {
  readonly port: number;
  readonly protocol: Protocol;
  readonly name?: string;
}

export interface Workload {
  /** `namespace/name`. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  /** Deployment, StatefulSet, …; `DNS` for the synthetic cluster DNS target. */
  readonly kind: string;
  /** Labels of the pods it runs. */
  readonly labels: Readonly<Record<string, string>>;
  /** Declared container ports (containers and native sidecars), deduplicated. */
  readonly ports: readonly ContainerPort[];
  readonly source?: string;
  /** The synthetic cluster DNS target (not in the manifests). */
  readonly synthetic?: boolean;
}

export interface Namespace {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Declared by a Namespace object in the manifests. */
  readonly declared: boolean;
}

export interface IpBlock {
  /** Canonical CIDR (network address / prefix). */
  readonly cidr: string;
  readonly except: readonly string[];
}

/** One `from`/`to` entry of a NetworkPolicy rule. */
export interface Peer {
  readonly podSelector?: any;
  readonly namespaceSelector?: any;
  readonly ipBlock?: IpBlock;
}

export interface PolicyPort {
  readonly protocol: Protocol;
  /** Number, name, or undefined for every port of the protocol. */
  readonly port?: number | string;
  readonly endPort?: number;
}

export interface Rule {
  /** undefined = every peer (an absent or empty `from`/`to`). */
  readonly peers?: readonly Peer[];
  /** undefined = every port (an absent or empty `ports`). */
  readonly ports?: readonly PolicyPort[];
}

export interface Policy {
  readonly namespace: string;
  readonly name: string;
  readonly podSelector: any;
  readonly ingressType: boolean;
  readonly egressType: boolean;
  readonly ingress: readonly Rule[];
  readonly egress: readonly Rule[];
  readonly source?: string;
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  /** Pod port: number or container port name. */
  readonly targetPort: number | string;
  readonly protocol: Protocol;
  readonly nodePort?: number;
}

export interface Service {
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePort[];
  readonly loadBalancerSourceRanges: readonly string[];
}

export interface RouteBackend {
  readonly namespace: string;
  readonly service: string;
  /** Service port number or name; undefined = the Service's only port. */
  readonly port?: number | string;
}

/** Something that sends outside traffic to Services: Ingress, HTTPRoute, GRPCRoute. */
export interface Route {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly hosts: readonly string[];
  readonly backends: readonly RouteBackend[];
}

export interface Cluster {
  readonly workloads: readonly Workload[];
  readonly namespaces: ReadonlyMap<string, Namespace>;
  readonly policies: readonly Policy[];
  readonly services: readonly Service[];
  readonly routes: readonly Route[];
  /** The cluster DNS target (synthetic unless the manifests carry it). */
  readonly dns: Workload;
}

export const DNS_NAMESPACE = 'kube-system';
export const DNS_LABELS: Readonly<Record<string, string>> = { 'k8s-app': 'kube-dns' };
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';


const describe = (o: K8sObject, source?: string) => `${source ? `${source}: ` : ''}${o.kind} ${nsOf(o)}/${o.metadata?.name}`;

function nsOf(o: K8sObject): string {
  const ns = o.metadata?.namespace;
  return typeof ns === 'string' && ns !== '' ? ns : 'default';
}

/** Parse a protocol field (default TCP); unknown values are bad input. */
export function parseProtocol(x: unknown, where: string): Protocol {
  if (x === undefined || x === null) return 'TCP';
  const p = typeof x === 'string' ? x.toUpperCase() : x;
  if (typeof p === 'string' && (PROTOCOLS as readonly string[]).includes(p)) return p as Protocol;
  throw new FlowsError(`${where}: protocol must be TCP, UDP or SCTP (got ${JSON.stringify(x)})`);
}

function validPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** A port field: 1-65535 or an IANA_SVC_NAME (a number in a string counts as the number). */
function parsePortField(x: unknown, where: string): number | string {
  if (validPort(x)) return x;
  if (typeof x === 'string') {
    if (/^[0-9]{1,5}$/.test(x) && validPort(Number(x))) return Number(x);
    if (/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(x) && /[a-z]/.test(x)) return x;
  }
  throw new FlowsError(`${where}: port must be 1-65535 or a port name (got ${JSON.stringify(x)})`);
}

/** Canonicalize a CIDR (the library's one parser: ipaddr.js, IPv4 in four-part decimal only). */
export function canonicalCidr(cidr: unknown, where: string): string {
  const parsed = parseCidr(typeof cidr === 'string' ? cidr.trim() : cidr);
  if (!parsed) throw new FlowsError(`${where}: ${JSON.stringify(cidr)} is not a CIDR (e.g. 10.0.0.0/8)`);
  return parsed.canonical;
}

/** Is CIDR `inner` inside CIDR `outer` (same family)? */
export function cidrWithin(inner: string, outer: string): boolean {
  const a = parseCidr(inner);
  const b = parseCidr(outer);
  return !!a && !!b && a.family === b.family && a.first >= b.first && a.last <= b.last;
}

function parsePeer(x: unknown, where: string): Peer {
  if (!isRecord(x)) throw new FlowsError(`${where}: a peer must be an object`);
  const peer: { podSelector?: any; namespaceSelector?: any; ipBlock?: IpBlock } = {};
  if (x.podSelector !== undefined && x.podSelector !== null) peer.podSelector = parseSelector(x.podSelector, `${where}.podSelector`);
  if (x.namespaceSelector !== undefined && x.namespaceSelector !== null) peer.namespaceSelector = parseSelector(x.namespaceSelector, `${where}.namespaceSelector`);
  if (x.ipBlock !== undefined && x.ipBlock !== null) {
    if (peer.podSelector || peer.namespaceSelector) throw new FlowsError(`${where}: ipBlock cannot be combined with podSelector/namespaceSelector`);
    if (!isRecord(x.ipBlock)) throw new FlowsError(`${where}.ipBlock: must be an object with cidr`);
    const cidr = canonicalCidr(x.ipBlock.cidr, `${where}.ipBlock.cidr`);
    const except = (Array.isArray(x.ipBlock.except) ? x.ipBlock.except : []).map((e: unknown, i: number) => {
      const c = canonicalCidr(e, `${where}.ipBlock.except[${i}]`);
      if (!cidrWithin(c, cidr)) throw new FlowsError(`${where}.ipBlock.except[${i}]: ${c} is not inside ${cidr}`);
      return c;
    });
    peer.ipBlock = { cidr, except };
  }
  if (!peer.podSelector && !peer.namespaceSelector && !peer.ipBlock) throw new FlowsError(`${where}: a peer needs podSelector, namespaceSelector or ipBlock`);
  return peer;
}

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

function parseSelector(x: unknown, where: string): any {
  if (!isRecord(x)) throw new FlowsError(`${where}: a label selector must be an object`);
  if (x.matchLabels !== undefined && !isRecord(x.matchLabels)) throw new FlowsError(`${where}.matchLabels: must be a map`);
  for (const [k, v] of Object.entries(x.matchLabels ?? {})) {
    if (typeof v !== 'string') throw new FlowsError(`${where}.matchLabels.${k}: must be a string`);
  }
  if (x.matchExpressions !== undefined) {
    if (!Array.isArray(x.matchExpressions)) throw new FlowsError(`${where}.matchExpressions: must be a list`);
    x.matchExpressions.forEach((e: any, i: number) => {
      const at = `${where}.matchExpressions[${i}]`;
      if (!isRecord(e) || typeof e.key !== 'string') throw new FlowsError(`${at}: needs a key`);
      if (!OPERATORS.has(e.operator)) throw new FlowsError(`${at}: operator must be In, NotIn, Exists or DoesNotExist (got ${JSON.stringify(e.operator)})`);
      const values = e.values ?? [];
      if (!Array.isArray(values) || values.some((v: unknown) => typeof v !== 'string')) throw new FlowsError(`${at}.values: must be a list of strings`);
      if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) throw new FlowsError(`${at}: ${e.operator} needs values`);
      if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) throw new FlowsError(`${at}: ${e.operator} takes no values`);
    });
  }
  return x;
}

function parsePolicyPort(x: unknown, where: string): PolicyPort {
  if (!isRecord(x)) throw new FlowsError(`${where}: must be an object`);
  const protocol = parseProtocol(x.protocol, where);
  const port = x.port === undefined || x.port === null ? undefined : parsePortField(x.port, `${where}.port`);
  let endPort: number | undefined;
  if (x.endPort !== undefined && x.endPort !== null) {
    if (!validPort(x.endPort)) throw new FlowsError(`${where}.endPort: must be 1-65535`);
    if (typeof port !== 'number') throw new FlowsError(`${where}.endPort: needs a numeric port`);
    if (x.endPort < port) throw new FlowsError(`${where}.endPort: ${x.endPort} is below port ${port}`);
    endPort = x.endPort;
  }
  return { protocol, port, endPort };
}

function parseRule(x: unknown, peersKey: 'from' | 'to', where: string): Rule {
  if (!isRecord(x)) throw new FlowsError(`${where}: must be an object`);
  const rawPeers = x[peersKey];
  const rawPorts = x.ports;
  if (rawPeers !== undefined && rawPeers !== null && !Array.isArray(rawPeers)) throw new FlowsError(`${where}.${peersKey}: must be a list`);
  if (rawPorts !== undefined && rawPorts !== null && !Array.isArray(rawPorts)) throw new FlowsError(`${where}.ports: must be a list`);
  const peers = Array.isArray(rawPeers) && rawPeers.length ? rawPeers.map((p, i) => parsePeer(p, `${where}.${peersKey}[${i}]`)) : undefined;
  const ports = Array.isArray(rawPorts) && rawPorts.length ? rawPorts.map((p, i) => parsePolicyPort(p, `${where}.ports[${i}]`)) : undefined;
  return { peers, ports };
}

function parsePolicy(o: K8sObject, source?: string): Policy {
  const at = describe(o, source);
  const spec = o.spec;
  if (!isRecord(spec)) throw new FlowsError(`${at}: no spec`);
  const podSelector = parseSelector(spec.podSelector ?? {}, `${at}: spec.podSelector`);
  const list = (key: 'ingress' | 'egress') => {
    const v = spec[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new FlowsError(`${at}: spec.${key} must be a list`);
    return v.map((r, i) => parseRule(r, key === 'ingress' ? 'from' : 'to', `${at}: spec.${key}[${i}]`));
  };
  const ingress = list('ingress');
  const egress = list('egress');
  let ingressType: boolean;
  let egressType: boolean;
  if (Array.isArray(spec.policyTypes) && spec.policyTypes.length) {
    for (const t of spec.policyTypes) {
      if (t !== 'Ingress' && t !== 'Egress') throw new FlowsError(`${at}: spec.policyTypes: ${JSON.stringify(t)} is not Ingress or Egress`);
    }
    ingressType = spec.policyTypes.includes('Ingress');
    egressType = spec.policyTypes.includes('Egress');
  } else {
    // Kubernetes default: Ingress always; Egress when the policy has egress rules.
    ingressType = true;
    egressType = egress.length > 0;
  }
  return { namespace: nsOf(o), name: String(o.metadata?.name ?? ''), podSelector, ingressType, egressType, ingress, egress, source };
}

function containerPorts(o: K8sObject): ContainerPort[] {
  const pod = extractPod(o);
  if (!pod) return [];
  const out: ContainerPort[] = [];
  const seen = new Set<string>();
  for (const c of pod.containers) {
    if (c.kind === 'ephemeralContainer' || (c.kind === 'initContainer' && !c.sidecar)) continue;
    const ports = Array.isArray(c.container.ports) ? c.container.ports : [];
    for (const p of ports) {
      if (!isRecord(p) || !validPort(p.containerPort)) continue;
      let protocol: Protocol;
      try {
        protocol = parseProtocol(p.protocol, '');
      } catch {
        continue;
      }
      const key = `${p.containerPort}/${protocol}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ port: p.containerPort, protocol, ...(typeof p.name === 'string' && p.name ? { name: p.name } : {}) });
    }
  }
  return out;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'Pod']);

function parseService(o: K8sObject): Service {
  const spec = isRecord(o.spec) ? o.spec : {};
  const ports: ServicePort[] = [];
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    if (!isRecord(p) || !validPort(p.port)) continue;
    let protocol: Protocol;
    try {
      protocol = parseProtocol(p.protocol, '');
    } catch {
      continue;
    }
    let targetPort: number | string = p.port;
    if (p.targetPort !== undefined && p.targetPort !== null) {
      try {
        targetPort = parsePortField(p.targetPort, '');
      } catch {
        continue;
      }
    }
    ports.push({ name: typeof p.name === 'string' ? p.name : undefined, port: p.port, targetPort, protocol, nodePort: validPort(p.nodePort) ? p.nodePort : undefined });
  }
  return {
    namespace: nsOf(o),
    name: String(o.metadata?.name ?? ''),
    type: typeof spec.type === 'string' ? spec.type : 'ClusterIP',
    selector: isRecord(spec.selector) ? stringMap(spec.selector) : undefined,
    ports,
    loadBalancerSourceRanges: Array.isArray(spec.loadBalancerSourceRanges) ? spec.loadBalancerSourceRanges.filter((s: unknown): s is string => typeof s === 'string') : [],
  };
}

function portRef(x: unknown): number | string | undefined {
  if (validPort(x)) return x;
  if (typeof x === 'string' && x) return x;
  return undefined;
}

function parseIngress(o: K8sObject): Route {
  const spec = isRecord(o.spec) ? o.spec : {};
  const ns = nsOf(o);
  const backends: RouteBackend[] = [];
  const hosts: string[] = [];
  const add = (b: any) => {
    const svc = b?.service;
    if (isRecord(svc) && typeof svc.name === 'string') backends.push({ namespace: ns, service: svc.name, port: portRef(svc.port?.number) ?? portRef(svc.port?.name) });
  };
  if (spec.defaultBackend) add(spec.defaultBackend);
  for (const r of Array.isArray(spec.rules) ? spec.rules : []) {
    if (!isRecord(r)) continue;
    if (typeof r.host === 'string') hosts.push(r.host);
    for (const p of Array.isArray(r.http?.paths) ? r.http.paths : []) add(p?.backend);
  }
  return { kind: 'Ingress', namespace: ns, name: String(o.metadata?.name ?? ''), hosts: [...new Set(hosts)], backends };
}

function parseGatewayRoute(o: K8sObject): Route {
  const spec = isRecord(o.spec) ? o.spec : {};
  const ns = nsOf(o);
  const backends: RouteBackend[] = [];
  for (const r of Array.isArray(spec.rules) ? spec.rules : []) {
    for (const b of Array.isArray(r?.backendRefs) ? r.backendRefs : []) {
      if (!isRecord(b) || typeof b.name !== 'string') continue;
      if ((b.kind ?? 'Service') !== 'Service' || (b.group ?? '') !== '') continue;
      backends.push({ namespace: typeof b.namespace === 'string' ? b.namespace : ns, service: b.name, port: portRef(b.port) });
    }
  }
  const hosts = Array.isArray(spec.hostnames) ? spec.hostnames.filter((h: unknown): h is string => typeof h === 'string') : [];
  return { kind: String(o.kind), namespace: ns, name: String(o.metadata?.name ?? ''), hosts, backends };
}

/** Build the network model. Malformed NetworkPolicies are bad input (FlowsError naming the object). */
export function loadCluster(input: readonly (SourcedObject | K8sObject)[]): Cluster {
  const sourced: SourcedObject[] = input.map((x) => (isRecord((x as SourcedObject).object) && !(x as K8sObject).kind
    ? x as SourcedObject
    : { object: x as K8sObject }));
  const workloads: Workload[] = [];
  const namespaces = new Map<string, Namespace>();
  const policies: Policy[] = [];
  const services: Service[] = [];
  const routes: Route[] = [];
  const byId = new Map<string, Workload>();
  const ensureNs = (name: string) => {
    if (!namespaces.has(name)) namespaces.set(name, { name, labels: { [NAMESPACE_NAME_LABEL]: name }, declared: false });
  };
  for (const { object: o, source } of sourced) {
    if (!isRecord(o) || typeof o.kind !== 'string') continue;
    const name = o.metadata?.name;
    if (o.kind === 'Namespace' && typeof name === 'string') {
      namespaces.set(name, { name, labels: { ...stringMap(o.metadata?.labels), [NAMESPACE_NAME_LABEL]: name }, declared: true });
      continue;
    }
    if (typeof name !== 'string' || !name) continue;
    if (WORKLOAD_KINDS.has(o.kind)) {
      const pod = extractPod(o);
      if (!pod) continue;
      const w: Workload = { id: `${nsOf(o)}/${name}`, namespace: nsOf(o), name, kind: o.kind, labels: pod.labels, ports: containerPorts(o), source };
      const prev = byId.get(w.id);
      if (prev) {
        throw new FlowsError(`${source ? `${source}: ` : ''}${o.kind} ${w.id} and ${prev.kind} ${prev.id}${prev.source ? ` (${prev.source})` : ''} share a name: flows name workloads by namespace/name, rename one`);
      }
      byId.set(w.id, w);
      workloads.push(w);
      ensureNs(w.namespace);
    } else if (o.kind === 'NetworkPolicy' && (o.apiVersion ?? '').startsWith('networking.k8s.io/')) {
      const p = parsePolicy(o, source);
      policies.push(p);
      ensureNs(p.namespace);
    } else if (o.kind === 'Service' && (o.apiVersion ?? 'v1') === 'v1') {
      services.push(parseService(o));
    } else if (o.kind === 'Ingress') {
      routes.push(parseIngress(o));
    } else if ((o.kind === 'HTTPRoute' || o.kind === 'GRPCRoute') && (o.apiVersion ?? '').startsWith('gateway.networking.k8s.io/')) {
      routes.push(parseGatewayRoute(o));
    }
  }
  let dns = workloads.find((w) => w.namespace === DNS_NAMESPACE && Object.entries(DNS_LABELS).every(([k, v]) => w.labels[k] === v));
  if (!dns) {
    dns = {
      id: `${DNS_NAMESPACE}/kube-dns`,
      namespace: DNS_NAMESPACE,
      name: 'kube-dns',
      kind: 'DNS',
      labels: { ...DNS_LABELS },
      ports: [{ port: 53, protocol: 'UDP', name: 'dns' }, { port: 53, protocol: 'TCP', name: 'dns-tcp' }],
      synthetic: true,
    };
    if (!byId.has(dns.id)) workloads.push(dns);
    ensureNs(DNS_NAMESPACE);
  }
  return { workloads, namespaces, policies, services, routes, dns };
}
