import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, Testing, Yaml } from 'cdk8s';
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

describe('one evaluation per synthesis, never stale', () => {
  function multiChartApp(charts: number, outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-pass-'))) {
    const app = new App({ outdir });
    const services: HardenedService[] = [];
    for (let i = 0; i < charts; i++) {
      const chart = new Chart(app, `team-${i}`, { namespace: 'shop' });
      services.push(new HardenedService(chart, `svc-${i}`, serviceProps()));
    }
    return { app, outdir, services };
  }

  test('app.synth() and app.synthYaml() run the catalogue once however many charts the app has', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const engine = require('../../src/policy/engine');
    const spy = jest.spyOn(engine, 'evaluateKubernetes');
    try {
      const { app, outdir } = multiChartApp(6);
      const guard = Policy.enforce(app, { quiet: true });
      app.synth();
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy.mock.calls[0][0]).toHaveLength(6 * 5);
      expect(fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml'))).toHaveLength(6);
      app.synthYaml();
      expect(spy).toHaveBeenCalledTimes(2);
      expect(guard.evaluations).toBe(2);
      // A chart synthesized on its own (as Testing.synth does) is evaluated on every call.
      app.charts[0].toJson();
      app.charts[1].toJson();
      expect(spy).toHaveBeenCalledTimes(4);
    } finally {
      spy.mockRestore();
    }
  });

  test('objects changed between two synths of a multi-chart app are written as they are now', () => {
    const { app, outdir, services } = multiChartApp(3);
    Policy.enforce(app, { quiet: true });
    const first = app.synthYaml();
    expect(first).not.toContain('acme.com/team');
    // Change objects in the first and the middle chart (not the last one synthesized).
    services[0].deployment.metadata.addLabel('acme.com/team', 'payments');
    services[1].service!.metadata.addLabel('acme.com/team', 'search');
    const second = app.synthYaml();
    const docs = second.split('\n---\n');
    expect(docs.filter((d) => d.includes('acme.com/team: payments'))).toHaveLength(1);
    expect(docs.find((d) => d.includes('acme.com/team: payments'))).toMatch(/^kind: Deployment$/m);
    expect(docs.find((d) => d.includes('acme.com/team: search'))).toMatch(/^kind: Service$/m);
    // app.synth() writes the change too, and then changes again.
    app.synth();
    expect(fs.readFileSync(path.join(outdir, 'team-0.k8s.yaml'), 'utf8')).toContain('acme.com/team: payments');
    services[0].deployment.metadata.addLabel('acme.com/team', 'checkout');
    services[2].podDisruptionBudget.metadata.addLabel('acme.com/team', 'cart');
    app.synth();
    expect(fs.readFileSync(path.join(outdir, 'team-0.k8s.yaml'), 'utf8')).toContain('acme.com/team: checkout');
    expect(fs.readFileSync(path.join(outdir, 'team-2.k8s.yaml'), 'utf8')).toContain('acme.com/team: cart');
    // Outside a synthesis, objects serialize afresh.
    services[1].deployment.metadata.addLabel('acme.com/tier', 'gold');
    expect(services[1].deployment.toJson().metadata.labels['acme.com/tier']).toBe('gold');
    expect(Object.prototype.hasOwnProperty.call(services[1].deployment, 'toJson')).toBe(false);
  });

  test('a synthesis pass writes exactly what cdk8s writes chart by chart (dependency order, nested charts)', () => {
    const { app, services } = multiChartApp(3);
    Policy.enforce(app, { quiet: true });
    // Reverse the natural order inside a chart, and nest a chart inside another.
    services[1].serviceAccount.node.addDependency(services[1].networkPolicy);
    const nested = new Chart(app.charts[2], 'nested', { namespace: 'shop' });
    new HardenedService(nested, 'inner', serviceProps());
    const inPass = app.synthYaml();
    // chart.toJson() outside a pass takes cdk8s's own path (resolve, validate, list).
    const chartByChart = Yaml.stringify(...app.charts.flatMap((c) => c.toJson()));
    expect(inPass).toBe(chartByChart);
    const kinds = inPass.split('\n---\n').filter((d) => d.includes('name: svc-1\n')).map((d) => /^kind: (\w+)$/m.exec(d)![1]);
    expect(kinds.indexOf('NetworkPolicy')).toBeLessThan(kinds.indexOf('ServiceAccount'));
    expect(inPass.split('\n---\n').filter((d) => d.includes('name: inner\n'))).toHaveLength(5);
  });

  test('a change that breaks the policy between two synths is caught by the second', () => {
    const { app, services } = multiChartApp(2);
    Policy.enforce(app, { quiet: true });
    app.synthYaml();
    services[0].deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/securityContext/privileged', true));
    expect(() => app.synthYaml()).toThrow(/no-privileged/);
  });
});

