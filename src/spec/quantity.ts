import { Refuser } from './errors';
import { quote } from './redact';

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { 'n': 1e-9, 'u': 1e-6, 'm': 1e-3, '': 1, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18 };
const QUANTITY = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;

/** Quantities already parsed (bounded). */
const parsed = new Map<string, number | undefined>();

/**
 * Parse a Kubernetes resource quantity ("500m", "1.5", "256Mi", "1G", "12e6") into a number
 * (cores for CPU, bytes for memory). Returns undefined when the string is not a quantity.
 */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string' || q.length > 64) return undefined;
  // The same few quantities ('500m', '256Mi') repeat on every container: remembered (bounded).
  if (parsed.has(q)) return parsed.get(q);
  const n = parse(q);
  if (parsed.size >= 4096) parsed.clear();
  parsed.set(q, n);
  return n;
}

function parse(q: string): number | undefined {
  const m = QUANTITY.exec(q.trim());
  if (!m) return undefined;
  const [, sign, digits, suffix = ''] = m;
  let factor: number;
  if (Object.prototype.hasOwnProperty.call(BINARY, suffix)) factor = BINARY[suffix];
  else if (Object.prototype.hasOwnProperty.call(DECIMAL, suffix)) factor = DECIMAL[suffix];
  else factor = 10 ** Number(suffix.slice(1));
  const n = Number(digits) * factor;
  return sign === '-' ? -n : n;
}

/** The kinds of quantity a container resource takes. */
export type QuantityKind = 'cpu' | 'memory' | 'ephemeral-storage';

/**
 * Validate one quantity: it parses and is positive. CPU below 1m cannot be scheduled.
 * @internal
 */
export function checkQuantity(value: unknown, kind: QuantityKind, field: string, refuser: Refuser): number {
  const ruleId = kind === 'cpu' ? 'cpu-limits' : kind === 'memory' ? 'memory-limits' : 'ephemeral-storage-limits';
  const example = kind === 'cpu' ? "'250m' or '1'" : "'256Mi' or '1Gi'";
  const n = parseQuantity(value);
  if (n === undefined) {
    refuser.refuse(ruleId, field, `${quote(value)} is not a Kubernetes quantity.`, `write a quantity such as ${example}.`);
  }
  if (!(n > 0)) {
    refuser.refuse(ruleId, field, `${quote(value)} is not positive: a zero or negative ${kind} amount cannot be scheduled or enforced.`, `give a positive quantity such as ${example}.`);
  }
  if (kind === 'cpu' && n < 0.001) {
    refuser.refuse(ruleId, field, `${quote(value)} is below 1m, the smallest CPU amount Kubernetes accepts.`, "use at least '1m' (typically '50m' or more).");
  }
  if (kind !== 'cpu' && n < 1) {
    refuser.refuse(ruleId, field, `${quote(value)} is less than one byte.`, `use a quantity such as ${example}.`);
  }
  return n;
}
