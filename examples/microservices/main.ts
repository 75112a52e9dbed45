/**
 * An online boutique in the spirit of the public microservices demo: an HTTP frontend, nine gRPC
 * services, a cart with a Redis cache and an orders database, reached from outside through an
 * Ingress (or, in the Gateway variant, an HTTPRoute on a shared Gateway). Every connection is
 * declared by a `connectTo` call: no service lists its peers by hand, and the NetworkPolicies on
 * both ends follow from the calls (Service ports resolved to pod ports, no duplicate rules).
 * The allowed flows are written next to the manifests for `hardened verify-flows`.
 *
 *   npm run synth                                 # from the repository root
 *   cd examples/microservices && npx cdk8s synth  # after `npm run compile`
 */
import * as path from 'path';
import { App, AppProps, Chart, YamlOutputType } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Flows, HardenedNamespace, HardenedService, HardenedServiceSpec, StatefulDatabase } from 'hardened-constructs';

const NAMESPACE = 'boutique';
const REGISTRY = 'us-central1-docker.pkg.dev/google-samples/microservices-demo';
const VERSION = 'v0.10.1';
const PRIORITY = 'boutique-standard';

/** How traffic from outside reaches the frontend. */
export type Entry = 'ingress' | 'gateway';

/** A gRPC service: gRPC health for readiness, a TCP check for liveness (distinct handlers). */
function grpcService(name: string, port: number, o: Partial<HardenedServiceSpec> = {}): HardenedServiceSpec {
  return {
    name,
    image: `${REGISTRY}/${name}:${VERSION}`,
    component: 'backend',
    partOf: 'boutique',
    ports: [{ name: 'grpc', port }],
    resources: 'small',
    probes: {
      readiness: { grpc: { port: 'grpc' } },
      liveness: { tcp: { port: 'grpc' }, periodSeconds: 15 },
    },
    env: { PORT: String(port), DISABLE_PROFILER: '1' },
    priorityClassName: PRIORITY,
    ...o,
  };
}

/** The services, as backend-neutral specs (no ingress or egress: the calls in buildBoutique wire them). */
export const SPECS = {
  frontend: {
    name: 'frontend',
    image: `${REGISTRY}/frontend:${VERSION}`,
    component: 'frontend',
    partOf: 'boutique',
    ports: [{ name: 'http', port: 8080, servicePort: 80 }],
    resources: 'small',
    probes: {
      readiness: { http: { path: '/_healthz', port: 'http', scheme: 'HTTP' } },
      liveness: { tcp: { port: 'http' }, periodSeconds: 15 },
    },
    env: {
      PORT: '8080',
      PRODUCT_CATALOG_SERVICE_ADDR: 'productcatalogservice:3550',
      CURRENCY_SERVICE_ADDR: 'currencyservice:7000',
      CART_SERVICE_ADDR: 'cartservice:7070',
      RECOMMENDATION_SERVICE_ADDR: 'recommendationservice:8080',
      SHIPPING_SERVICE_ADDR: 'shippingservice:50051',
      CHECKOUT_SERVICE_ADDR: 'checkoutservice:5050',
      AD_SERVICE_ADDR: 'adservice:9555',
      ENABLE_PROFILER: '0',
    },
    autoscaling: { minReplicas: 3, maxReplicas: 10 },
    priorityClassName: PRIORITY,
    preStopDelaySeconds: 5,
  } as HardenedServiceSpec,
  productcatalogservice: grpcService('productcatalogservice', 3550),
  currencyservice: grpcService('currencyservice', 7000),
  paymentservice: grpcService('paymentservice', 50051),
  shippingservice: grpcService('shippingservice', 50051),
  adservice: grpcService('adservice', 9555),
  // The upstream manifests give the email Service port 5000 in front of pod port 8080.
  emailservice: grpcService('emailservice', 8080, { ports: [{ name: 'grpc', port: 8080, servicePort: 5000 }] }),
  recommendationservice: grpcService('recommendationservice', 8080, {
    env: { PORT: '8080', DISABLE_PROFILER: '1', PRODUCT_CATALOG_SERVICE_ADDR: 'productcatalogservice:3550' },
  }),
  cartservice: grpcService('cartservice', 7070, {
    env: {
      PORT: '7070',
      REDIS_ADDR: 'redis-cart:6379',
      REDIS_PASSWORD: { secret: { name: 'redis-cart-credentials', key: 'password' } },
    },
  }),
  checkoutservice: grpcService('checkoutservice', 5050, {
    env: {
      PORT: '5050',
      DISABLE_PROFILER: '1',
      PRODUCT_CATALOG_SERVICE_ADDR: 'productcatalogservice:3550',
      SHIPPING_SERVICE_ADDR: 'shippingservice:50051',
      PAYMENT_SERVICE_ADDR: 'paymentservice:50051',
      EMAIL_SERVICE_ADDR: 'emailservice:5000',
      CURRENCY_SERVICE_ADDR: 'currencyservice:7000',
      CART_SERVICE_ADDR: 'cartservice:7070',
      ORDERS_DB_HOST: 'orders-db',
      ORDERS_DB_PASSWORD: { secret: { name: 'orders-db-credentials', key: 'password' } },
    },
  }),
} satisfies Record<string, HardenedServiceSpec>;

