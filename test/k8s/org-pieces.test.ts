import { Chart } from 'cdk8s';
import { HardenedService, StatefulDatabase, WorkloadPriorityClass } from '../../src';
import { linterExemptions } from '../../src/k8s/exemptions';
import { BUILTIN_RULES, defaultRuleSet } from '../../src/policy/catalogue';
import { evaluateKubernetes } from '../../src/policy/engine';
import { findSuppression } from '../../src/policy/suppressions';
import { RELAXATION_RULES } from '../../src/spec/relaxations';
import { byKind, hardeningError, serviceProps, synth, testChart } from '../util/fixtures';
import { expectValidObjects } from '../util/k8s-schema';
import { pssRestrictedViolations } from '../util/pss';

describe('relaxations write the exemption annotations of the linters their rules anchor to', () => {
  test('noProbes: Polaris, kube-score and kube-linter exemptions next to the reason', () => {
    const { chart } = testChart();
    new HardenedService(chart, 'batch', serviceProps({ probes: undefined, relaxations: { noProbes: 'third-party binary exposes no health endpoint' } }));
    const objects = synth(chart);
    const dep = byKind(objects, 'Deployment');
    expect(dep.metadata.annotations).toEqual({
      'hardened-constructs.io/suppress.readiness-probe': 'noProbes: third-party binary exposes no health endpoint',
      'hardened-constructs.io/suppress.liveness-probe': 'noProbes: third-party binary exposes no health endpoint',
      'hardened-constructs.io/suppress.probes-distinct': 'noProbes: third-party binary exposes no health endpoint',
      'polaris.fairwinds.com/readinessProbeMissing-exempt': 'true',
      'polaris.fairwinds.com/livenessProbeMissing-exempt': 'true',
      'kube-score/ignore': 'pod-probes,pod-probes-identical',
      'ignore-check.kube-linter.io/no-readiness-probe': 'noProbes: third-party binary exposes no health endpoint',
      'ignore-check.kube-linter.io/no-liveness-probe': 'noProbes: third-party binary exposes no health endpoint',
    });
    expectValidObjects(objects);
  });

  test('singleReplica exempts the replica and anti-affinity checks of all three linters', () => {
    const { chart } = testChart();
    new HardenedService(chart, 'cron', serviceProps({ replicas: 1, relaxations: { singleReplica: 'leader-elected scheduler, one active instance' } }));
    const dep = byKind(synth(chart), 'Deployment');
    expect(dep.metadata.annotations['polaris.fairwinds.com/deploymentMissingReplicas-exempt']).toBe('true');
    expect(dep.metadata.annotations['kube-score/ignore'].split(',')).toEqual(expect.arrayContaining(['deployment-replicas', 'deployment-has-host-podantiaffinity']));
    expect(dep.metadata.annotations['ignore-check.kube-linter.io/minimum-three-replicas']).toBe('singleReplica: leader-elected scheduler, one active instance');
  });

  test('a linter check shared by several rules is exempted only when all of them are relaxed', () => {
    // kube-score's pod-probes covers readiness and liveness: relaxing liveness alone keeps it.
    const out = linterExemptions([{ name: 'noLivenessProbe', ruleIds: RELAXATION_RULES.noLivenessProbe, reason: 'no cheap liveness check exists yet' }]);
    expect(out['kube-score/ignore']).toBeUndefined();
    expect(out['polaris.fairwinds.com/livenessProbeMissing-exempt']).toBe('true');
    expect(out['polaris.fairwinds.com/readinessProbeMissing-exempt']).toBeUndefined();
    // And the audit still checks readiness on such an object.
    const readiness = BUILTIN_RULES.find((r) => r.id === 'readiness-probe')!;
    expect(findSuppression(readiness, out)).toBeUndefined();
  });

  test('for every relaxation, the exemptions never suppress a rule the relaxation did not name', () => {
    for (const [name, ids] of Object.entries(RELAXATION_RULES)) {
      const out = linterExemptions([{ name: name as any, ruleIds: ids, reason: 'a reason long enough' }]);
      for (const rule of BUILTIN_RULES) {
        if (ids.includes(rule.id)) continue;
        expect([name, rule.id, findSuppression(rule, out)]).toEqual([name, rule.id, undefined]);
      }
    }
  });

  test('defaults write no exemption annotation', () => {
    const { chart } = testChart();
    new HardenedService(chart, 'api', serviceProps());
    const all = JSON.stringify(synth(chart));
    expect(all).not.toMatch(/polaris\.fairwinds\.com|kube-score\/|kube-linter\.io/);
  });
});

