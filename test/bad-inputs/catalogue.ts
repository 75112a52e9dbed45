import { Chart, Testing } from 'cdk8s';
import { HardenedNamespace, HardenedNamespaceProps, HardenedService, HardenedServiceProps, LoggingSidecar, LoggingSidecarProps, Peer, StatefulDatabase, StatefulDatabaseProps, Suppressions } from '../../src';
import { HardenedService as DockerService, StatefulDatabase as DockerDatabase } from '../../src/docker';

/**
 * The bad-input catalogue: named inputs every construct must refuse with a HardeningError that names
 * the rule and the field and says how to fix it, before anything is written. docs/bad-inputs.md is
 * generated from it (`npm run docs`).
 */
export interface BadInput {
  readonly id: string;
  readonly construct: string;
  readonly area: string;
  /** The offending part of the input, as the user would write it. */
  readonly input: Record<string, unknown>;
  readonly ruleId: string;
  readonly fieldPath: string;
  /** Build the construct with the bad input (it must throw). */
  readonly build: (chart: Chart) => unknown;
}

export const service = (o: Partial<HardenedServiceProps> = {}): HardenedServiceProps => ({
  image: 'ghcr.io/acme/api:1.2.3',
  ports: [{ name: 'http', port: 8080 }],
  resources: 'small',
  probes: { readiness: { http: { path: '/readyz', port: 'http' } }, liveness: { http: { path: '/livez', port: 'http' } } },
  ingress: [{ from: Peer.ingressController() }],
  ...o,
});
const database = (o: Partial<StatefulDatabaseProps> = {}): StatefulDatabaseProps => ({
  engine: 'postgres', resources: 'medium', storage: { size: '20Gi' }, credentials: { secretName: 'orders-db' }, clients: [Peer.workload('api')], ...o,
});
const namespace = (o: Partial<HardenedNamespaceProps> = {}): HardenedNamespaceProps => ({
  name: 'team',
  quota: { requests: { cpu: '4', memory: '8Gi', ephemeralStorage: '10Gi' }, limits: { cpu: '8', memory: '16Gi', ephemeralStorage: '20Gi' }, pods: 40 },
  containerDefaults: 'small',
  ...o,
});
const logging = (chart: Chart, o: Partial<LoggingSidecarProps>) => new LoggingSidecar(chart, 'logs', {
  target: new HardenedService(chart, 'api', service({ resources: 'medium' })),
  logPath: '/var/log/app',
  output: { kind: 'stdout' },
  resources: 'nano',
  ...o,
});
const dockerBase = { docker: { app: 'shop', healthcheck: { command: ['/bin/check'] } } };
const dockerService = (o: Record<string, unknown>) => new DockerService('svc', { ...service({ replicas: 1, relaxations: { singleReplica: 'single host, one instance' } }), ...dockerBase, ...o } as any);

const svc = (id: string, area: string, input: Partial<HardenedServiceProps>, ruleId: string, fieldPath: string): BadInput =>
  ({ id, construct: 'HardenedService', area, input, ruleId, fieldPath, build: (c) => new HardenedService(c, 'svc', service(input)) });
const db = (id: string, area: string, input: Partial<StatefulDatabaseProps>, ruleId: string, fieldPath: string): BadInput =>
  ({ id, construct: 'StatefulDatabase', area, input, ruleId, fieldPath, build: (c) => new StatefulDatabase(c, 'db', database(input)) });
const ns = (id: string, input: Partial<HardenedNamespaceProps>, ruleId: string, fieldPath: string): BadInput =>
  ({ id, construct: 'HardenedNamespace', area: 'namespaces', input, ruleId, fieldPath, build: (c) => new HardenedNamespace(c, 'ns', namespace(input)) });
const log = (id: string, input: Partial<LoggingSidecarProps>, ruleId: string, fieldPath: string): BadInput =>
  ({ id, construct: 'LoggingSidecar', area: 'log outputs', input, ruleId, fieldPath, build: (c) => logging(c, input) });
const dock = (id: string, area: string, input: Record<string, unknown>, ruleId: string, fieldPath: string): BadInput =>
  ({ id, construct: 'docker.HardenedService', area, input, ruleId, fieldPath, build: () => dockerService(input) });

