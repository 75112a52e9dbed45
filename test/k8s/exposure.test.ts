import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { HardenedService, HardenedServiceProps, Peer } from '../../src';
import { crdSchemaErrors, expectValidCustomResources, isCustomResource } from '../util/crd-schema';
import { byKind, hardeningError, serviceProps, testChart } from '../util/fixtures';
import { expectValidObjects } from '../util/k8s-schema';

const grpcProps: Partial<HardenedServiceProps> = {
  ports: [{ name: 'grpc', port: 9555 }],
  probes: { readiness: { grpc: { port: 'grpc' } }, liveness: { tcp: { port: 'grpc' } } },
};

function web(o: Partial<HardenedServiceProps> = {}) {
  const { app, chart } = testChart();
  const svc = new HardenedService(chart, 'frontend', serviceProps({ ingress: undefined, ports: [{ name: 'http', port: 8080, servicePort: 80 }], ...o }));
  return { app, chart, svc };
}

describe('Ingress', () => {
  const { chart, svc } = web();
  svc.exposeViaIngress({ className: 'nginx', hosts: ['shop.example.com'], paths: ['/', { path: '/api', pathType: 'Prefix' }], tls: { secretName: 'shop-tls' } });
  const objects = Testing.synth(chart);

  test('class, hosts, paths to the Service port, TLS from the Secret', () => {
    const ing = byKind(objects, 'Ingress', 'frontend');
    expect(ing.metadata.namespace).toBe('shop');
    expect(ing.spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
      rules: [{
        host: 'shop.example.com',
        http: {
          paths: [
            { path: '/', pathType: 'Prefix', backend: { service: { name: 'frontend', port: { number: 80 } } } },
            { path: '/api', pathType: 'Prefix', backend: { service: { name: 'frontend', port: { number: 80 } } } },
          ],
        },
      }],
    });
  });

  test('the NetworkPolicy admits exactly the ingress controller, on the pod port', () => {
    expect(byKind(objects, 'NetworkPolicy', 'frontend').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }],
      ports: [{ port: 'http', protocol: 'TCP' }],
    }]);
  });

  test('strictly schema-valid', () => {
    expectValidObjects(objects);
  });

  test('TLS is required unless plain HTTP is a reasoned choice', () => {
    expect(hardeningError(() => web().svc.exposeViaIngress({ className: 'nginx', hosts: ['shop.example.com'] })).ruleId).toBe('ingress-tls');
    const { chart: c2, svc: s2 } = web();
    s2.exposeViaIngress({ className: 'nginx', hosts: ['shop.example.com'], plainHttp: 'TLS terminates at the cloud load balancer in front of the controller' });
    const ing = byKind(Testing.synth(c2), 'Ingress');
    expect(ing.spec.tls).toBeUndefined();
    expect(ing.metadata.annotations).toEqual({ 'hardened-constructs.io/suppress.ingress-tls': 'plainHttp: TLS terminates at the cloud load balancer in front of the controller' });
  });

  test('bad hosts, paths, TLS hosts and controllers are refused', () => {
    const base = { className: 'nginx', hosts: ['shop.example.com'], tls: { secretName: 'shop-tls' } };
    expect(hardeningError(() => web().svc.exposeViaIngress({ ...base, hosts: [] })).fieldPath).toBe('hosts');
    expect(hardeningError(() => web().svc.exposeViaIngress({ ...base, hosts: ['Shop.Example.com'] })).fieldPath).toBe('hosts[0]');
    expect(hardeningError(() => web().svc.exposeViaIngress({ ...base, paths: ['api'] })).fieldPath).toBe('paths[0]');
    expect(hardeningError(() => web().svc.exposeViaIngress({ ...base, tls: { secretName: 'shop-tls', hosts: ['other.example.com'] } })).fieldPath).toBe('tls.hosts[0]');
    expect(hardeningError(() => web().svc.exposeViaIngress({ ...base, controller: Peer.cidr('10.0.0.0/8') })).fieldPath).toBe('controller');
    expect(hardeningError(() => web().svc.exposeViaIngress({ ...base, port: 'admin' })).fieldPath).toBe('port');
  });
});

