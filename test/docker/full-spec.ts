/** Fully populated specs: every optional field set, every probe handler and env kind used once. */
import { HardenedServiceSpec, Peer, StatefulDatabaseSpec } from '../../src';

export const FULL_SERVICE: HardenedServiceSpec = {
  name: 'full',
  namespace: 'shop',
  component: 'backend',
  partOf: 'shop',
  replicas: 2,
  image: 'ghcr.io/acme/full:1.2.3@sha256:' + 'a'.repeat(64),
  command: ['/app/full'],
  args: ['--serve'],
  ports: [{ name: 'http', port: 8080, protocol: 'TCP', servicePort: 80 }, { name: 'grpc', port: 9000 }],
  resources: { requests: { cpu: '100m', memory: '128Mi', ephemeralStorage: '64Mi' }, limits: { cpu: '500m', memory: '256Mi', ephemeralStorage: '512Mi' } },
  probes: {
    readiness: { http: { path: '/readyz', port: 'http', scheme: 'HTTP' }, initialDelaySeconds: 1, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 1 },
    liveness: { exec: { command: ['/app/full', 'health'] }, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 1 },
    startup: { tcp: { port: 'http' }, initialDelaySeconds: 0, periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 30, successThreshold: 1 },
  },
  env: {
    LOG_LEVEL: 'info',
    DB_PASSWORD: { secret: { name: 'db', key: 'password' } },
    FEATURE: { configMap: { name: 'features', key: 'flag', optional: true } },
    PUBLIC_KEY_ID: { value: 'k-1', notASecret: 'an identifier, not a credential' },
  },
  secretFiles: [{ secretName: 'tls', mountPath: '/var/run/secrets/tls', keys: ['tls.crt'] }],
  writablePaths: [{ path: '/var/cache/app', sizeLimit: '32Mi', inMemory: false }, { path: '/var/run/app', sizeLimit: '1Mi', inMemory: true }],
  tmpSizeLimit: '32Mi',
  timezone: 'Europe/Berlin',
  ingress: [{ from: Peer.workload('web'), ports: ['http'] }, { from: Peer.cidr('10.0.0.0/8', ['10.1.0.0/16']) }, { from: Peer.namespace('monitoring', { app: 'prom' }) }],
  egress: [
    { to: Peer.workload('db'), ports: [{ port: 5432, protocol: 'TCP' }] },
    { to: Peer.namespace('monitoring', { app: 'otel' }), ports: [{ port: 4317 }] },
    { to: Peer.cidr('10.20.0.0/16', ['10.20.1.0/24']), ports: [{ port: 443 }] },
  ],
  user: 10002,
  group: 10002,
  priorityClassName: 'critical',
  terminationGracePeriodSeconds: 45,
  preStopDelaySeconds: 5,
  revisionHistoryLimit: 4,
  claims: [{ name: 'data', mountPath: '/data', size: '1Gi', storageClassName: 'fast', accessMode: 'ReadWriteMany', readOnly: false }],
  sidecars: [{
    name: 'proxy',
    image: 'ghcr.io/acme/proxy:1.0.0',
    ports: [{ name: 'admin', port: 9901 }],
    resources: 'small',
    probes: { readiness: { grpc: { port: 'admin', service: 'ready' } }, liveness: { http: { path: '/live', port: 'admin' } } },
  }],
  relaxations: {
    runAsRoot: 'legacy image needs root for the test',
    writableRootFilesystem: 'legacy app writes next to its binary',
    addCapabilities: { capabilities: ['NET_BIND_SERVICE'], reason: 'binds port 80 in the test' },
    privilegedPorts: 'binds port 80 in the test',
    noProbes: 'test of every field',
    noLivenessProbe: 'test of every field',
    singleReplica: 'test of every field',
    unpinnedImage: 'test of every field',
  },
};

/** The same with autoscaling instead of a fixed replica count. */
export const FULL_AUTOSCALED: HardenedServiceSpec = {
  ...FULL_SERVICE,
  replicas: undefined,
  autoscaling: { minReplicas: 2, maxReplicas: 4, targetCpuUtilization: 60 },
};

export const FULL_DATABASE: StatefulDatabaseSpec = {
  name: 'full-db',
  namespace: 'shop',
  engine: 'postgres',
  image: 'docker.io/library/postgres:16.4-bookworm',
  resources: 'medium',
  storage: { size: '10Gi', storageClassName: 'fast', accessMode: 'ReadWriteOnce' },
  credentials: { secretName: 'full-db', passwordKey: 'password', rootPasswordKey: 'root-password' },
  username: 'app',
  database: 'app',
  replicas: 1,
  clients: [Peer.workload('api'), Peer.namespace('reporting', { app: 'bi' }), Peer.cidr('10.30.0.0/16', ['10.30.1.0/24'])],
  sharedMemory: '256Mi',
  backup: {
    schedule: '0 3 * * *', timeZone: 'Etc/UTC', retain: 7, storage: { size: '5Gi', storageClassName: 'fast' }, resources: 'small',
  },
  snapshot: { volumeSnapshotClassName: 'csi-snap' },
  user: 10003,
  group: 10003,
  priorityClassName: 'critical',
  terminationGracePeriodSeconds: 90,
  component: 'database',
  partOf: 'shop',
  relaxations: { writableRootFilesystem: 'test of every field', addCapabilities: { capabilities: ['CHOWN'], reason: 'test of every field' } },
};
