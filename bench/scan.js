#!/usr/bin/env node
/**
 * `node bench/scan.js [--json]`: the secret scanner and redaction are linear. Times findSecret +
 * redact over adversarial inputs of 64 KiB and 1 MiB (the credential-URL check used to be
 * quadratic: 64 KiB took 10 s). Reports ms per MiB and the 1 MiB / 64 KiB ratio (linear: ~16).
 * Not part of the tests; run after `npm run compile` (uses lib/).
 */
'use strict';
const path = require('path');
const { performance } = require('perf_hooks');
const { findSecret, redact } = require(path.join(process.env.HARDENED_LIB || path.join(__dirname, '..', 'lib'), 'spec', 'redact.js'));

const shapes = {
  'scheme-repeat': (n) => 'a://'.repeat(n / 4),
  'userinfo-colons': (n) => `${'a:'.repeat(n / 2)}@`,
  'jwt-prefix': (n) => 'eyJ'.repeat(Math.floor(n / 3)),
  'assignments': (n) => 'a=b '.repeat(n / 4),
  'mysql-flags': (n) => `mysql ${'-p'.repeat(n / 2)}`,
  'plain': (n) => 'x'.repeat(n),
};
const time = (s) => {
  const t = performance.now();
  findSecret(s);
  redact(s);
  return performance.now() - t;
};
const rows = Object.entries(shapes).map(([name, make]) => {
  const small = make(64 * 1024);
  const big = make(1024 * 1024);
  time(small);
  const ts = Math.min(time(small), time(small), time(small));
  const tb = Math.min(time(big), time(big), time(big));
  return { input: name, msPerMiB: Math.round(tb * 10) / 10, ratio1MiBto64KiB: Math.round((tb / ts) * 10) / 10 };
});
if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(rows)}\n`);
else for (const r of rows) process.stdout.write(`${r.input.padEnd(18)} ${String(r.msPerMiB).padStart(8)} ms/MiB   1 MiB / 64 KiB = ${r.ratio1MiBto64KiB}\n`);
