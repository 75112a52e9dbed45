import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { checkDockerContainers, DockerPolicyOptions } from './guard';
import { DockerContainerArgs, DockerLogging, DockerPublish, DockerSecretSource, renderDockerContainer } from './render';
import { DockerContainer, Finding } from '../policy/types';
import { Refuser } from '../spec/errors';
import { HardenedServiceSpec, ResolvedService, resolveService } from '../spec/service';

/** Something a Docker workload can connect to: it exposes the network to join. */
export interface IDockerPeer {
  readonly network: docker.Network;
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
  /** Dependencies whose networks the containers join. */
  readonly connectTo?: IDockerPeer[];
  /** Raw `docker.Container` inputs laid over the hardened ones; isolation-breaking values are refused. */
  readonly overrides?: Record<string, unknown>;
  /** Rule packs and threshold of the check before registration. */
  readonly policy?: DockerPolicyOptions;
}

/** Args of the Docker {@link HardenedService}: the same spec as the Kubernetes twin, plus `docker`. */
export interface HardenedServiceArgs extends HardenedServiceSpec {
  readonly docker?: DockerServiceOptions;
}

/** A DNS-1123 label from a project name. @internal */
export function appName(explicit: string | undefined): string {
  const raw = explicit ?? pulumi.getProject();
  return raw.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'app';
}

/** The plan of a Docker service: resolved spec, container inputs and rule findings. Pure. */
export interface DockerServicePlan {
  readonly spec: ResolvedService;
  readonly plans: { readonly args: DockerContainerArgs; readonly model: DockerContainer }[];
  readonly findings: Finding[];
}

/**
 * Resolve, render and check a Docker service without registering anything (the component's first
 * half). Throws HardeningError or PolicyViolationError.
 */
export function planDockerService(name: string, args: HardenedServiceArgs): DockerServicePlan {
  const d = args?.docker ?? {};
  const app = appName(d.app);
  const spec = resolveService(args, { constructPath: name, defaultName: name, defaultNamespace: app });
  const refuser = new Refuser(name);
  const replicas = spec.replicas ?? spec.autoscaling!.minReplicas;
  if (d.publish?.length && replicas > 1) {
    refuser.refuse('no-host-ports', 'docker.publish', `${replicas} replicas cannot all publish host port ${d.publish[0].hostPort}.`, 'publish from a reverse proxy container that reaches the replicas on the network, or run replicas: 1 with relaxations.singleReplica.');
  }
  const networkName = `${app}-${spec.name}`;
  const plans: { args: DockerContainerArgs; model: DockerContainer }[] = [];
  for (let i = 0; i < replicas; i++) {
    spec.containers.forEach((c, ci) => {
      const cname = ci === 0 ? `${app}-${spec.name}-${i}` : `${app}-${spec.name}-${i}-${c.name}`;
      plans.push(renderDockerContainer(c, {
        name: cname,
        hostname: ci === 0 ? `${spec.name}-${i}` : undefined,
        imageRef: c.image.normalized,
        networks: [networkName, ...(d.connectTo ?? []).map((_, k) => `peer-${k}`)],
        aliases: ci === 0 ? [spec.name, `${spec.name}-${i}`] : [],
        relaxations: ci === 0 ? spec.relaxations : [],
        secretSources: d.secretSources ?? {},
        publish: ci === 0 ? d.publish : undefined,
        healthcheck: ci === 0 ? d.healthcheck : undefined,
        logging: d.logging,
        overrides: ci === 0 ? d.overrides : undefined,
        mounts: ci === 0 ? spec.claims.map((cl) => ({ type: 'volume' as const, source: `${app}-${cl.claimName}`, target: cl.mountPath, readOnly: cl.readOnly || undefined })) : undefined,
        labels: { ...spec.labels },
        field: ci === 0 ? '' : `sidecars[${ci - 1}].`,
        refuser,
      }));
    });
  }
  const findings = checkDockerContainers(plans.map((p) => p.model), `hardened-constructs:docker:HardenedService ${name}`, d.policy);
  return { spec, plans, findings };
}

/**
 * A hardened stateless service on a single Docker host: one container per replica (autoscaling
 * runs `minReplicas`), on a user-defined bridge network created for it, from a pinned RemoteImage.
 * Every container runs as 10001:10001 with a read-only root fs and tmpfs scratch, drops ALL
 * capabilities, sets no-new-privileges, memory (= swap) and CPU limits, restarts on failure at most
 * 5 times, has a health check, rotated logs, and publishes ports on 127.0.0.1 only.
 */
export class HardenedService extends pulumi.ComponentResource implements IDockerPeer {
  public readonly spec: ResolvedService;
  public readonly network: docker.Network;
  public readonly image: docker.RemoteImage;
  public readonly containers: docker.Container[];
  /** Named volumes for the spec's claims. */
  public readonly volumes: docker.Volume[];
  /** The plain inputs and rule models the containers were registered with. */
  public readonly plans: readonly { readonly args: DockerContainerArgs; readonly model: DockerContainer }[];
  /** Findings of the check before registration (warnings and info; errors throw). */
  public readonly findings: readonly Finding[];

  constructor(name: string, args: HardenedServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate and check everything before anything is registered.
    const d = args?.docker ?? {};
    const { spec, plans, findings } = planDockerService(name, args);
    const peerNetworks: pulumi.Output<string>[] = (d.connectTo ?? []).map((p) => p.network.name);
    super('hardened-constructs:docker:HardenedService', name, {}, opts);
    this.spec = spec;
    this.plans = plans;
    this.findings = findings;
    this.network = new docker.Network(`${name}-network`, {
      name: plans[0].args.networksAdvanced[0].name,
      driver: 'bridge',
      labels: [{ label: 'app.kubernetes.io/part-of', value: spec.labels['app.kubernetes.io/part-of'] }],
    }, { parent: this });
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
    const volumeNames = plans[0].args.mounts?.filter((m) => m.type === 'volume').map((m) => m.source) ?? [];
    this.volumes = volumeNames.map((v) => new docker.Volume(`${name}-${v}`, { name: v }, { parent: this, retainOnDelete: true }));
    this.containers = plans.map((p) => new docker.Container(p.args.name, {
      ...p.args,
      image: imageFor(p.model.image!).imageId,
      networksAdvanced: p.args.networksAdvanced.map((n, k) => ({ ...n, name: k === 0 ? this.network.name : peerNetworks[k - 1] })),
    }, { parent: this }));
    this.registerOutputs({ network: this.network.name, containers: this.containers.map((c) => c.name) });
  }
}
