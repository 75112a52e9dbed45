import * as fs from 'fs';
import * as path from 'path';
import { Command, CommanderError, Option } from 'commander';
import { AuditFormat, explainRule, Io, listRules, loadPack, runAudit } from './audit';
import { runInit } from './init';
import { InputError } from './load';
import { defaultRuleSet } from '../policy/catalogue';
import { RuleSet } from '../policy/rule-set';
import { Severity } from '../policy/types';

function packageVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function ruleSetWith(packs: readonly string[] | undefined): RuleSet {
  return (packs ?? []).map(loadPack).reduce((rs, p) => rs.withPack(p), defaultRuleSet());
}

/** Exit code of an internal failure of the tool (EX_SOFTWARE); never 1, which means findings. */
export const EXIT_INTERNAL = 70;

const processIo: Io = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), isTTY: !!process.stdout.isTTY };

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
      if (e instanceof InputError) {
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
    .argument('[paths...]', 'files or folders (recursive); - reads stdin', [])
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['error', 'warning', 'info']).default('error'))
    .option('--pack <module...>', 'apply rule pack modules (your organisation policy)')
    .option('--show-suppressed', 'also list suppressed findings (text format)')
    .action((paths: string[], opts: { format: AuditFormat; failOn: Severity; pack?: string[]; showSuppressed?: boolean }) => guard(() =>
      runAudit(paths, {
        format: opts.format,
        failOn: opts.failOn,
        ruleSet: ruleSetWith(opts.pack),
        showSuppressed: opts.showSuppressed,
        version,
      }, io)));

  program
    .command('rules')
    .description('List the rule catalogue')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--pack <module...>', 'include rule pack modules')
    .action((opts: { format: 'text' | 'json'; pack?: string[] }) => guard(() => {
      io.stdout(listRules(ruleSetWith(opts.pack), opts.format));
      return 0;
    }));

  program
    .command('explain')
    .description("Print one rule's rationale, fix and the ids of the same check in Polaris, kube-score, kube-linter, Pod Security and CIS Docker")
    .argument('<rule>', 'rule id')
    .option('--pack <module...>', 'include rule pack modules')
    .action((id: string, opts: { pack?: string[] }) => guard(() => {
      const text = explainRule(ruleSetWith(opts.pack), id);
      if (!text) {
        io.stderr(`hardened explain: no rule '${id}' (run hardened rules for the list)\n`);
        return 2;
      }
      io.stdout(text);
      return 0;
    }));

  program
    .command('init')
    .description('Convert a Compose file into a hardened, typed app: spec.ts, main.ts (cdk8s), docker.ts (Pulumi), package.json, cdk8s.yaml, MIGRATION.md')
    .requiredOption('--from-compose <file>', 'the Compose file')
    .requiredOption('--out <dir>', 'where to write the app')
    .option('--name <project>', 'project (and namespace) name (default: the Compose file\'s folder)')
    .option('--force', 'overwrite a non-empty output folder')
    .action((opts: { fromCompose: string; out: string; name?: string; force?: boolean }) => guard(() =>
      runInit(opts.fromCompose, { out: opts.out, name: opts.name, force: opts.force, version }, io)));

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
  process.exitCode = run(process.argv.slice(2));
}
