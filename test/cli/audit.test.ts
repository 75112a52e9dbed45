import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import { App } from 'cdk8s';
import { stringify } from 'yaml';
import { buildShop } from '../../examples/shop/main';
import { run } from '../../src/cli/main';

function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = run(args, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, isTTY: false });
  return { code, stdout, stderr };
}

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
      'no-host-path', 'no-literal-secrets-in-env', 'min-replicas', 'network-policy-required', 'image-pull-policy-always', 'priority-class',
      'topology-spread', 'no-sa-token-automount', 'high-uid-gid', 'recommended-labels',
    ]));
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