describe('organisation labels and annotations reach every object and pod template', () => {
  test('HardenedService', () => {
    const { chart } = testChart();
    new HardenedService(chart, 'api', serviceProps({
      labels: { 'acme.com/team': 'orders', 'cost-centre': 'cc-42' },
      annotations: { 'acme.com/runbook': 'https://runbooks.acme.example/api' },
      autoscaling: { minReplicas: 2, maxReplicas: 4 },
    }));
    const objects = synth(chart);
    expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
    for (const o of objects) {
      expect([o.kind, o.metadata.labels['acme.com/team'], o.metadata.labels['cost-centre']]).toEqual([o.kind, 'orders', 'cc-42']);
      expect([o.kind, o.metadata.annotations['acme.com/runbook']]).toEqual([o.kind, 'https://runbooks.acme.example/api']);
    }
    const tpl = byKind(objects, 'Deployment').spec.template.metadata;
    expect(tpl.labels['acme.com/team']).toBe('orders');
    expect(tpl.annotations).toEqual({ 'acme.com/runbook': 'https://runbooks.acme.example/api' });
    // The selector stays the one instance label.
    expect(byKind(objects, 'Deployment').spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'api' } });
    expectValidObjects(objects);
  });

  test('StatefulDatabase, its backup CronJob and restore Job', () => {
    const { chart } = testChart();
    const db = new StatefulDatabase(chart, 'orders', {
      engine: 'postgres',
      resources: 'medium',
      storage: { size: '10Gi' },
      credentials: { secretName: 'orders-db' },
      clients: [{ kind: 'workload', name: 'api' }],
      backup: { schedule: '0 3 * * *', resources: 'small', storage: { size: '20Gi' } },
      labels: { 'acme.com/team': 'orders' },
      annotations: { 'acme.com/tier': 'gold' },
    });
    db.addRestoreJob();
    const objects = synth(chart);
    for (const o of objects) {
      expect([o.kind, o.metadata.name, o.metadata.labels?.['acme.com/team'], o.metadata.annotations?.['acme.com/tier']]).toEqual([o.kind, o.metadata.name, 'orders', 'gold']);
    }
    expect(byKind(objects, 'StatefulSet').spec.template.metadata.annotations['acme.com/tier']).toBe('gold');
    expect(byKind(objects, 'CronJob').spec.jobTemplate.spec.template.metadata.annotations['acme.com/tier']).toBe('gold');
    expect(byKind(objects, 'Job').spec.template.metadata.labels['acme.com/team']).toBe('orders');
    expectValidObjects(objects);
  });

  test.each([
    [{ labels: { 'app.kubernetes.io/instance': 'x' } }, 'recommended-labels', 'labels."app.kubernetes.io/instance"'],
    [{ labels: { 'bad key!': 'x' } }, 'spec/metadata', 'labels."bad key!"'],
    [{ labels: { team: 'a'.repeat(64) } }, 'spec/metadata', 'labels."team"'],
    [{ labels: { 'kubernetes.io/arch': 'amd64' } }, 'spec/metadata', 'labels."kubernetes.io/arch"'],
    [{ annotations: { 'hardened-constructs.io/suppress.no-privileged': 'because I said so' } }, 'spec/metadata', 'annotations."hardened-constructs.io/suppress.no-privileged"'],
    [{ annotations: { 'polaris.fairwinds.com/exempt': 'true' } }, 'spec/metadata', 'annotations."polaris.fairwinds.com/exempt"'],
    [{ annotations: { 'ignore-check.kube-linter.io/privileged-container': 'x' } }, 'spec/metadata', 'annotations."ignore-check.kube-linter.io/privileged-container"'],
    [{ annotations: { 'kube-score/ignore': 'pod-probes' } }, 'spec/metadata', 'annotations."kube-score/ignore"'],
    [{ annotations: { 'acme.com/db': 'postgres://app:hunter2hunter2@db/app' } }, 'no-literal-secrets-in-env', 'annotations.acme.com/db'],
    [{ labels: 'team=orders' as any }, 'spec/metadata', 'labels'],
  ])('refused: %j', (extra, ruleId, fieldPath) => {
    const { chart } = testChart();
    const e = hardeningError(() => new HardenedService(chart, 'api', serviceProps(extra as any)));
    expect([e.ruleId, e.fieldPath]).toEqual([ruleId, fieldPath]);
    expect(e.message).not.toContain('hunter2');
  });
});

