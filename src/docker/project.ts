/**
 * The files of a Pulumi TypeScript project around a program that uses hardened-constructs/docker,
 * in the shape `pulumi new typescript` writes (Pulumi.yaml with runtime nodejs + typescript,
 * package.json, tsconfig.json with module commonjs / moduleResolution node / strict), plus a stack
 * settings sample with `docker:host`. Used by examples/docker and `hardened init --from-compose`.
 * Pure: returns file contents, writes nothing.
 */

/** Options of {@link pulumiProjectFiles}. */
export interface PulumiProjectOptions {
  /** @default 'Hardened containers on a single Docker host' */
  readonly description?: string;
  /**
   * The program's entry module: package.json `main`, which the Pulumi Node.js language host loads.
   * @default 'index.ts'
   */
  readonly entry?: string;
  /** Stack of the settings sample. @default 'dev' */
  readonly stack?: string;
  /** Docker daemon of the stack. @default 'unix:///var/run/docker.sock' */
  readonly dockerHost?: string;
  /** Version range of hardened-constructs in package.json. @default '*' */
  readonly hardenedConstructs?: string;
  /** Extra files the program imports, added to tsconfig `files`. */
  readonly extraFiles?: readonly string[];
  /** Extra package.json dependencies (e.g. cdk8s for a project that also synthesizes Kubernetes). */
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** Versions the project files pin (the ones this library is tested with). */
export const PULUMI_PROJECT_VERSIONS = {
  pulumi: '^3.142.0',
  docker: '^5.2.0',
  typescript: '~5.9.3',
  nodeTypes: '^20',
} as const;

/** Project name rules of Pulumi: letters, digits, `-`, `_`, `.`; at most 100 characters. */
export function pulumiProjectName(raw: string): string {
  const n = String(raw).replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 100);
  return n || 'hardened-app';
}

/** The project files, path → content, for a project named `name`. */
export function pulumiProjectFiles(name: string, options: PulumiProjectOptions = {}): Record<string, string> {
  const project = pulumiProjectName(name);
  const entry = options.entry ?? 'index.ts';
  const stack = options.stack ?? 'dev';
  const yamlString = (s: string) => JSON.stringify(s); // a JSON string is a valid YAML scalar
  const pulumiYaml = [
    `name: ${yamlString(project)}`,
    'runtime:',
    '  name: nodejs',
    '  options:',
    '    typescript: true',
    `description: ${yamlString(options.description ?? 'Hardened containers on a single Docker host')}`,
    '',
  ].join('\n');
  const stackYaml = [
    '# Stack settings: `pulumi config set docker:host <url>` writes the same thing.',
    '# A remote daemon: ssh://deploy@docker-host.example (key-based SSH), or tcp://…:2376 with TLS.',
    'config:',
    `  docker:host: ${yamlString(options.dockerHost ?? 'unix:///var/run/docker.sock')}`,
    '',
  ].join('\n');
  const packageJson = {
    name: project.toLowerCase().replace(/[^a-z0-9._-]/g, '-'),
    private: true,
    main: entry,
    scripts: { preview: 'pulumi preview', up: 'pulumi up', destroy: 'pulumi destroy' },
    dependencies: {
      '@pulumi/docker': PULUMI_PROJECT_VERSIONS.docker,
      '@pulumi/pulumi': PULUMI_PROJECT_VERSIONS.pulumi,
      'hardened-constructs': options.hardenedConstructs ?? '*',
      ...(options.dependencies ?? {}),
    },
    devDependencies: { '@types/node': PULUMI_PROJECT_VERSIONS.nodeTypes, 'typescript': PULUMI_PROJECT_VERSIONS.typescript },
  };
  const tsconfig = {
    compilerOptions: {
      strict: true,
      outDir: 'bin',
      target: 'es2020',
      module: 'commonjs',
      moduleResolution: 'node',
      sourceMap: true,
      experimentalDecorators: true,
      pretty: true,
      noFallthroughCasesInSwitch: true,
      noImplicitReturns: true,
      forceConsistentCasingInFileNames: true,
    },
    files: [entry, ...(options.extraFiles ?? [])],
  };
  return {
    'Pulumi.yaml': pulumiYaml,
    [`Pulumi.${stack}.yaml`]: stackYaml,
    'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 4)}\n`,
  };
}
