import { canonicalCidr, cidrWithin, Cluster, FlowsError, NAMESPACE_NAME_LABEL, Peer, PolicyPort, Protocol, Rule, Service, Workload } from './model';
import { peerSelects, portMatches, Simulator } from './simulate';
import { selects } from '../policy/model';

/**
 * The allowed traffic of a set of manifests as a graph: workloads grouped by namespace, an edge
 * wherever a NetworkPolicy explicitly lets traffic through (ports on the edge), entry points from
 * outside (ipBlock peers, peers from namespaces not in the manifests or any namespace,
 * LoadBalancer/NodePort Services, Ingress and Gateway routes) and exits to outside. Traffic between
 * two workloads that no policy restricts is not drawn edge by edge: the destination is marked
 * `open` (no ingress policy: anyone may reach it).
 */

export interface GraphNode {
  readonly id: string;
  readonly label: string;
  /** workload: in the manifests; outside: a peer outside them; entry: a Service or route that lets outside traffic in. */
  readonly type: 'workload' | 'outside' | 'entry';
  readonly namespace?: string;
  /** Deployment, StatefulSet, …, or the entry's kind (Ingress, HTTPRoute, LoadBalancer, NodePort). */
  readonly kind: string;
  /** Workload with no ingress policy: anyone may reach it. */
  readonly open?: boolean;
  readonly detail?: string;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** e.g. `8080/TCP`, `53/UDP`, `any`. */
  readonly ports: readonly string[];
  /** flow: workload to workload; entry: from outside in; exit: from a workload to outside. */
  readonly type: 'flow' | 'entry' | 'exit';
  /** Entries: do the destination's ingress policies let traffic from outside its namespace in on these ports? */
  readonly admitted?: boolean;
}

export interface Graph {
  readonly namespaces: readonly string[];
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/** Compact, stable text of a label selector: `{app=web, tier in (a,b), !legacy}`. */
export function selectorText(sel: any): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) parts.push(`${k}=${String(v)}`);
  for (const e of Array.isArray(sel?.matchExpressions) ? sel.matchExpressions : []) {
    const values = Array.isArray(e.values) ? e.values.join(',') : '';
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(String(e.key));
    else parts.push(`!${e.key}`);
  }
  return `{${parts.join(', ')}}`;
}

const isEmptySelector = (sel: any) => !Object.keys(sel?.matchLabels ?? {}).length
  && !(Array.isArray(sel?.matchExpressions) && sel.matchExpressions.length);

function policyPortText(pp: PolicyPort): string {
  if (pp.port === undefined) return `any/${pp.protocol}`;
  return `${pp.port}${pp.endPort !== undefined && pp.endPort !== pp.port ? `-${pp.endPort}` : ''}/${pp.protocol}`;
}

/** Port labels of a rule; a named port shows the number it has on `w` (the pod the policy selects or targets). */
const ruleLabels = (r: Rule, w?: Workload) => (r.ports
  ? r.ports.map((pp) => {
    const named = typeof pp.port === 'string' ? w?.ports.find((cp) => cp.name === pp.port && cp.protocol === pp.protocol) : undefined;
    return named ? `${named.port}/${named.protocol}` : policyPortText(pp);
  })
  : ['any']);

/** Namespace names a selector pins with kubernetes.io/metadata.name (undefined: not pinned, may match any namespace). */
function pinnedNames(sel: any): string[] | undefined {
  const byLabel = sel?.matchLabels?.[NAMESPACE_NAME_LABEL];
  if (typeof byLabel === 'string') return [byLabel];
  for (const e of Array.isArray(sel?.matchExpressions) ? sel.matchExpressions : []) {
    if (e.key === NAMESPACE_NAME_LABEL && e.operator === 'In' && Array.isArray(e.values)) return e.values.filter((v: unknown) => typeof v === 'string');
  }
  return undefined;
}

interface Outside {
  readonly id: string;
  readonly label: string;
}

/** The part of a peer that lies outside the manifests, as outside nodes (none for a plain podSelector). */
function outsideOf(peer: Peer, cluster: Cluster): Outside[] {
  if (peer.ipBlock) {
    const text = `${peer.ipBlock.cidr}${peer.ipBlock.except.length ? ` except ${peer.ipBlock.except.join(', ')}` : ''}`;
    return [{ id: `outside:ip:${text}`, label: `ipBlock ${text}` }];
  }
  if (!peer.namespaceSelector) return [];
  const pods = peer.podSelector && !isEmptySelector(peer.podSelector) ? ` pods ${selectorText(peer.podSelector)}` : '';
  const pinned = pinnedNames(peer.namespaceSelector);
  if (pinned) {
    return pinned
      .filter((n) => !cluster.namespaces.has(n) && selects(peer.namespaceSelector, { [NAMESPACE_NAME_LABEL]: n }))
      .map((n) => ({ id: `outside:ns:${n}:${pods}`, label: `namespace ${n}${pods}` }));
  }
  const nsText = isEmptySelector(peer.namespaceSelector) ? 'any namespace' : `namespaces ${selectorText(peer.namespaceSelector)}`;
  return [{ id: `outside:nssel:${nsText}:${pods}`, label: `${nsText}${pods}` }];
}

