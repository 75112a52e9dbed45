import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import { App } from 'cdk8s';
import { stringify } from 'yaml';
import { buildShop } from '../../examples/shop/main';
import { run } from '../../src/cli/main';
import { cli } from '../util/cli';

const inputs = path.join(__dirname, 'inputs');
const naive = path.join(inputs, 'naive.yaml');

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'audit-'));
}

function writeShop(): string {
  const dir = tmpdir();
  const app = new App({ outdir: dir });
  buildShop(app);
  app.synth();
  return dir;
}

describe('hardened audit', () => {
  test('the synthesized example audits clean, at every severity', () => {
    const r = cli('audit', writeShop(), '--fail-on', 'info', '--format', 'json');
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.findings).toEqual([]);
    expect(out.summary).toMatchObject({ objects: 21, files: 2, error: 0, warning: 0, info: 0 });
    expect(r.code).toBe(0);
  });

  test('a naive manifest set is flagged on every object, with the anchor checks', () => {
    const r = cli('audit', naive, '--format', 'json');
    expect(r.code).toBe(1);
    const { findings } = JSON.parse(r.stdout);
    const byObject = (kind: string, name: string) => findings
      .filter((f: any) => f.object.kind === kind && f.object.name === name)
      .map((f: any) => f.ruleId);
    expect(byObject('Deployment', 'web')).toEqual(expect.arrayContaining([
      'image-tag-pinned', 'run-as-non-root', 'no-privilege-escalation', 'read-only-root-fs', 'drop-all-capabilities', 'seccomp-runtime-default',
      'cpu-requests', 'cpu-limits', 'memory-requests', 'memory-limits', 'ephemeral-storage-limits', 'readiness-probe', 'liveness-probe',
      'no-host-path', 'no-literal-secrets-in-env', 'min-replicas', 'network-policy-required', 'priority-class',
      'topology-spread', 'no-sa-token-automount', 'high-uid-gid', 'recommended-labels',
    ]));
    // nginx:latest with imagePullPolicy unset is pulled Always (the API server's default for :latest).
    expect(byObject('Deployment', 'web')).not.toContain('image-pull-policy-always');
    expect(byObject('StatefulSet', 'db')).toEqual(expect.arrayContaining(['no-privileged', 'image-tag-pinned', 'no-literal-secrets-in-env', 'statefulset-headless-service']));
    expect(byObject('Service', 'web')).toEqual(expect.arrayContaining(['no-nodeport']));
    expect(byObject('Ingress', 'web')).toEqual(expect.arrayContaining(['ingress-tls']));
    expect(byObject('ConfigMap', 'settings')).toEqual(['no-secrets-in-configmap', 'no-default-namespace']);
    expect(findings[0]).toEqual({
      ruleId: expect.any(String),
      severity: expect.stringMatching(/error|warning|info/),
      message: expect.any(String),
      file: naive,
      line: expect.any(Number),
      column: expect.any(Number),
      object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: null, name: 'web', line: 2, column: 1 },
      path: expect.any(String),
      fix: expect.any(String),
    });
  });

  test('Compose files are audited with the Docker rules', () => {
    const r = cli('audit', path.join(inputs, 'compose-naive.yaml'), '--format', 'json');
    expect(r.code).toBe(1);
    const ids = (name: string) => JSON.parse(r.stdout).findings.filter((f: any) => f.object.name === name).map((f: any) => f.ruleId);
    expect(ids('web')).toEqual(expect.arrayContaining(['image-tag-pinned', 'run-as-non-root', 'no-docker-socket', 'no-literal-secrets-in-env', 'bind-specific-host-interface', 'no-host-ports', 'memory-limits', 'liveness-probe', 'log-rotation', 'restart-policy']));
    expect(ids('db')).toEqual(expect.arrayContaining(['no-privileged', 'no-host-network', 'read-only-root-fs', 'drop-all-capabilities']));
  });

  test('text output groups by object and has no colour off a TTY', () => {
    const r = cli('audit', naive);
    expect(r.stdout).toMatch(/^Deployment web {2}\(.*naive.yaml:2:1\)\n {2}error {3}no-privilege-escalation: .*\n {10}at .*naive\.yaml:15:11 {2}spec\.template\.spec\.containers\[0\]\.securityContext\.allowPrivilegeEscalation\n/);
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stdout).toMatch(/5 objects in 1 files: \d+ errors, \d+ warnings, \d+ info\n$/);
  });

  test('SARIF output is a valid SARIF 2.1.0 log with rule metadata', () => {
    const r = cli('audit', naive, '--format', 'sarif');
    const log = JSON.parse(r.stdout);
    // The official SARIF 2.1.0 schema, as shipped by Microsoft's @microsoft/jest-sarif package.
    const { $schema: _draft04, id: _id, ...schema } = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false }).compile(schema);
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    expect(log.version).toBe('2.1.0');
    const rules = log.runs[0].tool.driver.rules;
    expect(rules.length).toBeGreaterThanOrEqual(60);
    expect(rules.find((x: any) => x.id === 'no-privileged')).toMatchObject({ shortDescription: { text: 'Containers are not privileged' }, defaultConfiguration: { level: 'error' } });
    expect(log.runs[0].results.length).toBeGreaterThan(20);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toContain('naive.yaml');
  });

  test('--fail-on decides the exit code', () => {
    const dir = tmpdir();
    const obj = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'x' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } };
    fs.writeFileSync(path.join(dir, 'svc.json'), JSON.stringify(obj));
    expect(cli('audit', dir).code).toBe(0);
    expect(cli('audit', dir, '--fail-on', 'warning').code).toBe(1);
  });

  test('List kinds and JSON files are read; folders recursively', () => {
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'nested'));
    fs.writeFileSync(path.join(dir, 'nested', 'list.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'n' }, data: { x: '1' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'n' } }] }));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    const r = cli('audit', dir, '--format', 'json');
    expect(JSON.parse(r.stdout).summary).toMatchObject({ objects: 2, files: 1 });
  });

  test('exemption annotations of Polaris, kube-score and kube-linter are honoured', () => {
    const dir = tmpdir();
    const svc = (name: string, annotations: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'x', annotations }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
    fs.writeFileSync(path.join(dir, 'a.yaml'), [
      svc('ks', { 'kube-score/ignore': 'service-type' }),
      svc('kl', { 'ignore-check.kube-linter.io/exposed-services': 'edge proxy' }),
      svc('ours', { 'hardened-constructs.io/suppress.no-nodeport': 'bare-metal edge, no LB available' }),
      svc('short', { 'hardened-constructs.io/suppress.no-nodeport': 'meh' }),
    ].map((o) => stringify(o)).join('---\n'));
    const out = JSON.parse(cli('audit', dir, '--format', 'json', '--fail-on', 'warning').stdout);
    expect(out.findings.map((f: any) => f.object.name)).toEqual(['short']);
    expect(out.suppressed.map((f: any) => [f.object.name, f.suppressedBy])).toEqual([
      ['ks', 'kube-score/ignore'], ['kl', 'ignore-check.kube-linter.io/exposed-services'], ['ours', 'hardened-constructs.io/suppress.no-nodeport'],
    ]);
  });

  test('tool configuration beside manifests (a Kustomization) is not audited as a cluster object', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [naive.yaml]\n');
    fs.writeFileSync(path.join(dir, 'skaffold.yaml'), 'apiVersion: skaffold/v4beta6\nkind: Config\nmetadata: {name: app}\n');
    fs.writeFileSync(path.join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {LOG_LEVEL: info}\n');
    const out = JSON.parse(cli('audit', dir, '--format', 'json', '--fail-on', 'info').stdout);
    expect(out.findings.map((f: any) => `${f.object.kind}/${f.object.name} ${f.ruleId}`)).toEqual(['ConfigMap/settings no-default-namespace']);
  });

  describe('bad input exits 2 with a one-line message', () => {
    test.each([
      ['malformed YAML', 'a: [1, 2\nb: c\n', /bad\.yaml:\d+:\d+: malformed YAML/],
      ['a scalar document', 'just text\n', /document 1 is a string, not a Kubernetes object/],
      ['no kind', 'metadata: {name: x}\n', /document 1 has no kind\/apiVersion/],
      ['a Helm Chart.yaml', 'apiVersion: v2\nname: demo\nversion: 0.1.0\n', /bad\.yaml: a Helm chart's Chart\.yaml, not a Kubernetes object: audit the rendered chart instead \(e\.g\. `helm template RELEASE CHART \| hardened audit -`\)$/m],
      ['an unrendered Helm template', 'kind: Deployment\nmetadata:\n  name: x\nspec:\n{{- with .Values.resources }}\n  r: {{ toYaml . }}\n{{- end }}\n', /bad\.yaml:\d+:\d+: malformed YAML: .* \(it looks like a Helm\/Go template: render it first, e\.g\. `helm template RELEASE CHART \| hardened audit -`\)$/m],
    ])('%s', (_n, text, message) => {
      const dir = tmpdir();
      fs.writeFileSync(path.join(dir, 'bad.yaml'), text);
      const r = cli('audit', path.join(dir, 'bad.yaml'));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    });

    test('a missing file', () => {
      const r = cli('audit', '/no/such/file.yaml');
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('hardened audit: /no/such/file.yaml: cannot read (ENOENT)\n');
    });

    test('an unknown option', () => {
      expect(cli('audit', '--colour', naive).code).toBe(2);
      expect(cli('audit', '--format', 'xml', naive).code).toBe(2);
    });
  });
});