export const BAD_INPUTS: BadInput[] = [
  // images
  svc('image-untagged', 'images', { image: 'nginx' }, 'image-tag-pinned', 'image'),
  svc('image-latest', 'images', { image: 'nginx:latest' }, 'image-tag-pinned', 'image'),
  svc('image-invalid-reference', 'images', { image: 'Nginx:1.27' }, 'spec/image-reference', 'image'),
  svc('image-broken-digest', 'images', { image: 'nginx@sha256:abc' }, 'spec/image-reference', 'image'),
  // resources
  svc('resources-missing', 'resources', { resources: undefined as any }, 'cpu-limits', 'resources'),
  svc('resources-unknown-preset', 'resources', { resources: 'huge' as any }, 'spec/size-preset', 'resources'),
  svc('cpu-not-a-quantity', 'resources', { resources: { requests: { cpu: 'fast', memory: '1Gi', ephemeralStorage: '1Gi' }, limits: { cpu: '1', memory: '1Gi', ephemeralStorage: '1Gi' } } }, 'cpu-limits', 'resources.requests.cpu'),
  svc('memory-zero', 'resources', { resources: { requests: { cpu: '1', memory: '0', ephemeralStorage: '1Gi' }, limits: { cpu: '1', memory: '1Gi', ephemeralStorage: '1Gi' } } }, 'memory-limits', 'resources.requests.memory'),
  svc('cpu-negative', 'resources', { resources: { requests: { cpu: '-1', memory: '1Gi', ephemeralStorage: '1Gi' }, limits: { cpu: '1', memory: '1Gi', ephemeralStorage: '1Gi' } } }, 'cpu-limits', 'resources.requests.cpu'),
  svc('memory-limit-below-request', 'resources', { resources: { requests: { cpu: '1', memory: '2Gi', ephemeralStorage: '1Gi' }, limits: { cpu: '1', memory: '1Gi', ephemeralStorage: '1Gi' } } }, 'memory-limits', 'resources.limits.memory'),
  svc('ephemeral-limit-below-request', 'resources', { resources: { requests: { cpu: '1', memory: '1Gi', ephemeralStorage: '2Gi' }, limits: { cpu: '1', memory: '1Gi', ephemeralStorage: '1Gi' } } }, 'ephemeral-storage-limits', 'resources.limits.ephemeralStorage'),
  svc('scratch-beyond-ephemeral-limit', 'volumes', { writablePaths: [{ path: '/cache', sizeLimit: '10Gi' }] }, 'ephemeral-storage-limits', 'resources.limits.ephemeralStorage'),
  svc('writable-path-relative', 'volumes', { writablePaths: [{ path: 'cache' }] }, 'spec/mount-path', 'writablePaths[0].path'),
  // names
  svc('name-not-dns-1123', 'names', { name: 'Orders_API' }, 'spec/dns-1123-name', 'name'),
  svc('name-default', 'names', { name: 'default' }, 'dedicated-service-account', 'name'),
  svc('env-name-invalid', 'names', { env: { '9LIVES': 'x' } }, 'spec/env-name', 'env.9LIVES'),
  // ports
  svc('port-above-65535', 'ports', { ports: [{ name: 'http', port: 70000 }] }, 'spec/port-range', 'ports[0].port'),
  svc('port-zero', 'ports', { ports: [{ name: 'http', port: 0 }] }, 'spec/port-range', 'ports[0].port'),
  svc('port-privileged', 'ports', { ports: [{ name: 'http', port: 80 }] }, 'unprivileged-container-ports', 'ports[0].port'),
  svc('port-name-duplicate', 'ports', { ports: [{ name: 'http', port: 8080 }, { name: 'http', port: 8081 }] }, 'container-ports-valid', 'ports[1].name'),
  svc('port-name-invalid', 'ports', { ports: [{ name: 'HTTP_PORT', port: 8080 }] }, 'container-ports-valid', 'ports[0].name'),
  svc('port-ssh', 'ports', { ports: [{ name: 'http', port: 8080 }, { name: 'ssh', port: 2222 }, { name: 'sshd', port: 22 }], relaxations: { privilegedPorts: 'vendor image binds a low port' } }, 'no-ssh', 'ports[2].port'),
  // secrets
  svc('secret-literal-password', 'secrets', { env: { DB_PASSWORD: 'hunter2' } }, 'no-literal-secrets-in-env', 'env.DB_PASSWORD'),
  svc('secret-literal-api-key', 'secrets', { env: { STRIPE_API_KEY: 'sk_live_123' } }, 'no-literal-secrets-in-env', 'env.STRIPE_API_KEY'),
  svc('secret-private-key-value', 'secrets', { env: { TLS_CERT: '-----BEGIN RSA PRIVATE KEY-----\nMIIE…' } }, 'no-literal-secrets-in-env', 'env.TLS_CERT'),
  svc('secret-password-in-url', 'secrets', { env: { DATABASE_URL: 'postgres://shop:hunter2@db:5432/shop' } }, 'no-literal-secrets-in-env', 'env.DATABASE_URL'),
  svc('secret-in-configmap-ref', 'secrets', { env: { TOKEN: { configMap: { name: 'settings', key: 'api-token' } } } }, 'no-secrets-in-configmap', 'env.TOKEN.configMap.key'),
  svc('env-duplicate-tz', 'names', { env: { TZ: 'Europe/Berlin' } }, 'no-duplicate-env', 'env.TZ'),
  // privileges
  svc('uid-below-10000', 'privileges', { user: 1000 }, 'high-uid-gid', 'user'),
  svc('capability-net-admin', 'privileges', { relaxations: { addCapabilities: { capabilities: ['NET_ADMIN'], reason: 'needs to program iptables' } } }, 'restrict-added-capabilities', 'relaxations.addCapabilities.capabilities[0]'),
  svc('capability-sys-admin', 'privileges', { relaxations: { addCapabilities: { capabilities: ['SYS_ADMIN'], reason: 'mounts filesystems at runtime' } } }, 'restrict-added-capabilities', 'relaxations.addCapabilities.capabilities[0]'),
  svc('relaxation-without-reason', 'privileges', { relaxations: { runAsRoot: 'because' } }, 'spec/reason-required', 'relaxations.runAsRoot'),
  // replicas
  svc('replicas-one', 'replicas', { replicas: 1 }, 'min-replicas', 'replicas'),
  svc('hpa-min-one', 'replicas', { autoscaling: { minReplicas: 1, maxReplicas: 4 } }, 'hpa-min-replicas', 'autoscaling.minReplicas'),
  svc('hpa-max-not-above-min', 'replicas', { autoscaling: { minReplicas: 3, maxReplicas: 3 } }, 'hpa-max-gt-min', 'autoscaling.maxReplicas'),
  svc('hpa-with-fixed-replicas', 'replicas', { replicas: 3, autoscaling: { minReplicas: 3, maxReplicas: 6 } }, 'hpa-no-static-replicas', 'replicas'),
  // probes
  svc('probe-readiness-missing', 'probes', { probes: { liveness: { http: { path: '/livez', port: 'http' } } } as any }, 'readiness-probe', 'probes.readiness'),
  svc('probe-identical', 'probes', { probes: { readiness: { http: { path: '/health', port: 'http' } }, liveness: { http: { path: '/health', port: 'http' }, periodSeconds: 30 } } }, 'probes-distinct', 'probes.liveness'),
  svc('probe-undeclared-port', 'probes', { probes: { readiness: { http: { path: '/r', port: 'admin' } }, liveness: { http: { path: '/l', port: 'http' } } } }, 'probe-ports-declared', 'probes.readiness.http.port'),
  svc('probe-two-handlers', 'probes', { probes: { readiness: { http: { path: '/r', port: 'http' }, tcp: { port: 'http' } } as any, liveness: { http: { path: '/l', port: 'http' } } } }, 'spec/probe-handler', 'probes.readiness'),
  // network
  // Peers can still be added by calls (connectTo, exposure), so "nobody may reach it" is refused at synthesis.
  { ...svc('ingress-nobody', 'networking', { ingress: [] }, 'network-policy-required', 'ingress'), build: (c) => Testing.synth(new HardenedService(c, 'svc', service({ ingress: [] })) && c) },
  svc('egress-whole-internet-respelled', 'networking', { egress: [{ to: Peer.cidr('::ffff:0.0.0.0/96'), ports: [{ port: 443 }] }] }, 'network-policy-required', 'egress[0].to.cidr'),
  svc('cidr-with-leading-zeros', 'networking', { egress: [{ to: Peer.cidr('0.000.0.0/00'), ports: [{ port: 443 }] }] }, 'spec/network-peer', 'egress[0].to.cidr'),
  svc('load-balancer-open-to-all', 'networking', { loadBalancer: { reason: 'partners connect over raw TCP', sourceRanges: ['0.0.0.0/1', '128.0.0.0/1'] } }, 'network-policy-required', 'loadBalancer.sourceRanges'),
  svc('load-balancer-without-ranges', 'networking', { loadBalancer: { reason: 'partners connect over raw TCP', sourceRanges: [] } }, 'spec/exposure', 'loadBalancer.sourceRanges'),
  {
    id: 'peer-workload-typo',
    construct: 'HardenedService',
    area: 'networking',
    input: { egress: [{ to: "Peer.workload('checkoutservic')", ports: [{ port: 5050 }] }] },
    ruleId: 'spec/flow-peer',
    fieldPath: 'egress[0].to',
    build: (c) => {
      new HardenedService(c, 'checkoutservice', service({ ports: [{ name: 'grpc', port: 5050 }], probes: { readiness: { grpc: { port: 'grpc' } }, liveness: { tcp: { port: 'grpc' } } } }));
      new HardenedService(c, 'frontend', service({ egress: [{ to: Peer.workload('checkoutservic'), ports: [{ port: 5050 }] }] }));
      return Testing.synth(c);
    },
  },
  {
    id: 'egress-service-port',
    construct: 'HardenedService',
    area: 'networking',
    input: { egress: [{ to: "Peer.workload('emailservice')", ports: [{ port: 5000 }] }] },
    ruleId: 'spec/flow-port',
    fieldPath: 'egress[0].to',
    build: (c) => {
      new HardenedService(c, 'emailservice', service({ ports: [{ name: 'grpc', port: 8080, servicePort: 5000 }], probes: { readiness: { grpc: { port: 'grpc' } }, liveness: { tcp: { port: 'grpc' } } } }));
      new HardenedService(c, 'checkout', service({ egress: [{ to: Peer.workload('emailservice'), ports: [{ port: 5000 }] }] }));
      return Testing.synth(c);
    },
  },
  svc('egress-whole-internet', 'networking', { egress: [{ to: Peer.cidr('0.0.0.0/0'), ports: [{ port: 443 }] }] }, 'network-policy-required', 'egress[0].to.cidr'),
  svc('egress-without-ports', 'networking', { egress: [{ to: Peer.cidr('10.0.0.0/8'), ports: [] }] }, 'network-policy-required', 'egress[0].ports'),
  // host access and volumes (namespaces too)
  ns('namespace-default', { name: 'default' }, 'no-default-namespace', 'name'),
  ns('namespace-kube-system', { name: 'kube-system' }, 'no-default-namespace', 'name'),
  ns('namespace-quota-pods-zero', { quota: { ...namespace().quota, pods: 0 } }, 'spec/quota', 'quota.pods'),
  // databases
  db('database-replicas-without-replication', 'database replication', { replicas: 3 }, 'spec/database-replication', 'replicas'),
  db('database-mysql-replicas', 'database replication', { engine: 'mysql', replicas: 2 }, 'spec/database-replication', 'replicas'),
  db('database-no-storage', 'volumes', { storage: undefined as any }, 'spec/database-storage', 'storage'),
  db('database-shared-volume', 'volumes', { storage: { size: '10Gi', accessMode: 'ReadWriteMany' as any } }, 'spec/database-storage', 'storage.accessMode'),
  db('database-no-credentials', 'secrets', { credentials: undefined as any }, 'no-literal-secrets-in-env', 'credentials'),
  db('database-password-as-secret-name', 'secrets', { credentials: { secretName: 'Hunter2!Password' } }, 'spec/dns-1123-name', 'credentials.secretName'),
  db('database-latest-image', 'images', { image: 'postgres:latest' }, 'image-tag-pinned', 'image'),
  db('database-backup-bad-schedule', 'database backups', { backup: { schedule: 'every night', storage: { size: '10Gi' }, resources: 'small' } }, 'spec/backup', 'backup.schedule'),
  db('database-backup-nowhere', 'database backups', { backup: { schedule: '@daily', resources: 'small' } }, 'spec/backup', 'backup.storage'),
  db('database-shm-eats-memory', 'resources', { sharedMemory: '4Gi' }, 'memory-limits', 'sharedMemory'),
  // log outputs
  log('log-remote-without-peer', { output: { kind: 'loki', host: 'loki.monitoring.svc', peer: undefined as any } }, 'network-policy-required', 'output.peer'),
  log('log-host-injection', { output: { kind: 'http', host: 'logs\n[OUTPUT]\n    Name stdout', peer: Peer.namespace('monitoring') } }, 'spec/logging', 'output.host'),
  log('log-password-literal', { output: { kind: 'elasticsearch', host: 'es.logging.svc', user: 'shop', password: 'hunter2' as any, peer: Peer.namespace('logging') } }, 'no-literal-secrets-in-env', 'output.password'),
  log('log-unpinned-image', { image: 'fluent/fluent-bit' }, 'image-tag-pinned', 'sidecar.image'),
  log('log-volume-too-large', { volumeSize: '10Gi' }, 'ephemeral-storage-limits', 'volumeSize'),
  log('log-path-relative', { logPath: 'logs' }, 'spec/mount-path', 'logPath'),
  // Docker host modes and socket mounts
  dock('docker-host-network', 'Docker host modes', { docker: { ...dockerBase.docker, overrides: { networkMode: 'host' } } }, 'no-host-network', 'docker.overrides.networkMode'),
  dock('docker-host-pid', 'Docker host modes', { docker: { ...dockerBase.docker, overrides: { pidMode: 'host' } } }, 'no-host-pid', 'docker.overrides.pidMode'),
  dock('docker-host-ipc', 'Docker host modes', { docker: { ...dockerBase.docker, overrides: { ipcMode: 'host' } } }, 'no-host-ipc', 'docker.overrides.ipcMode'),
  dock('docker-privileged', 'privileges', { docker: { ...dockerBase.docker, overrides: { privileged: true } } }, 'no-privileged', 'docker.overrides.privileged'),
  dock('docker-socket-mount', 'Docker socket mounts', { docker: { ...dockerBase.docker, overrides: { volumes: [{ hostPath: '/var/run/docker.sock', containerPath: '/var/run/docker.sock' }] } } }, 'no-docker-socket', 'docker.overrides.volumes[0].hostPath'),
  dock('docker-sensitive-host-path', 'host access', { docker: { ...dockerBase.docker, overrides: { mounts: [{ type: 'bind', source: '/etc', target: '/host-etc' }] } } }, 'no-host-path', 'docker.overrides.mounts[0].source'),
  dock('docker-seccomp-unconfined', 'privileges', { docker: { ...dockerBase.docker, overrides: { securityOpts: ['seccomp=unconfined'] } } }, 'seccomp-runtime-default', 'docker.overrides.securityOpts[0]'),
  dock('docker-secret-without-source', 'secrets', { env: { DB_PASSWORD: { secret: { name: 'db', key: 'password' } } } }, 'no-literal-secrets-in-env', 'env.DB_PASSWORD'),
  dock('docker-http-probe-without-command', 'probes', { docker: { app: 'shop' } }, 'liveness-probe', 'docker.healthcheck'),
  dock('docker-public-port-without-reason', 'networking', { docker: { ...dockerBase.docker, publish: [{ port: 'http', hostPort: 8080, ip: '0.0.0.0' }] } }, 'spec/reason-required', 'docker.publish[0].reason'),
  dock('docker-privileged-host-port', 'ports', { docker: { ...dockerBase.docker, publish: [{ port: 'http', hostPort: 443 }] } }, 'no-host-ports', 'docker.publish[0].hostPort'),
  { id: 'docker-database-replicas', construct: 'docker.StatefulDatabase', area: 'database replication', input: { engine: 'postgres', replicas: 2 }, ruleId: 'spec/database-replication', fieldPath: 'replicas', build: () => new DockerDatabase('db', { ...database({ replicas: 2 }), docker: { app: 'shop' } }) },
  // suppressions
  { id: 'suppression-without-reason', construct: 'Suppressions.add', area: 'suppressions', input: { ruleId: 'priority-class', reason: 'meh' }, ruleId: 'spec/suppression-reason', fieldPath: 'suppressions.priority-class', build: (c) => Suppressions.add(c, 'priority-class', 'meh') },
];

/** Run one entry in a fresh app; returns the error it threw (or undefined). */
export function runBadInput(b: BadInput): any {
  const app = Testing.app();
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  try {
    b.build(chart);
  } catch (e) {
    return e;
  }
  return undefined;
}
