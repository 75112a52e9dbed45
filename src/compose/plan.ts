/**
 * Step 2, plan: the typed Compose model → one spec per service (plain data, peers as printer
 * calls), the edges of the call graph with their ports, and the report items (changes and TODOs,
 * each with its rule id). Nothing here writes code or text files.
 */
import { posix } from 'path';
import { inferEdges, RawEdge } from './edges';
import { ImageKnowledge, knowledgeOf } from './images';
import { COMPOSE_SERVICE_KEYS, DEPLOY_CONVERTED } from './keys';
import { serviceNames } from './names';
import { Call } from './printer';
import { ComposeInputError, ComposeModel, ComposeService } from './read';
import { singletonScheduler } from './schedulers';
import { credentialArgs, isSecretEnv, parseUrl, redact, secretShape, urlCandidates } from './secrets';
import { interpolateCompose, composeContainers, parseComposeBytes } from '../policy/compose';
import { RUNTIME_SOCKET, sensitive } from '../policy/rules/host';
import { DockerContainer } from '../policy/types';
import { isLoopbackAddress, scalarText } from '../spec/canonical';
import { SIZE_PRESETS, SizePreset } from '../spec/defaults';
import { ENGINES } from '../spec/engines';
import { HardeningError, Refuser } from '../spec/errors';
import { parseImageReference } from '../spec/image';
import { resolveMetadata } from '../spec/metadata';
import { RESERVED_KEYS } from '../spec/props-scan';
import { parseQuantity } from '../spec/quantity';
import { BASELINE_CAPABILITIES } from '../spec/relaxations';
import { looksLikeSecretName } from '../spec/secrets';

export interface Item {
  readonly ruleId?: string;
  readonly text: string;
}

type Engine = NonNullable<ImageKnowledge['engine']>;

export interface PlannedPort {
  readonly name: string;
  /** Port the process listens on (after a non-root image remap). */
  readonly port: number;
  /** Port the Compose file used (and the Service keeps). */
  readonly composePort: number;
  readonly protocol: 'TCP' | 'UDP';
}

export interface PlannedWorkload {
  readonly composeName: string;
  readonly name: string;
  readonly kind: 'service' | 'database';
  readonly engine?: Engine;
  readonly knowledge?: ImageKnowledge;
  /** The spec (HardenedServiceSpec or StatefulDatabaseSpec) as data; peers are printer Calls. */
  readonly spec: Record<string, unknown>;
  readonly ports: PlannedPort[];
  /** Compose `ports:` that were published on the host (`loopback`: on its loopback interface only). */
  readonly published: { readonly name: string; readonly composePort: number; readonly hostPort: number; readonly loopback?: boolean }[];
  /** Docker: the healthcheck command (Docker runs checks inside the container). */
  readonly healthcheck?: string[];
  /** Secrets the workload references (names), for Docker's secret sources. */
  readonly secretNames: string[];
  readonly logging?: ComposeService['logging'];
  readonly replicas: number;
  readonly changes: Item[];
  readonly todos: Item[];
  /** TODOs that mark the workload unreviewed (annotation), besides TODO relaxations. */
  readonly unreviewed: string[];
}

export interface PlannedEdge {
  readonly from: string;
  readonly to: string;
  /** Kubernetes names. */
  readonly fromName: string;
  readonly toName: string;
  /** Port names on the server (undefined: the database port). */
  readonly portNames?: string[];
  readonly ports: { readonly port: number; readonly protocol: 'TCP' | 'UDP' }[];
  readonly evidence: string[];
  /** Why it could not be wired; undefined when wired. */
  readonly unresolved?: string;
}

export interface Refusal {
  readonly composeName: string;
  readonly item: Item;
}

export interface ConversionPlan {
  readonly project: string;
  readonly namespace: string;
  readonly source: string;
  readonly workloads: PlannedWorkload[];
  readonly edges: PlannedEdge[];
  readonly refused: Refusal[];
  /** Compose names → Kubernetes names. */
  readonly names: ReadonlyMap<string, string>;
  /** Fields of the Compose file newer than the converter's schema (dotted paths): not converted. */
  readonly unknownFields: readonly string[];
  /** Services left out because none of their profiles is enabled. */
  readonly leftOut?: readonly { readonly name: string; readonly profiles: readonly string[] }[];
}

const PRESET_EPHEMERAL = { request: '128Mi', limit: '512Mi' };

function isRecord(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function kebabKey(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '') || 'value';
}

/** Compose durations ("1m30s", "500ms", "10s") in whole seconds. */
export function seconds(d: unknown, fallback: number): number {
  if (typeof d === 'number') return Math.max(1, Math.round(d / 1e9));
  if (typeof d !== 'string') return fallback;
  let total = 0;
  let matched = false;
  for (const m of d.slice(0, 100).matchAll(/([0-9.]+)(ms|us|ns|h|m|s)/g)) {
    matched = true;
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : 0;
  }
  return matched && Number.isFinite(total) ? Math.max(1, Math.round(total)) : fallback;
}

function healthcheckCommand(h: ComposeService['healthcheck']): string[] | undefined {
  if (!isRecord(h) || h.disable === true) return undefined;
  const t = h.test;
  if (typeof t === 'string') return t.trim() ? ['sh', '-c', t] : undefined;
  if (!Array.isArray(t) || t.length === 0) return undefined;
  const [kind, ...rest] = t.map(String);
  if (kind === 'NONE') return undefined;
  if (kind === 'CMD-SHELL') return ['sh', '-c', rest.join(' ')];
  if (kind === 'CMD') return rest.length ? rest : undefined;
  return t.map(String);
}

function envEntries(x: unknown): [string, string | undefined][] {
  if (Array.isArray(x)) {
    return x.filter((e) => typeof e === 'string').map((e: string) => {
      const i = e.indexOf('=');
      return i > 0 ? [e.slice(0, i), e.slice(i + 1)] : [e, undefined];
    });
  }
  if (isRecord(x)) return Object.keys(x).map((k) => [k, x[k] === null || x[k] === undefined ? undefined : scalarText(x[k])]);
  return [];
}

/** `${VAR:-default}` → the default; other interpolation → undefined (needs a value). */
function resolveInterpolation(v: string): { value?: string; interpolated: boolean } {
  if (!v.includes('$')) return { value: v, interpolated: false };
  const r = interpolateCompose(v);
  return { value: r.unresolved.length ? undefined : r.value, interpolated: true };
}

function cpuQuantity(x: unknown): string | undefined {
  const n = typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' ? Number(x) : NaN;
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return `${Math.max(1, Math.round(n * 1000))}m`;
}

function memQuantity(x: unknown): string | undefined {
  const b = parseComposeBytes(x);
  if (b === undefined || b <= 0) return undefined;
  return `${Math.max(1, Math.ceil(b / 2 ** 20))}Mi`;
}

function composeTmpfsSizes(svc: ComposeService): Map<string, string> {
  const sizes = new Map<string, string>();
  for (const t of typeof svc.tmpfs === 'string' ? [svc.tmpfs] : Array.isArray(svc.tmpfs) ? svc.tmpfs : []) {
    if (typeof t !== 'string') continue;
    const i = t.indexOf(':');
    if (i < 0) continue;
    const size = t.slice(i + 1).split(',').find((o) => o.startsWith('size='))?.slice(5);
    const q = memQuantity(size);
    if (q) sizes.set(t.slice(0, i), q);
  }
  for (const v of Array.isArray(svc.volumes) ? svc.volumes : []) {
    if (!isRecord(v) || v.type !== 'tmpfs' || typeof v.target !== 'string') continue;
    const size = memQuantity(v.tmpfs?.size);
    if (size) sizes.set(v.target, size);
  }
  return sizes;
}

/**
 * Split a Compose string command into words the way Compose does (quotes and backslashes, no
 * shell). Undefined when the string needs a shell: operators, redirections, `$` or backquotes.
 */
