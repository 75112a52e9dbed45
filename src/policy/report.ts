import { Finding } from './types';

function objectLabel(f: Finding): string {
  const o = f.object;
  const ns = o.namespace ? `${o.namespace}/` : '';
  return `${o.kind ?? '?'} ${ns}${o.name ?? '?'}`;
}

/** Findings grouped by object, as plain text (the CLI adds colour on a TTY). */
export function formatFindingsText(findings: readonly Finding[], opts: { colour?: boolean; showSuppressed?: boolean } = {}): string {
  const c = (code: number, s: string) => (opts.colour ? `\u001b[${code}m${s}\u001b[0m` : s);
  const sev = (f: Finding) => (f.severity === 'error' ? c(31, 'error  ') : f.severity === 'warning' ? c(33, 'warning') : c(36, 'info   '));
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.suppressed && !opts.showSuppressed) continue;
    const key = `${f.file ?? ''}\u0000${objectLabel(f)}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(f);
  }
  const lines: string[] = [];
  for (const [key, fs] of groups) {
    const [file, label] = key.split('\u0000');
    lines.push(c(1, label) + (file ? c(2, `  (${file})`) : ''));
    for (const f of fs) {
      lines.push(`  ${sev(f)} ${c(1, f.ruleId)}: ${f.message}${f.suppressed ? c(2, ` [suppressed by ${f.suppressed.by}: ${f.suppressed.reason}]`) : ''}`);
      if (f.path) lines.push(c(2, `          at ${f.path}`));
      lines.push(c(2, `          fix: ${f.fix}`));
    }
  }
  return lines.join('\n');
}
