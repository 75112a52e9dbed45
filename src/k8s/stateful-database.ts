import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { dictionaryChildren, fixedChildIds } from './children';
import { ensurePolicyGuard } from './guard';
import { annotateAll } from './metadata';
import { WorkloadNetwork } from './network';
import { PodBuilder, sidecarPorts } from './pod-builder';
import { relaxationAnnotations } from './suppressions';
import { ConnectablePort, connect, IHardenedWorkload, isHardenedWorkload, peerOf } from './workload';
import { ResolvedContainer } from '../spec/container';
import { ResolvedDatabase, resolveDatabase, StatefulDatabaseSpec } from '../spec/database';
import { DEFAULTS, DOMAIN } from '../spec/defaults';
import { Refuser } from '../spec/errors';
import { NetworkPeer } from '../spec/network';

/** Props of {@link StatefulDatabase}: the backend-neutral spec. */
export interface StatefulDatabaseProps extends StatefulDatabaseSpec {}

const BACKUP_DIR = '/backup';
const q = (s: string) => k8s.Quantity.fromString(s);

/**
 * A database as a StatefulSet, hardened like every workload here: one claim per replica from
 * volumeClaimTemplates (kept when the StatefulSet is deleted or scaled down), a governing headless
 * Service plus a client Service, credentials only from a Secret you create (mounted as files where
 * the engine reads `*_FILE`), a NetworkPolicy admitting only declared clients, a PDB, and optional
 * scheduled backups with retention and a restore Job.
 */
export class StatefulDatabase extends Construct implements IHardenedWorkload {
  public readonly spec: ResolvedDatabase;
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** Governing headless Service (stable per-replica DNS names). */
  public readonly headlessService: k8s.KubeService;
  /** The Service clients connect to. */
  public readonly service: k8s.KubeService;
  public readonly serviceAccount: k8s.KubeServiceAccount;
  public readonly podDisruptionBudget: k8s.KubePodDisruptionBudget;
  public readonly networkPolicy: k8s.KubeNetworkPolicy;
  public readonly backupCronJob?: k8s.KubeCronJob;
  public readonly backupClaim?: k8s.KubePersistentVolumeClaim;
  public readonly backupNetworkPolicy?: k8s.KubeNetworkPolicy;
  public readonly volumeSnapshot?: ApiObject;
  /** @internal */
  public readonly pod: PodBuilder;
  private readonly network: WorkloadNetwork;
  private jobServiceAccount?: k8s.KubeServiceAccount;
  private restoreJob?: k8s.KubeJob;