export function shellWords(s: string): string[] | undefined {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else cur += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '$' || ch === '`') return undefined;
      else if (ch === '\\' && i + 1 < s.length && '"\\'.includes(s[i + 1])) cur += s[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else if (';&|<>()$`'.includes(ch)) {
      return undefined;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) return undefined;
  if (inWord) out.push(cur);
  return out.length ? out : undefined;
}

function protocolOf(p: { protocol?: string }): string {
  return (p.protocol === undefined || p.protocol === null ? 'tcp' : scalarText(p.protocol)).toUpperCase();
}

/** Why a service cannot be made safe (refused), or undefined. */
function refusal(m: DockerContainer): Item | undefined {
  if (m.networkMode === 'host') return { ruleId: 'no-host-network', text: 'network_mode: host shares the host\'s network stack: the service would see and bind every host interface. Run it on the cluster network, or outside Kubernetes (a node agent).' };
  if (m.pidMode === 'host') return { ruleId: 'no-host-pid', text: 'pid: host lets the service see and signal every process on the node.' };
  if (m.ipcMode === 'host') return { ruleId: 'no-host-ipc', text: 'ipc: host shares the host\'s IPC namespace.' };
  if (m.usernsMode === 'host') return { ruleId: 'no-host-userns', text: 'userns_mode: host disables user-namespace remapping.' };
  if (m.privileged) return { ruleId: 'no-privileged', text: 'privileged: true gives the container every capability and host device; nothing hardened can be derived from it.' };
  const bad = (m.capAdd ?? []).map((c) => c.toUpperCase().replace(/^CAP_/, '')).filter((c) => !BASELINE_CAPABILITIES.has(c));
  if (bad.length) return { ruleId: 'restrict-added-capabilities', text: `cap_add ${bad.join(', ')} is outside the Pod Security baseline set: it gives the container control over the host or its network.` };
  if ((m.devices ?? []).length) return { ruleId: 'no-host-devices', text: `devices (${m.devices!.join(', ')}) pass host hardware into the container.` };
  const sock = (m.mounts ?? []).find((x) => x.type === 'bind' && RUNTIME_SOCKET.test(x.source ?? ''));
  if (sock) return { ruleId: 'no-docker-socket', text: `it mounts the container runtime socket ${sock.source}: whoever talks to it is root on the host.` };
  const sens = (m.mounts ?? []).find((x) => x.type === 'bind' && x.source && x.source.startsWith('/') && sensitive(x.source));
  if (sens) return { ruleId: 'no-host-path', text: `it mounts the sensitive host path ${sens.source}.` };
  return undefined;
}

/** A note on a port entry, for the TODOs of planPorts. */
interface PortNote {
  readonly text: string;
  readonly unreviewed: boolean;
}

/** `${VAR:-default}` / `${VAR-default}` → the default, in a port string; undefined when another variable stays. */
function portDefaults(s: string): string | undefined {
  const r = interpolateCompose(s);
  return r.unresolved.length ? undefined : r.value;
}

/**
 * Compose `ports:` in canonical form before anything reads them: long-syntax `published` and
 * `target` strings ("80", what `docker compose config` prints; a range "8080-8081"; `${PORT:-8080}`)
 * become numbers, short-syntax strings get interpolation defaults, and what cannot be read is a
 * note (a TODO), never silently dropped. Compose Specification, services.ports.
 */
export function canonicalPorts(ports: unknown): { ports: unknown; notes: PortNote[] } {
  if (!Array.isArray(ports)) return { ports, notes: [] };
  const notes: PortNote[] = [];
  const out = ports.map((raw: unknown) => {
    if (typeof raw === 'string' && raw.includes('$')) {
      const resolved = portDefaults(raw);
      notes.push(resolved === undefined
        ? { text: `port '${redact(raw)}' uses variables that are not resolved: it was not converted; declare the port in spec.ts (and docker.publish in docker.ts)`, unreviewed: true }
        : { text: `port '${redact(raw)}' used variable interpolation; the defaults (${redact(resolved)}) are used`, unreviewed: true });
      return resolved ?? raw;
    }
    if (!isRecord(raw)) return raw;
    const entry: Record<string, unknown> = { ...raw };
    const where = `port (long syntax, target ${redact(scalarText(raw.target))})`;
    if (typeof raw.target === 'string') {
      const t = portDefaults(raw.target.trim());
      if (t !== undefined && /^[0-9]{1,5}$/.test(t)) entry.target = Number(t);
      else notes.push({ text: `${where}: target '${redact(raw.target)}' is not a port number (variables are not resolved): the port was not converted; declare it in spec.ts`, unreviewed: true });
    }
    if (typeof raw.published === 'string') {
      const v = raw.published.trim();
      const p = portDefaults(v);
      const range = p === undefined ? null : /^([0-9]{1,5})-([0-9]{1,5})$/.exec(p);
      if (p !== undefined && /^[0-9]{1,5}$/.test(p)) {
        entry.published = Number(p);
        if (p !== v) notes.push({ text: `${where}: published '${redact(v)}' used variable interpolation; its default ${p} is used`, unreviewed: true });
      } else if (range) {
        entry.published = Number(range[1]);
        notes.push({ text: `${where}: published range '${redact(v)}' (Compose picks a free host port in it): the first port, ${range[1]}, is published`, unreviewed: false });
      } else if (v === '') {
        delete entry.published;
      } else {
        delete entry.published;
        notes.push({ text: `${where}: published '${redact(v)}' is not a host port or range (variables are not resolved): it is not published; set docker.publish in docker.ts`, unreviewed: true });
      }
    }
    return entry;
  });
  return { ports: out, notes };
}

const peer = (name: string) => new Call('Peer.workload', [name]);

/** Plan the conversion. Throws ComposeInputError for collisions of names. */
export function planConversion(model: ComposeModel, options: { project: string; source: string }): ConversionPlan {
  const { names, collisions } = serviceNames([...model.services.keys()]);
  if (collisions.length) {
    throw new ComposeInputError(`service names collide after conversion to Kubernetes names: ${collisions.map((c) => `${c.services.map((s) => JSON.stringify(s)).join(', ')} all become '${c.name}'`).join('; ')}. Rename them in the Compose file so each stays distinct.`);
  }
  const ns = serviceNames([options.project]).names.get(options.project)!;
  // Canonical ports first: the container model, the refusals and the plan read the same values.
  const portNotes = new Map<string, PortNote[]>();
  const services = new Map<string, ComposeService>();
  for (const [n, svc] of model.services) {
    const c = canonicalPorts(svc.ports);
    portNotes.set(n, c.notes);
    services.set(n, c.ports === svc.ports ? svc : { ...svc, ports: c.ports as ComposeService['ports'] });
  }
  const models = new Map(composeContainers({ services: Object.fromEntries(services) }, options.source).map((m) => [m.name, m]));
  const refused: Refusal[] = [];
  const ok: string[] = [];
  for (const [n] of model.services) {
    const why = refusal(models.get(n)!);
    if (why) refused.push({ composeName: n, item: why });
    else ok.push(n);
  }
  const rawEdges = inferEdges(services, names);
  const workloads = new Map<string, Draft>();
  for (const n of ok) {
    const d = planWorkload(n, services.get(n)!, models.get(n)!, names.get(n)!, ns, portNotes.get(n)!);
    const chain = model.extended?.get(n);
    if (chain) d.changes.unshift({ text: `extends ${chain.join(', which extends ')}: merged as \`docker compose config\` does (depends_on and volumes_from are not inherited)` });
    const from = model.included?.get(n);
    if (from) d.changes.unshift({ text: `defined in ${from} (include): copied in as \`docker compose config\` does, its relative paths rewritten against this file's folder` });
    workloads.set(n, d);
  }

  const edges = rawEdges.map((e) => resolveEdge(e, workloads, names, refused));
  finishWorkloads(workloads, edges, ns);
  return {
    project: options.project,
    namespace: ns,
    source: options.source,
    workloads: [...workloads.values()].map((d) => d.done()),
    edges,
    refused,
    names,
    unknownFields: model.unknownFields,
  };
}

