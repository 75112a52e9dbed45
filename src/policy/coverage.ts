import { RuleSet } from './rule-set';
import { AnchorIds } from './types';

/** The linters whose checks the catalogue mirrors. */
export type CoverageTool = 'polaris' | 'kube-score' | 'kube-linter';

/** How one check of a linter is covered by the rule catalogue. */
export interface CoverageEntry {
  readonly tool: CoverageTool;
  readonly check: string;
  /**
   * `covered`: the rules flag everything the check flags (sometimes more);
   * `different`: a deliberate difference, explained in `reason`; `missing`: no rule.
   */
  readonly status: 'covered' | 'different' | 'missing';
  /** Rules anchored to the check. */
  readonly rules: readonly string[];
  readonly reason: string;
}

/** Polaris: all checks of its default configuration. */
export const POLARIS_CHECKS: readonly string[] = [
  'deploymentMissingReplicas', 'priorityClassNotSet', 'tagNotSpecified', 'pullPolicyNotAlways', 'readinessProbeMissing', 'livenessProbeMissing',
  'metadataAndInstanceMismatched', 'pdbDisruptionsIsZero', 'missingPodDisruptionBudget', 'topologySpreadConstraint', 'hpaMaxAvailability',
  'hpaMinAvailability', 'pdbMinAvailableGreaterThanHPAMinReplicas', 'cpuRequestsMissing', 'cpuLimitsMissing', 'memoryRequestsMissing',
  'memoryLimitsMissing', 'automountServiceAccountToken', 'hostIPCSet', 'hostPathSet', 'hostProcess', 'hostPIDSet', 'linuxHardening',
  'missingNetworkPolicy', 'notReadOnlyRootFilesystem', 'privilegeEscalationAllowed', 'procMount', 'runAsRootAllowed', 'runAsPrivileged',
  'dangerousCapabilities', 'insecureCapabilities', 'hostNetworkSet', 'hostPortSet', 'tlsSettingsMissing', 'sensitiveContainerEnvVar',
  'sensitiveConfigmapContent', 'clusterrolePodExecAttach', 'rolePodExecAttach', 'clusterrolebindingPodExecAttach',
  'rolebindingClusterRolePodExecAttach', 'rolebindingRolePodExecAttach', 'clusterrolebindingClusterAdmin', 'rolebindingClusterAdminClusterRole',
  'rolebindingClusterAdminRole',
];

/** kube-score: the checks it runs by default (optional ones need --enable-optional-test). */
export const KUBE_SCORE_CHECKS: readonly string[] = [
  'deployment-strategy', 'deployment-replicas', 'ingress-targets-service', 'cronjob-has-deadline', 'cronjob-restartpolicy', 'container-resources',
  'container-image-tag', 'container-image-pull-policy', 'container-ephemeral-storage-request-and-limit', 'environment-variable-key-duplication',
  'statefulset-has-poddisruptionbudget', 'deployment-has-poddisruptionbudget', 'poddisruptionbudget-has-policy', 'pod-networkpolicy',
  'networkpolicy-targets-pod', 'pod-probes', 'pod-probes-identical', 'container-security-context-user-group-id',
  'container-security-context-privileged', 'container-security-context-readonlyrootfilesystem', 'service-targets-pod', 'service-type',
  'stable-version', 'deployment-has-host-podantiaffinity', 'statefulset-has-host-podantiaffinity',
  'deployment-targeted-by-hpa-does-not-have-replicas-configured', 'statefulset-has-servicename',
  'deployment-pod-selector-labels-match-template-metadata-labels', 'statefulset-pod-selector-labels-match-template-metadata-labels', 'label-values',
  'horizontalpodautoscaler-has-target', 'horizontalpodautoscaler-replicas', 'pod-topology-spread-constraints',
];

/** kube-linter: the checks enabled by default. */
export const KUBE_LINTER_CHECKS: readonly string[] = [
  'dangling-service', 'deprecated-service-account-field', 'docker-sock', 'drop-net-raw-capability', 'duplicate-env-var', 'env-var-secret', 'host-ipc',
  'host-network', 'host-pid', 'invalid-target-ports', 'job-ttl-seconds-after-finished', 'latest-tag', 'liveness-port', 'readiness-port',
  'startup-port', 'mismatching-selector', 'no-anti-affinity', 'no-extensions-v1beta', 'no-read-only-root-fs', 'non-existent-service-account',
  'pdb-max-unavailable', 'pdb-min-available', 'pdb-unhealthy-pod-eviction-policy', 'privilege-escalation-container', 'privileged-container',
  'run-as-non-root', 'sensitive-host-mounts', 'ssh-port', 'unsafe-sysctls', 'unset-cpu-requirements', 'unset-memory-requirements',
];

