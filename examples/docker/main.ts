/**
 * The shop on a single Docker host, from backend-neutral specs (./spec.ts), through Pulumi.
 * index.ts is the Pulumi program (`pulumi up`); this module builds the app so tests and
 * `npm run example:docker` (Pulumi mocks, no daemon) can build it too.
 *
 * Secrets never pass through Pulumi: each referenced Secret is a host directory with one file per
 * key (provisioned by your configuration management), mounted read-only at /run/secrets/<name>;
 * the container sees <NAME>_FILE pointing at the key.
 */
import { HardenedService, StatefulDatabase } from 'hardened-constructs/docker';
import * as spec from './spec';

/** Settings a stack may change (Pulumi config in index.ts). */
export interface ShopOnDockerOptions {
  /** The host's own address in 10.0.0.0/8, where the edge proxy publishes port 8080. */
  readonly publishAddress?: string;
  /** Host directory holding one sub-directory of files per Secret. */
  readonly secretsDir?: string;
}

export function shopOnDocker(options: ShopOnDockerOptions = {}) {
  const dir = options.secretsDir ?? '/srv/shop/secrets';
  const secrets = (...names: string[]) => Object.fromEntries(names.map((n) => [n, { hostPath: `${dir}/${n}` }]));
  const wget = (port: number, path: string) => ['wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${port}${path}`];

  // Servers first: a client's docker.connectTo names a server that must admit it.
  const db = new StatefulDatabase('orders-db', {
    ...spec.ordersDb,
    docker: { app: 'shop', secretSources: secrets('orders-db') },
  });

  const api = new HardenedService('api', {
    ...spec.api,
    docker: {
      app: 'shop',
      secretSources: secrets('shop-api-db', 'shop-api-payment'),
      healthcheck: { command: wget(8080, '/livez') },
      connectTo: [db],
    },
  });

  const web = new HardenedService('web', {
    ...spec.web,
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

  // The one published port. The spec admits 10.0.0.0/8 only and Docker cannot filter sources, so
  // the port binds to the host's address in that network, never 0.0.0.0.
  const edge = new HardenedService('edge', {
    ...spec.edge,
    docker: {
      app: 'shop',
      healthcheck: { command: ['curl', '-fsS', '-o', '/dev/null', 'http://127.0.0.1:8080/'] },
      publish: [{ port: 'http', hostPort: 8080, ip: options.publishAddress ?? '10.0.0.10', reason: 'the entry point of the shop for the office network' }],
      connectTo: [web],
    },
  });

  return { db, api, web, worker, edge };
}
