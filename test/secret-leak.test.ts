import { Chart, Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { HardenedService, LoggingSidecar, Peer, StatefulDatabase } from '../src';
import { HardenedService as DockerService, planDockerDatabase, planDockerService, recordResources } from '../src/docker';
import { service } from './bad-inputs/catalogue';

/**
 * A sentinel secret pushed through every API that takes a secret, correctly (as a reference) and
 * wrongly (as a value): it never appears in synthesized YAML, annotations, labels, error messages,
 * or Pulumi inputs.
 */
const SENTINEL = 'Zq7-SENTINEL-secret-value-4f1c';

function attempt(fn: () => unknown): { error?: Error; output?: string } {
  try {
    const out = fn();
    return { output: typeof out === 'string' ? out : JSON.stringify(out) };
  } catch (e) {
    return { error: e as Error };
  }
}

function synthYaml(build: (chart: Chart) => void): string {
  const app = Testing.app();
  build(new Chart(app, 'shop', { namespace: 'shop' }));
  return app.charts.map((c) => stringify(Testing.synth(c))).join('---\n');
}

const misuses: [string, () => unknown][] = [
  ['env literal with a secret name', () => synthYaml((c) => new HardenedService(c, 'api', service({ env: { DB_PASSWORD: SENTINEL } })))],
  ['env literal that looks like a key', () => synthYaml((c) => new HardenedService(c, 'api', service({ env: { TLS: `-----BEGIN PRIVATE KEY-----\n${SENTINEL}` } })))],
  ['the secret as a Secret name', () => synthYaml((c) => new HardenedService(c, 'api', service({ env: { DB_PASSWORD: { secret: { name: SENTINEL, key: 'password' } } } })))],
  ['the secret as a secretFiles name', () => synthYaml((c) => new HardenedService(c, 'api', service({ secretFiles: [{ secretName: SENTINEL, mountPath: '/run/secrets/x' }] })))],
  ['the secret as a value object without a reason', () => synthYaml((c) => new HardenedService(c, 'api', service({ env: { DB_PASSWORD: { value: SENTINEL } as any } })))],
  ['database credentials: the password as the Secret name', () => synthYaml((c) => new StatefulDatabase(c, 'db', { engine: 'postgres', resources: 'medium', storage: { size: '1Gi' }, credentials: { secretName: SENTINEL }, clients: [Peer.workload('api')] }))],
  ['database credentials: the password as the key', () => synthYaml((c) => new StatefulDatabase(c, 'db', { engine: 'postgres', resources: 'medium', storage: { size: '1Gi' }, credentials: { secretName: 'db', passwordKey: `${SENTINEL}!` }, clients: [Peer.workload('api')] }))],
  ['log output password as a literal', () => synthYaml((c) => new LoggingSidecar(c, 'logs', { target: new HardenedService(c, 'api', service({ resources: 'medium' })), logPath: '/var/log/app', resources: 'nano', output: { kind: 'loki', host: 'loki.monitoring.svc', user: 'shop', password: SENTINEL as any, peer: Peer.namespace('monitoring') } }))],
  ['forward shared key as a literal', () => synthYaml((c) => new LoggingSidecar(c, 'logs', { target: new HardenedService(c, 'api', service({ resources: 'medium' })), logPath: '/var/log/app', resources: 'nano', output: { kind: 'forward', host: 'fluentd.logging.svc', sharedKey: SENTINEL as any, peer: Peer.namespace('logging') } }))],
  ['a login in a credential flag (Flower --basic_auth)', () => synthYaml((c) => new HardenedService(c, 'api', service({ command: ['celery', '-A', 'config', 'flower', '--port=5555', `--basic_auth=admin:${SENTINEL}`] })))],
  ['a login after --auth', () => synthYaml((c) => new HardenedService(c, 'api', service({ args: ['--auth', `admin:${SENTINEL}`] })))],
  ['Docker: env literal with a secret name', () => planDockerService('api', { ...service({ env: { API_TOKEN: SENTINEL } }), docker: { app: 'x', healthcheck: { command: ['true'] } } })],
  ['Docker: database password as the Secret name', () => planDockerDatabase('db', { engine: 'redis', resources: 'small', storage: { size: '1Gi' }, credentials: { secretName: SENTINEL }, docker: { app: 'x' } })],
];

describe.each(misuses)('misuse: %s', (_name, fn) => {
  test('the sentinel appears in no output and no error', () => {
    const r = attempt(fn);
    if (r.error) {
      expect(r.error.message).not.toContain(SENTINEL);
      expect(JSON.stringify({ ...r.error })).not.toContain(SENTINEL);
    }
    expect(r.output ?? '').not.toContain(SENTINEL);
  });
});

test('correct use: references only, in YAML, annotations, labels and Docker inputs', async () => {
  const yaml = synthYaml((c) => {
    const api = new HardenedService(c, 'api', service({
      resources: 'medium',
      env: { DB_PASSWORD: { secret: { name: 'db', key: 'password' } } },
      secretFiles: [{ secretName: 'tls', mountPath: '/run/secrets/tls' }],
    }));
    new StatefulDatabase(c, 'db', { engine: 'postgres', resources: 'medium', storage: { size: '1Gi' }, credentials: { secretName: 'db' }, clients: [Peer.workload('api')] });
    new LoggingSidecar(c, 'logs', { target: api, logPath: '/var/log/app', resources: 'nano', output: { kind: 'loki', host: 'loki.monitoring.svc', user: 'shop', password: { name: 'loki', key: 'password' }, peer: Peer.namespace('monitoring') } });
  });
  expect(yaml).toContain('secretKeyRef');
  expect(yaml).not.toMatch(/value: .*(hunter|SENTINEL)/);
  const recorded = await recordResources(() => {
    new DockerService('api', { ...service({ env: { DB_PASSWORD: { secret: { name: 'db', key: 'password' } } } }), docker: { app: 'x', healthcheck: { command: ['true'] }, secretSources: { db: { hostPath: '/srv/x/db' } } } });
  });
  const text = JSON.stringify(recorded);
  expect(text).toContain('DB_PASSWORD_FILE=/run/secrets/db/password');
  expect(text).not.toContain(SENTINEL);
});

describe('arguments: credential flags are refused, references to Secrets are not', () => {
  test.each([
    [['celery', '-A', 'config', 'flower', '--port=5555', '--basic_auth=admin:hunter2'], 'command[5]', 'user:password credentials'],
    [['--secret=s3cr3tvalue'], 'command[0]', 'a password flag with a value'],
    [['--client-secret=abc123def'], 'command[0]', 'a password flag with a value'],
  ])('%j is refused at %s (%s), the value not shown', (command, field, shape) => {
    const r = attempt(() => synthYaml((c) => new HardenedService(c, 'api', service({ command }))));
    expect(r.error?.name).toBe('HardeningError');
    expect(r.error?.message).toContain(`[no-literal-secrets-in-env] shop/api: ${field}: this value holds ${shape} (the value is not shown).`);
    expect(r.error?.message).not.toMatch(/hunter2|s3cr3tvalue|abc123def/);
  });

  test('--secret-name, --tls-secret-name and --secret-file are references: accepted and written as given', () => {
    const args = ['--secret-name=my-tls', '--tls-secret-name=foo', '--secret-file=/run/secrets/x'];
    const yaml = synthYaml((c) => new HardenedService(c, 'api', service({ args })));
    for (const a of args) expect(yaml).toContain(`- ${a}`);
  });
});