describe('hardened rules / explain / --version', () => {
  test('rules --format json lists the catalogue', () => {
    const rules = JSON.parse(cli('rules', '--format', 'json').stdout);
    expect(rules.length).toBeGreaterThanOrEqual(60);
    expect(rules[0]).toEqual(expect.objectContaining({ id: 'no-privileged', category: 'identity-and-privilege', severity: 'error', title: expect.any(String), rationale: expect.any(String), fix: expect.any(String), anchors: expect.any(Object) }));
  });

  test('explain prints rationale, fix and anchor ids', () => {
    const r = cli('explain', 'no-host-network');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Why: Sharing the host');
    expect(r.stdout).toContain('Polaris:        hostNetworkSet');
    expect(r.stdout).toContain('CIS Docker:     5.10');
    expect(cli('explain', 'nope').code).toBe(2);
  });

  test('--version and --help', () => {
    const v = cli('--version');
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const h = cli('--help');
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('audit');
  });
});

test('the real command reads stdin and exits with its code', () => {
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, '../../src/cli/main.ts'), 'audit', '-', '--format', 'json'], {
    input: fs.readFileSync(naive, 'utf8'),
    encoding: 'utf8',
  });
  expect(r.status).toBe(1);
  expect(JSON.parse(r.stdout).findings[0].file).toBe('<stdin>');
});

