import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { composeContainers, isComposeDocument } from '../policy/compose';
import { SourcedObject } from '../policy/engine';
import { DockerContainer, K8sObject } from '../policy/types';

/** Bad input: the CLI prints the message (one line) and exits 2. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export interface LoadedInput {
  readonly objects: SourcedObject[];
  readonly containers: DockerContainer[];
  readonly files: number;
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Expand paths (files, folders recursively, `-` for stdin) into a sorted file list. */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, explicit: boolean) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      throw new InputError(`${p}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (st.isDirectory()) {
      let entries: string[];
      try {
        entries = fs.readdirSync(p).sort();
      } catch (e) {
        throw new InputError(`${p}: cannot read directory (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      for (const e of entries) {
        if (e === 'node_modules' || e.startsWith('.')) continue;
        const child = path.join(p, e);
        let cst: fs.Stats;
        try {
          cst = fs.statSync(child);
        } catch {
          continue;
        }
        if (cst.isDirectory()) walk(child, false);
        else if (EXTENSIONS.has(path.extname(e).toLowerCase())) out.push(child);
      }
    } else if (explicit || EXTENSIONS.has(path.extname(p).toLowerCase())) {
      out.push(p);
    }
  };
  for (const p of paths) {
    if (p === '-') out.push('-');
    else walk(p, true);
  }
  return out;
}

function isFlowsDocument(doc: Record<string, any>): boolean {
  const keys = Object.keys(doc);
  return keys.length === 1 && keys[0] === 'flows' && Array.isArray(doc.flows);
}

function isRecord(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Parse one file's text into Kubernetes objects and Compose containers. */
export function parseText(text: string, file: string): { objects: SourcedObject[]; containers: DockerContainer[] } {
  const objects: SourcedObject[] = [];
  const containers: DockerContainer[] = [];
  let docs: unknown[];
  if (file.endsWith('.json')) {
    try {
      const parsed = JSON.parse(text);
      docs = Array.isArray(parsed) ? parsed : [parsed];
    } catch (e) {
      throw new InputError(`${file}: invalid JSON: ${(e as Error).message}`);
    }
  } else {
    // YAML is a superset of JSON, so JSON on stdin parses here too.
    docs = parseYaml(text, file);
  }
  docs.forEach((doc, i) => {
    if (doc === null || doc === undefined) return;
    if (isComposeDocument(doc)) {
      containers.push(...composeContainers(doc, file));
      return;
    }
    if (!isRecord(doc)) throw new InputError(`${file}: document ${i + 1} is a ${Array.isArray(doc) ? 'sequence' : typeof doc}, not a Kubernetes object or a Compose file`);
    // A flows file (`flows:` only, for `hardened verify-flows`) sits beside the manifests it describes.
    if (isFlowsDocument(doc)) return;
    if (typeof doc.kind !== 'string' || typeof doc.apiVersion !== 'string') {
      const chart = doc.kind === undefined && typeof doc.name === 'string' && doc.version !== undefined && /^v[12]$/.test(String(doc.apiVersion));
      throw new InputError(chart
        ? `${file}: a Helm chart's Chart.yaml, not a Kubernetes object: audit the rendered chart instead (${RENDER_FIRST})`
        : `${file}: document ${i + 1} has no kind/apiVersion: not a Kubernetes object (nor a Compose file with services)${templateHint(text)}`);
    }
    if (isToolConfiguration(doc.apiVersion)) return;
    if (doc.kind.endsWith('List') && Array.isArray(doc.items)) {
      doc.items.forEach((item: unknown, j: number) => {
        if (!isRecord(item) || typeof item.kind !== 'string') throw new InputError(`${file}: document ${i + 1}, item ${j + 1} is not a Kubernetes object`);
        objects.push({ object: item as K8sObject, source: file });
      });
      return;
    }
    objects.push({ object: doc as K8sObject, source: file });
  });
  return { objects, containers };
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

const RENDER_FIRST = 'e.g. `helm template RELEASE CHART | hardened audit -`';

/** Helm and other Go templates are not YAML until rendered: say so instead of a bare parse error. */
function templateHint(text: string): string {
  return /\{\{[^}]*\}\}/.test(text) ? ` (it looks like a Helm/Go template: render it first, ${RENDER_FIRST})` : '';
}

function parseYaml(text: string, file: string): unknown[] {
  let parsed;
  try {
    parsed = parseAllDocuments(text, { prettyErrors: true, merge: true });
  } catch (e) {
    throw new InputError(`${file}: malformed YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const docs = Array.isArray(parsed) ? parsed : [parsed];
  for (const d of docs) {
    const err = d.errors?.[0];
    if (err) {
      const line = err.linePos?.[0];
      throw new InputError(`${file}${line ? `:${line.line}:${line.col}` : ''}: malformed YAML: ${err.message.split('\n')[0].replace(/:\s*$/, '')}${templateHint(text)}`);
    }
  }
  return docs.map((d) => {
    try {
      return d.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw new InputError(`${file}: malformed YAML: ${(e as Error).message.split('\n')[0]}`);
    }
  });
}

/** Read and parse every input. `-` reads stdin. */
export function loadInputs(paths: readonly string[], onProgress?: (done: number, total: number) => void): LoadedInput {
  const files = expandPaths(paths.length ? paths : ['-']);
  const objects: SourcedObject[] = [];
  const containers: DockerContainer[] = [];
  files.forEach((f, i) => {
    let text: string;
    try {
      text = f === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(f, 'utf8');
    } catch (e) {
      throw new InputError(`${f === '-' ? '<stdin>' : f}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const r = parseText(text, f === '-' ? '<stdin>' : f);
    objects.push(...r.objects);
    containers.push(...r.containers);
    onProgress?.(i + 1, files.length);
  });
  return { objects, containers, files: files.length };
}
