import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { AuditOptions, Io, runAudit } from './audit';
import { escapeControl, redact } from '../spec/redact';

/** Seconds `hardened synth` lets the app run before stopping it (`--timeout` changes it). */
export const DEFAULT_SYNTH_TIMEOUT_SECONDS = 120;
/** Longest app output quoted back when the app fails. */
const MAX_APP_OUTPUT_LINES = 60;

/** Options of `hardened synth`. */
export interface SynthOptions {
  /** Output folder (default: `dist/` beside the app). */
  readonly out?: string;
  /** Stop the app after this many seconds (default {@link DEFAULT_SYNTH_TIMEOUT_SECONDS}). */
  readonly timeoutSeconds?: number;
  readonly audit: Omit<AuditOptions, 'format'>;
}

/** A failure with a one-line message and an exit code; nothing is left half-written. */
class SynthFailure extends Error {
  constructor(message: string, public readonly code: number) {
    super(message);
  }
}

function fsFailure(e: unknown, what: string, where: string): SynthFailure {
  const code = (e as NodeJS.ErrnoException)?.code;
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
    ENOTDIR: 'a parent is not a folder',
    EEXIST: 'already exists',
    ENOSPC: 'no space left on the device',
    EISDIR: 'is a folder',
    ENAMETOOLONG: 'the name is too long',
  };
  const reason = code && Object.prototype.hasOwnProperty.call(why, code) ? `${why[code]} (${code})` : code ?? 'error';
  return new SynthFailure(`cannot ${what} ${where}: ${reason}`, 2);
}

/**
 * `mkdir -p` one level at a time (Node's recursive mkdir can loop forever where mkdir answers
 * ENOENT for a parent that exists, as in /proc).
 */
function mkdirs(dir: string): void {
  const missing: string[] = [];
  let d = dir;
  while (!fs.existsSync(d)) {
    missing.unshift(d);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const m of missing) fs.mkdirSync(m);
}

/** Show the app's own output safely: redacted, control characters escaped, last lines only. */
function appOutput(text: string): string {
  const lines = escapeControl(redact(text.trim()), true).split('\n');
  const shown = lines.length > MAX_APP_OUTPUT_LINES ? ['…', ...lines.slice(-MAX_APP_OUTPUT_LINES)] : lines;
  return shown.join('\n');
}

/**
 * `hardened synth APP.ts [--out DIR] [--timeout SECONDS]`: run the app in a child process (with a
 * timeout) writing into a staging folder beside the output folder, audit what it wrote, and only
 * then move the manifests into place, file by file with rename (atomic). A refused, failing or
 * hanging app, or one whose manifests have findings at the fail level, leaves the output folder
 * exactly as it was; the staging folder is always removed.
 * Exit codes: 0 written and clean, 1 refused or findings, 2 bad input (app missing, crashing,
 * timing out, output not writable).
 */
export function runSynth(app: string, opts: SynthOptions, io: Io): number {
  let staging: string | undefined;
  try {
    return synth(app, opts, io, (dir) => { staging = dir; });
  } catch (e) {
    if (e instanceof SynthFailure) {
      io.stderr(`hardened synth: ${escapeControl(redact(e.message))}\n`);
      return e.code;
    }
    throw e;
  } finally {
    if (staging) fs.rmSync(staging, { recursive: true, force: true });
  }
}

