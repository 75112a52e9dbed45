import { Chart, Testing } from 'cdk8s';
import { HardenedNamespace } from '../../src';
import { byKind, hardeningError } from '../util/fixtures';
import { expectValidObjects } from '../util/k8s-schema';

const quota = {
  requests: { cpu: '4', memory: '8Gi', ephemeralStorage: '10Gi' },
  limits: { cpu: '8', memory: '16Gi', ephemeralStorage: '20Gi' },
  pods: 40,
  persistentVolumeClaims: 5,
  storage: '100Gi',
};

describe('HardenedNamespace', () => {
  const chart = new Chart(Testing.app(), 'ns');
  new HardenedNamespace(chart, 'team', { name: 'payments', quota, containerDefaults: 'small' });
  const objects = Testing.synth(chart);

  test('valid against the strict 1.28 schema', () => {
    expectValidObjects(objects);
  });

  test('Pod Security admission: restricted for enforce, audit and warn, version pinned', () => {
    expect(byKind(objects, 'Namespace').metadata).toEqual({
      name: 'payments',
      labels: {
        'kubernetes.io/metadata.name': 'payments',
        'app.kubernetes.io/managed-by': 'hardened-constructs',
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.28',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/audit-version': 'v1.28',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/warn-version': 'v1.28',
      },
    });
  });

  test('default-deny NetworkPolicy for every pod, both directions', () => {
    const np = byKind(objects, 'NetworkPolicy');
    expect(np.metadata.namespace).toBe('payments');
    expect(np.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('ResourceQuota and LimitRange', () => {
    expect(byKind(objects, 'ResourceQuota').spec.hard).toEqual({
      'requests.cpu': '4',
      'requests.memory': '8Gi',
      'requests.ephemeral-storage': '10Gi',
      'limits.cpu': '8',
      'limits.memory': '16Gi',
      'limits.ephemeral-storage': '20Gi',
      'pods': '40',
      'persistentvolumeclaims': '5',
      'requests.storage': '100Gi',
    });
    expect(byKind(objects, 'LimitRange').spec.limits).toEqual([{
      type: 'Container',
      defaultRequest: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '128Mi' },
      default: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' },
    }]);
  });

  test.each([
    [{ name: 'default' }, 'no-default-namespace', 'name'],
    [{ name: 'kube-tools' }, 'no-default-namespace', 'name'],
    [{ name: 'Payments' }, 'spec/dns-1123-name', 'name'],
    [{ quota: { ...quota, pods: 0 } }, 'spec/quota', 'quota.pods'],
    [{ quota: { ...quota, limits: { ...quota.limits, cpu: 'lots' } } }, 'cpu-limits', 'quota.limits.cpu'],
    [{ containerDefaults: 'giant' }, 'spec/size-preset', 'containerDefaults'],
  ])('refuses %j', (override, ruleId, fieldPath) => {
    const c = new Chart(Testing.app(), 'ns');
    const e = hardeningError(() => new HardenedNamespace(c, 'x', { name: 'ok', quota, containerDefaults: 'small', ...(override as any) }));
    expect(e.ruleId).toBe(ruleId);
    expect(e.fieldPath).toBe(fieldPath);
  });
});
