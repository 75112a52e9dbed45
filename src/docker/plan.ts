/**
 * The pure half of the Docker backend: resolve, render and check a service or database into
 * container inputs, networks and findings without registering anything. No @pulumi import here
 * (`hardened init` plans the Docker twin for its report without the optional Pulumi packages);
 * hardened-service.ts and stateful-database.ts register the resources and re-export these.
 */
import { dockerGap, PlannedNetwork, planNetworks } from './connections';
import { labelFindings } from './findings';
import { checkDockerContainers, DockerPolicyOptions } from './guard';
import { DockerContainerArgs, DockerLogging, DockerPublish, DockerSecretSource, renderDockerContainer } from './render';
import { DockerContainer, Finding } from '../policy/types';
import { ResolvedDatabase, resolveDatabase, StatefulDatabaseSpec } from '../spec/database';
import { DOMAIN } from '../spec/defaults';
import { Refuser } from '../spec/errors';
import { quote } from '../spec/redact';
import { HardenedServiceSpec, ResolvedService, resolveService } from '../spec/service';

/**
 * Something a Docker workload can connect to (`docker.connectTo`): a service or database of this
 * library in the same app. The connection works only when the server admits the client (its spec's
 * `ingress` names the client's workload, a database's `clients`), as on Kubernetes.
 */
export interface IDockerPeer {
  /** The workload name (the DNS name clients use). */
  readonly workloadName: string;
  /** The app (name prefix) it belongs to. */
  readonly app: string;
  /** Whether this workload admits connections from the named workload. */
  admits(client: string): boolean;
}

/** Docker-only options; everything else is the backend-neutral spec. */
export interface DockerServiceOptions {
  /**
   * Application name: prefix of network and container names (the namespace's role on Docker).
   * @default - the Pulumi project name
   */
  readonly app?: string;
  /** Host directories holding the files of each referenced Secret (provisioned outside Pulumi). */
  readonly secretSources?: Record<string, DockerSecretSource>;
  /** Ports published on the host (loopback unless a reason is given). Only with one replica. */
  readonly publish?: DockerPublish[];
  /** Health check command, when the liveness probe is HTTP/TCP/gRPC (Docker runs checks inside the container). */
  readonly healthcheck?: { readonly command: string[] };
  /** @default - json-file rotated at 10m × 3 */
  readonly logging?: DockerLogging;
  /**
   * Servers this service connects to (like `egress` to their workloads): each connection is its
   * own internal network shared with the server, which must admit this service.
   */
  readonly connectTo?: IDockerPeer[];
  /**
   * Raw `docker.Container` inputs laid over the hardened ones. An allow-list (labels, stopSignal,
   * workingDir, dns*, hosts, ulimits nofile/nproc, safe sysctls, read-only binds of application
   * directories, named volumes, tighter securityOpts…): every other field is refused with a rule id.
   */
  readonly overrides?: Record<string, unknown>;
  /**
   * `unless-stopped` (default) comes back after a daemon restart or reboot; `on-failure` gives up
   * after 5 failed restarts (CIS Docker 5.15) but stays down after a reboot.
   * @default 'unless-stopped'
   */
  readonly restart?: 'unless-stopped' | 'on-failure';
  /**
   * Enforce resources.limits.ephemeralStorage with `storageOpts.size` (needs overlay2 on xfs with
   * pquota, btrfs or zfs; other storage drivers refuse to start the container).
   * @default false - the limit is reported as not enforced
   */
  readonly storageLimit?: boolean;
  /** Rule packs and threshold of the check before registration. */
  readonly policy?: DockerPolicyOptions;
}

/** Args of the Docker {@link HardenedService}: the same spec as the Kubernetes twin, plus `docker`. */
export interface HardenedServiceArgs extends HardenedServiceSpec {
  readonly docker?: DockerServiceOptions;
}

/** A DNS-1123 label from a project name. @internal */
export function appName(explicit: string | undefined, constructPath = 'docker'): string {
  if (explicit !== undefined && typeof explicit !== 'string') {
    new Refuser(constructPath).refuse('spec/props', 'docker.app', `${quote(explicit)} is not an app name.`, "give a name such as 'shop' (default: the Pulumi project).");
  }
  // The Pulumi project is read only when no app is given (the components have loaded Pulumi by then).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const raw = explicit ?? (require('@pulumi/pulumi') as typeof import('@pulumi/pulumi')).getProject();
  return raw.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'app';
}

/** The plan of a Docker service: resolved spec, container inputs, networks and findings. Pure. */
export interface DockerServicePlan {
  readonly app: string;
  readonly spec: ResolvedService;
  readonly plans: { readonly args: DockerContainerArgs; readonly model: DockerContainer }[];
  readonly networks: PlannedNetwork[];
  readonly findings: Finding[];
}

