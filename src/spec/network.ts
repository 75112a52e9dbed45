/**
 * Backend-neutral network peers. On Kubernetes they become NetworkPolicy peers; on Docker they
 * decide which user-defined networks a container joins.
 */
export type NetworkPeer =
  /** Pods of a workload of this library (selected by `app.kubernetes.io/instance`). */
  | { readonly kind: 'workload'; readonly name: string; readonly namespace?: string }
  /** Every pod in a namespace, or the pods with the given labels in it. */
  | { readonly kind: 'namespace'; readonly namespace: string; readonly podLabels?: Record<string, string> }
  /** An IP block (e.g. a managed database outside the cluster). */
  | { readonly kind: 'cidr'; readonly cidr: string; readonly except?: string[] };

/** Factories for {@link NetworkPeer}. */
export const Peer = {
  /** Pods of a workload created by this library, by name (same namespace unless given). */
  workload(name: string, namespace?: string): NetworkPeer {
    return { kind: 'workload', name, namespace };
  },
  /** All pods of a namespace, or only those with `podLabels`. */
  namespace(namespace: string, podLabels?: Record<string, string>): NetworkPeer {
    return { kind: 'namespace', namespace, podLabels };
  },
  /** An ingress controller (default: ingress-nginx's controller pods). */
  ingressController(namespace = 'ingress-nginx', podLabels: Record<string, string> = { 'app.kubernetes.io/name': 'ingress-nginx' }): NetworkPeer {
    return { kind: 'namespace', namespace, podLabels };
  },
  /** A metrics scraper (default: every pod of the `monitoring` namespace). */
  monitoring(namespace = 'monitoring', podLabels?: Record<string, string>): NetworkPeer {
    return { kind: 'namespace', namespace, podLabels };
  },
  /** An IP block. */
  cidr(cidr: string, except?: string[]): NetworkPeer {
    return { kind: 'cidr', cidr, except };
  },
};

/** Who may connect to a workload, and on which of its ports. */
export interface IngressRule {
  readonly from: NetworkPeer;
  /**
   * Names of this workload's ports the peer may reach.
   * @default - every declared port
   */
  readonly ports?: string[];
}

/** A dependency: where a workload may connect to. */
export interface EgressRule {
  readonly to: NetworkPeer;
  /** Destination ports (numbers, since the destination's port names are not known here). */
  readonly ports: { readonly port: number; readonly protocol?: 'TCP' | 'UDP' }[];
}
