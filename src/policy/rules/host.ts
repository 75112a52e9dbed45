import { posix } from 'path';
import { arr, rule, str, v } from './helpers';
import { Rule, Violation } from '../types';

const SENSITIVE_HOST_PATHS = ['/', '/boot', '/dev', '/etc', '/lib', '/proc', '/sys', '/usr', '/var/run', '/run', '/var/lib/docker', '/var/lib/kubelet', '/root'];
/** Container runtime sockets: whoever can talk to one is root on the host. */
export const RUNTIME_SOCKET = /(docker|containerd|crio|cri-dockerd|podman)\.sock$/;
const RESTRICTED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

/** Canonical form before any check: `/srv/..` is `/`, `/srv/../run` is `/run`, `//etc/` is `/etc`. */
function normPath(p: string): string {
  const n = posix.normalize(p).replace(/\/+$/, '');
  return n === '' && p.startsWith('/') ? '/' : n;
}

/** Host paths whose mount exposes the host (CIS Docker 5.6, kube-linter sensitive-host-mounts). */
export function sensitive(p: string): boolean {
  const n = normPath(p);
  return SENSITIVE_HOST_PATHS.some((s) => n === s || (s !== '/' && n.startsWith(`${s}/`)));
}

function hostNamespaceRule(id: string, field: 'hostNetwork' | 'hostPID' | 'hostIPC', dockerField: 'networkMode' | 'pidMode' | 'ipcMode', what: string, anchors: Rule['anchors']): Rule {
  return rule({
    id,
    category: 'host-isolation',
    severity: 'error',
    title: `The host's ${what} namespace is not shared`,
    rationale: `Sharing the host's ${what} namespace removes the isolation between the container and every process on the node.`,
    fix: `Remove ${field}: true (Docker: do not use --${dockerField === 'networkMode' ? 'network' : dockerField === 'pidMode' ? 'pid' : 'ipc'}=host).`,
    appliesTo: 'both',
    anchors,
    checkPod: (pod) => (pod.spec[field] === true ? [v(`${pod.specPath}.${field}`, `the pod sets ${field}: true`)] : []),
    checkDocker: (c) => (c[dockerField] === 'host' ? [v(dockerField, `container '${c.name}' uses the host ${what} namespace`)] : []),
  });
}

