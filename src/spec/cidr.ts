import { coversWholeInternet, parseCidr } from './canonical';

/**
 * CIDR helpers for network peers and LoadBalancer source ranges, on the one parser of
 * `canonical.ts` (ipaddr.js): every check runs on the parsed, canonical form, so `::/0`,
 * `::ffff:0.0.0.0/96` or two halves `0.0.0.0/1` + `128.0.0.0/1` cannot spell their way around a
 * guard.
 */

/** A parsed CIDR in canonical text (network address / prefix), IPv4-mapped IPv6 folded to IPv4. */
export interface CanonicalCidr {
  readonly cidr: string;
  readonly family: 'ipv4' | 'ipv6';
  /** First and last address as integers. */
  readonly first: bigint;
  readonly last: bigint;
}

/** Parse and canonicalize; undefined when the text is not a CIDR. */
export function canonicalCidr(text: unknown): CanonicalCidr | undefined {
  const p = parseCidr(text);
  return p && { cidr: p.canonical, family: p.family, first: p.first, last: p.last };
}

/** Does a set of CIDRs cover every IPv4 or every IPv6 address, however it is split? */
export function coversEverything(cidrs: readonly CanonicalCidr[]): boolean {
  return coversWholeInternet(cidrs.map((c) => ({ family: c.family, first: c.first, last: c.last, canonical: c.cidr }))) !== undefined;
}
