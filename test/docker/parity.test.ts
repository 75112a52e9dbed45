/**
 * Parity that can fail: walk every field of fully populated resolved specs at run time and look
 * each one up in the Docker field map (src/docker/parity.ts). A new spec field without an entry,
 * or an entry for a field that no longer exists, fails. Gaps must surface as findings with their
 * rule id, refusals as HardeningErrors with theirs.
 */
import { FULL_AUTOSCALED, FULL_DATABASE, FULL_SERVICE } from './full-spec';
import { DATABASE_FIELD_MAP, DockerMapping, MAP_FIELDS, mappingFor, planDockerDatabase, planDockerService, SERVICE_FIELD_MAP } from '../../src/docker';
import { BUILTIN_RULES } from '../../src/policy';
import { resolveDatabase } from '../../src/spec/database';
import { resolveService } from '../../src/spec/service';
import { hardeningError } from '../util/fixtures';

/** Every key path (lists flattened, `a.b.c`), including keys whose value is undefined or empty. */
function walk(v: unknown, p: string, out: Set<string>): Set<string> {
  if (Array.isArray(v)) {
    if (!v.length && p) out.add(p);
    v.forEach((x) => walk(x, p, out));
  } else if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    if (!keys.length && p) out.add(p);
    for (const k of keys) walk((v as Record<string, unknown>)[k], p ? `${p}.${k}` : k, out);
  } else if (p) {
    out.add(p);
  }
  return out;
}

const servicePaths = [FULL_SERVICE, FULL_AUTOSCALED].reduce((s, spec) => walk(resolveService(spec, { constructPath: 'x', defaultName: 'x' }), '', s), new Set<string>());
const dbResolved = resolveDatabase(FULL_DATABASE, { constructPath: 'x', defaultName: 'x', hosts: 'docker' });
const databasePaths = walk(dbResolved, '', new Set<string>());

/** A table entry covers a path exactly, as a label map, or as the parent of an absent/empty value. */
function covered(table: Readonly<Record<string, DockerMapping>>, paths: Set<string>, path: string): boolean {
  if (mappingFor(table, path)) return true;
  // `containers.command` is undefined for a sidecar: covered when its own entry exists.
  return [...Object.keys(table)].some((k) => k.startsWith(`${path}.`)) && !paths.has(`${path}.x`);
}

describe.each([
  ['ResolvedService', SERVICE_FIELD_MAP, servicePaths],
  ['ResolvedDatabase', DATABASE_FIELD_MAP, databasePaths],
] as const)('%s', (_name, table, paths) => {
  test('the walk sees the whole spec', () => {
    expect(paths.size).toBeGreaterThan(_name === 'ResolvedService' ? 120 : 100);
  });

  test.each([...paths].sort())('%s has a Docker mapping or a documented gap', (path) => {
    expect(covered(table, paths, path)).toBe(true);
  });

  test('every entry is a field that exists (no stale rows)', () => {
    const known = [...paths];
    // Container rows are shared by every container of the spec; backup.restore and backup.upload
    // exist only for some engines: their rows are checked through the container rows.
    const stale = Object.keys(table).filter((k) => !known.some((p) => p === k || p.startsWith(`${k}.`)) && !/^backup\.(restore|upload)/.test(k));
    const containerOnly = stale.filter((k) => /^(containers|container|backup\.dump)\./.test(k));
    expect(stale.filter((k) => !containerOnly.includes(k))).toEqual([]);
    // A container row is stale only when no container of any spec has that field.
    const anyContainer = new Set([...servicePaths].filter((p) => p.startsWith('containers.')).map((p) => p.slice('containers.'.length))
      .concat([...databasePaths].filter((p) => p.startsWith('container.')).map((p) => p.slice('container.'.length))));
    const staleContainer = containerOnly.map((k) => k.replace(/^(containers|container|backup\.dump)\./, '')).filter((k) => ![...anyContainer].some((p) => p === k || p.startsWith(`${k}.`)));
    expect([...new Set(staleContainer)].filter((k) => !/^(probes\.(readiness|liveness|startup)\.(http|tcp|grpc|exec)|env\.|ports|image)/.test(k))).toEqual([]);
  });

  test('rule ids of gaps and refusals exist', () => {
    const ids = new Set(BUILTIN_RULES.map((r) => r.id));
    for (const m of Object.values(table)) if ('ruleId' in m) expect(ids.has(m.ruleId) || m.ruleId.startsWith('spec/')).toBe(true);
  });
});

