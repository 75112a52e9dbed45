import * as fs from 'fs';
import * as path from 'path';
import { IConstruct } from 'constructs';
import type { MergedRule, PodPort, WorkloadNetwork } from './network';
import { HardeningError } from '../spec/errors';
import { editDistance } from '../spec/names';
import { NetworkPeer } from '../spec/network';

/** One allowed connection between two workloads of the app. */
export interface Flow {
  /** `namespace/workload` of the client. */
  readonly from: string;
  /** `namespace/workload` of the server. */
  readonly to: string;
  /** Pod (container) port. */
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  /** Name of the port, when the server declares one. */
  readonly portName?: string;
}

const INSTANCE = 'app.kubernetes.io/instance';
const registries = new WeakMap<IConstruct, AppNetwork>();

function subset(labels: Record<string, string> | undefined, of: Record<string, string>): boolean {
  return Object.entries(labels ?? {}).every(([k, v]) => of[k] === v);
}

/**
 * Every NetworkPolicy the constructs of one app declare, known together at synthesis: connections
 * declared by name are settled, rules naming workloads of the app are checked against their pod
 * labels and ports, and the allowed flows can be listed.
 * @internal
 */
export class AppNetwork {
  /** The registry of the app `scope` belongs to. */
  public static of(scope: IConstruct): AppNetwork {
    const root = scope.node.root;
    let r = registries.get(root);
    if (!r) {
      r = new AppNetwork();
      registries.set(root, r);
      const registry = r;
      // Runs at synthesis, before anything is written: every connection is known by then.
      root.node.addValidation({ validate: () => registry.validate() });
    }
    return r;
  }

  public readonly members: WorkloadNetwork[] = [];
  private readonly owned = new Set<string>();
  private readonly pending: (() => void)[] = [];

  private constructor() {}

  public register(n: WorkloadNetwork): void {
    this.members.push(n);
  }

  /** A namespace this app creates (HardenedNamespace): a workload peer there must name a workload of the app. */
  public ownNamespace(name: string): void {
    this.owned.add(name);
  }

  /** Run `fn` once every construct exists (before any policy is rendered). */
  public defer(fn: () => void): void {
    this.pending.push(fn);
  }

  public settle(): void {
    while (this.pending.length) this.pending.shift()!();
  }

  /** Workloads of the app a peer selects. */
  public selected(peer: NetworkPeer): WorkloadNetwork[] {
    return this.members.filter((m) => {
      const o = m.owner!;
      if (peer.kind === 'workload') return o.namespace === peer.namespace && o.podLabels[INSTANCE] === peer.name;
      if (peer.kind === 'namespace') return o.namespace === peer.namespace && subset(peer.podLabels, o.podLabels);
      return false;
    });
  }

  /** The synth-time checks (throws HardeningError; returns no message otherwise). */
  public validate(): string[] {
    this.settle();
    for (const m of this.members) {
      for (const r of m.ingressRules.values()) this.checkWorkloadPeer(m, r, 'admits');
      for (const r of m.egressRules.values()) {
        const targets = this.checkWorkloadPeer(m, r, 'connects to');
        if (targets.length) this.checkEgressPorts(m, r, targets);
      }
    }
    return [];
  }

  private checkWorkloadPeer(m: WorkloadNetwork, r: MergedRule, verb: string): WorkloadNetwork[] {
    if (r.peer.kind !== 'workload') return [];
    const peer = r.peer;
    const targets = this.selected(peer);
    if (targets.length) return targets;
    const ns = peer.namespace!;
    const inNs = this.members.map((x) => x.owner!).filter((o) => o.namespace === ns && o.podLabels[INSTANCE]).map((o) => o.podLabels[INSTANCE]);
    const near = inNs.filter((n) => n.length >= 5 && peer.name.length >= 5 && editDistance(n, peer.name) <= 2);
    if (!this.owned.has(ns) && near.length === 0) return []; // a workload deployed outside this app
    const owner = m.owner!;
    throw new HardeningError({
      ruleId: 'spec/flow-peer',
      constructPath: owner.path,
      fieldPath: r.field,
      message: `${owner.namespace}/${owner.name} ${verb} Peer.workload('${peer.name}'${ns !== owner.namespace ? `, '${ns}'` : ''}), but no workload of this app in namespace '${ns}' has the pod label ${INSTANCE}=${peer.name}: the rule selects nothing, so the traffic is blocked.`,
      fix: `${near.length ? `did you mean '${near[0]}'? ` : ''}name a workload of the app${inNs.length ? ` (in '${ns}': ${[...new Set(inNs)].sort().join(', ')})` : ''}, or wire by reference with client.connectTo(server); for a workload deployed separately, say so with Peer.namespace('${ns}', { '${INSTANCE}': '${peer.name}' }).`,
    });
  }

