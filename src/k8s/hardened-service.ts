import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IValidation } from 'constructs';
import { dictionaryChildren, fixedChildIds } from './children';
import { GrpcRouteExposure, HttpRouteExposure, IngressExposure } from './exposure';
import { ensurePolicyGuard } from './guard';
import { annotateAll } from './metadata';
import { NetworkOwner, WorkloadNetwork } from './network';
import { PodBuilder, sidecarPorts } from './pod-builder';
import { relaxationAnnotations } from './suppressions';
import { ConnectablePort, connect, IHardenedWorkload, isHardenedWorkload, peerOf } from './workload';
import { DEFAULTS, DOMAIN } from '../spec/defaults';
import { HardeningError, Refuser } from '../spec/errors';
import { GrpcRouteExposureSpec, HttpRouteExposureSpec, IngressExposureSpec } from '../spec/exposure';
import { NetworkPeer } from '../spec/network';
import { HardenedServiceSpec, ResolvedService, resolveService } from '../spec/service';

/** What a service's NetworkPolicy needs to know of it (one object per service, no closures). */
class ServiceNetworkOwner implements NetworkOwner {
  public readonly kind = 'Deployment';
  public readonly name: string;
  public readonly namespace: string;
  public readonly podLabels: Record<string, string>;
  constructor(public readonly path: string, private readonly spec: ResolvedService, private readonly pod: PodBuilder) {
    this.name = spec.name;
    this.namespace = spec.namespace;
    this.podLabels = { ...spec.labels };
  }

  public podPorts() {
    return this.pod.ports();
  }

  public servicePorts() {
    return this.spec.containers[0].ports.map((p) => ({ port: p.servicePort, targetPort: p.name, protocol: p.protocol }));
  }
}

/** At synthesis: a service with ports that nobody may reach is refused (connections come until then). */
class ReachableCheck implements IValidation {
  constructor(private readonly path: string, private readonly spec: ResolvedService, private readonly network: WorkloadNetwork) {}

  public validate(): string[] {
    const name = this.spec.name;
    if (this.spec.containers[0].ports.length > 0 && this.network.ingressCount === 0) {
      throw new HardeningError({
        ruleId: 'network-policy-required',
        constructPath: this.path,
        fieldPath: 'ingress',
        message: `nobody may reach service '${name}': no ingress peer was declared (props.ingress) and nothing connected to it, so its NetworkPolicy admits nothing (and Polaris flags a policy without an ingress rule).`,
        fix: `connect a client (client.connectTo(${name})), expose it (exposeViaIngress / exposeViaHttpRoute), or declare who may connect: ingress: [{ from: Peer.workload('web') }]; for a worker, its metrics scraper: [{ from: Peer.monitoring(), ports: ['metrics'] }].`,
      });
    }
    return [];
  }
}

/** Props of {@link HardenedService}: the backend-neutral spec. */
export interface HardenedServiceProps extends HardenedServiceSpec {}

