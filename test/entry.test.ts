import { spawnSync } from 'child_process';
import * as path from 'path';

/**
 * What importing the library and synthesizing a plain service loads: parsers that only some
 * inputs need (Dockerfiles, cron schedules, the flows file's YAML writer) are loaded on first use.
 */
test('importing the library and synthesizing a service loads no optional parser', () => {
  const src = JSON.stringify(path.join(__dirname, '../src/index.ts'));
  const script = `
    const lib = require(${src});
    const { App, Chart } = require('cdk8s');
    const app = new App();
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    new lib.HardenedService(chart, 'api', { image: 'ghcr.io/acme/api:1.2.3', ports: [{ name: 'http', port: 8080 }], resources: 'small',
      probes: { readiness: { http: { path: '/readyz', port: 'http' } }, liveness: { http: { path: '/livez', port: 'http' } } },
      ingress: [{ from: lib.Peer.ingressController() }], priorityClassName: 'standard' });
    process.env.HARDENED_QUIET = '1';
    const objects = app.synthYaml().split('\\n---\\n').length;
    const loaded = (name) => Object.keys(require.cache).some((k) => k.includes(require('path').sep + 'node_modules' + require('path').sep + name + require('path').sep) && !k.includes('cdk8s' + require('path').sep + 'node_modules'));
    const before = ['@pulumi', 'dockerfile-ast', 'cron-parser', 'luxon', 'yaml', 'ajv'].filter(loaded);
    lib.parseDockerfile('FROM alpine:3.20\\n');
    console.log(JSON.stringify({ objects, before, dockerfileAst: loaded('dockerfile-ast') }));
  `;
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({ objects: 5, before: [], dockerfileAst: true });
});
