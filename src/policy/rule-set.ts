import { Rule, Severity, SEVERITIES } from './types';

/**
 * An organisation's changes to the catalogue: extra rules, rules switched off, severities changed.
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
}

/** An immutable set of active rules. */
export class RuleSet {
  private readonly byId: Map<string, Rule>;

  constructor(rules: readonly Rule[]) {
    this.byId = new Map();
    for (const r of rules) {
      if (this.byId.has(r.id)) throw new Error(`duplicate rule id '${r.id}'`);
      this.byId.set(r.id, r);
    }
  }

  public get rules(): readonly Rule[] {
    return [...this.byId.values()];
  }

  public get(id: string): Rule | undefined {
    return this.byId.get(id);
  }

  /** A new set with the pack applied. Unknown ids are errors, so typos do not silently pass. */
  public withPack(pack: RulePack): RuleSet {
    const map = new Map(this.byId);
    for (const r of pack.rules ?? []) {
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(r.id)) throw new Error(`rule pack '${pack.name}': rule id '${r.id}' is not kebab-case`);
      if (map.has(r.id)) throw new Error(`rule pack '${pack.name}': rule '${r.id}' already exists`);
      if (!SEVERITIES.includes(r.severity)) throw new Error(`rule pack '${pack.name}': rule '${r.id}' has no valid severity`);
      map.set(r.id, r);
    }
    for (const id of pack.disable ?? []) {
      if (!map.delete(id)) throw new Error(`rule pack '${pack.name}': cannot disable unknown rule '${id}'`);
    }
    for (const [id, sev] of Object.entries(pack.severity ?? {})) {
      const r = map.get(id);
      if (!r) throw new Error(`rule pack '${pack.name}': cannot change severity of unknown rule '${id}'`);
      if (!SEVERITIES.includes(sev)) throw new Error(`rule pack '${pack.name}': '${sev}' is not a severity`);
      map.set(id, { ...r, severity: sev });
    }
    return new RuleSet([...map.values()]);
  }
}
