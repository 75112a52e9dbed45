import { k8s } from 'cdk8s-plus-28';
import { ResolvedContainer, ResolvedProbe, ResourceAmounts } from '../spec/container';
import { DEFAULTS } from '../spec/defaults';
import { NetworkPeer } from '../spec/network';

/**
 * Pure functions from the resolved spec to typed Kubernetes (L1) structures. Every construct of
 * this library renders pods, containers and peers through here, so they cannot drift apart.
 */

const q = (s: string) => k8s.Quantity.fromString(s);

function renderAmounts(a: ResourceAmounts): { [key: string]: k8s.Quantity } {
  return { 'cpu': q(a.cpu), 'memory': q(a.memory), 'ephemeral-storage': q(a.ephemeralStorage) };
}

export function renderProbe(p: ResolvedProbe | undefined): k8s.Probe | undefined {
  if (!p) return undefined;
  const timing = {
    initialDelaySeconds: p.initialDelaySeconds,
    periodSeconds: p.periodSeconds,
    timeoutSeconds: p.timeoutSeconds,
    failureThreshold: p.failureThreshold,
    successThreshold: p.successThreshold,
  };
  if ('http' in p) {
    const httpHeaders = p.http.httpHeaders?.map((h) => ({ name: h.name, value: h.value }));
    const httpGet = { path: p.http.path, port: k8s.IntOrString.fromString(p.http.port), scheme: p.http.scheme, httpHeaders };
    return Object.assign(timing, { httpGet });
  }
  if ('tcp' in p) return Object.assign(timing, { tcpSocket: { port: k8s.IntOrString.fromString(p.tcp.port) } });
  if ('grpc' in p) return Object.assign(timing, { grpc: { port: p.grpc.portNumber, service: p.grpc.service } });
  return Object.assign(timing, { exec: { command: p.exec.command } });
}

/** Volumes a container needs (its writable emptyDirs and secret files). */
export function renderContainerVolumes(c: ResolvedContainer): k8s.Volume[] {
  const volumes: k8s.Volume[] = c.writablePaths.map((w) => ({
    name: w.volumeName,
    emptyDir: { sizeLimit: q(w.sizeLimit), medium: w.inMemory ? 'Memory' : undefined },
  }));
  c.secretFiles.forEach((s, i) => volumes.push({
    name: `${c.name}-secret-${i}`,
    secret: { secretName: s.secretName, defaultMode: 0o440, items: s.keys?.map((key) => ({ key, path: key })) },
  }));
  return volumes;
}

export interface RenderContainerOptions {
  /** Sleep this long in preStop. */
  readonly preStopDelaySeconds?: number;
  /** Extra mounts (e.g. a shared log directory or a data claim). */
  readonly extraMounts?: k8s.VolumeMount[];
  /** Native sidecar: an init container with restartPolicy Always. */
  readonly restartPolicy?: 'Always';
}

export function renderContainer(c: ResolvedContainer, opts: RenderContainerOptions = {}): k8s.Container {
  const env: k8s.EnvVar[] = c.env.map((e) => {
    if ('secret' in e) return { name: e.name, valueFrom: { secretKeyRef: { name: e.secret.name, key: e.secret.key, optional: e.secret.optional } } };
    if ('configMap' in e) return { name: e.name, valueFrom: { configMapKeyRef: { name: e.configMap.name, key: e.configMap.key, optional: e.configMap.optional } } };
    return { name: e.name, value: e.value };
  });
  const mounts: k8s.VolumeMount[] = c.writablePaths.map((w) => ({ name: w.volumeName, mountPath: w.path }));
  c.secretFiles.forEach((s, i) => mounts.push({ name: `${c.name}-secret-${i}`, mountPath: s.mountPath, readOnly: true }));
  mounts.push(...(opts.extraMounts ?? []));
  const s = c.security;
  return {
    name: c.name,
    image: c.image.normalized,
    imagePullPolicy: 'Always',
    command: c.command,
    args: c.args,
    ports: c.ports.length ? c.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol })) : undefined,
    env,
    resources: { requests: renderAmounts(c.resources.requests), limits: renderAmounts(c.resources.limits) },
    readinessProbe: renderProbe(c.probes.readiness),
    livenessProbe: renderProbe(c.probes.liveness),
    startupProbe: renderProbe(c.probes.startup),
    lifecycle: opts.preStopDelaySeconds ? { preStop: { exec: { command: ['sleep', String(opts.preStopDelaySeconds)] } } } : undefined,
    securityContext: {
      allowPrivilegeEscalation: s.allowPrivilegeEscalation,
      privileged: s.privileged,
      readOnlyRootFilesystem: s.readOnlyRootFilesystem,
      runAsNonRoot: s.runAsNonRoot,
      runAsUser: s.runAsUser,
      runAsGroup: s.runAsGroup,
      capabilities: { drop: [...s.capabilitiesDrop], add: s.capabilitiesAdd.length ? [...s.capabilitiesAdd] : undefined },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: mounts,
    restartPolicy: opts.restartPolicy,
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

/** Pod-level security context shared by every workload. */
export function renderPodSecurityContext(
  pod: { runAsUser: number; runAsGroup: number; fsGroup: number; runAsNonRoot: boolean },
): k8s.PodSecurityContext {
  return {
    runAsNonRoot: pod.runAsNonRoot,
    runAsUser: pod.runAsUser,
    runAsGroup: pod.runAsGroup,
    fsGroup: pod.fsGroup,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Soft zone spread plus preferred anti-affinity on hostname. */
export function renderSpread(selector: Record<string, string>, requiredAntiAffinity = false): Pick<k8s.PodSpec, 'topologySpreadConstraints' | 'affinity'> {
  const term = { labelSelector: { matchLabels: selector }, topologyKey: DEFAULTS.antiAffinityTopologyKey };
  return {
    topologySpreadConstraints: [{
      maxSkew: 1,
      topologyKey: DEFAULTS.spreadTopologyKey,
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: selector },
    }],
    affinity: {
      podAntiAffinity: requiredAntiAffinity
        ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
        : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: DEFAULTS.antiAffinityWeight, podAffinityTerm: term }] },
    },
  };
}

/** A NetworkPolicy peer for a spec peer, seen from `namespace`. */
export function renderPeer(peer: NetworkPeer, namespace: string): k8s.NetworkPolicyPeer {
  switch (peer.kind) {
    case 'workload':
      return {
        podSelector: { matchLabels: { 'app.kubernetes.io/instance': peer.name } },
        namespaceSelector: peer.namespace && peer.namespace !== namespace ? { matchLabels: { 'kubernetes.io/metadata.name': peer.namespace } } : undefined,
      };
    case 'namespace':
      return {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': peer.namespace } },
        podSelector: peer.podLabels && Object.keys(peer.podLabels).length ? { matchLabels: { ...peer.podLabels } } : undefined,
      };
    case 'cidr':
      return { ipBlock: { cidr: peer.cidr, except: peer.except } };
  }
}

/** The egress rule every policy gets: DNS to the cluster resolver. */
export function renderDnsEgress(): k8s.NetworkPolicyEgressRule {
  return {
    to: [{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': DEFAULTS.dnsNamespace } },
      podSelector: { matchLabels: { ...DEFAULTS.dnsPodLabels } },
    }],
    ports: [
      { port: k8s.IntOrString.fromNumber(53), protocol: 'UDP' },
      { port: k8s.IntOrString.fromNumber(53), protocol: 'TCP' },
    ],
  };
}
