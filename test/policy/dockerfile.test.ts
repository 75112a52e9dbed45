import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { defaultRuleSet, evaluateDockerfiles, parseDockerfile } from '../../src';
import { isDockerfileName } from '../../src/policy/dockerfile';

const fixtures = path.join(__dirname, 'fixtures');
const run = (text: string, source = 'Dockerfile') => evaluateDockerfiles([parseDockerfile(text, source)], defaultRuleSet());
const lines = (text: string, rule: string) => run(text).filter((f) => f.ruleId === rule).map((f) => f.message);

describe('Dockerfile rules: exact findings', () => {
  test('unpinned base images, a build-argument base without default; stages and scratch are not images', () => {
    expect(lines(fs.readFileSync(path.join(fixtures, 'dockerfile-from-pinned/fail.Dockerfile'), 'utf8'), 'dockerfile-from-pinned')).toEqual([
      "line 1: base image 'node' has no tag (resolves to latest)",
      "line 3: base image 'nginx:latest' uses the latest tag",
      "line 5: base image '$BASE' comes from a build argument without a default, so what is built cannot be checked",
    ]);
  });

  test('the final USER decides, not an earlier one', () => {
    expect(lines('FROM debian:12.5-slim\nUSER 10001\nUSER root\n', 'dockerfile-non-root-user')).toEqual(['line 3: the final USER is root: the image runs as root']);
    expect(lines('FROM debian:12.5-slim\nRUN true\n', 'dockerfile-non-root-user')).toEqual(['line 1: the final stage sets no USER: the image runs as root']);
    expect(lines('FROM debian:12.5-slim\nUSER 0:0\n', 'dockerfile-non-root-user')).toEqual(['line 2: the final USER is 0: the image runs as root']);
    expect(lines('FROM debian:12.5-slim\nUSER app:app\n', 'dockerfile-non-root-user')).toEqual([]);
  });

  test('secrets in ENV/ARG are reported by name, never by value', () => {
    const findings = run(fs.readFileSync(path.join(fixtures, 'dockerfile-no-secrets/fail.Dockerfile'), 'utf8')).filter((f) => f.ruleId === 'dockerfile-no-secrets');
    expect(findings.map((f) => f.message)).toEqual([
      'line 2: ARG NPM_TOKEN sets a secret-looking variable to a literal (value not shown)',
      'line 3: ENV DATABASE_URL holds a URL with a password (value not shown)',
      'line 4: ENV ADMIN_PASSWORD sets a secret-looking variable to a literal (value not shown)',
    ]);
    expect(JSON.stringify(findings)).not.toMatch(/npm_abc|s3cret|changeme/);
    // References to secrets (their name, their file) are not secrets: the same test as the env rules.
    expect(lines('FROM debian:12.5-slim\nENV TLS_SECRET_NAME=shop-tls DB_PASSWORD_FILE=/run/secrets/db\nUSER 10001\n', 'dockerfile-no-secrets')).toEqual([]);
    expect(findings.map((f) => [f.location?.line, f.object.kind, f.file])).toEqual([[2, 'Dockerfile', 'Dockerfile'], [3, 'Dockerfile', 'Dockerfile'], [4, 'Dockerfile', 'Dockerfile']]);
  });

  test('package caches: each install that leaves its cache in the layer', () => {
    expect(lines(fs.readFileSync(path.join(fixtures, 'dockerfile-package-cache-cleaned/fail.Dockerfile'), 'utf8'), 'dockerfile-package-cache-cleaned')).toEqual([
      'line 2: apt-get install without rm -rf /var/lib/apt/lists/* in the same RUN',
      'line 5: apk add without --no-cache',
      'line 7: pip install without --no-cache-dir',
    ]);
    expect(lines('FROM python:3.12.2\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask==3.0.2\nUSER 10001\n', 'dockerfile-package-cache-cleaned')).toEqual([]);
    expect(lines('FROM fedora:39\nRUN sudo dnf install -y jq\n', 'dockerfile-package-cache-cleaned')).toEqual(['line 2: dnf install without dnf clean all in the same RUN']);
  });

  test('a suppression comment with a reason is honoured', () => {
    const text = '# hardened-constructs.io/suppress.dockerfile-healthcheck: runs only under Kubernetes probes\nFROM debian:12.5-slim\nUSER 10001\n';
    const f = run(text).find((x) => x.ruleId === 'dockerfile-healthcheck')!;
    expect(f.suppressed).toEqual({ by: 'hardened-constructs.io/suppress.dockerfile-healthcheck', reason: 'runs only under Kubernetes probes' });
  });

  test('Dockerfile names', () => {
    expect(['Dockerfile', 'Dockerfile.prod', 'api.Dockerfile', 'Containerfile', 'build.dockerfile'].map(isDockerfileName)).toEqual([true, true, true, true, true]);
    expect(['dockerfile.yaml', 'Dockerfiles', 'README.md', 'docker-compose.yml'].map(isDockerfileName)).toEqual([false, false, false, false]);
  });
});