describe('synthesis says what it saw', () => {
  function captureStderr(fn: () => void): string {
    let out = '';
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation(((s: string) => {
      out += s;
      return true;
    }) as any);
    try {
      fn();
    } finally {
      spy.mockRestore();
    }
    return out;
  }

  test('app.synth() prints a one-line summary and every warning with rule, object and fix', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-say-'));
    const app = new App({ outdir });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    new HardenedService(chart, 'api', serviceProps({ priorityClassName: undefined }));
    new HardenedService(chart, 'web', serviceProps());
    const rules = Policy.guardOf(app)!.rules.rules.filter((r) => r.appliesTo !== 'docker').length;
    const err = captureStderr(() => app.synth());
    expect(err.split('\n')).toEqual([
      `hardened-constructs: 10 objects checked against ${rules} rules: 0 errors, 1 warning, 0 info, 0 suppressed`,
      expect.stringMatching(/^ {2}warning priority-class: Deployment shop\/api \(shop\/api\/Deployment\): .+/),
      expect.stringMatching(/^ {4}fix: .*priorityClassName/),
      '',
    ]);
    expect(captureStderr(() => app.synthYaml())).toBe(err);
  });

  test('quiet: nothing is printed; errors still fail synthesis as before', () => {
    const { app, chart } = testChart();
    new HardenedService(chart, 'api', serviceProps({ priorityClassName: undefined }));
    Policy.enforce(app, { quiet: true });
    expect(captureStderr(() => app.synthYaml())).toBe('');
    unsafePod(chart);
    let thrown: unknown;
    const err = captureStderr(() => {
      try {
        app.synthYaml();
      } catch (e) {
        thrown = e;
      }
    });
    expect(thrown).toBeInstanceOf(PolicyViolationError);
    expect(err).toBe('');
  });
});

