/**
 * Using an organisation's policy: ACME's subclass and rule pack on top of the catalogue.
 *
 *   npm run synth                              # from the repository root
 */
import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Peer, Policy, Suppressions } from 'hardened-constructs';
import { AcmeService, pack } from './acme';

export function buildOrgPolicy(app: App) {
  Policy.enforce(app, { packs: [pack] });
  const chart = new Chart(app, 'payments', { namespace: 'payments' });
  const ledger = new AcmeService(chart, 'ledger', {
    owner: 'payments-team',
    image: 'registry.acme.example/payments/ledger:7.1.0',
    ports: [{ name: 'grpc', port: 9090 }],
    resources: 'medium',
    probes: {
      readiness: { grpc: { port: 'grpc' } },
      liveness: { tcp: { port: 'grpc' } },
    },
    ingress: [{ from: Peer.namespace('checkout') }],
    egress: [{ to: Peer.cidr('10.40.0.0/16'), ports: [{ port: 5432 }] }],
  });
  // Configuration next to it. SIGNING_KEY_ID names a public key identifier, which the catalogue's
  // secret-name heuristic flags: a reasoned exception, visible in the output and honoured by
  // `hardened audit`.
  const settings = new k8s.KubeConfigMap(chart, 'ledger-settings', {
    metadata: { name: 'ledger-settings' },
    data: { LEDGER_CURRENCY: 'EUR', SIGNING_KEY_ID: 'kid-2026-01' },
  });
  Suppressions.add(settings, 'no-secrets-in-configmap', 'SIGNING_KEY_ID is the public id of the signing key, not key material');
  return { ledger, settings };
}

if (require.main === module) {
  const app = new App();
  buildOrgPolicy(app);
  app.synth();
}
