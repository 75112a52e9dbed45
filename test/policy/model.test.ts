import * as fc from 'fast-check';
import { defaultRuleSet, evaluateKubernetes } from '../../src';
import { createContext, selects } from '../../src/policy/model';
import { K8sObject } from '../../src/policy/types';

/**
 * The selector index (every label pair, `In` values and `Exists` keys, smallest bucket first) must
 * answer exactly what a naive scan with `selects` answers, in input order.
 */
const numRuns = Number(process.env.FC_NUM_RUNS ?? 300);

// Small alphabets so that selectors and labels often meet; a few odd strings for the edges.
const key = fc.constantFrom('app', 'tier', 'team', 'app.kubernetes.io/instance', 'x', 'a\u0000b');
const value = fc.constantFrom('shop', 'web', 'api', '1', '', 'b\u0001');
const namespace = fc.constantFrom('', 'shop', 'prod');
const labels = fc.dictionary(key, value, { maxKeys: 4 });

const expression = fc.oneof(
  fc.record({ key, operator: fc.constantFrom('In', 'NotIn'), values: fc.array(value, { maxLength: 3 }) }),
  fc.record({ key, operator: fc.constantFrom('Exists', 'DoesNotExist') }),
  // Malformed terms select nothing, whatever the index does.
  fc.record({ key, operator: fc.constantFrom('in', 'Equals') }),
  fc.record({ key: fc.constant(7 as any), operator: fc.constant('In'), values: fc.constant(['shop']) }),
  fc.constant('not an expression' as any),
);
const selector = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      matchLabels: fc.option(fc.dictionary(key, fc.oneof(value, fc.constant(3 as any)), { maxKeys: 3 }), { nil: undefined }),
      matchExpressions: fc.option(fc.array(expression, { maxLength: 3 }), { nil: undefined }),
    }, { requiredKeys: [] }),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 'app=shop', {}, []) },
);

const workload = fc.record({ kind: fc.constantFrom('Deployment', 'Pod'), namespace, labels }).map(({ kind, namespace: ns, labels: l }): K8sObject => (kind === 'Pod'
  ? { apiVersion: 'v1', kind, metadata: { name: 'p', namespace: ns, labels: l }, spec: { containers: [{ name: 'c', image: 'i' }] } }
  : { apiVersion: 'apps/v1', kind, metadata: { name: 'd', namespace: ns }, spec: { template: { metadata: { labels: l }, spec: { containers: [{ name: 'c', image: 'i' }] } } } }));
const policy = fc.record({ namespace, selector }).map(({ namespace: ns, selector: s }): K8sObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: ns }, spec: { podSelector: s } }));
const podSelector = (o: K8sObject) => o.spec?.podSelector;
const isRecord = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);