describe('real-world inputs', () => {
  test('Compose anchors and merge keys are applied', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'compose.yaml'), [
      'x-hardened: &hardened',
      '  user: "10001:10001"',
      '  read_only: true',
      '  cap_drop: [ALL]',
      '  security_opt: ["no-new-privileges:true"]',
      'services:',
      '  web:',
      '    <<: *hardened',
      '    image: ghcr.io/acme/web:1.0.0',
      '',
    ].join('\n'));
    const ids = JSON.parse(cli('audit', dir, '--format', 'json').stdout).findings.map((f: any) => f.ruleId);
    expect(ids).not.toContain('run-as-non-root');
    expect(ids).not.toContain('read-only-root-fs');
    expect(ids).not.toContain('drop-all-capabilities');
    expect(ids).not.toContain('no-privilege-escalation');
    expect(ids).toContain('memory-limits');
  });

  test('cluster-scoped custom resources are not asked for a namespace', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'crs.yaml'), [
      stringify({ apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'letsencrypt' }, spec: {} }),
      stringify({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'web' }, spec: {} }),
    ].join('---\n'));
    const out = JSON.parse(cli('audit', dir, '--format', 'json', '--fail-on', 'warning').stdout);
    expect(out.findings.map((f: any) => `${f.ruleId} ${f.object.kind}`)).toEqual(['no-default-namespace Certificate']);
  });
});

