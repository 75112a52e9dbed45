import type { AnchorIds, Rule, RuleReference } from '../types';

/**
 * Public sources the rules cite. Every built-in rule carries at least one (a test checks it): the
 * topic references below, keyed by rule id, plus the documentation of every anchor-tool check the
 * rule mirrors (derived from its `anchors`).
 */

const K8S = 'https://kubernetes.io/docs';
const ref = (title: string, url: string): RuleReference => ({ title, url });

const CIS_K8S_URL = 'https://www.cisecurity.org/benchmark/kubernetes';
const CIS_DOCKER_URL = 'https://www.cisecurity.org/benchmark/docker';
const cisK8s = (...ids: string[]) => ref(`CIS Kubernetes Benchmark ${ids.join(', ')}`, CIS_K8S_URL);

/** Named references, reused across rules. */
export const REF = {
  nsaCisa: ref('NSA/CISA Kubernetes Hardening Guidance (v1.2)', 'https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF'),
  owaspDocker: ref('OWASP Docker Security Cheat Sheet', 'https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html'),
  owaspK8s: ref('OWASP Kubernetes Security Cheat Sheet', 'https://cheatsheetseries.owasp.org/cheatsheets/Kubernetes_Security_Cheat_Sheet.html'),
  pss: ref('Kubernetes: Pod Security Standards', `${K8S}/concepts/security/pod-security-standards/`),
  securityContext: ref('Kubernetes: Configure a Security Context for a Pod or Container', `${K8S}/tasks/configure-pod-container/security-context/`),
  kernelConstraints: ref('Kubernetes: Linux kernel security constraints for Pods and containers', `${K8S}/concepts/security/linux-kernel-security-constraints/`),
  seccomp: ref('Kubernetes: Restrict a Container\'s Syscalls with seccomp', `${K8S}/tutorials/security/seccomp/`),
  appArmor: ref('Kubernetes: Restrict a Container\'s Access to Resources with AppArmor', `${K8S}/tutorials/security/apparmor/`),
  sysctls: ref('Kubernetes: Using sysctls in a Kubernetes Cluster', `${K8S}/tasks/administer-cluster/sysctl-cluster/`),
  hostProcess: ref('Kubernetes: Create a Windows HostProcess Pod', `${K8S}/tasks/configure-pod-container/create-hostprocess-pod/`),
  serviceAccounts: ref('Kubernetes: Service Accounts', `${K8S}/concepts/security/service-accounts/`),
  configureServiceAccount: ref('Kubernetes: Configure Service Accounts for Pods', `${K8S}/tasks/configure-pod-container/configure-service-account/`),
  secretsGoodPractices: ref('Kubernetes: Good practices for Kubernetes Secrets', `${K8S}/concepts/security/secrets-good-practices/`),
  secrets: ref('Kubernetes: Secrets', `${K8S}/concepts/configuration/secret/`),
  configMap: ref('Kubernetes: ConfigMaps', `${K8S}/concepts/configuration/configmap/`),
  rbacGoodPractices: ref('Kubernetes: Role Based Access Control Good Practices', `${K8S}/concepts/security/rbac-good-practices/`),
  rbac: ref('Kubernetes: Using RBAC Authorization', `${K8S}/reference/access-authn-authz/rbac/`),
  volumes: ref('Kubernetes: Volumes', `${K8S}/concepts/storage/volumes/`),
  resources: ref('Kubernetes: Resource Management for Pods and Containers', `${K8S}/concepts/configuration/manage-resources-containers/`),
  ephemeralStorage: ref('Kubernetes: Local ephemeral storage', `${K8S}/concepts/configuration/manage-resources-containers/#local-ephemeral-storage`),
  deployment: ref('Kubernetes: Deployments', `${K8S}/concepts/workloads/controllers/deployment/`),
  hpa: ref('Kubernetes: Horizontal Pod Autoscaling', `${K8S}/tasks/run-application/horizontal-pod-autoscale/`),
  pdb: ref('Kubernetes: Specifying a Disruption Budget for your Application', `${K8S}/tasks/run-application/configure-pdb/`),
  disruptions: ref('Kubernetes: Disruptions', `${K8S}/concepts/workloads/pods/disruptions/`),
  affinity: ref('Kubernetes: Assigning Pods to Nodes (affinity and anti-affinity)', `${K8S}/concepts/scheduling-eviction/assign-pod-node/`),
  topologySpread: ref('Kubernetes: Pod Topology Spread Constraints', `${K8S}/concepts/scheduling-eviction/topology-spread-constraints/`),
  priority: ref('Kubernetes: Pod Priority and Preemption', `${K8S}/concepts/scheduling-eviction/pod-priority-preemption/`),
  podLifecycle: ref('Kubernetes: Pod Lifecycle (restart policy)', `${K8S}/concepts/workloads/pods/pod-lifecycle/#restart-policy`),
  jobs: ref('Kubernetes: Jobs', `${K8S}/concepts/workloads/controllers/job/`),
  ttlAfterFinished: ref('Kubernetes: Automatic Cleanup for Finished Jobs', `${K8S}/concepts/workloads/controllers/ttlafterfinished/`),
  cronJobs: ref('Kubernetes: CronJob', `${K8S}/concepts/workloads/controllers/cron-jobs/`),
  statefulSet: ref('Kubernetes: StatefulSets', `${K8S}/concepts/workloads/controllers/statefulset/`),
  commonLabels: ref('Kubernetes: Recommended Labels', `${K8S}/concepts/overview/working-with-objects/common-labels/`),
  labels: ref('Kubernetes: Labels and Selectors (syntax and character set)', `${K8S}/concepts/overview/working-with-objects/labels/#syntax-and-character-set`),
  deprecationGuide: ref('Kubernetes: Deprecated API Migration Guide', `${K8S}/reference/using-api/deprecation-guide/`),
  namespaces: ref('Kubernetes: Namespaces', `${K8S}/concepts/overview/working-with-objects/namespaces/`),
  envVars: ref('Kubernetes: Define Environment Variables for a Container', `${K8S}/tasks/inject-data-application/define-environment-variable-container/`),
  service: ref('Kubernetes: Service', `${K8S}/concepts/services-networking/service/`),
  networkPolicies: ref('Kubernetes: Network Policies', `${K8S}/concepts/services-networking/network-policies/`),
  dns: ref('Kubernetes: DNS for Services and Pods', `${K8S}/concepts/services-networking/dns-pod-service/`),
  ingress: ref('Kubernetes: Ingress', `${K8S}/concepts/services-networking/ingress/`),
  ingressTls: ref('Kubernetes: Ingress (TLS)', `${K8S}/concepts/services-networking/ingress/#tls`),
  images: ref('Kubernetes: Images', `${K8S}/concepts/containers/images/`),
  probes: ref('Kubernetes: Configure Liveness, Readiness and Startup Probes', `${K8S}/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/`),
  logging: ref('Kubernetes: Logging Architecture', `${K8S}/concepts/cluster-administration/logging/`),
  dockerSecurity: ref('Docker: Docker Engine security', 'https://docs.docker.com/engine/security/'),
  dockerUserns: ref('Docker: Isolate containers with a user namespace', 'https://docs.docker.com/engine/security/userns-remap/'),
  dockerSeccomp: ref('Docker: Seccomp security profiles for Docker', 'https://docs.docker.com/engine/security/seccomp/'),
  dockerAppArmor: ref('Docker: AppArmor security profiles for Docker', 'https://docs.docker.com/engine/security/apparmor/'),
  dockerProtectSocket: ref('Docker: Protect the Docker daemon socket', 'https://docs.docker.com/engine/security/protect-access/'),
  dockerResources: ref('Docker: Resource constraints', 'https://docs.docker.com/engine/containers/resource_constraints/'),
  dockerRun: ref('Docker: docker container run reference', 'https://docs.docker.com/reference/cli/docker/container/run/'),
  dockerRestart: ref('Docker: Start containers automatically (restart policies)', 'https://docs.docker.com/engine/containers/start-containers-automatically/'),
  dockerHealthcheck: ref('Docker: Dockerfile reference (HEALTHCHECK)', 'https://docs.docker.com/reference/dockerfile/#healthcheck'),
  dockerJsonFile: ref('Docker: JSON File logging driver (max-size, max-file)', 'https://docs.docker.com/engine/logging/drivers/json-file/'),
  dockerLogging: ref('Docker: Configure logging drivers', 'https://docs.docker.com/engine/logging/configure/'),
  dockerBridge: ref('Docker: Bridge network driver (user-defined bridges)', 'https://docs.docker.com/engine/network/drivers/bridge/'),
  dockerPortPublishing: ref('Docker: Port publishing and mapping', 'https://docs.docker.com/engine/network/port-publishing/'),
  dockerPacketFiltering: ref('Docker: Packet filtering and firewalls', 'https://docs.docker.com/engine/network/packet-filtering-firewalls/'),
  dockerBindMounts: ref('Docker: Bind mounts (propagation)', 'https://docs.docker.com/engine/storage/bind-mounts/'),
} as const;

