import * as path from 'path';
import { InputError, loadInputs } from './load';
import { toSarif } from './sarif';
import { ruleMetadata } from '../policy/catalogue';
import { evaluateDocker, evaluateKubernetes, failing, summarize } from '../policy/engine';
import { formatFindingsText } from '../policy/report';
import { RulePack, RuleSet } from '../policy/rule-set';
import { Finding, Severity, SEVERITIES } from '../policy/types';

export type AuditFormat = 'text' | 'json' | 'sarif';

export interface AuditOptions {
  readonly format?: AuditFormat;
  readonly failOn?: Severity;
  readonly ruleSet: RuleSet;
  readonly showSuppressed?: boolean;
  readonly version?: string;
}

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  /** Colour and progress only on a terminal. */
  readonly isTTY?: boolean;
}

/** Load a rule pack module: its `pack` or `default` export, or the module itself. */
export function loadPack(spec: string): RulePack {
  const resolved = spec.startsWith('.') || path.isAbsolute(spec) ? path.resolve(spec) : spec;
  let mod: any;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- packs are loaded by name at run time
    mod = require(resolved);
  } catch (e) {
    throw new InputError(`--pack ${spec}: cannot load (${(e as Error).message.split('\n')[0]})`);
  }
  const pack = mod?.pack ?? mod?.default ?? mod;
  if (!pack || typeof pack.name !== 'string') throw new InputError(`--pack ${spec}: the module exports no rule pack (expected \`export const pack: RulePack\`)`);
  return pack as RulePack;
}

/** Run an audit; returns the exit code (0 clean, 1 findings at/above failOn, 2 bad input). */
export function runAudit(paths: readonly string[], opts: AuditOptions, io: Io): number {
  const format = opts.format ?? 'text';
  const failOn = opts.failOn ?? 'error';
  if (!['text', 'json', 'sarif'].includes(format)) {
    io.stderr(`hardened audit: --format must be text, json or sarif (got '${format}')\n`);
    return 2;
  }
  if (!SEVERITIES.includes(failOn)) {
    io.stderr(`hardened audit: --fail-on must be error, warning or info (got '${failOn}')\n`);
    return 2;
  }
  const started = Date.now();
  let progressShown = false;
  const progress = (msg: string) => {
    if (!io.isTTY || Date.now() - started < 500) return;
    progressShown = true;
    io.stderr(`\r\u001b[2K${msg}`);
  };
  let input;
  try {
    input = loadInputs(paths, (done, total) => progress(`hardened audit: reading ${done}/${total} files…`));
  } catch (e) {
    if (progressShown) io.stderr('\r\u001b[2K');
    if (e instanceof InputError) {
      io.stderr(`hardened audit: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  progress(`hardened audit: checking ${input.objects.length + input.containers.length} objects…`);
  const findings: Finding[] = [
    ...evaluateKubernetes(input.objects, opts.ruleSet),
    ...evaluateDocker(input.containers, opts.ruleSet),
  ];
  if (progressShown) io.stderr('\r\u001b[2K');
  const active = findings.filter((f) => !f.suppressed);
  const summary = { ...summarize(findings, input.objects.length + input.containers.length), files: input.files, failOn };
  if (format === 'json') {
    const shape = (f: Finding) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      file: f.file ?? null,
      object: {
        apiVersion: f.object.apiVersion ?? null,
        kind: f.object.kind ?? null,
        namespace: f.object.namespace ?? null,
        name: f.object.name ?? null,
      },
      path: f.path,
      fix: f.fix,
    });
    io.stdout(`${JSON.stringify({
      findings: active.map(shape),
      suppressed: findings.filter((f) => f.suppressed).map((f) => ({ ...shape(f), suppressedBy: f.suppressed!.by, reason: f.suppressed!.reason })),
      summary,
    }, null, 2)}\n`);
  } else if (format === 'sarif') {
    io.stdout(`${JSON.stringify(toSarif(findings, opts.ruleSet, opts.version ?? '0.0.0'), null, 2)}\n`);
  } else {
    const text = formatFindingsText(findings, { colour: io.isTTY, showSuppressed: opts.showSuppressed });
    if (text) io.stdout(`${text}\n\n`);
    io.stdout(`${summary.objects} objects in ${summary.files} files: ${summary.error} errors, ${summary.warning} warnings, ${summary.info} info${summary.suppressed ? `, ${summary.suppressed} suppressed` : ''}\n`);
  }
  return failing(findings, failOn).length ? 1 : 0;
}

/** `hardened rules` output. */
export function listRules(ruleSet: RuleSet, format: 'text' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(ruleSet.rules.map(ruleMetadata), null, 2)}\n`;
  const rows = ruleSet.rules.map((r) => `${r.id.padEnd(32)} ${r.severity.padEnd(8)} ${r.appliesTo.padEnd(11)} ${r.title}`);
  return `${'ID'.padEnd(32)} ${'SEVERITY'.padEnd(8)} ${'APPLIES TO'.padEnd(11)} TITLE\n${rows.join('\n')}\n${ruleSet.rules.length} rules\n`;
}

/** `hardened explain RULE` output. */
export function explainRule(ruleSet: RuleSet, id: string): string | undefined {
  const r = ruleSet.get(id);
  if (!r) return undefined;
  const a = r.anchors;
  const anchors = [
    a.polaris?.length ? `  Polaris:        ${a.polaris.join(', ')}` : '',
    a.kubeScore?.length ? `  kube-score:     ${a.kubeScore.join(', ')}` : '',
    a.kubeLinter?.length ? `  kube-linter:    ${a.kubeLinter.join(', ')}` : '',
    a.podSecurity?.length ? `  Pod Security:   ${a.podSecurity.join(', ')}` : '',
    a.cisDocker?.length ? `  CIS Docker:     ${a.cisDocker.join(', ')}` : '',
  ].filter(Boolean);
  return [
    `${r.id} — ${r.title}`,
    `category: ${r.category}   severity: ${r.severity}   applies to: ${r.appliesTo}`,
    '',
    `Why: ${r.rationale}`,
    '',
    `Fix: ${r.fix}`,
    '',
    anchors.length ? `Same check in:\n${anchors.join('\n')}` : 'Same check in: none of the anchor tools (house rule).',
    '',
    ...(r.references?.length ? ['References:', ...r.references.map((x) => `  ${x.title}\n    ${x.url}`), ''] : []),
    `Suppress on one object: annotation hardened-constructs.io/suppress.${r.id}: "<reason, at least 10 characters>"`,
    '',
  ].join('\n');
}
