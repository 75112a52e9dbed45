/**
 * Canonical forms, computed before any check compares input against a rule: paths, CIDRs, names,
 * visible text. A guard that compares raw strings can be spelled around (`/srv/..`,
 * `0.0.0.0/1` + `128.0.0.0/1`, a reason of zero-width spaces); one that compares canonical forms
 * cannot.
 */
import * as path from 'path';
import * as ipaddr from 'ipaddr.js';

/** A host address on the loopback interface (`127.0.0.0/8`, `::1`, `localhost`, `[::1]`). @internal */
export function isLoopbackAddress(host: unknown): boolean {
  if (typeof host !== 'string') return false;
  const h = host.trim().replace(/^\[(.*)\]$/, '$1');
  if (h.toLowerCase() === 'localhost') return true;
  return ipaddr.isValid(h) && ipaddr.process(h).range() === 'loopback';
}

/**
 * The text of a value read from a file (YAML, JSON, Compose): strings as they are, numbers and
 * booleans as written, null/undefined as ''. Objects and lists become JSON: `String()` would call
 * whatever `toString`/`valueOf` keys the input defines (`toString: false` throws), so parsed input
 * is never coerced with `String()` or a template. Never throws.
 */
export function scalarText(x: unknown): string {
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return String(x);
  if (x === null || x === undefined) return '';
  try {
    return JSON.stringify(x) ?? '';
  } catch {
    return Array.isArray(x) ? '[…]' : '{…}';
  }
}

/** `Object.hasOwn` for tables indexed by user strings (`'toString'`, `'__proto__'` are not keys). */
export function hasOwn(table: object, key: unknown): key is string {
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(table, key);
}

/** The entry of `table` under `key`, own properties only. */
export function ownValue<T>(table: Readonly<Record<string, T>>, key: unknown): T | undefined {
  return hasOwn(table, key) ? table[key] : undefined;
}

/**
 * The canonical absolute POSIX path: `.` and `..` resolved, duplicate and trailing slashes
 * removed. Undefined when the input is not an absolute path, contains NUL, or climbs above `/`
 * (`/..`, `/srv/../..`): such a path names something other than what it spells.
 */
export function canonicalPath(p: unknown): string | undefined {
  if (typeof p !== 'string' || !p.startsWith('/') || p.includes('\0') || p.length > 4096) return undefined;
  let depth = 0;
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (--depth < 0) return undefined;
    } else {
      depth++;
    }
  }
  const n = path.posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** Is `child` equal to or below `parent` (both canonical)? */
export function isPathWithin(child: string, parent: string): boolean {
  return child === parent || parent === '/' || child.startsWith(`${parent}/`);
}

/** A relative path inside a directory (a file key, a subPath): no `..`, not absolute, not empty. */
export function isContainedRelativePath(p: unknown): p is string {
  if (typeof p !== 'string' || p === '' || p.startsWith('/') || p.includes('\0') || p.length > 253) return false;
  return !p.split('/').some((s) => s === '..' || s === '');
}

/** Unicode compatibility normalization (NFKC): fullwidth, ligatures and the like become plain. */
export function canonicalName(s: string): string {
  return s.normalize('NFKC');
}

/** Characters that show nothing: controls (Cc), format characters (Cf) and separators (Z*). */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}]/gu;

/** Number of visible characters (code points) once invisible ones are removed. */
export function visibleLength(s: string): number {
  return [...s.normalize('NFKC').replace(INVISIBLE, '')].length;
}

/** A parsed CIDR: family, first and last address as integers. */
export interface ParsedCidr {
  readonly family: 'ipv4' | 'ipv6';
  readonly first: bigint;
  readonly last: bigint;
  /** Canonical text: network address / prefix length. */
  readonly canonical: string;
}

function toBigInt(bytes: number[]): bigint {
  return bytes.reduce((a, b) => a * 256n + BigInt(b), 0n);
}

/**
 * Parse a CIDR with ipaddr.js. IPv4 must be four decimal parts without leading zeros (as the
 * Kubernetes API server requires); IPv4-mapped IPv6 ranges count as the IPv4 range they map.
 * Undefined when it is not a CIDR.
 */
export function parseCidr(text: unknown): ParsedCidr | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined;
  const slash = text.indexOf('/');
  if (slash < 0 || !/^[0-9]{1,3}$/.test(text.slice(slash + 1))) return undefined;
  const addr = text.slice(0, slash);
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    if (ipaddr.IPv4.isValidFourPartDecimal(addr)) parsed = ipaddr.IPv4.parseCIDR(text);
    else if (ipaddr.IPv6.isValid(addr) && addr.includes(':')) parsed = ipaddr.IPv6.parseCIDR(text);
    else return undefined;
  } catch {
    return undefined;
  }
  let [ip, len] = parsed;
  if (ip.kind() === 'ipv4' && /(^|\.)0[0-9]/.test(addr)) return undefined;
  if (ip instanceof ipaddr.IPv6 && ip.isIPv4MappedAddress() && len >= 96) {
    ip = ip.toIPv4Address();
    len -= 96;
  }
  const bits = ip.kind() === 'ipv4' ? 32 : 128;
  const value = toBigInt(ip.toByteArray());
  const size = 2n ** BigInt(bits - len);
  const first = value - (value % size);
  const last = first + size - 1n;
  const bytes: number[] = [];
  for (let i = bits / 8 - 1; i >= 0; i--) bytes.push(Number((first / 256n ** BigInt(i)) % 256n));
  const network = ipaddr.fromByteArray(bytes);
  return { family: ip.kind() as 'ipv4' | 'ipv6', first, last, canonical: `${network.toString()}/${len}` };
}

/**
 * Do these CIDRs together cover the whole IPv4 or IPv6 address space (the whole internet)?
 * `0.0.0.0/1` + `128.0.0.0/1` does; so does `0::0/0`.
 */
const LAST_ADDRESS = { ipv4: 2n ** 32n - 1n, ipv6: 2n ** 128n - 1n } as const;

export function coversWholeInternet(cidrs: readonly ParsedCidr[]): 'ipv4' | 'ipv6' | undefined {
  if (!cidrs.length) return undefined;
  for (const family of ['ipv4', 'ipv6'] as const) {
    const max = LAST_ADDRESS[family];
    const ranges = cidrs.filter((c) => c.family === family).sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    let next = 0n;
    for (const r of ranges) {
      if (r.first > next) break;
      if (r.last + 1n > next) next = r.last + 1n;
    }
    if (next > max) return family;
  }
  return undefined;
}
