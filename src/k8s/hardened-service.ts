import { Chart, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ensurePolicyGuard } from './guard';
import { renderContainer, renderContainerVolumes, renderDnsEgress, renderPeer, renderPodSecurityContext, renderSpread } from './render';
import { relaxationAnnotations } from './suppressions';
import { connect, IHardenedWorkload, isHardenedWorkload, peerOf } from './workload';
import { DEFAULTS, DOMAIN } from '../spec/defaults';
import { Refuser } from '../spec/errors';
import { NetworkPeer } from '../spec/network';
import { polarisSensitiveName } from '../spec/secrets';
import { checkPeer, HardenedServiceSpec, ResolvedService, resolveService } from '../spec/service';

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
  public readonly service: k8s.KubeService;
  public readonly serviceAccount: k8s.KubeServiceAccount;
  public readonly podDisruptionBudget: k8s.KubePodDisruptionBudget;
  public readonly networkPolicy: k8s.KubeNetworkPolicy;
  /** Present when `autoscaling` is set. */
  public readonly autoscaler?: k8s.KubeHorizontalPodAutoscalerV2;

  private readonly ingressRules: { from: NetworkPeer; ports: string[] }[];
  private readonly egressRules: { to: NetworkPeer; ports: { port: number; protocol: 'TCP' | 'UDP' }[] }[];
  private readonly extraPodAnnotations: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: HardenedServiceProps) {
    super(scope, id);
    const chart = Chart.of(this);
    const spec = resolveService(props, { constructPath: this.node.path, defaultName: id, defaultNamespace: chart.namespace });
    this.spec = spec;
    this.ingressRules = spec.ingress.map((r) => ({ from: r.from, ports: [...r.ports] }));
    this.egressRules = spec.egress.map((r) => ({ to: r.to, ports: r.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' })) }));
    const metadata = { name: spec.name, namespace: spec.namespace, labels: { ...spec.labels } };

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata,
      automountServiceAccountToken: false,
    });

    const main = spec.containers[0];
    this.service = new k8s.KubeService(this, 'Service', {
      metadata,
      spec: {
        type: 'ClusterIP',
        selector: { ...spec.selector },
        ports: main.ports.map((p) => ({ name: p.name, port: p.servicePort, targetPort: k8s.IntOrString.fromString(p.name), protocol: p.protocol })),
      },
    });

    const workloadAnnotations = relaxationAnnotations(spec.relaxations);
    if (spec.relaxations.some((r) => r.name === 'notASecret' && polarisSensitiveName(r.reason.split(':')[0].split('/')[1] ?? ''))) {
      // The user declared, with a reason, that a secret-looking literal is not a secret.
      workloadAnnotations['polaris.fairwinds.com/sensitiveContainerEnvVar-exempt'] = 'true';
    }
    if (spec.autoscaling) {
      // kube-score requires an HPA-managed Deployment to omit spec.replicas; Polaris's
      // deploymentMissingReplicas cannot know that. The HPA is the user's explicit choice.
      workloadAnnotations['polaris.fairwinds.com/deploymentMissingReplicas-exempt'] = 'true';
      workloadAnnotations[`${DOMAIN}/replicas-owner`] = `HorizontalPodAutoscaler/${spec.name}: spec.replicas is omitted so the autoscaler owns the count`;
    }

    const containers = spec.containers.map((c, i) => renderContainer(c, { preStopDelaySeconds: i === 0 ? spec.pod.preStopDelaySeconds : undefined }));
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
        template: {
          metadata: {
            labels: { ...spec.labels },
            annotations: Lazy.any({ produce: () => (Object.keys(this.extraPodAnnotations).length ? { ...this.extraPodAnnotations } : undefined) }),
          },
          spec: {
            serviceAccountName: spec.name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: renderPodSecurityContext(spec.pod),
            priorityClassName: spec.pod.priorityClassName,
            terminationGracePeriodSeconds: spec.pod.terminationGracePeriodSeconds,
            ...renderSpread(spec.selector),
            containers,
            volumes: spec.containers.flatMap(renderContainerVolumes),
          },
        },
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

    this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata,
      spec: {
        podSelector: { matchLabels: { ...spec.selector } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: Lazy.any({
          produce: () => this.ingressRules.map((r) => ({
            from: [renderPeer(r.from, spec.namespace)],
            ports: r.ports.map((name) => ({ port: k8s.IntOrString.fromString(name), protocol: this.portProtocol(name) })),
          })),
        }),
        egress: Lazy.any({
          produce: () => [renderDnsEgress(), ...this.egressRules.map((r) => ({
            to: [renderPeer(r.to, spec.namespace)],
            ports: r.ports.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol })),
          }))],
        }),
      },
    });

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
    const from = isHardenedWorkload(peer) ? peerOf(peer) : checkPeer(peer, 'allowFrom.peer', refuser);
    const all = this.spec.containers.flatMap((c) => c.ports.map((p) => p.name));
    for (const p of ports ?? []) {
      if (!all.includes(p)) refuser.refuse('network-policy-required', 'allowFrom.ports', `'${p}' is not a declared port.`, `use one of: ${all.join(', ')}.`);
    }
    this.ingressRules.push({ from, ports: ports ? [...ports] : this.spec.containers[0].ports.map((p) => p.name) });
  }

  /** Allow connections from this service to a peer on the given ports. */
  public allowTo(peer: NetworkPeer, ports: { port: number; protocol?: 'TCP' | 'UDP' }[]): void {
    const to = checkPeer(peer, 'allowTo.peer', new Refuser(this.node.path));
    this.egressRules.push({ to, ports: ports.map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' })) });
  }

  /** Declare a dependency: this service connects to `server` (both NetworkPolicies are updated). */
  public connectTo(server: IHardenedWorkload, portNames?: string[]): void {
    connect(this, server, portNames);
  }

  /** Add an annotation to the pod template (e.g. a config hash that rolls the pods on change). */
  public addPodAnnotation(key: string, value: string): void {
    this.extraPodAnnotations[key] = value;
  }

  private portProtocol(name: string): 'TCP' | 'UDP' {
    for (const c of this.spec.containers) {
      const p = c.ports.find((x) => x.name === name);
      if (p) return p.protocol;
    }
    return 'TCP';
  }
}