  constructor(scope: Construct, id: string, props: StatefulDatabaseProps) {
    super(dictionaryChildren(scope), id);
    fixedChildIds(this);
    const spec = resolveDatabase(props, { constructPath: this.node.path, defaultName: id, defaultNamespace: Chart.of(this).namespace });
    this.spec = spec;
    const metadata = { name: spec.name, namespace: spec.namespace, labels: { ...spec.labels } };
    const refuser = new Refuser(this.node.path);

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata, automountServiceAccountToken: false });

    const servicePort = { name: spec.port.name, port: spec.port.port, targetPort: k8s.IntOrString.fromString(spec.port.name), protocol: 'TCP' };
    this.headlessService = new k8s.KubeService(this, 'HeadlessService', {
      metadata: Object.assign({}, metadata, { name: spec.headlessServiceName }),
      spec: { clusterIp: 'None', publishNotReadyAddresses: true, selector: { ...spec.selector }, ports: [servicePort] },
    });
    this.service = new k8s.KubeService(this, 'Service', {
      metadata,
      spec: { type: 'ClusterIP', selector: { ...spec.selector }, ports: [servicePort] },
    });

    this.pod = new PodBuilder(spec.pod, spec.labels, spec.selector, spec.name, spec.replicated);
    this.pod.addContainer(spec.container, { extraMounts: [{ name: 'data', mountPath: spec.dataPath }] });
    for (const [k, v] of Object.entries(spec.annotations)) this.pod.addAnnotation(k, v);
    const annotations = relaxationAnnotations(spec.relaxations);
    if (spec.cache) {
      // Cache mode: /data is size-limited scratch (replica full syncs), never a claim.
      this.pod.addVolume({ name: 'data', emptyDir: { sizeLimit: q(spec.cache.sizeLimit) } });
      annotations[`${DOMAIN}/cache-mode`] = `nothing is persisted; a restart starts empty: ${spec.cache.reason}`;
    }
    this.statefulSet = new k8s.KubeStatefulSet(this, 'StatefulSet', {
      metadata: Object.assign({}, metadata, { annotations: Object.keys(annotations).length ? annotations : undefined }),
      spec: {
        serviceName: spec.headlessServiceName,
        replicas: spec.replicas,
        revisionHistoryLimit: DEFAULTS.revisionHistoryLimit,
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate' },
        selector: { matchLabels: { ...spec.selector } },
        persistentVolumeClaimRetentionPolicy: spec.cache ? undefined : { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: this.pod.template(),
        volumeClaimTemplates: spec.cache ? undefined : [{
          metadata: { name: 'data', labels: { ...spec.selector } },
          spec: {
            accessModes: [spec.storage.accessMode],
            storageClassName: spec.storage.storageClassName,
            resources: { requests: { storage: q(spec.storage.size) } },
          },
        }],
      },
    });

    this.podDisruptionBudget = new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
      metadata,
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(DEFAULTS.pdbMaxUnavailable),
        unhealthyPodEvictionPolicy: DEFAULTS.unhealthyPodEvictionPolicy,
        selector: { matchLabels: { ...spec.selector } },
      },
    });

    this.network = new WorkloadNetwork(this, 'NetworkPolicy', metadata, spec.selector, spec.namespace, {
      name: spec.name,
      namespace: spec.namespace,
      kind: 'StatefulSet',
      podLabels: { ...spec.labels },
      path: this.node.path,
      podPorts: () => this.pod.ports(),
      servicePorts: () => [{ port: spec.port.port, targetPort: spec.port.name, protocol: 'TCP' }],
    });
    this.networkPolicy = this.network.policy;
    const dbPort = [{ port: spec.port.name, protocol: 'TCP' as const }];
    spec.clients.forEach((c, i) => this.network.allowIngress(c, dbPort, refuser, `clients[${i}]`));
    if (spec.replicated) {
      // Replicas replicate from replica 0: they talk to each other on the database port.
      const self: NetworkPeer = { kind: 'workload', name: spec.name };
      this.network.allowIngress(self, dbPort, refuser);
      this.network.allowEgress(self, [{ port: spec.port.port }], refuser);
    }

    if (spec.backup) {
      const b = spec.backup;
      this.network.allowIngress({ kind: 'workload', name: b.name }, dbPort, refuser);
      if (b.claim?.create) {
        this.backupClaim = new k8s.KubePersistentVolumeClaim(this, 'BackupClaim', {
          metadata: { name: b.claim.name, namespace: spec.namespace, labels: { ...b.labels } },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: b.claim.storageClassName,
            resources: { requests: { storage: q(b.claim.size!) } },
          },
        });
      }
      const jobPod = this.jobPod(b.labels, b.selector, b.upload ? [] : [b.dump], b.upload ? [b.dump] : [], b.upload?.container);
      this.backupCronJob = new k8s.KubeCronJob(this, 'BackupCronJob', {
        metadata: { name: b.name, namespace: spec.namespace, labels: { ...b.labels } },
        spec: {
          schedule: b.schedule,
          timeZone: b.timeZone,
          concurrencyPolicy: 'Forbid',
          startingDeadlineSeconds: b.startingDeadlineSeconds,
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            metadata: { labels: { ...b.labels } },
            spec: { backoffLimit: b.backoffLimit, activeDeadlineSeconds: b.activeDeadlineSeconds, template: jobPod },
          },
        },
      });
      this.backupNetworkPolicy = this.jobNetworkPolicy('BackupNetworkPolicy', b.name, b.labels, b.selector, b.upload, 'CronJob');
    }

    if (spec.snapshot) {
      this.volumeSnapshot = new ApiObject(this, 'VolumeSnapshot', {
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshot',
        metadata: { name: `${spec.name}-data-0`, namespace: spec.namespace, labels: { ...spec.labels } },
        spec: {
          volumeSnapshotClassName: spec.snapshot.volumeSnapshotClassName,
          source: { persistentVolumeClaimName: `data-${spec.name}-0` },
        },
      });
    }

    this.node.addValidation({
      validate: () => (this.network.ingressCount === 0
        ? [`[network-policy-required] ${this.node.path}: no client may reach database '${spec.name}'. Declare clients (props.clients, db.allowFrom(service) or service.connectTo(db)).`]
        : []),
    });
    annotateAll(this, spec.annotations);
    ensurePolicyGuard(this);
  }

  public get workloadName(): string {
    return this.spec.name;
  }

  public get namespace(): string {
    return this.spec.namespace;
  }

  public get workload() {
    return this.statefulSet;
  }

  public get connectablePorts(): ConnectablePort[] {
    return [{ name: this.spec.port.name, port: this.spec.port.port, protocol: 'TCP' as const }];
  }

  /** Every declared port of the pod, sidecars included. @internal */
  public podConnectablePorts(): ConnectablePort[] {
    const main = this.connectablePorts;
    return [...main, ...sidecarPorts(this.pod, main)];
  }

  /** Admit a client (a workload of this library or a spec peer) on the database port (or the named ports of the pod). */
  public allowFrom(peer: NetworkPeer | IHardenedWorkload, ports?: string[]): void {
    const refuser = new Refuser(this.node.path);
    const all = this.podConnectablePorts();
    const names = ports ?? [this.spec.port.name];
    const resolved = names.map((n, i) => all.find((p) => p.name === n) ?? refuser.refuse('network-policy-required', `allowFrom.ports[${i}]`, `'${n}' is not a declared port.`, `use one of: ${all.map((p) => p.name).join(', ')}.`));
    this.network.allowIngress(isHardenedWorkload(peer) ? peerOf(peer) : peer, resolved.map((p) => ({ port: p.name, protocol: p.protocol })), refuser, isHardenedWorkload(peer) ? `connectFrom(${peer.workloadName})` : 'allowFrom.peer');
  }

  /** Allow the database to open connections to a peer (e.g. an external replication source). */
  public allowTo(peer: NetworkPeer, ports: { port: number; protocol?: 'TCP' | 'UDP' }[]): void {
    this.network.allowEgress(peer, ports, new Refuser(this.node.path));
  }

  /** A client of this database (both NetworkPolicies are updated). Idempotent. */
  public connectFrom(client: IHardenedWorkload): void {
    connect(client, this);
  }

  /** Declare a dependency of the database itself (e.g. on a replication source or a metrics sink). Idempotent. */
  public connectTo(server: IHardenedWorkload, ports?: (string | number)[]): void {
    connect(this, server, ports);
  }

  /**
   * A Job restoring a dump from the backup claim (default: the newest). Create it when you need
   * it (`kubectl apply` the synthesized Job), and remove it afterwards.
   */
  public addRestoreJob(options: { file?: string } = {}): k8s.KubeJob {
    const refuser = new Refuser(this.node.path);
    const b = this.spec.backup;
    if (!b || !b.restore || !b.claim) {
      return refuser.refuse('spec/restore', 'addRestoreJob', b ? `${this.spec.engine} dumps are not restored by a job (or there is no backup claim).` : 'restoring needs backup to be configured.', this.spec.engine === 'redis'
        ? 'scale the StatefulSet to 0, copy the .rdb from the backup claim to data-<name>-0 as dump.rdb (with appendonly off for the first start), then scale up.'
        : 'configure backup with storage: { size } (or existingClaim) first.');
    }
    if (this.restoreJob) refuser.refuse('spec/restore', 'addRestoreJob', 'a restore job already exists for this database.', 'call addRestoreJob once.');
    if (options.file !== undefined && !/^[A-Za-z0-9._-]+$/.test(options.file)) refuser.refuse('spec/restore', 'addRestoreJob.file', `${JSON.stringify(options.file)} is not a dump file name.`, 'give the file name only, e.g. \'orders-20260101T030000Z.dump\'.');
    const name = `${this.spec.name}-restore`;
    const labels = { ...this.spec.labels, 'app.kubernetes.io/instance': name, 'app.kubernetes.io/component': 'restore' };
    const selector = { 'app.kubernetes.io/instance': name };
    const restore = b.restore;
    const container: ResolvedContainer = options.file
      ? { ...restore, env: [...restore.env, { name: 'RESTORE_FILE', value: `${BACKUP_DIR}/${options.file}` }] }
      : restore;
    this.network.allowIngress({ kind: 'workload', name }, [{ port: this.spec.port.name, protocol: 'TCP' }], refuser);
    this.restoreJob = new k8s.KubeJob(this, 'RestoreJob', {
      metadata: { name, namespace: this.spec.namespace, labels },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: 3 * 3600,
        ttlSecondsAfterFinished: 24 * 3600,
        template: this.jobPod(labels, selector, [container], [], undefined, true),
      },
    });
    this.jobNetworkPolicy('RestoreNetworkPolicy', name, labels, selector, undefined, 'Job');
    annotateAll(this, this.spec.annotations);
    return this.restoreJob;
  }

  private ensureJobServiceAccount(): string {
    const name = `${this.spec.name}-jobs`;
    this.jobServiceAccount ??= new k8s.KubeServiceAccount(this, 'JobServiceAccount', {
      metadata: { name, namespace: this.spec.namespace, labels: { ...this.spec.labels, 'app.kubernetes.io/component': 'jobs' } },
      automountServiceAccountToken: false,
    });
    return name;
  }

  private jobPod(
    labels: Record<string, string>,
    selector: Record<string, string>,
    containers: ResolvedContainer[],
    init: ResolvedContainer[],
    upload?: ResolvedContainer,
    readOnlyBackup = false,
  ): k8s.PodTemplateSpec {
    const s = this.spec;
    const pod = new PodBuilder({ ...s.pod, terminationGracePeriodSeconds: 30 }, labels, selector, this.ensureJobServiceAccount());
    for (const [k, v] of Object.entries(s.annotations)) pod.addAnnotation(k, v);
    const b = s.backup!;
    const mount = { name: 'backup', mountPath: BACKUP_DIR, readOnly: readOnlyBackup || undefined };
    for (const c of init) pod.addInitContainer(c, { extraMounts: [mount] });
    for (const c of containers) pod.addContainer(c, { extraMounts: [mount] });
    if (upload) pod.addContainer(upload, { extraMounts: [{ name: 'backup', mountPath: BACKUP_DIR, readOnly: true }] });
    pod.addVolume(b.claim
      ? { name: 'backup', persistentVolumeClaim: { claimName: b.claim.name, readOnly: readOnlyBackup || undefined } }
      : { name: 'backup', emptyDir: { sizeLimit: q('1Gi') } });
    const t = pod.template({ restartPolicy: 'Never' });
    // Jobs run to completion: no spread constraints or anti-affinity needed.
    return { ...t, spec: { ...t.spec!, topologySpreadConstraints: undefined, affinity: undefined } };
  }

  private jobNetworkPolicy(
    id: string,
    name: string,
    labels: Record<string, string>,
    selector: Record<string, string>,
    upload: { peer: NetworkPeer; port: number } | undefined,
    kind: 'CronJob' | 'Job',
  ): k8s.KubeNetworkPolicy {
    const refuser = new Refuser(this.node.path);
    const net = new WorkloadNetwork(this, id, { name, namespace: this.spec.namespace, labels }, selector, this.spec.namespace, {
      name,
      namespace: this.spec.namespace,
      kind,
      podLabels: { ...labels },
      path: this.node.path,
      podPorts: () => [],
      servicePorts: () => [],
    });
    // Job pods accept no connections. The one ingress rule admits only the job's own pods, so the
    // policy states that explicitly (a policy without ingress rules reads like a forgotten one).
    net.allowIngress({ kind: 'workload', name }, [], refuser);
    net.allowEgress({ kind: 'workload', name: this.spec.name }, [{ port: this.spec.port.port }], refuser);
    if (upload) net.allowEgress(upload.peer, [{ port: upload.port }], refuser);
    return net.policy;
  }
}
