import { hasOwn } from './canonical';
import { Refuser } from './errors';
import { checkReason } from './names';
import { quote } from './redact';

/**
 * Typed opt-outs from the hardened defaults. Each takes a reason (at least 10 characters) that is
 * written on the workload as `hardened-constructs.io/suppress.<rule-id>: <reason>` annotations, so
 * nothing is relaxed silently and `hardened audit` honours the same decision.
 */
export interface Relaxations {
  /** Run the main container as root (UID 0). Fails Pod Security "restricted". */
  readonly runAsRoot?: string;
  /** Leave the root filesystem writable (images that write outside declared paths). */
  readonly writableRootFilesystem?: string;
  /** Add Linux capabilities beyond the default `drop: [ALL]`. */
  readonly addCapabilities?: { readonly capabilities: string[]; readonly reason: string };
  /** Bind container ports below 1024 (adds `NET_BIND_SERVICE`). */
  readonly privilegedPorts?: string;
  /** Run without readiness and liveness probes. */
  readonly noProbes?: string;
  /** Run with a readiness probe but no liveness probe (no distinct liveness check exists yet). */
  readonly noLivenessProbe?: string;
  /** Run a single replica (no high availability, no meaningful PDB). */
  readonly singleReplica?: string;
  /** Accept an image tagged `latest` or without a tag (for a migration; pin it soon). */
  readonly unpinnedImage?: string;
}

/** A relaxation after validation: which rules it suppresses and why. */
export interface ResolvedRelaxation {
  /** The relaxation, or `notASecret` for env literals declared not to be secrets. */
  readonly name: keyof Relaxations | 'notASecret';
  readonly ruleIds: readonly string[];
  readonly reason: string;
  /** For `notASecret`: the environment variable it concerns. */
  readonly subject?: string;
  /** For `addCapabilities`: the normalized capability names. */
  readonly capabilities?: readonly string[];
}

/** Which catalogue rules each relaxation switches off for the workload. */
export const RELAXATION_RULES: Record<keyof Relaxations, readonly string[]> = {
  runAsRoot: ['run-as-non-root', 'high-uid-gid'],
  writableRootFilesystem: ['read-only-root-fs'],
  addCapabilities: ['restrict-added-capabilities'],
  privilegedPorts: ['unprivileged-container-ports', 'restrict-added-capabilities'],
  noProbes: ['readiness-probe', 'liveness-probe', 'probes-distinct'],
  noLivenessProbe: ['liveness-probe'],
  singleReplica: ['min-replicas', 'pod-anti-affinity'],
  unpinnedImage: ['image-tag-pinned'],
};

/**
 * Capabilities that can never be added: they hand the container the host (or its network).
 * Everything else must come from the Pod Security "baseline" list.
 */
export const FORBIDDEN_CAPABILITIES = new Set(['ALL', 'SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE', 'SYS_MODULE', 'DAC_READ_SEARCH', 'SYS_RAWIO', 'SYS_BOOT', 'SYS_TIME', 'BPF', 'PERFMON', 'NET_RAW']);
export const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);

/** @internal */
export function resolveRelaxations(r: Relaxations | undefined, refuser: Refuser): ResolvedRelaxation[] {
  if (!r) return [];
  const out: ResolvedRelaxation[] = [];
  for (const key of Object.keys(r) as (keyof Relaxations)[]) {
    const value = r[key];
    if (value === undefined) continue;
    if (!hasOwn(RELAXATION_RULES, key)) {
      refuser.refuse('spec/unknown-relaxation', `relaxations.${String(key)}`, `${quote(String(key))} is not a relaxation this library knows.`, `use one of: ${Object.keys(RELAXATION_RULES).join(', ')}.`);
    }
    if (key === 'addCapabilities') {
      const v = value as Relaxations['addCapabilities'];
      const reason = checkReason(v?.reason, 'relaxations.addCapabilities.reason', refuser);
      const caps = Array.isArray(v?.capabilities) ? v!.capabilities : [];
      if (caps.length === 0) {
        refuser.refuse('restrict-added-capabilities', 'relaxations.addCapabilities.capabilities', 'no capability named.', "list the capabilities to add, e.g. ['CHOWN'].");
      }
      const normalized: string[] = [];
      caps.forEach((c, i) => {
        const cap = typeof c === 'string' ? c.normalize('NFKC').toUpperCase().replace(/^CAP_/, '') : '';
        normalized.push(cap);
        if (FORBIDDEN_CAPABILITIES.has(cap) || !BASELINE_CAPABILITIES.has(cap)) {
          refuser.refuse('restrict-added-capabilities', `relaxations.addCapabilities.capabilities[${i}]`, `${quote(c)} cannot be added: it is outside the Pod Security baseline set and gives the container control over the host or its network.`, 'run such software outside this library (a node agent or operator), or redesign it to need only baseline capabilities such as NET_BIND_SERVICE or CHOWN.');
        }
      });
      out.push({ name: key, ruleIds: RELAXATION_RULES[key], reason, capabilities: normalized });
      continue;
    }
    out.push({ name: key, ruleIds: RELAXATION_RULES[key], reason: checkReason(value, `relaxations.${key}`, refuser) });
  }
  return out;
}
