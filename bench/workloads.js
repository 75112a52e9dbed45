/**
 * Bench workloads, each run in a fresh process by bench/run.js:
 *   node bench/workloads.js <kind> [n]
 * prints one JSON line: { ms, objects, rssMb, pulumiLoaded }.
 */
'use strict';
const { performance } = require('perf_hooks');
const path = require('path');

const [kind, nArg] = process.argv.slice(2);
const n = Number(nArg ?? 0);
const root = path.resolve(__dirname, '..');
const out = (o) => process.stdout.write(`${JSON.stringify({ ...o, peakRssMb: process.resourceUsage().maxRSS / 1024, pulumiLoaded: Object.keys(require.cache).some((k) => k.includes(`${path.sep}@pulumi${path.sep}`)) })}\n`);

function hardened(n) {
  const { App, Chart } = require('cdk8s');
  const { HardenedService, Peer } = require(root);
  const t0 = performance.now();
  const app = new App({ outdir: '/tmp/hardened-bench' });
  const chart = new Chart(app, 'bench', { namespace: 'bench' });
  for (let i = 0; i < n; i++) {
    new HardenedService(chart, `svc-${i}`, {
      image: 'ghcr.io/acme/api:1.2.3',
      ports: [{ name: 'http', port: 8080 }],
      resources: 'small',
      probes: { readiness: { http: { path: '/readyz', port: 'http' } }, liveness: { http: { path: '/livez', port: 'http' } } },
      ingress: [{ from: Peer.ingressController() }],
      priorityClassName: 'standard',
    });
  }
  const yaml = app.synthYaml(); // runs the policy guard (validation) first
  return { ms: performance.now() - t0, objects: yaml.split('\n---\n').length, bytes: yaml.length };
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
  return { ms: performance.now() - t0, objects: yaml.split('\n---\n').length, bytes: yaml.length };
}

function auditFile(file) {
  const { run } = require(path.join(root, 'lib', 'cli', 'main.js'));
  const t0 = performance.now();
  run(['audit', file, '--format', 'json'], { stdout: () => {}, stderr: () => {}, isTTY: false });
  return { ms: performance.now() - t0 };
}

function parseFile(file) {
  const fs = require('fs');
  const { parseAllDocuments } = require('yaml');
  const t0 = performance.now();
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS());
  return { ms: performance.now() - t0, objects: docs.length };
}

function importOnly(what) {
  const t0 = performance.now();
  require(what === 'hardened' ? root : 'cdk8s-plus-28');
  return { ms: performance.now() - t0 };
}

switch (kind) {
  case 'hardened': out(hardened(n)); break;
  case 'plain': out(plain(n)); break;
  case 'audit': out(auditFile(nArg)); break;
  case 'parse': out(parseFile(nArg)); break;
  case 'import-hardened': out(importOnly('hardened')); break;
  case 'import-plain': out(importOnly('plain')); break;
  case 'write-audit-input': {
    // Synthesize n services with the library and write them as one multi-document YAML file.
    const { App, Chart } = require('cdk8s');
    const { HardenedService, Peer } = require(root);
    const app = new App({ outdir: '/tmp/x' });
    const chart = new Chart(app, 'bench', { namespace: 'bench' });
    for (let i = 0; i < n; i++) new HardenedService(chart, `svc-${i}`, { image: 'ghcr.io/acme/api:1.2.3', ports: [{ name: 'http', port: 8080 }], resources: 'small', probes: { readiness: { http: { path: '/readyz', port: 'http' } }, liveness: { http: { path: '/livez', port: 'http' } } }, ingress: [{ from: Peer.ingressController() }], priorityClassName: 'standard' });
    const yaml = app.synthYaml();
    require('fs').writeFileSync(process.argv[4], yaml);
    out({ ms: 0, objects: yaml.split('\n---\n').length });
    break;
  }
  default: throw new Error(`unknown workload ${kind}`);
}
