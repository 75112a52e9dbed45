/**
 * Bench workloads, each run in a fresh process by bench/run.js:
 *   node bench/workloads.js <kind> [n] [layout]
 * prints one JSON line: { ms, objects, peakRssMb, pulumiLoaded, … }.
 * layout: `one` (every service in one chart, the default) or `per` (one chart per service).
 */
'use strict';
const { performance } = require('perf_hooks');
const path = require('path');

const [kind, nArg, layoutArg] = process.argv.slice(2);
const layout = layoutArg === 'per' ? 'per' : 'one';
const n = Number(nArg ?? 0);
const root = path.resolve(__dirname, '..');
// CPU time of this process (main and GC threads) next to wall time: steadier on a shared machine.
let cpu0 = process.cpuUsage();
const startCpu = () => { cpu0 = process.cpuUsage(); };
const cpuMs = () => { const c = process.cpuUsage(cpu0); return (c.user + c.system) / 1000; };
const out = (o) => process.stdout.write(`${JSON.stringify({ ...o, peakRssMb: process.resourceUsage().maxRSS / 1024, pulumiLoaded: Object.keys(require.cache).some((k) => k.includes(`${path.sep}@pulumi${path.sep}`)) })}\n`);

/** The chart service `i` goes into: one for all, or its own. */
function chartFor(app, i, cache) {
  const { Chart } = require('cdk8s');
  if (layout === 'per') return new Chart(app, `svc-${i}`, { namespace: 'bench' });
  return cache.chart ?? (cache.chart = new Chart(app, 'bench', { namespace: 'bench' }));
}

/** A cheap digest of the YAML, so the two sides can be checked byte-identical. */
function digest(yaml) {
  return require('crypto').createHash('sha256').update(yaml).digest('hex').slice(0, 16);
}

function hardened(n) {
  const { App } = require('cdk8s');
  const { HardenedService, Peer } = require(root);
  const t0 = performance.now();
  startCpu();
  const app = new App({ outdir: '/tmp/hardened-bench' });
  const charts = {};
  for (let i = 0; i < n; i++) {
    new HardenedService(chartFor(app, i, charts), `svc-${i}`, {
      image: 'ghcr.io/acme/api:1.2.3',
      ports: [{ name: 'http', port: 8080 }],
      resources: 'small',
      probes: { readiness: { http: { path: '/readyz', port: 'http' } }, liveness: { http: { path: '/livez', port: 'http' } } },
      ingress: [{ from: Peer.ingressController() }],
      priorityClassName: 'standard',
    });
  }
  const constructCpuMs = cpuMs();
  const yaml = app.synthYaml(); // runs the policy guard (validation) first
  return { ms: performance.now() - t0, cpuMs: cpuMs(), constructCpuMs, objects: yaml.split('\n---\n').length, bytes: yaml.length, digest: digest(yaml) };
}

/**
 * The very same objects written by hand as cdk8s L1 classes (k8s.Kube*, what HardenedService
 * itself instantiates), without the library: no spec resolution, no rules. The bench checks that
 * both sides synthesize byte-identical YAML.
 */
