import { k8s } from 'cdk8s-plus-28';
import { renderContainer, renderContainerVolumes, renderPodSecurityContext, renderSpread } from './render';
import type { ConnectablePort } from './workload';
import { ResolvedContainer } from '../spec/container';
import { HardeningError } from '../spec/errors';
import { quote } from '../spec/redact';
import { PodSettings } from '../spec/service';

/**
 * Builds a pod template whose containers, volumes and annotations can still grow after the
 * workload is constructed (a LoggingSidecar attaches later). The template holds the builder's
 * arrays and objects, and every later change is written into it: no Lazy values (no closures kept
 * per workload, nothing to produce at synthesis).
 * @internal
 */
export class PodBuilder {
  // Appends copy (concat: arrays of the exact length; a pushed-to or spread array keeps spare capacity for as long
  // as the app lives); sync() writes the current arrays into the rendered template.
  private containers: readonly k8s.Container[] = [];
  private initContainers: readonly k8s.Container[] = [];
  private volumes: readonly k8s.Volume[] = [];
  private readonly annotations: Record<string, string> = {};
  private minGracePeriod = 0;
  /** The rendered template's metadata and spec, once `template()` was called. */
  private rendered?: { metadata: Record<string, unknown>; spec: Record<string, unknown>; fixed: Partial<k8s.PodSpec> };

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
    if (opts.native) this.initContainers = this.initContainers.concat([rendered]);
    else this.containers = this.containers.concat([rendered]);
    this.volumes = this.volumes.concat(renderContainerVolumes(c));
    this.sync();
    return rendered;
  }

  /** Add a run-to-completion init container (e.g. the dump step before an upload). */
  public addInitContainer(c: ResolvedContainer, opts: { extraMounts?: k8s.VolumeMount[] } = {}): k8s.Container {
    const rendered = renderContainer(c, { extraMounts: opts.extraMounts });
    this.initContainers = this.initContainers.concat([rendered]);
    this.volumes = this.volumes.concat(renderContainerVolumes(c));
    this.sync();
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
    this.volumes = this.volumes.concat([v]);
    this.sync();
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
    this.sync();
  }

  /** Make sure the grace period is at least this long (e.g. for a log shipper to flush). */
  public requireGracePeriod(seconds: number): void {
    this.minGracePeriod = Math.max(this.minGracePeriod, seconds);
    this.sync();
  }

  /**
   * The pod template. Containers, volumes and annotations added later appear in it (the template
   * references the builder's arrays; optional fields are set once they have content).
   */
  public template(extraSpec: Partial<k8s.PodSpec> = {}): k8s.PodTemplateSpec {
    const metadata: Record<string, unknown> = { labels: { ...this.labels } };
    const spec: Record<string, unknown> = {
      serviceAccountName: this.serviceAccountName,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: renderPodSecurityContext(this.settings),
      priorityClassName: this.settings.priorityClassName,
      terminationGracePeriodSeconds: this.settings.terminationGracePeriodSeconds,
      ...renderSpread(this.selector, this.requiredAntiAffinity),
      containers: this.containers,
      volumes: this.volumes,
      ...extraSpec,
    };
    this.rendered = { metadata, spec, fixed: extraSpec };
    this.sync();
    return { metadata, spec } as unknown as k8s.PodTemplateSpec;
  }

  /** Write the fields that can still change into the rendered template. */
  private sync(): void {
    const r = this.rendered;
    if (!r) return;
    // What the caller set explicitly in `extraSpec` stays as given.
    if (r.fixed.containers === undefined) r.spec.containers = this.containers;
    if (r.fixed.volumes === undefined) r.spec.volumes = this.volumes;
    if (this.initContainers.length && r.fixed.initContainers === undefined) r.spec.initContainers = this.initContainers;
    if (r.fixed.terminationGracePeriodSeconds === undefined) {
      r.spec.terminationGracePeriodSeconds = Math.max(this.settings.terminationGracePeriodSeconds, this.minGracePeriod);
    }
    for (const _ in this.annotations) {
      r.metadata.annotations = this.annotations;
      break;
    }
  }
}

/** Named ports of a pod's other containers (sidecars), reachable by name. @internal */
export function sidecarPorts(pod: PodBuilder, main: readonly ConnectablePort[]): ConnectablePort[] {
  return pod.ports()
    .filter((p) => p.name && !main.some((m) => m.name === p.name))
    .map((p) => ({ name: p.name!, port: p.port, protocol: p.protocol }));
}
