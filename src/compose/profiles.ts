/**
 * Compose profiles (https://docs.docker.com/reference/compose-file/profiles/): a service with
 * `profiles` is part of the application only when one of them is enabled (`docker compose
 * --profile debug up`); services without profiles always are. The conversion takes the same set of
 * services `docker compose up` would start: debug tools and one-off jobs behind a profile are not
 * deployed unless their profile is asked for. As in Compose, an enabled service that needs a
 * left-out one (depends_on, links, `service:` network/ipc/pid modes, volumes_from) is an error,
 * not a silent enabling.
 */
import { ComposeInputError, ComposeModel, ComposeService } from './read';
import { interpolateCompose } from '../policy/compose';

export interface ProfileSelection {
  /** The model with only the enabled services. */
  readonly model: ComposeModel;
  /** Services left out, with their profiles. */
  readonly leftOut: readonly { readonly name: string; readonly profiles: readonly string[] }[];
}

/** A service name or profile as Compose reads it: interpolated with an empty environment. */
const named = (x: unknown) => interpolateCompose(String(x)).value;

function profilesOf(svc: ComposeService): string[] {
  return Array.isArray(svc.profiles) ? svc.profiles.filter((p): p is string => typeof p === 'string').map(named) : [];
}

/** The services `svc` needs to run, with the field that names each. */
function requiredServices(svc: ComposeService): { name: string; field: string }[] {
  const out: { name: string; field: string }[] = [];
  const d = svc.depends_on;
  if (Array.isArray(d)) {
    for (const n of d) out.push({ name: named(n), field: 'depends_on' });
  } else if (d && typeof d === 'object') {
    for (const [n, v] of Object.entries(d)) {
      // A long-form dependency with `required: false` may be absent (Compose 2.20+).
      if (!(v && typeof v === 'object' && (v as { required?: unknown }).required === false)) out.push({ name: named(n), field: 'depends_on' });
    }
  }
  for (const l of Array.isArray(svc.links) ? svc.links : []) out.push({ name: named(l).split(':')[0], field: 'links' });
  for (const key of ['network_mode', 'ipc', 'pid'] as const) {
    const v = svc[key];
    if (typeof v === 'string' && v.startsWith('service:')) out.push({ name: named(v.slice('service:'.length)), field: key });
  }
  const vf = svc.volumes_from;
  for (const v of Array.isArray(vf) ? vf : []) {
    const s = named(v);
    if (!s.startsWith('container:')) out.push({ name: s.split(':')[0], field: 'volumes_from' });
  }
  return out;
}

/**
 * Keep the services enabled by `profiles` (names as given to `docker compose --profile`; `*`
 * enables every profile). Throws ComposeInputError when an enabled service needs a left-out one.
 */
export function selectProfiles(model: ComposeModel, profiles: readonly string[], file: string): ProfileSelection {
  const all = profiles.includes('*');
  const enabled = (svc: ComposeService) => {
    const own = profilesOf(svc);
    return own.length === 0 || all || own.some((p) => profiles.includes(p));
  };
  const services = new Map<string, ComposeService>();
  const leftOut: { name: string; profiles: string[] }[] = [];
  for (const [name, svc] of model.services) {
    if (enabled(svc)) services.set(name, svc);
    else leftOut.push({ name, profiles: profilesOf(svc) });
  }
  for (const [name, svc] of services) {
    for (const r of requiredServices(svc)) {
      if (!model.services.has(r.name)) {
        throw new ComposeInputError(`${file}: service ${JSON.stringify(name)} needs ${JSON.stringify(r.name)} (${r.field}), which is not a service of this file: docker compose refuses such a file. Define the service, or remove the reference (a container outside the file is an external_links entry).`);
      }
      const out = leftOut.find((l) => l.name === r.name);
      if (!out) continue;
      throw new ComposeInputError(`${file}: service ${JSON.stringify(name)} needs ${JSON.stringify(r.name)} (${r.field}), which is left out: its profiles (${out.profiles.join(', ')}) are not enabled. Enable one with --profile ${out.profiles[0]}, as with docker compose, or give ${JSON.stringify(name)} the same profile.`);
    }
  }
  return leftOut.length ? { model: { ...model, services }, leftOut } : { model, leftOut };
}
