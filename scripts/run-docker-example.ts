/**
 * `npm run example:docker`: run examples/docker under Pulumi mocks and print one JSON array of every
 * registered resource, `{ type, name, inputs }`, with Pulumi secrets shown as "[secret]".
 */
import { recordResources } from '../src/docker/mocks';

async function main() {
  const resources = await recordResources(async () => {
    const { shopOnDocker } = await import('../examples/docker/main');
    shopOnDocker();
  }, { project: 'shop', stack: 'dev' });
  process.stdout.write(`${JSON.stringify(resources, null, 2)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
