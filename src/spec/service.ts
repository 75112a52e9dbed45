import { isDns1123LabelName } from './api-rules';
import { canonicalPath, coversWholeInternet, ParsedCidr, parseCidr } from './canonical';
import { ContainerSpec, ResolvedContainer, resolveContainer } from './container';
import { DEFAULTS } from './defaults';
import { Refuser } from './errors';
import { LoadBalancerSpec, ResolvedLoadBalancer, resolveLoadBalancer } from './exposure';
import { checkSelectorLabels, MetadataSpec, resolveMetadata } from './metadata';
import { checkDns1123Label, checkReason, checkWorkloadName, recommendedLabels } from './names';
import { EgressRule, IngressRule, NetworkPeer } from './network';
import { refuseSecretsInProps } from './props-scan';
import { checkQuantity } from './quantity';
import { quote } from './redact';
import { Relaxations, ResolvedRelaxation, resolveRelaxations } from './relaxations';

/** A claim a service mounts (for data that must outlive the pod; databases: StatefulDatabase). */
export interface ClaimSpec {
  /** Claim name suffix (DNS-1123 label); the claim is `<service>-<name>`. */
  readonly name: string;
  readonly mountPath: string;
  /** e.g. '10Gi'. */
  readonly size: string;
  /** @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** @default 'ReadWriteOnce' */
  readonly accessMode?: 'ReadWriteOnce' | 'ReadWriteOncePod' | 'ReadWriteMany';
  /** @default false */
  readonly readOnly?: boolean;
}

/** Horizontal autoscaling on CPU utilisation. */
export interface AutoscalingSpec {
  /** At least 2. */
  readonly minReplicas: number;
  /** Greater than minReplicas. */
  readonly maxReplicas: number;
  /**
   * Target average CPU utilisation, percent of the request.
   * @default 70
   */
  readonly targetCpuUtilization?: number;
}

/**
 * Backend-neutral props of a long-running, replicated, stateless service.
 * The same props drive the Kubernetes (`HardenedService`) and Docker renderers.
 */
export interface HardenedServiceSpec extends ContainerSpec, MetadataSpec {
  /**
   * Name of the workload and of every object it emits (DNS-1123 label). Also the value of the
   * `app.kubernetes.io/instance` label the NetworkPolicy selects on.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of every object.
   * @default - the chart's namespace; one of the two is required
   */
  readonly namespace?: string;
  /**
   * `app.kubernetes.io/component`.
   * @default 'server'
   */
  readonly component?: string;
  /**
   * `app.kubernetes.io/part-of`.
   * @default - the name
   */
  readonly partOf?: string;
  /**
   * Fixed replica count (at least 2 unless `relaxations.singleReplica`). Ignored with `autoscaling`.
   * @default 3
   */
  readonly replicas?: number;
  /**
   * Scale on CPU with a HorizontalPodAutoscaler; `spec.replicas` is then omitted.
   * @default - fixed replicas
   */
  readonly autoscaling?: AutoscalingSpec;
  /**
   * Who may connect. Peers can also be added later (`allowFrom`, `connectTo`, exposure): a
   * service that declares ports but that nobody may reach is refused at synthesis.
   * @default - none besides those added by calls
   */
  readonly ingress?: IngressRule[];
  /**
   * Expose the service through its own cloud load balancer (`type: LoadBalancer`): an explicit,
   * reasoned choice with client source ranges. Prefer an Ingress or a Gateway route
   * (`exposeViaIngress`, `exposeViaHttpRoute`, `exposeViaGrpcRoute`).
   * @default - ClusterIP only
   */
  readonly loadBalancer?: LoadBalancerSpec;
  /**
   * Where this service may connect, besides cluster DNS (always allowed).
   * @default - DNS only
   */
  readonly egress?: EgressRule[];
  /**
   * UID the containers run as (≥ 10000).
   * @default 10001
   */
  readonly user?: number;
  /**
   * GID (≥ 10000); also the fsGroup.
   * @default 10001
   */
  readonly group?: number;
  /**
   * PriorityClass name (cluster-scoped; create it once per cluster).
   * @default - none (Polaris's priorityClassNotSet will warn)
   */
  readonly priorityClassName?: string;
  /**
   * Seconds between SIGTERM and SIGKILL.
   * @default 30
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * Sleep this long in a preStop hook so endpoints are removed before the process stops
   * (needs a `sleep` binary in the image).
   * @default - no preStop hook
   */
  readonly preStopDelaySeconds?: number;
  /**
   * Old ReplicaSets kept for rollbacks.
   * @default 5
   */
  readonly revisionHistoryLimit?: number;
  /**
   * Persistent volume claims created for the service and mounted into the main container. A
   * ReadWriteOnce claim can be mounted by one node only: use one replica or ReadWriteMany storage.
   * @default - none (stateless)
   */
  readonly claims?: ClaimSpec[];
  /** Sidecar containers (hardened like the main one; relaxations do not apply to them). */
  readonly sidecars?: ContainerSpec[];
  /**
   * Init containers, run to completion in order before the main container starts (migrations,
   * waiting for a schema, fetching config). Hardened like every container; they need no probes
   * and relaxations do not apply to them.
   * @default - none
   */
  readonly initContainers?: ContainerSpec[];
  /** Typed opt-outs, each with a reason written into the output. */
  readonly relaxations?: Relaxations;
}

