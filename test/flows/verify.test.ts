import * as fc from 'fast-check';
import { stringify } from 'yaml';
import { fixture } from './helpers';
import { FlowsError } from '../../src/flows/model';
import { parseFlowsFile, verifyFlows } from '../../src/flows/verify';

const numRuns = Number(process.env.FC_NUM_RUNS ?? 500);
const cluster = fixture('cluster.yaml');

test('any flows file either verifies or is refused with a FlowsError (never another exception)', () => {
  const part = fc.oneof(
    fc.constantFrom('shop/web', 'shop/api', 'shop/api:8080', 'shop/api:http', 'shop/api:http/UDP', 'monitoring/prometheus', 'kube-system/kube-dns:53/UDP',
      'shop/api:8080/tcp', 'shop/', '/api', 'shop/api:', 'shop/api:0', 'shop/api:65536', 'a/b/c', 'shop/api:8080/TCP/x', ' shop/web '),
    fc.string({ maxLength: 30 }),
  );
  const entry = fc.record({ from: part, to: part, description: fc.string() }, { requiredKeys: [] });
  const doc = fc.oneof(
    fc.record({ flows: fc.array(entry, { maxLength: 4 }) }).map((d) => stringify(d)),
    fc.anything().map((x) => stringify(x) ?? ''),
    fc.string({ maxLength: 60 }),
  );
  let verified = 0;
  fc.assert(fc.property(doc, fc.boolean(), (text, strict) => {
    try {
      const r = verifyFlows(cluster, parseFlowsFile(text, 'flows.yaml'), { strict });
      verified++;
      expect(r.summary.flows).toBe(r.allowed.length + r.blocked.length);
      for (const e of [...r.allowed, ...r.blocked, ...r.unexpected]) {
        expect(e.port).toBeGreaterThanOrEqual(1);
        expect(['TCP', 'UDP', 'SCTP']).toContain(e.protocol);
      }
    } catch (e) {
      if (!(e instanceof FlowsError)) throw e;
      expect(e.message.startsWith('flows.yaml')).toBe(true);
    }
  }), { numRuns });
  expect(verified).toBeGreaterThan(0);
});

test('protocol suffixes are case-insensitive; a named port takes its container protocol', () => {
  const [f] = parseFlowsFile('flows:\n  - from: monitoring/prometheus\n    to: monitoring/node-agent:statsd\n', 'f');
  expect(f).toEqual({ from: { namespace: 'monitoring', name: 'prometheus' }, to: { namespace: 'monitoring', name: 'node-agent' }, port: 'statsd', protocol: undefined, at: 'f: flows[0]' });
  const r = verifyFlows(cluster, [f]);
  expect(r.blocked).toEqual([{
    from: 'monitoring/prometheus',
    to: 'monitoring/node-agent',
    port: 8125,
    protocol: 'UDP',
    reason: 'egress of monitoring/prometheus is limited by monitoring/prometheus-egress and no rule there allows it',
  }]);
  expect(parseFlowsFile('flows:\n  - from: a/b\n    to: a/c:53/udp\n', 'f')[0].protocol).toBe('UDP');
});
