/**
 * An organisation's policy as code: a subclass that changes defaults, and a rule pack that adds,
 * disables and re-grades checks. Publish both as a package (`@acme/k8s-constructs`) and teams get
 * them with one import and one call.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { HardenedService, HardenedServiceProps, Rule, RulePack } from 'hardened-constructs';

/** ACME's services: the ACME registry only, an owner label, ACME's PriorityClass. */
export interface AcmeServiceProps extends HardenedServiceProps {
  /** The owning team (becomes the acme.com/owner label). */
  readonly owner: string;
}

export class AcmeService extends HardenedService {
  constructor(scope: Construct, id: string, props: AcmeServiceProps) {
    // Org defaults go under the user's props: a team can still override them explicitly.
    super(scope, id, { priorityClassName: 'acme-standard', partOf: Chart.of(scope).node.id, ...props });
    for (const o of [this.deployment, this.service, this.serviceAccount, this.podDisruptionBudget, this.networkPolicy].filter((x) => x !== undefined)) {
      o.metadata.addLabel('acme.com/owner', props.owner);
    }
  }
}

const ownerLabel: Rule = {
  id: 'acme-owner-label',
  category: 'availability',
  severity: 'error',
  title: 'Workloads name their owning team',
  rationale: 'On-call must know whom to page when a workload misbehaves.',
  references: [{ title: 'Kubernetes: Recommended Labels', url: 'https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/' }],
  fix: 'Add the label acme.com/owner (AcmeService does it for you).',
  appliesTo: 'kubernetes',
  anchors: { kubeLinter: ['required-label-owner'] },
  kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'],
  checkObject: (o) => (o.metadata?.labels?.['acme.com/owner'] ? [] : [{ path: 'metadata.labels', message: `${o.kind} ${o.metadata?.name} has no acme.com/owner label` }]),
};

const trustedRegistry: Rule = {
  id: 'acme-trusted-registry',
  category: 'image-management',
  severity: 'error',
  title: 'Images come from the ACME registry',
  rationale: 'Only images that passed ACME\'s scanning and signing pipeline may run.',
  references: [{ title: 'Kubernetes: Images', url: 'https://kubernetes.io/docs/concepts/containers/images/' }],
  fix: 'Push the image through the pipeline to registry.acme.example and reference it from there.',
  appliesTo: 'both',
  anchors: {},
  checkContainer: (c) => (/^registry\.acme\.example\//.test(String(c.container.image)) ? [] : [{ path: `${c.path}.image`, message: `'${c.container.image}' is not from registry.acme.example` }]),
  checkDocker: (c) => (/^registry\.acme\.example\//.test(c.image ?? '') ? [] : [{ path: 'image', message: `'${c.image}' is not from registry.acme.example` }]),
};

/** `Policy.enforce(app, { packs: [pack] })` or `hardened audit --pack ./acme.js`. */
export const pack: RulePack = {
  name: 'acme',
  rules: [ownerLabel, trustedRegistry],
  // ACME runs no Ingress objects; TLS terminates at the edge proxy.
  disable: ['ingress-tls'],
  severity: { 'priority-class': 'error', 'no-nodeport': 'error' },
};
