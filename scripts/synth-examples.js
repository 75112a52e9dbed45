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

const examples = fs.readdirSync(examplesDir)
  .filter((d) => fs.existsSync(path.join(examplesDir, d, 'main.ts')))
  .filter((d) => only.length === 0 || only.includes(d))
  .sort();

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

if (failed) process.exit(1);

// Audit what was written, with the same rule catalogue that guarded synthesis.
process.stdout.write('\nhardened audit dist/\n');
const { run } = require(path.join(root, 'lib', 'cli', 'main.js'));
const code = run(['audit', ...examples.map((e) => path.join('dist', e)), '--fail-on', 'warning']);
process.exit(code);
