/**
 * Synthesize a plan in-process, the way the generated main.ts and docker.ts do, so the report
 * describes the objects that really come out (mounts, reachability, published ports), not the
 * intentions of the plan.
 */
import { App, Chart } from 'cdk8s';
import { DOCKER_SINGLE_REPLICA, dockerHostPort, wiredEdges } from './emit';
import { ConversionPlan, PlannedWorkload } from './plan';
import { Call } from './printer';
import type { Flow } from '../k8s/app-network';
import { UNREVIEWED_ANNOTATION } from '../policy/rules/review';
import { K8sObject } from '../policy/types';
import { scalarText } from '../spec/canonical';

/** Printer calls → the values they stand for. */
export function materialize(x: unknown): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Peer } = require('../spec/network') as typeof import('../spec/network');
  if (x instanceof Call) {
    const args = x.args.map(materialize) as string[];
    switch (x.fn) {
      case 'Peer.workload': return Peer.workload(args[0]);
      case 'Peer.namespace': return Peer.namespace(args[0]);
      case 'Peer.ingressController': return Peer.ingressController();
      case 'Peer.monitoring': return Peer.monitoring();
      default: throw new Error(`cannot materialize ${x.fn}`);
    }
  }
  if (Array.isArray(x)) return x.map(materialize);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined).map(([k, v]) => [k, materialize(v)]));
  return x;
}

export interface DockerFacts {
  readonly name: string;
  /** `ip:hostPort→containerPort/protocol` of the first container. */
  readonly published: string[];
  readonly containers: number;
  /** Networks the first container joins. */
  readonly networks: string[];
}

export interface SynthesizedPlan {
  readonly objects: K8sObject[];
  readonly docker: DockerFacts[];
  /** Flows.of(app).list() of the synthesized app: what flows.yaml lists (backup jobs included). */
  readonly flows: Flow[];
}

/** The Kubernetes objects of the plan (as main.ts builds them) and the Docker facts (as docker.ts). */
export function synthesizePlan(plan: ConversionPlan): SynthesizedPlan {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require('../k8s') as typeof import('../k8s');
  const app = new App({ outdir: '/nonexistent-hardened-init' });
  const chart = new Chart(app, plan.namespace, { namespace: plan.namespace });
  const dbs = new Map<string, InstanceType<typeof lib.StatefulDatabase>>();
  const svcs = new Map<string, InstanceType<typeof lib.HardenedService>>();
  for (const w of plan.workloads.filter((x) => x.kind === 'database')) dbs.set(w.name, new lib.StatefulDatabase(chart, w.name, materialize(w.spec) as never));
  for (const w of plan.workloads.filter((x) => x.kind === 'service')) svcs.set(w.name, new lib.HardenedService(chart, w.name, materialize(w.spec) as never));
  for (const e of wiredEdges(plan)) svcs.get(e.fromName)!.connectTo((svcs.get(e.toName) ?? dbs.get(e.toName))!, e.portNames);
  for (const w of plan.workloads) if (w.unreviewed.length) (svcs.get(w.name) ?? dbs.get(w.name))!.workload.metadata.addAnnotation(UNREVIEWED_ANNOTATION, w.unreviewed.join(' | '));
  const objects = chart.toJson() as K8sObject[];
  return { objects, docker: dockerFacts(plan), flows: lib.Flows.of(app).list() };
}