describe('selector index', () => {
  test('selecting(): the index agrees with a naive scan', () => {
    fc.assert(fc.property(fc.array(workload, { maxLength: 12 }), fc.array(policy, { maxLength: 12 }), fc.boolean(), (ws, ps, policiesFirst) => {
      const ctx = createContext(policiesFirst ? [...ps, ...ws] : [...ws, ...ps]);
      for (const pod of ctx.pods) {
        const naive = ctx.ofKind('NetworkPolicy').filter((np) => ctx.namespaceOf(np) === pod.namespace && isRecord(podSelector(np)) && selects(podSelector(np), pod.labels));
        expect(ctx.selecting('NetworkPolicy', pod, podSelector)).toEqual(naive);
        // Memoized answers are the same answers.
        expect(ctx.selecting('NetworkPolicy', pod, podSelector)).toEqual(naive);
      }
    }), { numRuns });
  });

  test('podsSelectedBy(): the index agrees with a naive scan', () => {
    fc.assert(fc.property(fc.array(workload, { maxLength: 16 }), fc.array(fc.record({ namespace, selector }), { maxLength: 8 }), (ws, queries) => {
      const ctx = createContext(ws);
      for (const q of queries) {
        const naive = isRecord(q.selector) ? ctx.pods.filter((p) => p.namespace === q.namespace && selects(q.selector, p.labels)) : [];
        expect(ctx.podsSelectedBy(q.namespace, q.selector)).toEqual(naive);
      }
    }), { numRuns });
  });

  test('two selector functions over the same kind are indexed separately', () => {
    const pod: K8sObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    const np: K8sObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'web' } }, other: { matchLabels: { app: 'api' } } } };
    const ctx = createContext([pod, np]);
    const [view] = ctx.pods;
    expect(ctx.selecting('NetworkPolicy', view, podSelector)).toEqual([np]);
    expect(ctx.selecting('NetworkPolicy', view, (o) => o.spec?.other)).toEqual([]);
  });

  test('every workload sharing its first label: lookups only visit their own bucket', () => {
    // 300 apps whose selectors all start with app=shop; each policy must select exactly one pod.
    const objects: K8sObject[] = [];
    for (let i = 0; i < 300; i++) {
      const l = { 'app': 'shop', 'app.kubernetes.io/instance': `svc-${i}` };
      objects.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `svc-${i}`, namespace: 'shop' }, spec: { template: { metadata: { labels: l }, spec: { containers: [] } } } });
      objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `svc-${i}`, namespace: 'shop' }, spec: { podSelector: { matchLabels: l } } });
    }
    let calls = 0;
    const counted = (o: K8sObject) => {
      calls++;
      return o.spec?.podSelector;
    };
    const ctx = createContext(objects);
    for (const pod of ctx.pods) expect(ctx.selecting('NetworkPolicy', pod, counted).map((o) => o.metadata?.name)).toEqual([pod.object.metadata?.name]);
    // Building the index reads each selector once; each lookup verifies one candidate.
    expect(calls).toBe(600);
    expect(ctx.podsSelectedBy('shop', { matchLabels: { 'app': 'shop', 'app.kubernetes.io/instance': 'svc-7' } }).map((p) => p.object.metadata?.name)).toEqual(['svc-7']);
  });
});

describe('pods of other controllers', () => {
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } };
  test('a custom kind with a pod template (Argo Rollout, DeploymentConfig) has its pod checked like a Deployment\'s', () => {
    const rollout = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'web', namespace: 'shop' }, spec: { replicas: 3, template } };
    const ctx = createContext([rollout]);
    expect(ctx.pods).toHaveLength(1);
    expect(ctx.pods[0].specPath).toBe('spec.template.spec');
    expect(ctx.pods[0].labels).toEqual({ app: 'web' });
    expect(ctx.pods[0].containers.map((c) => c.path)).toEqual(['spec.template.spec.containers[0]']);
    expect(ctx.pods[0].namespace).toBe('shop');
  });
  test('the audit reports the same container findings on a Rollout as on a Deployment with the same template', () => {
    const meta = { name: 'web', namespace: 'shop' };
    const ids = (kind: string, apiVersion: string) => evaluateKubernetes([{ object: { apiVersion, kind, metadata: meta, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template } } }], defaultRuleSet())
      .filter((f) => f.path.startsWith('spec.template.spec.containers')).map((f) => `${f.ruleId} ${f.path}`).sort();
    const rollout = ids('Rollout', 'argoproj.io/v1alpha1');
    expect(rollout).toEqual(ids('Deployment', 'apps/v1'));
    expect(rollout.some((f) => f.startsWith('run-as-non-root'))).toBe(true);
  });
  test('objects without a pod template (a CRD, a custom resource, a template without containers) have no pod', () => {
    const objects: K8sObject[] = [
      { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.acme.io' }, spec: { group: 'acme.io' } },
      { apiVersion: 'acme.io/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { template: { spec: { size: 3 } } } },
      { apiVersion: 'acme.io/v1', kind: 'Widget', metadata: { name: 'v' }, spec: { template: { spec: { containers: 'web' } } } },
    ];
    expect(createContext(objects).pods).toEqual([]);
  });
});
