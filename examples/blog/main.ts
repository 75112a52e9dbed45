/**
 * A database-backed blog: the web app writes log files that a Fluent Bit sidecar ships to Loki;
 * PostgreSQL runs as a hardened StatefulSet with nightly dumps, retention and a restore Job;
 * a replicated Redis caches rendered pages.
 *
 *   npm run synth                        # from the repository root
 *   cd examples/blog && npx cdk8s synth  # after `npm run compile`
 */
import { App, AppProps, Chart, YamlOutputType } from 'cdk8s';
import { HardenedNamespace, HardenedService, LoggingSidecar, Peer, StatefulDatabase } from 'hardened-constructs';

export function buildBlog(app: App) {
  const platform = new Chart(app, 'blog-platform');
  const ns = new HardenedNamespace(platform, 'namespace', {
    name: 'blog',
    quota: {
      requests: { cpu: '6', memory: '12Gi', ephemeralStorage: '20Gi' },
      limits: { cpu: '12', memory: '24Gi', ephemeralStorage: '40Gi' },
      pods: 40,
      persistentVolumeClaims: 10,
      storage: '500Gi',
    },
    containerDefaults: 'small',
  });

  const chart = new Chart(app, 'blog', { namespace: ns.name });
  chart.addDependency(platform);

  const db = new StatefulDatabase(chart, 'blog-db', {
    engine: 'postgres',
    partOf: 'blog',
    resources: {
      requests: { cpu: '500m', memory: '1Gi', ephemeralStorage: '512Mi' },
      limits: { cpu: '2', memory: '2Gi', ephemeralStorage: '2Gi' },
    },
    storage: { size: '50Gi', storageClassName: 'ssd' },
    credentials: { secretName: 'blog-db-credentials' },
    username: 'blog',
    database: 'blog',
    priorityClassName: 'blog-critical',
    backup: {
      schedule: '30 2 * * *',
      timeZone: 'Etc/UTC',
      retain: 14,
      storage: { size: '100Gi', storageClassName: 'standard' },
      resources: 'small',
    },
  });
  // Rendered only when needed: `kubectl apply` the Job named blog-db-restore to restore the newest dump.
  db.addRestoreJob();

  const cache = new StatefulDatabase(chart, 'blog-cache', {
    engine: 'redis',
    partOf: 'blog',
    replicas: 3,
    resources: 'small',
    storage: { size: '5Gi' },
    credentials: { secretName: 'blog-cache-credentials' },
    priorityClassName: 'blog-critical',
  });

  const web = new HardenedService(chart, 'blog-web', {
    image: 'ghcr.io/acme/blog:4.2.0',
    component: 'frontend',
    partOf: 'blog',
    ports: [{ name: 'http', port: 8080, servicePort: 80 }],
    resources: 'medium',
    probes: {
      readiness: { http: { path: '/health/ready', port: 'http' } },
      liveness: { http: { path: '/health/live', port: 'http' } },
    },
    env: {
      DB_HOST: db.spec.host,
      DB_NAME: 'blog',
      DB_USER: 'blog',
      DB_PASSWORD: { secret: { name: 'blog-db-credentials', key: 'password' } },
      CACHE_HOST: cache.spec.primaryHost,
      CACHE_PASSWORD: { secret: { name: 'blog-cache-credentials', key: 'password' } },
      LOG_DIR: '/var/log/blog',
    },
    autoscaling: { minReplicas: 3, maxReplicas: 10 },
    priorityClassName: 'blog-critical',
    preStopDelaySeconds: 5,
    ingress: [{ from: Peer.ingressController() }],
  });
  web.connectTo(db);
  web.connectTo(cache);

  new LoggingSidecar(chart, 'blog-web-logs', {
    target: web,
    logPath: '/var/log/blog',
    output: {
      kind: 'loki',
      host: 'loki-gateway.monitoring.svc.cluster.local',
      port: 3100,
      tls: false,
      labels: { app: 'blog' },
      peer: Peer.namespace('monitoring', { 'app.kubernetes.io/name': 'loki' }),
    },
    resources: 'nano',
  });

  return { db, cache, web };
}

/**
 * One file for the whole app, Namespace first: file-at-a-time checkers (kube-score, kube-linter)
 * then see the namespace's default-deny NetworkPolicy together with the workloads it selects.
 */
export const APP_PROPS: AppProps = { yamlOutputType: YamlOutputType.FILE_PER_APP };

if (require.main === module) {
  const app = new App(APP_PROPS);
  buildBlog(app);
  app.synth();
}
