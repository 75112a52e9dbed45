import { arr, dockerUser, effective, hasSecurityOpt, isWindows, podSc, rule, sc, str, v } from './helpers';
import { findSecretInArgv } from '../../spec/redact';
import { isSecretReference, literalSecretEnv, looksLikeSecretName, secretValueKind } from '../../spec/secrets';
import { ComposeArgv, ComposeContainer } from '../compose';
import { DockerContainer, Rule, Violation } from '../types';

const RESTRICTED_SECCOMP = new Set(['RuntimeDefault', 'Localhost']);
/** The Pod Security baseline's safe sysctls. */
export const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports']);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);

/**
 * The API server's own default roles, as a dump of a cluster shows them (labelled
 * kubernetes.io/bootstrapping: rbac-defaults). A name (`system:*`, `admin`) proves nothing: anyone
 * can create a role called `system:anything`.
 */
function isDefaultRole(obj: any): boolean {
  return obj?.metadata?.labels?.['kubernetes.io/bootstrapping'] === 'rbac-defaults';
}

const roleName = (o: any): string | undefined => str(o?.metadata?.name);

/** `*`, or every verb of the API spelled out (in any order): the same grant. */
const EVERY_VERB = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
function allVerbs(verbs: readonly string[]): boolean {
  return verbs.includes('*') || EVERY_VERB.every((x) => verbs.includes(x));
}


/**
 * The argument-vector check of `no-literal-secrets-in-env`, one for Kubernetes `command`/`args`
 * and Compose `command`/`entrypoint`/`healthcheck.test`: a finding at `field[index]` (list form)
 * or `field` (a string, which is one shell text).
 */
function argvViolations(field: string, argv: readonly unknown[], list: boolean): Violation[] {
  // Arguments are as visible as env values: a password flag or token there is a literal secret too.
  const hit = findSecretInArgv(argv);
  if (!hit) return [];
  const at = list ? `${field}[${hit.index}]` : field;
  return [v(at, `${at} holds ${hit.shape}`)];
}

function composeArgvs(c: DockerContainer): readonly ComposeArgv[] {
  return (c as ComposeContainer).argvs ?? [];
}

function lower(list: unknown): string[] {
  return arr(list).map((x) => String(x).toLowerCase());
}