export const hostRules: Rule[] = [
  hostNamespaceRule('no-host-network', 'hostNetwork', 'networkMode', 'network', { polaris: ['hostNetworkSet'], kubeLinter: ['host-network'], podSecurity: ['baseline:hostNamespaces'], cisDocker: ['5.10'] }),
  hostNamespaceRule('no-host-pid', 'hostPID', 'pidMode', 'process', { polaris: ['hostPIDSet'], kubeLinter: ['host-pid'], podSecurity: ['baseline:hostNamespaces'], cisDocker: ['5.16'] }),
  hostNamespaceRule('no-host-ipc', 'hostIPC', 'ipcMode', 'IPC', { polaris: ['hostIPCSet'], kubeLinter: ['host-ipc'], podSecurity: ['baseline:hostNamespaces'], cisDocker: ['5.17'] }),
  rule({
    id: 'no-host-uts',
    category: 'host-isolation',
    severity: 'error',
    title: "The host's UTS namespace is not shared",
    rationale: 'A container sharing the host\'s UTS namespace can change the host\'s hostname.',
    fix: 'Do not use --uts=host.',
    appliesTo: 'docker',
    anchors: { cisDocker: ['5.21'] },
    checkDocker: (c) => (c.utsMode === 'host' ? [v('utsMode', `container '${c.name}' uses the host UTS namespace`)] : []),
  }),
  rule({
    id: 'no-host-userns',
    category: 'host-isolation',
    severity: 'error',
    title: "The host's user namespace is not shared",
    rationale: '--userns=host switches off user-namespace remapping, so root in the container is root on the host.',
    fix: 'Do not use --userns=host.',
    appliesTo: 'docker',
    anchors: { cisDocker: ['5.31'] },
    checkDocker: (c) => (c.usernsMode === 'host' ? [v('usernsMode', `container '${c.name}' uses the host user namespace`)] : []),
  }),
  rule({
    id: 'no-host-path',
    category: 'host-isolation',
    severity: 'error',
    title: 'No host paths (Kubernetes) / no sensitive or writable host mounts (Docker)',
    rationale: 'Host paths tie the pod to one node, survive nothing when it moves, and a writable or sensitive one (/etc, /var/run, /proc…) is a path to the host.',
    fix: 'Use a PersistentVolumeClaim for data, a ConfigMap or Secret for files; on Docker use named volumes, or read-only binds of non-system paths.',
    appliesTo: 'both',
    anchors: { polaris: ['hostPathSet'], kubeLinter: ['sensitive-host-mounts', 'writable-host-mount'], podSecurity: ['baseline:hostPathVolumes'], cisDocker: ['5.6'] },
    checkPod: (pod) => arr(pod.spec.volumes).flatMap((vol, i) => (vol?.hostPath ? [v(`${pod.specPath}.volumes[${i}].hostPath`, `volume '${vol.name}' mounts host path ${vol.hostPath.path}`)] : [])),
    checkDocker: (c) => (c.mounts ?? []).flatMap((m, i): Violation[] => {
      if (m.type !== 'bind' || !m.source) return [];
      if (sensitive(m.source)) return [v(`mounts[${i}].source`, `container '${c.name}' mounts sensitive host path ${m.source}`)];
      return m.readOnly ? [] : [v(`mounts[${i}].readOnly`, `container '${c.name}' mounts host path ${m.source} writable`)];
    }),
  }),
  rule({
    id: 'no-docker-socket',
    category: 'host-isolation',
    severity: 'error',
    title: 'The container runtime socket is not mounted',
    rationale: 'Whoever can talk to docker.sock (or containerd\'s) can start a privileged container: it is root on the host.',
    fix: 'Remove the socket mount; use the orchestrator API with narrow RBAC, or a rootless builder.',
    appliesTo: 'both',
    anchors: { polaris: ['hostPathSet'], kubeLinter: ['docker-sock'], podSecurity: ['baseline:hostPathVolumes'], cisDocker: ['5.32'] },
    checkPod: (pod) => arr(pod.spec.volumes).flatMap((vol, i) => (RUNTIME_SOCKET.test(String(vol?.hostPath?.path ?? '')) ? [v(`${pod.specPath}.volumes[${i}].hostPath.path`, `volume '${vol.name}' mounts the runtime socket ${vol.hostPath.path}`)] : [])),
    checkDocker: (c) => (c.mounts ?? []).flatMap((m, i) => (m.type === 'bind' && RUNTIME_SOCKET.test(m.source ?? '') ? [v(`mounts[${i}].source`, `container '${c.name}' mounts the runtime socket ${m.source}`)] : [])),
  }),
  rule({
    id: 'no-shared-mount-propagation',
    category: 'host-isolation',
    severity: 'error',
    title: 'Mounts do not propagate back to the host',
    rationale: 'Bidirectional/shared propagation lets mounts made inside the container appear on the host.',
    fix: 'Remove mountPropagation: Bidirectional (Docker: shared/rshared propagation).',
    appliesTo: 'both',
    anchors: { cisDocker: ['5.20'] },
    checkContainer: (c) => arr(c.container.volumeMounts).flatMap((m, i) => (m?.mountPropagation === 'Bidirectional' ? [v(`${c.path}.volumeMounts[${i}].mountPropagation`, `mount ${m.mountPath} propagates to the host`)] : [])),
    checkDocker: (c) => (c.mounts ?? []).flatMap((m, i) => (m.propagation === 'shared' || m.propagation === 'rshared' ? [v(`mounts[${i}].propagation`, `mount ${m.target} propagates to the host`)] : [])),
  }),
  rule({
    id: 'restricted-volume-types',
    category: 'host-isolation',
    severity: 'error',
    title: 'Only restricted volume types are used',
    rationale: 'Pod Security "restricted" allows only volume types that cannot reach the node\'s filesystem or a network filesystem outside the cluster\'s control.',
    fix: 'Use configMap, secret, emptyDir, projected, downwardAPI, csi, ephemeral or persistentVolumeClaim volumes.',
    appliesTo: 'kubernetes',
    anchors: { podSecurity: ['restricted:restrictedVolumes'] },
    checkPod: (pod) => arr(pod.spec.volumes).flatMap((vol, i) => {
      const types = Object.keys(vol ?? {}).filter((k) => k !== 'name');
      const bad = types.filter((t) => !RESTRICTED_VOLUME_TYPES.has(t));
      return bad.length ? [v(`${pod.specPath}.volumes[${i}]`, `volume '${vol?.name}' has type ${bad.join(', ')}`)] : [];
    }),
  }),
  rule({
    id: 'no-host-ports',
    category: 'host-isolation',
    severity: 'error',
    title: 'No host ports (Kubernetes) / no privileged host ports (Docker)',
    rationale: 'A hostPort pins one pod per node and opens the node\'s interface, bypassing Services and NetworkPolicies; on Docker a host port below 1025 needs root on the host.',
    fix: 'Expose through a Service (and an Ingress); on Docker publish on a port ≥ 1025.',
    appliesTo: 'both',
    anchors: { polaris: ['hostPortSet'], podSecurity: ['baseline:hostPorts'], cisDocker: ['5.8'] },
    checkContainer: (c) => arr(c.container.ports).flatMap((p, i) => (typeof p?.hostPort === 'number' && p.hostPort !== 0 ? [v(`${c.path}.ports[${i}].hostPort`, `container '${c.container.name}' binds host port ${p.hostPort}`)] : [])),
    checkDocker: (c) => (c.ports ?? []).flatMap((p, i) => (p.external !== undefined && p.external < 1025 ? [v(`ports[${i}].external`, `container '${c.name}' publishes privileged host port ${p.external}`)] : [])),
  }),
  rule({
    id: 'bind-specific-host-interface',
    category: 'host-isolation',
    severity: 'warning',
    title: 'Published ports bind a specific host interface',
    rationale: 'Publishing on 0.0.0.0 exposes the port on every interface, public ones included, and Docker\'s iptables rules bypass host firewalls such as ufw.',
    fix: 'Publish as 127.0.0.1:8080:8080 (or the one interface that should serve), and put a reverse proxy in front.',
    appliesTo: 'docker',
    anchors: { cisDocker: ['5.14'] },
    checkDocker: (c) => (c.ports ?? []).flatMap((p, i) => (p.external !== undefined && (!p.ip || p.ip === '0.0.0.0' || p.ip === '::') ? [v(`ports[${i}].ip`, `container '${c.name}' publishes port ${p.external} on all interfaces`)] : [])),
  }),
  rule({
    id: 'unprivileged-container-ports',
    category: 'host-isolation',
    severity: 'warning',
    title: 'Containers listen on ports ≥ 1024',
    rationale: 'Binding a port below 1024 needs root or NET_BIND_SERVICE; a non-root process cannot.',
    fix: 'Listen on a high port (e.g. 8080) and map the well-known port at the Service.',
    appliesTo: 'both',
    anchors: { kubeLinter: ['privileged-ports'], cisDocker: ['5.8'] },
    checkContainer: (c) => arr(c.container.ports).flatMap((p, i) => (typeof p?.containerPort === 'number' && p.containerPort < 1024 ? [v(`${c.path}.ports[${i}].containerPort`, `container '${c.container.name}' listens on ${p.containerPort}`)] : [])),
    checkDocker: (c) => (c.ports ?? []).flatMap((p, i) => (p.internal < 1024 ? [v(`ports[${i}].internal`, `container '${c.name}' listens on ${p.internal}`)] : [])),
  }),
  rule({
    id: 'no-ssh',
    category: 'host-isolation',
    severity: 'warning',
    title: 'No SSH port in containers',
    rationale: 'An sshd in a container is a second way in, outside the orchestrator\'s access control and logs.',
    fix: 'Remove sshd; use kubectl exec / docker exec or ephemeral debug containers.',
    appliesTo: 'both',
    anchors: { kubeLinter: ['ssh-port'], cisDocker: ['5.7'] },
    checkContainer: (c) => arr(c.container.ports).flatMap((p, i) => (p?.containerPort === 22 && (p.protocol ?? 'TCP') === 'TCP' ? [v(`${c.path}.ports[${i}].containerPort`, `container '${c.container.name}' exposes port 22`)] : [])),
    checkDocker: (c) => (c.ports ?? []).flatMap((p, i) => (p.internal === 22 ? [v(`ports[${i}].internal`, `container '${c.name}' exposes port 22`)] : [])),
  }),
  rule({
    id: 'no-host-devices',
    category: 'host-isolation',
    severity: 'error',
    title: 'No host devices are passed through',
    rationale: 'A host device inside the container (a disk, /dev/mem) is direct access to the host\'s hardware.',
    fix: 'Remove --device; use a device plugin on Kubernetes if hardware access is really needed.',
    appliesTo: 'docker',
    anchors: { cisDocker: ['5.18'] },
    checkDocker: (c) => ((c.devices ?? []).length ? [v('devices', `container '${c.name}' has host devices ${c.devices!.join(', ')}`)] : []),
  }),
  rule({
    id: 'no-cgroup-parent-override',
    category: 'host-isolation',
    severity: 'warning',
    title: 'The cgroup parent is not overridden',
    rationale: 'A custom cgroup parent can escape the limits the daemon applies.',
    fix: 'Remove --cgroup-parent.',
    appliesTo: 'docker',
    anchors: { cisDocker: ['5.25'] },
    checkDocker: (c) => (str(c.cgroupParent) ? [v('cgroupParent', `container '${c.name}' sets cgroup parent ${c.cgroupParent}`)] : []),
  }),
];
