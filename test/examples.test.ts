import { App, Testing } from 'cdk8s';
import { defaultRuleSet, evaluateKubernetes } from '../src';
import { expectValidObjects } from './util/k8s-schema';
import { pssRestrictedViolations } from './util/pss';
import { buildShop } from '../examples/shop/main';

/** Every example, synthesized in-process (the policy guard runs). */
const examples: Record<string, (app: App) => unknown> = {
  shop: buildShop,
};

describe.each(Object.entries(examples))('example %s', (_name, build) => {
  const app = Testing.app();
  build(app);
  const objects = app.charts.flatMap((c) => Testing.synth(c));

  test('synthesizes valid Kubernetes 1.28 objects (strict schema)', () => {
    expect(objects.length).toBeGreaterThan(0);
    expectValidObjects(objects);
  });

  test('has no Pod Security "restricted" violation', () => {
    expect(pssRestrictedViolations(objects)).toEqual([]);
  });

  test('audits clean at every severity', () => {
    const findings = evaluateKubernetes(objects.map((object) => ({ object })), defaultRuleSet());
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