/** Pod-level settings every workload shares (resolved). */
export interface PodSettings {
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly fsGroup: number;
  readonly runAsNonRoot: boolean;
  readonly priorityClassName?: string;
  readonly terminationGracePeriodSeconds: number;
  readonly preStopDelaySeconds?: number;
}

/** The resolved, validated form of {@link HardenedServiceSpec}. Renderers only read this. */
export interface ResolvedService {
  readonly name: string;
  readonly namespace: string;
  /** Recommended labels plus the organisation's `labels`, on every object and the pod template. */
  readonly labels: Record<string, string>;
  /** The organisation's `annotations`, on every object and the pod template. */
  readonly annotations: Record<string, string>;
  /** The one label the selector, the PDB and the NetworkPolicy use. */
  readonly selector: Record<string, string>;
  /** Undefined when autoscaled. */
  readonly replicas?: number;
  readonly autoscaling?: Required<AutoscalingSpec>;
  readonly containers: ResolvedContainer[];
  /** Run-to-completion init containers, in order. */
  readonly initContainers: ResolvedContainer[];
  readonly pod: PodSettings;
  readonly revisionHistoryLimit: number;
  readonly ingress: { from: NetworkPeer; ports: string[] }[];
  readonly egress: EgressRule[];
  /** Set when the Service is a LoadBalancer. */
  readonly loadBalancer?: ResolvedLoadBalancer;
  readonly claims: (Required<Pick<ClaimSpec, 'name' | 'mountPath' | 'size' | 'accessMode'>> & { claimName: string; storageClassName?: string; readOnly: boolean })[];
  readonly relaxations: ResolvedRelaxation[];
}

function positiveInt(v: unknown, min: number, max: number): v is number {
  return Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
}

/** Validate one peer. @internal */
export function checkPeer(peer: unknown, field: string, refuser: Refuser): NetworkPeer {
  const p = peer as NetworkPeer;
  if (!p || typeof p !== 'object') refuser.refuse('spec/network-peer', field, 'a peer is required.', 'use Peer.workload(), Peer.namespace(), Peer.ingressController(), Peer.monitoring() or Peer.cidr().');
  if (p.kind === 'workload') {
    checkDns1123Label(p.name, `${field}.name`, refuser);
    if (p.namespace !== undefined) checkDns1123Label(p.namespace, `${field}.namespace`, refuser);
  } else if (p.kind === 'namespace') {
    checkDns1123Label(p.namespace, `${field}.namespace`, refuser);
    checkSelectorLabels(p.podLabels, `${field}.podLabels`, refuser);
  } else if (p.kind === 'cidr') {
    const parsed = parseCidr(p.cidr);
    if (!parsed) {
      refuser.refuse('spec/network-peer', `${field}.cidr`, `${quote(p.cidr)} is not a CIDR (an IPv4 or IPv6 address, '/', and a prefix length that fits the family).`, "use e.g. '10.20.0.0/16' or 'fd00::/64'.");
    }
    if (coversWholeInternet([parsed])) {
      refuser.refuse('network-policy-required', `${field}.cidr`, `${quote(p.cidr)} is the whole internet (${parsed.canonical}): the policy would restrict nothing.`, 'name the addresses the service really talks to (a public entry point is a reasoned exposure: loadBalancer with internetFacing).');
    }
    if (p.except !== undefined) {
      if (!Array.isArray(p.except)) refuser.refuse('spec/network-peer', `${field}.except`, 'except must be a list of CIDRs.', "give e.g. ['10.20.5.0/24'].");
      p.except.forEach((e, i) => {
        const x = parseCidr(e);
        if (!x || x.family !== parsed.family || x.first < parsed.first || x.last > parsed.last) {
          refuser.refuse('spec/network-peer', `${field}.except[${i}]`, `${quote(e)} is not a CIDR inside ${parsed.canonical}.`, 'list only ranges inside the peer\'s CIDR.');
        }
      });
    }
  } else {
    refuser.refuse('spec/network-peer', field, `${quote(peer)} is not a peer.`, 'use Peer.workload(), Peer.namespace(), Peer.ingressController(), Peer.monitoring() or Peer.cidr().');
  }
  return p;
}

