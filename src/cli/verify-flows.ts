import * as fs from 'fs';
import { Io } from './audit';
import { decodeText, EncodingError } from './encoding';
import { InputError, loadInputs } from './load';
import { FlowsError, loadCluster } from '../flows/model';
import { formatVerifyText, parseFlowsFile, verifyFlows } from '../flows/verify';

export interface VerifyFlowsOptions {
  readonly flows: string;
  readonly strict?: boolean;
  readonly format?: 'text' | 'json';
}

/** `hardened verify-flows`: 0 every flow as expected, 1 blocked or unexpected flows, 2 bad input. */
export function runVerifyFlows(paths: readonly string[], opts: VerifyFlowsOptions, io: Io): number {
  const format = opts.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    io.stderr(`hardened verify-flows: --format must be text or json (got '${format}')\n`);
    return 2;
  }
  try {
    let text: string;
    try {
      text = decodeText(fs.readFileSync(opts.flows), `--flows ${opts.flows}`);
    } catch (e) {
      if (e instanceof EncodingError) throw new FlowsError(e.message);
      throw new FlowsError(`--flows ${opts.flows}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const flows = parseFlowsFile(text, opts.flows);
    if (!paths.length) throw new FlowsError('give the manifests to check (files or folders, - for stdin)');
    const input = loadInputs(paths);
    if (!input.objects.length) throw new FlowsError(`no Kubernetes objects in ${paths.join(', ')}`);
    const cluster = loadCluster(input.objects);
    const result = verifyFlows(cluster, flows, { strict: opts.strict });
    if (format === 'json') io.stdout(JSON.stringify(result, null, 2) + '\n');
    else io.stdout(formatVerifyText(result));
    return result.blocked.length || result.unexpected.length ? 1 : 0;
  } catch (e) {
    if (e instanceof FlowsError || e instanceof InputError) {
      io.stderr(`hardened verify-flows: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
