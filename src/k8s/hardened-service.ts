import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ensurePolicyGuard } from './guard';
import { annotateAll } from './metadata';
import { WorkloadNetwork } from './network';
import { PodBuilder } from './pod-builder';
import { relaxationAnnotations } from './suppressions';
import { connect, IHardenedWorkload, isHardenedWorkload, peerOf } from './workload';
import { DEFAULTS, DOMAIN } from '../spec/defaults';
import { Refuser } from '../spec/errors';
import { NetworkPeer } from '../spec/network';
import { HardenedServiceSpec, ResolvedService, resolveService } from '../spec/service';

/** Props of {@link HardenedService}: the backend-neutral spec. */
export interface HardenedServiceProps extends HardenedServiceSpec {}

/**
 * A replicated, stateless service, hardened by default: Deployment, ClusterIP Service, dedicated
 * ServiceAccount, PodDisruptionBudget, NetworkPolicy (DNS + declared peers only) and, optionally,
 * a HorizontalPodAutoscaler. Every emitted object is a public, typed property for escape hatches.
 */
export class HardenedService extends Construct implements IHardenedWorkload {
  /** The resolved spec every object was rendered from. */
  public readonly spec: ResolvedService;
  public readonly deployment: k8s.KubeDeployment;
  /** The ClusterIP Service (absent for a worker that declares no port). */
  public readonly service?: k8s.KubeService;
  /** Claims created for `claims`. */
  public readonly claims: k8s.KubePersistentVolumeClaim[];
  public readonly serviceAccount: k8s.KubeServiceAccount;
  public readonly podDisruptionBudget: k8s.KubePodDisruptionBudget;
  public readonly networkPolicy: k8s.KubeNetworkPolicy;
  /** Present when `autoscaling` is set. */
  public readonly autoscaler?: k8s.KubeHorizontalPodAutoscalerV2;

  private readonly network: WorkloadNetwork;
  /** @internal */
  public readonly pod: PodBuilder;

