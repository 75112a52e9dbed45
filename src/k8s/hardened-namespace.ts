import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppNetwork } from './app-network';
import { dictionaryChildren, fixedChildIds } from './children';
import { ensurePolicyGuard } from './guard';
import { HardenedNamespaceSpec, ResolvedNamespace, resolveNamespace } from '../spec/namespace';

/** Props of {@link HardenedNamespace}. */
export interface HardenedNamespaceProps extends HardenedNamespaceSpec {}

/**
 * A namespace with guardrails: Pod Security admission `restricted` (enforce, audit and warn,
 * version pinned), a default-deny NetworkPolicy (workloads open what they need), a ResourceQuota
 * and a LimitRange that gives containers from other tools requests and limits.
 */
export class HardenedNamespace extends Construct {
  public readonly spec: ResolvedNamespace;
  public readonly namespace: k8s.KubeNamespace;
  public readonly defaultDeny: k8s.KubeNetworkPolicy;
  public readonly resourceQuota: k8s.KubeResourceQuota;
  public readonly limitRange: k8s.KubeLimitRange;

  constructor(scope: Construct, id: string, props: HardenedNamespaceProps) {
    super(dictionaryChildren(scope), id);
    fixedChildIds(this);
    const spec = resolveNamespace(props, this.node.path);
    this.spec = spec;
    const q = (s: string) => k8s.Quantity.fromString(s);
    const labels = { 'app.kubernetes.io/managed-by': spec.labels['app.kubernetes.io/managed-by'] };

    this.namespace = new k8s.KubeNamespace(this, 'Namespace', { metadata: { name: spec.name, labels: spec.labels } });

    this.defaultDeny = new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny', namespace: spec.name, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });

    const quota = spec.quota;
    const hard: Record<string, k8s.Quantity> = {
      'requests.cpu': q(quota.requests.cpu),
      'requests.memory': q(quota.requests.memory),
      'requests.ephemeral-storage': q(quota.requests.ephemeralStorage),
      'limits.cpu': q(quota.limits.cpu),
      'limits.memory': q(quota.limits.memory),
      'limits.ephemeral-storage': q(quota.limits.ephemeralStorage),
      'pods': q(String(quota.pods)),
    };
    if (quota.persistentVolumeClaims !== undefined) hard.persistentvolumeclaims = q(String(quota.persistentVolumeClaims));
    if (quota.storage !== undefined) hard['requests.storage'] = q(quota.storage);
    this.resourceQuota = new k8s.KubeResourceQuota(this, 'ResourceQuota', {
      metadata: { name: 'quota', namespace: spec.name, labels },
      spec: { hard },
    });

    const d = spec.containerDefaults;
    this.limitRange = new k8s.KubeLimitRange(this, 'LimitRange', {
      metadata: { name: 'container-defaults', namespace: spec.name, labels },
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: { 'cpu': q(d.requests.cpu), 'memory': q(d.requests.memory), 'ephemeral-storage': q(d.requests.ephemeralStorage) },
          default: { 'cpu': q(d.limits.cpu), 'memory': q(d.limits.memory), 'ephemeral-storage': q(d.limits.ephemeralStorage) },
        }],
      },
    });
    // Workload peers in a namespace this app creates must name workloads of the app.
    AppNetwork.of(this).ownNamespace(spec.name);
    ensurePolicyGuard(this);
  }

  /** The namespace name, for `new Chart(app, id, { namespace: ns.name })`. */
  public get name(): string {
    return this.spec.name;
  }
}