function l1(n) {
  const { App } = require('cdk8s');
  const { k8s } = require('cdk8s-plus-28');
  const t0 = performance.now();
  startCpu();
  const app = new App({ outdir: '/tmp/l1-bench' });
  const charts = {};
  for (let i = 0; i < n; i++) {
    const chart = chartFor(app, i, charts);
    const name = `svc-${i}`;
    const labels = {
      'app.kubernetes.io/component': 'server', 'app.kubernetes.io/instance': name, 'app.kubernetes.io/managed-by': 'hardened-constructs',
      'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': name, 'app.kubernetes.io/version': '1.2.3',
    };
    const metadata = { name, namespace: 'bench', labels };
    const selector = { 'app.kubernetes.io/instance': name };
    const probe = (path, periodSeconds, timeoutSeconds) => ({
      failureThreshold: 3, httpGet: { path, port: k8s.IntOrString.fromString('http'), scheme: 'HTTP' }, initialDelaySeconds: 0, periodSeconds, successThreshold: 1, timeoutSeconds,
    });
    new k8s.KubeServiceAccount(chart, `${name}-sa`, { metadata, automountServiceAccountToken: false });
    new k8s.KubeService(chart, `${name}-svc`, {
      metadata,
      spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port: 8080, protocol: 'TCP', targetPort: k8s.IntOrString.fromString('http') }] },
    });
    new k8s.KubeDeployment(chart, `${name}-deploy`, {
      metadata,
      spec: {
        replicas: 3,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromString('25%'), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: {
          metadata: { labels },
          spec: {
            affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: selector }, topologyKey: 'kubernetes.io/hostname' } }] } },
            automountServiceAccountToken: false,
            containers: [{
              name: 'main',
              image: 'ghcr.io/acme/api:1.2.3',
              imagePullPolicy: 'Always',
              env: [{ name: 'TZ', value: 'UTC' }],
              ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
              livenessProbe: probe('/livez', 10, 3),
              readinessProbe: probe('/readyz', 5, 2),
              resources: {
                limits: { 'cpu': k8s.Quantity.fromString('500m'), 'ephemeral-storage': k8s.Quantity.fromString('512Mi'), 'memory': k8s.Quantity.fromString('256Mi') },
                requests: { 'cpu': k8s.Quantity.fromString('100m'), 'ephemeral-storage': k8s.Quantity.fromString('128Mi'), 'memory': k8s.Quantity.fromString('128Mi') },
              },
              securityContext: {
                allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true,
                runAsGroup: 10001, runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' },
              },
              terminationMessagePolicy: 'FallbackToLogsOnError',
              volumeMounts: [{ mountPath: '/tmp', name: 'main-tmp' }],
            }],
            enableServiceLinks: false,
            priorityClassName: 'standard',
            securityContext: { fsGroup: 10001, fsGroupChangePolicy: 'OnRootMismatch', runAsGroup: 10001, runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
            serviceAccountName: name,
            terminationGracePeriodSeconds: 30,
            topologySpreadConstraints: [{ labelSelector: { matchLabels: selector }, maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' }],
            volumes: [{ emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') }, name: 'main-tmp' }],
          },
        },
      },
    });
    new k8s.KubePodDisruptionBudget(chart, `${name}-pdb`, {
      metadata,
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
    });
    new k8s.KubeNetworkPolicy(chart, `${name}-np`, {
      metadata,
      spec: {
        egress: [{
          ports: [{ port: k8s.IntOrString.fromNumber(53), protocol: 'UDP' }, { port: k8s.IntOrString.fromNumber(53), protocol: 'TCP' }],
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        }],
        ingress: [{
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }],
          ports: [{ port: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
        }],
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress', 'Egress'],
      },
    });
  }
  const constructCpuMs = cpuMs();
  const yaml = app.synthYaml();
  return { ms: performance.now() - t0, cpuMs: cpuMs(), constructCpuMs, objects: yaml.split('\n---\n').length, bytes: yaml.length, digest: digest(yaml) };
}

/**
 * Rules time over n apps that all share their first label (`app: shop`), as many platforms label
 * every workload: Deployment, Service, PDB, HPA and NetworkPolicy per app, selectors starting with
 * the shared pair. Only evaluation is timed (the objects are built before).
 */
function selectorRules(n) {
  const { evaluateKubernetes } = require(path.join(root, 'lib', 'policy', 'engine.js'));
  const { defaultRuleSet } = require(path.join(root, 'lib', 'policy', 'catalogue.js'));
  const objects = [];
  for (let i = 0; i < n; i++) {
    const name = `app-${i}`;
    const labels = { 'app': 'shop', 'app.kubernetes.io/instance': name, 'app.kubernetes.io/name': name };
    const selector = { matchLabels: { 'app': 'shop', 'app.kubernetes.io/instance': name } };
    const metadata = { name, namespace: 'shop', labels };
    objects.push(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: { replicas: 3, selector, template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'ghcr.io/acme/shop:1.0.0', ports: [{ name: 'http', containerPort: 8080 }] }] } } } },
      { apiVersion: 'v1', kind: 'Service', metadata, spec: { selector: selector.matchLabels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata, spec: { maxUnavailable: 1, selector } },
      { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: 3, maxReplicas: 6 } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec: { podSelector: selector, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'shop' } } }] }], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] } },
    );
  }
  const rules = defaultRuleSet();
  const t0 = performance.now();
  startCpu();
  const findings = evaluateKubernetes(objects.map((object) => ({ object })), rules);
  return { ms: performance.now() - t0, cpuMs: cpuMs(), objects: objects.length, findings: findings.length };
}