describe('Dockerfile audit on hostile input', () => {
  test('arbitrary text never throws and yields well-formed findings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => {
      for (const f of run(text)) {
        expect(f.ruleId).toMatch(/^dockerfile-/);
        expect(f.message).not.toMatch(/could not be checked/);
      }
    }), { numRuns: Number(process.env.FC_NUM_RUNS ?? 300) });
  });

  test('instruction soup never throws', () => {
    const word = fc.constantFrom('FROM', 'RUN', 'USER', 'ENV', 'ARG', 'ADD', 'HEALTHCHECK', 'COPY', 'AS', 'x', '$A', '${A:-b}', '&&', ';', 'apt-get', 'install', 'pip', '--mount=type=cache', 'https://h/x', '\\', '"', '=', 'A=b');
    const line = fc.array(word, { maxLength: 8 }).map((w) => w.join(' '));
    fc.assert(fc.property(fc.array(line, { maxLength: 30 }), (ls) => {
      const findings = run(ls.join('\n'));
      expect(Array.isArray(findings)).toBe(true);
      expect(findings.every((f) => !/could not be checked/.test(f.message))).toBe(true);
    }), { numRuns: Number(process.env.FC_NUM_RUNS ?? 300) });
  });

  test('a 256 KiB RUN line and 5,000 instructions are handled without blowing up (generous ceiling; scaling is measured by hand, see the closing note)', () => {
    const long = `FROM debian:12.5-slim\nRUN ${'apt-get install -y x && '.repeat(10_000)}true\nUSER 10001\n`;
    const many = `FROM debian:12.5-slim\n${'RUN apk add x\n'.repeat(5_000)}USER 10001\n`;
    const t0 = Date.now();
    expect(lines(long, 'dockerfile-package-cache-cleaned')).toHaveLength(10_000);
    expect(lines(many, 'dockerfile-package-cache-cleaned')).toHaveLength(5_000);
    expect(Date.now() - t0).toBeLessThan(60_000);
  });
});

describe('hardened audit reads Dockerfiles', () => {
  test('in folder walks, by name, with file:line locations', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { run: cli } = require('../../src/cli/main');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'df-audit-'));
    fs.copyFileSync(path.join(fixtures, 'dockerfile-no-secrets/fail.Dockerfile'), path.join(dir, 'Dockerfile'));
    fs.copyFileSync(path.join(fixtures, 'dockerfile-healthcheck/pass.Dockerfile'), path.join(dir, 'worker.Dockerfile'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'FROM nothing');
    let out = '';
    const code = cli(['audit', dir, '--format', 'json'], { stdout: (s: string) => { out += s; }, stderr: () => undefined, isTTY: false });
    expect(code).toBe(1);
    const report = JSON.parse(out);
    const secrets = report.findings.filter((f: any) => f.ruleId === 'dockerfile-no-secrets');
    expect(secrets.map((f: any) => [f.file, f.line])).toEqual([[path.join(dir, 'Dockerfile'), 2], [path.join(dir, 'Dockerfile'), 3], [path.join(dir, 'Dockerfile'), 4]]);
    expect(report.findings.filter((f: any) => f.file.endsWith('worker.Dockerfile')).map((f: any) => f.ruleId)).toEqual([]);
    expect(out).not.toMatch(/changeme|s3cret/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