describe('init containers', () => {
  test('hardened like every container, run before the main one, no probes', () => {
    const { chart } = testChart();
    new HardenedService(chart, 'api', serviceProps({
      initContainers: [{ name: 'migrate', image: 'ghcr.io/acme/api:1.2.3', command: ['/app/migrate', '--up'], resources: 'small', env: { DB_PASSWORD: { secret: { name: 'db', key: 'password' } } } }],
    }));
    const objects = synth(chart);
    const pod = byKind(objects, 'Deployment').spec.template.spec;
    expect(pod.initContainers).toHaveLength(1);
    const init = pod.initContainers[0];
    expect(init.name).toBe('migrate');
    expect(init.command).toEqual(['/app/migrate', '--up']);
    expect(init.securityContext).toEqual(pod.containers[0].securityContext);
    expect(init.resources).toEqual(pod.containers[0].resources);
    expect(init.readinessProbe).toBeUndefined();
    expect(init.restartPolicy).toBeUndefined();
    expect(pod.volumes.map((v: any) => v.name)).toContain('migrate-tmp');
    expectValidObjects(objects);
    expect(pssRestrictedViolations(objects)).toEqual([]);
    expect(evaluateKubernetes(objects.map((object) => ({ object })), defaultRuleSet()).filter((f) => !f.suppressed && f.severity === 'error')).toEqual([]);
  });

  test.each([
    [{ name: 'main', image: 'ghcr.io/acme/api:1.2.3', resources: 'small' }, 'spec/container', 'initContainers[0].name'],
    [{ name: 'm', image: 'ghcr.io/acme/api:1.2.3', resources: 'small', ports: [{ name: 'http', port: 9090 }] }, 'container-ports-valid', 'initContainers[0].ports'],
    [{ name: 'm', image: 'ghcr.io/acme/api:1.2.3', resources: 'small', probes: { readiness: { exec: { command: ['true'] } } } }, 'spec/probe-handler', 'initContainers[0].probes'],
    [{ name: 'm', image: 'ghcr.io/acme/api:latest', resources: 'small' }, 'image-tag-pinned', 'initContainers[0].image'],
  ])('refused: %j', (init, ruleId, fieldPath) => {
    const { chart } = testChart();
    const e = hardeningError(() => new HardenedService(chart, 'api', serviceProps({ initContainers: [init as any] })));
    expect([e.ruleId, e.fieldPath]).toEqual([ruleId, fieldPath]);
  });
});

describe('probes: httpHeaders and handler-aware advice', () => {
  test('headers are rendered on httpGet', () => {
    const { chart } = testChart();
    new HardenedService(chart, 'api', serviceProps({
      probes: {
        readiness: { http: { path: '/readyz', port: 'http', httpHeaders: [{ name: 'Host', value: 'api.internal' }] } },
        liveness: { http: { path: '/livez', port: 'http' } },
      },
    }));
    const objects = synth(chart);
    const c = byKind(objects, 'Deployment').spec.template.spec.containers[0];
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http', scheme: 'HTTP', httpHeaders: [{ name: 'Host', value: 'api.internal' }] });
    expect(c.livenessProbe.httpGet.httpHeaders).toBeUndefined();
    expectValidObjects(objects);
  });

  test.each([
    [[{ name: 'Authorization', value: 'Bearer abc' }], 'no-literal-secrets-in-env', 'probes.readiness.http.httpHeaders[0].value'],
    [[{ name: 'X-Token', value: 'postgres://app:hunter2hunter2@db/app' }], 'no-literal-secrets-in-env', 'probes.readiness.http.httpHeaders[0].value'],
    [[{ name: 'Bad Header', value: 'x' }], 'spec/probe-handler', 'probes.readiness.http.httpHeaders[0].name'],
    [[{ name: 'Host', value: 'a' }, { name: 'host', value: 'b' }], 'spec/probe-handler', 'probes.readiness.http.httpHeaders[1].name'],
    [[{ name: 'Host', value: 'a\r\nX-Evil: 1' }], 'spec/probe-handler', 'probes.readiness.http.httpHeaders[0].value'],
  ])('refused: %j', (httpHeaders, ruleId, fieldPath) => {
    const { chart } = testChart();
    const e = hardeningError(() => new HardenedService(chart, 'api', serviceProps({
      probes: { readiness: { http: { path: '/readyz', port: 'http', httpHeaders } }, liveness: { http: { path: '/livez', port: 'http' } } },
    })));
    expect([e.ruleId, e.fieldPath]).toEqual([ruleId, fieldPath]);
    expect(e.message).not.toContain('abc');
    expect(e.message).not.toContain('hunter2');
  });

  test('identical gRPC probes get gRPC advice, HTTP ones HTTP advice', () => {
    const grpc = hardeningError(() => new HardenedService(testChart().chart, 'cart', serviceProps({
      ports: [{ name: 'grpc', port: 7070 }],
      probes: { readiness: { grpc: { port: 'grpc' } }, liveness: { grpc: { port: 'grpc' } } },
    })));
    expect(grpc.ruleId).toBe('probes-distinct');
    expect(grpc.fix).toMatch(/grpc: \{ port, service: /);
    expect(grpc.fix).not.toMatch(/livez/);
    const http = hardeningError(() => new HardenedService(testChart().chart, 'web', serviceProps({
      probes: { readiness: { http: { path: '/healthz', port: 'http' } }, liveness: { http: { path: '/healthz', port: 'http' } } },
    })));
    expect(http.fix).toMatch(/\/livez/);
  });
});

describe('WorkloadPriorityClass', () => {
  test('emits a valid PriorityClass that workloads name', () => {
    const { app } = testChart();
    const platform = new Chart(app, 'platform');
    const pc = new WorkloadPriorityClass(platform, 'tier', { name: 'shop-critical', value: 100000, description: 'customer-facing shop services' });
    const objects = synth(platform);
    expect(objects).toEqual([{
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'shop-critical', labels: { 'app.kubernetes.io/managed-by': 'hardened-constructs' } },
      value: 100000,
      description: 'customer-facing shop services',
      preemptionPolicy: 'PreemptLowerPriority',
      globalDefault: false,
    }]);
    expect(pc.name).toBe('shop-critical');
    expectValidObjects(objects);
  });

  test.each([
    [{ name: 'system-mine', value: 1, description: 'reserved prefix here' }, 'spec/dns-1123-name', 'name'],
    [{ name: 'Tier', value: 1, description: 'not a dns subdomain' }, 'spec/dns-1123-name', 'name'],
    [{ name: 'tier', value: 2000000000, description: 'value above user range' }, 'priority-class', 'value'],
    [{ name: 'tier', value: 1.5, description: 'value not an integer' }, 'priority-class', 'value'],
    [{ name: 'tier', value: 1, description: 'short' }, 'priority-class', 'description'],
    [{ name: 'tier', value: 1, description: 'a good description', preemptionPolicy: 'Always' }, 'priority-class', 'preemptionPolicy'],
  ])('refused: %j', (props, ruleId, fieldPath) => {
    const e = hardeningError(() => new WorkloadPriorityClass(new Chart(testChart().app, 'p'), 'tier', props as any));
    expect([e.ruleId, e.fieldPath]).toEqual([ruleId, fieldPath]);
  });
});

