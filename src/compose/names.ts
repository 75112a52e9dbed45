/**
 * Compose service names → Kubernetes object names, with collisions refused by name: `my_app`,
 * `my-app` and `MY.APP` would all become `my-app`, and silently keeping one would lose the others.
 */

/** Longest workload name: leaves room for derived names (`<name>-backup-<n>`, `data-<name>-0`). */
export const MAX_NAME = 40;

/**
 * A DNS-1035 label (a Service name: lowercase letters, digits and '-', starting with a letter) from
 * a Compose name. Canonical: case-folded and NFKC-normalized first.
 */
export function k8sName(s: string): string {
  let out = '';
  let dash = false;
  for (const ch of s.normalize('NFKC').toLowerCase()) {
    if (/[a-z0-9]/.test(ch)) {
      out += ch;
      dash = false;
    } else if (!dash && out) {
      out += '-';
      dash = true;
    }
  }
  out = out.replace(/-+$/, '');
  if (!out) out = 'app';
  if (!/^[a-z]/.test(out)) out = `s-${out}`;
  if (out === 'default') out = 'default-app';
  return out.slice(0, MAX_NAME).replace(/-+$/, '');
}

/** The Kubernetes name of each Compose service, or the collisions that prevent it. */
export function serviceNames(names: readonly string[]): { names: Map<string, string>; collisions: { name: string; services: string[] }[] } {
  const out = new Map<string, string>();
  const by = new Map<string, string[]>();
  for (const n of names) {
    const k = k8sName(n);
    out.set(n, k);
    by.set(k, [...(by.get(k) ?? []), n]);
  }
  const collisions = [...by].filter(([, list]) => list.length > 1).map(([name, services]) => ({ name, services: [...services].sort() }));
  return { names: out, collisions };
}
