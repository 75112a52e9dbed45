import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { defaultRuleSet, evaluateKubernetes, HardenedService, LoggingSidecar, Peer, StatefulDatabase } from '../../src';
import { byKind, hardeningError, serviceProps, synth, testChart } from '../util/fixtures';
import { expectValidObjects } from '../util/k8s-schema';
import { pssRestrictedViolations } from '../util/pss';

const loki = {
  kind: 'loki' as const,
  host: 'loki.monitoring.svc.cluster.local',
  user: 'shop',
  password: { name: 'loki-credentials', key: 'password' },
  peer: Peer.namespace('monitoring', { 'app.kubernetes.io/name': 'loki' }),
};

function audit(objects: any[]) {
  return evaluateKubernetes(objects.map((object) => ({ object })), defaultRuleSet()).map((f) => `${f.ruleId} ${f.object.kind}/${f.object.name}: ${f.message}`);
}

describe('LoggingSidecar on a HardenedService, shipping to Loki', () => {
  const { chart } = testChart();
  const svc = new HardenedService(chart, 'api', serviceProps({ resources: 'medium' }));
  const sidecar = new LoggingSidecar(chart, 'api-logs', { target: svc, logPath: '/var/log/app', output: loki, resources: 'nano' });
  const objects = synth(chart);
  const pod = byKind(objects, 'Deployment').spec.template;
  const [app, fb] = pod.spec.containers;

  test('valid, PSS restricted, audits clean', () => {
    expectValidObjects(objects);
    expect(pssRestrictedViolations(objects)).toEqual([]);
    expect(audit(objects)).toEqual([]);
  });

  test('shared size-limited log volume: writable for the app, read-only for the sidecar', () => {
    expect(pod.spec.volumes).toContainEqual({ name: 'app-logs', emptyDir: { sizeLimit: '256Mi' } });
    expect(app.volumeMounts).toContainEqual({ name: 'app-logs', mountPath: '/var/log/app' });
    expect(fb.volumeMounts).toEqual([
      { name: 'fluent-bit-tmp', mountPath: '/tmp' },
      { name: 'fluent-bit-w0', mountPath: '/fluent-bit/state' },
      { name: 'app-logs', mountPath: '/var/log/app', readOnly: true },
      { name: 'fluent-bit-config', mountPath: '/fluent-bit/etc', readOnly: true },
    ]);
    expect(pod.spec.volumes).toContainEqual({ name: 'fluent-bit-config', configMap: { name: 'api-fluent-bit', defaultMode: 0o444 } });
  });

  test('the sidecar is hardened like every container, with HTTP probes that do not depend on the backend', () => {
    expect(fb.image).toBe('cr.fluentbit.io/fluent/fluent-bit:3.1.9');
    expect(fb.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(fb.resources.limits).toEqual({ 'cpu': '250m', 'memory': '128Mi', 'ephemeral-storage': '256Mi' });
    expect(fb.readinessProbe.httpGet).toEqual({ path: '/', port: 'fb-http', scheme: 'HTTP' });
    expect(fb.livenessProbe.httpGet).toEqual({ path: '/api/v1/uptime', port: 'fb-http', scheme: 'HTTP' });
    expect(fb.env).toContainEqual({ name: 'FLB_OUTPUT_PASSWORD', valueFrom: { secretKeyRef: { name: 'loki-credentials', key: 'password' } } });
  });

  test('config: tail with offset DB, memory limit, filesystem buffer, long lines; Loki with TLS', () => {
    const conf = byKind(objects, 'ConfigMap').data['fluent-bit.conf'];
    expect(conf).toContain('Path              /var/log/app/*.log');
    expect(conf).toContain('DB                /fluent-bit/state/tail.db');
    expect(conf).toContain('Mem_Buf_Limit     5MB');
    expect(conf).toContain('Skip_Long_Lines   On');
    expect(conf).toContain('storage.type      filesystem');
    expect(conf).toContain('storage.total_limit_size 64M');
    expect(conf).toContain('Name                     loki');
    expect(conf).toContain('Labels                   job=api, namespace=shop');
    expect(conf).toContain('http_passwd              ${FLB_OUTPUT_PASSWORD}');
    expect(conf).toContain('tls                      On');
    expect(conf).not.toMatch(/hunter|password=/);
  });

  test('a config hash on the pod template rolls the pods on change', () => {
    expect(pod.metadata.annotations['hardened-constructs.io/fluent-bit-config']).toBe(sidecar.spec.configHash);
    expect(sidecar.spec.configHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('egress to the log backend is opened', () => {
    const np = byKind(objects, 'NetworkPolicy').spec;
    expect(np.egress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'loki' } } }],
      ports: [{ port: 3100, protocol: 'TCP' }],
    });
  });
});