/** Canonical source ranges; a malformed one cannot be proven covered, so it counts as 0.0.0.0/0. */
function canonicalRanges(ranges: readonly string[]): string[] {
  return ranges.map((r) => {
    try {
      return canonicalCidr(r, '');
    } catch (e) {
      if (e instanceof FlowsError) return '0.0.0.0/0';
      throw e;
    }
  });
}

const ANYWHERE: Outside = { id: 'outside:anywhere', label: 'anywhere' };

export function buildGraph(cluster: Cluster): Graph {
  const sim = new Simulator(cluster);
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, { from: string; to: string; ports: Set<string>; type: GraphEdge['type']; admitted?: boolean }>();
  const addEdge = (from: string, to: string, type: GraphEdge['type'], ports: readonly string[], admitted?: boolean) => {
    const k = `${from}\u0000${to}\u0000${type}`;
    let e = edges.get(k);
    if (!e) edges.set(k, (e = { from, to, ports: new Set(), type, admitted }));
    for (const p of ports) e.ports.add(p);
    if (admitted !== undefined) e.admitted = (e.admitted ?? true) && admitted;
  };
  const real = cluster.workloads.filter((w) => !w.synthetic);
  const workloadNode = (w: Workload): GraphNode => ({
    id: w.id,
    label: w.name,
    type: 'workload',
    namespace: w.namespace,
    kind: w.kind === 'DNS' ? 'cluster DNS' : w.kind,
    open: !w.synthetic && sim.ingressOf(w).length === 0,
    detail: w.ports.map((p) => `${p.port}/${p.protocol}${p.name ? ` ${p.name}` : ''}`).join(', '),
  });
  for (const w of real) nodes.set(w.id, workloadNode(w));
  const outside = (o: Outside) => {
    if (!nodes.has(o.id)) nodes.set(o.id, { id: o.id, label: o.label, type: 'outside', kind: 'outside' });
    return o.id;
  };

  // Workload to workload: candidate ports are the destination's declared ports and the single ports its ingress rules name.
  const candidates = (b: Workload): { port: number; protocol: Protocol }[] => {
    const out = new Map<string, { port: number; protocol: Protocol }>();
    for (const p of b.ports) out.set(`${p.port}/${p.protocol}`, p);
    for (const pol of sim.ingressOf(b)) {
      for (const r of pol.ingress) {
        for (const pp of r.ports ?? []) if (typeof pp.port === 'number' && pp.endPort === undefined) out.set(`${pp.port}/${pp.protocol}`, { port: pp.port, protocol: pp.protocol });
      }
    }
    return [...out.values()].sort((x, y) => x.port - y.port || x.protocol.localeCompare(y.protocol));
  };
  const targets = cluster.workloads.filter((w) => !w.synthetic || w === cluster.dns);
  for (const b of targets) {
    const ports = candidates(b);
    for (const a of real) {
      for (const p of ports) {
        if ((sim.egressOf(a).length || sim.ingressOf(b).length) && sim.allows(a, b, p.port, p.protocol)) {
          if (!nodes.has(b.id)) nodes.set(b.id, workloadNode(b));
          addEdge(a.id, b.id, 'flow', [`${p.port}/${p.protocol}`]);
        }
      }
    }
  }

  // Entries and exits through policy peers outside the manifests.
  for (const w of real) {
    for (const pol of sim.ingressOf(w)) {
      for (const r of pol.ingress) {
        const from = r.peers ? r.peers.flatMap((p) => outsideOf(p, cluster)) : [ANYWHERE];
        for (const o of from) addEdge(outside(o), w.id, 'entry', ruleLabels(r, w));
      }
    }
    for (const pol of sim.egressOf(w)) {
      for (const r of pol.egress) {
        // A peer aimed at the cluster DNS pods is drawn as the edge to the DNS node, not as an exit.
        const toDns = (p: Peer) => !!p.podSelector && !isEmptySelector(p.podSelector)
          && peerSelects(p, pol.namespace, cluster.dns, cluster.namespaces.get(cluster.dns.namespace));
        const to = r.peers ? r.peers.filter((p) => !toDns(p)).flatMap((p) => outsideOf(p, cluster)) : [ANYWHERE];
        for (const o of to) addEdge(w.id, outside(o), 'exit', ruleLabels(r));
      }
    }
  }

  // Do w's ingress policies admit traffic from outside its namespace (ipBlock, namespaceSelector, all sources) on this port?
  // Do w's ingress policies admit traffic from outside its namespace on this port? With source ranges
  // (a LoadBalancer's loadBalancerSourceRanges), an ipBlock must cover every range, none of it excepted.
  const admitsOutside = (w: Workload, port: number, protocol: Protocol, ranges: readonly string[] = []): boolean => {
    const pols = sim.ingressOf(w);
    if (!pols.length) return true;
    const covers = (p: Peer) => !!p.ipBlock && ranges.every((r) => cidrWithin(r, p.ipBlock!.cidr)
      && !p.ipBlock!.except.some((e) => cidrWithin(e, r) || cidrWithin(r, e)));
    const fromOutside = (p: Peer) => (ranges.length ? covers(p) : !!(p.ipBlock || p.namespaceSelector));
    return pols.some((pol) => pol.ingress.some((r) => (!r.ports || r.ports.some((pp) => portMatches(pp, port, protocol, w)))
      && (!r.peers || r.peers.some(fromOutside))));
  };
  const backendsOf = (svc: Service, port?: number | string) => {
    const sel = svc.selector;
    if (!sel || !Object.keys(sel).length) return [];
    const sps = svc.ports.filter((sp) => port === undefined || (typeof port === 'number' ? sp.port === port : sp.name === port));
    const out: { w: Workload; port: number; protocol: Protocol }[] = [];
    for (const w of real) {
      if (w.namespace !== svc.namespace || !Object.entries(sel).every(([k, v]) => w.labels[k] === v)) continue;
      for (const sp of sps) {
        const target = typeof sp.targetPort === 'number' ? sp.targetPort : w.ports.find((cp) => cp.name === sp.targetPort && cp.protocol === sp.protocol)?.port;
        if (target !== undefined) out.push({ w, port: target, protocol: sp.protocol });
      }
    }
    return out;
  };
  const entry = (id: string, label: string, kind: string, namespace: string, detail?: string) => {
    if (!nodes.has(id)) nodes.set(id, { id, label, type: 'entry', kind, namespace, detail });
    return id;
  };
  for (const svc of cluster.services) {
    if (svc.type !== 'LoadBalancer' && svc.type !== 'NodePort') continue;
    const sources = svc.loadBalancerSourceRanges.length ? svc.loadBalancerSourceRanges.join(', ') : svc.type === 'LoadBalancer' ? 'any source' : 'every node';
    const id = entry(`entry:Service:${svc.namespace}/${svc.name}`, `${svc.type} ${svc.namespace}/${svc.name}`, svc.type, svc.namespace, sources);
    const ranges = svc.type === 'LoadBalancer' ? canonicalRanges(svc.loadBalancerSourceRanges) : [];
    for (const b of backendsOf(svc)) addEdge(id, b.w.id, 'entry', [`${b.port}/${b.protocol}`], admitsOutside(b.w, b.port, b.protocol, ranges));
  }
  for (const route of cluster.routes) {
    const id = entry(`entry:${route.kind}:${route.namespace}/${route.name}`, `${route.kind} ${route.namespace}/${route.name}`, route.kind, route.namespace, route.hosts.join(', '));
    for (const be of route.backends) {
      const svc = cluster.services.find((s) => s.namespace === be.namespace && s.name === be.service);
      if (!svc) continue;
      for (const b of backendsOf(svc, be.port)) addEdge(id, b.w.id, 'entry', [`${b.port}/${b.protocol}`], admitsOutside(b.w, b.port, b.protocol));
    }
  }

  const namespaces = [...new Set([...nodes.values()].filter((n) => n.type === 'workload').map((n) => n.namespace!))].sort();
  const portOrder = (p: string) => parseInt(p, 10) || 0;
  return {
    namespaces,
    nodes: [...nodes.values()],
    edges: [...edges.values()].map((e) => ({
      from: e.from,
      to: e.to,
      type: e.type,
      ports: [...e.ports].sort((x, y) => portOrder(x) - portOrder(y) || x.localeCompare(y)),
      ...(e.admitted !== undefined ? { admitted: e.admitted } : {}),
    })),
  };
}