/** Decide the ports of one edge, or why it cannot be wired. */
function resolveEdge(e: RawEdge, workloads: Map<string, Draft>, names: ReadonlyMap<string, string>, refused: Refusal[]): PlannedEdge {
  const base = { from: e.from, to: e.to, fromName: names.get(e.from)!, toName: names.get(e.to)!, evidence: e.evidence.map((x) => `${x.what}${x.port ? ` → port ${x.port}` : ''}`) };
  const server = workloads.get(e.to);
  const client = workloads.get(e.from);
  if (refused.some((r) => r.composeName === e.from)) return { ...base, ports: [], unresolved: `${e.from} was not converted` };
  if (!server) return { ...base, ports: [], unresolved: `${e.to} was not converted (refused): the connection cannot be allowed` };
  if (client?.kind === 'database') return { ...base, ports: [], unresolved: `${e.from} is a database: StatefulDatabase opens no connections to other workloads; allow it with db.allowTo() if it really does` };
  if (server.kind === 'database') {
    const p = server.ports[0];
    const wrong = e.evidence.filter((x) => x.port !== undefined && x.port !== p.composePort && x.port !== p.port);
    if (wrong.length) return { ...base, ports: [], unresolved: `${e.from} names port ${wrong.map((x) => x.port).join(', ')} of ${e.to}, but the database listens on ${p.port}` };
    return { ...base, ports: [{ port: p.port, protocol: 'TCP' }] };
  }
  const named = [...new Set(e.evidence.map((x) => x.port).filter((p): p is number => p !== undefined))];
  let ports: PlannedPort[];
  if (named.length) {
    ports = server.ports.filter((p) => named.includes(p.composePort) || named.includes(p.port));
    // On a Compose network every port of a container is reachable: a port a client names is one
    // the server listens on, so it is declared.
    const missing = named.filter((n) => !server.ports.some((p) => p.composePort === n || p.port === n));
    for (const n of missing) {
      const added = server.declarePort(n, `${e.from} connects to it (${e.evidence.filter((x) => x.port === n).map((x) => x.what).join('; ')})`);
      if (added) ports.push(added);
    }
  } else {
    ports = server.ports;
  }
  if (!ports.length) return { ...base, ports: [], unresolved: `${e.to} declares no port (no ports, expose or known image) and the evidence names none: declare the port it listens on, then connect` };
  return { ...base, portNames: ports.map((p) => p.name), ports: ports.map((p) => ({ port: p.port, protocol: p.protocol })) };
}

/** A workload being planned (mutable until done()). */
class Draft {
  public readonly changes: Item[] = [];
  public readonly todos: Item[] = [];
  public readonly unreviewed: string[] = [];
  public readonly spec: Record<string, unknown> = {};
  public ports: PlannedPort[] = [];
  public published: PlannedWorkload['published'] = [];
  public healthcheck?: string[];
  public secretNames: string[] = [];
  public replicas = 1;
  public engine?: Engine;
  public knowledge?: ImageKnowledge;
  public readonly relaxations: Record<string, unknown> = {};
  constructor(public readonly composeName: string, public readonly name: string, public kind: 'service' | 'database', public readonly svc: ComposeService) {}