/** Topic references per built-in rule id (the anchor-tool pages are added from `anchors`). */
export const RULE_REFERENCES: Readonly<Record<string, readonly RuleReference[]>> = {
  'unreviewed-relaxation': [REF.pss, REF.nsaCisa],
  'unique-object-identity': [ref('Kubernetes: Object Names and IDs', `${K8S}/concepts/overview/working-with-objects/names/`)],
  // Identity and privilege
  'no-privileged': [cisK8s('5.2.2'), REF.securityContext, REF.nsaCisa, REF.owaspDocker],
  'no-privilege-escalation': [cisK8s('5.2.6'), REF.securityContext, REF.nsaCisa, REF.owaspDocker],
  'run-as-non-root': [cisK8s('5.2.7'), REF.securityContext, REF.nsaCisa, REF.owaspDocker],
  'high-uid-gid': [REF.securityContext, REF.dockerUserns, REF.nsaCisa],
  'read-only-root-fs': [REF.securityContext, REF.nsaCisa, REF.owaspDocker],
  'drop-all-capabilities': [cisK8s('5.2.8', '5.2.10'), REF.securityContext, REF.owaspDocker],
  'restrict-added-capabilities': [cisK8s('5.2.9'), REF.securityContext, REF.owaspDocker],
  'seccomp-runtime-default': [cisK8s('5.7.2'), REF.seccomp, REF.dockerSeccomp, REF.nsaCisa],
  'apparmor-not-unconfined': [REF.appArmor, REF.dockerAppArmor, REF.owaspDocker],
  'selinux-options-safe': [REF.securityContext, REF.kernelConstraints],
  'proc-mount-default': [REF.securityContext, REF.kernelConstraints],
  'safe-sysctls-only': [REF.sysctls],
  'no-windows-host-process': [cisK8s('5.2.11'), REF.hostProcess],
  'no-sa-token-automount': [cisK8s('5.1.6'), REF.configureServiceAccount, REF.nsaCisa],
  'dedicated-service-account': [cisK8s('5.1.5'), REF.serviceAccounts, REF.rbacGoodPractices],
  'no-literal-secrets-in-env': [cisK8s('5.4.1'), REF.secretsGoodPractices, REF.owaspDocker],
  'no-secrets-in-configmap': [REF.configMap, REF.secretsGoodPractices],
  'no-secret-values-in-manifests': [REF.secrets, REF.secretsGoodPractices, REF.owaspK8s],
  'rbac-no-exec-attach': [REF.rbacGoodPractices, REF.nsaCisa],
  'rbac-no-cluster-admin': [cisK8s('5.1.1'), REF.rbac, REF.rbacGoodPractices],
  'rbac-no-wildcards': [cisK8s('5.1.3'), REF.rbacGoodPractices],
  'rbac-limit-secret-access': [cisK8s('5.1.2'), REF.rbacGoodPractices, REF.secretsGoodPractices],
  // Host isolation
  'no-host-network': [cisK8s('5.2.5'), REF.nsaCisa, REF.dockerRun],
  'no-host-pid': [cisK8s('5.2.3'), REF.nsaCisa, REF.dockerRun],
  'no-host-ipc': [cisK8s('5.2.4'), REF.nsaCisa, REF.dockerRun],
  'no-host-uts': [REF.dockerRun, REF.owaspDocker],
  'no-host-userns': [REF.dockerUserns, REF.owaspDocker],
  'no-host-path': [cisK8s('5.2.12'), REF.volumes, REF.nsaCisa],
  'no-docker-socket': [REF.dockerProtectSocket, REF.owaspDocker],
  'no-shared-mount-propagation': [REF.volumes, REF.dockerBindMounts],
  'restricted-volume-types': [REF.pss, REF.volumes],
  'no-host-ports': [cisK8s('5.2.13'), REF.service, REF.dockerPortPublishing],
  'bind-specific-host-interface': [REF.dockerPortPublishing, REF.dockerPacketFiltering],
  'unprivileged-container-ports': [REF.securityContext, REF.dockerSecurity],
  'no-ssh': [REF.owaspDocker, REF.nsaCisa],
  'no-host-devices': [REF.dockerRun, REF.owaspDocker],
  'no-cgroup-parent-override': [REF.dockerRun, REF.dockerResources],
  // Resources
  'cpu-requests': [REF.resources, REF.dockerResources],
  'cpu-limits': [REF.resources, REF.dockerResources, REF.nsaCisa],
  'memory-requests': [REF.resources],
  'memory-limits': [REF.resources, REF.dockerResources, REF.nsaCisa],
  'ephemeral-storage-limits': [REF.ephemeralStorage],
  'requests-within-limits': [REF.resources],
  'pids-limit': [REF.dockerRun, REF.owaspDocker],
  // Availability and orchestration
  'min-replicas': [REF.deployment, REF.disruptions],
  'hpa-min-replicas': [REF.hpa],
  'hpa-max-gt-min': [REF.hpa],
  'hpa-no-static-replicas': [ref('Kubernetes: Horizontal Pod Autoscaling (migrating Deployments to autoscaling)', `${K8S}/tasks/run-application/horizontal-pod-autoscale/#migrating-deployments-and-statefulsets-to-horizontal-autoscaling`)],
  'hpa-target-exists': [REF.hpa],
  'pdb-required': [REF.pdb, REF.disruptions],
  'pdb-allows-disruption': [REF.pdb, REF.disruptions],
  'pdb-unhealthy-eviction-policy': [ref('Kubernetes: Unhealthy Pod Eviction Policy', `${K8S}/tasks/run-application/configure-pdb/#unhealthy-pod-eviction-policy`)],
  'pdb-within-hpa-min': [REF.pdb, REF.hpa],
  'pod-anti-affinity': [REF.affinity],
  'topology-spread': [REF.topologySpread],
  'priority-class': [REF.priority],
  'rolling-update': [ref('Kubernetes: Deployments (rolling update)', `${K8S}/concepts/workloads/controllers/deployment/#rolling-update-deployment`)],
  'revision-history-limit': [ref('Kubernetes: Deployments (revision history limit)', `${K8S}/concepts/workloads/controllers/deployment/#revision-history-limit`)],
  'restart-policy': [REF.podLifecycle, REF.dockerRestart, ref('CIS Docker Benchmark 5.15 (on-failure restart policy)', CIS_DOCKER_URL)],
  'job-ttl': [REF.ttlAfterFinished],
  'cronjob-deadline': [ref('Kubernetes: CronJob (deadline for delayed job start)', `${K8S}/concepts/workloads/controllers/cron-jobs/#starting-deadline`)],
  'cronjob-concurrency': [ref('Kubernetes: CronJob (concurrency policy)', `${K8S}/concepts/workloads/controllers/cron-jobs/#concurrency-policy`)],
  'selector-matches-template': [ref('Kubernetes: Deployments (selector)', `${K8S}/concepts/workloads/controllers/deployment/#selector`)],
  'statefulset-headless-service': [REF.statefulSet],
  'recommended-labels': [REF.commonLabels],
  'valid-label-values': [REF.labels],
  'no-deprecated-api': [REF.deprecationGuide],
  'no-default-namespace': [cisK8s('5.7.4'), REF.namespaces],
  'no-duplicate-env': [REF.envVars],
  'env-refs-exist': [REF.configMap, REF.envVars],
  'container-ports-valid': [REF.service, REF.probes],
  // Networking
  'network-policy-required': [cisK8s('5.3.2'), REF.networkPolicies, REF.nsaCisa],
  'network-policy-allows-dns': [REF.networkPolicies, REF.dns],
  'network-policy-targets-pods': [REF.networkPolicies],
  'service-targets-pods': [REF.service],
  'no-nodeport': [ref('Kubernetes: Service (type NodePort)', `${K8S}/concepts/services-networking/service/#type-nodeport`), REF.nsaCisa],
  'ingress-tls': [REF.ingressTls, REF.nsaCisa],
  'ingress-targets-service': [REF.ingress],
  'user-defined-network': [REF.dockerBridge, REF.owaspDocker],
  // Image management
  'image-tag-pinned': [REF.images, REF.owaspDocker],
  'image-pull-policy-always': [ref('Kubernetes: Images (image pull policy)', `${K8S}/concepts/containers/images/#image-pull-policy`)],
  // Monitoring and logging
  'readiness-probe': [REF.probes],
  'liveness-probe': [REF.probes, REF.dockerHealthcheck],
  'probes-distinct': [REF.probes],
  'probe-ports-declared': [REF.probes],
  'probe-host-unset': [REF.probes, REF.pss],
  'log-rotation': [REF.dockerJsonFile, REF.dockerLogging],
  'centralized-logging': [REF.dockerLogging, REF.logging, REF.nsaCisa],
};

