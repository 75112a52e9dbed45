import { Chart } from 'cdk8s';
import { HardenedService, Peer } from '../../src';
import { byKind, hardeningError, serviceProps, synth, testChart } from '../util/fixtures';
import { expectValidObjects } from '../util/k8s-schema';
import { pssRestrictedViolations } from '../util/pss';

describe('HardenedService: emitted objects', () => {
  const { chart } = testChart();
  const svc = new HardenedService(chart, 'api', serviceProps({
    env: { LOG_LEVEL: 'debug', DB_PASSWORD: { secret: { name: 'db', key: 'password' } } },
    secretFiles: [{ secretName: 'tls', mountPath: '/var/run/secrets/tls', keys: ['tls.crt'] }],
    preStopDelaySeconds: 5,
  }));
  const objects = synth(chart);
  const dep = byKind(objects, 'Deployment', 'api');
  const pod = dep.spec.template.spec;
  const main = pod.containers[0];

  test('emits exactly Deployment, Service, ServiceAccount, PDB and NetworkPolicy', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
    expect(objects.every((o) => o.metadata.namespace === 'shop' && o.metadata.name === 'api')).toBe(true);
  });

  test('every object is valid against the strict Kubernetes 1.28 schema', () => {
    expectValidObjects(objects);
  });

  test('passes Pod Security "restricted"', () => {
    expect(pssRestrictedViolations(objects)).toEqual([]);
  });

  test('recommended labels, instance = metadata.name', () => {
    expect(dep.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'api',
      'app.kubernetes.io/instance': 'api',
      'app.kubernetes.io/version': '1.2.3',
      'app.kubernetes.io/component': 'server',
      'app.kubernetes.io/part-of': 'api',
      'app.kubernetes.io/managed-by': 'hardened-constructs',
    });
    expect(dep.spec.template.metadata.labels).toEqual(dep.metadata.labels);
    expect(dep.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'api' } });
  });

  test('deployment strategy, replicas and history', () => {
    expect(dep.spec.replicas).toBe(3);
    expect(dep.spec.revisionHistoryLimit).toBe(5);
    expect(dep.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
  });

  test('pod security context and identity', () => {
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('api');
    expect(byKind(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(pod.priorityClassName).toBe('standard');
    expect(pod.terminationGracePeriodSeconds).toBe(30);
  });

  test('spread across zones and preferred anti-affinity on hostname', () => {
    expect(pod.topologySpreadConstraints).toEqual([{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/instance': 'api' } } }]);
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/instance': 'api' } } } },
    ]);
  });

  test('container hardening', () => {
    expect(main.image).toBe('ghcr.io/acme/api:1.2.3');
    expect(main.imagePullPolicy).toBe('Always');
    expect(main.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(main.resources).toEqual({
      requests: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '128Mi' },
      limits: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' },
    });
    expect(main.lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '5'] } } });
  });

  test('/tmp is a size-limited emptyDir; secrets are references or read-only files', () => {
    expect(pod.volumes).toEqual([
      { name: 'main-tmp', emptyDir: { sizeLimit: '64Mi' } },
      { name: 'main-secret-0', secret: { secretName: 'tls', defaultMode: 0o440, items: [{ key: 'tls.crt', path: 'tls.crt' }] } },
    ]);
    expect(main.volumeMounts).toEqual([
      { name: 'main-tmp', mountPath: '/tmp' },
      { name: 'main-secret-0', mountPath: '/var/run/secrets/tls', readOnly: true },
    ]);
    expect(main.env).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      { name: 'TZ', value: 'UTC' },
    ]);
  });

  test('probes target named ports and differ', () => {
    expect(main.readinessProbe).toEqual({ httpGet: { path: '/readyz', port: 'http', scheme: 'HTTP' }, initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 1 });
    expect(main.livenessProbe).toEqual({ httpGet: { path: '/livez', port: 'http', scheme: 'HTTP' }, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3, successThreshold: 1 });
    expect(main.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  });

  test('ClusterIP Service on the named port', () => {
    expect(byKind(objects, 'Service').spec).toEqual({ type: 'ClusterIP', selector: { 'app.kubernetes.io/instance': 'api' }, ports: [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }] });
  });

  test('PDB allows one eviction and never blocks on unhealthy pods', () => {
    expect(byKind(objects, 'PodDisruptionBudget').spec).toEqual({ maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: { 'app.kubernetes.io/instance': 'api' } } });
  });

  test('NetworkPolicy: single-label selector, both types, DNS egress, declared ingress', () => {
    const np = byKind(objects, 'NetworkPolicy').spec;
    expect(np.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'api' } });
    expect(np.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
    }]);
    expect(np.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 'http', protocol: 'TCP' }] }]);
  });

  test('every object is reachable as a typed property', () => {
    expect(svc.deployment.kind).toBe('Deployment');
    expect(svc.service?.kind).toBe('Service');
    expect(svc.serviceAccount.kind).toBe('ServiceAccount');
    expect(svc.podDisruptionBudget.kind).toBe('PodDisruptionBudget');
    expect(svc.networkPolicy.kind).toBe('NetworkPolicy');
    expect(svc.autoscaler).toBeUndefined();
    expect(svc.spec.containers[0].resources.limits.cpu).toBe('500m');
  });
});