/**
 * Refuse a set of peers whose CIDRs together cover the whole IPv4 or IPv6 internet
 * (`0.0.0.0/1` + `128.0.0.0/1`): as open as `0.0.0.0/0`, only spelled differently. @internal
 */
export function checkPeerSet(peers: readonly (NetworkPeer | undefined)[], field: string, refuser: Refuser): void {
  const cidrs = peers.flatMap((p) => (p?.kind === 'cidr' ? [parseCidr(p.cidr)] : [])).filter((c): c is ParsedCidr => !!c);
  const family = coversWholeInternet(cidrs);
  if (family) {
    refuser.refuse('network-policy-required', field, `together, the CIDR peers cover the whole ${family === 'ipv4' ? 'IPv4' : 'IPv6'} internet (${cidrs.filter((c) => c.family === family).map((c) => c.canonical).join(' + ')}): the policy would restrict nothing.`, 'name the addresses the service really talks to.');
  }
}

/**
 * The resolve step of a service: fills every default and validates, or throws HardeningError.
 */
export function resolveService(
  spec: HardenedServiceSpec,
  ctx: {
    constructPath: string;
    defaultName: string;
    defaultNamespace?: string;
    /** The renderer checks "nobody may reach this service" itself, once every connection is known. */
    deferIngressCheck?: boolean;
  },
): ResolvedService {
  const refuser = new Refuser(ctx.constructPath);
  if (!spec || typeof spec !== 'object') refuser.refuse('spec/props', '', 'props are required.', 'give at least image, ports, resources, probes and ingress.');
  refuseSecretsInProps(spec, refuser);
  const name = checkWorkloadName(spec.name ?? ctx.defaultName, 'name', refuser);
  const rawNamespace = spec.namespace ?? ctx.defaultNamespace;
  if (rawNamespace === undefined) {
    refuser.refuse('no-default-namespace', 'namespace', 'no namespace: objects would land in whatever namespace kubectl points at, usually `default`, outside the namespace guardrails (Pod Security labels, quota, default-deny).', 'set namespace on the props or on the Chart (new Chart(app, id, { namespace })), ideally one made by HardenedNamespace.');
  }
  const namespace = checkDns1123Label(rawNamespace, 'namespace', refuser);
  if (namespace === 'default') {
    refuser.refuse('no-default-namespace', 'namespace', "the 'default' namespace has no Pod Security labels, quota or default-deny policy.", 'use a dedicated namespace, e.g. one created with HardenedNamespace.');
  }
  for (const k of ['ingress', 'egress', 'claims', 'sidecars'] as const) {
    if (spec[k] !== undefined && !Array.isArray(spec[k])) refuser.refuse('spec/props', k, `${k} must be a list.`, `give ${k}: [ … ].`);
  }
  const relaxations = resolveRelaxations(spec.relaxations, refuser);
  const user = spec.user ?? DEFAULTS.user;
  const group = spec.group ?? DEFAULTS.group;
  if (!positiveInt(user, 10000, 2147483647)) refuser.refuse('high-uid-gid', 'user', `UID ${quote(user)} is below 10000: it can collide with a host user that has privileges outside the container.`, 'use a UID ≥ 10000 (default 10001).');
  if (!positiveInt(group, 10000, 2147483647)) refuser.refuse('high-uid-gid', 'group', `GID ${quote(group)} is below 10000.`, 'use a GID ≥ 10000 (default 10001).');

  // `name` names the workload; the main container is always 'main' (sidecars carry their own names).
  const main = resolveContainer({ ...spec, name: 'main' }, { refuser, field: '', relaxations, user, group }, 'main');
  const containers = [main];
  (spec.sidecars ?? []).forEach((s, i) => {
    const c = resolveContainer(s, { refuser, field: `sidecars[${i}]`, relaxations: [], user, group }, `sidecar-${i}`);
    if (containers.some((x) => x.name === c.name)) refuser.refuse('spec/container', `sidecars[${i}].name`, `container name '${c.name}' is used twice.`, 'give every container a unique name.');
    for (const p of c.ports) {
      if (containers.some((x) => x.ports.some((q) => q.name === p.name || (q.port === p.port && q.protocol === p.protocol)))) {
        refuser.refuse('container-ports-valid', `sidecars[${i}].ports`, `port ${p.name}/${p.port} is already declared by another container of the pod.`, 'give every port of the pod a unique name and number.');
      }
    }
    containers.push(c);
  });
  if (spec.initContainers !== undefined && !Array.isArray(spec.initContainers)) refuser.refuse('spec/container', 'initContainers', 'initContainers must be an array of container specs.', "give e.g. [{ name: 'migrate', image, command, resources: 'small' }].");
  const initContainers: ResolvedContainer[] = [];
  (spec.initContainers ?? []).forEach((s, i) => {
    const f = `initContainers[${i}]`;
    const c = resolveContainer(s, { refuser, field: f, relaxations: [], user, group, probesOptional: true }, `init-${i}`);
    if ([...containers, ...initContainers].some((x) => x.name === c.name)) refuser.refuse('spec/container', `${f}.name`, `container name '${c.name}' is used twice.`, 'give every container of the pod a unique name.');
    if (c.ports.length) refuser.refuse('container-ports-valid', `${f}.ports`, 'an init container runs to completion before the pod serves: its ports would never be reachable.', 'remove ports from the init container.');
    if (c.probes.readiness || c.probes.liveness || c.probes.startup) refuser.refuse('spec/probe-handler', `${f}.probes`, 'Kubernetes rejects probes on init containers (they run to completion).', 'remove probes from the init container; make it exit non-zero on failure instead.');
    initContainers.push(c);
  });
  for (const c of [...containers, ...initContainers]) {
    for (const n of c.notSecrets) {
      relaxations.push({ name: 'notASecret', ruleIds: ['no-literal-secrets-in-env'], reason: `${c.name}/${n.name}: ${n.reason}`, subject: n.name });
    }
  }

  let replicas: number | undefined;
  let autoscaling: Required<AutoscalingSpec> | undefined;
  const single = relaxations.find((r) => r.name === 'singleReplica');
  if (spec.autoscaling !== undefined) {
    const a = spec.autoscaling;
    if (spec.replicas !== undefined) refuser.refuse('hpa-no-static-replicas', 'replicas', 'replicas and autoscaling conflict: a fixed replica count fights the HorizontalPodAutoscaler on every apply.', 'remove replicas; the HPA owns the count (minReplicas).');
    if (!positiveInt(a?.minReplicas, 2, 10000)) refuser.refuse('hpa-min-replicas', 'autoscaling.minReplicas', `minReplicas ${quote(a?.minReplicas)} is below 2: scaling in to one pod removes all redundancy.`, 'set minReplicas to at least 2 (3 is better).');
    if (!positiveInt(a.maxReplicas, 1, 10000) || a.maxReplicas <= a.minReplicas) refuser.refuse('hpa-max-gt-min', 'autoscaling.maxReplicas', `maxReplicas ${quote(a.maxReplicas)} must be greater than minReplicas ${a.minReplicas}, or the HPA cannot scale.`, `set maxReplicas above ${a.minReplicas}.`);
    const target = a.targetCpuUtilization ?? DEFAULTS.hpaTargetCpuUtilization;
    if (!positiveInt(target, 1, 100)) refuser.refuse('spec/hpa-target', 'autoscaling.targetCpuUtilization', `${quote(target)} is not a percentage from 1 to 100.`, 'use e.g. 70.');
    autoscaling = { minReplicas: a.minReplicas, maxReplicas: a.maxReplicas, targetCpuUtilization: target };
  } else {
    replicas = spec.replicas ?? DEFAULTS.replicas;
    if (!positiveInt(replicas, 1, 10000)) refuser.refuse('min-replicas', 'replicas', `${quote(replicas)} is not a replica count.`, 'use a whole number ≥ 2.');
    if (replicas < 2 && !single) {
      refuser.refuse('min-replicas', 'replicas', `${replicas} replica means every node drain, crash or rollout is an outage.`, "run at least 2 replicas (default 3), or relax with relaxations.singleReplica: '<reason>'.");
    }
  }

  main.ports.forEach((p, i) => {
    const clash = main.ports.findIndex((q) => q.servicePort === p.servicePort && q.protocol === p.protocol);
    if (clash < i) refuser.refuse('container-ports-valid', `ports[${i}].servicePort`, `the Service would expose port ${p.servicePort}/${p.protocol} twice (ports[${clash}] and ports[${i}]): the API server rejects duplicate Service ports.`, 'give each port its own servicePort.');
  });
  const portNames = main.ports.map((p) => p.name).concat(containers.slice(1).flatMap((c) => c.ports.map((p) => p.name)));
  const ingress = (spec.ingress ?? []).map((r, i) => {
    const from = checkPeer(r?.from, `ingress[${i}].from`, refuser);
    const ports = r.ports ?? portNames;
    if (!Array.isArray(ports)) refuser.refuse('network-policy-required', `ingress[${i}].ports`, 'ports must be a list of port names.', `use some of: ${portNames.join(', ')}.`);
    ports.forEach((p, j) => {
      if (!portNames.includes(p)) refuser.refuse('network-policy-required', `ingress[${i}].ports[${j}]`, `${quote(p)} is not a declared port.`, `use one of: ${portNames.join(', ')}.`);
    });
    return { from, ports: [...ports] };
  });
  if (main.ports.length === 0 && ingress.length > 0) {
    refuser.refuse('network-policy-required', 'ingress', 'the workload declares no port, so there is nothing to admit traffic to.', 'declare the port the process listens on, or remove the ingress rules (a port-less worker accepts no connections).');
  }
  if (ingress.length === 0 && main.ports.length > 0 && !ctx.deferIngressCheck) {
    refuser.refuse('network-policy-required', 'ingress', 'no ingress peer: the NetworkPolicy would admit nothing, so the service is unreachable (and Polaris flags a policy without an ingress rule).', 'declare who may connect, e.g. ingress: [{ from: Peer.workload(\'web\') }] or [{ from: Peer.ingressController() }]; for a worker, its metrics scraper: [{ from: Peer.monitoring(), ports: [\'metrics\'] }].');
  }
  checkPeerSet(ingress.map((r) => r.from), 'ingress', refuser);
  if (spec.egress !== undefined && !Array.isArray(spec.egress)) refuser.refuse('network-policy-required', 'egress', 'egress must be a list of rules.', 'give e.g. [{ to: Peer.cidr(\'10.0.0.0/16\'), ports: [{ port: 5432 }] }].');
  const egress = (spec.egress ?? []).map((r, i) => {
    const to = checkPeer(r?.to, `egress[${i}].to`, refuser);
    if (!Array.isArray(r.ports) || r.ports.length === 0) refuser.refuse('network-policy-required', `egress[${i}].ports`, 'an egress rule needs destination ports: an open port range defeats the policy.', 'list the ports, e.g. [{ port: 5432 }].');
    r.ports.forEach((p, j) => {
      if (!positiveInt(p?.port, 1, 65535)) refuser.refuse('spec/port-range', `egress[${i}].ports[${j}].port`, `${quote(p?.port)} is not a port number.`, 'use 1–65535.');
    });
    return { to, ports: r.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' as const })) };
  });
  const loadBalancer = resolveLoadBalancer(spec.loadBalancer, main.ports.map((p) => p.name), refuser);

  checkPeerSet(egress.map((r) => r.to), 'egress', refuser);
  const mainMounts = [...main.writablePaths.map((w) => w.path), ...main.secretFiles.map((s) => s.mountPath)];
  const claims = (spec.claims ?? []).map((c, i) => {
    const f = `claims[${i}]`;
    checkDns1123Label(c?.name, `${f}.name`, refuser);
    const mountPath = canonicalPath(c.mountPath);
    if (!mountPath || mountPath === '/') refuser.refuse('spec/mount-path', `${f}.mountPath`, `${quote(c.mountPath)} is not an absolute path below / ('..' may not climb above the root).`, "use e.g. '/var/lib/app'.");
    if (mainMounts.includes(mountPath!)) refuser.refuse('spec/mount-path', `${f}.mountPath`, `${mountPath} is mounted twice in the main container (the API server rejects duplicate mount paths).`, 'mount each path once.');
    mainMounts.push(mountPath!);
    if (!isDns1123LabelName(`claim-${c.name}`)) refuser.refuse('spec/dns-1123-name', `${f}.name`, 'the derived volume name \'claim-<name>\' would exceed 63 characters.', 'use a claim name of at most 57 characters.');
    checkQuantity(c.size, 'memory', `${f}.size`, refuser);
    const accessMode = c.accessMode ?? 'ReadWriteOnce';
    if (!['ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany'].includes(accessMode)) refuser.refuse('spec/claim', `${f}.accessMode`, `${quote(accessMode)} is not an access mode.`, "use 'ReadWriteOnce', 'ReadWriteOncePod' or 'ReadWriteMany'.");
    const replicasOrMin = replicas ?? autoscaling!.minReplicas;
    if (accessMode !== 'ReadWriteMany' && replicasOrMin > 1) {
      refuser.refuse('spec/claim', `${f}.accessMode`, `${accessMode} storage attaches to one node, but the service runs ${replicasOrMin} replicas that may land on different nodes: all but one would never start.`, "use accessMode: 'ReadWriteMany' storage, run replicas: 1 (relaxations.singleReplica), or use StatefulDatabase for a database.");
    }
    if (c.storageClassName !== undefined) checkDns1123Label(c.storageClassName, `${f}.storageClassName`, refuser);
    return { name: c.name, claimName: `${name}-${c.name}`, mountPath: mountPath!, size: c.size, accessMode, storageClassName: c.storageClassName, readOnly: !!c.readOnly };
  });

  const grace = spec.terminationGracePeriodSeconds ?? DEFAULTS.terminationGracePeriodSeconds;
  if (!positiveInt(grace, 1, 3600)) refuser.refuse('spec/grace-period', 'terminationGracePeriodSeconds', `${quote(grace)} is not 1–3600 seconds.`, 'use e.g. 30.');
  if (spec.preStopDelaySeconds !== undefined && (!positiveInt(spec.preStopDelaySeconds, 1, 600) || spec.preStopDelaySeconds >= grace)) {
    refuser.refuse('spec/prestop-delay', 'preStopDelaySeconds', `${quote(spec.preStopDelaySeconds)} must be 1–600 and below terminationGracePeriodSeconds (${grace}), or the process is killed before it can drain.`, `use e.g. 5 with a grace period of ${grace}.`);
  }
  if (spec.priorityClassName !== undefined) checkDns1123Label(spec.priorityClassName, 'priorityClassName', refuser);
  const revisionHistoryLimit = spec.revisionHistoryLimit ?? DEFAULTS.revisionHistoryLimit;
  if (!positiveInt(revisionHistoryLimit, 1, 100)) refuser.refuse('spec/revision-history', 'revisionHistoryLimit', `${quote(revisionHistoryLimit)} is not 1–100: with 0 there is nothing to roll back to.`, 'use e.g. 5.');
  for (const r of relaxations) checkReason(r.reason, `relaxations.${r.name}`, refuser);

  const selector = { 'app.kubernetes.io/instance': name };
  const org = resolveMetadata(spec, refuser);
  const labels = Object.assign({}, org.labels, recommendedLabels({ name, appName: name, version: main.image.version, component: spec.component, partOf: spec.partOf, defaultComponent: 'server' }, refuser));
  const asRoot = relaxations.some((r) => r.name === 'runAsRoot');
  return {
    name,
    namespace,
    labels,
    annotations: org.annotations,
    selector,
    replicas,
    autoscaling,
    containers,
    initContainers,
    pod: {
      runAsUser: asRoot ? 0 : user,
      runAsGroup: asRoot ? 0 : group,
      fsGroup: group,
      runAsNonRoot: !asRoot,
      priorityClassName: spec.priorityClassName,
      terminationGracePeriodSeconds: grace,
      preStopDelaySeconds: spec.preStopDelaySeconds,
    },
    revisionHistoryLimit,
    ingress,
    egress,
    loadBalancer,
    claims,
    relaxations,
  };
}