function synth(app: string, opts: SynthOptions, io: Io, setStaging: (dir: string) => void): number {
  const appPath = path.resolve(app);
  const shown = (p: string) => escapeControl(path.relative(process.cwd(), p) || p);
  let st: fs.Stats;
  try {
    st = fs.statSync(appPath);
  } catch {
    throw new SynthFailure(`${escapeControl(app)}: no such file`, 2);
  }
  if (!st.isFile()) throw new SynthFailure(`${escapeControl(app)}: not a regular file`, 2);
  const timeout = opts.timeoutSeconds ?? DEFAULT_SYNTH_TIMEOUT_SECONDS;
  if (!Number.isFinite(timeout) || timeout <= 0) throw new SynthFailure(`--timeout ${escapeControl(String(timeout))} is not a positive number of seconds`, 2);

  const outdir = path.resolve(opts.out ?? path.join(path.dirname(appPath), 'dist'));
  let outStat: fs.Stats | undefined;
  try {
    outStat = fs.statSync(outdir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fsFailure(e, 'use', shown(outdir));
  }
  if (outStat && !outStat.isDirectory()) throw new SynthFailure(`${shown(outdir)} exists and is not a folder (give --out a folder)`, 2);
  const parent = path.dirname(outdir);
  try {
    mkdirs(parent);
  } catch (e) {
    throw fsFailure(e, 'create', shown(parent));
  }
  let staging: string;
  try {
    // Beside the output folder: same file system, so the final moves are renames.
    staging = fs.mkdtempSync(path.join(parent, `.${path.basename(outdir)}.hardened-synth-`));
  } catch (e) {
    throw fsFailure(e, 'write into', shown(parent));
  }
  setStaging(staging);

  let tsNode: string;
  try {
    tsNode = require.resolve('ts-node', { paths: [path.dirname(appPath), __dirname] });
  } catch {
    throw new SynthFailure('running a TypeScript app needs ts-node and typescript: npm install --save-dev ts-node typescript', 2);
  }
  const hook = require.resolve('./synth-hook');
  const preload = hook.endsWith('.ts') ? ['-r', require.resolve('ts-node/register/transpile-only', { paths: [path.dirname(tsNode)] }), '-r', hook] : ['-r', hook];
  const r = spawnSync(process.execPath, [...preload, appPath], {
    cwd: path.dirname(appPath),
    env: {
      ...process.env,
      CDK8S_OUTDIR: staging,
      HARDENED_SYNTH_OUTDIR: staging,
      HARDENED_TS_NODE: tsNode,
      HARDENED_APP_DIR: path.dirname(appPath),
      // Transpile only, as CommonJS, whatever tsconfig the app's folder has.
      TS_NODE_TRANSPILE_ONLY: 'true',
      TS_NODE_SKIP_PROJECT: 'true',
      TS_NODE_COMPILER_OPTIONS: JSON.stringify({ module: 'commonjs', moduleResolution: 'node', target: 'es2022', esModuleInterop: true, skipLibCheck: true }),
    },
    encoding: 'utf8',
    timeout: timeout * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  const unchanged = `${shown(outdir)} left unchanged`;
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' || (r.signal && r.status === null && !r.error)) {
    throw new SynthFailure(`${escapeControl(app)} did not finish within ${timeout} s and was stopped (${unchanged}). An app must build its objects, call app.synth() and exit; raise the limit with --timeout <seconds>.`, 2);
  }
  if (r.error) throw new SynthFailure(`${escapeControl(app)} could not be run: ${escapeControl(r.error.message)} (${unchanged})`, 2);
  const notes = (r.stderr ?? '').split('\n').filter((l) => l.startsWith('hardened-synth: '));
  const stderr = (r.stderr ?? '').split('\n').filter((l) => !l.startsWith('hardened-synth: ')).join('\n');
  if (r.status !== 0) {
    const msg = appOutput(stderr || r.stdout || '');
    const refusal = /HardeningError|PolicyViolationError|Synthesis refused|\[[a-z0-9/-]+\]/.test(msg);
    io.stderr(`hardened synth: ${escapeControl(app)} ${refusal ? 'was refused' : 'failed'} (${unchanged}):\n${msg}\n`);
    return refusal ? 1 : 2;
  }
  for (const n of notes) io.stderr(`hardened synth: ${escapeControl(n.slice('hardened-synth: '.length))}\n`);

  const written = fs.readdirSync(staging);
  const manifests = written.filter((f) => f.endsWith('.k8s.yaml') || fs.statSync(path.join(staging, f)).isDirectory());
  if (manifests.length === 0) {
    throw new SynthFailure(`${escapeControl(app)} wrote no manifests (does it call app.synth()?) (${unchanged})`, 2);
  }

  // Audit before anything moves: manifests with findings at the fail level do not replace good ones.
  const mapped: Io = {
    ...io,
    stdout: (s) => io.stdout(s.split(staging).join(outdir)),
    stderr: (s) => io.stderr(s.split(staging).join(outdir)),
  };
  const code = runAudit([staging], { ...opts.audit, format: 'text' }, mapped);
  if (code !== 0) {
    io.stderr(`hardened synth: ${code === 1 ? 'findings at the fail level' : 'the audit failed'}: nothing written (${unchanged})\n`);
    return code;
  }

  try {
    mkdirs(outdir);
    const keep = new Set(written);
    for (const f of fs.readdirSync(outdir)) {
      if (f.endsWith('.k8s.yaml') && !keep.has(f)) fs.rmSync(path.join(outdir, f));
    }
    for (const f of written) {
      const target = path.join(outdir, f);
      if (fs.statSync(path.join(staging, f)).isDirectory()) fs.rmSync(target, { recursive: true, force: true });
      fs.renameSync(path.join(staging, f), target);
    }
  } catch (e) {
    throw fsFailure(e, 'write into', shown(outdir));
  }
  io.stdout(`Wrote ${written.filter((f) => f.endsWith('.k8s.yaml')).length} manifest file(s) to ${escapeControl(outdir)}\n`);
  return 0;
}