describe('locations (SARIF regions, file:line:column)', () => {
  const sarifSchema = (() => {
    const { $schema: _draft04, id: _id, ...schema } = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    return new Ajv({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false }).compile(schema);
  })();

  function sarifOf(args: string[]) {
    const r = cli('audit', ...args, '--format', 'sarif');
    const log = JSON.parse(r.stdout);
    expect(sarifSchema(log) ? [] : sarifSchema.errors).toEqual([]);
    return log;
  }

  test('every SARIF result has a region on its object, a %SRCROOT%-relative URI and a fingerprint (what GitHub code scanning needs)', () => {
    const rel = path.relative(process.cwd(), naive).split(path.sep).join('/');
    const log = sarifOf([naive]);
    const run0 = log.runs[0];
    expect(run0.originalUriBaseIds['%SRCROOT%'].uri).toBe(`file://${process.cwd().split(path.sep).map(encodeURIComponent).join('/')}/`);
    const lines = fs.readFileSync(naive, 'utf8').split('\n');
    for (const res of run0.results) {
      const loc = res.locations[0].physicalLocation;
      expect(loc.artifactLocation).toEqual({ uri: rel, uriBaseId: '%SRCROOT%' });
      expect(loc.region.startLine).toBeGreaterThanOrEqual(1);
      expect(loc.region.endLine).toBeGreaterThanOrEqual(loc.region.startLine);
      expect(lines[loc.region.startLine - 1].length).toBeGreaterThanOrEqual(loc.region.startColumn - 1);
      expect(res.partialFingerprints['hardenedFinding/v1']).toMatch(/^[0-9a-f]{64}$/);
    }
    const fps = run0.results.map((x: any) => x.partialFingerprints['hardenedFinding/v1']);
    expect(new Set(fps).size).toBe(fps.length);
    // The privileged StatefulSet container: the region points at the field.
    const priv = run0.results.find((x: any) => x.ruleId === 'no-privileged');
    expect(lines[priv.locations[0].physicalLocation.region.startLine - 1]).toMatch(/privileged: true/);
  });

  test('fingerprints are stable when lines move; regions follow', () => {
    const dir = tmpdir();
    const text = fs.readFileSync(naive, 'utf8');
    fs.writeFileSync(path.join(dir, 'a.yaml'), text);
    const before = sarifOf([path.join(dir, 'a.yaml')]).runs[0].results;
    fs.writeFileSync(path.join(dir, 'a.yaml'), `# a comment\n# another\n${text}`);
    const after = sarifOf([path.join(dir, 'a.yaml')]).runs[0].results;
    expect(after.map((x: any) => x.partialFingerprints)).toEqual(before.map((x: any) => x.partialFingerprints));
    const startLine = (x: any) => x.locations[0].physicalLocation.region.startLine;
    expect(after.map(startLine)).toEqual(before.map((x: any) => startLine(x) + 2));
    // Files outside the source root get absolute file URIs.
    expect(after[0].locations[0].physicalLocation.artifactLocation.uri).toMatch(/^file:\/\/\//);
  });

  test('JSON findings carry line and column of the field and of the object; Compose services too', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  web:\n    image: nginx\n    privileged: true\n');
    const out = JSON.parse(cli('audit', dir, '--format', 'json').stdout);
    const priv = out.findings.find((f: any) => f.ruleId === 'no-privileged');
    expect(priv).toMatchObject({ line: 4, column: 5, object: { kind: 'DockerContainer', name: 'web', line: 3, column: 5 } });
    const k8s = JSON.parse(cli('audit', naive, '--format', 'json').stdout).findings.find((f: any) => f.ruleId === 'no-privileged');
    expect(k8s).toMatchObject({ line: 43, column: 29, object: { kind: 'StatefulSet', line: 25, column: 1 } });
  });
});

