import { arr, replicasOf, rule, str, v } from './helpers';
import { ownValue } from '../../spec/canonical';
import { EvaluationContext, K8sObject, Rule, Violation } from '../types';

const REPLICATED = ['Deployment', 'StatefulSet'];
const REMOVED_APIS: Record<string, string> = {
  'extensions/v1beta1': 'apps/v1 or networking.k8s.io/v1',
  'apps/v1beta1': 'apps/v1',
  'apps/v1beta2': 'apps/v1',
  'policy/v1beta1': 'policy/v1',
  'batch/v1beta1': 'batch/v1',
  'autoscaling/v2beta1': 'autoscaling/v2',
  'autoscaling/v2beta2': 'autoscaling/v2',
  'networking.k8s.io/v1beta1': 'networking.k8s.io/v1',
  'rbac.authorization.k8s.io/v1beta1': 'rbac.authorization.k8s.io/v1',
  'storage.k8s.io/v1beta1': 'storage.k8s.io/v1',
  'discovery.k8s.io/v1beta1': 'discovery.k8s.io/v1',
  'flowcontrol.apiserver.k8s.io/v1beta1': 'flowcontrol.apiserver.k8s.io/v1beta3',
  'admissionregistration.k8s.io/v1beta1': 'admissionregistration.k8s.io/v1',
  'apiextensions.k8s.io/v1beta1': 'apiextensions.k8s.io/v1',
  'scheduling.k8s.io/v1beta1': 'scheduling.k8s.io/v1',
  'coordination.k8s.io/v1beta1': 'coordination.k8s.io/v1',
  'node.k8s.io/v1beta1': 'node.k8s.io/v1',
  'certificates.k8s.io/v1beta1': 'certificates.k8s.io/v1',
  'events.k8s.io/v1beta1': 'events.k8s.io/v1',
};
const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass', 'PriorityClass', 'CustomResourceDefinition', 'Node',
  'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'IngressClass',
  'RuntimeClass', 'VolumeSnapshotClass', 'VolumeSnapshotContent', 'CSIDriver', 'CSINode', 'VolumeAttachment', 'APIService', 'CertificateSigningRequest',
  'FlowSchema', 'PriorityLevelConfiguration', 'ComponentStatus', 'PodSecurityPolicy', 'List',
]);

/** Cluster-scoped: the built-in kinds above, and by convention any kind named Cluster* (ClusterIssuer, ClusterPolicy, …). */
function clusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind) || /^Cluster[A-Z]/.test(kind);
}
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const hpaTargetKey = (h: K8sObject) => `${typeof h.metadata?.namespace === 'string' ? h.metadata.namespace : ''}/${h.spec?.scaleTargetRef?.kind}/${h.spec?.scaleTargetRef?.name}`;
const pdbSelector = (p: K8sObject) => p.spec?.selector;

/** The HPA that scales this workload, if any. */
export function hpaFor(obj: K8sObject, ctx: EvaluationContext): K8sObject | undefined {
  return ctx.indexBy('HorizontalPodAutoscaler', hpaTargetKey).get(`${ctx.namespaceOf(obj)}/${obj.kind}/${obj.metadata?.name}`)?.[0];
}

/** PDBs in the namespace whose selector selects the workload's pods. */
export function pdbsFor(obj: K8sObject, ctx: EvaluationContext): readonly K8sObject[] {
  const pod = ctx.podOf(obj);
  if (!pod) return [];
  return ctx.selecting('PodDisruptionBudget', pod, pdbSelector);
}

/** Effective minimum replica count: the HPA's minReplicas, or spec.replicas. */
function minReplicas(obj: K8sObject, ctx: EvaluationContext): number {
  const hpa = hpaFor(obj, ctx);
  if (hpa) return typeof hpa.spec?.minReplicas === 'number' ? hpa.spec.minReplicas : 1;
  return replicasOf(obj);
}

function percentOrNumber(x: unknown, of: number): number | undefined {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && /^[0-9]+%$/.test(x)) return Math.ceil((Number(x.slice(0, -1)) / 100) * of);
  if (typeof x === 'string' && /^[0-9]+$/.test(x)) return Number(x);
  return undefined;
}

