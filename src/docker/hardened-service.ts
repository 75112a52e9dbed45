import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { logFindings } from './findings';
import { HardenedServiceArgs, IDockerPeer, planDockerService } from './plan';
import { networkFor } from './registry';
import { DockerContainerArgs } from './render';
import { DockerContainer, Finding } from '../policy/types';
import { ResolvedService } from '../spec/service';

// The planning half (no Pulumi) lives in ./plan; re-exported here for existing imports.
export { planDockerService } from './plan';
export type { DockerServiceOptions, DockerServicePlan, HardenedServiceArgs, IDockerPeer } from './plan';

/**
 * A hardened stateless service on a single Docker host: one container per replica (autoscaling
 * runs `minReplicas`), from a pinned RemoteImage, on one internal network per declared connection
 * (see ./connections). Every container runs as 10001:10001 with a read-only root fs and tmpfs
 * scratch, drops ALL capabilities, sets no-new-privileges, memory (= swap) and CPU limits, restarts
 * `unless-stopped`, has a health check, rotated logs, the spec's grace period as stopTimeout, and
 * publishes ports on 127.0.0.1 only unless told otherwise. Findings (what Docker cannot carry, the
 * PIDs-limit gap) are logged with `pulumi.log.warn` and written as container labels.
 */
export class HardenedService extends pulumi.ComponentResource implements IDockerPeer {
  public readonly spec: ResolvedService;
  public readonly app: string;
  /** The networks the containers join (connection networks are shared with the other end). */
  public readonly networks: docker.Network[];
  public readonly image: docker.RemoteImage;
  public readonly containers: docker.Container[];
  /** Named volumes for the spec's claims. */
  public readonly volumes: docker.Volume[];
  /** The plain inputs and rule models the containers were registered with. */
  public readonly plans: readonly { readonly args: DockerContainerArgs; readonly model: DockerContainer }[];
  /** Findings of the check before registration and of what Docker cannot carry (errors throw). */
  public readonly findings: readonly Finding[];

  constructor(name: string, args: HardenedServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate and check everything before anything is registered.
    const plan = planDockerService(name, args);
    const { spec, plans, findings } = plan;
    super('hardened-constructs:docker:HardenedService', name, {}, opts);
    this.spec = spec;
    this.app = plan.app;
    this.plans = plans;
    this.findings = findings;
    const netLabels = { 'app.kubernetes.io/part-of': spec.labels['app.kubernetes.io/part-of'] };
    this.networks = plan.networks.map((n) => networkFor(n, netLabels, this));
    const images = new Map<string, docker.RemoteImage>();
    const imageFor = (ref: string) => {
      let img = images.get(ref);
      if (!img) {
        img = new docker.RemoteImage(`${name}-image${images.size ? `-${images.size}` : ''}`, { name: ref, keepLocally: true }, { parent: this });
        images.set(ref, img);
      }
      return img;
    };
    this.image = imageFor(spec.containers[0].image.normalized);
    const volumeNames = plans[0].args.mounts?.filter((m) => m.type === 'volume' && spec.claims.some((c) => `${plan.app}-${c.claimName}` === m.source)).map((m) => m.source) ?? [];
    this.volumes = volumeNames.map((v) => new docker.Volume(`${name}-${v}`, { name: v }, { parent: this, retainOnDelete: true }));
    this.containers = plans.map((p) => new docker.Container(p.args.name, {
      ...p.args,
      image: imageFor(p.model.image!).imageId,
      networksAdvanced: p.args.networksAdvanced.map((n, k) => ({ ...n, name: this.networks[k].name })),
    }, { parent: this }));
    logFindings(this, `HardenedService ${name}`, findings);
    this.registerOutputs({ networks: this.networks.map((n) => n.name), containers: this.containers.map((c) => c.name) });
  }

  public get workloadName(): string {
    return this.spec.name;
  }

  public admits(client: string): boolean {
    return this.spec.ingress.some((r) => r.from.kind === 'workload' && r.from.name === client && (r.from.namespace === undefined || r.from.namespace === this.spec.namespace));
  }
}
