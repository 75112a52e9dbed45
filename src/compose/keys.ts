/**
 * Every key of a Compose service (Compose Specification, services top-level element), and what
 * `init` does with it: converted (the planner reads it), or not converted with why and what to do
 * on Kubernetes. The planner writes a TODO for each not-converted key a service uses, so nothing
 * that changes behaviour is dropped silently; a test walks every service property of the vendored
 * Compose schema and fails on a key missing here.
 */
import { SAFE_SYSCTLS } from '../policy/rules/identity';

export type KeyHandling =
  /** The planner reads it (the text says into what). */
  | { readonly converted: string }
  /**
   * Not converted: why, and what to do on Kubernetes. `review: true` marks the workload unreviewed
   * (the key changes what the program does); false is a TODO that does not fail `--fail-on warning`.
   */
  | { readonly notConverted: string; readonly review: boolean; readonly ruleId?: string };

const CPU_TUNING = 'CPU tuning has no pod field: Kubernetes derives CPU shares and the CFS quota from resources.requests.cpu and resources.limits.cpu (set them in spec.ts); pinning CPUs needs the kubelet\'s static CPU manager policy and Guaranteed QoS (requests = limits)';
const DNS = 'set the pod\'s dnsConfig (nameservers, searches, options) with dnsPolicy by hand; prefer cluster DNS names (a Service, or an ExternalName Service for an outside host)';
const SWAP = 'Kubernetes nodes run pods without swap by default: the memory limit is the whole budget; size resources.limits.memory';