describe('Gateway API routes', () => {
  const { chart, svc } = web();
  const { chart: gchart, svc: ads } = (() => {
    const t = testChart();
    return { chart: t.chart, svc: new HardenedService(t.chart, 'adservice', serviceProps({ ingress: undefined, ...grpcProps })) };
  })();
  svc.exposeViaHttpRoute({ parentRefs: [{ name: 'public', namespace: 'gateway-system', sectionName: 'https' }], hostnames: ['shop.example.com'] });
  ads.exposeViaGrpcRoute({ parentRefs: [{ name: 'partners', namespace: 'gateway-system', sectionName: 'grpc', port: 443 }], methods: [{ service: 'hipstershop.AdService', method: 'GetAds' }] });
  const objects = Testing.synth(chart);
  const gobjects = Testing.synth(gchart);

  test('HTTPRoute: parentRefs with namespace and sectionName, path prefix, Service port backend', () => {
    const route = objects.find((o) => o.kind === 'HTTPRoute');
    expect(route).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'frontend', namespace: 'shop', labels: byKind(objects, 'Deployment').metadata.labels },
      spec: {
        parentRefs: [{ name: 'public', namespace: 'gateway-system', sectionName: 'https' }],
        hostnames: ['shop.example.com'],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'frontend', port: 80 }] }],
      },
    });
  });

  test('GRPCRoute: method match, listener port', () => {
    const route = gobjects.find((o) => o.kind === 'GRPCRoute');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec).toEqual({
      parentRefs: [{ name: 'partners', namespace: 'gateway-system', sectionName: 'grpc', port: 443 }],
      rules: [{ matches: [{ method: { type: 'Exact', service: 'hipstershop.AdService', method: 'GetAds' } }], backendRefs: [{ name: 'adservice', port: 9555 }] }],
    });
  });

  test('routes are valid against the Gateway API v1.6.1 CRD schema (strict); the rest against Kubernetes 1.28', () => {
    const all = [...objects, ...gobjects];
    expect(all.filter(isCustomResource).map((o) => o.kind).sort()).toEqual(['GRPCRoute', 'HTTPRoute']);
    expectValidCustomResources(all.filter(isCustomResource));
    expectValidObjects(all.filter((o) => !isCustomResource(o)));
  });

  test('the CRD validation fails on unknown fields and on missing required ones (it can fail)', () => {
    const route = objects.find((o) => o.kind === 'HTTPRoute');
    expect(crdSchemaErrors({ ...route, spec: { ...route.spec, backend: 'frontend' } }).join('\n')).toContain('must NOT have additional properties (backend)');
    expect(crdSchemaErrors({ ...route, spec: { ...route.spec, rules: [{ backendRefs: [{ port: 80 }] }] } }).join('\n')).toContain("must have required property 'name'");
  });

  test('the NetworkPolicy admits the Gateway namespace on the pod port', () => {
    expect(byKind(objects, 'NetworkPolicy', 'frontend').spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway-system' } } }], ports: [{ port: 'http', protocol: 'TCP' }] }]);
    expect(byKind(gobjects, 'NetworkPolicy', 'adservice').spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway-system' } } }], ports: [{ port: 'grpc', protocol: 'TCP' }] }]);
  });

  test('a Gateway in the service\'s own namespace needs its data-plane pods named', () => {
    const e = hardeningError(() => web().svc.exposeViaHttpRoute({ parentRefs: [{ name: 'local' }] }));
    expect(e.fieldPath).toBe('gatewayPeers');
    expect(e.fix).toContain("gateway.networking.k8s.io/gateway-name': 'local'");
    const { chart: c, svc: s } = web();
    s.exposeViaHttpRoute({ parentRefs: [{ name: 'local' }], gatewayPeers: [Peer.namespace('shop', { 'gateway.networking.k8s.io/gateway-name': 'local' })] });
    expect(byKind(Testing.synth(c), 'NetworkPolicy').spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'local' } } }]);
  });
});