test('stdout streaming sidecar on a StatefulDatabase', () => {
  const { chart } = testChart();
  const db = new StatefulDatabase(chart, 'db', { engine: 'postgres', resources: 'medium', storage: { size: '10Gi' }, credentials: { secretName: 'db' }, clients: [Peer.workload('api')], priorityClassName: 'standard' });
  new LoggingSidecar(chart, 'db-logs', { target: db, logPath: '/var/log/postgresql', output: { kind: 'stdout' }, resources: 'nano', parser: 'none' });
  const objects = synth(chart);
  expectValidObjects(objects);
  expect(audit(objects)).toEqual([]);
  const conf = byKind(objects, 'ConfigMap').data['fluent-bit.conf'];
  expect(conf).toContain('Format                   json_lines');
  expect(conf).not.toContain('Parser            json');
  expect(byKind(objects, 'StatefulSet').spec.template.spec.containers.map((c: any) => c.name)).toEqual(['postgres', 'fluent-bit']);
});

test('native sidecar is an init container with restartPolicy Always', () => {
  const { chart } = testChart();
  const svc = new HardenedService(chart, 'api', serviceProps({ resources: 'medium' }));
  new LoggingSidecar(chart, 'logs', { target: svc, logPath: '/var/log/app', output: { kind: 'stdout' }, resources: 'nano', nativeSidecar: true });
  const objects = synth(chart);
  const spec = byKind(objects, 'Deployment').spec.template.spec;
  expect(spec.initContainers.map((c: any) => [c.name, c.restartPolicy])).toEqual([['fluent-bit', 'Always']]);
  expect(spec.containers).toHaveLength(1);
  expectValidObjects(objects);
  expect(audit(objects)).toEqual([]);
});

test('attaches to any cdk8s-plus workload, and the guard checks that workload too', () => {
  const { chart } = testChart();
  const bare = new kplus.Deployment(chart, 'bare', { containers: [{ image: 'ghcr.io/acme/legacy:1.0.0', portNumber: 8080 }] });
  new LoggingSidecar(chart, 'bare-logs', { target: bare, logPath: '/var/log/legacy', output: { kind: 'stdout' }, resources: 'nano' });
  let failures: any[] = [];
  try {
    synth(chart);
  } catch (e) {
    failures = (e as any).failures;
  }
  // cdk8s-plus-28's own defaults miss drop ALL, seccomp, ephemeral-storage and readiness: the
  // application container is refused, the sidecar is not.
  expect(failures.map((f) => f.ruleId).sort()).toEqual(['drop-all-capabilities', 'ephemeral-storage-limits', 'ephemeral-storage-limits', 'readiness-probe', 'seccomp-runtime-default']);
  expect(failures.every((f) => f.path.startsWith('spec.template.spec.containers[0]') || f.path.startsWith('spec.template.spec.securityContext'))).toBe(true);
});

