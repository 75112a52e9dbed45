import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { Io } from './audit';
import { convertCompose } from './compose-convert';
import { composeSchemaErrors } from './compose-schema';

/** `hardened init --from-compose FILE --out DIR`. Returns the exit code. */
export function runInit(file: string, opts: { out: string; name?: string; force?: boolean; version: string }, io: Io): number {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    io.stderr(`hardened init: ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})\n`);
    return 2;
  }
  const docs = parseAllDocuments(text, { prettyErrors: true, merge: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const err = list.flatMap((d) => d.errors)[0];
  if (err) {
    const line = err.linePos?.[0];
    io.stderr(`hardened init: ${file}${line ? `:${line.line}:${line.col}` : ''}: malformed YAML: ${err.message.split('\n')[0]}\n`);
    return 2;
  }
  let doc: unknown;
  try {
    doc = list[0]?.toJS({ maxAliasCount: 100 });
  } catch (e) {
    io.stderr(`hardened init: ${file}: malformed YAML: ${(e as Error).message.split('\n')[0]}\n`);
    return 2;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || typeof (doc as { services?: unknown }).services !== 'object') {
    io.stderr(`hardened init: ${file}: not a Compose file (no services mapping)\n`);
    return 2;
  }
  const errors = composeSchemaErrors(doc);
  if (errors.length) {
    io.stderr(`hardened init: ${file} does not follow the Compose Specification:\n${errors.slice(0, 10).map((e) => `  ${e}`).join('\n')}\n`);
    return 2;
  }
  const out = path.resolve(opts.out);
  if (fs.existsSync(out) && fs.readdirSync(out).length && !opts.force) {
    io.stderr(`hardened init: ${opts.out} is not empty (use --force to overwrite the generated files)\n`);
    return 2;
  }
  const project = opts.name ?? path.basename(path.dirname(path.resolve(file)));
  const result = convertCompose(doc as Record<string, unknown>, { project, source: path.basename(file), version: opts.version });
  fs.mkdirSync(out, { recursive: true });
  for (const [name, content] of Object.entries(result.files)) fs.writeFileSync(path.join(out, name), content);
  const count = (k: string) => result.reports.filter((r) => r.kind === k).length;
  io.stdout(`Converted ${path.basename(file)} into ${opts.out}: ${count('service')} service(s), ${count('database')} database(s), ${count('refused')} refused.\n`);
  for (const r of result.reports.filter((x) => x.kind === 'refused')) io.stdout(`  refused ${r.service}: [${r.refused!.ruleId ?? 'spec'}] ${r.refused!.text}\n`);
  const todos = result.reports.reduce((n, r) => n + r.todos.length, 0);
  io.stdout(`${todos} TODO(s) and ${result.secrets.length} Secret(s) to create: see ${path.join(opts.out, 'MIGRATION.md')}.\n`);
  io.stdout(`Next: cd ${opts.out} && npm install && npx hardened synth main.ts\n`);
  return 0;
}
