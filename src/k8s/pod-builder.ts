import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { renderContainer, renderContainerVolumes, renderPodSecurityContext, renderSpread } from './render';
import type { ConnectablePort } from './workload';
import { ResolvedContainer } from '../spec/container';
import { HardeningError } from '../spec/errors';
import { quote } from '../spec/redact';
import { PodSettings } from '../spec/service';

/**
 * Builds a pod template whose containers, volumes and annotations can still grow after the
 * workload is constructed (a LoggingSidecar attaches later). Everything renders lazily at synth.
 * @internal
 */
export class PodBuilder {
  private readonly containers: k8s.Container[] = [];
  private readonly initContainers: k8s.Container[] = [];
  private readonly volumes: k8s.Volume[] = [];
  private readonly annotations: Record<string, string> = {};
  private minGracePeriod = 0;

  constructor(
    private readonly settings: PodSettings,
    private readonly labels: Record<string, string>,
    private readonly selector: Record<string, string>,
    private readonly serviceAccountName: string,
    private readonly requiredAntiAffinity = false,
  ) {}

  /** Add a resolved container (and its own volumes). `extraMounts` are mounts of shared volumes. */
  public addContainer(c: ResolvedContainer, opts: { extraMounts?: k8s.VolumeMount[]; native?: boolean; preStop?: boolean } = {}): k8s.Container {
    const rendered = renderContainer(c, {
      extraMounts: opts.extraMounts,
      preStopDelaySeconds: opts.preStop ? this.settings.preStopDelaySeconds : undefined,
      restartPolicy: opts.native ? 'Always' : undefined,
    });
    (opts.native ? this.initContainers : this.containers).push(rendered);
    this.volumes.push(...renderContainerVolumes(c));
    return rendered;
  }

  /** Add a run-to-completion init container (e.g. the dump step before an upload). */
  public addInitContainer(c: ResolvedContainer, opts: { extraMounts?: k8s.VolumeMount[] } = {}): k8s.Container {
    const rendered = renderContainer(c, { extraMounts: opts.extraMounts });
    this.initContainers.push(rendered);
    this.volumes.push(...renderContainerVolumes(c));
    return rendered;
  }

  /** Mount a shared volume into an already added container. */
  public mount(containerName: string, mount: k8s.VolumeMount): void {
    const c = [...this.containers, ...this.initContainers].find((x) => x.name === containerName);
    if (!c) throw new HardeningError({ ruleId: 'spec/container', constructPath: this.serviceAccountName, fieldPath: 'containers', message: `no container ${quote(containerName)} in the pod.`, fix: 'mount into a container the workload declares.' });
    (c.volumeMounts as k8s.VolumeMount[]).push(mount);
  }

  public addVolume(v: k8s.Volume): void {
    if (this.volumes.some((x) => x.name === v.name)) throw new HardeningError({ ruleId: 'spec/api-validation', constructPath: this.serviceAccountName, fieldPath: 'volumes', message: `volume ${quote(v.name)} is defined twice in the pod (a claim, writable path or sidecar volume derives the same name): the API server rejects it.`, fix: 'rename the claim, writable path owner or container so the derived volume names differ.' });
    this.volumes.push(v);
  }

  /** Every declared port of the pod's long-running containers (native sidecars included). */
  public ports(): { name?: string; port: number; protocol: 'TCP' | 'UDP' }[] {
    const running = [...this.containers, ...this.initContainers.filter((c) => c.restartPolicy === 'Always')];
    return running.flatMap((c) => (c.ports ?? []).map((p) => ({ name: p.name, port: p.containerPort, protocol: (p.protocol ?? 'TCP') as 'TCP' | 'UDP' })));
  }

  public hasContainer(name: string): boolean {
    return [...this.containers, ...this.initContainers].some((c) => c.name === name);
  }

  public addAnnotation(key: string, value: string): void {
    this.annotations[key] = value;
  }

  /** Make sure the grace period is at least this long (e.g. for a log shipper to flush). */
  public requireGracePeriod(seconds: number): void {
    this.minGracePeriod = Math.max(this.minGracePeriod, seconds);
  }

  /** The pod template (lazy where it can still change). */
  public template(extraSpec: Partial<k8s.PodSpec> = {}): k8s.PodTemplateSpec {
    return {
      metadata: {
        labels: { ...this.labels },
        annotations: Lazy.any({ produce: () => (Object.keys(this.annotations).length ? { ...this.annotations } : undefined) }),
      },
      spec: {
        serviceAccountName: this.serviceAccountName,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: renderPodSecurityContext(this.settings),
        priorityClassName: this.settings.priorityClassName,
        terminationGracePeriodSeconds: Lazy.any({
          produce: () => Math.max(this.settings.terminationGracePeriodSeconds, this.minGracePeriod),
        }) as unknown as number,
        ...renderSpread(this.selector, this.requiredAntiAffinity),
        initContainers: Lazy.any({ produce: () => (this.initContainers.length ? this.initContainers : undefined) }) as unknown as k8s.Container[],
        containers: Lazy.any({ produce: () => this.containers }) as unknown as k8s.Container[],
        volumes: Lazy.any({ produce: () => this.volumes }) as unknown as k8s.Volume[],
        ...extraSpec,
      },
    };
  }
}

/** Named ports of a pod's other containers (sidecars), reachable by name. @internal */
export function sidecarPorts(pod: PodBuilder, main: readonly ConnectablePort[]): ConnectablePort[] {
  return pod.ports()
    .filter((p) => p.name && !main.some((m) => m.name === p.name))
    .map((p) => ({ name: p.name!, port: p.port, protocol: p.protocol }));
}
