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
