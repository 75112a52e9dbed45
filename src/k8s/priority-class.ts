import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { dictionaryChildren, fixedChildIds } from './children';
import { PriorityClassSpec, ResolvedPriorityClass, resolvePriorityClass } from '../spec/priority-class';

/** Props of {@link WorkloadPriorityClass}. */
export interface WorkloadPriorityClassProps extends PriorityClassSpec {}

/**
 * A PriorityClass (cluster-scoped): the tier that `priorityClassName` on HardenedService and
 * StatefulDatabase names, so that under resource pressure the scheduler evicts batch work before
 * customer-facing services. Create each class once per cluster.
 */
export class WorkloadPriorityClass extends Construct {
  public readonly spec: ResolvedPriorityClass;
  public readonly priorityClass: k8s.KubePriorityClass;

  constructor(scope: Construct, id: string, props: WorkloadPriorityClassProps) {
    super(dictionaryChildren(scope), id);
    fixedChildIds(this);
    this.spec = resolvePriorityClass(props, this.node.path);
    this.priorityClass = new k8s.KubePriorityClass(this, 'PriorityClass', {
      metadata: { name: this.spec.name, labels: { ...this.spec.labels } },
      value: this.spec.value,
      description: this.spec.description,
      preemptionPolicy: this.spec.preemptionPolicy,
      globalDefault: this.spec.globalDefault,
    });
  }

  /** The name to give as `priorityClassName`. */
  public get name(): string {
    return this.spec.name;
  }
}
