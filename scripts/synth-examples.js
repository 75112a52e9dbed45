#!/usr/bin/env node
/**
 * `npm run synth`: synthesize every Kubernetes example (examples/<name>/main.ts) into dist/<name>/
 * and audit the result. Each example is synthesized into a temporary folder first and moved into
 * place only when synthesis succeeded, so a refused example leaves dist/ as it was.
 */
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const examplesDir = path.join(root, 'examples');
const dist = path.join(root, 'dist');
const only = process.argv.slice(2);

// Kubernetes examples have a cdk8s.yaml; examples/docker is the Pulumi program.
const all = fs.readdirSync(examplesDir).filter((d) => only.length === 0 || only.includes(d)).sort();
const examples = all.filter((d) => fs.existsSync(path.join(examplesDir, d, 'cdk8s.yaml')));
const dockerExamples = all.filter((d) => !examples.includes(d) && fs.existsSync(path.join(examplesDir, d, 'main.ts')));

let failed = 0;
for (const name of examples) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `hardened-${name}-`));
  const started = Date.now();
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'main.ts'], {
    cwd: path.join(examplesDir, name),
    env: { ...process.env, CDK8S_OUTDIR: tmp },
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`✗ ${name}: synthesis refused (dist/${name} left unchanged)\n${r.stderr || r.stdout}\n`);
    fs.rmSync(tmp, { recursive: true, force: true });
    continue;
  }
  const target = path.join(dist, name);
  fs.mkdirSync(dist, { recursive: true });
  fs.rmSync(target, { recursive: true, force: true });
  fs.cpSync(tmp, target, { recursive: true });
  fs.rmSync(tmp, { recursive: true, force: true });
  const files = fs.readdirSync(target);
  process.stdout.write(`✓ ${name}: ${files.length} file(s) in dist/${name} (${Date.now() - started} ms)\n`);
}

// The Docker example: every resource it registers (under Pulumi mocks) as one JSON file. Its
// containers were checked by the rule catalogue before registration.
for (const name of dockerExamples) {
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', path.join(root, 'scripts', 'run-docker-example.ts')], {
    cwd: root,
    env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'test', 'tsconfig.json') },
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`✗ ${name}: refused (dist/${name} left unchanged)\n${r.stderr}\n`);
    continue;
  }
  const resources = JSON.parse(r.stdout);
  fs.mkdirSync(path.join(dist, name), { recursive: true });
  fs.writeFileSync(path.join(dist, name, 'resources.json'), r.stdout);
  const containers = resources.filter((x) => x.type === 'docker:index/container:Container').length;
  process.stdout.write(`✓ ${name}: ${resources.length} Pulumi resources (${containers} containers) in dist/${name}/resources.json\n`);
}

if (failed) process.exit(1);

// Audit what was written, with the same rule catalogue that guarded synthesis. Each app is audited
// on its own (an example with variants writes one app per folder): two apps that both define their
// namespace would otherwise be reported as the same object defined twice.
const { run } = require(path.join(root, 'lib', 'cli', 'main.js'));
const appFolders = (dir) => {
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  const own = entries.some((e) => e.isFile() && /\.ya?ml$/.test(e.name)) ? [dir] : [];
  return own.concat(...entries.filter((e) => e.isDirectory()).map((e) => appFolders(path.join(dir, e.name))));
};
let code = 0;
for (const e of examples) {
  for (const folder of appFolders(path.join('dist', e))) {
    const files = fs.readdirSync(folder).filter((f) => /\.ya?ml$/.test(f) && f !== 'flows.yaml').map((f) => path.join(folder, f));
    process.stdout.write(`\nhardened audit ${files.join(' ')}\n`);
    code = Math.max(code, run(['audit', ...files, '--fail-on', 'warning']));
    // An app that declares its flows: every declared flow allowed, nothing else (DNS aside).
    const flows = path.join(folder, 'flows.yaml');
    if (fs.existsSync(flows)) {
      process.stdout.write(`\nhardened verify-flows --flows ${flows} --strict ${files.join(' ')}\n`);
      code = Math.max(code, run(['verify-flows', '--flows', flows, '--strict', ...files]));
    }
  }
}
process.exit(code);
