import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { HardenedService, Policy, PolicyViolationError, Rule, RulePack, Suppressions } from '../../src';
import { hardeningError, serviceProps, synth, testChart } from '../util/fixtures';

function unsafePod(scope: Chart, id = 'raw'): ApiObject {
  return new ApiObject(scope, id, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: id, namespace: 'shop' },
    spec: { containers: [{ name: 'c', image: 'nginx:latest', securityContext: { privileged: true } }] },
  });
}

describe('synth-time enforcement', () => {
  test('an unsafe raw ApiObject fails app.synth() with a readable report, and nothing is written', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-'));
    fs.writeFileSync(path.join(outdir, 'previous.k8s.yaml'), 'kept: true\n');
    const app = new App({ outdir });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    new HardenedService(chart, 'api', serviceProps());
    unsafePod(chart);
    let err: unknown;
    try {
      app.synth();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PolicyViolationError);
    const e = err as PolicyViolationError;
    expect(e.message).toMatch(/^Synthesis refused: \d+ policy violations \(nothing was written\)/);
    expect(e.message).toContain('Pod shop/raw  (shop/raw)');
    expect(e.message).toContain('no-privileged: container \'c\' is privileged');
    expect(e.message).toContain('at spec.containers[0].securityContext.privileged');
    expect(e.message).toContain('fix: Remove privileged: true');
    expect(e.failures.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['no-privileged', 'image-tag-pinned', 'run-as-non-root']));
    expect(e.failures.every((f) => f.object.name === 'raw')).toBe(true);
    expect(fs.readdirSync(outdir)).toEqual(['previous.k8s.yaml']);
  });

  test('Policy.enforce guards an app that uses no construct of this library', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'other');
    unsafePod(chart);
    Policy.enforce(app);
    expect(() => Testing.synth(chart)).toThrow(PolicyViolationError);
  });

  test('without enforcement, a plain cdk8s app is untouched', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'other');
    unsafePod(chart);
    expect(Testing.synth(chart)).toHaveLength(1);
  });

  test('warnings do not fail synthesis unless failOn says so', () => {
    const { app, chart } = testChart();
    new HardenedService(chart, 'api', serviceProps({ priorityClassName: undefined }));
    const seen: string[] = [];
    const guard = Policy.enforce(app, { onFindings: (found) => seen.push(...found.map((f) => f.ruleId)) });
    synth(chart);
    expect(seen).toEqual(['priority-class']);
    expect(guard.lastFindings[0].severity).toBe('warning');
    Policy.enforce(app, { failOn: 'warning' });
    expect(() => synth(chart)).toThrow(/priority-class/);
  });
});

describe('suppressions', () => {
  test('a reasoned suppression is written as an annotation and honoured', () => {
    const { chart } = testChart();
    const pod = unsafePod(chart);
    for (const id of ['no-privileged', 'image-tag-pinned', 'run-as-non-root', 'no-privilege-escalation', 'read-only-root-fs', 'drop-all-capabilities', 'seccomp-runtime-default', 'cpu-requests', 'cpu-limits', 'memory-requests', 'memory-limits', 'ephemeral-storage-limits', 'readiness-probe']) {
      Suppressions.add(pod, id, 'legacy debug pod, removed in OPS-42');
    }
    Policy.enforce(chart);
    const [out] = synth(chart);
    expect(out.metadata.annotations['hardened-constructs.io/suppress.no-privileged']).toBe('legacy debug pod, removed in OPS-42');
  });

  test('a suppression on a construct applies to every object below it', () => {
    const { chart } = testChart();
    const svc = new HardenedService(chart, 'api', serviceProps({ priorityClassName: undefined }));
    Suppressions.add(svc, 'priority-class', 'batch tier: default priority is intended');
    const dep = synth(chart).find((o) => o.kind === 'Deployment');
    expect(dep.metadata.annotations).toEqual({ 'hardened-constructs.io/suppress.priority-class': 'batch tier: default priority is intended' });
  });

  test('a suppression without a real reason is refused', () => {
    const { chart } = testChart();
    const e = hardeningError(() => Suppressions.add(chart, 'no-privileged', 'because'));
    expect(e.ruleId).toBe('spec/suppression-reason');
    expect(e.fix).toMatch(/reason|sentence/);
  });

  test('a suppression of an unknown rule fails synthesis', () => {
    const { chart } = testChart();
    new HardenedService(chart, 'api', serviceProps());
    Suppressions.add(chart, 'no-such-rule', 'typo in the rule id here');
    expect(() => synth(chart)).toThrow(/unknown rule 'no-such-rule'/);
  });
});

describe('org policy: rule packs and custom rules', () => {
  const ownerLabel: Rule = {
    id: 'acme-owner-label',
    category: 'availability',
    severity: 'error',
    title: 'Workloads name their owning team',
    rationale: 'On-call must know whom to page.',
    fix: 'Add the label acme.com/owner.',
    appliesTo: 'kubernetes',
    anchors: { kubeLinter: ['required-label-owner'] },
    kinds: ['Deployment'],
    checkObject: (o) => (o.metadata?.labels?.['acme.com/owner'] ? [] : [{ path: 'metadata.labels', message: `Deployment ${o.metadata?.name} has no acme.com/owner label` }]),
  };
  const pack: RulePack = { name: 'acme', rules: [ownerLabel], disable: ['priority-class'], severity: { 'no-nodeport': 'error' } };

  test('a custom rule fails synthesis; a disabled rule no longer reports', () => {
    const { app, chart } = testChart();
    new HardenedService(chart, 'api', serviceProps({ priorityClassName: undefined }));
    const guard = Policy.enforce(app, { packs: [pack] });
    expect(() => synth(chart)).toThrow(/acme-owner-label: Deployment api has no acme.com\/owner label/);
    expect(guard.lastFindings.map((f) => f.ruleId)).not.toContain('priority-class');
    expect(guard.rules.get('no-nodeport')!.severity).toBe('error');
  });

  test('packs are checked: unknown ids and clashes are errors', () => {
    const { app } = testChart();
    expect(() => Policy.enforce(app, { packs: [{ name: 'bad', disable: ['nope'] }] })).toThrow(/cannot disable unknown rule 'nope'/);
    expect(() => Policy.enforce(app, { packs: [{ name: 'bad', rules: [{ ...ownerLabel, id: 'no-privileged' }] }] })).toThrow(/already exists/);
  });
});

describe('subclassing a construct changes its defaults', () => {
  class AcmeService extends HardenedService {
    constructor(scope: Chart, id: string, props: Parameters<typeof serviceProps>[0]) {
      super(scope, id, serviceProps({ priorityClassName: 'acme-standard', partOf: 'acme', ...props }));
      this.deployment.metadata.addLabel('acme.com/owner', 'platform');
    }
  }

  test('org defaults flow into the output', () => {
    const { chart } = testChart();
    new AcmeService(chart, 'api', {});
    const dep = synth(chart).find((o) => o.kind === 'Deployment');
    expect(dep.spec.template.spec.priorityClassName).toBe('acme-standard');
    expect(dep.metadata.labels['app.kubernetes.io/part-of']).toBe('acme');
    expect(dep.metadata.labels['acme.com/owner']).toBe('platform');
  });
});