  constructor(scope: Construct, id: string, props: HardenedServiceProps) {
    super(scope, id);
    const chart = Chart.of(this);
    const spec = resolveService(props, { constructPath: this.node.path, defaultName: id, defaultNamespace: chart.namespace });
    this.spec = spec;
    const metadata = { name: spec.name, namespace: spec.namespace, labels: { ...spec.labels } };

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata,
      automountServiceAccountToken: false,
    });

    const main = spec.containers[0];
    if (main.ports.length) {
      this.service = new k8s.KubeService(this, 'Service', {
        metadata,
        spec: {
          type: 'ClusterIP',
          selector: { ...spec.selector },
          ports: main.ports.map((p) => ({ name: p.name, port: p.servicePort, targetPort: k8s.IntOrString.fromString(p.name), protocol: p.protocol })),
        },
      });
    }
    this.claims = spec.claims.map((c) => new k8s.KubePersistentVolumeClaim(this, `Claim-${c.name}`, {
      metadata: { name: c.claimName, namespace: spec.namespace, labels: { ...spec.labels } },
      spec: {
        accessModes: [c.accessMode],
        storageClassName: c.storageClassName,
        resources: { requests: { storage: k8s.Quantity.fromString(c.size) } },
      },
    }));

    const workloadAnnotations = relaxationAnnotations(spec.relaxations);
    if (spec.autoscaling) {
      // kube-score requires an HPA-managed Deployment to omit spec.replicas; Polaris's
      // deploymentMissingReplicas cannot know that. The HPA is the user's explicit choice.
      workloadAnnotations['polaris.fairwinds.com/deploymentMissingReplicas-exempt'] = 'true';
      workloadAnnotations[`${DOMAIN}/replicas-owner`] = `HorizontalPodAutoscaler/${spec.name}: spec.replicas is omitted so the autoscaler owns the count`;
    }

    this.pod = new PodBuilder(spec.pod, spec.labels, spec.selector, spec.name);
    spec.containers.forEach((c, i) => this.pod.addContainer(c, {
      preStop: i === 0,
      extraMounts: i === 0 ? spec.claims.map((cl) => ({ name: `claim-${cl.name}`, mountPath: cl.mountPath, readOnly: cl.readOnly || undefined })) : undefined,
    }));
    spec.initContainers.forEach((c) => this.pod.addInitContainer(c));
    for (const [k, v] of Object.entries(spec.annotations)) this.pod.addAnnotation(k, v);
    spec.claims.forEach((cl) => this.pod.addVolume({ name: `claim-${cl.name}`, persistentVolumeClaim: { claimName: cl.claimName, readOnly: cl.readOnly || undefined } }));
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { ...metadata, annotations: Object.keys(workloadAnnotations).length ? workloadAnnotations : undefined },
      spec: {
        replicas: spec.replicas,
        revisionHistoryLimit: spec.revisionHistoryLimit,
        selector: { matchLabels: { ...spec.selector } },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: k8s.IntOrString.fromString(DEFAULTS.maxSurge),
            maxUnavailable: k8s.IntOrString.fromNumber(DEFAULTS.maxUnavailable),
          },
        },
        template: this.pod.template(),
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

    this.network = new WorkloadNetwork(this, 'NetworkPolicy', metadata, spec.selector, spec.namespace);
    this.networkPolicy = this.network.policy;
    const refuser = new Refuser(this.node.path);
    spec.ingress.forEach((r, i) => this.network.allowIngress(r.from, r.ports.map((name) => ({ port: name, protocol: this.portProtocol(name) })), refuser, `ingress[${i}].from`));
    if (main.ports.length === 0) {
      // A worker accepts no connections. The one ingress rule admits only its own pods, so the
      // policy states that explicitly (a policy without ingress rules reads like a forgotten one).
      this.network.allowIngress({ kind: 'workload', name: spec.name }, [], refuser);
    }
    spec.egress.forEach((r, i) => this.network.allowEgress(r.to, r.ports, refuser, `egress[${i}].to`));

    if (spec.autoscaling) {
      this.autoscaler = new k8s.KubeHorizontalPodAutoscalerV2(this, 'HorizontalPodAutoscaler', {
        metadata,
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: spec.name },
          minReplicas: spec.autoscaling.minReplicas,
          maxReplicas: spec.autoscaling.maxReplicas,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.autoscaling.targetCpuUtilization } } }],
        },
      });
    }

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
    return this.deployment;
  }

  public get connectablePorts() {
    return this.spec.containers[0].ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol }));
  }

  /** Admit traffic from a peer (another workload of this library, or a spec peer) on the named ports (default: all). */
  public allowFrom(peer: NetworkPeer | IHardenedWorkload, ports?: string[]): void {
    const refuser = new Refuser(this.node.path);
    const all = this.spec.containers.flatMap((c) => c.ports.map((p) => p.name));
    for (const p of ports ?? []) {
      if (!all.includes(p)) refuser.refuse('network-policy-required', 'allowFrom.ports', `'${p}' is not a declared port.`, `use one of: ${all.join(', ')}.`);
    }
    const names = ports ?? this.spec.containers[0].ports.map((p) => p.name);
    const from = isHardenedWorkload(peer) ? peerOf(peer) : peer;
    this.network.allowIngress(from, names.map((name) => ({ port: name, protocol: this.portProtocol(name) })), refuser);
  }

  /** Allow connections from this service to a peer on the given ports. */
  public allowTo(peer: NetworkPeer, ports: { port: number; protocol?: 'TCP' | 'UDP' }[]): void {
    this.network.allowEgress(peer, ports, new Refuser(this.node.path));
  }

  /** Declare a dependency: this service connects to `server` (both NetworkPolicies are updated). */
  public connectTo(server: IHardenedWorkload, portNames?: string[]): void {
    connect(this, server, portNames);
  }

  /** Add an annotation to the pod template (e.g. a config hash that rolls the pods on change). */
  public addPodAnnotation(key: string, value: string): void {
    this.pod.addAnnotation(key, value);
  }

  private portProtocol(name: string): 'TCP' | 'UDP' {
    for (const c of this.spec.containers) {
      const p = c.ports.find((x) => x.name === name);
      if (p) return p.protocol;
    }
    return 'TCP';
  }
}
