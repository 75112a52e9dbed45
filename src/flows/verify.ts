import { parseDocument } from 'yaml';
import { Cluster, FlowsError, parseProtocol, Protocol, Workload } from './model';
import { Simulator } from './simulate';
import { editDistance } from '../spec/names';

/**
 * The flows file: the connections an app needs, checked against the simulated NetworkPolicies.
 *
 * ```yaml
 * flows:
 *   - from: shop/web              # namespace/workload
 *     to: shop/api:8080           # namespace/workload:port[/TCP|UDP|SCTP], pod port number or its name
 * ```
 */

export interface FlowRef {
  readonly namespace: string;
  readonly name: string;
}

export interface FlowSpec {
  readonly from: FlowRef;
  readonly to: FlowRef;
  /** Pod port number or container port name. */
  readonly port: number | string;
  readonly protocol?: Protocol;
  /** Where in the file, e.g. `flows[2]`. */
  readonly at: string;
}

export interface FlowEntry {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** Why it is blocked (blocked) or which policies let it through (unexpected). */
  readonly reason?: string;
}

export interface VerifyResult {
  readonly allowed: FlowEntry[];
  readonly blocked: FlowEntry[];
  readonly unexpected: FlowEntry[];
  readonly warnings: string[];
  readonly summary: {
    readonly flows: number;
    readonly allowed: number;
    readonly blocked: number;
    readonly unexpected: number;
    readonly strict: boolean;
    readonly workloads: number;
    readonly policies: number;
    /** Workloads whose egress policies leave no way to the cluster DNS (53/UDP or 53/TCP). */
    readonly dnsBlocked: string[];
  };
}

export interface VerifyOptions {
  /** Every other pair of workloads, on the destination's declared container ports, must be denied (DNS aside). */
  readonly strict?: boolean;
}

function isRecord(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

function parseRef(text: string, where: string, what: string): FlowRef {
  const slash = text.indexOf('/');
  if (slash < 0 || text.indexOf('/', slash + 1) >= 0) throw new FlowsError(`${where}: ${JSON.stringify(text)} must be namespace/workload${what}`);
  const namespace = text.slice(0, slash);
  const name = text.slice(slash + 1);
  if (!NAME.test(namespace) || namespace.length > 63) throw new FlowsError(`${where}: namespace ${JSON.stringify(namespace)} is not a Kubernetes name (lowercase letters, digits, '-')`);
  if (!NAME.test(name) || name.length > 253) throw new FlowsError(`${where}: workload ${JSON.stringify(name)} is not a Kubernetes name (lowercase letters, digits, '-', '.')`);
  return { namespace, name };
}

const FLOW_KEYS = new Set(['from', 'to', 'description']);

/** Parse a flows file (YAML or JSON text). Every mistake is a FlowsError naming the entry. */
export function parseFlowsFile(text: string, file: string): FlowSpec[] {
  const doc = parseDocument(text, { prettyErrors: true });
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0];
    throw new FlowsError(`${file}${line ? `:${line.line}:${line.col}` : ''}: malformed YAML: ${err.message.split('\n')[0]}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new FlowsError(`${file}: malformed YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isRecord(data) || !Array.isArray(data.flows)) throw new FlowsError(`${file}: expected a map with a \`flows:\` list (each entry: from: namespace/workload, to: namespace/workload:port)`);
  for (const k of Object.keys(data)) if (k !== 'flows') throw new FlowsError(`${file}: unknown key ${JSON.stringify(k)} (only \`flows\`)`);
  return data.flows.map((f: unknown, i: number) => {
    const at = `${file}: flows[${i}]`;
    if (!isRecord(f)) throw new FlowsError(`${at}: must be a map with from and to`);
    for (const k of Object.keys(f)) if (!FLOW_KEYS.has(k)) throw new FlowsError(`${at}: unknown key ${JSON.stringify(k)} (from, to, description)`);
    if (typeof f.from !== 'string') throw new FlowsError(`${at}.from: missing (namespace/workload)`);
    if (typeof f.to !== 'string') throw new FlowsError(`${at}.to: missing (namespace/workload:port)`);
    const from = parseRef(f.from.trim(), `${at}.from`, '');
    const to = f.to.trim();
    const colon = to.indexOf(':');
    if (colon < 0) throw new FlowsError(`${at}.to: ${JSON.stringify(to)} needs a port: namespace/workload:port[/TCP|UDP|SCTP]`);
    const ref = parseRef(to.slice(0, colon), `${at}.to`, ':port');
    const portPart = to.slice(colon + 1);
    const slash = portPart.indexOf('/');
    const portText = slash < 0 ? portPart : portPart.slice(0, slash);
    const protocol = slash < 0 ? undefined : parseProtocol(portPart.slice(slash + 1), `${at}.to`);
    let port: number | string;
    if (/^[0-9]{1,5}$/.test(portText)) {
      port = Number(portText);
      if (port < 1 || port > 65535) throw new FlowsError(`${at}.to: port ${portText} is outside 1-65535`);
    } else if (/^[a-z0-9-]{1,15}$/.test(portText) && /[a-z]/.test(portText)) {
      port = portText;
    } else {
      throw new FlowsError(`${at}.to: ${JSON.stringify(portText)} is not a port number or container port name`);
    }
    return { from, to: ref, port, protocol, at };
  });
}

/** Edit distance, for "did you mean" (names whose lengths differ by more than 3 are never close). */
function distance(a: string, b: string): number {
  return Math.abs(a.length - b.length) > 3 ? 99 : editDistance(a, b);
}

