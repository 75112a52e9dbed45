/**
 * How every field of the resolved spec reaches Docker. The table is the contract of the Docker
 * backend: each field either becomes a Docker input (`docker`), is derived from another field
 * (`derived`), cannot be expressed and is reported as a finding with a rule id (`gap`: logged with
 * pulumi.log.warn/info and written as a container label), or is refused on Docker with a rule id
 * (`refused`). test/docker/parity.test.ts walks fully populated resolved specs and fails on any
 * field without an entry here. Paths are dotted, list levels dropped (`containers.ports.name`).
 */
export type DockerMapping =
  | { readonly docker: string }
  | { readonly derived: string }
  | { readonly gap: string; readonly ruleId: string }
  | { readonly refused: string; readonly ruleId: string };

/** Entries whose sub-keys are free-form (label maps): the entry covers everything below it. */
export const MAP_FIELDS = new Set(['labels', 'selector', 'ingress.from.podLabels', 'egress.to.podLabels', 'clients.podLabels', 'backup.labels', 'backup.selector']);

/** The fields of one resolved container (main container, sidecar, database, backup dump). */
export const CONTAINER_FIELD_MAP: Readonly<Record<string, DockerMapping>> = {
  'name': { docker: 'container name suffix of sidecars (<app>-<name>-<i>-<container>)' },
  'image.normalized': { docker: 'RemoteImage name; the container runs its imageId' },
  'image.registry': { derived: 'part of image.normalized' },
  'image.repository': { derived: 'part of image.normalized' },
  'image.tag': { derived: 'part of image.normalized' },
  'image.digest': { derived: 'part of image.normalized' },
  'image.version': { docker: 'label app.kubernetes.io/version' },
  'command': { docker: 'entrypoints' },
  'args': { docker: 'command' },
  'ports': { docker: 'ports (docker.publish), health check port' },
  'ports.name': { docker: 'docker.publish[].port refers to it; labels hardened-constructs.io/published.<name>' },
  'ports.port': { docker: 'ports[].internal of a published port' },
  'ports.protocol': { docker: 'ports[].protocol' },
  'ports.servicePort': { gap: 'no Service on Docker: clients connect to the container port', ruleId: 'spec/ports' },
  'resources.requests.cpu': { docker: 'cpuShares (1024 per core)' },
  'resources.requests.memory': { docker: 'memoryReservation' },
  'resources.requests.ephemeralStorage': { gap: 'no reservation of disk on Docker', ruleId: 'ephemeral-storage-limits' },
  'resources.limits.cpu': { docker: 'cpus' },
  'resources.limits.memory': { docker: 'memory and memorySwap (no swap)' },
  'resources.limits.ephemeralStorage': { gap: 'storageOpts.size only with docker.storageLimit (overlay2 on xfs+pquota, btrfs, zfs); reported otherwise', ruleId: 'ephemeral-storage-limits' },
  'resourceNumbers.requests.cpu': { derived: 'numeric form of resources' },
  'resourceNumbers.requests.memory': { derived: 'numeric form of resources' },
  'resourceNumbers.requests.ephemeral-storage': { derived: 'numeric form of resources' },
  'resourceNumbers.limits.cpu': { derived: 'numeric form of resources' },
  'resourceNumbers.limits.memory': { derived: 'numeric form of resources' },
  'resourceNumbers.limits.ephemeral-storage': { derived: 'numeric form of resources' },
  'probes': { docker: 'healthcheck' },
  'probes.readiness.initialDelaySeconds': { gap: 'no readiness gating on Docker', ruleId: 'readiness-probe' },
  'probes.readiness.periodSeconds': { gap: 'no readiness gating on Docker', ruleId: 'readiness-probe' },
  'probes.readiness.timeoutSeconds': { gap: 'no readiness gating on Docker', ruleId: 'readiness-probe' },
  'probes.readiness.failureThreshold': { gap: 'no readiness gating on Docker', ruleId: 'readiness-probe' },
  'probes.readiness.successThreshold': { gap: 'no readiness gating on Docker', ruleId: 'readiness-probe' },
  'probes.readiness.http.path': { gap: 'no readiness gating on Docker', ruleId: 'readiness-probe' },
  'probes.readiness.http.port': { gap: 'no readiness gating on Docker', ruleId: 'readiness-probe' },
  'probes.readiness.http.portNumber': { derived: 'probes.readiness.http.port' },
  'probes.readiness.http.scheme': { gap: 'no readiness gating on Docker', ruleId: 'readiness-probe' },
  'probes.readiness.tcp.port': { gap: 'no readiness gating on Docker', ruleId: 'readiness-probe' },
  'probes.readiness.tcp.portNumber': { derived: 'probes.readiness.tcp.port' },
  'probes.readiness.grpc.port': { gap: 'no readiness gating on Docker', ruleId: 'readiness-probe' },
  'probes.readiness.grpc.portNumber': { derived: 'probes.readiness.grpc.port' },
  'probes.readiness.grpc.service': { gap: 'no readiness gating on Docker', ruleId: 'readiness-probe' },
  'probes.readiness.exec.command': { docker: 'healthcheck.tests when the liveness probe is not exec and no docker.healthcheck is given (an engine\'s own check)' },
  'probes.liveness.initialDelaySeconds': { docker: 'healthcheck.startPeriod (without a startup probe)' },
  'probes.liveness.periodSeconds': { docker: 'healthcheck.interval' },
  'probes.liveness.timeoutSeconds': { docker: 'healthcheck.timeout' },
  'probes.liveness.failureThreshold': { docker: 'healthcheck.retries' },
  'probes.liveness.successThreshold': { derived: 'always 1 for liveness (Kubernetes requires it); Docker needs one success' },
  'probes.liveness.http.path': { docker: 'healthcheck.tests from docker.healthcheck.command (Docker runs checks inside the container; refused without one: liveness-probe)' },
  'probes.liveness.http.port': { docker: 'healthcheck.tests from docker.healthcheck.command' },
  'probes.liveness.http.portNumber': { derived: 'probes.liveness.http.port' },
  'probes.liveness.http.scheme': { docker: 'healthcheck.tests from docker.healthcheck.command' },
  'probes.liveness.tcp.port': { docker: 'healthcheck.tests from docker.healthcheck.command' },
  'probes.liveness.tcp.portNumber': { derived: 'probes.liveness.tcp.port' },
  'probes.liveness.grpc.port': { docker: 'healthcheck.tests from docker.healthcheck.command' },
  'probes.liveness.grpc.portNumber': { derived: 'probes.liveness.grpc.port' },
  'probes.liveness.grpc.service': { docker: 'healthcheck.tests from docker.healthcheck.command' },
  'probes.liveness.exec.command': { docker: 'healthcheck.tests (CMD …)' },
  'probes.startup.initialDelaySeconds': { docker: 'healthcheck.startPeriod (initialDelay + period × failureThreshold)' },
  'probes.startup.periodSeconds': { docker: 'healthcheck.startInterval (Docker Engine 25+), and startPeriod' },
  'probes.startup.failureThreshold': { docker: 'healthcheck.startPeriod' },
  'probes.startup.timeoutSeconds': { derived: 'Docker uses healthcheck.timeout during the start period too' },
  'probes.startup.successThreshold': { derived: 'always 1 for startup (Kubernetes requires it)' },
  'probes.startup.http.path': { derived: 'the health check command runs during the start period' },
  'probes.startup.http.port': { derived: 'the health check command runs during the start period' },
  'probes.startup.http.portNumber': { derived: 'probes.startup.http.port' },
  'probes.startup.http.scheme': { derived: 'the health check command runs during the start period' },
  'probes.startup.tcp.port': { derived: 'the health check command runs during the start period' },
  'probes.startup.tcp.portNumber': { derived: 'probes.startup.tcp.port' },
  'probes.startup.grpc.port': { derived: 'the health check command runs during the start period' },
  'probes.startup.grpc.portNumber': { derived: 'probes.startup.grpc.port' },
  'probes.startup.grpc.service': { derived: 'the health check command runs during the start period' },
  'probes.startup.exec.command': { derived: 'the health check command runs during the start period' },
  'env.name': { docker: 'envs (NAME=value, or NAME_FILE=/run/secrets/… for secrets)' },
  'env.value': { docker: 'envs' },
  'env.secret.name': { docker: 'read-only bind of secretSources[<name>] at /run/secrets/<name>' },
  'env.secret.key': { docker: 'envs <NAME>_FILE=/run/secrets/<name>/<key>' },
  'env.secret.optional': { derived: 'the bind source must exist on the host: a missing directory fails the container, optional or not' },
  'env.configMap.name': { refused: 'ConfigMaps do not exist on Docker', ruleId: 'spec/env' },
  'env.configMap.key': { refused: 'ConfigMaps do not exist on Docker', ruleId: 'spec/env' },
  'env.configMap.optional': { refused: 'ConfigMaps do not exist on Docker', ruleId: 'spec/env' },
  'secretFiles': { docker: 'mounts (read-only binds)' },
  'secretFiles.secretName': { docker: 'mounts[].source = secretSources[<name>].hostPath (canonical)' },
  'secretFiles.mountPath': { docker: 'mounts[].target' },
  'secretFiles.keys': { gap: 'the whole directory is mounted: every file of the Secret is visible', ruleId: 'spec/secret-files' },
  'notSecrets': { docker: 'labels hardened-constructs.io/suppress.no-literal-secrets-in-env (reasons)' },
  'notSecrets.name': { docker: 'labels hardened-constructs.io/suppress.no-literal-secrets-in-env' },
  'notSecrets.reason': { docker: 'labels hardened-constructs.io/suppress.no-literal-secrets-in-env' },
  'writablePaths.volumeName': { derived: 'Kubernetes volume name' },
  'writablePaths.path': { docker: 'tmpfs[path] (/dev/shm: shmSize)' },
  'writablePaths.sizeLimit': { docker: 'tmpfs size= (shmSize)' },
  'writablePaths.inMemory': { gap: 'tmpfs is always memory on Docker: disk-backed scratch counts against the memory limit', ruleId: 'spec/writable-paths' },
  'security.runAsUser': { docker: 'user (uid:gid); tmpfs uid=' },
  'security.runAsGroup': { docker: 'user (uid:gid); tmpfs gid=' },
  'security.runAsNonRoot': { docker: 'user is numeric and non-zero unless relaxations.runAsRoot' },
  'security.readOnlyRootFilesystem': { docker: 'readOnly' },
  'security.allowPrivilegeEscalation': { docker: 'securityOpts no-new-privileges:true' },
  'security.privileged': { docker: 'privileged: false' },
  'security.capabilitiesDrop': { docker: 'capabilities.drops [ALL]' },
  'security.capabilitiesAdd': { docker: 'capabilities.adds' },
};

