import { SuppressionControl } from './suppressions';
import { Rule, Severity, SEVERITIES } from './types';

/**
 * An organisation's changes to the catalogue: extra rules, rules switched off, severities changed,
 * rules locked, and a ticket reference required in every suppression reason.
 * Publish one as a package (`export const pack: RulePack = …`) and apply it with one call:
 * `Policy.enforce(app, { packs: [pack] })` or `hardened audit --pack <module>`.
 */
export interface RulePack {
  readonly name: string;
  /** Rules to add (ids must not clash with existing ones). */
  readonly rules?: readonly Rule[];
  /** Rule ids to switch off. */
  readonly disable?: readonly string[];
  /** Rule id → new severity. */
  readonly severity?: Readonly<Record<string, Severity>>;
  /**
   * Rule ids nobody may switch off below this pack: no suppression (`Suppressions.add` or the
   * `hardened-constructs.io/suppress.<id>` annotation), no relaxation and no linter exemption
   * annotation (Polaris, kube-score, kube-linter) is accepted for them, and later packs may not
   * disable them or change their severity.
   */
  readonly lock?: readonly string[];
  /**
   * Every suppression reason must match this pattern (e.g. `/^[A-Z]+-\d+/`: starts with a ticket
   * id). The pattern is applied to at most the first {@link TICKET_SCAN_LIMIT} characters of a reason.
   */
  readonly requireTicket?: RegExp | string;
}

/** How much of a suppression reason a `requireTicket` pattern sees (bounded input for any pattern). */
export const TICKET_SCAN_LIMIT = 256;

interface TicketRule {
  readonly pattern: RegExp;
  readonly pack: string;
}

function ticketPattern(pack: RulePack): RegExp | undefined {
  const p = pack.requireTicket;
  if (p === undefined) return undefined;
  const isRegExp = Object.prototype.toString.call(p) === '[object RegExp]';
  if (!isRegExp && typeof p !== 'string') throw new Error(`rule pack '${pack.name}': requireTicket must be a RegExp or a string`);
  try {
    const re = isRegExp ? (p as RegExp) : new RegExp(p as string);
    // A private copy without g/y: test() must not carry state from one reason to the next.
    return new RegExp(re.source, re.flags.replace(/[gy]/g, ''));
  } catch (e) {
    throw new Error(`rule pack '${pack.name}': requireTicket is not a valid pattern (${(e as Error).message})`);
  }
}

/** An immutable set of active rules, with the locks and ticket requirements of its packs. */
export class RuleSet implements SuppressionControl {
  private readonly byId: Map<string, Rule>;
  private readonly locks: ReadonlyMap<string, string>;
  private readonly tickets: readonly TicketRule[];

  constructor(rules: readonly Rule[], control: { locks?: ReadonlyMap<string, string>; tickets?: readonly TicketRule[] } = {}) {
    this.byId = new Map();
    for (const r of rules) {
      if (this.byId.has(r.id)) throw new Error(`duplicate rule id '${r.id}'`);
      this.byId.set(r.id, r);
    }
    this.locks = control.locks ?? new Map();
    this.tickets = control.tickets ?? [];
  }

  public get rules(): readonly Rule[] {
    return [...this.byId.values()];
  }

  public get(id: string): Rule | undefined {
    return this.byId.get(id);
  }

  /** True when a pack locks rules or requires tickets (suppressions need checking). */
  public get controlsSuppressions(): boolean {
    return this.locks.size > 0 || this.tickets.length > 0;
  }

  /** The name of the pack that locks `ruleId`, if one does. */
  public lockedBy(ruleId: string): string | undefined {
    return this.locks.get(ruleId);
  }

  /**
   * Why a suppression reason is not accepted (a required ticket is missing), or undefined. The
   * reasons of several relaxations written into one annotation (`noProbes: OPS-1 …; other: OPS-2
   * …`) are checked one by one, each without its relaxation name.
   */
  public reasonRefusal(reason: string): string | undefined {
    if (!this.tickets.length) return undefined;
    const whole = reason.slice(0, TICKET_SCAN_LIMIT);
    const parts = reason.split('; ').map((p) => p.replace(/^[A-Za-z][A-Za-z0-9]*: /, '').slice(0, TICKET_SCAN_LIMIT));
    for (const t of this.tickets) {
      if (!t.pattern.test(whole) && !parts.every((p) => t.pattern.test(p))) return `the reason does not carry a ticket matching ${t.pattern} (required by rule pack '${t.pack}')`;
    }
    return undefined;
  }

  /** A new set with the pack applied. Unknown ids are errors, so typos do not silently pass. */
  public withPack(pack: RulePack): RuleSet {
    const map = new Map(this.byId);
    const locks = new Map(this.locks);
    const locked = (id: string, what: string) => {
      const by = locks.get(id);
      if (by) throw new Error(`rule pack '${pack.name}': cannot ${what} rule '${id}': it is locked by rule pack '${by}'`);
    };
    for (const r of pack.rules ?? []) {
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(r.id)) throw new Error(`rule pack '${pack.name}': rule id '${r.id}' is not kebab-case`);
      if (map.has(r.id)) throw new Error(`rule pack '${pack.name}': rule '${r.id}' already exists`);
      if (!SEVERITIES.includes(r.severity)) throw new Error(`rule pack '${pack.name}': rule '${r.id}' has no valid severity`);
      map.set(r.id, r);
    }
    for (const id of pack.disable ?? []) {
      locked(id, 'disable');
      if (!map.delete(id)) throw new Error(`rule pack '${pack.name}': cannot disable unknown rule '${id}'`);
    }
    for (const [id, sev] of Object.entries(pack.severity ?? {})) {
      locked(id, 'change the severity of');
      const r = map.get(id);
      if (!r) throw new Error(`rule pack '${pack.name}': cannot change severity of unknown rule '${id}'`);
      if (!SEVERITIES.includes(sev)) throw new Error(`rule pack '${pack.name}': '${sev}' is not a severity`);
      map.set(id, { ...r, severity: sev });
    }
    for (const id of pack.lock ?? []) {
      if (!map.has(id)) throw new Error(`rule pack '${pack.name}': cannot lock unknown rule '${id}'`);
      if (!locks.has(id)) locks.set(id, pack.name);
    }
    const pattern = ticketPattern(pack);
    const tickets = pattern ? [...this.tickets, { pattern, pack: pack.name }] : this.tickets;
    return new RuleSet([...map.values()], { locks, tickets });
  }
}
