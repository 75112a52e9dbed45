/* eslint-disable @typescript-eslint/no-require-imports */
import * as fs from 'fs';
import * as path from 'path';
import { Command, CommanderError, Option } from 'commander';
// Types only: erased at compile time, so `hardened --help` loads commander and this file alone.
import type { AuditFormat, Io } from './audit';
import type { RuleSet } from '../policy/rule-set';
import type { Severity } from '../policy/types';

/*
 * Lazy loading: each command's action requires what it uses, inside the action, e.g.
 *   .action((opts) => guard(() => (require('./audit') as typeof import('./audit')).runAudit(…)))
 * Never import an implementation module at the top of this file.
 */

function packageVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function ruleSetWith(packs: readonly string[] | undefined): RuleSet {
  const { loadPack } = require('./audit') as typeof import('./audit');
  const { defaultRuleSet } = require('../policy/catalogue') as typeof import('../policy/catalogue');
  return (packs ?? []).map(loadPack).reduce((rs, p) => rs.withPack(p), defaultRuleSet());
}

/** Exit code of an internal failure of the tool (EX_SOFTWARE); never 1, which means findings. */
export const EXIT_INTERNAL = 70;

const processIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: !!process.stdout.isTTY,
  stdinIsTTY: !!process.stdin.isTTY,
};

interface AuditFlags { format: AuditFormat; failOn: Severity; pack?: string[]; showSuppressed?: boolean; maxFileSize?: string; allowEmpty?: boolean }

const AUDIT_HELP = `
Formats:
  text    findings grouped by object, each at file:line:column (default)
  json    {findings, suppressed, summary}; every finding has file, line, column and object
  sarif   SARIF 2.1.0 for code scanning (GitHub, GitLab): a region per result, paths relative to %SRCROOT%

Folders are walked recursively (each real path once; hidden folders and node_modules skipped).
Files that are not Kubernetes objects or Compose files (CI configs, Helm charts and values,
kustomize and skaffold configs, package manifests) are skipped and listed; Helm templates and
kustomize patches are skipped with the command that renders them. Only regular files are read.

Exit codes:
  0   no finding at or above --fail-on
  1   findings at or above --fail-on
  2   bad input (unreadable, malformed, not Kubernetes, no objects found, bad option)
  70  internal error (a bug: please report it)

Examples:
  hardened audit k8s/                              audit a folder
  helm template web ./chart | hardened audit -     audit a rendered Helm chart
  kustomize build overlays/prod | hardened audit -
  hardened audit compose.yaml --fail-on warning
  hardened audit k8s/ --format sarif > hardened.sarif
`;

