import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { droppedPatchValues } from '../../src/k8s/patches';

function deployment(): k8s.KubeDeployment {
  const chart = new Chart(new App(), 'c');
  return new k8s.KubeDeployment(chart, 'd', {
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'a', resources: { requests: { cpu: k8s.Quantity.fromString('1') } } }] } },
    },
  });
}

describe('values a JSON patch adds that the L1 class drops are found', () => {
  test('a plain-string quantity in a patch is reported with its pointer', () => {
    const d = deployment();
    d.addJsonPatch(JsonPatch.add('/spec/template/spec/initContainers', [{ name: 'i', resources: { requests: { cpu: '100m', memory: '64Mi' } } }]));
    d.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/resources/limits', { cpu: '2' }));
    // What cdk8s writes: the strings are gone.
    expect(d.toJson().spec.template.spec.initContainers[0].resources).toEqual({ requests: {} });
    expect(droppedPatchValues(d)).toEqual([
      { pointer: '/spec/template/spec/containers/0/resources/limits/cpu', value: '2' },
      { pointer: '/spec/template/spec/initContainers/0/resources/requests/cpu', value: '100m' },
      { pointer: '/spec/template/spec/initContainers/0/resources/requests/memory', value: '64Mi' },
    ]);
  });

  test('Quantity objects in a patch survive and are not reported', () => {
    const d = deployment();
    d.addJsonPatch(JsonPatch.add('/spec/template/spec/initContainers', [{ name: 'i', resources: { requests: { cpu: k8s.Quantity.fromString('100m') } } }]));
    expect(d.toJson().spec.template.spec.initContainers[0].resources).toEqual({ requests: { cpu: '100m' } });
    expect(droppedPatchValues(d)).toEqual([]);
  });

  test('objects without patches, and plain ApiObjects, are not converted twice', () => {
    expect(droppedPatchValues(deployment())).toEqual([]);
    const plain = new ApiObject(new Chart(new App(), 'c'), 'x', { apiVersion: 'v1', kind: 'ConfigMap' });
    plain.addJsonPatch(JsonPatch.add('/data', { a: 'b' }));
    expect(droppedPatchValues(plain)).toEqual([]);
  });

  test('a patch that removes a field is not a drop', () => {
    const d = deployment();
    d.addJsonPatch(JsonPatch.remove('/spec/template/spec/containers/0/resources'));
    expect(droppedPatchValues(d)).toEqual([]);
  });
});

describe('synthesis fails loudly on a dropped patch value', () => {
  test('HardeningError with the JSON pointer and the Quantity fix', () => {
    const app = new App();
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { HardenedService } = require('../../src') as typeof import('../../src');
    const svc = new HardenedService(chart, 'api', {
      image: 'ghcr.io/acme/api:1.2.3',
      ports: [{ name: 'http', port: 8080 }],
      resources: 'small',
      priorityClassName: 'standard',
      probes: { readiness: { http: { path: '/readyz', port: 'http' } }, liveness: { http: { path: '/livez', port: 'http' } } },
      ingress: [{ from: { kind: 'namespace', namespace: 'ingress-nginx' } }],
    });
    svc.deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/resources/requests/cpu', '300m'));
    let err: any;
    try {
      app.synthYaml();
    } catch (e) {
      err = e;
    }
    expect(err?.name).toBe('HardeningError');
    expect([err.ruleId, err.fieldPath, err.constructPath]).toEqual(['spec/patch-dropped-value', '/spec/template/spec/containers/0/resources/requests/cpu', 'c/api/Deployment']);
    expect(err.fix).toContain('k8s.Quantity.fromString("300m")');
  });
});