test('attaches to a well-configured cdk8s-plus workload', () => {
  const { chart } = testChart();
  const dep = new kplus.Deployment(chart, 'legacy', {
    containers: [{
      image: 'ghcr.io/acme/legacy:1.0.0',
      portNumber: 8080,
      securityContext: {
        user: 10001,
        group: 10001,
        capabilities: { drop: [kplus.Capability.ALL] },
        seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
      },
      resources: {
        cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
        memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
        ephemeralStorage: { request: Size.gibibytes(1), limit: Size.gibibytes(2) },
      },
      readiness: kplus.Probe.fromHttpGet('/ready', { port: 8080 }),
      liveness: kplus.Probe.fromHttpGet('/live', { port: 8080 }),
    }],
  });
  new LoggingSidecar(chart, 'legacy-logs', { target: dep, logPath: '/var/log/legacy', output: { kind: 'stdout' }, resources: 'nano' });
  const objects = synth(chart);
  expectValidObjects(objects);
  const spec = byKind(objects, 'Deployment').spec.template.spec;
  const fb = spec.containers.find((c: any) => c.name === 'fluent-bit');
  expect(fb.resources).toEqual({ limits: { 'cpu': '250m', 'memory': '128Mi', 'ephemeral-storage': '256Mi' }, requests: { 'cpu': '50m', 'memory': '64Mi', 'ephemeral-storage': '64Mi' } });
  expect(fb.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
  expect(spec.containers[0].volumeMounts).toContainEqual({ mountPath: '/var/log/legacy', name: 'app-logs' });
});

describe('LoggingSidecar: refused input', () => {
  test.each([
    ['a remote output without its network peer', { output: { ...loki, peer: undefined as any } }, 'network-policy-required', 'output.peer'],
    ['a host that would inject configuration', { output: { ...loki, host: 'loki\n[OUTPUT]' } }, 'spec/logging', 'output.host'],
    ['a relative log path', { logPath: 'logs' }, 'spec/mount-path', 'logPath'],
    ['a log volume larger than the app may use', { volumeSize: '10Gi' }, 'ephemeral-storage-limits', 'volumeSize'],
    ['an unpinned image', { image: 'fluent/fluent-bit' }, 'image-tag-pinned', 'sidecar.image'],
  ])('%s', (_n, overrides, ruleId, fieldPath) => {
    const { chart } = testChart();
    const svc = new HardenedService(chart, 'api', serviceProps({ resources: 'medium' }));
    const e = hardeningError(() => new LoggingSidecar(chart, 'logs', { target: svc, logPath: '/var/log/app', output: loki, resources: 'nano', ...(overrides as any) }));
    expect(e.ruleId).toBe(ruleId);
    expect(e.fieldPath).toBe(fieldPath);
  });

  test('one sidecar per workload', () => {
    const { chart } = testChart();
    const svc = new HardenedService(chart, 'api', serviceProps({ resources: 'medium' }));
    new LoggingSidecar(chart, 'a', { target: svc, logPath: '/var/log/app', output: { kind: 'stdout' }, resources: 'nano' });
    expect(hardeningError(() => new LoggingSidecar(chart, 'b', { target: svc, logPath: '/var/log/app', output: { kind: 'stdout' }, resources: 'nano' })).ruleId).toBe('spec/logging');
  });
});

test('the pod template follows changes made after construction (sidecar, grace period, annotations)', () => {
  const { chart } = testChart();
  const svc = new HardenedService(chart, 'api', serviceProps({ resources: 'medium', terminationGracePeriodSeconds: 6, preStopDelaySeconds: 2 }));
  const before = synth(chart);
  const podBefore = byKind(before, 'Deployment').spec.template;
  expect(podBefore.spec.terminationGracePeriodSeconds).toBe(6);
  expect('initContainers' in podBefore.spec).toBe(false);
  expect(podBefore.metadata.annotations).toBeUndefined();
  // Attached after the service was constructed (and synthesized once).
  new LoggingSidecar(chart, 'logs', { target: svc, logPath: '/var/log/app', output: { kind: 'stdout' }, resources: 'nano', nativeSidecar: true });
  svc.addPodAnnotation('example.com/config-hash', 'abc123');
  const after = synth(chart);
  const pod = byKind(after, 'Deployment').spec.template;
  // The shipper needs its flush time within the grace period: raised from 6 to its 10 seconds.
  expect(pod.spec.terminationGracePeriodSeconds).toBe(10);
  expect(pod.spec.initContainers.map((c: any) => c.name)).toEqual(['fluent-bit']);
  expect(pod.metadata.annotations['example.com/config-hash']).toBe('abc123');
  expectValidObjects(after);
});