export function buildBoutique(app: App, entry: Entry = 'ingress') {
  const platform = new Chart(app, 'boutique-platform');
  const ns = new HardenedNamespace(platform, 'namespace', {
    name: NAMESPACE,
    quota: {
      requests: { cpu: '12', memory: '24Gi', ephemeralStorage: '32Gi' },
      limits: { cpu: '32', memory: '48Gi', ephemeralStorage: '64Gi' },
      pods: 100,
      persistentVolumeClaims: 10,
      storage: '200Gi',
    },
    containerDefaults: 'small',
  });
  new k8s.KubePriorityClass(platform, 'priority', {
    metadata: { name: PRIORITY },
    value: 10000,
    globalDefault: false,
    description: 'Online boutique services',
  });

  const chart = new Chart(app, 'boutique', { namespace: ns.name });
  chart.addDependency(platform);

  const s = Object.fromEntries(Object.entries(SPECS).map(([id, spec]) => [id, new HardenedService(chart, id, spec)])) as Record<keyof typeof SPECS, HardenedService>;

  const cache = new StatefulDatabase(chart, 'redis-cart', {
    engine: 'redis',
    partOf: 'boutique',
    resources: 'small',
    storage: { size: '2Gi' },
    credentials: { secretName: 'redis-cart-credentials' },
    priorityClassName: PRIORITY,
  });
  const orders = new StatefulDatabase(chart, 'orders-db', {
    engine: 'postgres',
    partOf: 'boutique',
    resources: 'medium',
    storage: { size: '20Gi' },
    credentials: { secretName: 'orders-db-credentials' },
    username: 'checkout',
    database: 'orders',
    priorityClassName: PRIORITY,
  });

  // The call graph of the upstream demo, plus the orders database: wiring by calls only.
  for (const server of [s.productcatalogservice, s.currencyservice, s.cartservice, s.recommendationservice, s.shippingservice, s.checkoutservice, s.adservice]) {
    s.frontend.connectTo(server);
  }
  for (const server of [s.productcatalogservice, s.shippingservice, s.paymentservice, s.emailservice, s.currencyservice, s.cartservice, orders]) {
    s.checkoutservice.connectTo(server);
  }
  s.recommendationservice.connectTo(s.productcatalogservice);
  s.cartservice.connectTo(cache);

  if (entry === 'ingress') {
    s.frontend.exposeViaIngress({ className: 'nginx', hosts: ['boutique.example.com'], tls: { secretName: 'boutique-tls' } });
  } else {
    s.frontend.exposeViaHttpRoute({ parentRefs: [{ name: 'public', namespace: 'gateway-system', sectionName: 'https' }], hostnames: ['boutique.example.com'] });
  }
  return { services: s, cache, orders };
}

/**
 * One file for the whole app, Namespace first: file-at-a-time checkers (kube-score, kube-linter)
 * then see the namespace's default-deny NetworkPolicy together with the workloads it selects.
 */
export const APP_PROPS: AppProps = { yamlOutputType: YamlOutputType.FILE_PER_APP };

/** Synthesize one variant into `outdir`, with its flows file. */
export function synthBoutique(outdir: string, entry: Entry): void {
  const app = new App({ ...APP_PROPS, outdir });
  buildBoutique(app, entry);
  app.synth();
  // The output folder is regenerated on every synth: replacing its flows file is the point.
  Flows.of(app).writeFile(path.join(outdir, 'flows.yaml'), { overwrite: true });
}

if (require.main === module) {
  const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
  synthBoutique(outdir, 'ingress');
  synthBoutique(path.join(outdir, 'gateway'), 'gateway');
}
