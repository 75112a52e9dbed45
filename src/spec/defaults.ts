/**
 * Every default of the library, in one place. Both renderers (cdk8s and Pulumi Docker) read these
 * through the resolve step; neither hard-codes a value of its own.
 */
export const DEFAULTS = {
  /** UID/GID ≥ 10000 (kube-score), non-zero (PSS restricted, CIS Docker 4.1). */
  user: 10001,
  group: 10001,
  fsGroup: 10001,
  replicas: 3,
  /** Kubernetes keeps this many old ReplicaSets for `kubectl rollout undo`. */
  revisionHistoryLimit: 5,
  terminationGracePeriodSeconds: 30,
  timezone: 'UTC',
  /** Size limit of the emptyDir mounted at /tmp (and of Docker's tmpfs at /tmp). */
  tmpSizeLimit: '64Mi',
  /** PDB: one pod at a time may be evicted; unhealthy pods never block a node drain. */
  pdbMaxUnavailable: 1,
  unhealthyPodEvictionPolicy: 'AlwaysAllow' as const,
  /** Rolling updates never drop below the desired count. */
  maxSurge: '25%',
  maxUnavailable: 0,
  /** Topology spread across zones, soft, so a single-zone cluster still schedules. */
  spreadTopologyKey: 'topology.kubernetes.io/zone',
  antiAffinityTopologyKey: 'kubernetes.io/hostname',
  antiAffinityWeight: 100,
  /** HPA defaults. */
  hpaTargetCpuUtilization: 70,
  /** Probe timings: readiness reacts fast, liveness is patient (and so differs from readiness). */
  readiness: { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 1, initialDelaySeconds: 0 },
  liveness: { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3, successThreshold: 1, initialDelaySeconds: 0 },
  startup: { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 30, successThreshold: 1, initialDelaySeconds: 0 },
  /** Docker: restart on failure at most this many times, with `docker.restart: 'on-failure'` (CIS Docker 5.15). */
  dockerMaxRetryCount: 5,
  /**
   * Docker restart policy of long-running containers: `unless-stopped` comes back after a daemon
   * restart or host reboot (on-failure does not); crash loops stay visible through the health check.
   */
  dockerRestart: 'unless-stopped' as 'unless-stopped' | 'on-failure',
  /** Docker: log rotation of the json-file/local driver. */
  dockerLogMaxSize: '10m',
  dockerLogMaxFile: '3',
  /** DNS: where cluster DNS lives, for the egress rule every NetworkPolicy gets. */
  dnsNamespace: 'kube-system',
  dnsPodLabels: { 'k8s-app': 'kube-dns' } as Record<string, string>,
  /** Pod Security Standards version the namespace labels pin. */
  podSecurityVersion: 'v1.28',
  managedBy: 'hardened-constructs',
} as const;

/** Annotation/label domain of this library. */
export const DOMAIN = 'hardened-constructs.io';
/** Annotation written for every relaxation or suppression: `${SUPPRESS_PREFIX}<rule-id>: <reason>`. */
export const SUPPRESS_PREFIX = `${DOMAIN}/suppress.`;

/**
 * Documented size presets. Requests are what the scheduler reserves; limits cap the container.
 * Every preset sets CPU, memory and ephemeral-storage on both sides.
 */
export const SIZE_PRESETS = {
  nano: { requests: { cpu: '50m', memory: '64Mi', ephemeralStorage: '64Mi' }, limits: { cpu: '250m', memory: '128Mi', ephemeralStorage: '256Mi' } },
  small: { requests: { cpu: '100m', memory: '128Mi', ephemeralStorage: '128Mi' }, limits: { cpu: '500m', memory: '256Mi', ephemeralStorage: '512Mi' } },
  medium: { requests: { cpu: '250m', memory: '256Mi', ephemeralStorage: '256Mi' }, limits: { cpu: '1', memory: '512Mi', ephemeralStorage: '1Gi' } },
  large: { requests: { cpu: '500m', memory: '1Gi', ephemeralStorage: '512Mi' }, limits: { cpu: '2', memory: '2Gi', ephemeralStorage: '2Gi' } },
  xlarge: { requests: { cpu: '1', memory: '2Gi', ephemeralStorage: '1Gi' }, limits: { cpu: '4', memory: '4Gi', ephemeralStorage: '4Gi' } },
} as const;

/** Name of a documented size preset. */
export type SizePreset = keyof typeof SIZE_PRESETS;