  /** Declare a TCP port a client connects to (services only). */
  declarePort(port: number, why: string): PlannedPort | undefined {
    if (this.kind !== 'service' || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
    const p: PlannedPort = { name: `port-${port}`, port, composePort: port, protocol: 'TCP' };
    this.ports.push(p);
    this.spec.ports = [...((this.spec.ports as unknown[] | undefined) ?? []), { name: p.name, port }];
    this.changes.push({ text: `declares port ${port}: ${why}` });
    if (port < 1024) {
      this.relaxations.privilegedPorts = `TODO: the image listens on ${port}; configure a port of 1024 or more`;
      this.todo(`listens on ${port} (below 1024): configure the image to listen on a high port`, 'unprivileged-container-ports', false);
    }
    if (!this.spec.probes || (this.relaxations.noProbes && !this.healthcheck)) {
      delete this.relaxations.noProbes;
      this.spec.probes = { readiness: { tcp: { port: p.name } } };
      this.relaxations.noLivenessProbe = 'TODO: no healthcheck in Compose; add a liveness endpoint distinct from readiness';
    }
    return p;
  }

  todo(text: string, ruleId?: string, unreviewed = true): void {
    this.todos.push({ ruleId, text });
    if (unreviewed) this.unreviewed.push(ruleId ? `${ruleId}: ${text}` : text);
  }

  done(): PlannedWorkload {
    return {
      composeName: this.composeName,
      name: this.name,
      kind: this.kind,
      engine: this.engine,
      knowledge: this.knowledge,
      spec: { ...this.spec, relaxations: Object.keys(this.relaxations).length ? this.relaxations : undefined },
      ports: this.ports,
      published: this.published,
      healthcheck: this.healthcheck,
      secretNames: this.secretNames,
      logging: this.svc.logging,
      replicas: this.replicas,
      changes: this.changes,
      todos: this.todos,
      unreviewed: this.unreviewed,
    };
  }
}

function planWorkload(n: string, svc: ComposeService, m: DockerContainer, name: string, ns: string, portNotes: readonly PortNote[]): Draft {
  const knowledge = knowledgeOf(svc.image);
  const engine = knowledge?.engine;
  const d = new Draft(n, name, engine ? 'database' : 'service', svc);
  d.knowledge = knowledge;
  d.engine = engine;
  if (name !== n) d.changes.push({ text: `renamed to '${name}' (Kubernetes names are DNS-1035 labels)` });
  if (knowledge) d.changes.push({ text: `image knowledge (${knowledge.repository}): ${knowledge.note}` });
  planResources(d, svc);
  const image = planImage(d, svc, ns);
  planPorts(d, svc, m);
  for (const note of portNotes) d.todo(note.text, undefined, note.unreviewed);
  if (engine) planDatabase(d, svc, m, image, ns);
  else planService(d, svc, m, image, ns);
  planOtherKeys(d, svc);
  return d;
}

/** Sharing another container's namespace (`service:x`, `container:x`) → why it is a TODO. */
function sharedNamespace(key: 'network_mode' | 'pid' | 'ipc', v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(service|container):(.+)$/.exec(v.trim());
  const what = { network_mode: 'network namespace (they talk over localhost, one set of ports)', pid: 'process namespace', ipc: 'IPC namespace' }[key];
  const pod = { network_mode: '', pid: ' with shareProcessNamespace', ipc: '' }[key];
  if (m) return `${key}: ${redact(v)} shares the ${what} of ${m[1]} ${redact(m[2])}: on Kubernetes only containers of one pod share it; make one a sidecar of the other${pod} (sidecars in spec.ts), or let them connect through the Service name`;
  if (key === 'network_mode' && v.trim() === 'none') return 'network_mode: none cut the service off every network: it is on the cluster network now, and its NetworkPolicy admits only what spec.ts lists (and DNS); remove its ingress/egress to keep it isolated';
  return undefined;
}

/**
 * Every other key of the Compose service: converted here (labels, stop_grace_period, shm_size,
 * scale, security_opt), or a TODO saying why it is not and what to do (keys.ts). Nothing that
 * changes behaviour is dropped silently.
 */
function planOtherKeys(d: Draft, svc: ComposeService): void {
  for (const key of Object.keys(svc).sort()) {
    const h = Object.prototype.hasOwnProperty.call(COMPOSE_SERVICE_KEYS, key) ? COMPOSE_SERVICE_KEYS[key] : undefined;
    if (h && 'notConverted' in h && svc[key] !== undefined && svc[key] !== null && svc[key] !== false) d.todo(`${key} was not converted: ${h.notConverted}`, h.ruleId, h.review);
  }
  for (const key of ['network_mode', 'pid', 'ipc'] as const) {
    const why = sharedNamespace(key, svc[key]);
    if (why) d.todo(why);
  }
  const opts = Array.isArray(svc.security_opt) ? svc.security_opt.map((o) => scalarText(o)) : [];
  const dropped = opts.filter((o) => !/^no-new-privileges(?:[:=]true)?$/i.test(o.trim()));
  if (dropped.length) d.todo(`security_opt ${dropped.map(redact).join(', ')} was not converted: every container runs with no-new-privileges, seccomp RuntimeDefault and the runtime's default AppArmor/SELinux profile; an unconfined or custom profile needs a relaxation and a review`, 'seccomp-runtime-default');
  if (isRecord(svc.deploy)) {
    const other = Object.keys(svc.deploy).filter((k) => !DEPLOY_CONVERTED.has(k)).sort();
    if (other.length) d.todo(`deploy.${other.join(', deploy.')} ${other.length > 1 ? 'were' : 'was'} not converted: placement becomes node affinity/topology spread (the spec's defaults spread replicas), update and rollback settings the Deployment's strategy; labels become annotations only from the service's own labels`, undefined, false);
  }
  // stop_grace_period → terminationGracePeriodSeconds (both backends: Docker's stopTimeout).
  if (svc.stop_grace_period !== undefined && svc.stop_grace_period !== null) {
    const s = seconds(svc.stop_grace_period, NaN);
    const [lo, hi] = d.kind === 'database' ? [10, 3600] : [1, 3600];
    if (Number.isInteger(s) && s >= lo && s <= hi) {
      d.spec.terminationGracePeriodSeconds = s;
      d.changes.push({ text: `stop_grace_period ${redact(scalarText(svc.stop_grace_period))} → terminationGracePeriodSeconds ${s}` });
    } else {
      d.todo(`stop_grace_period ${redact(scalarText(svc.stop_grace_period))} was not converted: terminationGracePeriodSeconds must be ${lo}–${hi} seconds; set it in spec.ts`);
    }
  }
  // shm_size → a memory-backed /dev/shm (Kubernetes: an emptyDir with medium Memory).
  if (svc.shm_size !== undefined && svc.shm_size !== null) {
    const q = memQuantity(svc.shm_size);
    const res = d.spec.resources as string | { limits: { memory: string } };
    const limit = typeof res === 'string' ? SIZE_PRESETS[res as SizePreset]?.limits.memory : res?.limits?.memory;
    if (q && limit && (parseQuantity(q) ?? 0) >= (parseQuantity(limit) ?? 0)) {
      d.todo(`shm_size ${redact(scalarText(svc.shm_size))} was not converted: /dev/shm in memory counts against the memory limit ${limit}, which it would use up; raise resources.limits.memory, then add ${d.kind === 'service' ? `writablePaths { path: '/dev/shm', sizeLimit: '${q}', inMemory: true }` : `sharedMemory: '${q}'`} in spec.ts`, 'memory-limits');
    } else if (q && d.kind === 'service') {
      const writable = (d.spec.writablePaths as { path: string }[] | undefined) ?? [];
      d.spec.writablePaths = [...writable.filter((w) => w.path !== '/dev/shm'), { path: '/dev/shm', sizeLimit: q, inMemory: true }];
      d.changes.push({ text: `shm_size ${redact(scalarText(svc.shm_size))} → /dev/shm is a memory-backed emptyDir of ${q} (it counts against the memory limit)` });
    } else if (q) {
      d.spec.sharedMemory = q;
      d.changes.push({ text: `shm_size ${redact(scalarText(svc.shm_size))} → sharedMemory ${q} (/dev/shm in memory)` });
    } else {
      d.todo(`shm_size ${redact(scalarText(svc.shm_size))} was not converted: give a size such as 256m; on Kubernetes it is a memory-backed emptyDir at /dev/shm`);
    }
  }
  // labels → annotations, each checked as the library checks annotations.
  const labels = envEntries(svc.labels);
  if (labels.length) {
    const kept: Record<string, string> = {};
    const invalid: string[] = [];
    for (const [k, v] of labels) {
      try {
        resolveMetadata({ annotations: { [k]: v ?? '' } }, new Refuser(d.name));
        kept[k] = v ?? '';
      } catch (e) {
        if (!(e instanceof HardeningError)) throw e;
        invalid.push(`${JSON.stringify(redact(k)).slice(0, 80)} (${e.ruleId})`);
      }
    }
    if (Object.keys(kept).length) {
      d.spec.annotations = { ...((d.spec.annotations as object | undefined) ?? {}), ...kept };
      d.changes.push({ text: `labels ${Object.keys(kept).join(', ')} became annotations of every object and the pod (and Docker labels in docker.ts); tools that configure themselves from Docker labels (e.g. Traefik) read Kubernetes resources instead` });
    }
    if (invalid.length) d.todo(`labels ${invalid.join(', ')} were not converted: not valid annotations (a key Kubernetes rejects, a reserved prefix, or a credential-looking value); set them in spec.ts if they are needed`);
  }
}

function planResources(d: Draft, svc: ComposeService): void {
  const lim = isRecord(svc.deploy?.resources?.limits) ? svc.deploy!.resources!.limits! : {};
  const res = isRecord(svc.deploy?.resources?.reservations) ? svc.deploy!.resources!.reservations! : {};
  const cpuL = cpuQuantity(lim.cpus ?? svc.cpus);
  const memL = memQuantity(lim.memory ?? svc.mem_limit);
  if (cpuL && memL) {
    d.spec.resources = {
      requests: {
        cpu: cpuQuantity(res.cpus) ?? cpuL,
        memory: memQuantity(res.memory ?? svc.mem_reservation) ?? memL,
        ephemeralStorage: PRESET_EPHEMERAL.request,
      },
      limits: { cpu: cpuL, memory: memL, ephemeralStorage: PRESET_EPHEMERAL.limit },
    };
    d.changes.push({ ruleId: 'ephemeral-storage-limits', text: `resources from deploy.resources (CPU ${cpuL}, memory ${memL}); ephemeral-storage ${PRESET_EPHEMERAL.request}/${PRESET_EPHEMERAL.limit} added` });
  } else {
    d.spec.resources = d.engine ? 'medium' : 'small';
    d.todo(`no CPU and memory limits in the Compose file: the '${d.spec.resources}' size preset is a placeholder; measure and set requests/limits`, 'cpu-limits');
  }
}

/** The image to run ('' for a database preset's own pinned image). */
function planImage(d: Draft, svc: ComposeService, ns: string): string {
  const raw = typeof svc.image === 'string' ? svc.image.trim() : undefined;
  const ref = raw ? parseImageReference(raw) : undefined;
  const placeholder = `registry.example.com/${ns}/${d.name}:0.1.0`;
  if (!raw && svc.build !== undefined) {
    const ctx = typeof svc.build === 'string' ? svc.build : svc.build?.context ?? '.';
    d.todo(`built from source (${redact(ctx)}) in Compose: build and push the image, then replace the placeholder ${placeholder}`, 'image-tag-pinned');
    return placeholder;
  }
  if (!ref) {
    d.todo(`'${redact(raw ?? '')}' is not a pinned image reference (variables are not resolved): replace the placeholder ${placeholder}`, 'image-tag-pinned');
    return placeholder;
  }
  if (d.engine && d.engine !== 'mongo' && (!ref.tag || /latest|alpine/i.test(ref.tag)) && !ref.digest) {
    d.changes.push({ ruleId: 'image-tag-pinned', text: `the ${d.engine} image comes from the library's pinned preset ${ENGINES[d.engine].image}${ref.tag ? ` (Compose used '${raw}')` : ''}` });
    return '';
  }
  let image = raw!;
  const nonRoot = d.knowledge?.nonRoot;
  if (nonRoot) {
    image = `docker.io/${nonRoot.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? '' : ''}`;
    if (ref.digest) d.todo(`the Compose image was pinned by digest; ${nonRoot.repository} has its own digests: pin one`, 'image-tag-pinned');
    d.changes.push({ ruleId: 'run-as-non-root', text: `image ${raw} → ${image}: built to run as non-root on port ${nonRoot.port}` });
  }
  if ((!ref.tag || ref.tag.toLowerCase() === 'latest') && !ref.digest) {
    d.relaxations.unpinnedImage = `TODO: pin ${image} to a version tag or a digest`;
    d.todo(`'${raw}' is not pinned; it is kept through a relaxation until you pin a version or digest`, 'image-tag-pinned', false);
  }
  return image;
}

function planPorts(d: Draft, svc: ComposeService, m: DockerContainer): void {
  const out: PlannedPort[] = [];
  const remap = (p: number): number => {
    const nr = d.knowledge?.nonRoot;
    if (nr && p === d.knowledge!.port) return nr.port;
    if (nr?.extraPorts && Object.prototype.hasOwnProperty.call(nr.extraPorts, p)) return nr.extraPorts[p];
    return p;
  };
  for (const p of m.ports ?? []) {
    const protocol = protocolOf(p);
    if (protocol !== 'TCP' && protocol !== 'UDP') {
      d.todo(`port ${p.internal}/${redact(scalarText(p.protocol))}: only TCP and UDP ports are converted`);
      continue;
    }
    if (!Number.isInteger(p.internal) || p.internal < 1 || p.internal > 65535) continue;
    if (!out.some((x) => x.composePort === p.internal && x.protocol === protocol)) {
      out.push({ name: `${protocol === 'UDP' ? 'udp' : 'port'}-${p.internal}`, port: remap(p.internal), composePort: p.internal, protocol: protocol as 'TCP' | 'UDP' });
    }
  }
  for (const raw of Array.isArray(svc.ports) ? svc.ports : []) {
    if (typeof raw === 'string' && /\d-\d/.test(raw.split('/')[0])) d.todo(`port range '${redact(raw)}': only its first port was converted; declare the others in spec.ts`, undefined, false);
  }
  if (!out.length && d.knowledge && !d.engine) {
    const port = d.knowledge.nonRoot?.port ?? d.knowledge.port;
    out.push({ name: `port-${d.knowledge.port}`, port, composePort: d.knowledge.port, protocol: 'TCP' });
    d.changes.push({ text: `declares port ${port} (${d.knowledge.repository} listens there; the Compose file declared none)` });
  }
  for (const p of out) if (p.port !== p.composePort) d.changes.push({ ruleId: 'unprivileged-container-ports', text: `listens on ${p.port} instead of ${p.composePort}; the Kubernetes Service keeps port ${p.composePort}` });
  d.ports = out.sort((a, b) => a.composePort - b.composePort || a.protocol.localeCompare(b.protocol));
  // One entry per host port and container port: published on loopback and on every interface
  // (e.g. an extended service's port plus the child's loopback one) is published on every interface.
  const published = new Map<string, Draft['published'][number]>();
  for (const p of m.ports ?? []) {
    if (p.external === undefined) continue;
    const declared = d.ports.find((x) => x.composePort === p.internal && x.protocol === protocolOf(p));
    if (!declared) continue;
    const key = `${p.external}|${p.internal}|${declared.protocol}`;
    const before = published.get(key);
    const loopback = isLoopbackAddress(p.ip) && (!before || before.loopback === true) ? true : undefined;
    published.set(key, { name: declared.name, composePort: p.internal, hostPort: p.external, loopback });
  }
  d.published = [...published.values()];
}

/** Words of a Compose command/entrypoint (string or list), or sh -c for one that needs a shell. */
function commandWords(d: Draft, what: 'entrypoint' | 'command', v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v !== 'string' || !v.trim()) return undefined;
  const w = shellWords(v);
  if (w) return w;
  d.todo(`the Compose ${what} string needs a shell and runs through sh -c; check the image has one`, undefined, false);
  return ['sh', '-c', v];
}

