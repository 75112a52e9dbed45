import * as path from 'path';
import { InputError, LoadedInput, loadInputs } from './load';
import { writeSarif } from './sarif';
import { ruleMetadata } from '../policy/catalogue';
import { evaluateDocker, evaluateDockerfiles, evaluateKubernetes, failing, summarize } from '../policy/engine';
import { writeFindingsText } from '../policy/report';
import { RulePack, RuleSet } from '../policy/rule-set';
import { Finding, Severity, SEVERITIES } from '../policy/types';
import { escapeControl } from '../spec/redact';

export type AuditFormat = 'text' | 'json' | 'sarif';

/** Exit codes of `hardened audit`: internal failures use EX_SOFTWARE (70), never the findings code. */
export const EXIT = { clean: 0, findings: 1, badInput: 2, internal: 70 } as const;

export interface AuditOptions {
  readonly format?: AuditFormat;
  readonly failOn?: Severity;
  readonly ruleSet: RuleSet;
  readonly showSuppressed?: boolean;
  readonly version?: string;
  /** Largest file read, in bytes (default DEFAULT_MAX_FILE_SIZE, 32 MiB). */
  readonly maxFileSize?: number;
  /** Exit 0 when no object is found instead of 2. */
  readonly allowEmpty?: boolean;
}

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  /** Colour and progress only on a terminal. */
  readonly isTTY?: boolean;
  /** stdin is a terminal: `hardened audit` without paths prints usage instead of waiting. */
  readonly stdinIsTTY?: boolean;
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

export const AUDIT_USAGE = 'usage: hardened audit [options] <paths...>   (files, folders, or - for stdin; hardened audit --help for more)';

function countBy<T>(xs: readonly T[], key: (x: T) => string): string {
  const m = new Map<string, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return [...m].map(([k, n]) => `${n} ${k}`).join(', ');
}

/**
 * Run an audit; returns the exit code (0 clean, 1 findings at/above failOn, 2 bad input, 70
 * internal failure). Reports are written piece by piece, never built as one string.
 */
export function runAudit(paths: readonly string[], opts: AuditOptions, io: Io): number {
  try {
    return audit(paths, opts, io);
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr(`hardened audit: ${escapeControl(e.message)}\n`);
      return EXIT.badInput;
    }
    io.stderr(`hardened audit: internal error (please report it): ${escapeControl(String((e as Error)?.stack ?? e).split('\n').slice(0, 2).join(' '))}\n`);
    return EXIT.internal;
  }
}

function audit(paths: readonly string[], opts: AuditOptions, io: Io): number {
  const format = opts.format ?? 'text';
  const failOn = opts.failOn ?? 'error';
  if (!['text', 'json', 'sarif'].includes(format)) {
    io.stderr(`hardened audit: --format must be text, json or sarif (got '${escapeControl(String(format))}')\n`);
    return EXIT.badInput;
  }
  if (!SEVERITIES.includes(failOn)) {
    io.stderr(`hardened audit: --fail-on must be error, warning or info (got '${escapeControl(String(failOn))}')\n`);
    return EXIT.badInput;
  }
  if (!paths.length && io.stdinIsTTY) {
    io.stderr(`hardened audit: no input (stdin is a terminal). ${AUDIT_USAGE}\n`);
    return EXIT.badInput;
  }
  const started = Date.now();
  let progressShown = false;
  const progress = (msg: string) => {
    if (!io.isTTY || Date.now() - started < 500) return;
    progressShown = true;
    io.stderr(`\r\u001b[2K${msg}`);
  };
  let input: LoadedInput;
  try {
    input = loadInputs(paths, { maxFileSize: opts.maxFileSize, onProgress: (done, total) => progress(`hardened audit: reading ${done}/${total} files…`) });
  } finally {
    if (progressShown) io.stderr('\r\u001b[2K');
  }
  const objectCount = input.objects.length + input.containers.length + input.dockerfiles.length;
  if (!objectCount && !opts.allowEmpty) {
    const skipped = input.skipped.length ? ` (skipped ${input.skipped.length}: ${countBy(input.skipped, (s) => s.kind)}; first: ${input.skipped[0].file}: ${input.skipped[0].reason})` : '';
    throw new InputError(`no Kubernetes objects, Compose services or Dockerfiles found in ${paths.length ? paths.join(', ') : '<stdin>'}${skipped}; pass --allow-empty to accept an empty input`);
  }
  progress(`hardened audit: checking ${objectCount} objects…`);
  const findings: Finding[] = [
    ...evaluateKubernetes(input.objects, opts.ruleSet),
    ...evaluateDocker(input.containers, opts.ruleSet),
    ...evaluateDockerfiles(input.dockerfiles, opts.ruleSet),
  ];
  if (progressShown) io.stderr('\r\u001b[2K');
  const summary = {
    ...summarize(findings, objectCount),
    files: input.files,
    failOn,
    skipped: input.skipped.map((s) => ({ file: s.file, kind: s.kind, reason: s.reason })),
  };
  if (format === 'json') {writeJson(findings, summary, io.stdout);} else if (format === 'sarif') {writeSarif(findings, opts.ruleSet, opts.version ?? '0.0.0', io.stdout, { skipped: input.skipped });} else {
    const groups = writeFindingsText(findings, io.stdout, { colour: io.isTTY, showSuppressed: opts.showSuppressed });
    if (groups) io.stdout('\n\n');
    if (input.skipped.length) {
      io.stdout(`Skipped ${input.skipped.length} (not Kubernetes objects or Compose files, or not rendered yet):\n`);
      for (const s of input.skipped) io.stdout(`  ${escapeControl(s.file)}: ${escapeControl(s.reason)}\n`);
      io.stdout('\n');
    }
    const skippedNote = input.skipped.length ? `; skipped ${countBy(input.skipped, (s) => s.kind)}` : '';
    io.stdout(`${summary.objects} objects in ${summary.files} files: ${summary.error} errors, ${summary.warning} warnings, ${summary.info} info${summary.suppressed ? `, ${summary.suppressed} suppressed` : ''}${skippedNote}\n`);
  }
  return failing(findings, failOn).length ? EXIT.findings : EXIT.clean;
}

function shape(f: Finding) {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    file: f.file ?? null,
    line: f.location?.line ?? null,
    column: f.location?.column ?? null,
    object: {
      apiVersion: f.object.apiVersion ?? null,
      kind: f.object.kind ?? null,
      namespace: f.object.namespace ?? null,
      name: f.object.name ?? null,
      line: f.objectLocation?.line ?? null,
      column: f.objectLocation?.column ?? null,
    },
    path: f.path,
    fix: f.fix,
  };
}

/** The JSON report, written finding by finding. */
function writeJson(findings: readonly Finding[], summary: object, write: (s: string) => void): void {
  const list = (xs: readonly object[]) => {
    write('[');
    xs.forEach((x, i) => write(`${i ? ',' : ''}\n    ${JSON.stringify(x)}`));
    write(xs.length ? '\n  ]' : ']');
  };
  write('{\n  "findings": ');
  list(findings.filter((f) => !f.suppressed).map(shape));
  write(',\n  "suppressed": ');
  list(findings.filter((f) => f.suppressed).map((f) => ({ ...shape(f), suppressedBy: f.suppressed!.by, reason: f.suppressed!.reason })));
  write(`,\n  "summary": ${JSON.stringify(summary)}\n}\n`);
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
