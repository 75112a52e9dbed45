/**
 * A realistic three-tier shop: a web frontend behind the ingress controller, an autoscaled API
 * holding the database credentials, and a background worker that calls the API. Everything lives
 * in a guarded namespace.
 *
 *   npm run synth                       # from the repository root: synthesizes and audits every example
 *   cd examples/shop && npx cdk8s synth # after `npm run compile`
 */
import { App, AppProps, Chart, YamlOutputType } from 'cdk8s';
import { HardenedNamespace, HardenedService, WorkloadPriorityClass } from 'hardened-constructs';
import * as spec from './spec';

export function buildShop(app: App): { web: HardenedService; api: HardenedService; worker: HardenedService } {
  // Cluster-level guardrails live in their own chart: a Namespace must not carry a namespace.
  const platform = new Chart(app, 'shop-platform');
  const ns = new HardenedNamespace(platform, 'namespace', {
    name: 'shop',
    quota: {
      requests: { cpu: '8', memory: '16Gi', ephemeralStorage: '20Gi' },
      limits: { cpu: '16', memory: '32Gi', ephemeralStorage: '40Gi' },
      pods: 60,
    },
    containerDefaults: 'small',
  });
  new WorkloadPriorityClass(platform, 'priority', {
    name: 'shop-critical',
    value: 100000,
    description: 'Customer-facing shop services',
  });

  const chart = new Chart(app, 'shop', { namespace: ns.name });
  chart.addDependency(platform);

  const api = new HardenedService(chart, 'api', spec.api);
  const web = new HardenedService(chart, 'web', spec.web);
  const worker = new HardenedService(chart, 'worker', spec.worker);
  web.connectTo(api);
  worker.connectTo(api);

  return { web, api, worker };
}

/**
 * One file for the whole app, Namespace first: file-at-a-time checkers (kube-score, kube-linter)
 * then see the namespace's default-deny NetworkPolicy together with the workloads it selects.
 */
export const APP_PROPS: AppProps = { yamlOutputType: YamlOutputType.FILE_PER_APP };

if (require.main === module) {
  const app = new App(APP_PROPS);
  buildShop(app);
  app.synth();
}
