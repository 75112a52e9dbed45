/**
 * Same reachability as Kubernetes. Docker networks have no ports and no direction, so the Docker
 * rendering gives each declared connection its own internal network. From the registered
 * resources we compute which workloads share a network (can reach each other), and from the
 * Kubernetes rendering of the same specs which workloads the NetworkPolicies let talk (ingress of
 * the server AND egress of the client). Every Docker pair must be a Kubernetes flow.
 * Ports aside: Docker cannot restrict ports within a network (documented in the README).
 */
import * as fc from 'fast-check';
import { shopOnDocker } from '../../examples/docker/main';
import * as spec from '../../examples/docker/spec';
import { HardenedService as K8sService, HardenedServiceSpec, Peer, StatefulDatabase as K8sDatabase } from '../../src';
import { planDockerService, recordResources, RecordedResource } from '../../src/docker';
import { serviceProps, synth, testChart } from '../util/fixtures';

const INSTANCE = 'app.kubernetes.io/instance';
const pair = (a: string, b: string) => (a < b ? `${a}~${b}` : `${b}~${a}`);

/** Unordered pairs of distinct workloads that share a Docker network. */
type Planned = { labels: { label: string; value: string }[]; networksAdvanced?: { name: string }[]; networkMode?: string };

function dockerPairs(containers: Planned[]): Set<string> {
  const members = new Map<string, Set<string>>();
  for (const c of containers) {
    const w = c.labels.find((l) => l.label === INSTANCE)!.value;
    for (const n of c.networksAdvanced ?? []) members.set(n.name, (members.get(n.name) ?? new Set()).add(w));
  }
  const out = new Set<string>();
  for (const ws of members.values()) for (const a of ws) for (const b of ws) if (a !== b) out.add(pair(a, b));
  return out;
}

/** Unordered pairs of workloads that the NetworkPolicies let connect in at least one direction. */
function k8sFlows(objects: any[], workloads: string[], namespace: string): Set<string> {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const selects = (sel: any, w: string) => sel?.matchLabels?.[INSTANCE] === w;
  const peerMatches = (peer: any, w: string) => !peer.ipBlock && (!peer.namespaceSelector || peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] === namespace) && (peer.podSelector ? selects(peer.podSelector, w) : !!peer.namespaceSelector);
  const policyOf = (w: string) => policies.filter((p) => selects(p.spec.podSelector, w));
  const ingressAllows = (server: string, client: string) => {
    const ps = policyOf(server).filter((p) => p.spec.policyTypes.includes('Ingress'));
    return ps.length === 0 || ps.some((p) => (p.spec.ingress ?? []).some((r: any) => !r.from || r.from.some((f: any) => peerMatches(f, client))));
  };
  const egressAllows = (client: string, server: string) => {
    const ps = policyOf(client).filter((p) => p.spec.policyTypes.includes('Egress'));
    return ps.length === 0 || ps.some((p) => (p.spec.egress ?? []).some((r: any) => !r.to || r.to.some((t: any) => peerMatches(t, server))));
  };
  const out = new Set<string>();
  for (const a of workloads) for (const b of workloads) if (a !== b && ingressAllows(b, a) && egressAllows(a, b)) out.add(pair(a, b));
  return out;
}

describe('the shop: Docker pairs are Kubernetes flows', () => {
  let resources: RecordedResource[] = [];
  beforeAll(async () => {
    const quiet = [jest.spyOn(console, 'warn').mockImplementation(() => undefined), jest.spyOn(console, 'log').mockImplementation(() => undefined)];
    resources = await recordResources(() => shopOnDocker(), { project: 'shop', stack: 'reach' });
    quiet.forEach((q) => q.mockRestore());
  });

  test('the same specs on both backends', () => {
    const containers = resources.filter((r) => r.type === 'docker:index/container:Container').map((r) => r.inputs as any);
    const docker = dockerPairs(containers);
    const workloads = [...new Set(containers.map((c) => c.labels.find((l: any) => l.label === INSTANCE).value as string))].sort();
    expect(workloads).toEqual(['api', 'edge', 'orders-db', 'orders-db-backup', 'web', 'worker']);

    const { chart } = testChart('shop');
    for (const s of [spec.api, spec.web, spec.worker, spec.edge]) new K8sService(chart, s.name!, s);
    new K8sDatabase(chart, 'orders-db', spec.ordersDb);
    const k8s = k8sFlows(synth(chart), workloads, 'shop');

    // Exactly the declared connections: web↔worker, api→web, backup↔api and the rest stay apart.
    expect([...docker].sort()).toEqual(['api~orders-db', 'api~web', 'api~worker', 'edge~web', 'orders-db~orders-db-backup']);
    for (const p of docker) expect(k8s).toContain(p);
    expect([...k8s].sort()).toEqual([...docker].sort());
  });

  test('no container reaches the internet or the host except through the publish network', () => {
    const nets = new Map(resources.filter((r) => r.type === 'docker:index/network:Network').map((r) => [(r.inputs as any).name, r.inputs as any]));
    for (const r of resources.filter((x) => x.type === 'docker:index/container:Container')) {
      const c = r.inputs as any;
      const open = (c.networksAdvanced ?? []).filter((n: any) => !nets.get(n.name).internal).map((n: any) => n.name);
      expect(open).toEqual(c.name === 'shop-edge-0' ? ['shop-edge-publish'] : []);
    }
  });
});

// Generated apps: random connection graphs among a few services, declared on one side, the other
// or both. Whatever is declared, Docker never lets two workloads talk that Kubernetes keeps apart.
const NAMES = ['a', 'b', 'c', 'd'];
const graph = fc.array(fc.record({
  client: fc.constantFrom(...NAMES),
  server: fc.constantFrom(...NAMES),
  side: fc.constantFrom('both', 'client', 'server'),
}), { maxLength: 6 });

test('generated apps: Docker pairs ⊆ Kubernetes flows', () => {
  fc.assert(fc.property(graph, fc.boolean(), (edges, cidrEgress) => {
    const specs: Record<string, HardenedServiceSpec> = {};
    for (const n of NAMES) {
      const e = edges.filter((x) => x.client !== x.server);
      specs[n] = serviceProps({
        name: n,
        namespace: 'app',
        replicas: 2,
        ingress: [
          { from: Peer.monitoring() },
          ...e.filter((x) => x.server === n && x.side !== 'client').map((x) => ({ from: Peer.workload(x.client) })),
        ],
        egress: [
          ...e.filter((x) => x.client === n && x.side !== 'server').map((x) => ({ to: Peer.workload(x.server), ports: [{ port: 8080 }] })),
          ...(cidrEgress && n === 'a' ? [{ to: Peer.cidr('10.20.0.0/16'), ports: [{ port: 5432 }] }] : []),
        ],
      }) as HardenedServiceSpec;
    }
    const containers = NAMES.flatMap((n) => planDockerService(n, { ...specs[n], docker: { app: 'app', healthcheck: { command: ['true'] } } }).plans.map((p) => p.args as any));
    const docker = dockerPairs(containers);
    const { chart } = testChart('app');
    for (const n of NAMES) new K8sService(chart, n, specs[n]);
    const k8s = k8sFlows(synth(chart), NAMES, 'app');
    for (const p of docker) expect(k8s).toContain(p);
    // And the declared two-sided connections do work on Docker.
    for (const x of edges) if (x.client !== x.server && x.side === 'both') expect(docker).toContain(pair(x.client, x.server));
  }), { numRuns: Number(process.env.FC_NUM_RUNS ?? 30) });
});