/**
 * Credentials on a command line never reach the generated code: each becomes `$(VAR)` (Kubernetes
 * expands it from the environment) with VAR a reference to a Secret key.
 */
function scrubCredentials(
  d: Draft, words: string[] | undefined, what: string, env: Record<string, unknown>, secretName: string, keys: string[],
): string[] | undefined {
  if (!words) return words;
  const hits = credentialArgs(words);
  if (!hits.length) return words;
  const out = [...words];
  hits.forEach((h, i) => {
    const key = `${what}-credential-${i + 1}`;
    const envName = `${what.toUpperCase()}_CREDENTIAL_${i + 1}`;
    env[envName] = { secret: { name: secretName, key } };
    keys.push(key);
    // A value glued to a shell script cannot be replaced word-wise: the whole script goes.
    out[h.index] = `${h.prefix}$(${envName})`;
  });
  d.changes.push({ ruleId: 'no-literal-secrets-in-env', text: `${hits.length} credential(s) on the ${what} line now come from the Secret '${secretName}' as $(VAR) references; their values were not copied` });
  if (out[0] === 'sh' && out[1] === '-c') {
    d.todo(`the ${what} shell line held a credential: it was replaced by a reference the shell does not expand the same way; rewrite the line to read the Secret`);
  }
  return out;
}