test('a new field fails the walk', () => {
  const extended = { ...resolveService(FULL_SERVICE, { constructPath: 'x', defaultName: 'x' }), topologySpread: { zones: 3 } };
  const paths = walk(extended, '', new Set());
  expect(covered(SERVICE_FIELD_MAP, paths, 'topologySpread.zones')).toBe(false);
});

test('label maps are covered as a whole', () => {
  expect(MAP_FIELDS.has('labels')).toBe(true);
  expect(mappingFor(SERVICE_FIELD_MAP, 'labels.app.kubernetes.io/name')).toEqual(SERVICE_FIELD_MAP.labels);
});

describe('gaps are reported, refusals refused', () => {
  // The full spec minus what Docker refuses (ConfigMap env), with a health check command.
  const { FEATURE: _f, ...env } = FULL_SERVICE.env!;
  // Sidecars have no docker.healthcheck: give the sidecar an exec liveness probe Docker can run.
  const sidecars = FULL_SERVICE.sidecars!.map((c) => ({ ...c, probes: { ...c.probes!, liveness: { exec: { command: ['/proxy', 'health'] } } } }));
  const dockerSafe = { ...FULL_SERVICE, env, sidecars, docker: { app: 'shop', healthcheck: { command: ['true'] }, secretSources: { db: { hostPath: '/srv/shop/db' }, tls: { hostPath: '/srv/shop/tls' } } } };
  const plans = [planDockerService('full', dockerSafe), planDockerService('full', { ...dockerSafe, ...FULL_AUTOSCALED, env, sidecars, docker: dockerSafe.docker })];
  const db = planDockerDatabase('full-db', { ...FULL_DATABASE, docker: { app: 'shop', secretSources: { 'full-db': { hostPath: '/srv/shop/full-db' } } } });
  const found = new Set([...plans.flatMap((p) => p.findings), ...db.findings].map((f) => f.ruleId));

  test.each(Object.entries(SERVICE_FIELD_MAP).filter(([, m]) => 'gap' in m))('service %s is a reported gap', (_path, m) => {
    expect(found).toContain((m as { ruleId: string }).ruleId);
  });

  test.each(Object.entries(DATABASE_FIELD_MAP).filter(([, m]) => 'gap' in m))('database %s is a reported gap', (_path, m) => {
    expect(found).toContain((m as { ruleId: string }).ruleId);
  });

  test('gaps are labelled on the containers they concern', () => {
    const labels = plans[0].plans[0].args.labels.map((l) => l.label);
    expect(labels).toEqual(expect.arrayContaining([
      'hardened-constructs.io/finding.priority-class', 'hardened-constructs.io/finding.spec/prestop-delay',
      'hardened-constructs.io/finding.ephemeral-storage-limits', 'hardened-constructs.io/finding.network-policy-required',
    ]));
  });

  test('init containers and a load balancer are refused on Docker, with their rule ids', () => {
    const init = [{ name: 'migrate', image: 'ghcr.io/acme/api:1.2.3', command: ['/migrate'], resources: 'small' as const }];
    expect(hardeningError(() => planDockerService('full', { ...dockerSafe, initContainers: init })).ruleId).toBe(SERVICE_FIELD_MAP.initContainers && 'spec/docker-init-containers');
    expect(hardeningError(() => planDockerService('full', { ...dockerSafe, loadBalancer: { reason: 'partners connect over raw TCP', sourceRanges: ['203.0.113.0/24'] } })).ruleId)
      .toBe(SERVICE_FIELD_MAP.loadBalancer && 'spec/docker-load-balancer');
  });

  test('organisation annotations become container labels', () => {
    const p = planDockerService('full', { ...dockerSafe, annotations: { 'acme.com/runbook': 'https://runbooks.acme.example/api' } });
    expect(p.plans[0].args.labels).toContainEqual({ label: 'acme.com/runbook', value: 'https://runbooks.acme.example/api' });
  });

  test('ConfigMap env is refused with its rule id', () => {
    expect(hardeningError(() => planDockerService('full', { ...dockerSafe, env: FULL_SERVICE.env })).ruleId).toBe(SERVICE_FIELD_MAP['containers.env.configMap.name'] && 'spec/env');
  });
});
