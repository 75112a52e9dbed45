import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AuditOptions, Io, runAudit } from './audit';

/** `hardened init` lives in init-cmd.ts (loaded lazily by the CLI); re-exported for existing callers. */
export { runInit } from './init-cmd';

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