export const identityRules: Rule[] = [
  rule({
    id: 'no-privileged',
    category: 'identity-and-privilege',
    severity: 'error',
    title: 'Containers are not privileged',
    rationale: 'A privileged container has every capability and all host devices: one compromise is a host compromise.',
    fix: 'Remove privileged: true (Kubernetes) / --privileged (Docker); add the one capability the workload really needs instead.',
    appliesTo: 'both',
    anchors: { polaris: ['runAsPrivileged'], kubeScore: ['container-security-context-privileged'], kubeLinter: ['privileged-container', 'privilege-escalation-container'], podSecurity: ['baseline:privileged'], cisDocker: ['5.5'] },
    checkContainer: (c) => (sc(c).privileged === true ? [v(`${c.path}.securityContext.privileged`, `container '${c.container.name}' is privileged`)] : []),
    checkDocker: (c) => (c.privileged ? [v('privileged', `container '${c.name}' is privileged`)] : []),
  }),
  rule({
    id: 'no-privilege-escalation',
    category: 'identity-and-privilege',
    severity: 'error',
    title: 'Privilege escalation is explicitly disabled',
    rationale: 'Without no_new_privs a setuid binary inside the image can regain root. Pod Security "restricted" and Polaris require the explicit false.',
    fix: 'Set securityContext.allowPrivilegeEscalation: false on every container (Docker: --security-opt no-new-privileges:true).',
    appliesTo: 'both',
    anchors: { polaris: ['privilegeEscalationAllowed'], kubeLinter: ['privilege-escalation-container'], podSecurity: ['restricted:allowPrivilegeEscalation'], cisDocker: ['5.26'] },
    checkContainer: (c, pod) => (isWindows(pod) || sc(c).allowPrivilegeEscalation === false ? [] : [v(`${c.path}.securityContext.allowPrivilegeEscalation`, `container '${c.container.name}' does not set allowPrivilegeEscalation: false`)]),
    checkDocker: (c) => (hasSecurityOpt(c.securityOpts, 'no-new-privileges', 'true') ? [] : [v('securityOpts', `container '${c.name}' lacks no-new-privileges:true`)]),
  }),
  rule({
    id: 'run-as-non-root',
    category: 'identity-and-privilege',
    severity: 'error',
    title: 'Containers run as a non-root user',
    rationale: 'Root in a container is root on the host\'s kernel: a container escape or a writable host mount becomes host root.',
    fix: 'Set runAsNonRoot: true and a non-zero runAsUser/runAsGroup (pod or container level); Docker: user "10001:10001".',
    appliesTo: 'both',
    anchors: { polaris: ['runAsRootAllowed'], kubeLinter: ['run-as-non-root'], podSecurity: ['restricted:runAsNonRoot', 'restricted:runAsUser'], cisDocker: ['4.1'] },
    checkContainer: (c, pod) => {
      const out: Violation[] = [];
      const nonRoot = effective(c, pod, 'runAsNonRoot');
      const user = effective(c, pod, 'runAsUser');
      const group = effective(c, pod, 'runAsGroup');
      // Pod Security "restricted" (the admission controller's semantics): runAsNonRoot must be true
      // on the container, or unset there and true on the pod; a runAsUser alone does not count.
      // Every container: init, regular and ephemeral.
      if (sc(c).runAsNonRoot === false) {out.push(v(`${c.path}.securityContext.runAsNonRoot`, `container '${c.container.name}' sets runAsNonRoot: false`));} else if (nonRoot !== true) {
        out.push(v(`${c.path}.securityContext.runAsNonRoot`, `container '${c.container.name}' does not set runAsNonRoot: true (nor does the pod)${typeof user === 'number' && user > 0 ? `; runAsUser: ${user} alone is refused by Pod Security "restricted"` : ''}`));
      }
      if (sc(c).runAsUser === 0) out.push(v(`${c.path}.securityContext.runAsUser`, `container '${c.container.name}' runs as UID 0`));
      if (group === 0) out.push(v(`${c.path}.securityContext.runAsGroup`, `container '${c.container.name}' runs with GID 0`));
      return out;
    },
    // Pod-level settings are refused even when every container overrides them.
    checkPod: (pod) => {
      const out: Violation[] = [];
      if (podSc(pod).runAsNonRoot === false) out.push(v(`${pod.specPath}.securityContext.runAsNonRoot`, 'the pod sets runAsNonRoot: false'));
      if (podSc(pod).runAsUser === 0) out.push(v(`${pod.specPath}.securityContext.runAsUser`, 'the pod runs as UID 0'));
      return out;
    },
    checkDocker: (c) => {
      const u = dockerUser(c.user);
      if (!c.user || u.uid === 0 || u.name === 'root' || u.gid === 0) return [v('user', `container '${c.name}' runs as root (user is '${c.user ?? ''}')`)];
      return [];
    },
  }),
  rule({
    id: 'high-uid-gid',
    category: 'identity-and-privilege',
    severity: 'warning',
    title: 'UID and GID are 10000 or higher',
    rationale: 'Low UIDs collide with real users and system accounts on the host; if the container escapes or shares a volume it acts as that user.',
    fix: 'Set runAsUser and runAsGroup to 10000 or more (this library uses 10001); Docker: user "10001:10001".',
    appliesTo: 'both',
    anchors: { kubeScore: ['container-security-context-user-group-id'] },
    checkContainer: (c, pod) => {
      const out: Violation[] = [];
      const user = effective(c, pod, 'runAsUser');
      const group = effective(c, pod, 'runAsGroup');
      if (!(typeof user === 'number' && user >= 10000)) out.push(v(`${c.path}.securityContext.runAsUser`, `container '${c.container.name}' runs with UID ${user ?? '(image default)'} (< 10000)`));
      if (!(typeof group === 'number' && group >= 10000)) out.push(v(`${c.path}.securityContext.runAsGroup`, `container '${c.container.name}' runs with GID ${group ?? '(image default)'} (< 10000)`));
      return out;
    },
    checkDocker: (c) => {
      const u = dockerUser(c.user);
      return u.uid !== undefined && u.uid >= 10000 && u.gid !== undefined && u.gid >= 10000 ? [] : [v('user', `container '${c.name}' user '${c.user ?? ''}' is not a numeric UID:GID ≥ 10000`)];
    },
  }),
  rule({
    id: 'read-only-root-fs',
    category: 'identity-and-privilege',
    severity: 'error',
    title: 'The root filesystem is read-only',
    rationale: 'A writable root filesystem lets an intruder drop tools and persist, and lets the app write data into the container layer where it is lost on restart.',
    fix: 'Set readOnlyRootFilesystem: true on every container and mount size-limited emptyDirs (or tmpfs on Docker) where the process must write.',
    appliesTo: 'both',
    anchors: { polaris: ['notReadOnlyRootFilesystem'], kubeScore: ['container-security-context-readonlyrootfilesystem'], kubeLinter: ['no-read-only-root-fs'], cisDocker: ['5.13'] },
    checkContainer: (c) => (sc(c).readOnlyRootFilesystem === true ? [] : [v(`${c.path}.securityContext.readOnlyRootFilesystem`, `container '${c.container.name}' has a writable root filesystem`)]),
    checkDocker: (c) => (c.readOnly ? [] : [v('readOnly', `container '${c.name}' has a writable root filesystem`)]),
  }),
  rule({
    id: 'drop-all-capabilities',
    category: 'identity-and-privilege',
    severity: 'error',
    title: 'All Linux capabilities are dropped',
    rationale: 'The runtime\'s default capability set includes NET_RAW (packet spoofing) and others most services never need.',
    fix: 'Set securityContext.capabilities.drop: [ALL] (Docker: --cap-drop=ALL) and add back only what is needed.',
    appliesTo: 'both',
    anchors: { polaris: ['insecureCapabilities', 'linuxHardening'], kubeLinter: ['drop-net-raw-capability'], podSecurity: ['restricted:capabilities'], cisDocker: ['5.4'] },
    checkContainer: (c, pod) => (isWindows(pod) || lower(sc(c).capabilities?.drop).includes('all') ? [] : [v(`${c.path}.securityContext.capabilities.drop`, `container '${c.container.name}' does not drop ALL capabilities`)]),
    checkDocker: (c) => (lower(c.capDrop).includes('all') ? [] : [v('capabilities.drops', `container '${c.name}' does not drop ALL capabilities`)]),
  }),
  rule({
    id: 'restrict-added-capabilities',
    category: 'identity-and-privilege',
    severity: 'error',
    title: 'Only NET_BIND_SERVICE may be added back',
    rationale: 'SYS_ADMIN, NET_ADMIN, SYS_PTRACE and friends are container-escape primitives. Pod Security "restricted" allows adding only NET_BIND_SERVICE.',
    fix: 'Remove added capabilities; listen on a port ≥ 1024 instead of adding NET_BIND_SERVICE where you can.',
    appliesTo: 'both',
    anchors: { polaris: ['dangerousCapabilities'], kubeLinter: ['privilege-escalation-container'], podSecurity: ['baseline:capabilities', 'restricted:capabilities'], cisDocker: ['5.4', 'C.5.3.1', 'C.5.3.2', 'C.5.3.3', 'C.5.3.4'] },
    checkContainer: (c, pod) => {
      if (isWindows(pod)) return [];
      const bad = arr(sc(c).capabilities?.add).map(String).filter((x) => x.toUpperCase().replace(/^CAP_/, '') !== 'NET_BIND_SERVICE');
      return bad.length ? [v(`${c.path}.securityContext.capabilities.add`, `container '${c.container.name}' adds ${bad.join(', ')}`)] : [];
    },
    checkDocker: (c) => {
      const bad = (c.capAdd ?? []).filter((x) => x.toUpperCase().replace(/^CAP_/, '') !== 'NET_BIND_SERVICE');
      return bad.length ? [v('capabilities.adds', `container '${c.name}' adds ${bad.join(', ')}`)] : [];
    },
  }),
  rule({
    id: 'seccomp-runtime-default',
    category: 'identity-and-privilege',
    severity: 'error',
    title: 'A seccomp profile (RuntimeDefault or Localhost) is set',
    rationale: 'Seccomp blocks the rarely used syscalls most kernel exploits rely on; Kubernetes runs pods Unconfined unless told otherwise.',
    fix: 'Set securityContext.seccompProfile.type: RuntimeDefault on the pod; on Docker never pass seccomp=unconfined.',
    appliesTo: 'both',
    anchors: { polaris: ['linuxHardening'], kubeScore: ['container-seccomp-profile'], podSecurity: ['baseline:seccompProfile', 'restricted:seccompProfile'], cisDocker: ['5.22'] },
    checkContainer: (c, pod) => {
      if (isWindows(pod)) return [];
      const own = sc(c).seccompProfile?.type;
      const type = own ?? podSc(pod).seccompProfile?.type;
      return RESTRICTED_SECCOMP.has(type) ? [] : [v(own !== undefined ? `${c.path}.securityContext.seccompProfile.type` : `${pod.specPath}.securityContext.seccompProfile.type`, `container '${c.container.name}' has seccomp profile ${type ?? '(unset: Unconfined)'}`)];
    },
    // Pod Security refuses a pod-level Unconfined even when every container sets its own profile.
    checkPod: (pod) => {
      const type = podSc(pod).seccompProfile?.type;
      if (isWindows(pod) || type === undefined || RESTRICTED_SECCOMP.has(type)) return [];
      const overridden = pod.containers.length > 0 && pod.containers.every((c) => sc(c).seccompProfile?.type !== undefined);
      return overridden ? [v(`${pod.specPath}.securityContext.seccompProfile.type`, `the pod sets seccomp profile ${type}`)] : [];
    },
    checkDocker: (c) => (hasSecurityOpt(c.securityOpts, 'seccomp', 'unconfined') ? [v('securityOpts', `container '${c.name}' disables seccomp`)] : []),
  }),
  rule({
    id: 'apparmor-not-unconfined',
    category: 'identity-and-privilege',
    severity: 'error',
    title: 'AppArmor is not switched off',
    rationale: 'An unconfined AppArmor profile removes a mandatory-access-control layer the runtime applies by default.',
    fix: 'Remove the unconfined AppArmor annotation/option, or use runtime/default or a localhost/ profile.',
    appliesTo: 'both',
    anchors: { polaris: ['linuxHardening'], podSecurity: ['baseline:appArmorProfile'], cisDocker: ['5.2'] },
    checkPod: (pod) => {
      const out: Violation[] = [];
      for (const [k, val] of Object.entries(pod.annotations)) {
        if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && val !== 'runtime/default' && !val.startsWith('localhost/')) {
          out.push(v(`${pod.specPath.replace(/\.spec$/, '')}.metadata.annotations.${k}`, `AppArmor profile '${val}' for ${k.split('/')[1]}`));
        }
      }
      return out;
    },
    checkDocker: (c) => (hasSecurityOpt(c.securityOpts, 'apparmor', 'unconfined') ? [v('securityOpts', `container '${c.name}' runs AppArmor-unconfined`)] : []),
  }),
  rule({
    id: 'selinux-options-safe',
    category: 'identity-and-privilege',
    severity: 'error',
    title: 'SELinux options stay within the container types',
    rationale: 'Custom SELinux users, roles or types can grant host-level access.',
    fix: 'Remove seLinuxOptions.user/role and use a container_t-family type or none; on Docker never use label=disable.',
    appliesTo: 'both',
    anchors: { polaris: ['linuxHardening'], podSecurity: ['baseline:seLinuxOptions'], cisDocker: ['5.3'] },
    checkPod: (pod) => {
      const out: Violation[] = [];
      const check = (o: any, path: string) => {
        if (!o || typeof o !== 'object') return;
        if (o.type !== undefined && !SELINUX_TYPES.has(o.type)) out.push(v(`${path}.type`, `SELinux type '${o.type}' is not allowed`));
        if (o.user) out.push(v(`${path}.user`, 'SELinux user is set'));
        if (o.role) out.push(v(`${path}.role`, 'SELinux role is set'));
      };
      check(podSc(pod).seLinuxOptions, `${pod.specPath}.securityContext.seLinuxOptions`);
      for (const c of pod.containers) check(sc(c).seLinuxOptions, `${c.path}.securityContext.seLinuxOptions`);
      return out;
    },
    checkDocker: (c) => (hasSecurityOpt(c.securityOpts, 'label', 'disable') ? [v('securityOpts', `container '${c.name}' disables SELinux labelling`)] : []),
  }),
  rule({
    id: 'proc-mount-default',
    category: 'identity-and-privilege',
    severity: 'error',
    title: '/proc is masked (procMount Default)',
    rationale: 'An unmasked /proc exposes kernel interfaces that the runtime hides.',
    fix: 'Remove securityContext.procMount or set it to Default.',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['procMount'], kubeLinter: ['unsafe-proc-mount'], podSecurity: ['baseline:procMount'] },
    checkContainer: (c) => {
      const pm = sc(c).procMount;
      return pm === undefined || pm === 'Default' ? [] : [v(`${c.path}.securityContext.procMount`, `container '${c.container.name}' uses procMount ${pm}`)];
    },
  }),
  rule({
    id: 'safe-sysctls-only',
    category: 'identity-and-privilege',
    severity: 'error',
    title: 'Only namespaced, safe sysctls are set',
    rationale: 'Unsafe sysctls change kernel behaviour for every pod on the node (noisy neighbour, or worse).',
    fix: 'Remove the sysctl, or keep to the Pod Security allow-list (e.g. net.ipv4.ip_unprivileged_port_start).',
    appliesTo: 'both',
    anchors: { kubeLinter: ['unsafe-sysctls'], podSecurity: ['baseline:sysctls'] },
    checkPod: (pod) => arr(podSc(pod).sysctls).map((s, i) => ({ s, i })).filter(({ s }) => !SAFE_SYSCTLS.has(s?.name)).map(({ s, i }) => v(`${pod.specPath}.securityContext.sysctls[${i}].name`, `sysctl '${s?.name}' is not in the safe set`)),
    checkDocker: (c) => Object.keys(c.sysctls ?? {}).filter((k) => !SAFE_SYSCTLS.has(k)).map((k) => v(`sysctls.${k}`, `sysctl '${k}' is not in the safe set`)),
  }),
  rule({
    id: 'no-windows-host-process',
    category: 'identity-and-privilege',
    severity: 'error',
    title: 'No Windows HostProcess containers',
    rationale: 'A HostProcess container runs directly on the Windows host with its privileges.',
    fix: 'Remove windowsOptions.hostProcess: true.',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['hostProcess'], podSecurity: ['baseline:windowsHostProcess'] },
    checkPod: (pod) => {
      const out: Violation[] = [];
      if (podSc(pod).windowsOptions?.hostProcess === true) out.push(v(`${pod.specPath}.securityContext.windowsOptions.hostProcess`, 'pod is a Windows HostProcess pod'));
      for (const c of pod.containers) if (sc(c).windowsOptions?.hostProcess === true) out.push(v(`${c.path}.securityContext.windowsOptions.hostProcess`, `container '${c.container.name}' is a HostProcess container`));
      return out;
    },
  }),
  rule({
    id: 'no-sa-token-automount',
    category: 'identity-and-privilege',
    severity: 'warning',
    title: 'Service account tokens are not mounted',
    rationale: 'A mounted token lets anyone who gets code execution in the pod talk to the Kubernetes API as its service account.',
    fix: 'Set automountServiceAccountToken: false on the pod (and on its ServiceAccount); mount a projected token only where the app calls the API.',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['automountServiceAccountToken'] },
    checkPod: (pod, ctx) => {
      const a = pod.spec.automountServiceAccountToken;
      if (a === false) return [];
      if (a === true) return [v(`${pod.specPath}.automountServiceAccountToken`, 'the pod mounts its service account token')];
      const saName = str(pod.spec.serviceAccountName) ?? 'default';
      const sa = ctx.find('ServiceAccount', pod.namespace, saName);
      return sa?.automountServiceAccountToken === false ? [] : [v(`${pod.specPath}.automountServiceAccountToken`, `the pod does not set automountServiceAccountToken: false and ServiceAccount '${saName}' ${sa ? 'does not either' : 'is not among the objects'}`)];
    },
  }),
  rule({
    id: 'dedicated-service-account',
    category: 'identity-and-privilege',
    severity: 'warning',
    title: 'Each workload has its own, existing ServiceAccount',
    rationale: 'Workloads sharing the default ServiceAccount share every RBAC grant anyone adds to it.',
    fix: 'Create a ServiceAccount per workload and set serviceAccountName (not the deprecated serviceAccount field).',
    appliesTo: 'kubernetes',
    anchors: { kubeLinter: ['default-service-account', 'non-existent-service-account', 'deprecated-service-account-field'] },
    checkPod: (pod, ctx) => {
      const out: Violation[] = [];
      if (pod.spec.serviceAccount !== undefined) out.push(v(`${pod.specPath}.serviceAccount`, 'uses the deprecated serviceAccount field'));
      const name = str(pod.spec.serviceAccountName);
      if (!name || name === 'default') return [...out, v(`${pod.specPath}.serviceAccountName`, 'the pod uses the default ServiceAccount')];
      const exists = !!ctx.find('ServiceAccount', pod.namespace, name);
      if (!exists) out.push(v(`${pod.specPath}.serviceAccountName`, `ServiceAccount '${name}' is not among the objects`));
      return out;
    },
  }),
  rule({
    id: 'no-literal-secrets-in-env',
    category: 'identity-and-privilege',
    severity: 'error',
    title: 'No literal secrets in environment variables',
    rationale: 'Literal secrets land in git, in the manifest, in `kubectl describe` and `docker inspect`.',
    fix: 'Store the value in a Secret and use valueFrom.secretKeyRef, or better mount it as a file.',
    appliesTo: 'both',
    anchors: { polaris: ['sensitiveContainerEnvVar'], kubeLinter: ['env-var-secret'], cisDocker: ['4.10'] },
    checkContainer: (c) => arr(c.container.env).flatMap((e, i) => {
      if (typeof e?.value !== 'string') return [];
      const kind = secretValueKind(e.value);
      if (kind) return [v(`${c.path}.env[${i}].value`, `env ${e.name} holds ${kind}`)];
      return literalSecretEnv(String(e.name), e.value) ? [v(`${c.path}.env[${i}].value`, `env ${e.name} looks like a secret and has a literal value`)] : [];
    }).concat((['command', 'args'] as const).flatMap((k) => argvViolations(k, arr(c.container[k]), true).map((x) => ({ ...x, path: `${c.path}.${x.path}` })))),
    checkDocker: (c) => Object.entries(c.env ?? {}).flatMap(([k, val]) => {
      if (c.secretEnv?.includes(k)) return [];
      const kind = secretValueKind(String(val));
      if (kind) return [v(`env.${k}`, `env ${k} holds ${kind}`)];
      return literalSecretEnv(k, String(val)) ? [v(`env.${k}`, `env ${k} looks like a secret and has a literal value`)] : [];
    }).concat(composeArgvs(c).flatMap((a) => argvViolations(a.field, a.argv, a.list))),
  }),
  rule({
    id: 'no-secrets-in-configmap',
    category: 'identity-and-privilege',
    severity: 'error',
    title: 'No secrets in ConfigMaps',
    rationale: 'ConfigMaps are not encrypted at rest and are readable with broad RBAC.',
    fix: 'Move the key to a Secret.',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['sensitiveConfigmapContent'] },
    kinds: ['ConfigMap'],
    checkObject: (o) => Object.entries(o.data && typeof o.data === 'object' ? o.data : {}).flatMap(([k, val]) => {
      const kind = secretValueKind(String(val));
      if (kind) return [v(`data.${k}`, `key ${k} holds ${kind}`)];
      return looksLikeSecretName(k) && !isSecretReference(k, String(val)) ? [v(`data.${k}`, `key ${k} looks like a secret`)] : [];
    }),
  }),
  rule({
    id: 'no-secret-values-in-manifests',
    category: 'identity-and-privilege',
    severity: 'warning',
    title: 'Secret values are not written into manifests',
    rationale: 'A Secret\'s data in a manifest is only base64: it lands in git, CI logs and every copy of the output.',
    fix: 'Create the Secret out of band (kubectl, External Secrets, Sealed Secrets, SOPS) and reference it by name; the constructs only ever reference Secrets.',
    appliesTo: 'kubernetes',
    anchors: {},
    kinds: ['Secret'],
    checkObject: (o) => (['stringData', 'data'] as const).flatMap((field) => {
      const d = o[field];
      if (!d || typeof d !== 'object') return [];
      // Key names only: a finding never repeats a value.
      const keys = Object.keys(d).filter((k) => d[k] !== '' && d[k] !== null && d[k] !== undefined);
      return keys.length ? [v(field, `Secret ${o.metadata?.name} carries ${keys.length === 1 ? 'a value' : `${keys.length} values`} in ${field} (${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''})`)] : [];
    }),
  }),
  rule({
    id: 'rbac-no-exec-attach',
    category: 'identity-and-privilege',
    severity: 'error',
    title: 'Roles do not grant pods/exec or pods/attach',
    rationale: 'exec/attach is a shell in every pod the role can see, secrets and tokens included.',
    fix: 'Remove pods/exec and pods/attach (and * resources) from the role; grant break-glass access separately and audited.',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['clusterrolePodExecAttach', 'rolePodExecAttach', 'clusterrolebindingPodExecAttach', 'rolebindingClusterRolePodExecAttach', 'rolebindingRolePodExecAttach'] },
    kinds: ['Role', 'ClusterRole'],
    checkObject: (o) => (isDefaultRole(o) ? [] : arr(o.rules).flatMap((r, i) => {
      const res = lower(r?.resources);
      const verbs = lower(r?.verbs);
      const grants = (res.includes('pods/exec') || res.includes('pods/attach') || res.includes('*')) && (verbs.includes('get') || verbs.includes('create') || verbs.includes('*'));
      return grants ? [v(`rules[${i}]`, `${o.kind} ${o.metadata?.name} grants exec/attach into pods`)] : [];
    })),
  }),
  rule({
    id: 'rbac-no-cluster-admin',
    category: 'identity-and-privilege',
    severity: 'error',
    title: 'Nothing is bound to cluster-admin or a wildcard role',
    rationale: 'A cluster-admin binding turns one compromised workload or user into a compromised cluster.',
    fix: 'Bind a role that lists the verbs and resources actually needed.',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['clusterrolebindingClusterAdmin', 'rolebindingClusterAdminClusterRole', 'rolebindingClusterAdminRole'], kubeLinter: ['cluster-admin-role-binding'] },
    kinds: ['ClusterRoleBinding', 'RoleBinding'],
    checkObject: (o, ctx) => {
      const ref = o.roleRef ?? {};
      if (ref.name === 'cluster-admin') return [v('roleRef.name', `${o.kind} ${o.metadata?.name} binds cluster-admin`)];
      // A ClusterRole is cluster-scoped: a stray metadata.namespace on it does not hide it.
      const role = ref.kind === 'ClusterRole'
        ? ctx.indexBy('ClusterRole', roleName).get(String(ref.name))?.[0]
        : ctx.find(String(ref.kind), ctx.namespaceOf(o), String(ref.name));
      const wildcard = role && arr(role.rules).some((r) => lower(r?.apiGroups).includes('*') && lower(r?.resources).includes('*') && allVerbs(lower(r?.verbs)));
      return wildcard ? [v('roleRef.name', `${o.kind} ${o.metadata?.name} binds wildcard role ${ref.name}`)] : [];
    },
  }),
  rule({
    id: 'rbac-no-wildcards',
    category: 'identity-and-privilege',
    severity: 'warning',
    title: 'Roles name their resources and verbs (no *)',
    rationale: 'Wildcards grant resources and verbs that do not exist yet, including future sensitive ones.',
    fix: 'List apiGroups, resources and verbs explicitly.',
    appliesTo: 'kubernetes',
    anchors: { kubeLinter: ['wildcard-in-rules'] },
    kinds: ['Role', 'ClusterRole'],
    checkObject: (o) => (isDefaultRole(o) ? [] : arr(o.rules).flatMap((r, i) => (['resources', 'verbs'] as const)
      .filter((k) => lower(r?.[k]).includes('*'))
      .map((k) => v(`rules[${i}].${k}`, `${o.kind} ${o.metadata?.name} uses * in ${k}`)))),
  }),
  rule({
    id: 'rbac-limit-secret-access',
    category: 'identity-and-privilege',
    severity: 'info',
    title: 'Roles that can read Secrets are deliberate',
    rationale: 'get/list/watch on Secrets reads every credential in the namespace.',
    fix: 'Limit the rule with resourceNames, or drop secrets from it.',
    appliesTo: 'kubernetes',
    anchors: { kubeLinter: ['access-to-secrets'] },
    kinds: ['Role', 'ClusterRole'],
    checkObject: (o) => (isDefaultRole(o) ? [] : arr(o.rules).flatMap((r, i) => {
      const res = lower(r?.resources);
      const verbs = lower(r?.verbs);
      const reads = (res.includes('secrets') || res.includes('*')) && ['get', 'list', 'watch', '*'].some((x) => verbs.includes(x)) && arr(r?.resourceNames).length === 0;
      return reads ? [v(`rules[${i}]`, `${o.kind} ${o.metadata?.name} can read every Secret`)] : [];
    })),
  }),
];