describe('hostile input', () => {
  test('a symlink loop is walked once; FIFOs and sockets in folders are skipped and reported', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\n');
    fs.symlinkSync(dir, path.join(dir, 'loop'));
    fs.symlinkSync(path.join(dir, 'cm.yaml'), path.join(dir, 'again.yaml'));
    spawnSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
    const r = cli('audit', dir, '--format', 'json');
    const out = JSON.parse(r.stdout);
    expect(out.summary).toMatchObject({ objects: 1, files: 1 });
    expect(out.summary.skipped).toEqual([{ file: path.join(dir, 'pipe.yaml'), kind: 'special-file', reason: 'a FIFO, not a regular file' }]);
  });

  test.each([
    ['a FIFO', (dir: string) => { spawnSync('mkfifo', [path.join(dir, 'f.yaml')]); return path.join(dir, 'f.yaml'); }, /f\.yaml: a FIFO, not a regular file/],
    ['a character device', () => '/dev/zero', /\/dev\/zero: a character device, not a regular file/],
  ])('an explicit special file (%s) is refused with exit 2 and one line', (_n, make, message) => {
    const r = cli('audit', make(tmpdir()));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('files above --max-file-size are refused (explicit) or skipped (folder walks)', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'big.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\ndata: {x: "${'y'.repeat(3000)}"}\n`);
    fs.writeFileSync(path.join(dir, 'small.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: n}\n');
    const explicit = cli('audit', path.join(dir, 'big.yaml'), '--max-file-size', '2KiB');
    expect(explicit.code).toBe(2);
    expect(explicit.stderr).toMatch(/big\.yaml: \d+ bytes, larger than 2048 \(the --max-file-size limit/);
    const walk = JSON.parse(cli('audit', dir, '--max-file-size', '2KiB', '--format', 'json').stdout);
    expect(walk.summary.skipped).toEqual([expect.objectContaining({ file: path.join(dir, 'big.yaml'), kind: 'too-large' })]);
    expect(cli('audit', path.join(dir, 'big.yaml'), '--max-file-size', 'lots').code).toBe(2);
    expect(cli('audit', path.join(dir, 'big.yaml'), '--max-file-size', '1MiB').code).toBe(0);
  });

  test('control characters and ANSI escapes in names cannot forge report lines', () => {
    const dir = tmpdir();
    const evil = 'evil\n  error   fake-rule: all good \u001b[31m\u2028x';
    fs.writeFileSync(path.join(dir, `${'f\u001b[2J'}.yaml`), stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: evil, namespace: 'n' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } }));
    const r = cli('audit', dir, '--fail-on', 'warning');
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u2028]/);
    expect(r.stdout).not.toMatch(/^ {2}error {3}fake-rule/m);
    expect(r.stdout).toContain('Service n/evil\\x0a  error   fake-rule: all good \\x1b[31m\\u2028x');
  });

  test('reports are streamed: many writes, never one string', () => {
    const dir = tmpdir();
    fs.copyFileSync(naive, path.join(dir, 'a.yaml'));
    for (const format of ['text', 'json', 'sarif']) {
      const writes: string[] = [];
      run(['audit', dir, '--format', format], { stdout: (s) => { writes.push(s); }, stderr: () => {}, isTTY: false });
      expect(writes.length).toBeGreaterThan(format === 'text' ? 5 : 20);
      if (format !== 'text') expect(() => JSON.parse(writes.join(''))).not.toThrow();
    }
  });

  test('an internal failure exits 70, never the findings code', () => {
    const code = run(['audit', naive], { stdout: () => { throw new TypeError('boom'); }, stderr: () => {}, isTTY: false });
    expect(code).toBe(70);
  });
});

