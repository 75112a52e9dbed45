import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Io } from './audit';
import { ComposeDocumentLoader, ComposeFileLoader, ComposeInputError, convertComposeText, ExtendsError, parseComposeDocument } from '../compose';
import { decodeText, EncodingError } from './encoding';
import { canonicalFile } from './files';
import { oneLine } from '../compose/printer';
import { redact } from '../compose/secrets';
import { HardeningError } from '../spec/errors';

/** Largest Compose file `init` reads (bytes). */
export const MAX_COMPOSE_BYTES = 4 * 1024 * 1024;
/** Largest total of the other Compose files one conversion reads (extends.file, include). */
export const MAX_COMPOSE_FILES_BYTES = 16 * 1024 * 1024;
/** Hashes of what init wrote last time: a file that differs was edited by hand. */
const MANIFEST = '.hardened-init.json';

export interface InitOptions {
  readonly out: string;
  readonly name?: string;
  readonly force?: boolean;
  readonly version: string;
  /** Dependency spec of hardened-constructs in the generated package.json (e.g. `file:/opt/hc`). */
  readonly packageSpec?: string;
  /** Compose profiles to enable (`--profile`, repeatable or comma-separated; `*` for all). */
  readonly profiles?: readonly string[];
}

class InitError extends Error {}

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const errCode = (e: unknown) => (e as NodeJS.ErrnoException)?.code ?? 'error';
const show = (p: string) => oneLine(p);

function readCompose(file: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new InitError(`${show(file)}: cannot read (${errCode(e)})`);
  }
  if (!st.isFile()) throw new InitError(`${show(file)}: not a regular file`);
  if (st.size > MAX_COMPOSE_BYTES) throw new InitError(`${show(file)}: ${st.size} bytes is more than the ${MAX_COMPOSE_BYTES}-byte limit for a Compose file`);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new InitError(`${show(file)}: cannot read (${errCode(e)})`);
  }
  try {
    return decodeText(bytes, show(file));
  } catch (e) {
    throw e instanceof EncodingError ? new InitError(e.message) : e;
  }
}

/**
 * Files named by `extends.file` and `include`, read like the Compose file itself (same size limit
 * and encodings), relative to the file naming them; each read and parsed once however it is
 * spelled (`common.yml`, `./common.yml`, a link to it).
 * @internal
 */
export function composeFileReaders(main: string): { load: ComposeFileLoader; loadDocument: ComposeDocumentLoader } {
  const read = new Map<string, Record<string, unknown>>();
  // Each file is limited; together they are too (a hundred included files of a few MiB each).
  let total = 0;
  const loadDocument: ComposeDocumentLoader = (file, from) => {
    const real = canonicalFile(path.resolve(path.dirname(from ?? path.resolve(main)), file));
    let document = read.get(real);
    if (!document) {
      const text = readCompose(real);
      total += Buffer.byteLength(text);
      if (total > MAX_COMPOSE_FILES_BYTES) throw new InitError(`the files read through extends and include add up to more than ${MAX_COMPOSE_FILES_BYTES / 2 ** 20} MiB: refused rather than read`);
      read.set(real, (document = parseComposeDocument(text, show(file))));
    }
    return { document, path: real };
  };
  const load: ComposeFileLoader = (file, from) => {
    const { document, path: real } = loadDocument(file, from);
    const services = document.services;
    if (typeof services !== 'object' || services === null || Array.isArray(services)) throw new ExtendsError(`${show(file)}: not a Compose file (one YAML document with a services mapping)`);
    return { services: services as Record<string, unknown>, path: real };
  };
  return { load, loadDocument };
}

/** Files named by `extends.file`, read like the Compose file itself, relative to the file naming them. @internal */
export function extendedFileLoader(main: string): ComposeFileLoader {
  return composeFileReaders(main).load;
}