function planService(d: Draft, svc: ComposeService, m: DockerContainer, image: string, ns: string): void {
  const spec = d.spec;
  spec.name = d.name;
  spec.image = image;
  // User, root filesystem, capabilities.
  const uid = /^([0-9]{1,10})(?::([0-9]{1,10}))?$/.exec(scalarText(svc.user));
  if (uid && Number(uid[1]) >= 10000) {
    spec.user = Number(uid[1]);
    if (uid[2] && Number(uid[2]) >= 10000) spec.group = Number(uid[2]);
  } else {
    d.changes.push({ ruleId: 'run-as-non-root', text: `runs as UID/GID 10001${svc.user !== undefined ? ` instead of '${redact(scalarText(svc.user))}'` : ' (Compose ran the image\'s default user, often root)'}` });
  }
  if (svc.read_only !== true) d.changes.push({ ruleId: 'read-only-root-fs', text: 'the root filesystem is read-only; only the writable paths listed above can be written' });
  const caps = (m.capAdd ?? []).map((c) => c.toUpperCase().replace(/^CAP_/, '')).filter((c) => c !== 'NET_BIND_SERVICE');
  if (caps.length) d.todo(`cap_add ${caps.join(', ')} was dropped: Pod Security "restricted" forbids it. If the service really needs it, add relaxations.addCapabilities and run it in a namespace at the "baseline" level`, 'restrict-added-capabilities');
  d.changes.push({ ruleId: 'drop-all-capabilities', text: 'drops ALL capabilities, no privilege escalation, seccomp RuntimeDefault' });

  // Writable paths: tmpfs mounts, then what the image is known to write.
  const sizes = composeTmpfsSizes(svc);
  const writable: { path: string; sizeLimit: string }[] = [];
  const addWritable = (p: string, size: string) => {
    if (p !== '/tmp' && p.startsWith('/') && !writable.some((w) => w.path === p)) writable.push({ path: p, sizeLimit: size });
  };
  for (const x of m.mounts ?? []) if (x.type === 'tmpfs') addWritable(x.target, sizes.get(x.target) ?? '64Mi');

  // Ports.
  spec.ports = d.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol === 'UDP' ? 'UDP' : undefined, servicePort: p.port !== p.composePort ? p.composePort : undefined }));
  if (!d.ports.length) delete spec.ports;
  const low = d.ports.filter((p) => p.port < 1024);
  if (low.length) {
    d.relaxations.privilegedPorts = `TODO: the image listens on ${low.map((p) => p.port).join(', ')}; configure a port of 1024 or more`;
    d.todo(`listens on ${low.map((p) => p.port).join(', ')} (below 1024): a non-root process cannot bind it without NET_BIND_SERVICE; configure the image to listen on a high port and keep the Service port`, 'unprivileged-container-ports', false);
  }

  // Environment and secrets.
  const env: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  const secretName = `${d.name}-secrets`;
  for (const [k, v] of envEntries(svc.environment)) {
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(k)) {
      d.todo(`an environment variable with an invalid name was dropped (${JSON.stringify(redact(k)).slice(0, 80)})`);
      continue;
    }
    if (RESERVED_KEYS.has(k)) {
      d.todo(`the environment variable '${k}' was dropped: its name shadows a method of every JavaScript object, and the specs refuse it as a key; rename it in the application`);
      continue;
    }
    if (k === 'TZ') {
      spec.timezone = v && /^[A-Za-z0-9_+\-/]{1,64}$/.test(v) ? v : undefined;
      continue;
    }
    if (isSecretEnv(k, v)) {
      const key = kebabKey(k);
      secretKeys.push(key);
      env[k] = { secret: { name: secretName, key } };
      continue;
    }
    if (v === undefined) {
      d.todo(`${k} takes its value from the shell environment in Compose: set it in spec.ts`);
      env[k] = '';
      continue;
    }
    const r = resolveInterpolation(v);
    if ((r.interpolated && r.value !== undefined && secretShape(r.value)) || urlCandidates(v).some((u) => !!parseUrl(u)?.password)) {
      const key = kebabKey(k);
      secretKeys.push(key);
      env[k] = { secret: { name: secretName, key } };
      continue;
    }
    if (r.interpolated) d.todo(`${k} used variable interpolation; ${r.value !== undefined ? 'its default is used' : 'set its value'} in spec.ts`);
    env[k] = r.value ?? '';
  }
  if (svc.env_file !== undefined) d.todo('env_file is not converted: move plain settings into spec.ts and secrets into a Secret', 'no-literal-secrets-in-env');
  if (svc.configs !== undefined) d.todo('configs are not converted: put the files in a ConfigMap and mount it');

  // Command line (credentials become Secret references).
  let command = commandWords(d, 'entrypoint', svc.entrypoint);
  let args = commandWords(d, 'command', svc.command);
  if (args?.[0] === 'sh' && args[1] === '-c' && typeof svc.command === 'string' && command === undefined) {
    command = args;
    args = undefined;
  }
  command = scrubCredentials(d, command, 'entrypoint', env, secretName, secretKeys);
  args = scrubCredentials(d, args, 'command', env, secretName, secretKeys);
  if (secretKeys.length) {
    d.secretNames.push(secretName);
    d.changes.push({ ruleId: 'no-literal-secrets-in-env', text: `${secretKeys.length} secret value(s) now reference the Secret '${secretName}' (keys ${secretKeys.join(', ')}); their values were not copied` });
  }

  // Compose secrets: files where Compose mounts them (its target: a name under /run/secrets, or an
  // absolute path), each a key of one Secret named after the file.
  const secretDirs = new Map<string, { key: string; source: string }[]>();
  const KEY = /^[-._a-zA-Z0-9]{1,253}$/;
  for (const x of Array.isArray(svc.secrets) ? svc.secrets : []) {
    const source = isRecord(x) ? scalarText(x.source) : scalarText(x);
    const target = isRecord(x) && x.target !== undefined && x.target !== null ? scalarText(x.target) : source;
    const file = target.startsWith('/') ? posix.normalize(target) : posix.join('/run/secrets', target);
    const dir = posix.dirname(file);
    const key = posix.basename(file);
    if (!KEY.test(source) || !KEY.test(key)) continue;
    if (dir === '/' || dir === '/tmp') {
      d.todo(`secret '${source}' was mounted at ${redact(file)} in Compose: that folder cannot hold a read-only Secret mount here; mount it under /run/secrets (and point the program there)`);
      continue;
    }
    const files = secretDirs.get(dir) ?? [];
    if (!files.some((f) => f.key === key)) files.push({ key, source });
    secretDirs.set(dir, files);
  }
  // A read-only Secret volume cannot hold the mount point of another: a folder inside another is left to a TODO.
  for (const dir of [...secretDirs.keys()]) {
    const outer = [...secretDirs.keys()].find((o) => o !== dir && dir.startsWith(`${o}/`));
    if (!outer) continue;
    d.todo(`secret file(s) ${secretDirs.get(dir)!.map((f) => `${dir}/${f.key}`).join(', ')}: ${dir} is inside ${outer}, where other secrets are mounted read-only; mount them in a folder of their own and point the program there`);
    secretDirs.delete(dir);
  }
  for (const [dir, files] of secretDirs) {
    for (const f of files) {
      if (dir !== '/run/secrets' || f.key !== f.source) d.changes.push({ text: `secret '${f.source}' is mounted as ${dir}/${f.key}, as in Compose: the Secret '${d.name}-files' holds it under the key '${f.key}'` });
    }
  }
  if (secretDirs.size) {
    spec.secretFiles = [...secretDirs].map(([mountPath, files]) => ({ secretName: `${d.name}-files`, mountPath, keys: files.map((f) => f.key) }));
    d.secretNames.push(`${d.name}-files`);
  }

  // Volumes.
  const claims: Record<string, unknown>[] = [];
  for (const v of m.mounts ?? []) {
    if (v.type === 'bind') {
      const src = v.source ?? '';
      const suggestion = /secret|key|cert|pem|password|token/i.test(src) ? 'a Secret (mounted read-only)' : /\.[a-z0-9]{2,5}$/i.test(src) ? 'a ConfigMap (for a configuration file)' : 'a claim (for data) or an image layer (for code)';
      d.todo(`the host bind mount ${redact(src)} → ${redact(v.target)} was dropped: host paths tie the pod to one node and are not allowed under Pod Security "restricted"; use ${suggestion}`, 'no-host-path');
    } else if (v.type === 'volume') {
      const cname = `${serviceNames([v.source ?? `data-${claims.length}`]).names.values().next().value}`.slice(0, 20).replace(/-+$/, '');
      if (claims.some((c) => c.name === cname) || !v.target.startsWith('/')) continue;
      claims.push({ name: cname, mountPath: v.target, size: '1Gi', readOnly: v.readOnly || undefined });
      d.todo(`named volume ${redact(v.source ?? '(anonymous)')} became the claim '${d.name}-${cname}' of 1Gi: set its size and storageClassName`);
    }
  }
  for (const p of d.knowledge?.writablePaths ?? []) if (!claims.some((c) => c.mountPath === p)) addWritable(p, '64Mi');
  for (const p of d.knowledge?.dataPaths ?? []) {
    if (!claims.some((c) => c.mountPath === p)) d.todo(`${p} holds ${d.knowledge!.repository}'s data: it is a size-limited scratch directory now (lost when the pod goes); mount a claim there to keep it`);
  }
  if (writable.length) spec.writablePaths = writable;
  if (claims.length) spec.claims = claims;

  // Replicas.
  const composeReplicas = Number.isInteger(svc.deploy?.replicas) ? svc.deploy!.replicas! : Number.isInteger(svc.scale) ? svc.scale as number : 1;
  d.replicas = Math.max(2, composeReplicas);
  const scheduler = singletonScheduler([...(command ?? []), ...(args ?? [])]);
  if (claims.length) {
    d.replicas = 1;
    d.relaxations.singleReplica = 'TODO: the service writes to a ReadWriteOnce claim; move the state out (or use ReadWriteMany storage) to replicate';
    d.todo('runs one replica because it writes to a claim', 'min-replicas', false);
  } else if (scheduler && composeReplicas < 2) {
    // A scheduler runs once, as Compose ran it: more copies would run every job more than once.
    d.replicas = 1;
    d.relaxations.singleReplica = scheduler.reason;
    d.changes.push({ ruleId: 'min-replicas', text: `runs 1 replica: ${scheduler.reason}` });
    if (scheduler.instead) d.todo(`consider ${scheduler.instead} instead of a long-running ${scheduler.name} container`, undefined, false);
  } else if (scheduler) {
    d.todo(`Compose runs ${composeReplicas} copies of ${scheduler.name}, kept: ${scheduler.reason}; run one`, 'min-replicas');
  } else if (composeReplicas < 2) {
    d.changes.push({ ruleId: 'min-replicas', text: `runs ${d.replicas} replicas (Compose ran ${composeReplicas})` });
  }
  spec.replicas = d.replicas;
  if (svc.restart !== undefined || svc.deploy?.restart_policy !== undefined) d.changes.push({ ruleId: 'restart-policy', text: 'the restart policy is Kubernetes\' (failed containers restart with back-off)' });
  const logDriver = isRecord(svc.logging) ? svc.logging.driver : undefined;
  if (logDriver && !['json-file', 'local'].includes(logDriver)) d.todo(`Compose shipped logs with the ${redact(scalarText(logDriver))} driver: on Kubernetes the node's log agent collects stdout; if the app writes log files, add a LoggingSidecar`, 'centralized-logging', false);

  // Probes.
  planProbes(d, svc);
  spec.command = command;
  spec.args = args;
  spec.env = Object.keys(env).length ? env : undefined;
  spec.priorityClassName = `${ns}-default`;
  // Published ports: the ingress controller may connect (the Compose file exposed it to the world).
  // A port published on the host's loopback interface only was reachable from that host alone:
  // it stays inside the namespace, like an unpublished port.
  const exposed = d.published.filter((p) => !p.loopback);
  if (exposed.length) {
    spec.ingress = [{ from: new Call('Peer.ingressController', []) }];
    d.todo(`Compose published port(s) ${exposed.map((p) => `${p.hostPort}→${p.composePort}`).join(', ')}: the service admits the ingress controller; add an Ingress with TLS`, 'ingress-tls');
  }
  const local = d.published.filter((p) => p.loopback);
  if (local.length) {
    d.changes.push({ text: `port(s) ${local.map((p) => `${p.hostPort}→${p.composePort}`).join(', ')} were published on the host's loopback interface only: not exposed outside the namespace (reach them with kubectl port-forward)` });
  }
}

