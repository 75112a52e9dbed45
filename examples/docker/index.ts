/**
 * Pulumi program: the shop on one Docker host.
 *
 *   npm install && pulumi login --local && pulumi stack init dev
 *   pulumi config set docker:host unix:///var/run/docker.sock   # or ssh://deploy@host
 *   pulumi config set publishAddress 10.0.0.10                  # the host's address in 10.0.0.0/8
 *   pulumi up
 *
 * Rule findings (e.g. the PIDs-limit gap of the Docker provider) show as warnings in the preview.
 */
import * as pulumi from '@pulumi/pulumi';
import { shopOnDocker } from './main';

const config = new pulumi.Config();
const shop = shopOnDocker({
  publishAddress: config.get('publishAddress'),
  secretsDir: config.get('secretsDir'),
});

export const entryPoint = pulumi.interpolate`http://${config.get('publishAddress') ?? '10.0.0.10'}:8080/`;
export const databaseHost = shop.db.spec.host;
export const networks = [shop.db, shop.api, shop.web, shop.worker, shop.edge].flatMap((c) => c.networks.map((n) => n.name));