/** Profile names as `docker compose --profile` takes them (comma-separated lists too). */
function profilesOf(opts: InitOptions): string[] {
  const out = (opts.profiles ?? []).flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
  for (const p of out) {
    if (p !== '*' && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(p)) throw new InitError(`--profile: ${JSON.stringify(oneLine(p))} is not a Compose profile name ([a-zA-Z0-9][a-zA-Z0-9_.-]+, or * for all)`);
  }
  return out;
}

function packageSpecOf(opts: InitOptions): string {
  const spec = opts.packageSpec ?? `^${opts.version}`;
  if (spec.startsWith('file:')) {
    const p = spec.slice(5);
    if (!p || /[\0\r\n]/.test(p)) throw new InitError('--package-spec: give file:<folder of hardened-constructs>');
    return `file:${path.resolve(p)}`;
  }
  if (!/^[~^<>=]*\s*[0-9]+(\.[0-9x*]+){0,2}(-[0-9A-Za-z.-]+)?$/.test(spec)) throw new InitError(`--package-spec: ${JSON.stringify(oneLine(spec))} is not a version range or file:<folder>`);
  return spec;
}

/**
 * Check the output folder before anything is written: a file where the folder should be, or a
 * folder (or anything but a regular file) where a generated file goes, is refused.
 */
function checkOut(out: string, files: readonly string[], force: boolean): { exists: boolean } {
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(out);
  } catch (e) {
    if (errCode(e) !== 'ENOENT') throw new InitError(`${show(out)}: cannot use it as the output folder (${errCode(e)})`);
  }
  if (!st) return { exists: false };
  if (!st.isDirectory()) throw new InitError(`${show(out)} exists and is not a folder`);
  let entries: string[];
  try {
    entries = fs.readdirSync(out);
  } catch (e) {
    throw new InitError(`${show(out)}: cannot read the folder (${errCode(e)})`);
  }
  if (entries.length && !force) throw new InitError(`${show(out)} is not empty (use --force to replace the generated files; edited ones are backed up)`);
  for (const f of files) {
    const p = path.join(out, f);
    let fst: fs.Stats | undefined;
    try {
      fst = fs.lstatSync(p);
    } catch {
      continue;
    }
    if (!fst.isFile()) throw new InitError(`${show(p)} is ${fst.isDirectory() ? 'a folder' : 'not a regular file'}: init writes a file of that name there; move it away first (nothing was written)`);
  }
  return { exists: true };
}

