/**
 * `npm run example:docker`: run the Pulumi program of examples/docker (its entry module, index.ts)
 * under Pulumi mocks and print one JSON array of every registered resource, `{ type, name, inputs }`,
 * with Pulumi secrets shown as "[secret]". Findings the program logs with `pulumi.log.warn` (the
 * PIDs-limit gap, what Docker cannot enforce) go to stderr, as `pulumi preview` would show them.
 */
import { recordResources } from '../src/docker/mocks';

async function main() {
  // Without an engine, pulumi.log.info writes to stdout: keep stdout for the JSON.
  console.log = (...args: unknown[]) => process.stderr.write(`${args.map(String).join(' ')}\n`);
  const resources = await recordResources(async () => {
    await import('../examples/docker/index');
  }, { project: 'shop-docker', stack: 'dev' });
  process.stdout.write(`${JSON.stringify(resources, null, 2)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
