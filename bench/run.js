#!/usr/bin/env node
/**
 * `npm run bench [-- --json] [-- --reps N] [-- --quick]`: ratios measured side by side in one run.
 * Every measurement is a fresh Node process; the sides of each ratio alternate within every
 * repetition; ratios are medians of the per-repetition ratios (paired, so load that changes during
 * the run hits both sides alike). Not part of the tests. Estimated at about 5 minutes on 2 idle cores; `--quick`
 * uses smaller inputs (stated in the output) for a run under load.
 */
'use strict';
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const reps = Math.max(quick ? 3 : 5, Number(args[args.indexOf('--reps') + 1]) || 0);
const bigReps = quick ? 1 : 3; // the 5,000-service runs
const workloads = path.join(__dirname, 'workloads.js');
const bin = path.join(__dirname, '..', 'bin', 'hardened');
const log = (s) => { if (!json) process.stderr.write(s); };
// The guard prints a summary on every synthesis; not wanted in the middle of a measurement.
const env = { ...process.env, HARDENED_QUIET: '1' };

function run(...a) {
  const outText = execFileSync(process.execPath, [workloads, ...a.map(String)], { encoding: 'utf8', env, maxBuffer: 64 * 2 ** 20 });
  return JSON.parse(outText.trim().split('\n').pop());
}
/** Wall time of a whole process, start included. */
function timeProcess(argv) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', env, maxBuffer: 64 * 2 ** 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms };
}
const median = (xs) => { const s = [...xs].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const r2 = (x, d = 3) => +x.toFixed(d);

/** Run every side once per repetition, in turn; returns the samples of each side. */
function interleaved(n, ...sides) {
  const samples = sides.map(() => []);
  for (let i = 0; i < n; i++) {
    sides.forEach((s, j) => samples[j].push(typeof s === 'function' ? s() : run(...s)));
    log('.');
  }
  return samples;
}
/** Median of the per-repetition ratios a[i].field / b[i].field. */
const pairedRatio = (a, b, field = 'ms') => median(a.map((x, i) => x[field] / b[i][field]));

// Growth is measured over ×5 services: N → NBIG.
const N = quick ? 200 : 1000;
const NBIG = N * 5;
const NPER = quick ? 500 : 1000;

log(`synthesis, ${N} services in one chart: hardened vs byte-identical L1 vs cdk8s-plus-28 `);
const [h1, l1, p1] = interleaved(reps, ['hardened', N, 'one'], ['l1', N, 'one'], ['plain', N]);
log(`\nsynthesis, ${NPER} services in one chart each: hardened vs byte-identical L1 `);
const [hPer, lPer] = interleaved(reps, ['hardened', NPER, 'per'], ['l1', NPER, 'per']);
log(`\ngrowth to ${NBIG} services (both layouts) and peak RSS vs L1 `);
const [hBig, lBig, hPerBig] = interleaved(bigReps, ['hardened', NBIG, 'one'], ['l1', NBIG, 'one'], ['hardened', NBIG, 'per']);
const [hPerSmall] = NPER === N ? [hPer] : interleaved(bigReps, ['hardened', N, 'per']);
const identical = [[h1[0], l1[0]], [hPer[0], lPer[0]], [hBig[0], lBig[0]]].every(([a, b]) => a.digest === b.digest && a.bytes === b.bytes);

log('\nscaling, 200 vs 2000 services ');
const [small, large] = interleaved(reps, ['hardened', 200], ['hardened', 2000]);

log('\ncold import ');
const [ih, ip] = interleaved(reps, ['import-hardened'], ['import-plain']);

const AUDIT_OBJECTS = quick ? 4000 : 10000;
log(`\naudit of ${AUDIT_OBJECTS} mixed objects vs parsing them (yaml in-process; js-yaml, process start included) `);
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hardened-bench-')), 'objects.yaml');
run('write-audit-input', AUDIT_OBJECTS, file);
const [au, pa, auProc, jsProc] = interleaved(reps, ['audit', file], ['parse', file],
  () => timeProcess([bin, 'audit', file, '--format', 'json']),
  () => timeProcess([workloads, 'jsyaml-load', file]));

const SEL_SMALL = quick ? 1000 : 2000;
const SEL_LARGE = SEL_SMALL * 4;
log(`\nselector lookups, ${SEL_SMALL} vs ${SEL_LARGE} apps sharing their first label `);
const [selS, selL] = interleaved(reps, ['selector-rules', SEL_SMALL], ['selector-rules', SEL_LARGE]);

log('\nCLI start: hardened --help vs node -e 0 ');
const [cli, nodeOnly] = interleaved(Math.max(11, reps), () => timeProcess([bin, '--help']), () => timeProcess(['-e', '0']));
log('\n');

const ms = (xs) => r2(median(xs.map((r) => r.ms)), 1);
const perObject = (xs) => median(xs.map((r) => r.ms / r.objects));
const result = {
  // Kept from earlier rounds.
  synthPerObjectRatio: r2(pairedRatio(h1.map((r) => ({ ms: r.ms / r.objects })), p1.map((r) => ({ ms: r.ms / r.objects })))),
  scalingRatio: r2(median(large.map((r) => r.ms)) / median(small.map((r) => r.ms)), 2),
  importRatio: r2(pairedRatio(ih, ip)),
  pulumiLoaded: ih.some((r) => r.pulumiLoaded),
  auditVsParseRatio: r2(pairedRatio(au, pa)),
  auditObjectsPerSecond: Math.round(pa[0].objects / (median(au.map((r) => r.ms)) / 1000)),
  peakRssMb: r2(median(large.map((r) => r.peakRssMb)), 1),
  // Against byte-identical L1 objects, in both layouts.
  synthVsL1Ratio: r2(pairedRatio(h1, l1)),
  synthVsL1ChartPerServiceRatio: r2(pairedRatio(hPer, lPer)),
  growth1kTo5k: r2(median(hBig.map((r) => r.ms)) / median(h1.map((r) => r.ms)), 2),
  growth1kTo5kChartPerService: r2(median(hPerBig.map((r) => r.ms)) / median(hPerSmall.map((r) => r.ms)), 2),
  auditVsJsYamlRatio: r2(pairedRatio(auProc, jsProc)),
  selectorScaling: r2(median(selL.map((r) => r.ms)) / median(selS.map((r) => r.ms)), 2),
  cliStartRatio: r2(pairedRatio(cli, nodeOnly)),
  peakRssVsL1Ratio: r2(pairedRatio(hBig, lBig, 'peakRssMb')),
  byteIdenticalToL1: identical,
  details: {
    quick,
    repetitions: reps,
    repetitionsAt5k: bigReps,
    sizes: { services: N, servicesChartPerService: NPER, servicesLarge: NBIG, auditObjects: AUDIT_OBJECTS, selectorApps: [SEL_SMALL, SEL_LARGE] },
    synthMsPerObject: { hardened: r2(perObject(h1), 4), l1: r2(perObject(l1), 4), cdk8sPlus28: r2(perObject(p1), 4), objects: h1[0].objects },
    synthMsPerObjectChartPerService: { hardened: r2(perObject(hPer), 4), l1: r2(perObject(lPer), 4), objects: hPer[0].objects },
    synthMsLarge: { hardenedOneChart: ms(hBig), l1OneChart: ms(lBig), hardenedChartPerService: ms(hPerBig), hardenedChartPerServiceSmall: ms(hPerSmall) },
    l1Growth1kTo5k: r2(median(lBig.map((r) => r.ms)) / median(l1.map((r) => r.ms)), 2),
    cpuRatios: { synthVsL1: r2(pairedRatio(h1, l1, 'cpuMs')), synthVsL1ChartPerService: r2(pairedRatio(hPer, lPer, 'cpuMs')), synthVsL1At5k: r2(pairedRatio(hBig, lBig, 'cpuMs')) },
    synthVsL1RatioAt5k: r2(pairedRatio(hBig, lBig)),
    peakRssMbAt5k: { hardened: r2(median(hBig.map((r) => r.peakRssMb)), 1), l1: r2(median(lBig.map((r) => r.peakRssMb)), 1) },
    synthMs: { services200: ms(small), services2000: ms(large) },
    importMs: { hardened: ms(ih), cdk8sPlus28: ms(ip) },
    auditMs: ms(au),
    parseMs: ms(pa),
    auditProcessMs: ms(auProc),
    jsYamlProcessMs: ms(jsProc),
    objectsAudited: pa[0].objects,
    selectorRulesMs: { small: ms(selS), large: ms(selL) },
    cliStartMs: { hardenedHelp: ms(cli), nodeE0: ms(nodeOnly) },
    loadAverage: os.loadavg().map((x) => r2(x, 2)),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGb: r2(os.totalmem() / 2 ** 30, 1), node: process.version, platform: `${os.platform()} ${os.release()}` },
  },
};

