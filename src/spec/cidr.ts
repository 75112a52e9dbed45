/* eslint-disable no-bitwise */ // address arithmetic on BigInts
import * as ipaddr from 'ipaddr.js';

/**
 * CIDR handling for network peers and LoadBalancer source ranges. Every check runs on the parsed,
 * canonical form (ipaddr.js), so `0.000.0.0/0`, `0.0.0.0/00`, `::/0`, `::ffff:0.0.0.0/96` or two
 * halves `0.0.0.0/1` + `128.0.0.0/1` cannot spell their way around a guard.
 */

/** A parsed CIDR in canonical text (network address / prefix), IPv4-mapped IPv6 folded to IPv4. */
export interface CanonicalCidr {
  readonly cidr: string;
  readonly family: 'ipv4' | 'ipv6';
  /** First and last address as integers. */
  readonly first: bigint;
  readonly last: bigint;
}

function toBigInt(bytes: number[]): bigint {
  return bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

/** Parse and canonicalize; undefined when the text is not a CIDR. */
export function canonicalCidr(text: unknown): CanonicalCidr | undefined {
  if (typeof text !== 'string' || text.length > 64 || !/^[0-9a-fA-F:.]+\/[0-9]{1,3}$/.test(text)) return undefined;
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text);
  } catch {
    return undefined;
  }
  let [addr, prefix] = parsed;
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && prefix >= 96) {
    addr = (addr as ipaddr.IPv6).toIPv4Address();
    prefix -= 96;
  }
  const bits = addr.kind() === 'ipv4' ? 32 : 128;
  const value = toBigInt(addr.toByteArray());
  const hostBits = BigInt(bits - prefix);
  const first = (value >> hostBits) << hostBits;
  const last = first + (1n << hostBits) - 1n;
  const bytes: number[] = [];
  for (let i = bits / 8 - 1; i >= 0; i--) bytes.push(Number((first >> BigInt(i * 8)) & 0xffn));
  const network = ipaddr.fromByteArray(bytes);
  return { cidr: `${network.toString()}/${prefix}`, family: addr.kind() as 'ipv4' | 'ipv6', first, last };
}

/**
 * Does a set of CIDRs cover every IPv4 address or every IPv6 address (the whole internet for that
 * family), whatever way it is split?
 */
export function coversEverything(cidrs: readonly CanonicalCidr[]): boolean {
  for (const [family, bits] of [['ipv4', 32n], ['ipv6', 128n]] as const) {
    const ranges = cidrs.filter((c) => c.family === family).map((c) => [c.first, c.last] as const);
    ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let next = 0n;
    for (const [first, last] of ranges) {
      if (first > next) break;
      if (last + 1n > next) next = last + 1n;
    }
    if (next === 1n << bits) return true;
  }
  return false;
}
