/**
 * Preloaded by `hardened synth` (node -r): runs a TypeScript cdk8s app with `hardened-constructs`
 * resolved from this installed package, and cdk8s, cdk8s-plus-28 and constructs from the app when
 * it has them (else from beside this package), for this package's own requires too, so both sides
 * share one copy of each.
 */
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require('module');
const ownEntry = require.resolve(path.join(__dirname, '..', 'index'));
const ownDocker = require.resolve(path.join(__dirname, '..', 'docker', 'index'));
const shared = new Set(['cdk8s', 'cdk8s-plus-28', 'constructs', '@pulumi/pulumi', '@pulumi/docker']);
const originalResolve = Module._resolveFilename;
// Resolving as a module in the app's folder would: the app's own copies of the shared packages.
const appDir = process.env.HARDENED_APP_DIR;
const appParent = appDir ? { id: path.join(appDir, 'index.js'), filename: path.join(appDir, 'index.js'), paths: Module._nodeModulePaths(appDir) } : undefined;

Module._resolveFilename = function resolve(request: string, parent: unknown, ...rest: unknown[]) {
  if (request === 'hardened-constructs') return ownEntry;
  if (request === 'hardened-constructs/docker') return ownDocker;
  const root = request.split('/').slice(0, request.startsWith('@') ? 2 : 1).join('/');
  if (appParent && shared.has(root)) {
    // One copy of each: the app's, whoever asks (this package, or cdk8s-plus-28 beside it). A
    // package installed from a linked folder (file:../clone, npm link) would otherwise bring its
    // own cdk8s, and objects of one copy cannot be rendered by the other.
    try {
      return originalResolve.call(this, request, appParent, ...rest);
    } catch {
      // The app has none: resolved as usual below (the copy beside this package).
    }
  }
  try {
    return originalResolve.call(this, request, parent, ...rest);
  } catch (e) {
    if (shared.has(root)) return originalResolve.call(this, request, module, ...rest);
    throw e;
  }
};

if (!require.extensions['.ts']) {
  // ts-node as found by `hardened synth` (the app's own first, then the one beside this package).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(process.env.HARDENED_TS_NODE ?? 'ts-node').register({
    transpileOnly: true,
    skipProject: true,
    compilerOptions: { module: 'commonjs', moduleResolution: 'node', target: 'es2022', esModuleInterop: true, skipLibCheck: true },
  });
}

// `hardened synth` audits what the app writes: an app that sets its own outdir
// (`new App({ outdir: 'elsewhere' })`) still writes where the CLI stages and audits it.
const forced = process.env.HARDENED_SYNTH_OUTDIR;
if (forced) {
  const originalLoad = Module._load;
  const patched = new WeakSet<object>();
  Module._load = function load(request: string, ...rest: unknown[]) {
    const m = originalLoad.call(this, request, ...rest);
    if (request === 'cdk8s' && m && typeof m.App === 'function' && !patched.has(m.App)) {
      patched.add(m.App);
      const synth = m.App.prototype.synth;
      m.App.prototype.synth = function forcedSynth(this: { outdir: string }, ...args: unknown[]) {
        if (path.resolve(this.outdir) !== path.resolve(forced)) {
          process.stderr.write(`hardened-synth: the app sets outdir ${JSON.stringify(this.outdir)}; its manifests are written to the --out folder instead\n`);
          this.outdir = forced;
        }
        return synth.apply(this, args);
      };
    }
    return m;
  };
}
