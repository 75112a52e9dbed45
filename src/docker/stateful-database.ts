import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { logFindings } from './findings';
import { IDockerPeer, planDockerDatabase, StatefulDatabaseArgs } from './plan';
import { networkFor } from './registry';
import { DockerContainerArgs } from './render';
import { DockerContainer, Finding } from '../policy/types';
import { ResolvedDatabase } from '../spec/database';

// The planning half (no Pulumi) lives in ./plan; re-exported here for existing imports.
export { planDockerDatabase } from './plan';
export type { DockerDatabaseOptions, StatefulDatabaseArgs } from './plan';

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