/** Check docker.connectTo: servers of the same app that admit this client. @internal */
export function checkConnectTo(peers: unknown, app: string, client: string, refuser: Refuser): string[] {
  if (peers === undefined) return [];
  if (!Array.isArray(peers)) return refuser.refuse('network-policy-required', 'docker.connectTo', 'connectTo must be a list of services or databases.', 'give e.g. connectTo: [db].');
  return peers.map((p: IDockerPeer, i) => {
    const field = `docker.connectTo[${i}]`;
    if (!p || typeof p.workloadName !== 'string' || typeof p.admits !== 'function') refuser.refuse('network-policy-required', field, 'not a Docker HardenedService or StatefulDatabase.', 'pass the component object, e.g. connectTo: [db].');
    if (p.app !== app) refuser.refuse('network-policy-required', field, `'${p.workloadName}' belongs to app '${p.app}', this service to '${app}'.`, 'give both the same docker.app.');
    if (!p.admits(client)) {
      refuser.refuse('network-policy-required', field, `'${p.workloadName}' does not admit '${client}': on Kubernetes its NetworkPolicy would drop the connection, so no network is shared on Docker either.`, `add ingress: [{ from: Peer.workload('${client}') }] to '${p.workloadName}' (a database: clients: [Peer.workload('${client}')]).`);
    }
    return p.workloadName;
  });
}

/** Findings for container fields the Docker rendering carries differently. @internal */
export function containerGaps(c: ResolvedService['containers'][number], obj: string, f: string): Finding[] {
  const out: Finding[] = [];
  c.secretFiles.forEach((m, i) => {
    if (m.keys?.length) out.push(dockerGap('spec/secret-files', 'info', obj, `${f}secretFiles[${i}].keys`, `the whole directory of Secret '${m.secretName}' is mounted: every file in it is visible, not only ${m.keys.join(', ')}.`, `keep only the needed files in the host directory of '${m.secretName}'.`));
  });
  const onDisk = c.writablePaths.filter((w) => !w.inMemory && w.path !== '/tmp');
  if (onDisk.length) out.push(dockerGap('spec/writable-paths', 'info', obj, `${f}writablePaths`, `${onDisk.map((w) => w.path).join(', ')} are tmpfs (memory) on Docker and count against the memory limit.`, 'size the memory limit for them, or mount a named volume with a docker.overrides mount.'));
  return out;
}

/** Findings for spec fields the Docker rendering cannot carry (see DOCKER_FIELD_MAP). @internal */
export function serviceGaps(spec: ResolvedService, obj: string, storageLimit: boolean): Finding[] {
  const out: Finding[] = [];
  const main = spec.containers[0];
  if (spec.autoscaling) out.push(dockerGap('hpa-target-exists', 'warning', obj, 'autoscaling', `Docker does not autoscale: ${spec.autoscaling.minReplicas} containers run (minReplicas), never more.`, 'size minReplicas for the peak load of this host, or run on Kubernetes.'));
  if (spec.pod.priorityClassName) out.push(dockerGap('priority-class', 'info', obj, 'priorityClassName', `priority class '${spec.pod.priorityClassName}' has no Docker equivalent (cpuShares from the CPU request is the only weighting).`, 'nothing to do on a single host.'));
  if (spec.pod.preStopDelaySeconds) out.push(dockerGap('spec/prestop-delay', 'info', obj, 'preStopDelaySeconds', `Docker has no preStop hook: SIGTERM comes at once (no ${spec.pod.preStopDelaySeconds}s delay); the container gets the whole stopTimeout (${spec.pod.terminationGracePeriodSeconds}s) to drain.`, 'let the process drain on SIGTERM.'));
  for (const c of spec.containers) {
    const f = c === main ? '' : `sidecars[${spec.containers.indexOf(c) - 1}].`;
    if (c.probes.readiness) out.push(dockerGap('readiness-probe', 'info', obj, `${f}probes.readiness`, 'Docker has no readiness gating: the DNS name resolves to every running replica, ready or not.', 'make clients retry, or put a proxy with health checks in front.'));
    const eph = c.resources.limits.ephemeralStorage;
    if (eph && !storageLimit) out.push(dockerGap('ephemeral-storage-limits', 'warning', obj, `${f}resources.limits.ephemeralStorage`, `the ${eph} ephemeral-storage limit is not enforced on Docker (the root filesystem is read-only; tmpfs mounts count against memory).`, 'set docker.storageLimit: true when the storage driver supports --storage-opt size (overlay2 on xfs with pquota, btrfs, zfs).'));
    if (c.ports.some((p) => p.servicePort !== p.port)) out.push(dockerGap('spec/ports', 'info', obj, `${f}ports`, `service ports (${c.ports.filter((p) => p.servicePort !== p.port).map((p) => `${p.servicePort}→${p.port}`).join(', ')}) do not exist on Docker: clients connect to the container port.`, 'point clients at the container port on Docker.'));
  }
  if (spec.claims.length) {
    out.push(dockerGap('spec/claim', 'info', obj, 'claims', `claims are local named volumes on Docker: no size limit (${spec.claims.map((c) => `${c.name}: ${c.size}`).join(', ')})${spec.claims.some((c) => c.storageClassName) ? ' and no storage class' : ''}.`, 'watch the volume sizes on the host (or use a filesystem with quotas).'));
  }
  out.push(dockerGap('revision-history-limit', 'info', obj, 'revisionHistoryLimit', `Docker keeps no old versions (revisionHistoryLimit ${spec.revisionHistoryLimit}): a rollback redeploys the previous image.`, 'roll back with the previous program version (pulumi stack history) and pulumi up.'));
  for (const c of spec.containers) out.push(...containerGaps(c, obj, c === main ? '' : `sidecars[${spec.containers.indexOf(c) - 1}].`));
  return out;
}

