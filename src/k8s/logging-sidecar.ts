import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppNetwork } from './app-network';
import { dictionaryChildren, fixedChildIds } from './children';
import { ensurePolicyGuard } from './guard';
import { HardenedService } from './hardened-service';
import { StatefulDatabase } from './stateful-database';
import { connect, isHardenedWorkload } from './workload';
import { DEFAULTS, DOMAIN } from '../spec/defaults';
import { Refuser } from '../spec/errors';
import { LoggingSidecarSpec, ResolvedLoggingSidecar, resolveLoggingSidecar } from '../spec/logging';
import { NetworkPeer } from '../spec/network';
import { parseQuantity } from '../spec/quantity';
import { quote } from '../spec/redact';

/** A workload the sidecar can attach to: this library's, or any cdk8s-plus pod-bearing workload. */
export type LogTarget = HardenedService | StatefulDatabase | kplus.AbstractPod;

/** Props of {@link LoggingSidecar}. */
export interface LoggingSidecarProps extends LoggingSidecarSpec {
  /** The workload whose log files are shipped. */
  readonly target: LogTarget;
}

const CONFIG_DIR = '/fluent-bit/etc';
const LOG_VOLUME = 'app-logs';
const CONFIG_VOLUME = 'fluent-bit-config';

/**
 * Fluent Bit next to an application that writes log files: the app writes into a shared,
 * size-limited emptyDir at `logPath`; the sidecar tails it (offset DB and filesystem buffer on its
 * own emptyDir, memory buffer limit, long lines skipped) and ships to stdout, forward, Loki,
 * Elasticsearch or HTTP. Its config is a ConfigMap whose hash is a pod annotation, so a change
 * rolls the pods. The sidecar is hardened like every other container.
 */
export class LoggingSidecar extends Construct {
  public readonly spec!: ResolvedLoggingSidecar;
  public readonly configMap!: k8s.KubeConfigMap;

  constructor(scope: Construct, id: string, props: LoggingSidecarProps) {
    super(dictionaryChildren(scope), id);
    fixedChildIds(this);
    const refuser = new Refuser(this.node.path);
    const target = props.target;
    if (target instanceof HardenedService || target instanceof StatefulDatabase) {
      const main = target instanceof HardenedService ? target.spec.containers[0] : target.spec.container;
      this.spec = resolveLoggingSidecar(props, {
        constructPath: this.node.path,
        workload: target.workloadName,
        namespace: target.namespace,
        // The sidecar runs as the pod's (non-root) user, so it can read the shared log volume.
        user: main.security.runAsUser || DEFAULTS.user,
        group: main.security.runAsGroup || DEFAULTS.group,
      });
      if ((parseQuantity(this.spec.volumeSize) ?? 0) > main.resourceNumbers.limits['ephemeral-storage']) {
        refuser.refuse('ephemeral-storage-limits', 'volumeSize', `the log volume (${this.spec.volumeSize}) is larger than the application's ephemeral-storage limit ${main.resources.limits.ephemeralStorage}: the pod is evicted before the volume fills.`, 'lower volumeSize or raise the application container\'s limits.ephemeralStorage.');
      }
      if (target.pod.hasContainer('fluent-bit')) refuser.refuse('spec/logging', 'target', `${target.workloadName} already has a logging sidecar.`, 'attach one LoggingSidecar per workload.');
      this.configMap = this.createConfigMap(target.workloadName, target.namespace);
      const pod = target.pod;
      pod.addVolume({ name: LOG_VOLUME, emptyDir: { sizeLimit: k8s.Quantity.fromString(this.spec.volumeSize) } });
      pod.addVolume({ name: CONFIG_VOLUME, configMap: { name: this.configMap.name, defaultMode: 0o444 } });
      pod.mount(main.name, { name: LOG_VOLUME, mountPath: this.spec.logPath });
      pod.addContainer(this.spec.container, {
        native: this.spec.nativeSidecar,
        extraMounts: [
          { name: LOG_VOLUME, mountPath: this.spec.logPath, readOnly: true },
          { name: CONFIG_VOLUME, mountPath: CONFIG_DIR, readOnly: true },
        ],
      });
      pod.addAnnotation(`${DOMAIN}/fluent-bit-config`, this.spec.configHash);
      pod.requireGracePeriod(this.spec.graceSeconds);
      if (this.spec.egress) connectOutput(this, target, this.spec.egress);
    } else if (isKplusPod(target)) {
      if (target.containers.length === 0) {
        refuser.refuse('spec/logging', 'target', `${quote(ApiObject.of(target).name)} has no container yet, so there is no application to collect logs from.`, 'add the application container to the workload first (workload.addContainer(…)), then attach the LoggingSidecar.');
      }
      const name = ApiObject.of(target).name;
      const namespace = ApiObject.of(target).metadata.namespace ?? 'default';
      const sc = target.containers[0]?.securityContext;
      this.spec = resolveLoggingSidecar(props, {
        constructPath: this.node.path,
        workload: name,
        namespace,
        user: sc?.user ?? DEFAULTS.user,
        group: sc?.group ?? DEFAULTS.group,
      });
      this.configMap = this.createConfigMap(name, namespace);
      attachToKplus(this, target, this.spec, this.configMap.name);
    } else {
      refuser.refuse('spec/logging', 'target', 'the target is neither a workload of this library nor a cdk8s-plus workload.', 'pass a HardenedService, a StatefulDatabase, or a cdk8s-plus-28 Deployment/StatefulSet/DaemonSet/Job.');
    }
    ensurePolicyGuard(this);
  }

