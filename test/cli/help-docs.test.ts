/**
 * README, docs/ and `hardened --help` say the same things: every command and option the CLI
 * offers is documented, and the README's commands exist.
 */
import * as fs from 'fs';
import * as path from 'path';
import { run } from '../../src/cli/main';

const root = path.resolve(__dirname, '../..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const docs = fs.readdirSync(path.join(root, 'docs')).map((f) => fs.readFileSync(path.join(root, 'docs', f), 'utf8')).join('\n');

function help(...args: string[]): string {
  let out = '';
  expect(run([...args, '--help'], { stdout: (s) => { out += s; }, stderr: (s) => { out += s; }, isTTY: false })).toBe(0);
  return out;
}

const commands = [...help().matchAll(/^ {2}([a-z][a-z-]*) (?:\[options\]|<|\[)/gm)].map((m) => m[1]).filter((c) => c !== 'help');

test('the CLI has the commands the README documents', () => {
  expect(commands.sort()).toEqual(['audit', 'coverage', 'explain', 'graph', 'init', 'rules', 'synth', 'verify-flows']);
  for (const c of commands) expect(readme).toContain(`hardened ${c}`);
  const used = [...readme.matchAll(/npx hardened ([a-z][a-z-]*)/g)].map((m) => m[1]);
  for (const c of used) expect(commands).toContain(c);
});

test.each(['audit', 'rules', 'explain', 'init', 'synth', 'coverage', 'verify-flows', 'graph'])('every option of `hardened %s` is documented', (command) => {
  const options = [...help(command).matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]).filter((o) => o !== '--help');
  expect(options.length).toBeGreaterThan(0);
  for (const o of options) expect(`${readme}\n${docs}`).toContain(o);
});

test('explain is described the same way everywhere: rationale, fix, references, anchor-tool ids', () => {
  const line = help().split('\n').find((l) => l.startsWith('  explain'))!;
  expect(help()).toMatch(/rationale, fix, public\s+references/);
  expect(line).toBeDefined();
  expect(readme).toMatch(/npx hardened explain \S+ +# rationale, fix, public references/);
  expect(docs).toContain('`hardened explain`');
});
