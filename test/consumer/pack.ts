import { spawn, SpawnOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The repository. */
export const ROOT = path.resolve(__dirname, '../..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a command without blocking the test process (several can run side by side). */
export function run(command: string, args: readonly string[], options: SpawnOptions & { cwd: string }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args as string[], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => { stdout += d; });
    child.stderr!.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function tsc(args: readonly string[], cwd: string): Promise<RunResult> {
  return run(process.execPath, [TSC, ...args], { cwd });
}

function must(r: RunResult, what: string): RunResult {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** Link `name` (a package of this repository's node_modules) into `nodeModules`. */
export function linkPackage(nodeModules: string, name: string): void {
  const target = path.join(ROOT, 'node_modules', name);
  if (!fs.existsSync(target)) throw new Error(`${name} is not installed in this repository`);
  const link = path.join(nodeModules, name);
  if (fs.existsSync(link)) return;
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(target, link, 'dir');
}

export interface Packed {
  /** Temporary folder holding everything below (remove it when done). */
  readonly tmp: string;
  readonly tarball: string;
  /** Paths inside the tarball (without the leading `package/`). */
  readonly files: readonly string[];
  /** A consumer project with the tarball installed as node_modules/hardened-constructs. */
  readonly consumer: string;
  /** node_modules/hardened-constructs of the consumer. */
  readonly installed: string;
  readonly manifest: any;
}

/**
 * Pack the package as `npm pack` would from a fresh build, without writing into the repository:
 * the files npm would ship (src/, docs/, README …) are staged in a temporary folder with the
 * repository's tsconfig.json and .npmignore, compiled there, packed, and the tarball is unpacked
 * into a new consumer project. Offline: the consumer's other packages (the package's dependencies
 * and peers, TypeScript's Node types) are links to this repository's installed ones.
 */
export async function packAndInstall(extraPackages: readonly string[] = []): Promise<Packed> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hardened-consumer-'));
  const stage = path.join(tmp, 'stage');

  // What `npm pack` ships from the repository (lib/ is compiled fresh below).
  const dry = must(await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT }), 'npm pack --dry-run');
  const shipped: string[] = JSON.parse(dry.stdout)[0].files.map((f: { path: string }) => f.path).filter((p: string) => !p.startsWith('lib/'));
  for (const f of [...shipped, 'tsconfig.json', '.npmignore']) {
    fs.mkdirSync(path.dirname(path.join(stage, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(stage, f));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
  must(await tsc(['-p', 'tsconfig.json'], stage), 'tsc (package build)');
  fs.unlinkSync(path.join(stage, 'node_modules'));

  const packed = must(await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], { cwd: stage }), 'npm pack');
  const info = JSON.parse(packed.stdout)[0];
  const tarball = path.join(tmp, info.filename);

  const consumer = path.join(tmp, 'consumer');
  const nodeModules = path.join(consumer, 'node_modules');
  fs.mkdirSync(nodeModules, { recursive: true });
  fs.writeFileSync(path.join(consumer, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2)}\n`);
  must(await run('tar', ['-xzf', tarball, '-C', nodeModules], { cwd: tmp }), 'tar');
  const installed = path.join(nodeModules, 'hardened-constructs');
  fs.renameSync(path.join(nodeModules, 'package'), installed);
  const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
  for (const dep of [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}), '@types/node', ...extraPackages]) {
    linkPackage(nodeModules, dep);
  }
  return { tmp, tarball, files: info.files.map((f: { path: string }) => f.path), consumer, installed, manifest };
}
