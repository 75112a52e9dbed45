/**
 * `hardened init` lives in init-cmd.ts and `hardened synth` in synth.ts (both loaded lazily by the
 * CLI); re-exported here for existing callers.
 */
export { runInit } from './init-cmd';
export { runSynth } from './synth';