/** Run the CLI; returns the exit code. */
export function run(argv: readonly string[], io: Io = processIo): number {
  let code = 0;
  const version = packageVersion();
  const program = new Command()
    .name('hardened')
    .description('Hardened-by-default Kubernetes and Docker constructs: audit manifests and Compose files against the rule catalogue.')
    .version(version, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run hardened --help for usage)');

  const guard = (fn: () => number) => {
    try {
      code = fn();
    } catch (e) {
      if (e instanceof Error && e.name === 'InputError' && e instanceof (require('./load') as typeof import('./load')).InputError) {
        io.stderr(`hardened: ${e.message}\n`);
        code = 2;
      } else if (e instanceof Error && /^rule pack /.test(e.message)) {
        io.stderr(`hardened: ${e.message}\n`);
        code = 2;
      } else {
        // Anything else is a bug of this tool, never a finding: exit 70 (EX_SOFTWARE), one line.
        const msg = e instanceof Error ? e.message : String(e);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { escapeControl, redact } = require('../spec/redact') as typeof import('../spec/redact');
        io.stderr(`hardened: internal error: ${escapeControl(redact(msg.split('\n')[0]).slice(0, 500))} (please report it with the command line)\n`);
        code = EXIT_INTERNAL;
      }
    }
  };

  program
    .command('audit')
    .description('Audit Kubernetes YAML/JSON (files, folders, - for stdin) and Compose files against the rule catalogue')
    .argument('[paths...]', 'files or folders (recursive); - reads stdin')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['error', 'warning', 'info']).default('error'))
    .option('--pack <module...>', 'apply rule pack modules (your organisation policy)')
    .option('--show-suppressed', 'also list suppressed findings (text format)')
    .option('--max-file-size <size>', 'largest file read, e.g. 64MiB (default: 32MiB)')
    .option('--allow-empty', 'exit 0 when no object is found (default: exit 2)')
    .addHelpText('after', AUDIT_HELP)
    .action((paths: string[] | undefined, opts: AuditFlags) => guard(() => {
      const { InputError, parseSize } = require('./load') as typeof import('./load');
      const maxFileSize = opts.maxFileSize === undefined ? undefined : parseSize(opts.maxFileSize);
      if (opts.maxFileSize !== undefined && maxFileSize === undefined) throw new InputError(`--max-file-size: '${opts.maxFileSize}' is not a size (e.g. 33554432, 64MiB, 1GiB)`);
      return (require('./audit') as typeof import('./audit')).runAudit(paths ?? [], {
        format: opts.format,
        failOn: opts.failOn,
        ruleSet: ruleSetWith(opts.pack),
        showSuppressed: opts.showSuppressed,
        version,
        maxFileSize,
        allowEmpty: opts.allowEmpty,
      }, io);
    }));

  program
    .command('rules')
    .description('List the rule catalogue (--format json: every field, references included)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--pack <module...>', 'include rule pack modules')
    .action((opts: { format: 'text' | 'json'; pack?: string[] }) => guard(() => {
      io.stdout((require('./audit') as typeof import('./audit')).listRules(ruleSetWith(opts.pack), opts.format));
      return 0;
    }));

  program
    .command('explain')
    .description("Print one rule's rationale, fix, public references and the ids of the same check in Polaris, kube-score, kube-linter, Pod Security and CIS Docker")
    .argument('<rule>', 'rule id')
    .option('--pack <module...>', 'include rule pack modules')
    .action((id: string, opts: { pack?: string[] }) => guard(() => {
      const text = (require('./audit') as typeof import('./audit')).explainRule(ruleSetWith(opts.pack), id);
      if (!text) {
        io.stderr(`hardened explain: no rule '${id}' (run hardened rules for the list)\n`);
        return 2;
      }
      io.stdout(text);
      return 0;
    }));

  program
    .command('init')
    .description('Convert a Compose file into a hardened, typed project: spec.ts, main.ts (cdk8s), docker.ts (Pulumi), flows.yaml, package.json, tsconfig.json, cdk8s.yaml, Pulumi.yaml, MIGRATION.md')
    .requiredOption('--from-compose <file>', 'the Compose file')
    .requiredOption('--out <dir>', 'where to write the app')
    .option('--name <project>', 'project (and namespace) name (default: the file\'s top-level name, else its folder)')
    .option('--force', 'replace the generated files in a non-empty output folder (edited ones are backed up first)')
    .option('--package-spec <spec>', 'hardened-constructs dependency of the generated package.json: a version range, or file:<folder> of a local copy (default: ^<this version>)')
    .option('--profile <name>', 'enable a Compose profile, as docker compose --profile (repeatable; * for all): services with profiles are converted only when one is enabled', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .action((opts: { fromCompose: string; out: string; name?: string; force?: boolean; packageSpec?: string; profile: string[] }) => guard(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runInit } = require('./init-cmd') as typeof import('./init-cmd');
      const { fromCompose, out, name, force, packageSpec, profile } = opts;
      return runInit(fromCompose, { out, name, force, version, packageSpec, profiles: profile }, io);
    }));

  program
    .command('synth')
    .description('Run a TypeScript cdk8s app, write its manifests (default: dist/ beside the app) and audit them')
    .argument('<app>', 'the app, e.g. main.ts')
    .option('--out <dir>', 'output folder')
    .option('--timeout <seconds>', 'stop an app that has not finished after this many seconds', '120')
    .addOption(new Option('--fail-on <severity>', 'audit: exit 1 at or above this severity').choices(['error', 'warning', 'info']).default('error'))
    .option('--pack <module...>', 'audit with rule pack modules')
    .action((app: string, opts: { out?: string; timeout: string; failOn: Severity; pack?: string[] }) => guard(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runSynth } = require('./synth') as typeof import('./synth');
      const timeoutSeconds = /^[0-9]+(\.[0-9]+)?$/.test(opts.timeout) ? Number(opts.timeout) : NaN;
      return runSynth(app, { out: opts.out, timeoutSeconds, audit: { failOn: opts.failOn, ruleSet: ruleSetWith(opts.pack), version } }, io);
    }));

  program
    .command('coverage')
    .description('List every default check of Polaris, kube-score and kube-linter with the rules that cover it, or why the catalogue differs')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--pack <module...>', 'include rule pack modules')
    .action((opts: { format: 'text' | 'json'; pack?: string[] }) => guard(() =>
      (require('./coverage') as typeof import('./coverage')).runCoverage(ruleSetWith(opts.pack), opts.format, io)));

  program
    .command('verify-flows')
    .description('Simulate the NetworkPolicies of manifests (files, folders, - for stdin) and check a flows file: every listed flow allowed; with --strict, every other one denied')
    .argument('[paths...]', 'files or folders (recursive); - reads stdin', [])
    .requiredOption('--flows <file>', 'the flows file (flows: [{from: ns/workload, to: ns/workload:port[/TCP|UDP|SCTP]}])')
    .option('--strict', 'also fail on any other allowed pair of workloads (on their declared container ports; DNS aside)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((paths: string[], opts: { flows: string; strict?: boolean; format: 'text' | 'json' }) => guard(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on use: `hardened --help` stays light
      const { runVerifyFlows } = require('./verify-flows') as typeof import('./verify-flows');
      return runVerifyFlows(paths, opts, io);
    }));

  program
    .command('graph')
    .description('Draw the traffic the NetworkPolicies of manifests allow: namespaces, workloads, ports, entries from outside, workloads anyone may reach')
    .argument('[paths...]', 'files or folders (recursive); - reads stdin', [])
    .addOption(new Option('--format <format>', 'output format').choices(['mermaid', 'dot', 'html']).default('mermaid'))
    .option('--out <file>', 'write to this file (atomically; refuses to overwrite without --force)')
    .option('--force', 'overwrite --out when it exists')
    .action((paths: string[], opts: { format: 'mermaid' | 'dot' | 'html'; out?: string; force?: boolean }) => guard(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on use: `hardened --help` stays light
      const { runGraph } = require('./graph') as typeof import('./graph');
      return runGraph(paths, opts, io);
    }));

  try {
    program.parse(argv as string[], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
    }
    io.stderr(`hardened: internal error: ${e instanceof Error ? e.message.split('\n')[0].slice(0, 500) : 'unknown'}\n`);
    return EXIT_INTERNAL;
  }
  return code;
}

if (require.main === module) {
  try {
    process.exitCode = run(process.argv.slice(2));
  } catch (e) {
    // An internal failure never exits 1 (the findings code): EX_SOFTWARE.
    process.stderr.write(`hardened: internal error (please report it): ${String((e as Error)?.stack ?? e)}\n`);
    process.exitCode = 70;
  }
}