const POD: Record<string, DockerMapping> = {
  'pod.runAsUser': { docker: 'user' },
  'pod.runAsGroup': { docker: 'user' },
  'pod.fsGroup': { docker: 'tmpfs gid= (named volumes keep the image\'s ownership)' },
  'pod.runAsNonRoot': { docker: 'user is non-zero' },
  'pod.priorityClassName': { gap: 'no priority classes on Docker', ruleId: 'priority-class' },
  'pod.terminationGracePeriodSeconds': { docker: 'stopTimeout and destroyGraceSeconds' },
};

const RELAXATIONS: Record<string, DockerMapping> = {
  'relaxations.name': { docker: 'labels hardened-constructs.io/suppress.<rule>' },
  'relaxations.ruleIds': { docker: 'labels hardened-constructs.io/suppress.<rule>' },
  'relaxations.reason': { docker: 'label values (the reasons)' },
  'relaxations.subject': { docker: 'label values' },
  'relaxations.capabilities': { docker: 'capabilities.adds' },
};

const prefixed = (prefix: string, map: Readonly<Record<string, DockerMapping>>) => Object.fromEntries(Object.entries(map).map(([k, v]) => [`${prefix}.${k}`, v]));

/** Every field of ResolvedService. */
export const SERVICE_FIELD_MAP: Readonly<Record<string, DockerMapping>> = {
  'name': { docker: 'container names <app>-<name>-<i>, hostname, DNS alias <name> on its connection networks' },
  'namespace': { docker: 'label hardened-constructs.io/namespace (docker.app scopes names and networks)' },
  'labels': { docker: 'container labels' },
  'selector': { docker: 'container label app.kubernetes.io/instance' },
  'replicas': { docker: 'one container per replica' },
  'autoscaling': { docker: 'minReplicas containers' },
  'autoscaling.minReplicas': { docker: 'number of containers' },
  'autoscaling.maxReplicas': { gap: 'Docker does not autoscale', ruleId: 'hpa-target-exists' },
  'autoscaling.targetCpuUtilization': { gap: 'Docker does not autoscale', ruleId: 'hpa-target-exists' },
  ...prefixed('containers', CONTAINER_FIELD_MAP),
  ...POD,
  'pod.preStopDelaySeconds': { gap: 'no preStop hook on Docker: SIGTERM comes at once, with the whole stopTimeout to drain', ruleId: 'spec/prestop-delay' },
  'revisionHistoryLimit': { gap: 'Docker keeps no old versions: roll back by deploying the previous image', ruleId: 'revision-history-limit' },
  'ingress.from.kind': { docker: 'connection network <app>-<peer>-to-<name> (workload), publish bind address (cidr)' },
  'ingress.from.name': { docker: 'connection network <app>-<peer>-to-<name>' },
  'ingress.from.namespace': { gap: 'namespace peers have no counterpart on Docker', ruleId: 'network-policy-required' },
  'ingress.from.podLabels': { gap: 'namespace peers have no counterpart on Docker', ruleId: 'network-policy-required' },
  'ingress.from.cidr': { docker: 'published ports bind to a host address inside the CIDR (or are refused)' },
  'ingress.from.except': { gap: 'Docker cannot filter sources', ruleId: 'network-policy-required' },
  'ingress.ports': { gap: 'Docker networks have no ports', ruleId: 'network-policy-required' },
  'egress.to.kind': { docker: 'connection network <app>-<name>-to-<peer> (workload), egress network <app>-<name>-egress (cidr)' },
  'egress.to.name': { docker: 'connection network <app>-<name>-to-<peer>' },
  'egress.to.namespace': { gap: 'namespace peers have no counterpart on Docker', ruleId: 'network-policy-required' },
  'egress.to.podLabels': { gap: 'namespace peers have no counterpart on Docker', ruleId: 'network-policy-required' },
  'egress.to.cidr': { gap: 'egress network reaches every destination: restrict in the host firewall', ruleId: 'network-policy-required' },
  'egress.to.except': { gap: 'Docker cannot restrict destinations', ruleId: 'network-policy-required' },
  'egress.ports.port': { gap: 'Docker networks have no ports', ruleId: 'network-policy-required' },
  'egress.ports.protocol': { gap: 'Docker networks have no ports', ruleId: 'network-policy-required' },
  'claims.name': { derived: 'claims.claimName' },
  'claims.claimName': { docker: 'named volume <app>-<claimName>' },
  'claims.mountPath': { docker: 'mounts[].target' },
  'claims.size': { gap: 'local named volumes have no size', ruleId: 'spec/claim' },
  'claims.accessMode': { derived: 'one host: a local volume satisfies every access mode' },
  'claims.storageClassName': { gap: 'no storage classes on Docker', ruleId: 'spec/claim' },
  'claims.readOnly': { docker: 'mounts[].readOnly' },
  ...RELAXATIONS,
};