const TARGETS = {
  synthPerObjectRatio: ['<=', 1.0],
  scalingRatio: ['<=', 11],
  importRatio: ['<=', 1.3],
  pulumiLoaded: ['==', false],
  auditVsParseRatio: ['<=', 2],
  synthVsL1Ratio: ['<=', 1.10],
  synthVsL1ChartPerServiceRatio: ['<=', 1.10],
  growth1kTo5k: ['<=', 5.5],
  growth1kTo5kChartPerService: ['<=', 5.5],
  auditVsJsYamlRatio: ['<=', 3.0],
  selectorScaling: ['<=', 5],
  cliStartRatio: ['<=', 1.6],
  peakRssVsL1Ratio: ['<=', 1.15],
  byteIdenticalToL1: ['==', true],
};
result.targets = {};
result.verdicts = {};
for (const [k, [op, t]] of Object.entries(TARGETS)) {
  result.targets[k] = `${op} ${t}`;
  result.verdicts[k] = (op === '<=' ? result[k] <= t : result[k] === t) ? 'MET' : 'MISSED';
}
if (quick) result.note = `--quick: smaller inputs than the issue's (growth ${N}→${NBIG} services in both layouts, ${NPER} charts for the chart-per-service ratio, audit of ${AUDIT_OBJECTS} objects, selectors ${SEL_SMALL}→${SEL_LARGE} apps)`;