  private checkEgressPorts(m: WorkloadNetwork, r: MergedRule, targets: WorkloadNetwork[]): void {
    const owner = m.owner!;
    for (const p of r.ports.values()) {
      const ok = targets.every((t) => t.owner!.podPorts().some((x) => x.port === p.port && x.protocol === p.protocol));
      if (ok) continue;
      const t = targets.find((x) => !x.owner!.podPorts().some((y) => y.port === p.port && y.protocol === p.protocol))!.owner!;
      const svc = t.servicePorts().find((s) => s.port === p.port && s.protocol === p.protocol);
      const target = svc ? t.podPorts().find((x) => x.name === svc.targetPort) : undefined;
      const declared = t.podPorts().map((x) => `${x.port}/${x.protocol}${x.name ? ` (${x.name})` : ''}`).join(', ') || 'none';
      throw new HardeningError({
        ruleId: 'spec/flow-port',
        constructPath: owner.path,
        fieldPath: r.field,
        message: `${owner.namespace}/${owner.name} connects to ${t.namespace}/${t.name} on ${p.port}/${p.protocol}, but no container of ${t.name} declares that port (declared: ${declared})${svc && target ? `: ${p.port} is the Service port, and NetworkPolicies see the pod port ${target.port}` : ''}. The connection would be blocked.`,
        fix: target
          ? `use the pod port ${target.port}, or wire by reference with connectTo(${t.name}), which resolves Service ports to pod ports.`
          : `use one of the declared ports (${declared}), or wire by reference with connectTo(${t.name}).`,
      });
    }
  }

  /** Allowed flows between workloads of the app: the server admits the client and the client may connect. */
  public flows(): Flow[] {
    this.settle();
    const out = new Map<string, Flow>();
    for (const server of this.members) {
      const s = server.owner!;
      const podPorts = s.podPorts();
      for (const r of server.ingressRules.values()) {
        const ports: PodPort[] = r.all
          ? [...podPorts]
          : [...r.ports.values()].flatMap((p) => podPorts.filter((x) => (x.name === p.port || x.port === p.port) && x.protocol === p.protocol));
        for (const client of this.selected(r.peer)) {
          const c = client.owner!;
          for (const port of ports) {
            const allowed = [...client.egressRules.values()].some((e) => this.selected(e.peer).includes(server)
              && [...e.ports.values()].some((x) => x.port === port.port && x.protocol === port.protocol));
            if (!allowed) continue;
            const f: Flow = { from: `${c.namespace}/${c.name}`, to: `${s.namespace}/${s.name}`, port: port.port, protocol: port.protocol, portName: port.name };
            out.set(`${f.from}>${f.to}:${f.port}/${f.protocol}`, f);
          }
        }
      }
    }
    return [...out.values()].sort((a, b) => (a.from + a.to).localeCompare(b.from + b.to) || a.port - b.port || a.protocol.localeCompare(b.protocol));
  }
}

/** Options of {@link Flows.writeFile}. */
export interface WriteFlowsOptions {
  /**
   * Replace an existing file.
   * @default false
   */
  readonly overwrite?: boolean;
}

/**
 * The traffic the constructs of an app declared: every allowed connection between two of its
 * workloads (both NetworkPolicies allow it), as a list or as a flows file for
 * `hardened verify-flows`.
 *
 *   Flows.of(app).list()   // [{ from: 'shop/web', to: 'shop/api', port: 8080, protocol: 'TCP' }]
 */
export class Flows {
  /** The flows of the app `scope` belongs to. */
  public static of(scope: IConstruct): Flows {
    return new Flows(AppNetwork.of(scope));
  }

  private constructor(private readonly network: AppNetwork) {}

  /** Every allowed workload-to-workload flow, sorted. Entry points from outside the app are not listed. */
  public list(): Flow[] {
    return this.network.flows();
  }

  /**
   * The flows file: `flows: [{ from: ns/workload, to: ns/workload:port[/UDP] }]` (TCP is the
   * default protocol and is not written).
   */
  public toYaml(): string {
    // Loaded on use: synthesis without a flows file does not pay for the YAML library.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Document } = require('yaml') as typeof import('yaml');
    const doc = new Document({
      flows: this.list().map((f) => ({ from: f.from, to: `${f.to}:${f.port}${f.protocol === 'TCP' ? '' : `/${f.protocol}`}` })),
    });
    doc.commentBefore = ' Allowed connections between the workloads of this app, as declared by its constructs.\n Check them against the manifests with: hardened verify-flows --flows <this file> <manifests> --strict';
    return doc.toString({ lineWidth: 0 });
  }

  /** Write the flows file atomically (temporary file, then rename). An existing file is kept unless `overwrite`. */
  public writeFile(file: string, options: WriteFlowsOptions = {}): void {
    const target = path.resolve(file);
    if (!options.overwrite && fs.existsSync(target)) {
      throw new HardeningError({ ruleId: 'spec/overwrite', constructPath: '', fieldPath: 'file', message: `${target} exists and would be replaced.`, fix: 'pass { overwrite: true } to replace it, or choose another path.' });
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`);
    try {
      fs.writeFileSync(tmp, this.toYaml(), { flag: 'wx' });
      fs.renameSync(tmp, target);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
}