/** The keys of a Compose service, sorted. */
export const COMPOSE_SERVICE_KEYS: Readonly<Record<string, KeyHandling>> = {
  // converted
  build: { converted: 'a placeholder image to build and push (TODO)' },
  cap_add: { converted: 'refused outside the Pod Security baseline set; NET_BIND_SERVICE is replaced by a high port' },
  cap_drop: { converted: 'ALL capabilities are dropped' },
  command: { converted: 'args (a database: serverArgs); credentials become Secret references' },
  configs: { converted: 'a TODO to put the files in a ConfigMap' },
  container_name: { converted: 'a host name of the service for the call graph (the Kubernetes name comes from the service key)' },
  cpus: { converted: 'resources.limits.cpu' },
  depends_on: { converted: 'connections (NetworkPolicies); Kubernetes has no start order, so clients retry until the server is ready' },
  deploy: { converted: 'replicas, resources and restart_policy; other deploy keys are TODOs' },
  devices: { converted: 'refused (host devices)' },
  entrypoint: { converted: 'command' },
  env_file: { converted: 'a TODO to move settings into spec.ts and secrets into a Secret' },
  environment: { converted: 'env, secret-looking values as Secret references' },
  expose: { converted: 'container and Service ports' },
  extends: { converted: 'merged with the extended service (of this file or another) by the Compose merge rules' },
  healthcheck: { converted: 'probes (and docker.healthcheck)' },
  hostname: { converted: 'a host name of the service for the call graph' },
  image: { converted: 'image (known images: a non-root variant or a database preset)' },
  ipc: { converted: 'host is refused; shareable and private are the pod default; service:/container: is a TODO' },
  labels: { converted: 'annotations on every object and the pod template (and Docker container labels)' },
  links: { converted: 'connections, with their aliases as host names' },
  logging: { converted: 'the node\'s log agent; fluentd/local drivers in docker.ts; other drivers a TODO' },
  mem_limit: { converted: 'resources.limits.memory' },
  mem_reservation: { converted: 'resources.requests.memory' },
  network_mode: { converted: 'host is refused; bridge/default are the cluster network; none and service:/container: are TODOs' },
  networks: { converted: 'aliases are host names for the call graph; NetworkPolicies replace network isolation' },
  pid: { converted: 'host is refused; service:/container: is a TODO' },
  ports: { converted: 'container and Service ports; published ports admit the ingress controller (TODO: an Ingress) and docker.publish' },
  privileged: { converted: 'refused' },
  profiles: { converted: 'a service with profiles is converted only when one of them is enabled (--profile, as with docker compose up); the converted app deploys every service it contains' },
  read_only: { converted: 'the root filesystem is always read-only' },
  restart: { converted: 'Kubernetes restarts failed containers with back-off' },
  scale: { converted: 'replicas (as deploy.replicas)' },
  secrets: { converted: 'secretFiles under /run/secrets (a database: its credentials Secret)' },
  security_opt: { converted: 'no-new-privileges and seccomp RuntimeDefault always; other options are TODOs' },
  shm_size: { converted: 'a memory-backed writable path /dev/shm of that size (a database: sharedMemory)' },
  stop_grace_period: { converted: 'terminationGracePeriodSeconds (Docker: stopTimeout)' },
  tmpfs: { converted: 'writablePaths (size-limited emptyDirs)' },
  user: { converted: 'user/group when ≥ 10000, else UID/GID 10001' },
  userns_mode: { converted: 'host is refused' },
  volumes: { converted: 'claims, writable paths; host binds are TODOs (or refused when sensitive)' },
  // not converted
  blkio_config: { notConverted: 'block-IO weights and limits have no pod field; use a StorageClass with provisioned IOPS for the claims', review: false },
  cgroup_parent: { notConverted: 'the kubelet places each pod in its QoS cgroup; nothing to carry over', review: false },
  cpu_count: { notConverted: CPU_TUNING, review: false, ruleId: 'cpu-limits' },
  cpu_percent: { notConverted: CPU_TUNING, review: false, ruleId: 'cpu-limits' },
  cpu_period: { notConverted: CPU_TUNING, review: false, ruleId: 'cpu-limits' },
  cpu_quota: { notConverted: CPU_TUNING, review: false, ruleId: 'cpu-limits' },
  cpu_rt_period: { notConverted: 'real-time CPU scheduling is not available to pods; the service runs under the normal scheduler', review: true },
  cpu_rt_runtime: { notConverted: 'real-time CPU scheduling is not available to pods; the service runs under the normal scheduler', review: true },
  cpu_shares: { notConverted: CPU_TUNING, review: false, ruleId: 'cpu-limits' },
  cpuset: { notConverted: CPU_TUNING, review: false, ruleId: 'cpu-limits' },
  credential_spec: { notConverted: 'a Windows gMSA credential spec: on Windows nodes set securityContext.windowsOptions.gmsaCredentialSpecName', review: true },
  device_cgroup_rules: { notConverted: 'restricted pods get no device access; expose hardware through a device plugin (resources.limits) on dedicated nodes', review: true, ruleId: 'no-host-devices' },
  dns: { notConverted: DNS, review: true },
  dns_opt: { notConverted: DNS, review: true },
  dns_search: { notConverted: DNS, review: true },
  domainname: { notConverted: 'pods use the cluster domain; give stable names with a Service (or a headless Service and the pod subdomain)', review: true },
  external_links: { notConverted: 'links to containers outside this Compose file: allow the connection with egress to their namespace or address range in spec.ts', review: true, ruleId: 'network-policy-required' },
  extra_hosts: { notConverted: 'entries in /etc/hosts: Kubernetes has the pod field spec.hostAliases (IP → host names), not set by the specs; prefer a DNS name (a Service, or an ExternalName Service), or add hostAliases to the manifests by hand', review: true },
  group_add: { notConverted: 'supplementary groups: the pod\'s securityContext.supplementalGroups (not set by the specs); grant file access through the group 10001 or fsGroup instead', review: true },
  init: { notConverted: 'Kubernetes injects no init process: put tini (or dumb-init) in the image as its entrypoint so zombie processes are reaped and signals forwarded', review: true },
  isolation: { notConverted: 'a Windows isolation mode: on Kubernetes choose it with a RuntimeClass', review: false },
  mac_address: { notConverted: 'pods get their addresses from the network plugin; a fixed MAC address is not available: identify the service by its DNS name', review: true },
  mem_swappiness: { notConverted: SWAP, review: false, ruleId: 'memory-limits' },
  memswap_limit: { notConverted: SWAP, review: false, ruleId: 'memory-limits' },
  oom_kill_disable: { notConverted: 'the OOM killer cannot be turned off for a pod: size resources.limits.memory for the peak', review: false, ruleId: 'memory-limits' },
  oom_score_adj: { notConverted: 'the kubelet sets oom_score_adj from the QoS class (Guaranteed when requests = limits): set requests equal to limits to protect the service', review: false },
  pids_limit: { notConverted: 'the process limit of a pod is the kubelet\'s podPidsLimit (node configuration), not a pod field', review: false },
  platform: { notConverted: 'schedule on matching nodes with a nodeSelector on kubernetes.io/arch and kubernetes.io/os, or publish a multi-arch image', review: false },
  pull_policy: { notConverted: 'the kubelet pulls a pinned tag if not present (imagePullPolicy IfNotPresent); pin by digest to be sure what runs', review: false },
  runtime: { notConverted: 'another container runtime (e.g. gVisor, Kata): create a RuntimeClass and set runtimeClassName on the pod by hand', review: true },
  stdin_open: { notConverted: 'a pod has no terminal attached; use kubectl exec -it (or kubectl debug) to work interactively', review: false },
  stop_signal: { notConverted: 'the specs have no stop signal: the container runtime sends the signal the image declares (STOPSIGNAL), else SIGTERM; set STOPSIGNAL in the image\'s Dockerfile, or make the process stop cleanly on SIGTERM', review: true },
  storage_opt: { notConverted: 'the writable layer size is resources.limits.ephemeralStorage in spec.ts', review: false, ruleId: 'ephemeral-storage-limits' },
  sysctls: { notConverted: `kernel parameters: the pod's securityContext.sysctls (not set by the specs) accepts only namespaced, safe sysctls (${[...SAFE_SYSCTLS].sort().join(', ')}) under Pod Security "restricted"; others need the kubelet's --allowed-unsafe-sysctls and a namespace at the "baseline" level, or a change in the application`, review: true, ruleId: 'safe-sysctls-only' },
  tty: { notConverted: 'a pod has no terminal attached; programs that change their output (colours, buffering) on a TTY behave as under `docker run` without -t', review: false },
  ulimits: { notConverted: 'Kubernetes has no per-pod resource limits (ulimit): the container runtime\'s defaults apply; configure them on the nodes\' runtime, or lower them in the entrypoint with ulimit', review: true },
  volumes_from: { notConverted: 'mount the same claim (or, for containers of one pod, the same emptyDir as a sidecar) in both workloads', review: true },
  working_dir: { notConverted: 'the specs have no working directory: set WORKDIR in the image\'s Dockerfile, or use absolute paths in command and args', review: true },
};

/** deploy keys the planner reads (Compose Specification, Deploy Specification). */
export const DEPLOY_CONVERTED = new Set(['replicas', 'resources', 'restart_policy']);
