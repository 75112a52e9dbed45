import * as fs from 'fs';
import * as path from 'path';
import { decodeText, EncodingError } from './encoding';
import { canonicalFile } from './files';
import { loadYamlWithPositions, MAX_DEPTH, PositionIndex, YamlSyntaxError } from './positions';
import { ExtendsError, mergeComposeFiles, parseExtendedFile, resolveExtends, usesExtends } from '../compose/extends';
import { applyTags, ComposeOverride, hasTags, isReset } from '../compose/tags';
import { composeContainers, interpolateCompose, isComposeDocument } from '../policy/compose';
import { DockerfileView, isDockerfileName, parseDockerfile } from '../policy/dockerfile';
import { SourcedObject } from '../policy/engine';
import { DockerContainer, K8sObject, Locator } from '../policy/types';
import { scalarText } from '../spec/canonical';

/** Bad input: the CLI prints the message (one line) and exits 2. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** A file (or document) a folder walk did not audit, and why. */
export interface SkippedFile {
  readonly file: string;
  /** `not-kubernetes`, `tool-configuration`, `helm-template`, `helm-values`, `kustomize-patch`, `malformed`, `special-file`, `too-large`. */
  readonly kind: string;
  readonly reason: string;
}

export interface LoadedInput {
  readonly objects: SourcedObject[];
  readonly containers: DockerContainer[];
  /** Dockerfiles (by name: Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile). */
  readonly dockerfiles: DockerfileView[];
  /** Files audited (with at least one object or Compose service, or empty). */
  readonly files: number;
  readonly skipped: SkippedFile[];
}

export interface LoadOptions {
  /** Largest file read, in bytes (default DEFAULT_MAX_FILE_SIZE). */
  readonly maxFileSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Files larger than this are refused unless `--max-file-size` raises it: 32 MiB. */
export const DEFAULT_MAX_FILE_SIZE = 32 * 1024 * 1024;

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const KUSTOMIZATION_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);
export const RENDER_HELM = 'render it first, e.g. `helm template RELEASE CHART | hardened audit -`';
export const RENDER_KUSTOMIZE = 'render the overlay first, e.g. `kustomize build DIR | hardened audit -`';

/** Parse a size such as `33554432`, `64MiB`, `100M`, `1GiB`. */
export function parseSize(s: string): number | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmg]?)(i?b?)\s*$/i.exec(s);
  if (!m) return undefined;
  const mult = { '': 1, 'k': 1024, 'm': 1024 ** 2, 'g': 1024 ** 3 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Math.floor(Number(m[1]) * mult);
  return n > 0 && Number.isSafeInteger(n) ? n : undefined;
}

interface InputFile {
  readonly file: string;
  readonly explicit: boolean;
  /** An include `path` list: the files merged into `file` (as `docker compose -f`), audited as one model. */
  readonly merge?: readonly string[];
  /** The Helm chart folder it belongs to, when it is inside one. */
  readonly chart?: string;
}

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? 'error';
}

