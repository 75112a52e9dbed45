/**
 * The one error type for refused input: it names the rule, the construct, the field, why the input
 * is refused and how to fix it. It is thrown by the resolve step, before anything is synthesized.
 */
import { escapeControl, redact } from './redact';

export interface HardeningErrorDetails {
  /** Catalogue rule id (see `hardened rules`) or a `spec/…` input-validation id. */
  readonly ruleId: string;
  /** Construct path of the construct whose props were refused (e.g. `shop/api`). */
  readonly constructPath: string;
  /** Dotted path of the offending prop (e.g. `containers[0].image`). */
  readonly fieldPath: string;
  /** What is wrong and why it matters in production. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

export class HardeningError extends Error implements HardeningErrorDetails {
  public readonly ruleId: string;
  public readonly constructPath: string;
  public readonly fieldPath: string;
  public readonly fix: string;
  /** The message without the rule/field/fix decoration. */
  public readonly reason: string;

  /**
   * Every part is redacted (credentials in URLs, `--password=…`, known token formats…) and its
   * control characters escaped before it becomes part of the message: an error never prints a
   * secret or drives the terminal, whatever the input quoted in it.
   */
  constructor(details: HardeningErrorDetails) {
    const safe = (s: unknown) => escapeControl(redact(String(s ?? '')));
    const d = {
      ruleId: safe(details.ruleId),
      constructPath: safe(details.constructPath),
      fieldPath: safe(details.fieldPath),
      message: safe(details.message),
      fix: safe(details.fix),
    };
    // Parts that quote input (paths built from user keys) are cut: a megabyte key is not a message.
    const cut = (x: string) => (x.length > 200 ? `${x.slice(0, 200)}… (${x.length} characters)` : x);
    super(`[${d.ruleId}] ${cut(d.constructPath) || '<root>'}: ${cut(d.fieldPath)}: ${d.message}\n  fix: ${d.fix}`);
    this.name = 'HardeningError';
    this.ruleId = d.ruleId;
    this.constructPath = d.constructPath;
    this.fieldPath = d.fieldPath;
    this.reason = d.message;
    this.fix = d.fix;
  }
}

/**
 * Collects the construct path once so validation helpers only name the field.
 * @internal
 */
export class Refuser {
  constructor(public readonly constructPath: string) {}

  public refuse(ruleId: string, fieldPath: string, message: string, fix: string): never {
    throw new HardeningError({ ruleId, constructPath: this.constructPath, fieldPath, message, fix });
  }
}