  private createConfigMap(workload: string, namespace: string): k8s.KubeConfigMap {
    return new k8s.KubeConfigMap(this, 'Config', {
      metadata: {
        name: `${workload}-fluent-bit`,
        namespace,
        labels: { 'app.kubernetes.io/name': 'fluent-bit', 'app.kubernetes.io/instance': `${workload}-fluent-bit`, 'app.kubernetes.io/component': 'logging', 'app.kubernetes.io/part-of': workload, 'app.kubernetes.io/managed-by': DEFAULTS.managedBy },
      },
      data: { ...this.spec.config },
    });
  }
}

/**
 * Open the way to the log backend. When the output's peer is a workload of this app (e.g. a Loki
 * run as a HardenedService), both ends are wired once every construct exists, as connectTo does:
 * the target may connect, and the backend admits it.
 */
function connectOutput(scope: Construct, target: HardenedService | StatefulDatabase, egress: { peer: NetworkPeer; port: number }): void {
  const peer = egress.peer;
  if (peer.kind !== 'workload') {
    target.allowTo(peer, [{ port: egress.port }]);
    return;
  }
  const namespace = peer.namespace ?? target.namespace;
  AppNetwork.of(scope).defer(() => {
    const backend = [...AppNetwork.of(scope).selected({ kind: 'workload', name: peer.name, namespace })]
      .map((n) => scope.node.root.node.findAll().find((c) => isHardenedWorkload(c) && c.workloadName === n.owner!.name && c.namespace === namespace))
      .find((c): c is HardenedService | StatefulDatabase => c instanceof HardenedService || c instanceof StatefulDatabase);
    if (backend) connect(target, backend, [egress.port]);
    else target.allowTo({ kind: 'workload', name: peer.name, namespace }, [{ port: egress.port }]);
  });
}

function isKplusPod(x: unknown): x is kplus.AbstractPod {
  return x instanceof kplus.AbstractPod;
}

function size(q: string): Size {
  return Size.kibibytes(Math.ceil((parseQuantity(q) ?? 0) / 1024));
}

/** Attach through the cdk8s-plus API (its JSON patches would drop quantities). */
function attachToKplus(scope: Construct, target: kplus.AbstractPod, spec: ResolvedLoggingSidecar, configMapName: string): void {
  const c = spec.container;
  const logs = kplus.Volume.fromEmptyDir(scope, 'LogVolume', LOG_VOLUME, { sizeLimit: size(spec.volumeSize) });
  const config = kplus.Volume.fromConfigMap(scope, 'ConfigVolume', kplus.ConfigMap.fromConfigMapName(scope, 'ConfigRef', configMapName), { name: CONFIG_VOLUME, defaultMode: 0o444 });
  const main = target.containers[0];
  if (!main) new Refuser(scope.node.path).refuse('spec/logging', 'target', 'the target has no container to collect logs from.', 'add the application container to the workload first, then attach the LoggingSidecar.');
  main.mount(spec.logPath, logs);
  const envVariables: Record<string, kplus.EnvValue> = {};
  for (const e of c.env) {
    if ('secret' in e) envVariables[e.name] = kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(scope, `Secret-${e.name}`, e.secret.name), key: e.secret.key });
    else if ('value' in e) envVariables[e.name] = kplus.EnvValue.fromValue(e.value);
  }
  const cpu = (n: number) => kplus.Cpu.millis(Math.round(n * 1000));
  const r = c.resourceNumbers;
  const props: kplus.ContainerProps = {
    name: c.name,
    image: c.image.normalized,
    imagePullPolicy: kplus.ImagePullPolicy.ALWAYS,
    ports: [{ number: 2020, name: 'fb-http' }],
    envVariables,
    resources: {
      cpu: { request: cpu(r.requests.cpu), limit: cpu(r.limits.cpu) },
      memory: { request: size(String(r.requests.memory)), limit: size(String(r.limits.memory)) },
    },
    securityContext: {
      ensureNonRoot: true,
      user: c.security.runAsUser,
      group: c.security.runAsGroup,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: [kplus.Capability.ALL] },
      seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
    },
    readiness: kplus.Probe.fromHttpGet('/', { port: 2020 }),
    liveness: kplus.Probe.fromHttpGet('/api/v1/uptime', { port: 2020, periodSeconds: Duration.seconds(20) }),
    volumeMounts: [
      { path: spec.logPath, volume: logs, readOnly: true },
      { path: CONFIG_DIR, volume: config, readOnly: true },
      ...c.writablePaths.map((w, i) => ({ path: w.path, volume: kplus.Volume.fromEmptyDir(scope, `Scratch${i}`, w.volumeName, { sizeLimit: size(w.sizeLimit) }) })),
    ],
  };
  if (spec.nativeSidecar) target.addInitContainer({ ...props, restartPolicy: kplus.ContainerRestartPolicy.ALWAYS });
  else target.addContainer(props);
  // cdk8s-plus-28 can express ephemeral-storage only in whole GiB: add the exact amounts with a
  // JSON patch of Quantity objects (plain strings in a patch are dropped by the L1 serializer).
  const list = spec.nativeSidecar ? 'initContainers' : 'containers';
  const index = (spec.nativeSidecar ? target.initContainers : target.containers).length - 1;
  const podPath = target instanceof kplus.Pod ? '/spec' : target instanceof kplus.CronJob ? '/spec/jobTemplate/spec/template/spec' : '/spec/template/spec';
  const base = `${podPath}/${list}/${index}/resources`;
  ApiObject.of(target).addJsonPatch(
    JsonPatch.add(`${base}/requests/ephemeral-storage`, k8s.Quantity.fromString(c.resources.requests.ephemeralStorage)),
    JsonPatch.add(`${base}/limits/ephemeral-storage`, k8s.Quantity.fromString(c.resources.limits.ephemeralStorage)),
  );
  target.podMetadata.addAnnotation(`${DOMAIN}/fluent-bit-config`, spec.configHash);
}
