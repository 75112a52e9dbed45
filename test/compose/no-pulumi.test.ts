/**
 * `hardened init` must work with only the README's install line (hardened-constructs, cdk8s,
 * cdk8s-plus-28, constructs): @pulumi/pulumi and @pulumi/docker are optional peer dependencies,
 * needed only by programs that register Docker resources. Here every @pulumi module throws when it
 * is loaded, as a missing package would: the conversion, its Docker report included, still works.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cli } from '../util/cli';

const loaded: string[] = [];
jest.mock('@pulumi/pulumi', () => {
  loaded.push('@pulumi/pulumi');
  throw new Error("Cannot find module '@pulumi/pulumi'");
});
jest.mock('@pulumi/docker', () => {
  loaded.push('@pulumi/docker');
  throw new Error("Cannot find module '@pulumi/docker'");
});

jest.setTimeout(120_000);

test('init converts a Compose file with a database and a published port without loading any @pulumi module', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'init-no-pulumi-')), 'infra');
  const r = cli('init', '--from-compose', path.join(__dirname, '..', 'cli', 'compose', 'wordpress-mariadb.yaml'), '--out', out, '--name', 'wp');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(loaded).toEqual([]);
  // The Docker facts of the report come from the Pulumi-free planning of the Docker backend.
  const md = fs.readFileSync(path.join(out, 'MIGRATION.md'), 'utf8');
  expect(md).toContain('- Docker (docker.ts): 1 container(s); published on 127.0.0.1:8080→80/TCP (Compose published 8080:80 on every interface).');
  expect(md).toContain('- Docker (docker.ts): 1 container(s); no port published.');
});

test('the Pulumi-free planning module loads no @pulumi module', () => {
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const plan = require('../../src/docker/plan') as typeof import('../../src/docker/plan');
    const p = plan.planDockerDatabase('db', { engine: 'postgres', resources: 'medium', storage: { size: '1Gi' }, credentials: { secretName: 'db-credentials' }, docker: { app: 'x', secretSources: { 'db-credentials': { hostPath: '/srv/x/secrets/db-credentials' } } } });
    expect(p.plans.map((x) => x.args.name)).toEqual(['x-db-0']);
  });
  expect(loaded).toEqual([]);
});