/**
 * A replicated, stateless service, hardened by default: Deployment, ClusterIP Service (or a
 * reasoned LoadBalancer), dedicated ServiceAccount, PodDisruptionBudget, NetworkPolicy (DNS +
 * declared peers only) and, optionally, a HorizontalPodAutoscaler. Peers can be declared in props
 * or by calls (`connectTo`, `allowFrom`, `exposeVia…`) until synthesis, where a service nobody may
 * reach is refused. Every emitted object is a public, typed property for escape hatches.
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
    super(dictionaryChildren(scope), id);
    fixedChildIds(this);
    const chart = Chart.of(this);
    // Clients may still connect after construction: "nobody may reach it" is checked at synthesis.
    const ctx = { constructPath: this.node.path, defaultName: id, defaultNamespace: chart.namespace, deferIngressCheck: true };
    const spec = resolveService(props, ctx);
    this.spec = spec;
    const metadata = { name: spec.name, namespace: spec.namespace, labels: { ...spec.labels } };

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata,
      automountServiceAccountToken: false,
    });

    const main = spec.containers[0];
    if (main.ports.length) {
      const lb = spec.loadBalancer;
      const servicePorts = main.ports.map((p) => ({
        name: p.name, port: p.servicePort, targetPort: k8s.IntOrString.fromString(p.name), protocol: p.protocol,
      }));
      this.service = new k8s.KubeService(this, 'Service', {
        metadata: lb
          ? { name: metadata.name, namespace: metadata.namespace, labels: metadata.labels, annotations: { [`${DOMAIN}/exposure`]: `LoadBalancer: ${lb.reason}${lb.internetFacing ? `; internet-facing: ${lb.internetFacing}` : ''}` } }
          : metadata,
        spec: lb
          ? {
            type: 'LoadBalancer',
            selector: { ...spec.selector },
            ports: servicePorts.filter((p) => lb.ports.includes(p.name)),
            loadBalancerSourceRanges: [...lb.sourceRanges],
            // Local keeps the client address, so the NetworkPolicy's ipBlocks see the real source.
            externalTrafficPolicy: 'Local',
          }
          : {
            type: 'ClusterIP',
            selector: { ...spec.selector },
            ports: servicePorts,
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
      metadata: {
        name: metadata.name,
        namespace: metadata.namespace,
        labels: metadata.labels,
        annotations: Object.keys(workloadAnnotations).length ? workloadAnnotations : undefined,
      },
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

    this.network = new WorkloadNetwork(this, 'NetworkPolicy', metadata, spec.selector, spec.namespace, new ServiceNetworkOwner(this.node.path, spec, this.pod));
    this.networkPolicy = this.network.policy;
    const refuser = new Refuser(this.node.path);
    if (spec.loadBalancer) {
      // The reasoned exposure: exactly the source ranges, on the exposed pod ports.
      const lbPorts = spec.loadBalancer.ports.map((name) => ({ port: name, protocol: this.portProtocol(name) }));
      spec.loadBalancer.sourceRanges.forEach((cidr) => this.network.allowIngress({ kind: 'cidr', cidr }, lbPorts, refuser, 'loadBalancer.sourceRanges', true));
    }
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

    this.node.addValidation(new ReachableCheck(this.node.path, spec, this.network));
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

  /** The main container's ports (what `connectTo` uses by default). */
  public get connectablePorts(): ConnectablePort[] {
    return this.spec.containers[0].ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol, servicePort: p.servicePort }));
  }

  /** Every declared port of the pod, sidecars included (reachable by name). @internal */
  public podConnectablePorts(): ConnectablePort[] {
    const main = this.connectablePorts;
    return [...main, ...sidecarPorts(this.pod, main)];
  }

  /** Admit traffic from a peer (another workload of this library, or a spec peer) on the named ports (default: the main container's). */
  public allowFrom(peer: NetworkPeer | IHardenedWorkload, ports?: string[]): void {
    const refuser = new Refuser(this.node.path);
    const all = this.podConnectablePorts().map((p) => p.name);
    if (all.length === 0) refuser.refuse('spec/connect', 'allowFrom', `${this.spec.name} declares no port: it accepts no connections.`, 'declare the port the process listens on, or remove the rule.');
    for (const p of ports ?? []) {
      if (!all.includes(p)) refuser.refuse('network-policy-required', 'allowFrom.ports', `'${p}' is not a declared port.`, `use one of: ${all.join(', ')}.`);
    }
    const names = ports ?? this.spec.containers[0].ports.map((p) => p.name);
    const from = isHardenedWorkload(peer) ? peerOf(peer) : peer;
    this.network.allowIngress(from, names.map((name) => ({ port: name, protocol: this.portProtocol(name) })), refuser, isHardenedWorkload(peer) ? `connectFrom(${peer.workloadName})` : 'allowFrom.peer');
  }

  /** Allow connections from this service to a peer on the given ports. */
  public allowTo(peer: NetworkPeer, ports: { port: number; protocol?: 'TCP' | 'UDP' }[]): void {
    this.network.allowEgress(peer, ports, new Refuser(this.node.path));
  }

  /**
   * Declare a dependency: this service connects to `server` (both NetworkPolicies are updated).
   * `ports` are port names, pod ports or Service ports (resolved to the pod ports behind them);
   * default: every port of the server's main container. Idempotent.
   */
  public connectTo(server: IHardenedWorkload, ports?: (string | number)[]): void {
    connect(this, server, ports);
  }

  /** Receive traffic through an Ingress (the controller's pods are admitted on the pod port). */
  public exposeViaIngress(props: IngressExposureSpec, id = 'Ingress'): IngressExposure {
    return new IngressExposure(this, id, { ...props, service: this });
  }

  /** Receive traffic through a Gateway API HTTPRoute attached to an existing Gateway. */
  public exposeViaHttpRoute(props: HttpRouteExposureSpec, id = 'HttpRoute'): HttpRouteExposure {
    return new HttpRouteExposure(this, id, { ...props, service: this });
  }

  /** Receive traffic through a Gateway API GRPCRoute attached to an existing Gateway. */
  public exposeViaGrpcRoute(props: GrpcRouteExposureSpec, id = 'GrpcRoute'): GrpcRouteExposure {
    return new GrpcRouteExposure(this, id, { ...props, service: this });
  }

  /** Admit an entry point (exposure constructs) on one port; the peer was checked by their resolve step. @internal */
  public _admitEntry(peer: NetworkPeer, portName: string, field: string): void {
    this.network.allowIngress(peer, [{ port: portName, protocol: this.portProtocol(portName) }], new Refuser(this.node.path), field);
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