const POLARIS_EFFICIENCY = new Set(['cpuRequestsMissing', 'cpuLimitsMissing', 'memoryRequestsMissing', 'memoryLimitsMissing']);
const POLARIS_RELIABILITY = new Set([
  'readinessProbeMissing', 'livenessProbeMissing', 'tagNotSpecified', 'pullPolicyNotAlways', 'priorityClassNotSet',
  'deploymentMissingReplicas', 'missingPodDisruptionBudget', 'metadataAndInstanceMismatched', 'topologySpreadConstraint',
  'hpaMaxAvailability', 'hpaMinAvailability', 'pdbDisruptionsIsZero', 'pdbMinAvailableGreaterThanHPAMinReplicas',
]);

function polarisPage(check: string): string {
  const page = POLARIS_EFFICIENCY.has(check) ? 'efficiency' : POLARIS_RELIABILITY.has(check) ? 'reliability' : 'security';
  return `https://polaris.docs.fairwinds.com/checks/${page}/`;
}

/** The documentation pages of the anchor-tool checks a rule mirrors. */
export function anchorReferences(a: AnchorIds): RuleReference[] {
  const out: RuleReference[] = [];
  for (const c of a.polaris ?? []) out.push(ref(`Polaris: ${c}`, polarisPage(c)));
  if (a.kubeScore?.length) out.push(ref(`kube-score: ${a.kubeScore.join(', ')}`, 'https://github.com/zegl/kube-score/blob/master/README_CHECKS.md'));
  for (const c of a.kubeLinter ?? []) out.push(ref(`kube-linter: ${c}`, `https://docs.kubelinter.io/#/generated/checks?id=${c}`));
  if (a.podSecurity?.length) {
    const level = a.podSecurity.some((p) => p.startsWith('restricted:')) ? 'restricted' : 'baseline';
    out.push(ref(`Pod Security Standards: ${a.podSecurity.join(', ')}`, `${K8S}/concepts/security/pod-security-standards/#${level}`));
  }
  if (a.cisDocker?.length) out.push(ref(`CIS Docker Benchmark ${a.cisDocker.join(', ')}`, CIS_DOCKER_URL));
  return out;
}

/** A rule's references: its own, the topic references of a built-in id, then its anchor-tool pages (deduplicated). */
export function referencesOf(r: Rule): RuleReference[] {
  const all = [...(r.references ?? []), ...(RULE_REFERENCES[r.id] ?? []), ...anchorReferences(r.anchors)];
  const seen = new Set<string>();
  return all.filter((x) => {
    const key = `${x.title}\n${x.url}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
