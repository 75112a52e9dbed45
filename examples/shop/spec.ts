/**
 * The shop's services as backend-neutral specs: the Kubernetes app (main.ts) and the Docker
 * program (examples/docker) are built from these same objects, so they cannot drift apart.
 */
import { HardenedServiceSpec, Peer } from 'hardened-constructs';

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
    DATABASE_HOST: 'orders-db.internal.acme.example',
    DATABASE_USER: { secret: { name: 'shop-api-db', key: 'username' } },
    DATABASE_PASSWORD: { secret: { name: 'shop-api-db', key: 'password' } },
  },
  secretFiles: [{ secretName: 'shop-api-payment', mountPath: '/var/run/secrets/payment' }],
  autoscaling: { minReplicas: 3, maxReplicas: 12, targetCpuUtilization: 65 },
  priorityClassName: 'shop-critical',
  preStopDelaySeconds: 5,
  ingress: [{ from: Peer.monitoring(), ports: ['http'] }],
  // The managed PostgreSQL lives outside the cluster.
  egress: [{ to: Peer.cidr('10.20.0.0/16'), ports: [{ port: 5432 }] }],
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
  env: { API_URL: 'http://api.shop.svc.cluster.local' },
  writablePaths: [{ path: '/var/cache/nginx', sizeLimit: '128Mi' }],
  priorityClassName: 'shop-critical',
  preStopDelaySeconds: 5,
  ingress: [{ from: Peer.ingressController() }],
};

export const worker: HardenedServiceSpec = {
  name: 'worker',
  image: 'ghcr.io/acme/shop-worker:2.3.1',
  component: 'worker',
  partOf: 'shop',
  replicas: 2,
  command: ['/app/worker'],
  args: ['--concurrency=4'],
  // The worker takes no requests: its only port serves health and metrics.
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
};