/** Every field of ResolvedDatabase. */
export const DATABASE_FIELD_MAP: Readonly<Record<string, DockerMapping>> = {
  'name': { docker: 'container names <app>-<name>-<i>, DNS alias <name> on client networks' },
  'namespace': { docker: 'label hardened-constructs.io/namespace' },
  'engine': { derived: 'image, health check, env and data path of the engine preset' },
  'labels': { docker: 'container labels' },
  'selector': { docker: 'container label app.kubernetes.io/instance' },
  'replicas': { docker: 'one container and one named volume per replica' },
  'replicated': { docker: 'network <app>-<name>-peers between the replicas' },
  ...prefixed('container', CONTAINER_FIELD_MAP),
  'port.name': { derived: 'the engine port' },
  'port.port': { docker: 'reached by clients on their connection networks (no ports on Docker networks)' },
  'dataPath': { docker: 'mounts[].target of the data volume' },
  'storage.size': { gap: 'local named volumes have no size', ruleId: 'spec/claim' },
  'storage.storageClassName': { gap: 'no storage classes on Docker', ruleId: 'spec/claim' },
  'storage.accessMode': { derived: 'one host: a local volume satisfies every access mode' },
  ...POD,
  'clients.kind': { docker: 'connection network <app>-<client>-to-<name>' },
  'clients.name': { docker: 'connection network <app>-<client>-to-<name>' },
  'clients.namespace': { gap: 'namespace peers have no counterpart on Docker', ruleId: 'network-policy-required' },
  'clients.podLabels': { gap: 'namespace peers have no counterpart on Docker', ruleId: 'network-policy-required' },
  'clients.cidr': { gap: 'nothing is published for a database', ruleId: 'network-policy-required' },
  'clients.except': { gap: 'Docker cannot filter sources', ruleId: 'network-policy-required' },
  'backup.schedule': { gap: 'no scheduler on Docker: label hardened-constructs.io/schedule, run from a host timer', ruleId: 'cronjob-deadline' },
  'backup.timeZone': { gap: 'no scheduler on Docker', ruleId: 'cronjob-deadline' },
  'backup.retain': { docker: 'the dump script (entrypoints) prunes older dumps' },
  'backup.claim.create': { docker: 'named volume <app>-<backup>s' },
  'backup.claim.name': { derived: 'Kubernetes claim name' },
  'backup.claim.size': { gap: 'local named volumes have no size', ruleId: 'spec/claim' },
  'backup.claim.storageClassName': { gap: 'no storage classes on Docker', ruleId: 'spec/claim' },
  ...prefixed('backup.dump', CONTAINER_FIELD_MAP),
  'backup.upload': { refused: 'the upload step runs on Kubernetes only', ruleId: 'spec/backup' },
  ...prefixed('backup.restore', CONTAINER_FIELD_MAP),
  'backup.startingDeadlineSeconds': { gap: 'no scheduler on Docker', ruleId: 'cronjob-deadline' },
  'backup.activeDeadlineSeconds': { gap: 'no scheduler on Docker', ruleId: 'cronjob-deadline' },
  'backup.backoffLimit': { docker: 'restart on-failure, maxRetryCount 2' },
  'backup.labels': { docker: 'labels of the backup container' },
  'backup.selector': { docker: 'label app.kubernetes.io/instance of the backup container' },
  'backup.name': { docker: 'container name <app>-<backup>, network <app>-<backup>-to-<name>' },
  'snapshot.volumeSnapshotClassName': { gap: 'no volume snapshots on Docker', ruleId: 'spec/backup' },
  ...Object.fromEntries(Object.entries(RELAXATIONS).filter(([k]) => k !== 'relaxations.subject')),
  'host': { derived: 'the DNS alias <name> on the client networks' },
  'primaryHost': { derived: 'the DNS alias <name>-0' },
  'headlessServiceName': { derived: 'no Services on Docker' },
};

/** The entry for a walked path, or undefined. */
export function mappingFor(table: Readonly<Record<string, DockerMapping>>, path: string): DockerMapping | undefined {
  if (Object.prototype.hasOwnProperty.call(table, path)) return table[path];
  for (const m of MAP_FIELDS) {
    for (const prefix of [m, `containers.${m}`]) {
      if (path.startsWith(`${prefix}.`) && Object.prototype.hasOwnProperty.call(table, prefix)) return table[prefix];
    }
  }
  return undefined;
}
