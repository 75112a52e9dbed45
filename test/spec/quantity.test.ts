import { checkQuantity, parseQuantity, Refuser } from '../../src';
import { hardeningError } from '../util/fixtures';

describe('quantities', () => {
  test.each([
    ['500m', 0.5], ['1', 1], ['1.5', 1.5], ['256Mi', 256 * 2 ** 20], ['1Gi', 2 ** 30], ['1G', 1e9], ['12e6', 12e6], ['.5', 0.5], ['100k', 1e5],
  ])('%s parses to %d', (q, n) => {
    expect(parseQuantity(q)).toBeCloseTo(n);
  });

  test.each(['', 'abc', '1GB', '1 Gi', '--1', 'Mi', '1.2.3'])('%p is not a quantity', (q) => {
    expect(parseQuantity(q)).toBeUndefined();
  });

  test.each([
    ['cpu', '0', /not positive/],
    ['cpu', '-1', /not positive/],
    ['cpu', '0.0001', /below 1m/],
    ['memory', 'lots', /not a Kubernetes quantity/],
    ['ephemeral-storage', '0Mi', /not positive/],
  ] as const)('%s %s is refused', (kind, q, msg) => {
    const e = hardeningError(() => checkQuantity(q, kind, 'resources.requests.x', new Refuser('a/b')));
    expect(e.reason).toMatch(msg);
    expect(e.fieldPath).toBe('resources.requests.x');
    expect(e.ruleId).toBe(kind === 'cpu' ? 'cpu-limits' : kind === 'memory' ? 'memory-limits' : 'ephemeral-storage-limits');
  });
});