describe('HardenedService: autoscaling', () => {
  const { chart } = testChart();
  new HardenedService(chart, 'api', serviceProps({ autoscaling: { minReplicas: 3, maxReplicas: 10 } }));
  const objects = synth(chart);
  const dep = byKind(objects, 'Deployment');

  test('HPA owns the replica count; the Deployment omits spec.replicas with a reasoned Polaris exemption', () => {
    expect(dep.spec.replicas).toBeUndefined();
    expect(dep.metadata.annotations['polaris.fairwinds.com/deploymentMissingReplicas-exempt']).toBe('true');
    expect(dep.metadata.annotations['hardened-constructs.io/replicas-owner']).toMatch(/HorizontalPodAutoscaler\/api/);
    expect(byKind(objects, 'HorizontalPodAutoscaler').spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
      minReplicas: 3,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    });
    expectValidObjects(objects);
  });
});

describe('HardenedService: connections', () => {
  test('connectTo opens both policies, on container ports', () => {
    const { chart } = testChart();
    const api = new HardenedService(chart, 'api', serviceProps({ ports: [{ name: 'http', port: 8080, servicePort: 80 }] }));
    const web = new HardenedService(chart, 'web', serviceProps());
    web.connectTo(api);
    api.allowFrom(Peer.namespace('monitoring'), ['http']);
    const objects = synth(chart);
    const webNp = byKind(objects, 'NetworkPolicy', 'web').spec;
    const apiNp = byKind(objects, 'NetworkPolicy', 'api').spec;
    expect(webNp.egress[1]).toEqual({ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'api' } } }], ports: [{ port: 8080, protocol: 'TCP' }] });
    expect(apiNp.ingress).toContainEqual({ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'web' } } }], ports: [{ port: 'http', protocol: 'TCP' }] });
    expect(apiNp.ingress).toContainEqual({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 'http', protocol: 'TCP' }] });
    expectValidObjects(objects);
  });

  test('a peer in another namespace gets a namespaceSelector', () => {
    const { chart } = testChart();
    new HardenedService(chart, 'api', serviceProps({ ingress: [{ from: Peer.workload('gateway', 'edge') }], egress: [{ to: Peer.cidr('10.0.0.0/8'), ports: [{ port: 5432 }] }] }));
    const np = byKind(synth(chart), 'NetworkPolicy').spec;
    expect(np.ingress[0].from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'gateway' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'edge' } } }]);
    expect(np.egress[1]).toEqual({ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 5432, protocol: 'TCP' }] });
  });
});