function specialKind(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/**
 * Expand paths (files, folders recursively, `-` for stdin) into a file list. Each real path is
 * walked once (symlink loops end), hidden folders and node_modules are skipped, and only
 * regular files are read: special files inside folders are skipped and reported, special files
 * named explicitly are refused.
 */
export function expandPaths(paths: readonly string[], skipped: SkippedFile[] = []): InputFile[] {
  const out: InputFile[] = [];
  const seen = new Set<string>();
  const walkDir = (dir: string, chart: string | undefined) => {
    let entries: string[];
    try {
      entries = fs.readdirSync(dir).sort();
    } catch (e) {
      throw new InputError(`${dir}: cannot read directory (${errCode(e)})`);
    }
    const here = entries.includes('Chart.yaml') ? dir : chart;
    for (const e of entries) {
      if (e === 'node_modules' || e.startsWith('.')) continue;
      const child = path.join(dir, e);
      let st: fs.Stats;
      let real: string;
      try {
        st = fs.statSync(child);
        real = fs.realpathSync(child);
      } catch {
        continue; // dangling symlink
      }
      if (st.isDirectory()) {
        if (seen.has(real)) continue;
        seen.add(real);
        walkDir(child, here);
      } else if (EXTENSIONS.has(path.extname(e).toLowerCase()) || KUSTOMIZATION_FILES.has(e) || isDockerfileName(e)) {
        if (!st.isFile()) {
          skipped.push({ file: child, kind: 'special-file', reason: `${specialKind(st)}, not a regular file` });
          continue;
        }
        if (seen.has(real)) continue;
        seen.add(real);
        out.push({ file: child, explicit: false, chart: here });
      }
    }
  };
  for (const p of paths) {
    if (p === '-') {
      out.push({ file: '-', explicit: true });
      continue;
    }
    let st: fs.Stats;
    let real: string;
    try {
      st = fs.statSync(p);
      real = fs.realpathSync(p);
    } catch (e) {
      throw new InputError(`${p}: cannot read (${errCode(e)})`);
    }
    if (seen.has(real)) continue;
    seen.add(real);
    if (st.isDirectory()) walkDir(p, undefined);
    else if (st.isFile()) out.push({ file: p, explicit: true });
    else throw new InputError(`${p}: ${specialKind(st)}, not a regular file: only regular files and folders are audited (pipe it to \`hardened audit -\` to read it as stdin)`);
  }
  return out;
}

function isFlowsDocument(doc: Record<string, any>): boolean {
  const keys = Object.keys(doc);
  return keys.length === 1 && keys[0] === 'flows' && Array.isArray(doc.flows);
}

/** Read a file descriptor to the end, refusing more than `max` bytes. */
function readCapped(fd: number, max: number, what: string): string {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.allocUnsafe(1024 * 1024);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if (errCode(e) === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if (errCode(e) === 'EOF') break;
      throw new InputError(`${what}: cannot read (${errCode(e)})`);
    }
    if (n === 0) break;
    total += n;
    if (total > max) throw new InputError(`${what}: larger than ${max} bytes (the --max-file-size limit; raise it to audit bigger inputs)`);
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  try {
    return decodeText(Buffer.concat(chunks, total), what);
  } catch (e) {
    if (e instanceof EncodingError) throw new InputError(e.message);
    throw e;
  }
}

function readInput(f: InputFile, max: number): string {
  if (f.file === '-') return readCapped(0, max, '<stdin>');
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO that slipped past stat must not wait for a writer.
    // eslint-disable-next-line no-bitwise -- open(2) flags
    fd = fs.openSync(f.file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new InputError(`${f.file}: cannot read (${errCode(e)})`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new InputError(`${f.file}: ${specialKind(st)}, not a regular file`);
    if (st.size > max) throw new InputError(`${f.file}: ${st.size} bytes, larger than ${max} (the --max-file-size limit; raise it to audit bigger files)`);
    return readCapped(fd, max, f.file);
  } finally {
    fs.closeSync(fd);
  }
}

function isRecord(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * API groups of files that configure client-side tools (kustomize, skaffold, kpt, kind, kubeadm,
 * component configs) and never reach the API server: they sit beside manifests in real
 * repositories and are not audited.
 */
const TOOL_CONFIGURATION = /^(kustomize\.config\.k8s\.io|builtin|skaffold|kpt\.dev|fn\.kpt\.dev|config\.kubernetes\.io|kind\.x-k8s\.io|kubeadm\.k8s\.io|(kubelet|kubeproxy|apiserver|kubescheduler|kubecontrolplane)\.config\.k8s\.io|k3d\.io|ctlptl\.dev)(\/|$)/;

function isToolConfiguration(apiVersion: string): boolean {
  return TOOL_CONFIGURATION.test(apiVersion);
}

/** Go template actions at the places Helm puts them (line start, after `key:` or `- `). Linear: fixed-length lookahead. */
const TEMPLATE_ACTION = /(^|:\s|-\s)[ \t]*\{\{-?\s*(\.|\$|include|template|if|else|end|range|with|toYaml|tpl|default|printf|quote|required|define|lookup|\/\*|-)/m;

function looksTemplated(text: string): boolean {
  return text.includes('{{') && TEMPLATE_ACTION.test(text);
}

/** A kustomize strategic-merge patch directive. */
const PATCH_DIRECTIVE = /^[ \t]*(- )?\$patch:/m;

export interface ParsedText {
  readonly objects: SourcedObject[];
  readonly containers: DockerContainer[];
  /** Documents that are not audited (folder walks only; explicit inputs throw instead). */
  readonly skipped: SkippedFile[];
  /** Files a Compose file includes (`include`), one list per entry (a `path` list merges its files). */
  readonly includes?: string[][];
}

/**
 * The files a Compose document's `include` names, resolved against its folder (the current folder
 * for stdin); paths interpolated as Compose does with an empty environment (`${DIR:-./db}`).
 */
function includedFiles(doc: Record<string, unknown>, from: string | undefined): string[][] {
  const dir = from ? path.dirname(path.resolve(from)) : process.cwd();
  const out: string[][] = [];
  for (const e of Array.isArray(doc.include) ? doc.include : []) {
    const raw = isRecord(e) ? e.path : e;
    const files: string[] = [];
    for (const p of Array.isArray(raw) ? raw : [raw]) {
      if (typeof p !== 'string' || !p.trim() || p.includes('\0')) continue;
      files.push(path.resolve(dir, p.includes('$') ? interpolateCompose(p).value : p));
    }
    if (files.length) out.push(files);
  }
  return out;
}

/** Shown as the command line would name it. */
const shown = (abs: string) => path.relative(process.cwd(), abs) || abs;

/**
 * The files of an include `path` list merged as `docker compose -f a -f b` merges them, audited as
 * one model (an override file alone is a fragment: no image, `!reset` of what it removes). Each
 * service's findings point at the last of the files that defines it, at its key.
 */
function parseMergedCompose(files: readonly string[], max: number): { containers: DockerContainer[]; includes: string[][] } {
  const parsed = files.map((abs) => {
    const file = shown(abs);
    const text = readInput({ file: abs, explicit: true }, max);
    let loaded: { docs: unknown[]; index: PositionIndex };
    try {
      loaded = loadYamlWithPositions(text);
    } catch (e) {
      if (e instanceof YamlSyntaxError) throw malformedYaml(file, e, text);
      throw e;
    }
    const doc = loaded.docs.length === 1 ? loaded.docs[0] : undefined;
    if (!isRecord(doc)) throw new InputError(`${file}: not a Compose file (one YAML document, a mapping), named in an include path list`);
    return { file, abs, doc, index: loaded.index };
  });
  const base = parsed[0].doc as Record<string, unknown>;
  const merged = applyTags(parsed.slice(1).reduce((d, p) => mergeComposeFiles(d, p.doc), base)) as Record<string, unknown>;
  const containers: DockerContainer[] = [];
  if (isRecord(merged.services)) {
    const { services } = composeServices(merged.services, parsed[0].file, { path: parsed[0].abs, maxFileSize: max });
    for (const c of composeContainers({ services }, parsed[0].file)) {
      let at = parsed[0];
      for (const p of parsed) if (isRecord(p.doc.services) && Object.prototype.hasOwnProperty.call(p.doc.services, c.name)) at = p;
      containers.push({ ...c, source: at.file, locate: composeLocator(at.index, (at.doc.services as Record<string, unknown>)[c.name], true) });
    }
  }
  return { containers, includes: includedFiles(merged, parsed[0].abs) };
}

/** Compose models use their own field names; map them back to the Compose keys for locations. */
const COMPOSE_KEYS: Record<string, string> = {
  readOnly: 'read_only',
  capAdd: 'cap_add',
  capDrop: 'cap_drop',
  securityOpts: 'security_opt',
  memory: 'mem_limit',
  memorySwap: 'memswap_limit',
  memoryReservation: 'mem_reservation',
  cpuShares: 'cpu_shares',
  pidsLimit: 'pids_limit',
  maxRetryCount: 'restart',
  logDriver: 'logging.driver',
  logOpts: 'logging.options',
  networkMode: 'network_mode',
  pidMode: 'pid',
  ipcMode: 'ipc',
  utsMode: 'uts',
  usernsMode: 'userns_mode',
  cgroupParent: 'cgroup_parent',
  mounts: 'volumes',
  env: 'environment',
  secretEnv: 'environment',
};

function objectLocator(index: PositionIndex, obj: unknown, mapPath: (p: string) => string = (p) => p): Locator {
  return (p: string) => {
    const object = index.locateNode(obj);
    if (!object) return undefined;
    if (!p) return { object };
    const r = index.locatePath(obj, mapPath(p));
    return { object, field: r?.location };
  };
}

function composeLocator(index: PositionIndex, service: unknown, keyOnly = false): Locator {
  return objectLocator(index, service, (p) => {
    const m = /^([A-Za-z]+)(.*)$/.exec(p);
    if (!m) return p;
    const key = COMPOSE_KEYS[m[1]] ?? m[1];
    return keyOnly ? key.split('.')[0] : key + m[2];
  });
}

/** Whether a parsed value nests deeper than `max` arrays/objects (iterative: no recursion on input). */
function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

function parseJson(text: string, file: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: invalid JSON: ${(e as Error).message}`);
  }
  // The same bound as YAML input: every later walk (rules, positions) may then recurse safely.
  if (nestsDeeperThan(parsed, MAX_DEPTH)) throw new InputError(`${file}: invalid JSON: nesting exceeded maxDepth (${MAX_DEPTH}): no Kubernetes object or Compose file nests that deep.`);
  return Array.isArray(parsed) ? parsed : [parsed];
}

function malformedYaml(file: string, e: YamlSyntaxError, text: string): InputError {
  const at = e.line ? `:${e.line}:${e.column}` : '';
  return new InputError(`${file}${at}: malformed YAML: ${e.reason}${looksTemplated(text) ? ` (it looks like a Helm/Go template: ${RENDER_HELM})` : ''}`);
}

/**
 * Parse one file's text into Kubernetes objects and Compose containers, with source positions.
 * `explicit` inputs (named on the command line, stdin) must be Kubernetes objects or Compose
 * files (else InputError); in folder walks, other files are skipped and reported.
 */
/**
 * A Compose file's services with every `extends` merged (as `docker compose config` does); files
 * named by `extends.file` are read relative to the file naming them, with the same size limit.
 */
type ComposeServices = { services: Record<string, unknown>; extended: ReadonlySet<string> };
function composeServices(services: Record<string, unknown>, file: string, source: { path?: string; maxFileSize?: number }): ComposeServices {
  if (!usesExtends(services)) {
    return { services: hasTags(services) ? (applyTags(services) as Record<string, unknown>) : services, extended: new Set() };
  }
  const main = source.path ? canonicalFile(source.path) : path.resolve('stdin');
  const max = source.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  // Read and parsed once per file, however it is spelled.
  const read = new Map<string, Record<string, unknown>>();
  try {
    const r = resolveExtends(services, {
      file: main,
      load: (f, from) => {
        const abs = canonicalFile(path.resolve(path.dirname(from ?? main), f));
        const known = read.get(abs);
        if (known) return { services: known, path: abs };
        let st: fs.Stats;
        try {
          st = fs.statSync(abs);
        } catch (e) {
          throw new InputError(`cannot read (${errCode(e)})`);
        }
        if (!st.isFile()) throw new InputError(st.isDirectory() ? 'is a folder, not a file' : `${specialKind(st)}, not a regular file`);
        const parsed = parseExtendedFile(readInput({ file: abs, explicit: true }, max), f);
        read.set(abs, parsed);
        return { services: parsed, path: abs };
      },
    });
    return { services: r.services, extended: new Set(r.merged.keys()) };
  } catch (e) {
    if (e instanceof ExtendsError) throw new InputError(`${file}: ${e.message}`);
    throw e;
  }
}

export function parseText(text: string, file: string, explicit = true, source: { path?: string; maxFileSize?: number } = {}): ParsedText {
  const objects: SourcedObject[] = [];
  const containers: DockerContainer[] = [];
  const skipped: SkippedFile[] = [];
  const includes: string[][] = [];
  const skip = (kind: string, reason: string): ParsedText => {
    if (explicit) throw new InputError(`${file}: ${reason}`);
    return { objects: [], containers: [], skipped: [{ file, kind, reason }] };
  };
  let docs: unknown[];
  let index: PositionIndex | undefined;
  try {
    ({ docs, index } = loadYamlWithPositions(text));
  } catch (e) {
    if (!(e instanceof YamlSyntaxError)) throw e;
    if (file.endsWith('.json')) {
      // Strict JSON that js-yaml refuses (rare): no positions, but audited.
      try {
        docs = parseJson(text, file);
      } catch (je) {
        if (explicit || !(je instanceof InputError)) throw je;
        return { objects: [], containers: [], skipped: [{ file, kind: 'malformed', reason: je.message.slice(file.length + 2) }] };
      }
    } else {
      if (!explicit && looksTemplated(text)) return skip('helm-template', `a Helm/Go template, not YAML until rendered: ${RENDER_HELM}`);
      const err = malformedYaml(file, e, text);
      if (explicit) throw err;
      return { objects: [], containers: [], skipped: [{ file, kind: 'malformed', reason: err.message.slice(file.length + 2) }] };
    }
  }
  if (PATCH_DIRECTIVE.test(text)) return skip('kustomize-patch', `a kustomize patch (\`$patch\`), not a complete object: ${RENDER_KUSTOMIZE}`);
  // Templates that happen to parse (`name: {{ include "x" . }}` is a flow mapping) give objects whose name is not a string.
  if (looksTemplated(text) && docs.some((d) => isRecord(d) && (typeof d.kind !== 'string' || (d.metadata !== undefined && !isRecord(d.metadata)) || (isRecord(d.metadata) && d.metadata.name !== undefined && typeof d.metadata.name !== 'string')))) {
    return skip('helm-template', `a Helm/Go template, not YAML until rendered: ${RENDER_HELM}`);
  }
  docs.forEach((tagged, i) => {
    // `services: !override {…}` / `!reset` (Compose merge tags) on the mapping itself.
    const top = isRecord(tagged) ? tagged.services : undefined;
    const doc = top instanceof ComposeOverride || isReset(top) ? applyTags(tagged) : tagged;
    if (doc === null || doc === undefined) return;
    const where = docs.length > 1 ? `document ${i + 1}` : 'the document';
    // The files a Compose file includes are audited too, each as a file of its own (with its own positions).
    if (isRecord(doc) && Array.isArray(doc.include) && doc.kind === undefined && doc.apiVersion === undefined) {
      for (const entry of includedFiles(doc, source.path)) includes.push(entry);
      if (!isRecord(doc.services)) return;
    }
    if (isComposeDocument(doc)) {
      const { services, extended } = composeServices(doc.services, file, source);
      const cs = composeContainers({ services }, file);
      // An extended service's lists hold inherited entries: its findings point at the key, not at an index of its own list.
      for (const c of cs) containers.push(index ? { ...c, locate: composeLocator(index, doc.services[c.name], extended.has(c.name)) } : c);
      return;
    }
    if (!isRecord(doc)) {
      const what = `${where} is a ${Array.isArray(doc) ? 'sequence' : typeof doc}, not a Kubernetes object or a Compose file`;
      if (explicit) throw new InputError(`${file}: document ${i + 1} is a ${Array.isArray(doc) ? 'sequence' : typeof doc}, not a Kubernetes object or a Compose file`);
      skipped.push({ file, kind: 'not-kubernetes', reason: what });
      return;
    }
    // A flows file (`flows:` only, for `hardened verify-flows`) sits beside the manifests it describes.
    if (isFlowsDocument(doc)) {
      skipped.push({ file, kind: 'flows', reason: 'a flows file (hardened verify-flows --flows), not a Kubernetes object' });
      return;
    }
    if (typeof doc.kind !== 'string' || typeof doc.apiVersion !== 'string') {
      const chart = doc.kind === undefined && typeof doc.name === 'string' && doc.version !== undefined && /^v[12]$/.test(scalarText(doc.apiVersion));
      if (explicit) {
        throw new InputError(chart
          ? `${file}: a Helm chart's Chart.yaml, not a Kubernetes object: audit the rendered chart instead (e.g. \`helm template RELEASE CHART | hardened audit -\`)`
          : `${file}: document ${i + 1} has no kind/apiVersion: not a Kubernetes object (nor a Compose file with services)`);
      }
      skipped.push({ file, kind: chart ? 'helm-chart' : 'not-kubernetes', reason: chart ? `a Helm chart's Chart.yaml: ${RENDER_HELM}` : `${where} has no kind/apiVersion: not a Kubernetes object or a Compose file` });
      return;
    }
    if (isToolConfiguration(doc.apiVersion)) {
      skipped.push({ file, kind: 'tool-configuration', reason: `${doc.apiVersion} ${doc.kind} configures a client-side tool, it is not applied to a cluster` });
      return;
    }
    if (doc.kind.endsWith('List') && Array.isArray(doc.items)) {
      doc.items.forEach((item: unknown, j: number) => {
        if (!isRecord(item) || typeof item.kind !== 'string') throw new InputError(`${file}: document ${i + 1}, item ${j + 1} is not a Kubernetes object`);
        objects.push({ object: item as K8sObject, source: file, ...(index ? { locate: objectLocator(index, item) } : {}) });
      });
      return;
    }
    objects.push({ object: doc as K8sObject, source: file, ...(index ? { locate: objectLocator(index, doc) } : {}) });
  });
  return { objects, containers, skipped, includes };
}

/** Files named as patches by the kustomizations among the inputs (resolved real paths). */
function kustomizePatches(files: readonly InputFile[], max: number): Set<string> {
  const out = new Set<string>();
  for (const f of files) {
    if (f.explicit || !KUSTOMIZATION_FILES.has(path.basename(f.file))) continue;
    let doc: any;
    try {
      doc = loadYamlWithPositions(readInput(f, max)).docs[0];
    } catch {
      continue;
    }
    if (!isRecord(doc)) continue;
    const refs: unknown[] = [];
    for (const key of ['patchesStrategicMerge', 'patchesJson6902', 'patches']) {
      for (const p of Array.isArray(doc[key]) ? doc[key] : []) refs.push(isRecord(p) ? p.path : p);
    }
    for (const r of refs) {
      if (typeof r !== 'string' || r.includes('\n')) continue;
      try {
        out.add(fs.realpathSync(path.resolve(path.dirname(f.file), r)));
      } catch {
        // a missing patch file is kustomize's error to report
      }
    }
  }
  return out;
}

/** Read and parse every input. `-` reads stdin. */
export function loadInputs(paths: readonly string[], optsOrProgress?: LoadOptions | ((done: number, total: number) => void)): LoadedInput {
  const opts: LoadOptions = typeof optsOrProgress === 'function' ? { onProgress: optsOrProgress } : optsOrProgress ?? {};
  const max = opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const skipped: SkippedFile[] = [];
  const files = expandPaths(paths.length ? paths : ['-'], skipped);
  const patches = kustomizePatches(files, max);
  const objects: SourcedObject[] = [];
  const containers: DockerContainer[] = [];
  const dockerfiles: DockerfileView[] = [];
  let audited = 0;
  // Files already listed, by real path: an included file that is also an input is read once.
  const listed = new Set<string>();
  const realOf = (file: string) => {
    try {
      return fs.realpathSync(file);
    } catch {
      return path.resolve(file);
    }
  };
  for (const f of files) if (f.file !== '-') listed.add(realOf(f.file));
  /** Files of include path lists (real path → the list), and the containers audited merged. */
  const overrides = new Map<string, string>();
  const mergedContainers = new Set<DockerContainer>();
  /** Files audited on their own (name → real path). */
  const alone = new Map<string, string>();
  const addIncludes = (entries: readonly string[][]) => {
    for (const entry of entries) {
      const reals = entry.map(realOf);
      const key = reals.join('\0');
      if (listed.has(key)) continue;
      listed.add(key);
      if (entry.length === 1) {
        // Named by the file that includes it: a missing or unreadable one is an input error, as for Compose.
        files.push({ file: shown(entry[0]), explicit: true });
      } else {
        // Its files are audited merged; found on their own too (a folder walk), they are not audited again.
        for (const r of reals) overrides.set(r, entry.map(shown).join(' + '));
        files.push({ file: shown(entry[0]), explicit: true, merge: entry });
      }
    }
  };
  const one = (f: InputFile, i: number) => {
    const name = f.file === '-' ? '<stdin>' : f.file;
    opts.onProgress?.(i + 1, files.length);
    if (f.merge) {
      const m = parseMergedCompose(f.merge, max);
      audited++;
      for (const c of m.containers) {
        mergedContainers.add(c);
        containers.push(c);
      }
      addIncludes(m.includes);
      return;
    }
    if (!f.explicit) {
      const base = path.basename(f.file);
      if (f.chart && path.relative(f.chart, f.file).split(path.sep)[0] === 'templates') {
        skipped.push({ file: name, kind: 'helm-template', reason: `a template of the Helm chart in ${f.chart}: render it first, e.g. \`helm template RELEASE ${f.chart} | hardened audit -\`` });
        return;
      }
      if (base === 'Chart.yaml' && f.chart) {
        skipped.push({ file: name, kind: 'helm-chart', reason: `a Helm chart's Chart.yaml: ${RENDER_HELM}` });
        return;
      }
      if (f.chart && /^values.*\.ya?ml$/.test(base)) {
        skipped.push({ file: name, kind: 'helm-values', reason: `values of the Helm chart in ${f.chart}, not a Kubernetes object` });
        return;
      }
      if (patches.has(fs.realpathSync(f.file))) {
        skipped.push({ file: name, kind: 'kustomize-patch', reason: `a patch of a kustomization: ${RENDER_KUSTOMIZE}` });
        return;
      }
    }
    let text: string;
    try {
      text = readInput(f, max);
    } catch (e) {
      if (f.explicit || !(e instanceof InputError)) throw e;
      skipped.push({ file: name, kind: /larger than/.test(e.message) ? 'too-large' : 'unreadable', reason: e.message.slice(name.length + 2) });
      return;
    }
    if (f.file !== '-' && isDockerfileName(path.basename(f.file))) {
      dockerfiles.push(parseDockerfile(text, name));
      audited++;
      return;
    }
    const r = parseText(text, name, f.explicit, { path: f.file === '-' ? undefined : f.file, maxFileSize: max });
    if (f.file !== '-' && r.containers.length) alone.set(name, realOf(f.file));
    if (r.objects.length || r.containers.length || !r.skipped.length) audited++;
    // Loops, not push(...list): a file with 100,000s of documents or services would overflow the call stack.
    for (const o of r.objects) objects.push(o);
    for (const c of r.containers) containers.push(c);
    for (const k of r.skipped) skipped.push(k);
    addIncludes(r.includes ?? []);
  };
  // Indexed: included files are appended while the list is read.
  for (let i = 0; i < files.length; i++) one(files[i], i);
  // A file of a path list that was also audited on its own (a folder walk found it): its services
  // are audited merged, so its findings alone (a fragment's, or overridden ones) are dropped.
  const fragments = new Set<string>();
  for (const [name, real] of alone) {
    const list = overrides.get(real);
    if (list === undefined) continue;
    fragments.add(name);
    audited--;
    skipped.push({ file: name, kind: 'include-override', reason: `a file of the include path list ${list}: audited merged with the others` });
  }
  const kept = fragments.size ? containers.filter((c) => mergedContainers.has(c) || !fragments.has(c.source ?? '')) : containers;
  return { objects, containers: kept, dockerfiles, files: audited, skipped };
}