function dockerFacts(plan: ConversionPlan): DockerFacts[] {
  // The Pulumi-free planning half of the Docker backend: @pulumi/* are optional dependencies, and
  // init must work without them (the facts are those docker.ts's components would register).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const d = require('../docker/plan') as typeof import('../docker/plan');
  const db = d;
  const out: DockerFacts[] = [];
  for (const w of plan.workloads) {
    const secretSources = Object.fromEntries(w.secretNames.map((s) => [s, { hostPath: `/srv/${plan.namespace}/secrets/${s}` }]));
    const spec = materialize(w.spec) as Record<string, unknown>;
    if (w.kind === 'database') {
      const p = db.planDockerDatabase(w.name, { ...spec, docker: { app: plan.namespace, secretSources } } as never);
      out.push({ name: w.name, published: [], containers: p.plans.length, networks: p.plans[0].args.networksAdvanced.map((n) => n.name) });
      continue;
    }
    const publish = w.published.map((p) => ({ port: p.name, hostPort: dockerHostPort(p.hostPort) }));
    const relaxations = { ...(spec.relaxations as object ?? {}), singleReplica: DOCKER_SINGLE_REPLICA };
    const over = publish.length && w.replicas !== 1 ? { replicas: 1, relaxations } : {};
    const p = d.planDockerService(w.name, { ...spec, ...over, docker: { app: plan.namespace, secretSources, publish } } as never);
    const first = p.plans[0].args;
    out.push({
      name: w.name,
      published: (first.ports ?? []).map((x) => `${x.ip ?? '0.0.0.0'}:${x.external}→${x.internal}/${(x.protocol === undefined || x.protocol === null ? 'tcp' : scalarText(x.protocol)).toUpperCase()}`),
      containers: p.plans.length,
      networks: first.networksAdvanced.map((n) => n.name),
    });
  }
  return out;
}

/** Describe one workload's objects: user, writable paths, mounts, who reaches it, where it connects. */
export interface WorkloadFacts {
  readonly kind: string;
  readonly runAsUser?: number;
  readonly readOnlyRoot: boolean;
  readonly writable: string[];
  readonly mounts: string[];
  readonly reachableFrom: string[];
  readonly connectsTo: string[];
  readonly servicePorts: string[];
  readonly containerPorts: string[];
  readonly command?: string[];
  readonly args?: string[];
  readonly secrets: { name: string; keys: string[] }[];
}

/** Container port names → numbers. */
export function portNumbersOf(containers: readonly any[]): Map<string, number> {
  return new Map<string, number>(containers.flatMap((c) => (c.ports ?? []).map((p: any) => [p.name, p.containerPort] as [string, number])));
}

function peerText(p: any, ns: string): string {
  if (p?.podSelector && !p.namespaceSelector) {
    const inst = p.podSelector.matchLabels?.['app.kubernetes.io/instance'];
    return inst ? `workload \`${inst}\`` : `pods of namespace \`${ns}\``;
  }
  if (p?.namespaceSelector) {
    const nsName = p.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] ?? '?';
    const pods = p.podSelector?.matchLabels ? ` (pods ${Object.entries(p.podSelector.matchLabels).map(([k, v]) => `${k}=${v}`).join(', ')})` : '';
    return `namespace \`${nsName}\`${pods}`;
  }
  if (p?.ipBlock) return `addresses ${p.ipBlock.cidr}`;
  return 'any';
}

function portsText(ports: any[] | undefined, names: ReadonlyMap<string, number>): string {
  return ports?.length ? ports.map((p) => `${typeof p.port === 'string' ? names.get(p.port) ?? p.port : p.port}/${p.protocol ?? 'TCP'}`).join(', ') : 'all ports';
}

const indexes = new WeakMap<readonly K8sObject[], Map<string, K8sObject>>();

/** The first object of a kind with a name (what `objects.find` would return), from an index built once per list. */
export function objectNamed(objects: readonly K8sObject[], kind: string, name: string): K8sObject | undefined {
  let index = indexes.get(objects);
  if (!index) {
    index = new Map();
    for (const o of objects) {
      const key = `${o.kind}\0${o.metadata?.name}`;
      if (!index.has(key)) index.set(key, o);
    }
    indexes.set(objects, index);
  }
  return index.get(`${kind}\0${name}`);
}