function planProbes(d: Draft, svc: ComposeService): void {
  let hc = healthcheckCommand(svc.healthcheck);
  if (hc && credentialArgs(hc).length) {
    d.todo('the Compose healthcheck carries a credential and was not copied: write a health check that reads the Secret (e.g. from a file)');
    hc = undefined;
  }
  const interval = seconds(svc.healthcheck?.interval, 10);
  const timeout = seconds(svc.healthcheck?.timeout, 3);
  const retries = Number.isInteger(svc.healthcheck?.retries) && svc.healthcheck!.retries! > 0 ? svc.healthcheck!.retries! : 3;
  const startPeriod = seconds(svc.healthcheck?.start_period, 0);
  const timing = { periodSeconds: interval, timeoutSeconds: timeout };
  const startupThreshold = Math.ceil(startPeriod / interval) + retries;
  const startup = hc && startPeriod > 0 ? { exec: { command: hc }, ...timing, failureThreshold: startupThreshold } : undefined;
  d.healthcheck = hc;
  const tcp = d.ports.filter((p) => p.protocol === 'TCP');
  if (tcp.length) {
    if (hc) {
      const liveness = { exec: { command: hc }, ...timing, failureThreshold: retries };
      d.spec.probes = { readiness: { tcp: { port: tcp[0].name } }, liveness, startup };
      if (startup) d.changes.push({ ruleId: 'liveness-probe', text: `start_period ${startPeriod}s: a startup probe (the healthcheck, up to ${startup.failureThreshold} × ${interval}s) holds liveness back while the service starts` });
      d.changes.push({ ruleId: 'readiness-probe', text: `readiness: TCP on ${tcp[0].port}; liveness: the Compose healthcheck` });
    } else {
      d.spec.probes = { readiness: { tcp: { port: tcp[0].name } } };
      d.relaxations.noLivenessProbe = 'TODO: no healthcheck in Compose; add a liveness endpoint distinct from readiness';
      d.todo(`no healthcheck in Compose: readiness is a TCP check on ${tcp[0].port}; add an HTTP readiness endpoint and a distinct liveness check`, 'liveness-probe', false);
    }
  } else if (hc) {
    d.spec.probes = { readiness: { exec: { command: hc }, periodSeconds: interval, timeoutSeconds: timeout, failureThreshold: retries } };
    d.relaxations.noLivenessProbe = 'TODO: the Compose healthcheck serves as readiness; add a distinct liveness check';
    d.todo('the Compose healthcheck became the readiness probe; add a distinct liveness check', 'liveness-probe', false);
  } else {
    d.relaxations.noProbes = 'TODO: no TCP port and no healthcheck in Compose; add health checks';
    d.todo('no TCP port and no healthcheck: runs without probes through a relaxation; add health checks', 'readiness-probe', false);
  }
}

/** The arguments a database's Compose command passes to the server (the server binary stripped). */
function serverArgs(engine: Engine, words: string[] | undefined): { args?: string[]; why?: string } {
  if (!words?.length) return {};
  const binaries: Record<Engine, string[]> = { postgres: ['postgres'], mysql: ['mysqld'], mariadb: ['mariadbd', 'mysqld'], redis: ['redis-server'], mongo: ['mongod'] };
  let rest = words;
  if (binaries[engine].includes(rest[0])) rest = rest.slice(1);
  if (rest.some((w) => !w.startsWith('-') && !rest[rest.indexOf(w) - 1]?.startsWith('--'))) {
    return { why: `the Compose command (${words.length} word(s)) is not a list of server options` };
  }
  return { args: rest };
}