export const availabilityRules: Rule[] = [
  rule({
    id: 'min-replicas',
    category: 'availability',
    severity: 'warning',
    title: 'Deployments run at least 2 replicas (unless an HPA owns the count)',
    rationale: 'With one replica every node drain, crash or rollout is an outage.',
    fix: 'Set spec.replicas to 2 or more (3 tolerates a zone loss during a rollout), or scale with an HPA whose minReplicas ≥ 2.',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['deploymentMissingReplicas'], kubeScore: ['deployment-replicas'], kubeLinter: ['minimum-three-replicas'] },
    kinds: ['Deployment'],
    checkObject: (o, ctx) => (hpaFor(o, ctx) || replicasOf(o) >= 2 ? [] : [v('spec.replicas', `Deployment ${o.metadata?.name} runs ${o.spec?.replicas ?? 'the default of 1'} replica`)]),
  }),
  rule({
    id: 'hpa-min-replicas',
    category: 'availability',
    severity: 'warning',
    title: 'HPAs keep at least 2 replicas',
    rationale: 'An autoscaler that scales in to one pod removes all redundancy at quiet times.',
    fix: 'Set minReplicas to 2 or more.',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['hpaMinAvailability'], kubeScore: ['horizontalpodautoscaler-replicas'], kubeLinter: ['hpa-minimum-three-replicas'] },
    kinds: ['HorizontalPodAutoscaler'],
    checkObject: (o) => (typeof o.spec?.minReplicas === 'number' && o.spec.minReplicas >= 2 ? [] : [v('spec.minReplicas', `minReplicas is ${o.spec?.minReplicas ?? 'unset (1)'}`)]),
  }),
  rule({
    id: 'hpa-max-gt-min',
    category: 'availability',
    severity: 'warning',
    title: 'HPAs can scale (maxReplicas > minReplicas)',
    rationale: 'An HPA with max ≤ min cannot react to load.',
    fix: 'Set maxReplicas above minReplicas.',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['hpaMaxAvailability'] },
    kinds: ['HorizontalPodAutoscaler'],
    checkObject: (o) => {
      const max = o.spec?.maxReplicas;
      const min = typeof o.spec?.minReplicas === 'number' ? o.spec.minReplicas : 1;
      return typeof max === 'number' && max > min ? [] : [v('spec.maxReplicas', `maxReplicas ${max} is not above minReplicas ${min}`)];
    },
  }),
  rule({
    id: 'hpa-no-static-replicas',
    category: 'availability',
    severity: 'warning',
    title: 'HPA-managed Deployments omit spec.replicas',
    rationale: 'A fixed replica count resets the autoscaler on every apply: a deploy during peak load scales the service down.',
    fix: 'Remove spec.replicas from Deployments an HPA targets.',
    appliesTo: 'kubernetes',
    anchors: { kubeScore: ['deployment-targeted-by-hpa-does-not-have-replicas-configured'] },
    kinds: ['Deployment', 'StatefulSet'],
    checkObject: (o, ctx) => (hpaFor(o, ctx) && o.spec?.replicas !== undefined ? [v('spec.replicas', `${o.kind} ${o.metadata?.name} is scaled by an HPA but sets replicas`)] : []),
  }),
  rule({
    id: 'hpa-target-exists',
    category: 'availability',
    severity: 'warning',
    title: "An HPA's target exists",
    rationale: 'An HPA pointing at a missing workload scales nothing, silently.',
    fix: 'Fix scaleTargetRef (kind, name) or remove the HPA.',
    appliesTo: 'kubernetes',
    anchors: { kubeScore: ['horizontalpodautoscaler-has-target'], kubeLinter: ['dangling-horizontalpodautoscaler'] },
    kinds: ['HorizontalPodAutoscaler'],
    checkObject: (o, ctx) => {
      const ref = o.spec?.scaleTargetRef ?? {};
      return ctx.find(String(ref.kind), ctx.namespaceOf(o), String(ref.name)) ? [] : [v('spec.scaleTargetRef', `target ${ref.kind}/${ref.name} is not among the objects`)];
    },
  }),
  rule({
    id: 'pdb-required',
    category: 'availability',
    severity: 'warning',
    title: 'Replicated workloads have a PodDisruptionBudget',
    rationale: 'Without a PDB a node drain may evict every replica at once.',
    fix: 'Add a PodDisruptionBudget with maxUnavailable: 1 selecting the pods.',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['missingPodDisruptionBudget'], kubeScore: ['deployment-has-poddisruptionbudget', 'statefulset-has-poddisruptionbudget'] },
    kinds: REPLICATED,
    checkObject: (o, ctx) => (minReplicas(o, ctx) >= 2 && pdbsFor(o, ctx).length === 0 ? [v('metadata.name', `${o.kind} ${o.metadata?.name} has no PodDisruptionBudget`)] : []),
  }),
  rule({
    id: 'pdb-allows-disruption',
    category: 'availability',
    severity: 'warning',
    title: 'PodDisruptionBudgets set a policy that still allows an eviction',
    rationale: 'maxUnavailable: 0 or minAvailable equal to the replica count blocks every node drain and cluster upgrade.',
    fix: 'Use maxUnavailable: 1 (or minAvailable below the replica count).',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['pdbDisruptionsIsZero'], kubeScore: ['poddisruptionbudget-has-policy'], kubeLinter: ['pdb-max-unavailable', 'pdb-min-available'] },
    kinds: ['PodDisruptionBudget'],
    checkObject: (o, ctx) => {
      const s = o.spec ?? {};
      if (s.minAvailable === undefined && s.maxUnavailable === undefined) return [v('spec', 'neither minAvailable nor maxUnavailable is set')];
      if (s.maxUnavailable === 0 || s.maxUnavailable === '0%' || s.maxUnavailable === '0') return [v('spec.maxUnavailable', 'maxUnavailable 0 blocks every eviction')];
      if (s.minAvailable === '100%') return [v('spec.minAvailable', 'minAvailable 100% blocks every eviction')];
      if (s.minAvailable !== undefined) {
        const out: Violation[] = [];
        for (const pod of ctx.podsSelectedBy(ctx.namespaceOf(o), s.selector)) {
          const w = pod.object;
          if (!REPLICATED.includes(String(w.kind))) continue;
          const replicas = minReplicas(w, ctx);
          const min = percentOrNumber(s.minAvailable, replicas);
          if (min !== undefined && min >= replicas) out.push(v('spec.minAvailable', `minAvailable ${s.minAvailable} ≥ the ${replicas} replica(s) of ${w.kind} ${w.metadata?.name}: no pod can be evicted`));
        }
        return out;
      }
      return [];
    },
  }),
  rule({
    id: 'pdb-unhealthy-eviction-policy',
    category: 'availability',
    severity: 'warning',
    title: 'PodDisruptionBudgets set unhealthyPodEvictionPolicy',
    rationale: 'By default crash-looping pods count against the budget and can block a node drain forever.',
    fix: 'Set spec.unhealthyPodEvictionPolicy: AlwaysAllow (or IfHealthyBudget, deliberately).',
    appliesTo: 'kubernetes',
    anchors: { kubeLinter: ['pdb-unhealthy-pod-eviction-policy'] },
    kinds: ['PodDisruptionBudget'],
    checkObject: (o) => (o.spec?.unhealthyPodEvictionPolicy ? [] : [v('spec.unhealthyPodEvictionPolicy', 'unhealthyPodEvictionPolicy is not set')]),
  }),
  rule({
    id: 'pdb-within-hpa-min',
    category: 'availability',
    severity: 'warning',
    title: "A PDB's minAvailable fits under the HPA's minReplicas",
    rationale: 'When minAvailable exceeds what the autoscaler may scale down to, drains block at quiet times.',
    fix: 'Use maxUnavailable: 1, or lower minAvailable below the HPA minReplicas.',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['pdbMinAvailableGreaterThanHPAMinReplicas'] },
    kinds: ['Deployment'],
    checkObject: (o, ctx) => {
      const hpa = hpaFor(o, ctx);
      if (!hpa) return [];
      const min = typeof hpa.spec?.minReplicas === 'number' ? hpa.spec.minReplicas : 1;
      return pdbsFor(o, ctx).flatMap((p) => {
        const m = percentOrNumber(p.spec?.minAvailable, min);
        return m !== undefined && m > min ? [v('metadata.name', `PDB ${p.metadata?.name} minAvailable ${p.spec.minAvailable} > HPA minReplicas ${min}`)] : [];
      });
    },
  }),
  rule({
    id: 'pod-anti-affinity',
    category: 'availability',
    severity: 'warning',
    title: 'Replicas prefer different nodes',
    rationale: 'Replicas on one node fail together when it does.',
    fix: 'Add preferred podAntiAffinity on the pod\'s own labels with topologyKey kubernetes.io/hostname.',
    appliesTo: 'kubernetes',
    anchors: { kubeScore: ['deployment-has-host-podantiaffinity', 'statefulset-has-host-podantiaffinity'], kubeLinter: ['no-anti-affinity'] },
    kinds: REPLICATED,
    checkObject: (o, ctx) => {
      const pod = ctx.podOf(o);
      if (!pod || minReplicas(o, ctx) < 2) return [];
      const aa = pod.spec.affinity?.podAntiAffinity ?? {};
      const terms = [
        ...arr(aa.requiredDuringSchedulingIgnoredDuringExecution),
        ...arr(aa.preferredDuringSchedulingIgnoredDuringExecution).map((t) => t?.podAffinityTerm),
      ];
      const ok = terms.some((t) => t?.topologyKey === 'kubernetes.io/hostname' && t.labelSelector && ctx.selects(t.labelSelector, pod.labels));
      return ok ? [] : [v(`${pod.specPath}.affinity.podAntiAffinity`, `${o.kind} ${o.metadata?.name} has no anti-affinity on kubernetes.io/hostname`)];
    },
  }),
  rule({
    id: 'topology-spread',
    category: 'availability',
    severity: 'warning',
    title: 'Pods spread across zones with valid constraints',
    rationale: 'Without spread constraints a zone outage can take every replica.',
    fix: 'Add topologySpreadConstraints: [{ maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway, labelSelector }].',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['topologySpreadConstraint'], kubeScore: ['pod-topology-spread-constraints'] },
    checkPod: (pod) => {
      if (pod.runsToCompletion || pod.object.kind === 'DaemonSet') return [];
      const tsc = arr(pod.spec.topologySpreadConstraints);
      if (tsc.length === 0) return [v(`${pod.specPath}.topologySpreadConstraints`, 'no topology spread constraints')];
      return tsc.flatMap((t, i) => {
        const p = `${pod.specPath}.topologySpreadConstraints[${i}]`;
        const out: Violation[] = [];
        if (!t?.labelSelector) out.push(v(`${p}.labelSelector`, 'no labelSelector'));
        if (!(Number.isInteger(t?.maxSkew) && t.maxSkew >= 1)) out.push(v(`${p}.maxSkew`, `maxSkew must be an integer >= 1 (got ${JSON.stringify(t?.maxSkew) ?? 'unset'})`));
        if (t?.minDomains === 0) out.push(v(`${p}.minDomains`, 'minDomains must be > 0'));
        if (!t?.topologyKey) out.push(v(`${p}.topologyKey`, 'no topologyKey'));
        if (t?.whenUnsatisfiable !== 'DoNotSchedule' && t?.whenUnsatisfiable !== 'ScheduleAnyway') out.push(v(`${p}.whenUnsatisfiable`, 'whenUnsatisfiable must be DoNotSchedule or ScheduleAnyway'));
        return out;
      });
    },
  }),
  rule({
    id: 'priority-class',
    category: 'availability',
    severity: 'warning',
    title: 'Pods name a PriorityClass',
    rationale: 'Without a priority, critical pods are preempted as readily as batch jobs when the cluster is full.',
    fix: 'Set priorityClassName (create the PriorityClass once per cluster).',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['priorityClassNotSet'], kubeLinter: ['priority-class-name'] },
    checkPod: (pod) => (str(pod.spec.priorityClassName) ? [] : [v(`${pod.specPath}.priorityClassName`, 'no priorityClassName')]),
  }),
  rule({
    id: 'rolling-update',
    category: 'availability',
    severity: 'warning',
    title: 'Deployments roll out gradually',
    rationale: 'Recreate stops every pod before starting new ones: each deploy is an outage.',
    fix: 'Use strategy.type: RollingUpdate with maxUnavailable: 0.',
    appliesTo: 'kubernetes',
    anchors: { kubeScore: ['deployment-strategy'], kubeLinter: ['no-rolling-update-strategy'] },
    kinds: ['Deployment'],
    checkObject: (o) => (o.spec?.strategy?.type === undefined || o.spec.strategy.type === 'RollingUpdate' ? [] : [v('spec.strategy.type', `strategy is ${o.spec.strategy.type}`)]),
  }),
  rule({
    id: 'revision-history-limit',
    category: 'availability',
    severity: 'info',
    title: 'Deployments keep a bounded rollback history',
    rationale: 'Rollback needs old ReplicaSets; unbounded history clutters the namespace.',
    fix: 'Set spec.revisionHistoryLimit (e.g. 5).',
    appliesTo: 'kubernetes',
    anchors: {},
    kinds: ['Deployment'],
    // Unset is bounded (the API server defaults it to 10); 0 removes every rollback target.
    checkObject: (o) => {
      const limit = o.spec?.revisionHistoryLimit;
      if (limit === undefined || limit === null || (Number.isInteger(limit) && limit >= 1)) return [];
      return [v('spec.revisionHistoryLimit', `revisionHistoryLimit is ${JSON.stringify(limit)}: no rollback target is kept`)];
    },
  }),
  rule({
    id: 'restart-policy',
    category: 'availability',
    severity: 'error',
    title: 'Restart behaviour fits the workload',
    rationale: 'Jobs need restartPolicy Never/OnFailure; on Docker, \'always\' restarts a broken container forever and hides the failure, while \'no\' never recovers. CIS Docker 5.15 (v1.6.0; 5.14 in earlier versions) asks for on-failure with at most 5 retries, but such a container is restarted only after an error exit: a daemon restart or host reboot stops it cleanly and it stays down. The hardened constructs therefore emit unless-stopped together with a health check: the service comes back after a reboot, the daemon\'s growing restart delay (up to a minute) bounds a crash loop, and the health status and restart count keep it visible; on-failure:5 remains available (docker.restart) where the benchmark\'s letter matters more.',
    fix: 'Kubernetes Jobs/CronJobs: restartPolicy: OnFailure or Never. Docker: restart: unless-stopped with a health check (survives reboots), or on-failure with at most 5 retries (CIS Docker 5.15; does not come back after a reboot).',
    appliesTo: 'both',
    anchors: { kubeScore: ['cronjob-restartpolicy'], kubeLinter: ['restart-policy'], cisDocker: ['5.15'] },
    checkPod: (pod) => {
      if (pod.object.kind !== 'Job' && pod.object.kind !== 'CronJob') return [];
      const rp = pod.spec.restartPolicy;
      return rp === 'Never' || rp === 'OnFailure' ? [] : [v(`${pod.specPath}.restartPolicy`, `restartPolicy is ${rp ?? 'unset'}`)];
    },
    checkDocker: (c) => {
      if (c.restart === 'unless-stopped' && !c.runsToCompletion) {
        return c.healthcheck && c.healthcheck !== 'disabled' ? [] : [v('healthcheck', 'restart policy is \'unless-stopped\' without a health check: a crash loop would go unnoticed')];
      }
      if (c.restart !== 'on-failure') return [v('restart', `restart policy is '${c.restart ?? 'no'}', not unless-stopped (with a health check) or on-failure`)];
      return c.maxRetryCount !== undefined && c.maxRetryCount >= 1 && c.maxRetryCount <= 5 ? [] : [v('maxRetryCount', `maxRetryCount is ${c.maxRetryCount ?? 'unlimited'} (1–5 expected)`)];
    },
  }),
  rule({
    id: 'job-ttl',
    category: 'availability',
    severity: 'warning',
    title: 'Finished Jobs are cleaned up',
    rationale: 'Finished Jobs and their pods pile up and slow the API server.',
    fix: 'Standalone Jobs: set ttlSecondsAfterFinished. CronJob job templates: do not (the CronJob history limits apply).',
    appliesTo: 'kubernetes',
    anchors: { kubeLinter: ['job-ttl-seconds-after-finished'] },
    kinds: ['Job', 'CronJob'],
    checkObject: (o) => {
      if (o.kind === 'Job') return typeof o.spec?.ttlSecondsAfterFinished === 'number' ? [] : [v('spec.ttlSecondsAfterFinished', 'standalone Job without ttlSecondsAfterFinished')];
      return o.spec?.jobTemplate?.spec?.ttlSecondsAfterFinished !== undefined ? [v('spec.jobTemplate.spec.ttlSecondsAfterFinished', 'CronJob jobs should be cleaned up by the history limits, not a TTL')] : [];
    },
  }),
  rule({
    id: 'cronjob-deadline',
    category: 'availability',
    severity: 'warning',
    title: 'CronJobs set startingDeadlineSeconds',
    rationale: 'Without a deadline a controller outage makes a CronJob count missed runs, and after 100 it stops scheduling.',
    fix: 'Set spec.startingDeadlineSeconds (e.g. 300).',
    appliesTo: 'kubernetes',
    anchors: { kubeScore: ['cronjob-has-deadline'] },
    kinds: ['CronJob'],
    checkObject: (o) => (typeof o.spec?.startingDeadlineSeconds === 'number' ? [] : [v('spec.startingDeadlineSeconds', 'startingDeadlineSeconds is not set')]),
  }),
  rule({
    id: 'cronjob-concurrency',
    category: 'availability',
    severity: 'warning',
    title: 'CronJob runs do not overlap',
    rationale: 'Overlapping runs of a backup or migration job corrupt each other\'s output.',
    fix: 'Set spec.concurrencyPolicy: Forbid (or Replace).',
    appliesTo: 'kubernetes',
    anchors: {},
    kinds: ['CronJob'],
    checkObject: (o) => (o.spec?.concurrencyPolicy === 'Forbid' || o.spec?.concurrencyPolicy === 'Replace' ? [] : [v('spec.concurrencyPolicy', `concurrencyPolicy is ${o.spec?.concurrencyPolicy ?? 'unset (Allow)'}`)]),
  }),
  rule({
    id: 'selector-matches-template',
    category: 'availability',
    severity: 'error',
    title: "A workload's selector matches its pod template",
    rationale: 'A selector that does not match the template is rejected by the API server, or adopts someone else\'s pods.',
    fix: 'Make spec.selector.matchLabels a subset of spec.template.metadata.labels.',
    appliesTo: 'kubernetes',
    anchors: { kubeScore: ['deployment-pod-selector-labels-match-template-metadata-labels', 'statefulset-pod-selector-labels-match-template-metadata-labels'], kubeLinter: ['mismatching-selector'] },
    kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'],
    checkObject: (o, ctx) => {
      const pod = ctx.podOf(o);
      const sel = o.spec?.selector;
      if (!sel || typeof sel !== 'object' || (!sel.matchLabels && !sel.matchExpressions)) return [v('spec.selector', 'no selector')];
      return pod && ctx.selects(sel, pod.labels) ? [] : [v('spec.selector', 'the selector does not match the pod template labels')];
    },
  }),
  rule({
    id: 'statefulset-headless-service',
    category: 'availability',
    severity: 'warning',
    title: 'StatefulSets have their governing headless Service',
    rationale: 'Stable per-replica DNS names (needed for replication and clients pinning a primary) come from the headless Service named in serviceName.',
    fix: 'Create a Service with clusterIP: None selecting the pods, and set spec.serviceName to it.',
    appliesTo: 'kubernetes',
    anchors: { kubeScore: ['statefulset-has-servicename'] },
    kinds: ['StatefulSet'],
    checkObject: (o, ctx) => {
      const name = o.spec?.serviceName;
      if (!name) return [v('spec.serviceName', 'serviceName is not set')];
      const svc = ctx.find('Service', ctx.namespaceOf(o), String(name));
      if (!svc || svc.spec?.clusterIP !== 'None') return [v('spec.serviceName', `Service ${name} ${svc ? 'is not headless' : 'is not among the objects'}`)];
      // The governing Service must select the pods, or their DNS names never resolve.
      const pod = ctx.podOf(o);
      const sel = svc.spec?.selector;
      const selects = pod && sel && typeof sel === 'object' && Object.keys(sel).length > 0 && ctx.selects({ matchLabels: sel }, pod.labels);
      return selects ? [] : [v('spec.serviceName', `headless Service ${name} does not select the pods of StatefulSet ${o.metadata?.name}`)];
    },
  }),
  rule({
    id: 'recommended-labels',
    category: 'availability',
    severity: 'warning',
    title: 'Workloads carry the app.kubernetes.io labels, instance = name',
    rationale: 'Consistent labels are how dashboards, policies and on-call find what belongs together.',
    fix: 'Set app.kubernetes.io/name and app.kubernetes.io/instance (equal to metadata.name) on the workload and its pod template.',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['metadataAndInstanceMismatched'] },
    kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'],
    checkObject: (o) => {
      const l = o.metadata?.labels ?? {};
      const out: Violation[] = [];
      if (!l['app.kubernetes.io/name']) out.push(v('metadata.labels', 'app.kubernetes.io/name is missing'));
      if (l['app.kubernetes.io/instance'] === undefined) out.push(v('metadata.labels', 'app.kubernetes.io/instance is missing'));
      else if (l['app.kubernetes.io/instance'] !== o.metadata?.name) out.push(v("metadata.labels['app.kubernetes.io/instance']", `instance label '${l['app.kubernetes.io/instance']}' differs from metadata.name '${o.metadata?.name}'`));
      return out;
    },
  }),
  rule({
    id: 'valid-label-values',
    category: 'availability',
    severity: 'error',
    title: 'Label values are valid',
    rationale: 'The API server rejects invalid label values, failing the whole apply.',
    fix: "Use ≤ 63 characters of letters, digits, '-', '_' and '.', alphanumeric at both ends.",
    appliesTo: 'kubernetes',
    anchors: { kubeScore: ['label-values'] },
    checkObject: (o) => {
      const labels = o.metadata?.labels;
      if (!labels || typeof labels !== 'object') return [];
      const out: Violation[] = [];
      for (const k of Object.keys(labels)) {
        const val: unknown = labels[k];
        if (typeof val !== 'string' || val.length > 63 || !LABEL_VALUE.test(val)) out.push(v(`metadata.labels['${k}']`, `label value ${JSON.stringify(val)} is invalid`));
      }
      return out;
    },
  }),
  rule({
    id: 'no-deprecated-api',
    category: 'availability',
    severity: 'error',
    title: 'No removed or deprecated API versions (Kubernetes 1.28)',
    rationale: 'Objects in removed API versions fail to apply after an upgrade.',
    fix: 'Move to the replacement apiVersion.',
    appliesTo: 'kubernetes',
    anchors: { kubeScore: ['stable-version'], kubeLinter: ['no-extensions-v1beta', 'schema-validation'] },
    checkObject: (o) => {
      const repl = ownValue(REMOVED_APIS, o.apiVersion);
      return repl ? [v('apiVersion', `${o.apiVersion} ${o.kind} is removed in Kubernetes 1.28; use ${repl}`)] : [];
    },
  }),
  rule({
    id: 'no-default-namespace',
    category: 'availability',
    severity: 'warning',
    title: 'Objects name a namespace other than default',
    rationale: 'The default namespace has no Pod Security labels, quota or default-deny policy, and objects without a namespace land wherever kubectl points.',
    fix: 'Set metadata.namespace to a dedicated namespace (e.g. one made by HardenedNamespace).',
    appliesTo: 'kubernetes',
    anchors: { kubeLinter: ['use-namespace'] },
    checkObject: (o) => {
      if (clusterScoped(String(o.kind))) return [];
      const ns = o.metadata?.namespace;
      return ns === undefined || ns === 'default' ? [v('metadata.namespace', ns === 'default' ? "namespace is 'default'" : 'no namespace')] : [];
    },
  }),
  rule({
    id: 'no-duplicate-env',
    category: 'availability',
    severity: 'error',
    title: 'No duplicate environment variables',
    rationale: 'With duplicate names only the last one wins, silently: configuration drifts between what you read and what runs.',
    fix: 'Keep one entry per name.',
    appliesTo: 'kubernetes',
    anchors: { kubeScore: ['environment-variable-key-duplication'], kubeLinter: ['duplicate-env-var'] },
    checkContainer: (c) => {
      const seen = new Set<string>();
      return arr(c.container.env).flatMap((e, i) => {
        const n = String(e?.name);
        if (seen.has(n)) return [v(`${c.path}.env[${i}].name`, `${n} is set twice in container '${c.container.name}'`)];
        seen.add(n);
        return [];
      });
    },
  }),
  rule({
    id: 'env-refs-exist',
    category: 'availability',
    severity: 'info',
    title: 'Referenced ConfigMaps are part of the deployment',
    rationale: 'A pod referencing a missing ConfigMap key does not start (CreateContainerConfigError).',
    fix: 'Deploy the ConfigMap with the workload, or mark the reference optional.',
    appliesTo: 'kubernetes',
    anchors: { kubeLinter: ['env-value-from'] },
    checkContainer: (c, pod, ctx) => arr(c.container.env).flatMap((e, i) => {
      const ref = e?.valueFrom?.configMapKeyRef;
      if (!ref || ref.optional) return [];
      return ctx.find('ConfigMap', pod.namespace, String(ref.name)) ? [] : [v(`${c.path}.env[${i}].valueFrom.configMapKeyRef`, `ConfigMap ${ref.name} is not among the objects`)];
    }),
  }),
  rule({
    id: 'container-ports-valid',
    category: 'availability',
    severity: 'error',
    title: 'Ports are named validly and uniquely; Service targetPorts exist',
    rationale: 'Probes, Services and NetworkPolicies refer to ports by name: a duplicate or invalid name silently points at the wrong port or nothing.',
    fix: 'Give each container port a unique IANA name (≤ 15 chars, lowercase, a letter) and point Service targetPorts at declared names.',
    appliesTo: 'kubernetes',
    anchors: { kubeScore: ['container-ports-check'], kubeLinter: ['invalid-target-ports'] },
    checkPod: (pod) => {
      const out: Violation[] = [];
      const names = new Set<string>();
      for (const c of pod.containers) {
        arr(c.container.ports).forEach((p, i) => {
          const path = `${c.path}.ports[${i}]`;
          if (!(Number.isInteger(p?.containerPort) && p.containerPort >= 1 && p.containerPort <= 65535)) out.push(v(`${path}.containerPort`, `containerPort ${p?.containerPort} is invalid`));
          if (p?.name !== undefined) {
            const n = String(p.name);
            if (n.length > 15 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n) || !/[a-z]/.test(n) || n.includes('--')) out.push(v(`${path}.name`, `port name '${n}' is not a valid IANA service name`));
            if (names.has(n)) out.push(v(`${path}.name`, `port name '${n}' is used twice in the pod`));
            names.add(n);
          }
        });
      }
      return out;
    },
    kinds: ['Service'],
    checkObject: (o, ctx) => {
      const sel = o.spec?.selector;
      if (!sel || typeof sel !== 'object' || Object.keys(sel).length === 0) return [];
      const pods = ctx.podsSelectedBy(ctx.namespaceOf(o), { matchLabels: sel });
      if (pods.length === 0) return [];
      return arr(o.spec?.ports).flatMap((p, i) => {
        if (typeof p?.targetPort !== 'string') return [];
        const declared = pods.some((pod) => pod.containers.some((c) => arr(c.container.ports).some((cp) => cp?.name === p.targetPort)));
        return declared ? [] : [v(`spec.ports[${i}].targetPort`, `targetPort '${p.targetPort}' is not a port name of the selected pods`)];
      });
    },
  }),
  rule({
    id: 'unique-object-identity',
    category: 'availability',
    severity: 'error',
    title: 'Each kind/namespace/name appears once',
    rationale: 'Two objects with the same kind, namespace and name are one object to the API server: the last one applied silently replaces the other.',
    fix: 'Rename one of them, or remove the copy (two files, or two documents, define the same object).',
    appliesTo: 'kubernetes',
    anchors: {},
    checkObject: (o, ctx) => {
      const kind = str(o.kind);
      const name = str(o.metadata?.name);
      if (!kind || !name) return [];
      const same = ctx.indexBy(kind, identityKey).get(identityKey(o)!) ?? [];
      if (same.length < 2 || same[0] === o) return [];
      const ns = ctx.namespaceOf(o);
      return [v('metadata.name', `${kind} ${ns ? `${ns}/` : ''}${name} is defined ${same.length} times in the input; this copy replaces an earlier one`)];
    },
  }),
];

/** Identity of an object as the API server sees it (kind is the index's own). */
function identityKey(o: K8sObject): string | undefined {
  const name = str(o.metadata?.name);
  return name === undefined ? undefined : `${str(o.metadata?.namespace) ?? ''}/${name}`;
}

export { CLUSTER_SCOPED, clusterScoped };