describe('LoadBalancer: only explicit and reasoned', () => {
  const reason = 'partners connect over raw TCP from their own networks';

  test('type, source ranges (canonical), Local traffic policy, reason annotation; ipBlocks on the pod port', () => {
    const { chart } = testChart();
    new HardenedService(chart, 'edge', serviceProps({ ingress: undefined, ports: [{ name: 'http', port: 8080, servicePort: 443 }], loadBalancer: { reason, sourceRanges: ['203.0.113.7/24', '198.51.100.0/24', '203.0.113.0/24'] } }));
    const objects = Testing.synth(chart);
    const svc = byKind(objects, 'Service', 'edge');
    expect(svc.spec).toEqual({
      type: 'LoadBalancer',
      selector: { 'app.kubernetes.io/instance': 'edge' },
      ports: [{ name: 'http', port: 443, targetPort: 'http', protocol: 'TCP' }],
      loadBalancerSourceRanges: ['203.0.113.0/24', '198.51.100.0/24'],
      externalTrafficPolicy: 'Local',
    });
    expect(svc.metadata.annotations).toEqual({ 'hardened-constructs.io/exposure': `LoadBalancer: ${reason}` });
    expect(byKind(objects, 'NetworkPolicy', 'edge').spec.ingress).toEqual([
      { from: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 'http', protocol: 'TCP' }] },
      { from: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ port: 'http', protocol: 'TCP' }] },
    ]);
    expectValidObjects(objects);
  });

  test('ranges covering every address are refused however they are spelled, unless internetFacing says why', () => {
    const spellings = fc.oneof(
      fc.constantFrom<string[]>(['0.0.0.0/0'], ['0::0/0'], ['::/0'], ['::ffff:0.0.0.0/96'], ['10.0.0.0/8', '0.0.0.0/0']),
      // every address as 2^k consecutive blocks of prefix k
      fc.integer({ min: 1, max: 4 }).map((k) => Array.from({ length: 2 ** k }, (_, i) => `${(i * 256) / 2 ** k}.0.0.0/${k}`)),
    );
    fc.assert(fc.property(spellings, (sourceRanges) => {
      const { chart } = testChart();
      const e = hardeningError(() => new HardenedService(chart, 'edge', serviceProps({ loadBalancer: { reason, sourceRanges } })));
      expect(e.ruleId).toBe('network-policy-required');
      const { chart: c2 } = testChart();
      new HardenedService(c2, 'edge', serviceProps({ loadBalancer: { reason, sourceRanges, internetFacing: 'the public API is served directly to mobile clients' } }));
      expect(byKind(Testing.synth(c2), 'Service').metadata.annotations['hardened-constructs.io/exposure']).toContain('internet-facing: the public API');
    }), { numRuns: 20 });
  });

  test('no ranges, no reason, or a stray internetFacing are refused', () => {
    const make = (loadBalancer: any) => () => new HardenedService(testChart().chart, 'edge', serviceProps({ loadBalancer }));
    expect(hardeningError(make({ reason, sourceRanges: [] })).fieldPath).toBe('loadBalancer.sourceRanges');
    expect(hardeningError(make({ reason: 'because', sourceRanges: ['10.0.0.0/8'] })).fieldPath).toBe('loadBalancer.reason');
    expect(hardeningError(make({ reason, sourceRanges: ['10.0.0.0/8'], internetFacing: 'not actually public at all' })).fieldPath).toBe('loadBalancer.internetFacing');
    expect(hardeningError(make({ reason, sourceRanges: ['10.0.0.0/33'] })).fieldPath).toBe('loadBalancer.sourceRanges[0]');
  });

  test('Peer.cidr of the whole internet stays refused, however spelled', () => {
    for (const cidr of ['0.0.0.0/0', '0::0/0', '::/0', '::ffff:0.0.0.0/96']) {
      const e = hardeningError(() => new HardenedService(testChart().chart, 'api', serviceProps({ ingress: [{ from: Peer.cidr(cidr) }] })));
      expect(e.ruleId).toBe('network-policy-required');
    }
    // Leading zeros are not a CIDR for the API server either: refused before any range check.
    const e = hardeningError(() => new HardenedService(testChart().chart, 'api', serviceProps({ ingress: [{ from: Peer.cidr('0.000.0.0/00') }] })));
    expect([e.ruleId, e.fieldPath]).toEqual(['spec/network-peer', 'ingress[0].from.cidr']);
  });
});