/**
 * The same kinds and counts with equivalent settings (labels, security contexts, probes and their
 * timings, resources, spread, PDB, NetworkPolicy), written by hand with cdk8s-plus-28 the way its
 * documentation and issue tracker suggest (L2 where it exists, L1 and JSON patches where it does not).
 */
function plain(n) {
  const { App, Chart, Size, Duration, JsonPatch } = require('cdk8s');
  const kplus = require('cdk8s-plus-28');
  const { k8s } = kplus;
  const t0 = performance.now();
  startCpu();
  const app = new App({ outdir: '/tmp/plain-bench' });
  const chart = new Chart(app, 'bench', { namespace: 'bench' });
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    const labels = {
      'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name, 'app.kubernetes.io/version': '1.2.3',
      'app.kubernetes.io/component': 'server', 'app.kubernetes.io/part-of': name, 'app.kubernetes.io/managed-by': 'hand',
    };
    const selector = { 'app.kubernetes.io/instance': name };
    const sa = new kplus.ServiceAccount(chart, `${name}-sa`, { metadata: { name, labels } });
    const probe = (path, period, timeout) => kplus.Probe.fromHttpGet(path, { port: 8080, periodSeconds: Duration.seconds(period), timeoutSeconds: Duration.seconds(timeout), failureThreshold: 3, successThreshold: 1, initialDelaySeconds: Duration.seconds(0) });
    const dep = new kplus.Deployment(chart, name, {
      metadata: { name, labels },
      replicas: 3,
      serviceAccount: sa,
      strategy: kplus.DeploymentStrategy.rollingUpdate({ maxSurge: kplus.PercentOrAbsolute.percent(25), maxUnavailable: kplus.PercentOrAbsolute.absolute(0) }),
      securityContext: { ensureNonRoot: true, user: 10001, group: 10001, fsGroup: 10001, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH },
      containers: [{
        name: 'main',
        image: 'ghcr.io/acme/api:1.2.3',
        ports: [{ number: 8080, name: 'http' }],
        securityContext: { user: 10001, group: 10001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: [kplus.Capability.ALL] }, seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT } },
        resources: {
          cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
          memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
          ephemeralStorage: { request: Size.gibibytes(1), limit: Size.gibibytes(1) },
        },
        readiness: probe('/readyz', 5, 2),
        liveness: probe('/livez', 10, 3),
        envVariables: { TZ: kplus.EnvValue.fromValue('UTC') },
        volumeMounts: [{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(chart, `${name}-tmp`, 'tmp', { sizeLimit: Size.mebibytes(64) }) }],
      }],
    });
    for (const [k, v] of Object.entries(labels)) dep.podMetadata.addLabel(k, v);
    // No L2 for these: JSON patches on the Deployment.
    const term = { labelSelector: { matchLabels: dep.matchLabels }, topologyKey: 'kubernetes.io/hostname' };
    require('cdk8s').ApiObject.of(dep).addJsonPatch(
      JsonPatch.add('/spec/revisionHistoryLimit', 5),
      JsonPatch.add('/spec/template/spec/priorityClassName', 'standard'),
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: dep.matchLabels } }]),
      JsonPatch.add('/spec/template/spec/affinity', { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } }),
      JsonPatch.add('/spec/template/spec/enableServiceLinks', false),
      JsonPatch.add('/spec/template/spec/containers/0/terminationMessagePolicy', 'FallbackToLogsOnError'),
    );
    new kplus.Service(chart, `${name}-svc`, { metadata: { name, labels }, selector: dep, ports: [{ port: 8080, targetPort: 8080, name: 'http' }] });
    new k8s.KubePodDisruptionBudget(chart, `${name}-pdb`, { metadata: { name, labels }, spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: dep.matchLabels } } });
    new k8s.KubeNetworkPolicy(chart, `${name}-np`, {
      metadata: { name, labels },
      spec: {
        podSelector: { matchLabels: dep.matchLabels },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }], ports: [{ port: k8s.IntOrString.fromString('http'), protocol: 'TCP' }] }],
        egress: [{
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [{ port: k8s.IntOrString.fromNumber(53), protocol: 'UDP' }, { port: k8s.IntOrString.fromNumber(53), protocol: 'TCP' }],
        }],
      },
    });
    void selector;
  }
  const yaml = app.synthYaml();
  return { ms: performance.now() - t0, cpuMs: cpuMs(), objects: yaml.split('\n---\n').length, bytes: yaml.length };
}

