import { referencesOf } from './references';
import { ContainerView, PodView, Rule, Violation } from '../types';

/** Declare a built-in rule: keeps the literal types checked and attaches its public references. */
export function rule(r: Rule): Rule {
  return { ...r, references: referencesOf(r) };
}

export function sc(c: ContainerView): Record<string, any> {
  const s = c.container.securityContext;
  return s && typeof s === 'object' ? s : {};
}

export function podSc(pod: PodView): Record<string, any> {
  const s = pod.spec.securityContext;
  return s && typeof s === 'object' ? s : {};
}

/** Container value, else pod value (the Kubernetes inheritance rule). */
export function effective(c: ContainerView, pod: PodView, field: string): any {
  const own = sc(c)[field];
  return own !== undefined ? own : podSc(pod)[field];
}

export function isWindows(pod: PodView): boolean {
  return pod.spec.os?.name === 'windows';
}

/** Long-running containers: regular containers and native sidecars, not init or ephemeral ones. */
export function longRunning(c: ContainerView, pod: PodView): boolean {
  return !pod.runsToCompletion && (c.kind === 'container' || c.sidecar);
}

export function v(path: string, message: string): Violation {
  return { path, message };
}

export function arr(x: unknown): any[] {
  return Array.isArray(x) ? x : [];
}

export function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

export function replicasOf(obj: any): number {
  const r = obj?.spec?.replicas;
  return typeof r === 'number' ? r : 1;
}

/** Parse a Docker `user` string: `uid[:gid]` or a name. */
export function dockerUser(user: string | undefined): { uid?: number; gid?: number; name?: string } {
  if (!user) return {};
  const [u, g] = user.split(':');
  const uid = /^[0-9]+$/.test(u) ? Number(u) : undefined;
  const gid = g !== undefined && /^[0-9]+$/.test(g) ? Number(g) : undefined;
  return { uid, gid, name: uid === undefined ? u : undefined };
}

/** Does a Docker security option list contain `key=value` or `key:value`? */
export function hasSecurityOpt(opts: readonly string[] | undefined, key: string, value?: string): boolean {
  return (opts ?? []).some((o) => {
    const m = /^([^=:]+)[=:]?(.*)$/.exec(o.trim());
    if (!m || m[1].toLowerCase() !== key) return false;
    return value === undefined ? true : (m[2] || 'true').toLowerCase() === value;
  });
}
