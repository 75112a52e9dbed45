/**
 * examples/docker is a Pulumi project a user copies on its own, so it keeps its own specs. They are
 * the shop's specs (examples/shop/spec.ts) with exactly the differences its header states: the
 * connections declared on both ends (ingress/egress between the shop's workloads), the database
 * beside the app instead of a managed one outside the cluster (DATABASE_HOST, egress), service
 * names instead of cluster DNS (API_URL), and an `edge` proxy instead of the ingress controller.
 * Everything else must stay equal, field by field, or the two examples drift apart.
 */
import * as docker from '../examples/docker/spec';
import * as shop from '../examples/shop/spec';
import { HardenedServiceSpec, Peer } from '../src';

/** The fields each Docker spec may change, and nothing else. */
const ALLOWED: Record<'api' | 'web' | 'worker', readonly string[]> = {
  api: ['env.DATABASE_HOST', 'ingress', 'egress'],
  web: ['env.API_URL', 'ingress', 'egress'],
  worker: ['egress'],
};

function flatten(x: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (x && typeof x === 'object' && !Array.isArray(x) && Object.getPrototypeOf(x) === Object.prototype) {
    for (const [k, v] of Object.entries(x)) for (const [p, s] of flatten(v, prefix ? `${prefix}.${k}` : k)) out.set(p, s);
  } else {
    out.set(prefix, JSON.stringify(x));
  }
  return out;
}

/** Paths where two specs differ (a path present on one side only counts). */
function differences(a: HardenedServiceSpec, b: HardenedServiceSpec): string[] {
  const fa = flatten(a);
  const fb = flatten(b);
  return [...new Set([...fa.keys(), ...fb.keys()])].filter((k) => fa.get(k) !== fb.get(k)).sort();
}

const covered = (path: string, allowed: readonly string[]) => allowed.some((a) => path === a || path.startsWith(`${a}.`));

test.each(Object.keys(ALLOWED) as (keyof typeof ALLOWED)[])('the Docker %s spec is the shop spec but for the documented fields', (name) => {
  const diff = differences(shop[name], docker[name]);
  expect(diff.filter((d) => !covered(d, ALLOWED[name]))).toEqual([]);
  // Each allowed difference is real (no stale entry in the list).
  for (const a of ALLOWED[name]) expect(diff.some((d) => covered(d, [a]))).toBe(true);
});

test('the shop workloads keep their Kubernetes-side admissions on Docker', () => {
  // Docker adds peers; it never drops one the cluster admits, except the ingress controller that
  // `edge` replaces and the managed database that `orders-db` replaces.
  const controller = JSON.stringify(Peer.ingressController());
  const keep = (s: HardenedServiceSpec) => (s.ingress ?? []).filter((r) => JSON.stringify(r.from) !== controller).map((r) => JSON.stringify(r));
  for (const name of Object.keys(ALLOWED) as (keyof typeof ALLOWED)[]) {
    const onDocker = new Set((docker[name].ingress ?? []).map((r) => JSON.stringify(r)));
    for (const r of keep(shop[name])) expect(onDocker.has(r)).toBe(true);
  }
});
