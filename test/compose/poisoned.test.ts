import * as fc from 'fast-check';
import { stringify } from 'yaml';
import { ComposeInputError, convertComposeText } from '../../src/compose';
import { anyParsedValue } from '../util/poisoned';

/**
 * Any value under any service key, including objects whose keys shadow `toString`/`valueOf`
 * (what YAML can say), converts or is refused with ComposeInputError/HardeningError: never a
 * TypeError from coercing parsed input to text.
 */
const KEYS = [
  'image', 'ports', 'expose', 'volumes', 'environment', 'env_file', 'deploy', 'healthcheck', 'logging', 'user', 'cap_add', 'cap_drop',
  'networks', 'network_mode', 'restart', 'security_opt', 'build', 'devices', 'links', 'secrets', 'tmpfs', 'labels', 'depends_on',
  'command', 'entrypoint', 'sysctls', 'mem_limit', 'cpus', 'pids_limit', 'read_only', 'working_dir', 'hostname', 'extra_hosts',
];
const numRuns = Number(process.env.FC_NUM_RUNS ?? 1000);
jest.setTimeout(300_000);

test('poisoned or wrong-typed values under any Compose service key', () => {
  fc.assert(fc.property(fc.constantFrom(...KEYS), anyParsedValue, fc.boolean(), (key, value, db) => {
    const services: Record<string, unknown> = {
      api: { image: 'ghcr.io/acme/api:1.0.0', ports: ['8080:8080'], environment: { DATABASE_URL: 'postgres://db:5432/app' }, [key]: value },
      ...(db ? { db: { image: 'postgres:16.4', [key]: value } } : {}),
    };
    try {
      convertComposeText(stringify({ services }), { project: 'demo', source: 'compose.yaml', packageSpec: '^0.0.0' });
    } catch (e) {
      if (e instanceof ComposeInputError || (e instanceof Error && e.name === 'HardeningError')) return;
      throw e;
    }
  }), { numRuns });
});
