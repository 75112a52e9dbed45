import { deployment, fixture, namespace, policy, workload } from './helpers';
import { canonicalCidr, FlowsError, loadCluster } from '../../src/flows/model';
import { Simulator } from '../../src/flows/simulate';

const cluster = fixture('cluster.yaml');
const sim = new Simulator(cluster);
const check = (from: string, to: string, port: number, protocol: 'TCP' | 'UDP' | 'SCTP' = 'TCP') =>
  sim.check(workload(cluster, from), workload(cluster, to), port, protocol);
const allowed = (from: string, to: string, port: number, protocol: 'TCP' | 'UDP' | 'SCTP' = 'TCP') => check(from, to, port, protocol).allowed;

describe('NetworkPolicy simulation on hand-written policies', () => {
  test('workloads of every kind, pod template labels, namespace default and the synthetic DNS target', () => {
    expect(cluster.workloads.map((w) => `${w.kind} ${w.id}`)).toEqual([
      'Deployment shop/web', 'Deployment shop/api', 'StatefulSet shop/db', 'Deployment shop/cache', 'CronJob shop/report',
      'Deployment monitoring/prometheus', 'DaemonSet monitoring/node-agent', 'Deployment legacy/old', 'Pod default/debug', 'DNS kube-system/kube-dns',
    ]);
    expect(workload(cluster, 'shop/api')).toMatchObject({ labels: { app: 'api', tier: 'backend' }, ports: [{ port: 8080, protocol: 'TCP', name: 'http' }, { port: 9090, protocol: 'TCP', name: 'metrics' }] });
    expect(workload(cluster, 'monitoring/node-agent').ports).toEqual([{ port: 9100, protocol: 'TCP' }, { port: 8125, protocol: 'UDP', name: 'statsd' }]);
    expect(cluster.dns).toMatchObject({ id: 'kube-system/kube-dns', synthetic: true, labels: { 'k8s-app': 'kube-dns' } });
    expect(cluster.namespaces.get('shop')?.labels).toEqual({ 'team': 'shop', 'env': 'prod', 'kubernetes.io/metadata.name': 'shop' });
    expect(cluster.namespaces.get('legacy')).toEqual({ name: 'legacy', labels: { 'kubernetes.io/metadata.name': 'legacy' }, declared: false });
  });

  test('both sides must allow: egress of the source AND ingress of the destination', () => {
    const v = check('shop/web', 'shop/api', 8080);
    expect(v).toEqual({
      allowed: true,
      egress: { isolated: true, allowed: true, allowedBy: ['shop/web-egress'], isolatedBy: ['shop/default-deny', 'shop/allow-dns', 'shop/web-egress'] },
      ingress: { isolated: true, allowed: true, allowedBy: ['shop/api-ingress'], isolatedBy: ['shop/default-deny', 'shop/api-ingress', 'shop/api-from-report'] },
    });
    // web's egress names only the http port.
    expect(check('shop/web', 'shop/api', 9090)).toMatchObject({ allowed: false, egress: { allowed: false }, ingress: { allowed: false } });
    // db admits api, but api... is fine; web's egress does not reach db.
    expect(check('shop/web', 'shop/db', 5432)).toMatchObject({ allowed: false, egress: { allowed: false }, ingress: { allowed: false } });
    // legacy/old may send anything, but api's ingress does not admit it.
    expect(check('legacy/old', 'shop/api', 8080)).toMatchObject({ allowed: false, egress: { isolated: false, allowed: true }, ingress: { allowed: false } });
  });

  test('named ports resolve against the destination pod: egress `port: http` and ingress `port: pg`', () => {
    expect(allowed('shop/api', 'shop/db', 5432)).toBe(true);
    expect(check('shop/api', 'shop/db', 5432).ingress.allowedBy).toEqual(['shop/db-ingress']);
    // `metrics` is 9090 on api; the same number under another name elsewhere does not count.
    expect(allowed('monitoring/prometheus', 'shop/api', 9090)).toBe(true);
    expect(allowed('monitoring/prometheus', 'shop/api', 8080)).toBe(false);
  });

  test('endPort: a port range', () => {
    expect(allowed('shop/api', 'shop/cache', 6379)).toBe(true);
    expect(check('shop/api', 'shop/cache', 6000).egress.allowed).toBe(true);
    expect(check('shop/api', 'shop/cache', 6500).egress.allowed).toBe(true);
    expect(check('shop/api', 'shop/cache', 5999).egress.allowed).toBe(false);
    expect(check('shop/api', 'shop/cache', 6501).egress.allowed).toBe(false);
  });

  test('namespaceSelector and podSelector in one peer: AND; in two peers: OR', () => {
    // AND: prometheus pods in monitoring namespaces, not every pod there.
    expect(allowed('monitoring/prometheus', 'shop/api', 9090)).toBe(true);
    expect(allowed('monitoring/node-agent', 'shop/api', 9090)).toBe(false);
    // OR: any pod in a monitoring namespace reaches db.
    expect(check('monitoring/node-agent', 'shop/db', 5432)).toMatchObject({ allowed: true, ingress: { allowedBy: ['shop/db-ingress'] } });
    expect(allowed('legacy/old', 'shop/db', 5432)).toBe(false);
  });

  test('several policies on one pod: the union of their rules', () => {
    expect(check('shop/report', 'shop/api', 8080).ingress.allowedBy).toEqual(['shop/api-from-report']);
    expect(check('shop/web', 'shop/api', 8080).ingress.allowedBy).toEqual(['shop/api-ingress']);
    expect(allowed('shop/report', 'shop/cache', 6379)).toBe(true);
  });

  test('a namespace with no policy: anyone in, anything out', () => {
    expect(check('default/debug', 'legacy/old', 80)).toMatchObject({ allowed: true, egress: { isolated: false }, ingress: { isolated: false } });
    expect(allowed('legacy/old', 'default/debug', 12345, 'UDP')).toBe(true);
    expect(allowed('shop/web', 'legacy/old', 80)).toBe(false);
  });

  test('egress-only isolation leaves ingress open', () => {
    const v = check('legacy/old', 'monitoring/prometheus', 9090);
    expect(v).toMatchObject({ allowed: true, ingress: { isolated: false } });
    expect(sim.egressOf(workload(cluster, 'monitoring/prometheus')).map((p) => p.name)).toEqual(['prometheus-egress']);
    expect(sim.ingressOf(workload(cluster, 'monitoring/prometheus'))).toEqual([]);
    expect(allowed('monitoring/prometheus', 'legacy/old', 80)).toBe(false);
    expect(allowed('monitoring/prometheus', 'monitoring/node-agent', 9100)).toBe(true);
    expect(allowed('monitoring/prometheus', 'monitoring/node-agent', 8125, 'UDP')).toBe(false);
  });

  test('DNS: kube-system/kube-dns on 53 UDP and TCP, through namespace + pod labels', () => {
    expect(allowed('shop/web', 'kube-system/kube-dns', 53, 'UDP')).toBe(true);
    expect(allowed('shop/web', 'kube-system/kube-dns', 53, 'TCP')).toBe(true);
    expect(allowed('shop/web', 'kube-system/kube-dns', 54, 'UDP')).toBe(false);
    expect(allowed('monitoring/prometheus', 'kube-system/kube-dns', 53, 'UDP')).toBe(false);
  });

  test('protocols must match: a TCP rule does not admit UDP', () => {
    expect(allowed('shop/api', 'shop/db', 5432, 'UDP')).toBe(false);
    expect(allowed('shop/api', 'shop/db', 5432, 'SCTP')).toBe(false);
  });

  test('ipBlock selects no pod (pods have no IPs in manifests); CIDRs are canonicalized', () => {
    const webIngress = cluster.policies.find((p) => p.name === 'web-ingress')!;
    expect(webIngress.ingress[0].peers![0]).toEqual({ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } });
    expect(allowed('legacy/old', 'shop/web', 8080)).toBe(false);
    expect(canonicalCidr(' 10.1.2.3/8', 'x')).toBe('10.0.0.0/8');
    expect(canonicalCidr('2001:db8::1/32', 'x')).toBe('2001:db8::/32');
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '010.0.0.0/8', '0x0a.0.0.0/8', '10.0/8', 'any', 7]) {
      expect(() => canonicalCidr(bad, 'here')).toThrow(FlowsError);
    }
  });

  test('policyTypes default: Ingress always, Egress only with egress rules', () => {
    const c = loadCluster([
      deployment('a', 'x', { app: 'x' }, [{ containerPort: 80 }]),
      deployment('a', 'y', { app: 'y' }, [{ containerPort: 80 }]),
      deployment('a', 'z', { app: 'z' }, [{ containerPort: 80 }]),
      policy('a', 'x-egress', { podSelector: { matchLabels: { app: 'x' } }, egress: [{ to: [{ podSelector: { matchLabels: { app: 'y' } } }] }] }),
      policy('a', 'y-ingress', { podSelector: { matchLabels: { app: 'y' } }, ingress: [{ from: [{ podSelector: {} }] }], egress: [] }),
    ]);
    const s = new Simulator(c);
    const [x, y, z] = ['a/x', 'a/y', 'a/z'].map((id) => workload(c, id));
    expect(s.check(x, y, 80, 'TCP').allowed).toBe(true);
    expect(s.check(x, z, 80, 'TCP').egress.allowed).toBe(false);
    // x-egress has no policyTypes and egress rules: x is isolated both ways.
    expect(s.check(z, x, 80, 'TCP')).toMatchObject({ allowed: false, ingress: { isolated: true, isolatedBy: ['a/x-egress'] } });
    // y-ingress has an empty egress list: y's egress stays open.
    expect(s.check(y, z, 80, 'TCP')).toMatchObject({ allowed: true, egress: { isolated: false } });
  });

  test('empty from/to and an empty rule admit everything; matchExpressions; the implicit namespace name label', () => {
    const c = loadCluster([
      namespace('b', { env: 'dev' }),
      deployment('a', 'srv', { app: 'srv', tier: 'db' }, [{ containerPort: 5432 }]),
      deployment('a', 'open', { app: 'open' }, [{ containerPort: 80 }]),
      deployment('b', 'cli', { app: 'cli' }),
      deployment('c', 'other', { app: 'other', legacy: 'yes' }),
      policy('a', 'srv', {
        podSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
        ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['a'] }] }, podSelector: { matchExpressions: [{ key: 'legacy', operator: 'DoesNotExist' }] } }] }],
      }),
      policy('a', 'open', { podSelector: { matchLabels: { app: 'open' } }, ingress: [{}], egress: [{ to: [] }], policyTypes: ['Ingress', 'Egress'] }),
    ]);
    const s = new Simulator(c);
    const [srv, open, cli, other] = ['a/srv', 'a/open', 'b/cli', 'c/other'].map((id) => workload(c, id));
    expect(s.check(cli, srv, 5432, 'TCP').allowed).toBe(true);
    expect(s.check(other, srv, 5432, 'TCP').allowed).toBe(false);
    expect(s.check(open, srv, 5432, 'TCP').allowed).toBe(false);
    expect(s.check(other, open, 80, 'TCP').allowed).toBe(true);
    expect(s.check(open, other, 1, 'SCTP')).toMatchObject({ allowed: true, egress: { isolated: true, allowedBy: ['a/open'] } });
  });

  test('malformed policies are refused, naming the object and field', () => {
    const bad = (spec: Record<string, unknown>) => () => loadCluster([policy('a', 'p', spec)]);
    expect(bad({ podSelector: { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['x'] }] } })).toThrow(
      'NetworkPolicy a/p: spec.podSelector.matchExpressions[0]: operator must be In, NotIn, Exists or DoesNotExist (got "Equals")');
    expect(bad({ podSelector: {}, ingress: [{ from: [{}] }] })).toThrow('NetworkPolicy a/p: spec.ingress[0].from[0]: a peer needs podSelector, namespaceSelector or ipBlock');
    expect(bad({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] } }] }] })).toThrow('192.168.0.0/16 is not inside 10.0.0.0/8');
    expect(bad({ podSelector: {}, egress: [{ ports: [{ port: 'http', endPort: 90 }] }] })).toThrow('spec.egress[0].ports[0].endPort: needs a numeric port');
    expect(bad({ podSelector: {}, egress: [{ ports: [{ port: 90, endPort: 80 }] }] })).toThrow('endPort: 80 is below port 90');
    expect(bad({ podSelector: {}, egress: [{ ports: [{ port: 80, protocol: 'ICMP' }] }] })).toThrow('protocol must be TCP, UDP or SCTP (got "ICMP")');
    expect(bad({ podSelector: {}, policyTypes: ['ingress'] })).toThrow('spec.policyTypes: "ingress" is not Ingress or Egress');
  });

  test('two workloads with one namespace/name are refused (flows could not tell them apart)', () => {
    const job = { ...deployment('a', 'x', { app: 'x' }), kind: 'Job', apiVersion: 'batch/v1' };
    expect(() => loadCluster([deployment('a', 'x', { app: 'x' }), job])).toThrow('Job a/x and Deployment a/x share a name');
  });
});
