import { defaultRuleSet, evaluateKubernetes } from '../../../src';

/**
 * network-policy-targets-pods treats an empty podSelector the way kube-score
 * (networkpolicy-targets-pod) and kube-linter (dangling-networkpolicy) do: it selects every pod of
 * its namespace, so it is dangling only when no workload of that namespace is checked with it.
 */
const ruleSet = defaultRuleSet();

const denyAll = (namespace: string, podSelector: unknown = {}) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'default-deny', namespace },
  spec: { podSelector, policyTypes: ['Ingress', 'Egress'] },
});

const deployment = (namespace: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'app', namespace },
  spec: {
    selector: { matchLabels: { app: 'a' } },
    template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'main', image: 'ghcr.io/acme/a:1.0.0' }] } },
  },
});

function targets(...objects: object[]) {
  return evaluateKubernetes(objects.map((object) => ({ object })), ruleSet)
    .filter((f) => f.ruleId === 'network-policy-targets-pods')
    .map((f) => `${f.object.namespace}/${f.object.name} ${f.path}: ${f.message}`);
}

test('an empty selector with a workload in its namespace selects it', () => {
  expect(targets(denyAll('shop'), deployment('shop'))).toEqual([]);
});

test('an empty selector with no workload in its namespace is reported, with the reason', () => {
  expect(targets(denyAll('shop'), deployment('other'))).toEqual([
    "shop/default-deny spec.podSelector: NetworkPolicy default-deny selects every pod of namespace 'shop', but no workload of that namespace is among the objects checked (check the namespace's objects together with its workloads, e.g. in one file)",
  ]);
  expect(targets(denyAll('shop', null))).toHaveLength(1);
});

test('a label selector that matches nothing is reported as selecting no pod', () => {
  expect(targets(denyAll('shop', { matchLabels: { app: 'b' } }), deployment('shop'))).toEqual([
    'shop/default-deny spec.podSelector: NetworkPolicy default-deny selects no pod',
  ]);
  expect(targets(denyAll('shop', { matchExpressions: [{ key: 'app', operator: 'In', values: ['a'] }] }), deployment('shop'))).toEqual([]);
});
