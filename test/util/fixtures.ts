import { App, Chart, Testing } from 'cdk8s';
import { HardenedServiceProps } from '../../src';

/** A chart in namespace `shop`, inside a fresh test App. */
export function testChart(namespace: string | null = 'shop'): { app: App; chart: Chart } {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { namespace: namespace ?? undefined });
  return { app, chart };
}

/** Minimal valid service props; override per test. */
export function serviceProps(overrides: Partial<HardenedServiceProps> = {}): HardenedServiceProps {
  return {
    image: 'ghcr.io/acme/api:1.2.3',
    ports: [{ name: 'http', port: 8080 }],
    resources: 'small',
    probes: {
      readiness: { http: { path: '/readyz', port: 'http' } },
      liveness: { http: { path: '/livez', port: 'http' } },
    },
    ingress: [{ from: { kind: 'namespace', namespace: 'ingress-nginx' } }],
    priorityClassName: 'standard',
    ...overrides,
  };
}

/** Synthesize a chart (runs the policy guard) and return its objects. */
export function synth(chart: Chart): any[] {
  return Testing.synth(chart);
}

export function byKind(objects: any[], kind: string, name?: string): any {
  const o = objects.find((x) => x.kind === kind && (name === undefined || x.metadata?.name === name));
  if (!o) throw new Error(`no ${kind}${name ? ` ${name}` : ''} in ${objects.map((x) => `${x.kind}/${x.metadata?.name}`).join(', ')}`);
  return o;
}

/** Run `fn` and return the HardeningError it throws (fails the test if none). */
export function hardeningError(fn: () => unknown): any {
  try {
    fn();
  } catch (e) {
    if ((e as Error).name === 'HardeningError') return e;
    throw e;
  }
  throw new Error('expected a HardeningError, but nothing was thrown');
}
