import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Io } from './audit';
import { InputError, loadInputs } from './load';
import { buildGraph } from '../flows/graph';
import { FlowsError, loadCluster } from '../flows/model';
import { renderDot, renderHtml, renderMermaid } from '../flows/render';

export type GraphFormat = 'mermaid' | 'dot' | 'html';

export interface GraphOptions {
  readonly format?: GraphFormat;
  readonly out?: string;
  readonly force?: boolean;
}

/**
 * Write `text` to `file` atomically: a temporary file beside it, then a hard link (fails when the
 * file exists: never overwrites) or, with `force`, a rename over it.
 */
export function writeAtomic(file: string, text: string, force: boolean): void {
  const dir = path.dirname(path.resolve(file));
  if (!force && fs.existsSync(file)) throw new FlowsError(`--out ${file}: exists (pass --force to overwrite it)`);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  try {
    fs.writeFileSync(tmp, text, { flag: 'wx', mode: 0o644 });
    if (force) {
      fs.renameSync(tmp, file);
    } else {
      fs.linkSync(tmp, file);
      fs.unlinkSync(tmp);
    }
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // already gone
    }
    const code = (e as NodeJS.ErrnoException).code;
    throw new FlowsError(code === 'EEXIST' ? `--out ${file}: exists (pass --force to overwrite it)` : `--out ${file}: cannot write (${code ?? (e as Error).message})`);
  }
}

/** `hardened graph`: 0 written, 2 bad input. */
export function runGraph(paths: readonly string[], opts: GraphOptions, io: Io): number {
  const format = opts.format ?? 'mermaid';
  if (!['mermaid', 'dot', 'html'].includes(format)) {
    io.stderr(`hardened graph: --format must be mermaid, dot or html (got '${format}')\n`);
    return 2;
  }
  try {
    if (!paths.length) throw new FlowsError('give the manifests to draw (files or folders, - for stdin)');
    const input = loadInputs(paths);
    if (!input.objects.length) throw new FlowsError(`no Kubernetes objects in ${paths.join(', ')}`);
    const graph = buildGraph(loadCluster(input.objects));
    const text = format === 'dot' ? renderDot(graph) : format === 'html' ? renderHtml(graph, `Allowed traffic: ${paths.join(', ')}`) : renderMermaid(graph);
    if (opts.out) {
      writeAtomic(opts.out, text, !!opts.force);
      io.stderr(`hardened graph: wrote ${opts.out} (${graph.nodes.filter((n) => n.type === 'workload').length} workloads, ${graph.edges.length} edges)\n`);
    } else {
      io.stdout(text);
    }
    return 0;
  } catch (e) {
    if (e instanceof FlowsError || e instanceof InputError) {
      io.stderr(`hardened graph: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