function planDatabase(d: Draft, svc: ComposeService, m: DockerContainer, image: string, ns: string): void {
  const engine = d.engine!;
  const envMap = new Map(envEntries(svc.environment));
  const ident = (x: string | undefined, fallback: string) => {
    const r = x !== undefined ? resolveInterpolation(x).value : undefined;
    return r && /^[a-z_][a-z0-9_]{0,62}$/.test(r) ? r : fallback;
  };
  const user = ident(envMap.get('POSTGRES_USER') ?? envMap.get('MYSQL_USER') ?? envMap.get('MARIADB_USER') ?? envMap.get('MONGO_INITDB_ROOT_USERNAME'), engine === 'postgres' ? 'postgres' : 'app');
  const dbName = ident(envMap.get('POSTGRES_DB') ?? envMap.get('MYSQL_DATABASE') ?? envMap.get('MARIADB_DATABASE'), user);
  const credName = `${d.name}-credentials`;
  d.secretNames.push(credName);
  d.changes.push({ ruleId: 'no-literal-secrets-in-env', text: `credentials come from the Secret '${credName}'; the Compose file's password values were not copied` });
  if (engine === 'redis' && !envEntries(svc.environment).some(([k]) => /PASS/i.test(k)) && !(typeof svc.command === 'string' ? svc.command : (svc.command ?? []).join(' ')).includes('requirepass')) {
    d.changes.push({ text: `Redis now requires a password (key 'password' of '${credName}'); the Compose Redis had none: every client must send it (e.g. REDIS_PASSWORD from the same Secret, or redis://:<password>@${d.name}:6379)` });
    d.unreviewed.push(`clients of ${d.name} must now send the Redis password`);
  }
  const others = envEntries(svc.environment).filter(([k]) => !/^(POSTGRES|MYSQL|MARIADB|MONGO_INITDB)_(USER|DB|DATABASE|PASSWORD|ROOT_PASSWORD|ROOT_USERNAME|ROOT_PASSWORD_FILE|PASSWORD_FILE|RANDOM_ROOT_PASSWORD|ALLOW_EMPTY_PASSWORD)$/.test(k));
  if (others.length) d.todo(`environment ${others.map(([k]) => k).join(', ')} is not passed to the database preset: set it through the engine's configuration`);
  if (Array.isArray(svc.secrets) && svc.secrets.length) d.todo(`Compose secrets (${svc.secrets.map((s) => (isRecord(s) ? scalarText(s.source) : scalarText(s))).join(', ')}) are not mounted into the database: it reads its credentials from '${credName}' only`);
  for (const v of m.mounts ?? []) {
    if (v.type === 'bind') d.todo(`the host bind mount ${redact(v.source ?? '')} → ${redact(v.target)} was dropped (e.g. init scripts or configuration): put the files in a ConfigMap and mount it`, 'no-host-path');
  }
  // The Compose command: options for the server are kept, with credentials scrubbed.
  const words = commandWords(d, 'command', svc.command);
  const sa = serverArgs(engine, words);
  let extraArgs: string[] | undefined;
  if (sa.why) {d.todo(`${sa.why}: it was not kept; the preset runs its own server command. Put the options in the engine's configuration`);} else if (sa.args?.length) {
    const creds = credentialArgs(sa.args);
    if (creds.length) d.todo('the Compose command passes a credential on the command line: it was not copied; the preset reads the password from the credentials Secret');
    extraArgs = sa.args.filter((_, i) => !creds.some((c) => c.index === i) && !(creds.some((c) => c.index === i + 1 && c.prefix === '')));
  }
  if (svc.entrypoint !== undefined) d.todo('the Compose entrypoint of the database is not kept: the preset runs the image\'s entrypoint with its own arguments');
  const preset = engine === 'mongo' ? undefined : ENGINES[engine];
  const spec = d.spec;
  spec.name = d.name;
  if (engine === 'mongo') {
    spec.engine = {
      name: 'mongodb',
      image: image || 'docker.io/library/mongo:7.0.14',
      port: { name: 'mongo', port: 27017 },
      dataPath: '/data/db',
      args: extraArgs?.length ? extraArgs : undefined,
      env: { MONGO_INITDB_ROOT_USERNAME: user, MONGO_INITDB_ROOT_PASSWORD: { secret: { name: credName, key: 'password' } } },
      writablePaths: [{ path: '/data/configdb', sizeLimit: '64Mi' }],
      probes: {
        readiness: { exec: { command: ['mongosh', '--quiet', '--eval', 'db.adminCommand({ ping: 1 })'] } },
        liveness: { tcp: { port: 'mongo' } },
      },
    };
    d.ports = [{ name: 'mongo', port: 27017, composePort: 27017, protocol: 'TCP' }];
  } else {
    spec.engine = engine;
    if (image) spec.image = image;
    if (extraArgs?.length && engine === 'redis') {
      const already = ['--appendonly', 'yes'];
      const same = extraArgs.length === 2 && extraArgs.every((a, i) => a === already[i]);
      if (same) d.changes.push({ text: 'the Compose command (--appendonly yes) is what the redis preset runs already' });
      else d.todo(`the Compose command's options (${extraArgs.map(redact).join(' ')}) are not passed to Redis: the preset builds its own command line; set them in a redis.conf (ConfigMap) or extend the engine`);
    } else if (extraArgs?.length) {
      spec.serverArgs = extraArgs;
      d.changes.push({ text: `the Compose command's server options (${extraArgs.map(redact).join(' ')}) are passed to the server` });
    }
    d.ports = [{ name: preset!.port.name, port: preset!.port.port, composePort: preset!.port.port, protocol: 'TCP' }];
  }
  spec.resources = d.spec.resources;
  spec.storage = { size: '10Gi' };
  spec.credentials = { secretName: credName };
  if (engine !== 'redis' && engine !== 'mongo') {
    spec.username = user;
    spec.database = dbName;
  }
  spec.priorityClassName = `${ns}-default`;
  if (engine !== 'mongo') spec.backup = { schedule: '0 3 * * *', retain: 7, storage: { size: '20Gi' }, resources: 'small' };
  d.changes.push({ text: `a StatefulSet with a 10Gi claim per replica, kept when the StatefulSet is deleted or scaled down${engine !== 'mongo' ? `; nightly backups (${d.name}-backups claim, 7 kept)` : ''}` });
  d.todo('set storage.size and storageClassName; the 10Gi claim is a placeholder (copy the data from the Compose volume)');
  if (engine === 'mongo') d.todo('MongoDB is a custom engine here (no preset): review its probes, and plan backups (mongodump) yourself');
  d.published = [];
  d.healthcheck = healthcheckCommand(svc.healthcheck);
  if (m.ports?.some((p) => p.external !== undefined)) d.todo('Compose published the database port on the host: it is reachable only from its clients now (use kubectl port-forward for administration)', undefined, false);
  if (d.relaxations.unpinnedImage === undefined) delete d.relaxations.unpinnedImage;
}

/** After edges: ingress fallbacks, and TODOs for servers nobody reaches and edges left open. */
function finishWorkloads(workloads: Map<string, Draft>, edges: PlannedEdge[], ns: string): void {
  for (const e of edges) {
    if (!e.unresolved) continue;
    const w = workloads.get(e.from) ?? workloads.get(e.to);
    w?.todo(`connection ${e.fromName} → ${e.toName} not wired: ${e.unresolved} (evidence: ${e.evidence.join('; ')})`, 'network-policy-required');
  }
  for (const d of workloads.values()) {
    const inbound = edges.filter((e) => e.to === d.composeName && !e.unresolved);
    // Each client, once (several edges between the same pair merge their ports).
    const clients = new Map<string, string[]>();
    for (const e of inbound) clients.set(e.fromName, [...new Set([...(clients.get(e.fromName) ?? []), ...(e.portNames ?? [])])]);
    if (d.kind === 'database') {
      if (!inbound.length) {
        d.spec.clients = [new Call('Peer.namespace', [ns])];
        d.todo('no service connects to this database in the Compose file: it admits its whole namespace; narrow it to the real clients', 'network-policy-required');
      } else {
        // Both ends are declared: Kubernetes' connectTo is idempotent, and the Docker backend shares
        // a network only when the server admits the client.
        d.spec.clients = [...((d.spec.clients as unknown[] | undefined) ?? []), ...[...clients.keys()].map((c) => peer(c))];
      }
      continue;
    }
    if (!d.ports.length) {
      if (inbound.length) d.todo(`${inbound.map((e) => e.fromName).join(', ')} connect(s) to it, but it declares no port`);
      continue;
    }
    if (inbound.length) {
      // Every client is admitted in the spec (both backends read it; connectTo in main.ts adds nothing more).
      const admitted = [...clients].map(([c, ports]) => ({ from: peer(c), ports: ports.length ? ports : undefined }));
      d.spec.ingress = [...((d.spec.ingress as unknown[] | undefined) ?? []), ...admitted];
    } else if (!d.spec.ingress) {
      d.spec.ingress = [{ from: new Call('Peer.namespace', [ns]) }];
      d.todo('nothing in the Compose file connects to this service: it admits its whole namespace; narrow it to the real clients', 'network-policy-required');
    }
  }
}

/** Names of secrets looked up in env: for tests and the report. */
export { looksLikeSecretName };