/**
 * Resolve, render and check a Docker service without registering anything (the component's first
 * half). Throws HardeningError or PolicyViolationError.
 */
export function planDockerService(name: string, args: HardenedServiceArgs): DockerServicePlan {
  const d = args?.docker ?? {};
  const app = appName(d.app, name);
  const spec = resolveService(args, { constructPath: name, defaultName: name, defaultNamespace: app });
  const refuser = new Refuser(name);
  const replicas = spec.replicas ?? spec.autoscaling!.minReplicas;
  if (d.publish?.length && replicas > 1) {
    refuser.refuse('no-host-ports', 'docker.publish', `${replicas} replicas cannot all publish host port ${d.publish[0].hostPort}.`, 'publish from a reverse proxy container that reaches the replicas on the network, or run replicas: 1 with relaxations.singleReplica.');
  }
  if (d.restart !== undefined && d.restart !== 'unless-stopped' && d.restart !== 'on-failure') refuser.refuse('restart-policy', 'docker.restart', `${JSON.stringify(d.restart)} is not a restart policy for a service.`, "use 'unless-stopped' (default) or 'on-failure'.");
  if (spec.initContainers.length) {
    refuser.refuse('spec/docker-init-containers', 'initContainers', 'Docker has no init containers: nothing would run the step before the service starts.', 'run the step in the image entrypoint before the process starts, or as a one-shot container of its own that you run before `pulumi up`.');
  }
  if (spec.loadBalancer) {
    refuser.refuse('spec/docker-load-balancer', 'loadBalancer', 'a cloud load balancer is not a Docker input: this backend would silently drop it.', 'publish the port with docker.publish (bound to a host address inside the source ranges), behind your own proxy.');
  }
  const connectTo = checkConnectTo(d.connectTo, app, spec.name, refuser);
  const obj = `${app}-${spec.name}`;
  const net = planNetworks({
    app,
    name: spec.name,
    namespace: spec.namespace,
    admits: spec.ingress.map((r) => r.from),
    admitsField: 'ingress',
    egress: spec.egress,
    connectTo,
    publishes: !!d.publish?.length,
  });
  const plans: { args: DockerContainerArgs; model: DockerContainer }[] = [];
  for (let i = 0; i < replicas; i++) {
    spec.containers.forEach((c, ci) => {
      const cname = ci === 0 ? `${obj}-${i}` : `${obj}-${i}-${c.name}`;
      plans.push(renderDockerContainer(c, {
        name: cname,
        hostname: ci === 0 ? `${spec.name}-${i}` : undefined,
        imageRef: c.image.normalized,
        networks: net.networks.map((n) => ({ name: n.name, aliases: ci === 0 && n.serves ? [spec.name, `${spec.name}-${i}`] : undefined })),
        networkMode: net.networks.length ? undefined : 'none',
        ingressCidrs: net.ingressCidrs,
        stopTimeout: spec.pod.terminationGracePeriodSeconds,
        restart: d.restart,
        storageLimit: d.storageLimit,
        relaxations: ci === 0 ? spec.relaxations : [],
        secretSources: d.secretSources ?? {},
        publish: ci === 0 ? d.publish : undefined,
        healthcheck: ci === 0 ? d.healthcheck : undefined,
        logging: d.logging,
        overrides: ci === 0 ? d.overrides : undefined,
        mounts: ci === 0 ? spec.claims.map((cl) => ({ type: 'volume' as const, source: `${app}-${cl.claimName}`, target: cl.mountPath, readOnly: cl.readOnly || undefined })) : undefined,
        labels: { ...spec.annotations, ...spec.labels, [`${DOMAIN}/namespace`]: spec.namespace },
        field: ci === 0 ? '' : `sidecars[${ci - 1}].`,
        refuser,
      }));
    });
  }
  const checked = checkDockerContainers(plans.map((p) => p.model), `hardened-constructs:docker:HardenedService ${name}`, d.policy);
  // Workload-level gaps concern every container of the workload.
  const gaps: Finding[] = [...net.findings, ...serviceGaps(spec, obj, !!d.storageLimit)]
    .flatMap((g) => plans.map((p) => ({ ...g, object: { ...g.object, name: p.args.name } })));
  for (const p of plans) {
    if (p.args.restart === 'on-failure' && d.restart !== 'on-failure') {
      gaps.push(dockerGap('restart-policy', 'warning', p.args.name, 'docker.restart', 'without a health check the container restarts on-failure (at most 5 times) and does not come back after a daemon restart or reboot.', 'add a liveness probe (and docker.healthcheck) so it can run unless-stopped.'));
    }
  }
  const findings = [...checked, ...gaps];
  labelFindings(plans, findings);
  return { app, spec, plans, networks: net.networks, findings };
}