function auditFile(file) {
  const { run } = require(path.join(root, 'lib', 'cli', 'main.js'));
  const t0 = performance.now();
  startCpu();
  run(['audit', file, '--format', 'json'], { stdout: () => {}, stderr: () => {}, isTTY: false });
  return { ms: performance.now() - t0 };
}

function parseFile(file) {
  const fs = require('fs');
  const { parseAllDocuments } = require('yaml');
  const t0 = performance.now();
  startCpu();
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS());
  return { ms: performance.now() - t0, cpuMs: cpuMs(), objects: docs.length };
}

function importOnly(what) {
  const t0 = performance.now();
  startCpu();
  require(what === 'hardened' ? root : 'cdk8s-plus-28');
  return { ms: performance.now() - t0 };
}

switch (kind) {
  case 'hardened': out(hardened(n)); break;
  case 'l1': out(l1(n)); break;
  case 'selector-rules': out(selectorRules(n)); break;
  case 'plain': out(plain(n)); break;
  case 'audit': out(auditFile(nArg)); break;
  case 'parse': out(parseFile(nArg)); break;
  case 'import-hardened': out(importOnly('hardened')); break;
  case 'import-plain': out(importOnly('plain')); break;
  case 'jsyaml-load': {
    // The js-yaml baseline of the audit: load every document of the file, nothing else.
    const docs = require('js-yaml').loadAll(require('fs').readFileSync(nArg, 'utf8'));
    out({ ms: 0, objects: docs.length });
    break;
  }
  case 'write-audit-input': {
    // n objects, mixed: hardened services as the library synthesizes them (4/5 of the file) and
    // hand-written objects of other kinds, some with findings, as teams' existing YAML has.
    const { App, Chart } = require('cdk8s');
    const { HardenedService, Peer } = require(root);
    const app = new App({ outdir: '/tmp/x' });
    const chart = new Chart(app, 'bench', { namespace: 'bench' });
    const services = Math.floor((n * 0.8) / 5);
    for (let i = 0; i < services; i++) new HardenedService(chart, `svc-${i}`, { image: 'ghcr.io/acme/api:1.2.3', ports: [{ name: 'http', port: 8080 }], resources: 'small', probes: { readiness: { http: { path: '/readyz', port: 'http' } }, liveness: { http: { path: '/livez', port: 'http' } } }, ingress: [{ from: Peer.ingressController() }], priorityClassName: 'standard' });
    process.env.HARDENED_QUIET = '1';
    const docs = app.synthYaml().split('\n---\n');
    const yaml = require('yaml');
    const meta = (kind, i) => ({ name: `${kind.toLowerCase()}-${i}`, namespace: 'legacy', labels: { app: 'legacy', tier: `t${i % 7}` } });
    const pod = (i) => ({ containers: [{ name: 'app', image: i % 3 ? `registry.example.com/legacy/app:${i % 50}.0` : 'nginx:latest', ports: [{ containerPort: 8080 }], resources: i % 2 ? { requests: { cpu: '100m', memory: '64Mi' } } : undefined }] });
    const makers = [
      (i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('ConfigMap', i), data: { 'app.properties': `key=${i}\nother=value` } }),
      (i) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta('StatefulSet', i), spec: { replicas: 2, serviceName: `db-${i}`, selector: { matchLabels: { app: 'legacy', tier: `t${i % 7}` } }, template: { metadata: { labels: { app: 'legacy', tier: `t${i % 7}` } }, spec: pod(i) } } }),
      (i) => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('CronJob', i), spec: { schedule: '*/15 * * * *', jobTemplate: { spec: { template: { spec: { ...pod(i), restartPolicy: 'OnFailure' } } } } } }),
      (i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: meta('Pod', i), spec: pod(i) }),
      (i) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta('Ingress', i), spec: { rules: [{ host: `h${i}.example.com`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: `svc-${i % 100}`, port: { number: 8080 } } } }] } }] } }),
      (i) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta('Role', i), rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] }),
    ];
    for (let i = 0; docs.length < n; i++) docs.push(yaml.stringify(makers[i % makers.length](i)));
    require('fs').writeFileSync(process.argv[4], docs.join('\n---\n'));
    out({ ms: 0, objects: docs.length });
    break;
  }
  default: throw new Error(`unknown workload ${kind}`);
}