/** kube-score checks that run only when enabled (anchors may name them; they are not in the table). */
export const KUBE_SCORE_OPTIONAL_CHECKS: readonly string[] = [
  'container-resource-requests-equal-limits', 'container-cpu-requests-equal-limits', 'container-memory-requests-equal-limits',
  'container-ephemeral-storage-request-equals-limit', 'container-ports-check', 'container-seccomp-profile',
];

/** kube-linter checks that are off by default (anchors may name them; they are not in the table). */
export const KUBE_LINTER_OPTIONAL_CHECKS: readonly string[] = [
  'access-to-create-pods', 'access-to-secrets', 'cluster-admin-role-binding', 'dangling-horizontalpodautoscaler', 'dangling-ingress',
  'dangling-networkpolicy', 'dangling-networkpolicypeer-podselector', 'default-service-account', 'dnsconfig-options', 'env-value-from',
  'exposed-services', 'host-mounts', 'hpa-minimum-three-replicas', 'image-pull-policy', 'liveness-probe', 'minimum-three-replicas',
  'no-liveness-probe', 'no-node-affinity', 'no-readiness-probe', 'no-rolling-update-strategy', 'non-isolated-pod', 'priority-class-name',
  'privileged-ports', 'read-secret-from-env-var', 'readiness-probe', 'required-annotation-email', 'required-label-owner', 'restart-policy',
  'schema-validation', 'sorted-keys', 'unsafe-proc-mount', 'use-namespace', 'wildcard-in-rules', 'writable-host-mount',
];

const TOOL_KEY: Record<CoverageTool, keyof Pick<AnchorIds, 'polaris' | 'kubeScore' | 'kubeLinter'>> = {
  'polaris': 'polaris',
  'kube-score': 'kubeScore',
  'kube-linter': 'kubeLinter',
};

/**
 * Deliberate differences: where the catalogue does not flag something the tool flags. Where the
 * catalogue is only stricter (it flags more), the check counts as covered.
 */
export const COVERAGE_DIFFERENCES: Readonly<Record<string, string>> = {
  'polaris:missingPodDisruptionBudget':
    'A PodDisruptionBudget is required only from 2 replicas (or an HPA minimum of 2), as kube-score does: on one replica any budget either blocks every node drain or protects nothing.',
  'polaris:deploymentMissingReplicas':
    'A Deployment targeted by a HorizontalPodAutoscaler must omit spec.replicas (kube-score: deployment-targeted-by-hpa-does-not-have-replicas-configured), so the replica check reads the HPA minimum instead; Polaris cannot see the HPA.',
};

/** Every default check of Polaris, kube-score and kube-linter, with the rules that cover it. */
export function coverage(ruleSet: RuleSet): CoverageEntry[] {
  const lists: [CoverageTool, readonly string[]][] = [['polaris', POLARIS_CHECKS], ['kube-score', KUBE_SCORE_CHECKS], ['kube-linter', KUBE_LINTER_CHECKS]];
  const out: CoverageEntry[] = [];
  for (const [tool, checks] of lists) {
    for (const check of checks) {
      const rules = ruleSet.rules.filter((r) => (r.anchors[TOOL_KEY[tool]] ?? []).includes(check)).map((r) => r.id);
      const difference = COVERAGE_DIFFERENCES[`${tool}:${check}`];
      if (!rules.length) out.push({ tool, check, status: 'missing', rules, reason: difference ?? 'no rule of the catalogue mirrors this check yet' });
      else if (difference) out.push({ tool, check, status: 'different', rules, reason: difference });
      else out.push({ tool, check, status: 'covered', rules, reason: '' });
    }
  }
  return out;
}

/** The coverage table as text (one line a check) or JSON. */
export function formatCoverage(entries: readonly CoverageEntry[], format: 'text' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(entries, null, 2)}\n`;
  const lines = entries.map((e) => `${e.tool.padEnd(12)}${e.check.padEnd(64)}${e.status.padEnd(10)}${e.rules.join(', ')}${e.reason ? `\n${' '.repeat(12)}  ${e.reason}` : ''}`);
  const count = (s: CoverageEntry['status']) => entries.filter((e) => e.status === s).length;
  return `${lines.join('\n')}\n\n${entries.length} checks: ${count('covered')} covered, ${count('different')} different, ${count('missing')} missing\n`;
}