/** Docker-only options of a database. */
export interface DockerDatabaseOptions {
  /** @default - the Pulumi project name */
  readonly app?: string;
  /** Host directory with the credentials Secret's files (e.g. `password`), provisioned outside Pulumi. */
  readonly secretSources?: Record<string, DockerSecretSource>;
  /** @default - json-file rotated at 10m × 3 */
  readonly logging?: DockerLogging;
  readonly policy?: DockerPolicyOptions;
  /** @default 'unless-stopped' (see the Docker HardenedService) */
  readonly restart?: 'unless-stopped' | 'on-failure';
  /** Enforce the ephemeral-storage limit with storageOpts.size (storage-driver dependent). @default false */
  readonly storageLimit?: boolean;
}

export interface StatefulDatabaseArgs extends StatefulDatabaseSpec {
  readonly docker?: DockerDatabaseOptions;
}

/** Resolve, render and check a Docker database without registering anything. Pure. */
export function planDockerDatabase(name: string, args: StatefulDatabaseArgs): {
  app: string;
  spec: ResolvedDatabase;
  plans: { args: DockerContainerArgs; model: DockerContainer }[];
  backupPlan?: { args: DockerContainerArgs; model: DockerContainer };
  networks: PlannedNetwork[];
  backupNetworks: PlannedNetwork[];
  findings: Finding[];
} {
  const d = args?.docker ?? {};
  const app = appName(d.app, name);
  const spec = resolveDatabase(args, { constructPath: name, defaultName: name, defaultNamespace: app, hosts: 'docker' });
  const refuser = new Refuser(name);
  if (d.restart !== undefined && d.restart !== 'unless-stopped' && d.restart !== 'on-failure') refuser.refuse('restart-policy', 'docker.restart', `${JSON.stringify(d.restart)} is not a restart policy for a database.`, "use 'unless-stopped' (default) or 'on-failure'.");
  const b = spec.backup;
  const obj = `${app}-${spec.name}`;
  const net = planNetworks({
    app,
    name: spec.name,
    namespace: spec.namespace,
    admits: spec.clients,
    admitsField: 'clients',
    egress: [],
    alsoAdmits: b ? [b.name] : [],
    replicated: spec.replicas > 1,
  });
  const findings: Finding[] = [...net.findings];
  if (!spec.clients.length) findings.push(dockerGap('network-policy-required', 'warning', obj, 'clients', `no client may reach database '${spec.name}': it joins no client network.`, "declare clients: [Peer.workload('<service>')] and give that service docker.connectTo: [db] (or egress to the workload)."));
  if (spec.pod.priorityClassName) findings.push(dockerGap('priority-class', 'info', obj, 'priorityClassName', `priority class '${spec.pod.priorityClassName}' has no Docker equivalent.`, 'nothing to do on a single host.'));
  if (spec.container.resources.limits.ephemeralStorage && !d.storageLimit) findings.push(dockerGap('ephemeral-storage-limits', 'warning', obj, 'resources.limits.ephemeralStorage', `the ${spec.container.resources.limits.ephemeralStorage} ephemeral-storage limit is not enforced on Docker.`, 'set docker.storageLimit: true when the storage driver supports --storage-opt size (overlay2 on xfs with pquota, btrfs, zfs).'));
  findings.push(...containerGaps(spec.container, obj, ''));
  findings.push(dockerGap('spec/claim', 'info', obj, 'storage.size', `the data volume is a local named volume: no size limit (${spec.storage.size})${spec.storage.storageClassName ? ' and no storage class' : ''}.`, 'watch the volume size on the host (or use a filesystem with quotas).'));
  if (spec.snapshot) findings.push(dockerGap('spec/backup', 'warning', obj, 'snapshot', 'volume snapshots do not exist on Docker.', 'snapshot the volume on the host (LVM, ZFS, filesystem snapshots), or rely on backup.'));
  const plans: { args: DockerContainerArgs; model: DockerContainer }[] = [];
  for (let i = 0; i < spec.replicas; i++) {
    plans.push(renderDockerContainer(spec.container, {
      name: `${obj}-${i}`,
      hostname: `${spec.name}-${i}`,
      imageRef: spec.container.image.normalized,
      // Clients reach replica 0 (the primary) by the database name.
      networks: net.networks.map((n) => ({ name: n.name, aliases: i === 0 ? [spec.name, `${spec.name}-0`] : [`${spec.name}-${i}`] })),
      networkMode: net.networks.length ? undefined : 'none',
      stopTimeout: spec.pod.terminationGracePeriodSeconds,
      restart: d.restart,
      storageLimit: d.storageLimit,
      relaxations: spec.relaxations,
      secretSources: d.secretSources ?? {},
      logging: d.logging,
      mounts: [{ type: 'volume', source: `${obj}-data-${i}`, target: spec.dataPath }],
      labels: { ...spec.annotations, ...spec.labels, [`${DOMAIN}/namespace`]: spec.namespace },
      field: '',
      refuser,
    }));
  }
  let backupPlan: { args: DockerContainerArgs; model: DockerContainer } | undefined;
  let backupNetworks: PlannedNetwork[] = [];
  if (b) {
    if (b.upload) refuser.refuse('spec/backup', 'backup.objectStore', 'the upload step runs on Kubernetes only.', 'on Docker, ship the backup volume from the host (e.g. restic on the volume path).');
    if (b.claim && !b.claim.create) refuser.refuse('spec/backup', 'backup.storage.existingClaim', 'claims do not exist on Docker.', 'give backup.storage: { size } (a named volume is created).');
    backupNetworks = planNetworks({ app, name: b.name, namespace: spec.namespace, admits: [], admitsField: 'backup', egress: [], connectTo: [spec.name] }).networks;
    backupPlan = renderDockerContainer(b.dump, {
      name: `${app}-${b.name}`,
      imageRef: b.dump.image.normalized,
      networks: backupNetworks.map((n) => ({ name: n.name })),
      relaxations: [],
      secretSources: d.secretSources ?? {},
      logging: d.logging,
      mounts: [{ type: 'volume', source: `${app}-${b.name}s`, target: '/backup' }],
      labels: { ...b.labels, [`${DOMAIN}/schedule`]: b.schedule, [`${DOMAIN}/run`]: `docker start -a ${app}-${b.name}` },
      runsToCompletion: true,
      field: 'backup.',
      refuser,
    });
    findings.push(dockerGap('cronjob-deadline', 'info', `${app}-${b.name}`, 'backup.schedule', `Docker has no scheduler: run 'docker start -a ${app}-${b.name}' from the host's cron or a systemd timer at '${b.schedule}'${b.timeZone ? ` (${b.timeZone})` : ''}; deadlines and backoffLimit do not apply.`, 'add the host timer (the schedule is on the container labels).'));
  }
  const all = [...plans, ...(backupPlan ? [backupPlan] : [])];
  const checked = checkDockerContainers(all.map((p) => p.model), `hardened-constructs:docker:StatefulDatabase ${name}`, d.policy);
  const gaps = findings.flatMap((g) => (g.object.name === obj ? plans.map((p) => ({ ...g, object: { ...g.object, name: p.args.name } })) : [g]));
  for (const p of plans) {
    if (p.args.restart === 'on-failure' && d.restart !== 'on-failure') {
      gaps.push(dockerGap('restart-policy', 'warning', p.args.name, 'docker.restart', 'without a health check the container restarts on-failure (at most 5 times) and does not come back after a daemon restart or reboot.', 'add a liveness probe (and docker.healthcheck) so it can run unless-stopped.'));
    }
  }
  const out = [...checked, ...gaps];
  labelFindings(all, out);
  return { app, spec, plans, backupPlan, networks: net.networks, backupNetworks, findings: out };
}