describe('Redis cache mode: explicit, reasoned, nothing persisted', () => {
  const base = { engine: 'redis' as const, resources: 'small' as const, credentials: { secretName: 'cache' }, clients: [{ kind: 'workload' as const, name: 'api' }] };

  test('no claim, a size-limited scratch /data, persistence off, the reason on the StatefulSet', () => {
    const { chart } = testChart();
    new StatefulDatabase(chart, 'sessions', { ...base, replicas: 2, cache: { reason: 'session cache, rebuilt from the database on a miss' } });
    const objects = synth(chart);
    const sts = byKind(objects, 'StatefulSet');
    expect(sts.spec.volumeClaimTemplates).toBeUndefined();
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toBeUndefined();
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'data', emptyDir: { sizeLimit: '1Gi' } });
    expect(sts.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    const script = sts.spec.template.spec.containers[0].command.join(' ');
    expect(script).toContain("--appendonly no --save ''");
    expect(script).toContain('--requirepass "$REDISCLI_AUTH"');
    expect(sts.metadata.annotations['hardened-constructs.io/cache-mode']).toBe('nothing is persisted; a restart starts empty: session cache, rebuilt from the database on a miss');
    expect(objects.some((o) => o.kind === 'PersistentVolumeClaim')).toBe(false);
    expectValidObjects(objects);
    expect(pssRestrictedViolations(objects)).toEqual([]);
  });

  test('persistent Redis keeps its claim and AOF', () => {
    const { chart } = testChart();
    new StatefulDatabase(chart, 'store', { ...base, storage: { size: '5Gi' } });
    const sts = byKind(synth(chart), 'StatefulSet');
    expect(sts.spec.volumeClaimTemplates).toHaveLength(1);
    expect(sts.spec.template.spec.containers[0].command.join(' ')).toContain('--appendonly yes');
  });

  test.each([
    [{ cache: { reason: 'short' } }, 'spec/reason-required', 'cache.reason'],
    [{ cache: { reason: 'a good enough reason' }, storage: { size: '1Gi' } }, 'spec/database-cache', 'storage'],
    [{ cache: { reason: 'a good enough reason' }, backup: { schedule: '0 3 * * *', resources: 'small', storage: { size: '1Gi' } } }, 'spec/database-cache', 'backup'],
    [{ cache: { reason: 'a good enough reason' }, engine: 'postgres' }, 'spec/database-cache', 'cache'],
    [{ cache: { reason: 'a good enough reason', sizeLimit: 'lots' } }, expect.any(String), 'cache.sizeLimit'],
    [{}, 'spec/database-storage', 'storage'],
  ])('refused: %j', (extra, ruleId, fieldPath) => {
    const e = hardeningError(() => new StatefulDatabase(testChart().chart, 'c', { ...base, ...extra } as any));
    expect([e.ruleId, e.fieldPath]).toEqual([ruleId, fieldPath]);
  });
});