export function workloadFacts(objects: readonly K8sObject[], name: string, ns: string): WorkloadFacts | undefined {
  const w = objectNamed(objects, 'Deployment', name) ?? objectNamed(objects, 'StatefulSet', name);
  if (!w) return undefined;
  const pod = w.spec.template.spec;
  const main = pod.containers[0];
  const volumes = new Map<string, any>((pod.volumes ?? []).map((v: any) => [v.name, v]));
  const claimTemplates = new Set<string>((w.spec.volumeClaimTemplates ?? []).map((t: any) => t.metadata?.name));
  const writable: string[] = [];
  const mounts: string[] = [];
  const secrets = new Map<string, Set<string>>();
  const addSecret = (n: string, k?: string) => {
    const set = secrets.get(n) ?? new Set<string>();
    if (k) set.add(k);
    secrets.set(n, set);
  };
  for (const m of main.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (v?.emptyDir) {writable.push(`\`${m.mountPath}\` (${v.emptyDir.sizeLimit ?? 'no limit'}${v.emptyDir.medium === 'Memory' ? ', in memory' : ''})`);} else if (v?.secret) {
      mounts.push(`\`${m.mountPath}\` ← Secret \`${v.secret.secretName}\`${v.secret.items ? ` (keys ${v.secret.items.map((i: any) => `\`${i.key}\``).join(', ')})` : ''}${m.readOnly ? ', read-only' : ''}`);
      addSecret(v.secret.secretName);
      for (const i of v.secret.items ?? []) addSecret(v.secret.secretName, i.key);
    } else if (v?.persistentVolumeClaim) {mounts.push(`\`${m.mountPath}\` ← claim \`${v.persistentVolumeClaim.claimName}\`${m.readOnly ? ', read-only' : ''}`);} else if (claimTemplates.has(m.name)) {mounts.push(`\`${m.mountPath}\` ← claim \`${m.name}-${name}-<n>\` (one per replica)`);} else if (v?.configMap) {mounts.push(`\`${m.mountPath}\` ← ConfigMap \`${v.configMap.name}\``);} else {mounts.push(`\`${m.mountPath}\``);}
  }
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) addSecret(e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
  }
  const np = objectNamed(objects, 'NetworkPolicy', name);
  const portNumbers = portNumbersOf(pod.containers);
  const reachableFrom: string[] = [];
  const connectsTo: string[] = [];
  for (const r of np?.spec?.ingress ?? []) {
    for (const p of r.from ?? []) {
      const t = `${peerText(p, ns)} on ${portsText(r.ports, portNumbers)}`;
      if (!reachableFrom.includes(t)) reachableFrom.push(t);
    }
  }
  for (const r of np?.spec?.egress ?? []) {
    for (const p of r.to ?? [{}]) {
      const isDns = (r.ports ?? []).some((x: any) => x.port === 53);
      const t = isDns ? 'DNS' : `${peerText(p, ns)} on ${portsText(r.ports, new Map())}`;
      if (!connectsTo.includes(t)) connectsTo.push(t);
    }
  }
  const svc = objectNamed(objects, 'Service', name);
  return {
    kind: w.kind!,
    runAsUser: main.securityContext?.runAsUser ?? pod.securityContext?.runAsUser,
    readOnlyRoot: main.securityContext?.readOnlyRootFilesystem === true,
    writable,
    mounts,
    reachableFrom,
    connectsTo,
    servicePorts: (svc?.spec?.ports ?? []).map((p: any) => `${p.port}→${typeof p.targetPort === 'string' ? portNumbers.get(p.targetPort) ?? p.targetPort : p.targetPort}/${p.protocol ?? 'TCP'}`),
    containerPorts: (main.ports ?? []).map((p: any) => `${p.containerPort}/${p.protocol ?? 'TCP'}`),
    command: main.command,
    args: main.args,
    secrets: [...secrets].map(([n, keys]) => ({ name: n, keys: [...keys].sort() })),
  };
}

export type { PlannedWorkload };