function findWorkload(cluster: Cluster, ref: FlowRef, where: string): Workload {
  const id = `${ref.namespace}/${ref.name}`;
  const w = cluster.workloads.find((x) => x.id === id);
  if (w) return w;
  const near = cluster.workloads.map((x) => ({ x, d: distance(x.id, id) })).filter((c) => c.d <= 3).sort((p, q) => p.d - q.d)[0];
  throw new FlowsError(`${where}: no workload ${id} in the manifests${near ? ` (did you mean ${near.x.id}?)` : ''}; flows name a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod as namespace/name`);
}

const portList = (w: Workload) => (w.ports.length ? w.ports.map((p) => `${p.port}/${p.protocol}${p.name ? ` (${p.name})` : ''}`).join(', ') : 'none');

/** Check the flows against the simulated policies. Unknown workloads and ports are FlowsErrors. */
export function verifyFlows(cluster: Cluster, flows: readonly FlowSpec[], opts: VerifyOptions = {}): VerifyResult {
  const sim = new Simulator(cluster);
  const allowed: FlowEntry[] = [];
  const blocked: FlowEntry[] = [];
  const unexpected: FlowEntry[] = [];
  const warnings: string[] = [];
  const listed = new Set<string>();
  const key = (a: Workload, b: Workload, port: number, protocol: Protocol) => `${a.id}\u0000${b.id}\u0000${port}/${protocol}`;
  for (const f of flows) {
    const src = findWorkload(cluster, f.from, `${f.at}.from`);
    const dst = findWorkload(cluster, f.to, `${f.at}.to`);
    let port: number;
    let protocol: Protocol;
    if (typeof f.port === 'string') {
      const named = dst.ports.filter((p) => p.name === f.port && (!f.protocol || p.protocol === f.protocol));
      if (!named.length) throw new FlowsError(`${f.at}.to: ${dst.id} has no container port named ${JSON.stringify(f.port)}${f.protocol ? `/${f.protocol}` : ''} (declared: ${portList(dst)})`);
      port = named[0].port;
      protocol = named[0].protocol;
    } else {
      port = f.port;
      protocol = f.protocol ?? 'TCP';
      if (dst.ports.length && !dst.ports.some((p) => p.port === port && p.protocol === protocol)) {
        const svc = cluster.services.find((s) => s.namespace === dst.namespace && s.selector && Object.keys(s.selector).length
          && Object.entries(s.selector).every(([k, v]) => dst.labels[k] === v) && s.ports.some((sp) => sp.port === port && sp.protocol === protocol));
        const sp = svc?.ports.find((x) => x.port === port && x.protocol === protocol);
        warnings.push(`${f.at}: ${dst.id} declares no container port ${port}/${protocol} (declared: ${portList(dst)})`
          + (svc && sp ? `; ${port} is Service ${svc.name}'s port, the pod port behind it is ${sp.targetPort}: flows and NetworkPolicies use pod ports` : ''));
      }
    }
    const k = key(src, dst, port, protocol);
    if (listed.has(k)) continue;
    listed.add(k);
    const v = sim.check(src, dst, port, protocol);
    const entry = { from: src.id, to: dst.id, port, protocol };
    if (v.allowed) allowed.push(entry);
    else blocked.push({ ...entry, reason: sim.explain(src, dst, v) });
  }
  const real = cluster.workloads.filter((w) => !w.synthetic && w !== cluster.dns);
  if (opts.strict) {
    for (const a of real) {
      for (const b of real) {
        if (a === b) continue;
        for (const p of b.ports) {
          if (listed.has(key(a, b, p.port, p.protocol))) continue;
          if (!sim.allows(a, b, p.port, p.protocol)) continue;
          const v = sim.check(a, b, p.port, p.protocol);
          unexpected.push({ from: a.id, to: b.id, port: p.port, protocol: p.protocol, reason: sim.explain(a, b, v) });
        }
      }
    }
  }
  const dnsBlocked = real.filter((w) => sim.egressOf(w).length > 0
    && !(sim.check(w, cluster.dns, 53, 'UDP').allowed && sim.check(w, cluster.dns, 53, 'TCP').allowed)).map((w) => w.id);
  return {
    allowed,
    blocked,
    unexpected,
    warnings,
    summary: {
      flows: listed.size,
      allowed: allowed.length,
      blocked: blocked.length,
      unexpected: unexpected.length,
      strict: !!opts.strict,
      workloads: real.length,
      policies: cluster.policies.length,
      dnsBlocked,
    },
  };
}

const line = (e: FlowEntry) => `${e.from} -> ${e.to}:${e.port}/${e.protocol}`;

/** Human-readable report. */
export function formatVerifyText(r: VerifyResult): string {
  const out: string[] = [];
  for (const e of r.allowed) out.push(`allowed     ${line(e)}`);
  for (const e of r.blocked) out.push(`BLOCKED     ${line(e)}\n            ${e.reason}`);
  for (const e of r.unexpected) out.push(`UNEXPECTED  ${line(e)}  (not in the flows file)\n            ${e.reason}`);
  for (const w of r.warnings) out.push(`warning     ${w}`);
  if (r.summary.dnsBlocked.length) out.push(`note        no DNS (kube-system/kube-dns 53/UDP+TCP) from: ${r.summary.dnsBlocked.join(', ')}`);
  const s = r.summary;
  out.push(`${s.flows} flow${s.flows === 1 ? '' : 's'}: ${s.allowed} allowed, ${s.blocked} blocked${s.strict ? `; strict: ${s.unexpected} unexpected` : ''} (${s.workloads} workloads, ${s.policies} NetworkPolicies)`);
  return out.join('\n') + '\n';
}
