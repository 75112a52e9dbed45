import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { checkDockerContainers, DockerPolicyOptions } from './guard';
import { appName, IDockerPeer } from './hardened-service';
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
}

export interface StatefulDatabaseArgs extends StatefulDatabaseSpec {
  readonly docker?: DockerDatabaseOptions;
}

/** Resolve, render and check a Docker database without registering anything. Pure. */
export function planDockerDatabase(name: string, args: StatefulDatabaseArgs): {
  spec: ResolvedDatabase;
  plans: { args: DockerContainerArgs; model: DockerContainer }[];
  backupPlan?: { args: DockerContainerArgs; model: DockerContainer };
  findings: Finding[];
} {
  const d = args?.docker ?? {};
  const app = appName(d.app);
  const spec = resolveDatabase(args, { constructPath: name, defaultName: name, defaultNamespace: app, hosts: 'docker' });
  const refuser = new Refuser(name);
  const networkName = `${app}-${spec.name}`;
  const plans: { args: DockerContainerArgs; model: DockerContainer }[] = [];
  for (let i = 0; i < spec.replicas; i++) {
    plans.push(renderDockerContainer(spec.container, {
      name: `${app}-${spec.name}-${i}`,
      hostname: `${spec.name}-${i}`,
      imageRef: spec.container.image.normalized,
      networks: [networkName],
      // Clients reach replica 0 (the primary) by the database name.
      aliases: i === 0 ? [spec.name, `${spec.name}-0`] : [`${spec.name}-${i}`],
      relaxations: spec.relaxations,
      secretSources: d.secretSources ?? {},
      logging: d.logging,
      mounts: [{ type: 'volume', source: `${app}-${spec.name}-data-${i}`, target: spec.dataPath }],
      labels: { ...spec.labels },
      field: '',
      refuser,
    }));
  }
  const b = spec.backup;
  let backupPlan: { args: DockerContainerArgs; model: DockerContainer } | undefined;
  if (b) {
    if (b.upload) refuser.refuse('spec/backup', 'backup.objectStore', 'the upload step runs on Kubernetes only.', 'on Docker, ship the backup volume from the host (e.g. restic on the volume path).');
    if (b.claim && !b.claim.create) refuser.refuse('spec/backup', 'backup.storage.existingClaim', 'claims do not exist on Docker.', 'give backup.storage: { size } (a named volume is created).');
    backupPlan = renderDockerContainer(b.dump, {
      name: `${app}-${b.name}`,
      imageRef: b.dump.image.normalized,
      networks: [networkName],
      aliases: [],
      relaxations: [],
      secretSources: d.secretSources ?? {},
      logging: d.logging,
      mounts: [{ type: 'volume', source: `${app}-${b.name}s`, target: '/backup' }],
      labels: { ...b.labels, [`${DOMAIN}/schedule`]: b.schedule, [`${DOMAIN}/run`]: `docker start -a ${app}-${b.name}` },
      runsToCompletion: true,
      field: 'backup.',
      refuser,
    });
  }
  const findings = checkDockerContainers([...plans, ...(backupPlan ? [backupPlan] : [])].map((p) => p.model), `hardened-constructs:docker:StatefulDatabase ${name}`, d.policy);
  return { spec, plans, backupPlan, findings };
}

/**
 * A database on a single Docker host: a named volume per replica for its data, an internal network
 * that only the clients that join it can reach (`docker: { connectTo: [db] }` on a service), the
 * engine's own health check, and, with `backup`, a one-shot backup container writing dumps with
 * retention into a named volume. Docker has no scheduler: run it from the host's cron or a systemd
 * timer with `docker start -a <app>-<name>-backup` (the schedule is on its labels).
 */
export class StatefulDatabase extends pulumi.ComponentResource implements IDockerPeer {
  public readonly spec: ResolvedDatabase;
  public readonly network: docker.Network;
  public readonly image: docker.RemoteImage;
  public readonly volumes: docker.Volume[];
  public readonly containers: docker.Container[];
  public readonly backupVolume?: docker.Volume;
  public readonly backupContainer?: docker.Container;
  public readonly plans: readonly { readonly args: DockerContainerArgs; readonly model: DockerContainer }[];
  public readonly findings: readonly Finding[];

  constructor(name: string, args: StatefulDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    const { spec, plans, backupPlan, findings } = planDockerDatabase(name, args);
    const b = spec.backup;
    super('hardened-constructs:docker:StatefulDatabase', name, {}, opts);
    this.spec = spec;
    this.plans = backupPlan ? [...plans, backupPlan] : plans;
    this.findings = findings;
    this.network = new docker.Network(`${name}-network`, { name: plans[0].args.networksAdvanced[0].name, driver: 'bridge', internal: true }, { parent: this });
    this.image = new docker.RemoteImage(`${name}-image`, { name: spec.container.image.normalized, keepLocally: true }, { parent: this });
    this.volumes = plans.map((p, i) => new docker.Volume(`${name}-data-${i}`, { name: p.args.mounts!.find((m) => m.target === spec.dataPath)!.source }, { parent: this, retainOnDelete: true }));
    this.containers = plans.map((p, i) => new docker.Container(p.args.name, {
      ...p.args,
      image: this.image.imageId,
      networksAdvanced: p.args.networksAdvanced.map((n) => ({ ...n, name: this.network.name })),
      mounts: p.args.mounts!.map((m) => (m.target === spec.dataPath ? { ...m, source: this.volumes[i].name } : m)),
    }, { parent: this }));
    if (backupPlan && b) {
      this.backupVolume = new docker.Volume(`${name}-backups`, { name: backupPlan.args.mounts!.find((m) => m.target === '/backup')!.source }, { parent: this, retainOnDelete: true });
      this.backupContainer = new docker.Container(backupPlan.args.name, {
        ...backupPlan.args,
        image: this.image.imageId,
        networksAdvanced: [{ name: this.network.name }],
        mounts: backupPlan.args.mounts!.map((m) => (m.target === '/backup' ? { ...m, source: this.backupVolume!.name } : m)),
      }, { parent: this, dependsOn: this.containers });
    }
    this.registerOutputs({ network: this.network.name, host: spec.host });
  }
}