describe('HardenedService: relaxations are typed, reasoned and visible', () => {
  test('writable root filesystem with a reason', () => {
    const { chart } = testChart();
    new HardenedService(chart, 'legacy', serviceProps({ relaxations: { writableRootFilesystem: 'legacy CMS writes its cache under /var/www' } }));
    const dep = byKind(synth(chart), 'Deployment');
    expect(dep.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(false);
    expect(dep.metadata.annotations['hardened-constructs.io/suppress.read-only-root-fs']).toBe('writableRootFilesystem: legacy CMS writes its cache under /var/www');
  });

  test('privileged ports add only NET_BIND_SERVICE', () => {
    const { chart } = testChart();
    new HardenedService(chart, 'proxy', serviceProps({ ports: [{ name: 'http', port: 80 }], relaxations: { privilegedPorts: 'vendor image binds :80 and cannot be configured' } }));
    const objects = synth(chart);
    const c = byKind(objects, 'Deployment').spec.template.spec.containers[0];
    expect(c.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] });
    expect(pssRestrictedViolations(objects)).toEqual([]);
  });

  test('single replica', () => {
    const { chart } = testChart();
    new HardenedService(chart, 'cron', serviceProps({ replicas: 1, relaxations: { singleReplica: 'leader-elected scheduler, one active instance' } }));
    const dep = byKind(synth(chart), 'Deployment');
    expect(dep.spec.replicas).toBe(1);
    expect(dep.metadata.annotations['hardened-constructs.io/suppress.min-replicas']).toMatch(/leader-elected/);
  });

  test('run as root is possible only explicitly, and shows up', () => {
    const { chart } = testChart();
    new HardenedService(chart, 'root', serviceProps({ relaxations: { runAsRoot: 'image needs root to chown its data dir at start' } }));
    const objects = synth(chart);
    const dep = byKind(objects, 'Deployment');
    expect(dep.spec.template.spec.securityContext.runAsNonRoot).toBe(false);
    expect(dep.spec.template.spec.containers[0].securityContext.runAsUser).toBe(0);
    expect(Object.keys(dep.metadata.annotations)).toEqual(expect.arrayContaining(['hardened-constructs.io/suppress.run-as-non-root', 'hardened-constructs.io/suppress.high-uid-gid']));
    expect(pssRestrictedViolations(objects).length).toBeGreaterThan(0);
  });

  test('no probes', () => {
    const { chart } = testChart();
    new HardenedService(chart, 'batch', serviceProps({ probes: undefined, relaxations: { noProbes: 'third-party binary exposes no health endpoint' } }));
    const c = byKind(synth(chart), 'Deployment').spec.template.spec.containers[0];
    expect(c.readinessProbe).toBeUndefined();
    expect(c.livenessProbe).toBeUndefined();
  });
});

// The full table of refused inputs is the bad-input catalogue (test/bad-inputs/catalogue.ts).
describe('HardenedService: refused input', () => {
  test('a refused construct emits no object', () => {
    const { chart } = testChart();
    hardeningError(() => new HardenedService(chart, 'svc', serviceProps({ image: 'nginx:latest' })));
    expect(chart.node.findAll().filter((c) => c !== chart && c.node.id !== 'svc')).toEqual([]);
  });

  test('no namespace anywhere', () => {
    const { chart } = testChart(null);
    const e = hardeningError(() => new HardenedService(chart, 'svc', serviceProps()));
    expect(e.ruleId).toBe('no-default-namespace');
    expect(e.fieldPath).toBe('namespace');
  });

  test('the default namespace', () => {
    const { chart } = testChart('default');
    expect(hardeningError(() => new HardenedService(chart, 'svc', serviceProps())).ruleId).toBe('no-default-namespace');
  });

  test('secret values never appear in an error message', () => {
    const { chart } = testChart();
    const e = hardeningError(() => new HardenedService(chart, 'svc', serviceProps({ env: { DB_PASSWORD: 's3ntinel-Secret-value' } })));
    expect(e.message).not.toContain('s3ntinel');
  });

  test('explicit not-a-secret literal is accepted with a reason', () => {
    const { chart } = testChart();
    new HardenedService(chart, 'svc', serviceProps({ env: { TOKEN_TTL: { value: '3600', notASecret: 'a duration in seconds, not a token' } } }));
    const c = byKind(synth(chart), 'Deployment').spec.template.spec.containers[0];
    expect(c.env).toContainEqual({ name: 'TOKEN_TTL', value: '3600' });
  });
});