describe('what is not Kubernetes, and no silent green', () => {
  function repo(): string {
    const dir = tmpdir();
    const w = (p: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
      fs.writeFileSync(path.join(dir, p), text);
    };
    w('.github/workflows/ci.yml', 'on: push\njobs: {build: {runs-on: ubuntu-latest}}\n');
    w('cloudbuild.yaml', 'steps:\n- name: gcr.io/cloud-builders/docker\n  args: [build, .]\n');
    w('package.json', '{"name": "app", "version": "1.0.0"}');
    w('tsconfig.json', '// generated\n{"compilerOptions": {}}\n');
    w('cdk8s.yaml', 'language: typescript\napp: npx ts-node main.ts\n');
    w('polaris.yaml', 'checks:\n  hostIPCSet: danger\n');
    w('chart/Chart.yaml', 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
    w('chart/values.yaml', 'image: {repository: nginx, tag: "1.27"}\n');
    w('chart/templates/deployment.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "web.fullname" . }}\nspec:\n  replicas: {{ .Values.replicas }}\n');
    w('chart/templates/svc.yaml', '{{- if .Values.service }}\napiVersion: v1\nkind: Service\n{{- end }}\n');
    w('k8s/base/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [cm.yaml]\npatches:\n- path: patch.yaml\n');
    w('k8s/base/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {LOG_LEVEL: info}\n');
    w('k8s/base/patch.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n');
    w('k8s/delete.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: old}\n$patch: delete\n');
    w('ci/.gitlab-ci.yml', 'stages: [build]\n');
    w('templates-in-configmap.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alerts, namespace: shop}\ndata:\n  t.tmpl: |\n    {{ define "x" }}{{ .Labels }}{{ end }}\n');
    return dir;
  }

  test('a whole application repository audits (exit 0/1, never 2) and lists what it skipped', () => {
    const dir = repo();
    const r = cli('audit', dir, '--format', 'json');
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.summary.objects).toBe(2);
    const skipped = Object.fromEntries(out.summary.skipped.map((s: any) => [path.relative(dir, s.file), s.kind]));
    expect(skipped).toEqual({
      'cdk8s.yaml': 'not-kubernetes',
      'chart/Chart.yaml': 'helm-chart',
      'chart/templates/deployment.yaml': 'helm-template',
      'chart/templates/svc.yaml': 'helm-template',
      'chart/values.yaml': 'helm-values',
      'cloudbuild.yaml': 'not-kubernetes',
      'k8s/base/kustomization.yaml': 'tool-configuration',
      'k8s/base/patch.yaml': 'kustomize-patch',
      'k8s/delete.yaml': 'kustomize-patch',
      'package.json': 'not-kubernetes',
      'polaris.yaml': 'not-kubernetes',
      'tsconfig.json': 'malformed',
    });
    const text = cli('audit', dir);
    expect(text.stdout).toMatch(/chart\/templates\/deployment\.yaml: a template of the Helm chart in .*chart: render it first, e\.g\. `helm template RELEASE .*chart \| hardened audit -`/);
    expect(text.stdout).toMatch(/k8s\/base\/patch\.yaml: a patch of a kustomization: render the overlay first, e\.g\. `kustomize build DIR \| hardened audit -`/);
    expect(text.stdout).toMatch(/2 objects in 2 files: .*; skipped .*3 helm-template|skipped/);
  });

  test.each([
    ['cloudbuild.yaml', 'steps:\n- name: x\n', /document 1 has no kind\/apiVersion/],
    ['patch.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: old}\n$patch: delete\n', /a kustomize patch \(`\$patch`\), not a complete object: render the overlay first/],
    ['deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "x" . }}\n', /a Helm\/Go template, not YAML until rendered: render it first/],
  ])('an explicit file that is not Kubernetes (%s) exits 2', (name, text, message) => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, name), text);
    const r = cli('audit', path.join(dir, name));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  test('no objects found exits 2 unless --allow-empty; empty stdin too', () => {
    const dir = tmpdir();
    const r = cli('audit', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hardened audit: no Kubernetes objects, Compose services or Dockerfiles found in .*; pass --allow-empty to accept an empty input\n$/);
    expect(cli('audit', dir, '--allow-empty').code).toBe(0);
    fs.writeFileSync(path.join(dir, 'empty.yaml'), '');
    expect(cli('audit', path.join(dir, 'empty.yaml')).code).toBe(2);
    const stdin = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, '../../src/cli/main.ts'), 'audit', '-'], { input: '', encoding: 'utf8' });
    expect(stdin.status).toBe(2);
    expect(stdin.stderr).toMatch(/no Kubernetes objects, Compose services or Dockerfiles found in -/);
  });

  test('no path with stdin on a terminal prints usage instead of waiting', () => {
    let stderr = '';
    const code = run(['audit'], { stdout: () => {}, stderr: (s) => { stderr += s; }, isTTY: true, stdinIsTTY: true });
    expect(code).toBe(2);
    expect(stderr).toMatch(/no input \(stdin is a terminal\)\. usage: hardened audit \[options\] <paths\.\.\.>/);
  });

  test('audit --help lists formats, exit codes and examples, without "(default: [])"', () => {
    const h = cli('audit', '--help');
    expect(h.code).toBe(0);
    expect(h.stdout).not.toContain('(default: [])');
    expect(h.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}70 /);
    expect(h.stdout).toContain('helm template web ./chart | hardened audit -');
    expect(h.stdout).toMatch(/sarif +SARIF 2\.1\.0/);
    expect(h.stdout).toContain('--max-file-size <size>');
    expect(h.stdout).toContain('--allow-empty');
  });
});
