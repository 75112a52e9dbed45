/**
 * The shop (examples/shop) on a single Docker host, from the same specs, through Pulumi.
 *
 *   npm run example:docker      # runs this program under Pulumi mocks and prints every resource
 *   pulumi up                   # on a host with Docker and the Pulumi CLI
 *
 * Secrets never pass through Pulumi: each referenced Secret is a host directory with one file per
 * key (provisioned by your configuration management), mounted read-only at /run/secrets/<name>;
 * the container sees <NAME>_FILE pointing at the key.
 */
import { HardenedService, StatefulDatabase } from 'hardened-constructs/docker';
import * as spec from '../shop/spec';

const secrets = (...names: string[]) => Object.fromEntries(names.map((n) => [n, { hostPath: `/srv/shop/secrets/${n}` }]));
const wget = (port: number, path: string) => ['wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${port}${path}`];

export function shopOnDocker() {
  // Docker has no managed database next to it: the shop brings its own PostgreSQL.
  const db = new StatefulDatabase('orders-db', {
    engine: 'postgres',
    resources: 'medium',
    storage: { size: '20Gi' },
    credentials: { secretName: 'orders-db' },
    username: 'shop',
    database: 'orders',
    backup: { schedule: '0 3 * * *', retain: 7, storage: { size: '50Gi' }, resources: 'small' },
    docker: { app: 'shop', secretSources: secrets('orders-db') },
  });

  const api = new HardenedService('api', {
    ...spec.api,
    env: { ...spec.api.env, DATABASE_HOST: db.spec.host },
    docker: {
      app: 'shop',
      secretSources: secrets('shop-api-db', 'shop-api-payment'),
      healthcheck: { command: wget(8080, '/livez') },
      connectTo: [db],
    },
  });

  const web = new HardenedService('web', {
    ...spec.web,
    env: { API_URL: 'http://api:8080' },
    docker: { app: 'shop', healthcheck: { command: wget(8080, '/livez') }, connectTo: [api] },
  });

  const worker = new HardenedService('worker', {
    ...spec.worker,
    docker: {
      app: 'shop',
      secretSources: secrets('shop-worker'),
      healthcheck: { command: wget(9090, '/healthz') },
      logging: { driver: 'fluentd', address: 'tcp://127.0.0.1:24224', tag: 'shop.worker' },
      connectTo: [api],
    },
  });

  // The one published port: an unprivileged nginx in front of the web replicas.
  const edge = new HardenedService('edge', {
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
    ingress: [{ from: { kind: 'cidr', cidr: '10.0.0.0/8' } }],
    relaxations: { singleReplica: 'one reverse proxy per host; the host is the unit of failure' },
    docker: {
      app: 'shop',
      healthcheck: { command: ['curl', '-fsS', '-o', '/dev/null', 'http://127.0.0.1:8080/'] },
      publish: [{ port: 'http', hostPort: 8080, ip: '0.0.0.0', reason: 'the public entry point of the shop on this host' }],
      connectTo: [web],
    },
  });

  return { db, api, web, worker, edge };
}