if (json) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  const d = result.details;
  const detail = {
    synthPerObjectRatio: `${d.synthMsPerObject.hardened} vs ${d.synthMsPerObject.cdk8sPlus28} ms/object (cdk8s-plus-28 L2 + patches, ${N} services)`,
    scalingRatio: `${d.synthMs.services2000} ms / ${d.synthMs.services200} ms`,
    importRatio: `${d.importMs.hardened} vs ${d.importMs.cdk8sPlus28} ms`,
    pulumiLoaded: 'any @pulumi/ module loaded by the Kubernetes entry point',
    auditVsParseRatio: `${d.auditMs} vs ${d.parseMs} ms (yaml parseAllDocuments) for ${d.objectsAudited} objects`,
    auditObjectsPerSecond: '',
    peakRssMb: '2,000-service synthesis',
    synthVsL1Ratio: `${d.synthMsPerObject.hardened} vs ${d.synthMsPerObject.l1} ms/object, ${N} services in one chart (CPU-time ratio ${d.cpuRatios.synthVsL1}; at ${NBIG}: ${d.synthVsL1RatioAt5k})`,
    synthVsL1ChartPerServiceRatio: `${d.synthMsPerObjectChartPerService.hardened} vs ${d.synthMsPerObjectChartPerService.l1} ms/object, ${NPER} charts (CPU ${d.cpuRatios.synthVsL1ChartPerService})`,
    growth1kTo5k: `${d.synthMsLarge.hardenedOneChart} ms at ${NBIG} services vs ${N} (L1: ×${d.l1Growth1kTo5k})`,
    growth1kTo5kChartPerService: `${d.synthMsLarge.hardenedChartPerService} vs ${d.synthMsLarge.hardenedChartPerServiceSmall} ms`,
    auditVsJsYamlRatio: `${d.auditProcessMs} vs ${d.jsYamlProcessMs} ms, whole processes, ${d.objectsAudited} objects`,
    selectorScaling: `rules ${d.selectorRulesMs.large} vs ${d.selectorRulesMs.small} ms (×4 apps)`,
    cliStartRatio: `${d.cliStartMs.hardenedHelp} vs ${d.cliStartMs.nodeE0} ms`,
    peakRssVsL1Ratio: `${d.peakRssMbAt5k.hardened} vs ${d.peakRssMbAt5k.l1} MB at ${NBIG} services`,
    byteIdenticalToL1: 'sha-256 of both YAML outputs',
  };
  const w = [30, 9, 9, 7];
  process.stdout.write(`${'metric'.padEnd(w[0])} ${'value'.padEnd(w[1])} ${'target'.padEnd(w[2])} ${''.padEnd(w[3])} detail\n`);
  for (const k of Object.keys(detail)) {
    process.stdout.write(`${k.padEnd(w[0])} ${String(result[k]).padEnd(w[1])} ${(result.targets[k] ?? '').padEnd(w[2])} ${(result.verdicts[k] ?? '').padEnd(w[3])} ${detail[k]}\n`);
  }
  const m = d.machine;
  process.stdout.write(`\nmedians of ${reps} alternating repetitions (${bigReps} at ${NBIG} services), fresh processes; ${m.cpus} × ${m.cpu}, ${m.memoryGb} GiB, Node ${m.node}; load average ${d.loadAverage.join(' ')}\n`);
  if (result.note) process.stdout.write(`${result.note}\n`);
}
