import * as pulumi from '@pulumi/pulumi';

/** A resource registered under mocks, with the inputs the engine would receive. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: unknown;
}

const SECRET_SIG = '4dabf18193072939515e22adb298388d';
const SECRET_VALUE = '1b47061264138c4ac30d75fd1eb44270';

/** Replace Pulumi secret envelopes (as mocks see them) with the string "[secret]". */
export function unwrapSecrets(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(unwrapSecrets);
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    if (o[SECRET_SIG] === SECRET_VALUE) return '[secret]';
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return x;
}

/**
 * Run a Pulumi program under `pulumi.runtime.setMocks` (no CLI, no engine, no Docker daemon) and
 * return every registered resource in order. Outputs a real provider would compute (image ids,
 * names) are filled with stable fakes.
 */
export async function recordResources(program: () => unknown, options: { project?: string; stack?: string } = {}): Promise<RecordedResource[]> {
  const recorded: RecordedResource[] = [];
  await pulumi.runtime.setMocks({
    newResource: (args) => {
      recorded.push({ type: args.type, name: args.name, inputs: unwrapSecrets(args.inputs) });
      const state: Record<string, unknown> = { ...args.inputs };
      if (args.type === 'docker:index/remoteImage:RemoteImage') {
        state.imageId = `sha256:${Buffer.from(String(args.inputs.name)).toString('hex').padEnd(64, '0').slice(0, 64)}`;
        state.repoDigest = `${args.inputs.name}`;
      }
      if (state.name === undefined) state.name = args.name;
      return { id: `${args.name}-id`, state };
    },
    call: (args) => args.inputs,
  }, options.project ?? 'hardened-example', options.stack ?? 'dev', false);
  await program();
  await pulumi.runtime.disconnect();
  return recorded;
}