/** Write the files into a temp folder beside `out`, then move them into place. */
function writeAtomically(out: string, files: Record<string, string>, exists: boolean, io: Io): string[] {
  const parent = path.dirname(out);
  try {
    fs.mkdirSync(parent, { recursive: true });
  } catch (e) {
    throw new InitError(`${show(parent)}: cannot create the folder (${errCode(e)})`);
  }
  let tmp: string;
  try {
    tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(out)}.hardened-init-`));
  } catch (e) {
    throw new InitError(`${show(parent)}: cannot write there (${errCode(e)})`);
  }
  const backedUp: string[] = [];
  try {
    const manifest: Record<string, string> = {};
    for (const [name, content] of Object.entries(files)) {
      fs.writeFileSync(path.join(tmp, name), content, { flag: 'wx' });
      manifest[name] = sha(content);
    }
    fs.writeFileSync(path.join(tmp, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
    if (!exists) {
      fs.renameSync(tmp, out);
      return backedUp;
    }
    // An existing folder (empty, or --force): back up hand-edited files, then move each file in.
    let previous: Record<string, string> = {};
    try {
      previous = JSON.parse(fs.readFileSync(path.join(out, MANIFEST), 'utf8'));
    } catch {
      previous = {};
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const backup = path.join(out, `.hardened-init-backup-${stamp}`);
    for (const name of Object.keys(files)) {
      const target = path.join(out, name);
      if (!fs.existsSync(target)) continue;
      const current = fs.readFileSync(target);
      const known = typeof previous[name] === 'string' && previous[name] === sha(current);
      if (!known && sha(current) !== manifest[name]) {
        fs.mkdirSync(backup, { recursive: true });
        fs.copyFileSync(target, path.join(backup, name));
        backedUp.push(name);
      }
    }
    for (const name of [...Object.keys(files), MANIFEST]) fs.renameSync(path.join(tmp, name), path.join(out, name));
    if (backedUp.length) io.stdout(`Backed up ${backedUp.length} edited file(s) to ${show(path.relative(process.cwd(), backup) || backup)}: ${backedUp.join(', ')}\n`);
    return backedUp;
  } catch (e) {
    if (e instanceof InitError) throw e;
    throw new InitError(`${show(out)}: cannot write (${errCode(e)})`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** `hardened init --from-compose FILE --out DIR`. Returns the exit code. */
export function runInit(file: string, opts: InitOptions, io: Io): number {
  try {
    const text = readCompose(file);
    const folder = path.basename(path.dirname(path.resolve(file)));
    const canonical = canonicalFile(file);
    const result = convertComposeText(text, {
      project: opts.name,
      defaultProject: folder,
      source: path.basename(file),
      packageSpec: packageSpecOf(opts),
      path: canonical,
      ...composeFileReaders(canonical),
      profiles: profilesOf(opts),
    });
    const out = path.resolve(opts.out);
    const { exists } = checkOut(out, [...Object.keys(result.files), MANIFEST], !!opts.force);
    writeAtomically(out, result.files, exists, io);
    const plan = result.plan;
    if (plan.namespace !== plan.project) {
      // Like a renamed service (MIGRATION.md), never silent: the namespace is what kubectl -n takes.
      const from = opts.name !== undefined ? '--name' : 'the project name';
      io.stdout(`Note: ${from} ${JSON.stringify(show(plan.project))} is not a valid Kubernetes namespace name (a DNS-1123 label: lowercase letters, digits and '-', starting with a letter, at most 63 characters): using '${plan.namespace}'. Give --name <label> to choose it.\n`);
    }
    const count = (k: string) => plan.workloads.filter((w) => w.kind === k).length;
    const leftOut = plan.leftOut ?? [];
    const profiles = [...new Set(leftOut.flatMap((l) => l.profiles))];
    io.stdout(`Converted ${show(path.basename(file))} into ${show(opts.out)}: ${count('service')} service(s), ${count('database')} database(s), ${plan.refused.length} refused; ${plan.edges.filter((e) => !e.unresolved).length} connection(s) wired.\n`);
    if (leftOut.length) io.stdout(`Left out: ${leftOut.length} service(s) whose profiles are not enabled (${leftOut.map((l) => show(l.name)).join(', ')}); --profile ${profiles.map(show).join(' / ')} includes them.\n`);
    for (const r of plan.refused) io.stdout(`  refused ${show(r.composeName)}: [${r.item.ruleId ?? 'spec'}] ${show(redact(r.item.text))}\n`);
    const todos = plan.workloads.reduce((n, w) => n + w.todos.length, 0) + plan.edges.filter((e) => e.unresolved).length;
    io.stdout(`${todos} TODO(s): see ${show(path.join(opts.out, 'MIGRATION.md'))}; until they are resolved, \`hardened synth main.ts --fail-on warning\` fails (unreviewed-relaxation).\n`);
    if (plan.unknownFields.length) io.stdout(`${plan.unknownFields.length} field(s) newer than the Compose schema this converter knows were not converted (listed in MIGRATION.md): ${show(plan.unknownFields.slice(0, 5).join(', '))}${plan.unknownFields.length > 5 ? ', …' : ''}\n`);
    io.stdout(`Next: cd ${show(opts.out)} && npm install && npx hardened synth main.ts\n`);
    return 0;
  } catch (e) {
    if (e instanceof InitError || e instanceof ComposeInputError) {
      io.stderr(`hardened init: ${oneLine(redact(e.message))}\n`);
      return 2;
    }
    if (e instanceof HardeningError) {
      io.stderr(`hardened init: the Compose file converts into a spec the library refuses: ${oneLine(redact(e.message.split('\n')[0]))}\n`);
      return 2;
    }
    throw e;
  }
}
