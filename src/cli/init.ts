import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { AuditOptions, Io, runAudit } from './audit';

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
  // Loaded here, not at the top: ajv is for Compose validation only (`hardened synth` never needs it).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const errors = (require('./compose-schema') as typeof import('./compose-schema')).composeSchemaErrors(doc);
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
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const result = (require('./compose-convert') as typeof import('./compose-convert')).convertCompose(doc as Record<string, unknown>, { project, source: path.basename(file), version: opts.version });
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

/** `hardened synth APP.ts [--out DIR]`: run the app, write its manifests, audit them. */
export function runSynth(app: string, opts: { out?: string; audit: Omit<AuditOptions, 'format'> }, io: Io): number {
  const appPath = path.resolve(app);
  if (!fs.existsSync(appPath)) {
    io.stderr(`hardened synth: ${app}: no such file\n`);
    return 2;
  }
  const outdir = path.resolve(opts.out ?? path.join(path.dirname(appPath), 'dist'));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hardened-synth-'));
  let tsNode: string;
  try {
    tsNode = require.resolve('ts-node', { paths: [path.dirname(appPath), __dirname] });
  } catch {
    io.stderr('hardened synth: running a TypeScript app needs ts-node and typescript: npm install --save-dev ts-node typescript\n');
    return 2;
  }
  const hook = require.resolve('./synth-hook');
  const preload = hook.endsWith('.ts') ? ['-r', require.resolve('ts-node/register/transpile-only', { paths: [path.dirname(tsNode)] }), '-r', hook] : ['-r', hook];
  const r = spawnSync(process.execPath, [...preload, appPath], {
    cwd: path.dirname(appPath),
    env: {
      ...process.env,
      CDK8S_OUTDIR: tmp,
      HARDENED_TS_NODE: tsNode,
      // Transpile only, as CommonJS, whatever tsconfig the app's folder has.
      TS_NODE_TRANSPILE_ONLY: 'true',
      TS_NODE_SKIP_PROJECT: 'true',
      TS_NODE_COMPILER_OPTIONS: JSON.stringify({ module: 'commonjs', moduleResolution: 'node', target: 'es2022', esModuleInterop: true, skipLibCheck: true }),
    },
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    const msg = (r.stderr || r.stdout || r.error?.message || '').trim();
    const refusal = /HardeningError|PolicyViolationError|Synthesis refused|\[[a-z/-]+\]/.test(msg);
    io.stderr(`hardened synth: ${app} ${refusal ? 'was refused' : 'failed'} (${path.relative(process.cwd(), outdir) || outdir} left unchanged):\n${msg}\n`);
    return refusal ? 1 : 2;
  }
  fs.mkdirSync(outdir, { recursive: true });
  for (const f of fs.readdirSync(outdir)) if (f.endsWith('.k8s.yaml')) fs.rmSync(path.join(outdir, f));
  for (const f of fs.readdirSync(tmp)) fs.copyFileSync(path.join(tmp, f), path.join(outdir, f));
  fs.rmSync(tmp, { recursive: true, force: true });
  io.stdout(`Wrote ${fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml')).length} manifest file(s) to ${outdir}\n\n`);
  return runAudit([outdir], { ...opts.audit, format: 'text' }, io);
}
