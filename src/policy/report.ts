import { Finding, SourceLocation } from './types';
import { escapeControl } from '../spec/redact';


function objectLabel(f: Finding): string {
  const o = f.object;
  const ns = o.namespace ? `${o.namespace}/` : '';
  return escapeControl(`${o.kind ?? '?'} ${ns}${o.name ?? '?'}`);
}

function at(file: string | undefined, l: SourceLocation | undefined): string {
  if (!file) return '';
  return escapeControl(l ? `${file}:${l.line}:${l.column}` : file);
}

/**
 * Findings grouped by object, as plain text, written one group at a time (no report is ever
 * built as one string). The CLI adds colour on a TTY; every input-derived piece is escaped.
 */
export function writeFindingsText(
  findings: readonly Finding[], write: (s: string) => void, opts: { colour?: boolean; showSuppressed?: boolean } = {},
): number {
  const c = (code: number, s: string) => (opts.colour ? `\u001b[${code}m${s}\u001b[0m` : s);
  const sev = (f: Finding) => (f.severity === 'error' ? c(31, 'error  ') : f.severity === 'warning' ? c(33, 'warning') : c(36, 'info   '));
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.suppressed && !opts.showSuppressed) continue;
    const key = `${f.file ?? ''}\u0000${objectLabel(f)}\u0000${f.objectLocation?.line ?? ''}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(f);
  }
  let n = 0;
  for (const fs of groups.values()) {
    const first = fs[0];
    const where = at(first.file, first.objectLocation);
    const lines = [c(1, objectLabel(first)) + (where ? c(2, `  (${where})`) : '')];
    for (const f of fs) {
      lines.push(`  ${sev(f)} ${c(1, escapeControl(f.ruleId))}: ${escapeControl(f.message)}${f.suppressed ? c(2, ` [suppressed by ${escapeControl(f.suppressed.by)}: ${escapeControl(f.suppressed.reason)}]`) : ''}`);
      const loc = f.location && f.file ? at(f.file, f.location) : '';
      if (loc || f.path) lines.push(c(2, `          at ${[loc, escapeControl(f.path)].filter(Boolean).join('  ')}`));
      lines.push(c(2, `          fix: ${escapeControl(f.fix)}`));
    }
    write(`${n ? '\n' : ''}${lines.join('\n')}`);
    n++;
  }
  return n;
}

/** Findings grouped by object, as plain text (the CLI adds colour on a TTY). */
export function formatFindingsText(findings: readonly Finding[], opts: { colour?: boolean; showSuppressed?: boolean } = {}): string {
  const parts: string[] = [];
  writeFindingsText(findings, (s) => parts.push(s), opts);
  return parts.join('');
}