test('construct id becomes the name; props.name overrides', () => {
  const { chart } = testChart();
  const a = new HardenedService(chart, 'orders', serviceProps());
  const b = new HardenedService(chart, 'Payments', serviceProps({ name: 'payments' }));
  expect(a.workloadName).toBe('orders');
  expect(b.workloadName).toBe('payments');
  expect(Chart.of(a)).toBe(chart);
});

describe('HardenedService: workers and claims', () => {
  test('a worker without ports: no Service, a self-only ingress rule, exec probes', () => {
    const { chart } = testChart();
    new HardenedService(chart, 'worker', serviceProps({
      ports: [],
      ingress: [],
      probes: { readiness: { exec: { command: ['/app/ready'] } }, liveness: { exec: { command: ['/app/alive'] } } },
    }));
    const objects = synth(chart);
    expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'ServiceAccount']);
    expect(byKind(objects, 'NetworkPolicy').spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'worker' } } }] }]);
    expectValidObjects(objects);
  });

  test('a worker cannot declare ingress peers', () => {
    const { chart } = testChart();
    expect(hardeningError(() => new HardenedService(chart, 'w', serviceProps({ ports: [], probes: { readiness: { exec: { command: ['a'] } }, liveness: { exec: { command: ['b'] } } } }))).fieldPath).toBe('ingress');
  });

  test('claims: one replica, a PVC per claim, mounted into the main container', () => {
    const { chart } = testChart();
    new HardenedService(chart, 'uploads', serviceProps({
      replicas: 1,
      relaxations: { singleReplica: 'single writer of the uploads volume' },
      claims: [{ name: 'data', mountPath: '/var/lib/uploads', size: '5Gi' }],
    }));
    const objects = synth(chart);
    expect(byKind(objects, 'PersistentVolumeClaim')).toMatchObject({ metadata: { name: 'uploads-data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } } });
    const pod = byKind(objects, 'Deployment').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'claim-data', persistentVolumeClaim: { claimName: 'uploads-data' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'claim-data', mountPath: '/var/lib/uploads' });
    expectValidObjects(objects);
  });

  test('a ReadWriteOnce claim with several replicas is refused', () => {
    const { chart } = testChart();
    const e = hardeningError(() => new HardenedService(chart, 'x', serviceProps({ claims: [{ name: 'data', mountPath: '/data', size: '1Gi' }] })));
    expect(e.fieldPath).toBe('claims[0].accessMode');
  });

  test('noLivenessProbe keeps readiness', () => {
    const { chart } = testChart();
    new HardenedService(chart, 'legacy', serviceProps({
      probes: { readiness: { tcp: { port: 'http' } } } as any,
      relaxations: { noLivenessProbe: 'no distinct liveness endpoint yet (APP-77)' },
    }));
    const dep = byKind(synth(chart), 'Deployment');
    expect(dep.spec.template.spec.containers[0].readinessProbe.tcpSocket).toEqual({ port: 'http' });
    expect(dep.spec.template.spec.containers[0].livenessProbe).toBeUndefined();
    expect(dep.metadata.annotations['hardened-constructs.io/suppress.liveness-probe']).toMatch(/APP-77/);
  });
});

test('env: the name of a Secret is a reference, a secret-looking literal is refused (the same test as the env rules)', () => {
  const { chart } = testChart();
  const svc = new HardenedService(chart, 'api', serviceProps({ env: { TLS_SECRET_NAME: 'shop-tls', DB_PASSWORD_FILE: '/run/secrets/db', API_TOKEN: '' } }));
  const env = byKind(synth(chart), 'Deployment').spec.template.spec.containers[0].env;
  expect(env).toEqual(expect.arrayContaining([{ name: 'TLS_SECRET_NAME', value: 'shop-tls' }, { name: 'DB_PASSWORD_FILE', value: '/run/secrets/db' }]));
  expect(svc.spec.containers[0].env.map((e) => e.name)).toContain('API_TOKEN');
  const { chart: other } = testChart();
  const e = hardeningError(() => new HardenedService(other, 'api', serviceProps({ env: { DB_PASSWORD: 'hunter2' } })));
  expect([e.ruleId, e.fieldPath]).toEqual(['no-literal-secrets-in-env', 'env.DB_PASSWORD']);
  expect(e.message).not.toContain('hunter2');
});
