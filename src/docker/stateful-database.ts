import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { dockerGap, PlannedNetwork, planNetworks } from './connections';
import { labelFindings, logFindings } from './findings';
import { checkDockerContainers, DockerPolicyOptions } from './guard';
import { appName, containerGaps, IDockerPeer } from './hardened-service';
import { networkFor } from './registry';
import { DockerContainerArgs, DockerLogging, DockerSecretSource, renderDockerContainer } from './render';
import { DockerContainer, Finding } from '../policy/types';
import { ResolvedDatabase, resolveDatabase, StatefulDatabaseSpec } from '../spec/database';
import { DOMAIN } from '../spec/defaults';
import { Refuser } from '../spec/errors';

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

/**
 * A database on a single Docker host: a named volume per replica for its data, one internal
 * network per declared client (`clients: [Peer.workload('api')]` here, `docker: { connectTo: [db] }`
 * on the service), the engine's own health check, and, with `backup`, a one-shot backup container
 * on its own connection network writing dumps with retention into a named volume. Docker has no
 * scheduler: run it from the host's cron or a systemd timer with `docker start -a <app>-<name>-backup`
 * (the schedule is on its labels).
 */
export class StatefulDatabase extends pulumi.ComponentResource implements IDockerPeer {
  public readonly spec: ResolvedDatabase;
  public readonly app: string;
  public readonly networks: docker.Network[];
  public readonly image: docker.RemoteImage;
  public readonly volumes: docker.Volume[];
  public readonly containers: docker.Container[];
  public readonly backupVolume?: docker.Volume;
  public readonly backupContainer?: docker.Container;
  public readonly plans: readonly { readonly args: DockerContainerArgs; readonly model: DockerContainer }[];
  public readonly findings: readonly Finding[];

  constructor(name: string, args: StatefulDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planDockerDatabase(name, args);
    const { spec, plans, backupPlan, findings } = plan;
    const b = spec.backup;
    super('hardened-constructs:docker:StatefulDatabase', name, {}, opts);
    this.spec = spec;
    this.app = plan.app;
    this.plans = backupPlan ? [...plans, backupPlan] : plans;
    this.findings = findings;
    const netLabels = { 'app.kubernetes.io/part-of': spec.labels['app.kubernetes.io/part-of'] };
    this.networks = plan.networks.map((n) => networkFor(n, netLabels, this));
    this.image = new docker.RemoteImage(`${name}-image`, { name: spec.container.image.normalized, keepLocally: true }, { parent: this });
    this.volumes = plans.map((p, i) => new docker.Volume(`${name}-data-${i}`, { name: p.args.mounts!.find((m) => m.target === spec.dataPath)!.source }, { parent: this, retainOnDelete: true }));
    this.containers = plans.map((p, i) => new docker.Container(p.args.name, {
      ...p.args,
      image: this.image.imageId,
      networksAdvanced: p.args.networksAdvanced.map((n, k) => ({ ...n, name: this.networks[k].name })),
      mounts: p.args.mounts!.map((m) => (m.target === spec.dataPath ? { ...m, source: this.volumes[i].name } : m)),
    }, { parent: this }));
    if (backupPlan && b) {
      const backupNets = plan.backupNetworks.map((n) => networkFor(n, netLabels, this));
      this.backupVolume = new docker.Volume(`${name}-backups`, { name: backupPlan.args.mounts!.find((m) => m.target === '/backup')!.source }, { parent: this, retainOnDelete: true });
      this.backupContainer = new docker.Container(backupPlan.args.name, {
        ...backupPlan.args,
        image: this.image.imageId,
        networksAdvanced: backupNets.map((n) => ({ name: n.name })),
        mounts: backupPlan.args.mounts!.map((m) => (m.target === '/backup' ? { ...m, source: this.backupVolume!.name } : m)),
      }, { parent: this, dependsOn: this.containers });
    }
    logFindings(this, `StatefulDatabase ${name}`, findings);
    this.registerOutputs({ networks: this.networks.map((n) => n.name), host: spec.host });
  }

  public get workloadName(): string {
    return this.spec.name;
  }

  public admits(client: string): boolean {
    return this.spec.clients.some((c) => c.kind === 'workload' && c.name === client && (c.namespace === undefined || c.namespace === this.spec.namespace));
  }
}
