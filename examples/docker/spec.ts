/**
 * The shop's specs for a single Docker host. They are the specs of examples/shop/spec.ts
 * (test/examples-shop-docker.test.ts keeps the two equal field by field) with the connections
 * declared on both ends, the way the Kubernetes app declares them with `connectTo`: on Docker each
 * declared connection becomes its own internal network, so a connection exists only when the
 * server admits the client (`ingress`, a database's `clients`) and the client declares it
 * (`egress`).
 *
 * What differs from the cluster: PostgreSQL runs next to the app (no managed database at
 * 10.20.0.0/16), and an unprivileged nginx (`edge`) takes the ingress controller's place.
 */
import { HardenedServiceSpec, Peer, StatefulDatabaseSpec } from 'hardened-constructs';

const http = (port: number) => [{ port }];

export const api: HardenedServiceSpec = {
  name: 'api',
  image: 'ghcr.io/acme/shop-api:2.3.1',
  component: 'backend',
  partOf: 'shop',
  ports: [{ name: 'http', port: 8080, servicePort: 80 }],
  resources: {
    requests: { cpu: '250m', memory: '384Mi', ephemeralStorage: '256Mi' },
    limits: { cpu: '1', memory: '768Mi', ephemeralStorage: '1Gi' },
  },
  probes: {
    readiness: { http: { path: '/readyz', port: 'http' } },
    liveness: { http: { path: '/livez', port: 'http' } },
    startup: { http: { path: '/livez', port: 'http' }, failureThreshold: 60 },
  },
  env: {
    LOG_LEVEL: 'info',
    DATABASE_HOST: 'orders-db',
    DATABASE_USER: { secret: { name: 'shop-api-db', key: 'username' } },
    DATABASE_PASSWORD: { secret: { name: 'shop-api-db', key: 'password' } },
  },
  secretFiles: [{ secretName: 'shop-api-payment', mountPath: '/var/run/secrets/payment' }],
  autoscaling: { minReplicas: 3, maxReplicas: 12, targetCpuUtilization: 65 },
  priorityClassName: 'shop-critical',
  preStopDelaySeconds: 5,
  ingress: [
    { from: Peer.monitoring(), ports: ['http'] },
    { from: Peer.workload('web'), ports: ['http'] },
    { from: Peer.workload('worker'), ports: ['http'] },
  ],
  egress: [{ to: Peer.workload('orders-db'), ports: http(5432) }],
};

export const web: HardenedServiceSpec = {
  name: 'web',
  image: 'ghcr.io/acme/shop-web:1.8.2',
  component: 'frontend',
  partOf: 'shop',
  replicas: 3,
  ports: [{ name: 'http', port: 8080, servicePort: 80 }],
  resources: 'small',
  probes: {
    readiness: { http: { path: '/readyz', port: 'http' } },
    liveness: { http: { path: '/livez', port: 'http' } },
  },
  env: { API_URL: 'http://api:8080' },
  writablePaths: [{ path: '/var/cache/nginx', sizeLimit: '128Mi' }],
  priorityClassName: 'shop-critical',
  preStopDelaySeconds: 5,
  ingress: [{ from: Peer.workload('edge') }],
  egress: [{ to: Peer.workload('api'), ports: http(8080) }],
};

export const worker: HardenedServiceSpec = {
  name: 'worker',
  image: 'ghcr.io/acme/shop-worker:2.3.1',
  component: 'worker',
  partOf: 'shop',
  replicas: 2,
  command: ['/app/worker'],
  args: ['--concurrency=4'],
  ports: [{ name: 'metrics', port: 9090 }],
  resources: 'medium',
  probes: {
    readiness: { http: { path: '/ready', port: 'metrics' } },
    liveness: { http: { path: '/healthz', port: 'metrics' }, periodSeconds: 20 },
  },
  env: { QUEUE_POLL_INTERVAL: '5s', API_TOKEN: { secret: { name: 'shop-worker', key: 'api-token' } } },
  priorityClassName: 'shop-critical',
  terminationGracePeriodSeconds: 120,
  ingress: [{ from: Peer.monitoring(), ports: ['metrics'] }],
  egress: [{ to: Peer.workload('api'), ports: http(8080) }],
};

/** The one entry point: admitted from the office network only (bound to the host's address in it). */
export const edge: HardenedServiceSpec = {
  name: 'edge',
  image: 'docker.io/nginxinc/nginx-unprivileged:1.27.2',
  partOf: 'shop',
  component: 'proxy',
  replicas: 1,
  ports: [{ name: 'http', port: 8080 }],
  resources: 'small',
  probes: {
    readiness: { http: { path: '/', port: 'http' } },
    liveness: { tcp: { port: 'http' } },
  },
  writablePaths: [{ path: '/var/cache/nginx', sizeLimit: '64Mi' }],
  ingress: [{ from: Peer.cidr('10.0.0.0/8') }],
  egress: [{ to: Peer.workload('web'), ports: http(8080) }],
  relaxations: { singleReplica: 'one reverse proxy per host; the host is the unit of failure' },
};

export const ordersDb: StatefulDatabaseSpec = {
  name: 'orders-db',
  engine: 'postgres',
  resources: 'medium',
  storage: { size: '20Gi' },
  credentials: { secretName: 'orders-db' },
  username: 'shop',
  database: 'orders',
  clients: [Peer.workload('api')],
  backup: { schedule: '0 3 * * *', retain: 7, storage: { size: '50Gi' }, resources: 'small' },
};
