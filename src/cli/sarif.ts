import { createHash } from 'crypto';
import * as path from 'path';
import { ruleMetadata } from '../policy/catalogue';
import { RuleSet } from '../policy/rule-set';
import { Finding, RuleMetadata } from '../policy/types';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/** The file URI of stdin: SARIF needs a valid URI, and stdin has no path. */
export const STDIN_URI = 'file:///dev/stdin';

export interface SarifOptions {
  /** The folder relative URIs are based on (`%SRCROOT%`); default: the working directory. */
  readonly srcRoot?: string;
  /** Files the audit skipped, reported as notifications. */
  readonly skipped?: readonly { readonly file: string; readonly reason: string }[];
}

function fileUri(abs: string): string {
  const p = abs.replace(/\\/g, '/');
  return `file://${p.startsWith('/') ? '' : '/'}${p.split('/').map(encodeURIComponent).join('/').replace(/^\/([A-Za-z])%3A/, '/$1:')}`;
}

/** An artifact location: relative to %SRCROOT% when the file is under it, else an absolute file URI. */
export function artifactLocation(file: string | undefined, srcRoot: string): { uri: string; uriBaseId?: string } {
  if (!file || file === '<stdin>' || file === '-') return { uri: STDIN_URI };
  const abs = path.resolve(file);
  const rel = path.relative(srcRoot, abs);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) {
    return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
  }
  return { uri: fileUri(abs) };
}

function helpUri(r: RuleMetadata): string | undefined {
  const refs = (r as { references?: readonly (string | { url?: string })[] }).references;
  const first = refs?.map((x) => (typeof x === 'string' ? x : x?.url)).find((u) => typeof u === 'string' && /^https:\/\//.test(u));
  return (r as { helpUri?: string }).helpUri ?? first;
}

function objectName(f: Finding): string {
  return `${f.object.kind ?? '?'}/${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name ?? '?'}`;
}

/**
 * Fingerprint of a result that survives edits elsewhere in the file: rule id, file, object
 * identity and field path (never the line), plus the occurrence number among equal keys.
 */
function fingerprint(f: Finding, uri: string, seen: Map<string, number>): string {
  const key = [f.ruleId, uri, f.object.kind ?? '', f.object.namespace ?? '', f.object.name ?? '', f.path].join('\u0000');
  const n = seen.get(key) ?? 0;
  seen.set(key, n + 1);
  return createHash('sha256').update(`${key}\u0000${n}`).digest('hex');
}

function result(f: Finding, index: Map<string, number>, srcRoot: string, seen: Map<string, number>): object {
  const name = objectName(f);
  const artifact = artifactLocation(f.file, srcRoot);
  const l = f.location ?? f.objectLocation ?? { line: 1, column: 1 };
  return {
    ruleId: f.ruleId,
    ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
    level: LEVEL[f.severity],
    message: { text: `${name}: ${f.message}${f.path ? ` (at ${f.path})` : ''}. Fix: ${f.fix}` },
    locations: [{
      physicalLocation: {
        artifactLocation: artifact,
        region: { startLine: l.line, startColumn: l.column, endLine: l.endLine ?? l.line, ...(l.endColumn ? { endColumn: l.endColumn } : {}) },
      },
      logicalLocations: [{ name, fullyQualifiedName: f.path ? `${name}#${f.path}` : name, kind: 'object' }],
    }],
    partialFingerprints: { 'hardenedFinding/v1': fingerprint(f, artifact.uri, seen) },
    ...(f.suppressed ? { suppressions: [{ kind: 'inSource', justification: `${f.suppressed.by}: ${f.suppressed.reason}` }] } : {}),
  };
}

const RESULTS_MARK = '"__hardened_results__"';

interface Envelope { log: any; index: Map<string, number>; srcRoot: string }

function envelope(ruleSet: RuleSet, version: string, opts: SarifOptions, results: unknown): Envelope {
  const srcRoot = path.resolve(opts.srcRoot ?? process.cwd());
  const rules = ruleSet.rules.map(ruleMetadata);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const notes = (opts.skipped ?? []).map((s) => ({
    level: 'note',
    message: { text: `skipped: ${s.reason}` },
    locations: [{ physicalLocation: { artifactLocation: artifactLocation(s.file, srcRoot) } }],
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'hardened-constructs',
          informationUri: 'https://www.npmjs.com/package/hardened-constructs',
          version,
          rules: rules.map((r) => {
            const uri = helpUri(r);
            return {
              id: r.id,
              name: r.id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.rationale },
              help: { text: `Fix: ${r.fix}` },
              ...(uri ? { helpUri: uri } : {}),
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: { category: r.category, appliesTo: r.appliesTo, anchors: r.anchors, references: r.references ?? [], tags: [r.category] },
            };
          }),
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { uri: `${fileUri(srcRoot)}/` } },
      invocations: [{ executionSuccessful: true, ...(notes.length ? { toolExecutionNotifications: notes } : {}) }],
      results,
    }],
  };
  return { log, index, srcRoot };
}

/** SARIF 2.1.0 log for code-scanning tools, with full rule metadata and a region per result. */
export function toSarif(findings: readonly Finding[], ruleSet: RuleSet, version: string, opts: SarifOptions = {}): any {
  const { log, index, srcRoot } = envelope(ruleSet, version, opts, []);
  const seen = new Map<string, number>();
  log.runs[0].results = findings.map((f) => result(f, index, srcRoot, seen));
  return log;
}

/** The same log, written result by result (a large audit never becomes one string). */
export function writeSarif(
  findings: readonly Finding[], ruleSet: RuleSet, version: string, write: (s: string) => void, opts: SarifOptions = {},
): void {
  const { log, index, srcRoot } = envelope(ruleSet, version, opts, '__hardened_results__');
  const text = JSON.stringify(log, null, 2);
  const at = text.indexOf(RESULTS_MARK);
  write(`${text.slice(0, at)}[`);
  const seen = new Map<string, number>();
  findings.forEach((f, i) => write(`${i ? ',' : ''}\n${JSON.stringify(result(f, index, srcRoot, seen))}`));
  write(`${findings.length ? '\n' : ''}]${text.slice(at + RESULTS_MARK.length)}\n`);
}
