#!/usr/bin/env node
/**
 * `npm run bench [-- --json] [-- --reps N]`: ratios measured side by side in one run. Every
 * measurement is a fresh Node process; the two sides of each ratio alternate; the median of at
 * least 5 repetitions is reported. Not part of the tests.
 */
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const args = process.argv.slice(2);
const json = args.includes('--json');
const reps = Math.max(5, Number(args[args.indexOf('--reps') + 1]) || 5);
const workloads = path.join(__dirname, 'workloads.js');
const log = (s) => { if (!json) process.stderr.write(s); };

function run(...a) {
  return JSON.parse(execFileSync(process.execPath, [workloads, ...a.map(String)], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 }).trim().split('\n').pop());
}
const median = (xs) => { const s = [...xs].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** Alternate the two sides `reps` times; return the samples of each. */
function sideBySide(a, b) {
  const as = [];
  const bs = [];
  for (let i = 0; i < reps; i++) {
    as.push(run(...a));
    bs.push(run(...b));
    log('.');
  }
  return [as, bs];
}

const N = 1000;
log(`synthesis, ${N} services vs the hand-written cdk8s-plus-28 equivalent `);
const [h, p] = sideBySide(['hardened', N], ['plain', N]);
const hPer = median(h.map((r) => r.ms / r.objects));
const pPer = median(p.map((r) => r.ms / r.objects));

log('\nscaling, 200 vs 2000 services ');
const [small, large] = sideBySide(['hardened', 200], ['hardened', 2000]);

log('\ncold import ');
const [ih, ip] = sideBySide(['import-hardened'], ['import-plain']);

log('\naudit vs parse of 10,000 objects ');
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hardened-bench-')), 'objects.yaml');
run('write-audit-input', 2000, file);
const [au, pa] = sideBySide(['audit', file], ['parse', file]);
log('\n');

const result = {
  synthPerObjectRatio: +(hPer / pPer).toFixed(3),
  scalingRatio: +(median(large.map((r) => r.ms)) / median(small.map((r) => r.ms))).toFixed(2),
  importRatio: +(median(ih.map((r) => r.ms)) / median(ip.map((r) => r.ms))).toFixed(3),
  pulumiLoaded: ih.some((r) => r.pulumiLoaded),
  auditVsParseRatio: +(median(au.map((r) => r.ms)) / median(pa.map((r) => r.ms))).toFixed(3),
  auditObjectsPerSecond: Math.round(pa[0].objects / (median(au.map((r) => r.ms)) / 1000)),
  peakRssMb: +median(large.map((r) => r.peakRssMb)).toFixed(1),
  details: {
    repetitions: reps,
    synthMsPerObject: { hardened: +hPer.toFixed(4), cdk8sPlus28: +pPer.toFixed(4), services: N, objects: h[0].objects },
    synthMs: { services200: +median(small.map((r) => r.ms)).toFixed(1), services2000: +median(large.map((r) => r.ms)).toFixed(1) },
    importMs: { hardened: +median(ih.map((r) => r.ms)).toFixed(1), cdk8sPlus28: +median(ip.map((r) => r.ms)).toFixed(1) },
    auditMs: +median(au.map((r) => r.ms)).toFixed(1),
    parseMs: +median(pa.map((r) => r.ms)).toFixed(1),
    objectsAudited: pa[0].objects,
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGb: +(os.totalmem() / 2 ** 30).toFixed(1), node: process.version, platform: `${os.platform()} ${os.release()}` },
  },
  targets: { synthPerObjectRatio: '<= 1.0', scalingRatio: '<= 11', importRatio: '<= 1.3', pulumiLoaded: false, auditVsParseRatio: '<= 2' },
};

if (json) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  const rows = [
    ['synthPerObjectRatio', result.synthPerObjectRatio, '<= 1.0', `${result.details.synthMsPerObject.hardened} vs ${result.details.synthMsPerObject.cdk8sPlus28} ms/object (${N} services, rules on)`],
    ['scalingRatio', result.scalingRatio, '<= 11', `${result.details.synthMs.services2000} ms / ${result.details.synthMs.services200} ms`],
    ['importRatio', result.importRatio, '<= 1.3', `${result.details.importMs.hardened} vs ${result.details.importMs.cdk8sPlus28} ms`],
    ['pulumiLoaded', result.pulumiLoaded, 'false', 'any @pulumi/ module loaded by the Kubernetes entry point'],
    ['auditVsParseRatio', result.auditVsParseRatio, '<= 2', `${result.details.auditMs} vs ${result.details.parseMs} ms for ${result.details.objectsAudited} objects`],
    ['auditObjectsPerSecond', result.auditObjectsPerSecond, '', ''],
    ['peakRssMb', result.peakRssMb, '', '2,000-service synthesis'],
  ];
  const w = [22, 9, 8];
  process.stdout.write(`${'metric'.padEnd(w[0])} ${'value'.padEnd(w[1])} ${'target'.padEnd(w[2])} detail\n`);
  for (const r of rows) process.stdout.write(`${String(r[0]).padEnd(w[0])} ${String(r[1]).padEnd(w[1])} ${String(r[2]).padEnd(w[2])} ${r[3]}\n`);
  const m = result.details.machine;
  process.stdout.write(`\nmedian of ${reps} alternating repetitions, fresh processes; ${m.cpus} × ${m.cpu}, ${m.memoryGb} GiB, Node ${m.node}\n`);
}
