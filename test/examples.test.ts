import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AppProps, Chart, Testing, Yaml } from 'cdk8s';
import { defaultRuleSet, evaluateKubernetes } from '../src';
import { expectValidObjects } from './util/k8s-schema';
import { pssRestrictedViolations } from './util/pss';
import { APP_PROPS as BLOG_APP_PROPS, buildBlog } from '../examples/blog/main';
import { AcmeService } from '../examples/org-policy/acme';
import { buildOrgPolicy } from '../examples/org-policy/main';
import { APP_PROPS as SHOP_APP_PROPS, buildShop } from '../examples/shop/main';
import { run } from '../src/cli/main';

/** Every example, synthesized in-process (the policy guard runs). */
const examples: Record<string, (app: App) => unknown> = {
  'shop': buildShop,
  'blog': buildBlog,
  'org-policy': buildOrgPolicy,
};

describe.each(Object.entries(examples))('example %s', (_name, build) => {
  const app = Testing.app();
  build(app);
  const objects = app.charts.flatMap((c) => Testing.synth(c));

  test('synthesizes valid Kubernetes 1.28 objects (strict schema)', () => {
    expect(objects.length).toBeGreaterThan(0);
    expectValidObjects(objects.filter((o) => o.apiVersion !== 'snapshot.storage.k8s.io/v1'));
  });

  test('has no Pod Security "restricted" violation', () => {
    expect(pssRestrictedViolations(objects)).toEqual([]);
  });

  test('audits clean at every severity', () => {
    const findings = evaluateKubernetes(objects.map((object) => ({ object })), defaultRuleSet()).filter((f) => !f.suppressed);
    expect(findings.map((f) => `${f.ruleId} ${f.object.kind}/${f.object.name}: ${f.message}`)).toEqual([]);
  });

  test('writes no Polaris exemption except deploymentMissingReplicas on HPA-managed Deployments', () => {
    for (const o of objects) {
      const exemptions = Object.keys(o.metadata?.annotations ?? {}).filter((k) => k.startsWith('polaris.fairwinds.com/'));
      if (exemptions.length === 0) continue;
      expect(exemptions).toEqual(['polaris.fairwinds.com/deploymentMissingReplicas-exempt']);
      expect(o.kind).toBe('Deployment');
      expect(o.spec.replicas).toBeUndefined();
      expect(objects.some((h) => h.kind === 'HorizontalPodAutoscaler' && h.spec.scaleTargetRef.name === o.metadata.name)).toBe(true);
    }
  });
});

test('shop: the web → api → database flows are open in both policies', () => {
  const app = Testing.app();
  buildShop(app);
  const objects = app.charts.flatMap((c) => Testing.synth(c));
  const np = (name: string) => objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name).spec;
  expect(np('web').egress).toContainEqual({ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'api' } } }], ports: [{ port: 8080, protocol: 'TCP' }] });
  expect(np('api').ingress).toContainEqual({ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'web' } } }], ports: [{ port: 'http', protocol: 'TCP' }] });
  expect(np('api').ingress).toContainEqual({ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'worker' } } }], ports: [{ port: 'http', protocol: 'TCP' }] });
  expect(np('api').egress).toContainEqual({ to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ port: 5432, protocol: 'TCP' }] });
});

test('blog: StatefulSet with claim templates and Retain, replicated Redis, backup CronJob, Fluent Bit sidecar and its ConfigMap', () => {
  const app = Testing.app();
  buildBlog(app);
  const objects = app.charts.flatMap((c) => Testing.synth(c));
  const get = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  expect(get('StatefulSet', 'blog-db').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('50Gi');
  expect(get('StatefulSet', 'blog-db').spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  expect(get('StatefulSet', 'blog-cache').spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
  expect(get('CronJob', 'blog-db-backup').spec.concurrencyPolicy).toBe('Forbid');
  expect(get('Job', 'blog-db-restore').spec.ttlSecondsAfterFinished).toBeGreaterThan(0);
  expect(get('Deployment', 'blog-web').spec.template.spec.containers.map((c: any) => c.name)).toEqual(['main', 'fluent-bit']);
  expect(get('ConfigMap', 'blog-web-fluent-bit').data['fluent-bit.conf']).toContain('Name                     loki');
  const dbIngress = get('NetworkPolicy', 'blog-db').spec.ingress.map((r: any) => r.from[0].podSelector.matchLabels['app.kubernetes.io/instance']).sort();
  expect(dbIngress).toEqual(['blog-db-backup', 'blog-db-restore', 'blog-web']);
});

test('org-policy: the subclass applies ACME defaults and the pack runs at synth', () => {
  const app = Testing.app();
  buildOrgPolicy(app);
  const objects = app.charts.flatMap((c) => Testing.synth(c));
  const dep = objects.find((o) => o.kind === 'Deployment');
  expect(dep.metadata.labels['acme.com/owner']).toBe('payments-team');
  expect(dep.spec.template.spec.priorityClassName).toBe('acme-standard');
  const cm = objects.find((o) => o.kind === 'ConfigMap');
  expect(cm.metadata.annotations['hardened-constructs.io/suppress.no-secrets-in-configmap']).toMatch(/public id/);
});

test('org-policy: the pack refuses an image from outside the ACME registry', () => {
  const app = Testing.app();
  const { ledger } = buildOrgPolicy(app);
  new AcmeService(Chart.of(ledger), 'rogue', {
    owner: 'payments-team',
    image: 'ghcr.io/someone/rogue:1.0.0',
    ports: [{ name: 'http', port: 8080 }],
    resources: 'small',
    probes: { readiness: { http: { path: '/ready', port: 'http' } }, liveness: { http: { path: '/live', port: 'http' } } },
    ingress: [{ from: { kind: 'namespace', namespace: 'checkout' } }],
  });
  expect(() => app.charts.flatMap((c) => Testing.synth(c))).toThrow(/acme-trusted-registry: 'ghcr.io\/someone\/rogue:1.0.0' is not from registry.acme.example/);
});

/**
 * What `npm run synth` writes for an example is one self-contained file, Namespace first: linters
 * that check one file at a time (kube-score, kube-linter) see the namespace-wide default-deny
 * policy together with the workloads it selects, and `hardened audit` of that file alone is clean.
 */
describe.each([['shop', buildShop, SHOP_APP_PROPS], ['blog', buildBlog, BLOG_APP_PROPS]] as const)('example %s as written to disk', (_name, build, props: AppProps) => {
  test('is one file, Namespace first, that audits clean on its own', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'hardened-example-'));
    const app = new App({ ...props, outdir });
    build(app);
    app.synth();
    expect(fs.readdirSync(outdir)).toEqual(['app.k8s.yaml']);
    const file = path.join(outdir, 'app.k8s.yaml');
    const docs = Yaml.load(file);
    expect(docs[0].kind).toBe('Namespace');
    const out: string[] = [];
    const code = run(['audit', file, '--fail-on', 'info'], { stdout: (s) => out.push(s), stderr: (s) => out.push(s), isTTY: false });
    expect(out.join('')).toMatch(/0 errors, 0 warnings, 0 info/);
    expect(code).toBe(0);
    fs.rmSync(outdir, { recursive: true, force: true });
  });
});