describe('org control: locked rules and ticketed suppressions', () => {
  const locking: RulePack = { name: 'acme-baseline', lock: ['no-privileged', 'readiness-probe'] };
  const ticketed: RulePack = { name: 'acme-tickets', requireTicket: /^[A-Z]+-\d+/ };

  test('Suppressions.add of a locked rule is refused, naming the pack', () => {
    const { app, chart } = testChart();
    Suppressions.add(unsafePod(chart), 'no-privileged', 'legacy debug pod, removed in OPS-42');
    Policy.enforce(app, { packs: [locking], quiet: true });
    const e = hardeningError(() => app.synthYaml());
    expect(e.ruleId).toBe('policy/locked-rule');
    expect(e.constructPath).toBe('test/raw');
    expect(e.fieldPath).toBe('suppressions.no-privileged');
    expect(e.message).toContain("locked by rule pack 'acme-baseline'");
  });

  test('an annotation, a linter exemption or a relaxation of a locked rule is refused, naming the pack', () => {
    const { app, chart } = testChart();
    const pod = unsafePod(chart);
    pod.metadata.addAnnotation('hardened-constructs.io/suppress.no-privileged', 'legacy debug pod, removed in OPS-42');
    pod.metadata.addAnnotation('polaris.fairwinds.com/runAsPrivileged-exempt', 'true');
    new HardenedService(chart, 'worker', serviceProps({ relaxations: { noProbes: 'OPS-7: batch worker with no endpoint' }, probes: undefined }));
    Policy.enforce(app, { packs: [locking], quiet: true });
    let err: PolicyViolationError | undefined;
    try {
      app.synthYaml();
    } catch (e) {
      err = e as PolicyViolationError;
    }
    expect(err).toBeInstanceOf(PolicyViolationError);
    const priv = err!.failures.filter((f) => f.ruleId === 'no-privileged');
    expect(priv.map((f) => f.message)).toEqual([
      "suppression refused: rule 'no-privileged' is locked by rule pack 'acme-baseline': it cannot be suppressed or relaxed",
      expect.stringMatching(/^container 'c' is privileged.*\(not suppressed: hardened-constructs.io\/suppress.no-privileged: rule 'no-privileged' is locked by rule pack 'acme-baseline'.*polaris.fairwinds.com\/runAsPrivileged-exempt: rule 'no-privileged' is locked/),
    ]);
    expect(priv[0].path).toBe('metadata.annotations.hardened-constructs.io/suppress.no-privileged');
    expect(priv[0].fix).toContain("rule pack 'acme-baseline'");
    const probe = err!.failures.find((f) => f.ruleId === 'readiness-probe' && f.object.name === 'worker' && f.message.startsWith('suppression refused'));
    expect(probe?.object.kind).toBe('Deployment');
  });

  test('later packs cannot disable or downgrade a locked rule', () => {
    const { app } = testChart();
    expect(() => Policy.enforce(app, { packs: [locking, { name: 'team-x', disable: ['no-privileged'] }] })).toThrow("rule pack 'team-x': cannot disable rule 'no-privileged': it is locked by rule pack 'acme-baseline'");
    expect(() => Policy.enforce(app, { packs: [locking, { name: 'team-x', severity: { 'readiness-probe': 'info' } }] })).toThrow(/locked by rule pack 'acme-baseline'/);
    expect(() => Policy.enforce(app, { packs: [{ name: 'typo', lock: ['no-privilegd'] }] })).toThrow("rule pack 'typo': cannot lock unknown rule 'no-privilegd'");
  });

  test('a pack can require a ticket in every suppression reason', () => {
    const refused = testChart();
    Suppressions.add(new HardenedService(refused.chart, 'api', serviceProps({ priorityClassName: undefined })), 'priority-class', 'batch tier: default priority is intended');
    Policy.enforce(refused.app, { packs: [ticketed], quiet: true });
    const e = hardeningError(() => refused.app.synthYaml());
    expect(e.ruleId).toBe('policy/suppression-ticket');
    expect(e.message).toContain("matching /^[A-Z]+-\\d+/ (required by rule pack 'acme-tickets')");

    const accepted = testChart();
    const svc = new HardenedService(accepted.chart, 'api', serviceProps({ priorityClassName: undefined, relaxations: { singleReplica: 'OPS-12: a cache warmer, one is enough' }, replicas: 1 }));
    Suppressions.add(svc, 'priority-class', 'OPS-11: batch tier, default priority is intended');
    const guard = Policy.enforce(accepted.app, { packs: [ticketed], quiet: true });
    accepted.app.synthYaml();
    expect(guard.lastFindings.filter((f) => !f.suppressed)).toEqual([]);
    expect(guard.lastFindings.map((f) => f.suppressed?.reason)).toContain('OPS-11: batch tier, default priority is intended');
  });

  test('an annotation without the ticket does not suppress, and is reported; the pattern sees a bounded reason', () => {
    const { app, chart } = testChart();
    const svc = new HardenedService(chart, 'api', serviceProps({ priorityClassName: undefined }));
    svc.deployment.metadata.addAnnotation('hardened-constructs.io/suppress.priority-class', `${'x'.repeat(300)} OPS-1`);
    const guard = Policy.enforce(app, { packs: [ticketed], quiet: true });
    expect(() => app.synthYaml()).toThrow(PolicyViolationError);
    expect(guard.lastFindings.map((f) => [f.ruleId, f.severity, !!f.suppressed])).toEqual([['priority-class', 'error', false], ['priority-class', 'warning', false]]);
    expect(guard.lastFindings[0].message).toBe("suppression refused: the reason does not carry a ticket matching /^[A-Z]+-\\d+/ (required by rule pack 'acme-tickets')");
    expect(guard.lastFindings[1].message).toMatch(/\(not suppressed: hardened-constructs.io\/suppress.priority-class: the reason does not carry a ticket/);
  });
});
