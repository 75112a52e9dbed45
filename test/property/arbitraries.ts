import * as fc from 'fast-check';

/**
 * Arbitraries over the whole typed API, mixing valid values with edge and invalid ones, so every
 * generated case exercises either the happy path or a refusal.
 */

export const dnsLabel = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z]([-a-z0-9]{0,20}[a-z0-9])?$/) },
  { weight: 1, arbitrary: fc.constantFrom('', 'UPPER', 'under_score', '-lead', 'trail-', 'a'.repeat(64), 'default', 'x.y') },
);

const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`);
export const image = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(fc.constantFrom('ghcr.io/acme/', 'docker.io/library/', '', 'registry.local:5000/team/'), fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), fc.stringMatching(/^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}$/))
      .map(([r, n, t]) => `${r}${n}:${t}`),
  },
  { weight: 2, arbitrary: fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), digest).map(([n, d]) => `${n}@${d}`) },
  { weight: 2, arbitrary: fc.constantFrom('nginx', 'nginx:latest', 'Nginx:1', 'a//b:1', '', 'nginx@sha256:abc', 'ghcr.io/acme/x:LATEST') },
);

const quantityCpu = fc.oneof(fc.constantFrom('50m', '100m', '250m', '1', '2', '0.5', '0', '-1', 'fast', '0.0001', '1Gi', '1e3m'));
const quantityBytes = fc.oneof(fc.constantFrom('64Mi', '128Mi', '256Mi', '512Mi', '1Gi', '2Gi', '0', '-1Mi', 'lots', '1.5Gi', '100M', '1e9'));
const amounts = fc.record({ cpu: quantityCpu, memory: quantityBytes, ephemeralStorage: quantityBytes });
export const resources = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('nano', 'small', 'medium', 'large', 'xlarge') },
  { weight: 1, arbitrary: fc.constantFrom('huge', '', undefined) },
  { weight: 3, arbitrary: fc.record({ requests: amounts, limits: amounts }) },
) as fc.Arbitrary<any>;

export const portNumber = fc.oneof(
  fc.constantFrom(0, 1, 22, 80, 443, 1023, 1024, 8080, 9090, 65535, 65536, -1, 1.5),
  fc.integer({ min: 1024, max: 65535 }),
);
export const portName = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('http', 'metrics', 'grpc', 'admin', 'web-2') }, { weight: 1, arbitrary: fc.constantFrom('HTTP', 'a-very-long-port-name', '1234', 'a--b', '') });
export const ports = fc.array(fc.record({ name: portName, port: portNumber, protocol: fc.constantFrom('TCP', 'UDP', undefined, 'SCTP' as any), servicePort: fc.option(portNumber, { nil: undefined }) }, { requiredKeys: ['name', 'port'] }), { maxLength: 3 });

const timing = fc.record({
  periodSeconds: fc.option(fc.constantFrom(0, 1, 5, 3600, 3601), { nil: undefined }),
  timeoutSeconds: fc.option(fc.constantFrom(1, 2, 30), { nil: undefined }),
  failureThreshold: fc.option(fc.constantFrom(1, 3, 30, 0), { nil: undefined }),
  initialDelaySeconds: fc.option(fc.constantFrom(0, 10, -1), { nil: undefined }),
  successThreshold: fc.option(fc.constantFrom(1, 2), { nil: undefined }),
}, { requiredKeys: [] });
export const probe = fc.tuple(timing, fc.oneof(
  fc.record({ http: fc.record({ path: fc.constantFrom('/readyz', '/livez', '/healthz', 'nope'), port: portName }) }),
  fc.record({ tcp: fc.record({ port: portName }) }),
  fc.record({ grpc: fc.record({ port: portName }) }),
  fc.record({ exec: fc.record({ command: fc.constantFrom(['true'], ['/bin/check', '--live'], [] as string[]) }) }),
)).map(([t, h]) => ({ ...t, ...h }));
export const probes = fc.option(fc.record({ readiness: probe, liveness: probe, startup: fc.option(probe, { nil: undefined }) }, { requiredKeys: ['readiness', 'liveness'] }), { nil: undefined });

export const SENTINEL = 's3ntinel-V4lue-9f27';
const envName = fc.constantFrom('LOG_LEVEL', 'DB_PASSWORD', 'API_TOKEN', 'CACHE_KEY', 'FEATURE_FLAGS', 'TZ', 'PASSWORD_FILE', 'lower.case', '9BAD');
const envValue = fc.oneof(
  fc.constantFrom('info', '-----BEGIN RSA PRIVATE KEY-----\nMIIE', '/run/secrets/x', ''),
  fc.record({ secret: fc.record({ name: fc.constantFrom('db', 'Bad_Name', SENTINEL.toLowerCase()), key: fc.constantFrom('password', '') }) }),
  fc.record({ configMap: fc.record({ name: fc.constantFrom('settings'), key: fc.constantFrom('level', 'api-token') }) }),
  fc.record({ value: fc.constantFrom('3600', 'on'), notASecret: fc.constantFrom('a duration in seconds, not a token', 'short') }),
);
// The sentinel secret goes where secrets go: a secret-named variable (which must be refused).
export const env = fc.option(
  fc.tuple(fc.dictionary(envName, envValue, { maxKeys: 4 }), fc.boolean()).map(([d, leak]) => (leak ? { ...d, API_TOKEN: SENTINEL } : d)),
  { nil: undefined },
);

const reason = fc.constantFrom('tracked in OPS-123: legacy image', 'short', '', '          ');
export const relaxations = fc.option(fc.record({
  runAsRoot: reason,
  writableRootFilesystem: reason,
  privilegedPorts: reason,
  noProbes: reason,
  singleReplica: reason,
  unpinnedImage: reason,
  addCapabilities: fc.record({ capabilities: fc.subarray(['CHOWN', 'NET_BIND_SERVICE', 'SYS_ADMIN', 'NET_ADMIN', 'KILL', 'cap_setuid', 'ALL']), reason }),
}, { requiredKeys: [] }), { nil: undefined });

export const peer = fc.oneof(
  fc.record({ kind: fc.constant('workload' as const), name: dnsLabel, namespace: fc.option(dnsLabel, { nil: undefined }) }),
  fc.record({ kind: fc.constant('namespace' as const), namespace: dnsLabel, podLabels: fc.option(fc.constant({ app: 'x' }), { nil: undefined }) }),
  fc.record({ kind: fc.constant('cidr' as const), cidr: fc.constantFrom('10.0.0.0/8', '0.0.0.0/0', '192.168.1.0/24', 'not-a-cidr') }),
);

export const containerSpec = fc.record({
  image,
  ports,
  resources,
  probes,
  env,
  name: fc.option(dnsLabel, { nil: undefined }),
  secretFiles: fc.option(fc.array(fc.record({ secretName: fc.constantFrom('tls', 'BAD'), mountPath: fc.constantFrom('/var/run/secrets/tls', 'relative') }), { maxLength: 1 }), { nil: undefined }),
  writablePaths: fc.option(fc.array(fc.record({ path: fc.constantFrom('/var/cache/app', '/tmp', '/', 'rel'), sizeLimit: fc.option(quantityBytes, { nil: undefined }), inMemory: fc.option(fc.boolean(), { nil: undefined }) }), { maxLength: 2 }), { nil: undefined }),
  tmpSizeLimit: fc.option(quantityBytes, { nil: undefined }),
  timezone: fc.option(fc.constantFrom('UTC', 'Europe/Berlin', 'not a zone'), { nil: undefined }),
  command: fc.option(fc.constant(['/app/run']), { nil: undefined }),
  args: fc.option(fc.constant(['--flag']), { nil: undefined }),
}, { requiredKeys: ['image', 'ports', 'resources'] });

export const serviceSpec = fc.tuple(containerSpec, fc.record({
  name: fc.option(dnsLabel, { nil: undefined }),
  replicas: fc.option(fc.constantFrom(0, 1, 2, 3, 10000, 10001, -1, 1.5), { nil: undefined }),
  autoscaling: fc.option(fc.record({ minReplicas: fc.constantFrom(1, 2, 3), maxReplicas: fc.constantFrom(2, 3, 10), targetCpuUtilization: fc.option(fc.constantFrom(0, 50, 101), { nil: undefined }) }, { requiredKeys: ['minReplicas', 'maxReplicas'] }), { nil: undefined }),
  ingress: fc.array(fc.record({ from: peer, ports: fc.option(fc.array(portName, { maxLength: 1 }), { nil: undefined }) }, { requiredKeys: ['from'] }), { maxLength: 2 }),
  egress: fc.option(
    fc.array(fc.record({ to: peer, ports: fc.array(fc.record({ port: portNumber }), { maxLength: 2 }) }), { maxLength: 2 }),
    { nil: undefined },
  ),
  user: fc.option(fc.constantFrom(0, 1000, 10000, 10001, 2147483648), { nil: undefined }),
  group: fc.option(fc.constantFrom(0, 10001), { nil: undefined }),
  priorityClassName: fc.option(fc.constantFrom('standard', 'Bad Class'), { nil: undefined }),
  terminationGracePeriodSeconds: fc.option(fc.constantFrom(0, 1, 30, 3601), { nil: undefined }),
  preStopDelaySeconds: fc.option(fc.constantFrom(1, 5, 30, 600), { nil: undefined }),
  revisionHistoryLimit: fc.option(fc.constantFrom(0, 1, 5, 101), { nil: undefined }),
  component: fc.option(fc.constantFrom('backend', 'bad value!'), { nil: undefined }),
  partOf: fc.option(fc.constantFrom('shop'), { nil: undefined }),
  sidecars: fc.option(fc.array(containerSpec, { maxLength: 1 }), { nil: undefined }),
  relaxations,
}, { requiredKeys: ['ingress'] })).map(([c, s]) => ({ ...c, ...s }));

export const databaseSpec = fc.record({
  engine: fc.oneof(fc.constantFrom('postgres', 'mysql', 'mariadb', 'redis', 'oracle' as any)),
  image: fc.option(image, { nil: undefined }),
  resources,
  storage: fc.oneof(fc.record({ size: quantityBytes, storageClassName: fc.option(fc.constantFrom('ssd', 'Bad Class'), { nil: undefined }), accessMode: fc.option(fc.constantFrom('ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany' as any), { nil: undefined }) }, { requiredKeys: ['size'] }), fc.constant(undefined as any)),
  credentials: fc.oneof(fc.record({ secretName: fc.constantFrom('db', 'Bad_Name', SENTINEL), passwordKey: fc.option(fc.constantFrom('password', 'pass word'), { nil: undefined }) }, { requiredKeys: ['secretName'] }), fc.constant(undefined as any)),
  username: fc.option(fc.constantFrom('app', 'drop table'), { nil: undefined }),
  database: fc.option(fc.constantFrom('orders', 'Orders'), { nil: undefined }),
  replicas: fc.option(fc.constantFrom(0, 1, 2, 3, 10), { nil: undefined }),
  clients: fc.option(fc.array(peer, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  sharedMemory: fc.option(fc.constantFrom('64Mi', '256Mi', '16Gi'), { nil: undefined }),
  backup: fc.option(fc.record({
    schedule: fc.constantFrom('0 3 * * *', '@daily', 'daily at 3'),
    retain: fc.option(fc.constantFrom(0, 1, 7, 1001), { nil: undefined }),
    storage: fc.option(fc.oneof(fc.record({ size: quantityBytes }), fc.record({ existingClaim: fc.constantFrom('backups', 'BAD') })), { nil: undefined }),
    resources,
  }, { requiredKeys: ['schedule', 'resources'] }), { nil: undefined }),
  priorityClassName: fc.option(fc.constant('standard'), { nil: undefined }),
  terminationGracePeriodSeconds: fc.option(fc.constantFrom(5, 120), { nil: undefined }),
  relaxations: fc.option(fc.record({ writableRootFilesystem: reason, noProbes: reason }, { requiredKeys: [] }), { nil: undefined }),
}, { requiredKeys: ['engine', 'resources', 'storage', 'credentials'] });

export const logOutput = fc.oneof(
  fc.constant({ kind: 'stdout' as const }),
  fc.record({
    kind: fc.constantFrom('loki', 'elasticsearch', 'http', 'forward', 'syslog' as any),
    host: fc.constantFrom('loki.monitoring.svc', 'bad host\n[OUTPUT]', ''),
    port: fc.option(portNumber, { nil: undefined }),
    tls: fc.option(fc.boolean(), { nil: undefined }),
    user: fc.option(fc.constantFrom('shop', 'bad user'), { nil: undefined }),
    password: fc.option(fc.oneof(fc.record({ name: fc.constant('creds'), key: fc.constant('password') }), fc.constant(SENTINEL as any)), { nil: undefined }),
    peer: fc.option(peer, { nil: undefined }),
  }, { requiredKeys: ['kind', 'host'] }),
);

export const loggingSpec = fc.record({
  logPath: fc.constantFrom('/var/log/app', 'relative', '/', '/var/log/app/'),
  files: fc.option(fc.constantFrom('*.log', 'app-[0-9].log', 'bad glob;'), { nil: undefined }),
  output: logOutput,
  resources,
  volumeSize: fc.option(fc.constantFrom('64Mi', '256Mi', '10Gi', '0'), { nil: undefined }),
  memBufLimit: fc.option(fc.constantFrom('5MB', 'lots'), { nil: undefined }),
  nativeSidecar: fc.option(fc.boolean(), { nil: undefined }),
  parser: fc.option(fc.constantFrom('json', 'none'), { nil: undefined }),
}, { requiredKeys: ['logPath', 'output', 'resources'] });

// ----------------------------------------------------------------------------------------------
// Consistent generators: valid props with edge values, then 0–2 mutations drawn from the invalid
// pools above, so both outcomes (refusal, valid output) are common.

const validPortNumber = fc.oneof(fc.constantFrom(1024, 1025, 8080, 9090, 65535), fc.integer({ min: 1024, max: 65535 }));
const validImage = image.filter((i) => !/^(nginx|nginx:latest|Nginx:1|a\/\/b:1|nginx@sha256:abc|ghcr\.io\/acme\/x:LATEST)$/.test(i) && i !== '');
const validResources = fc.oneof(
  fc.constantFrom('small', 'medium', 'large', 'xlarge'),
  fc.record({
    requests: fc.record({ cpu: fc.constantFrom('50m', '100m', '1'), memory: fc.constantFrom('128Mi', '256Mi'), ephemeralStorage: fc.constantFrom('256Mi', '512Mi') }),
    limits: fc.record({ cpu: fc.constantFrom('1', '2'), memory: fc.constantFrom('256Mi', '1Gi'), ephemeralStorage: fc.constantFrom('1Gi', '2Gi') }),
  }),
);

const LABEL = /^[a-z]([-a-z0-9]{0,20}[a-z0-9])?$/;
function validPeer(p: { kind: string; cidr?: string; name?: string; namespace?: string }): boolean {
  if (p.kind === 'cidr') return p.cidr !== '0.0.0.0/0' && p.cidr !== 'not-a-cidr';
  if (p.kind === 'workload') return LABEL.test(p.name!) && (p.namespace === undefined || LABEL.test(p.namespace));
  return LABEL.test(p.namespace!);
}

export const validServiceSpec = fc.record({
  portA: validPortNumber,
  portB: fc.option(validPortNumber, { nil: undefined }),
  image: validImage,
  resources: validResources,
  probeKind: fc.constantFrom('http', 'tcp-exec', 'grpc-http', 'exec'),
  startup: fc.boolean(),
  timing: fc.record({ periodSeconds: fc.constantFrom(1, 5, 3600), failureThreshold: fc.constantFrom(1, 3, 30) }, { requiredKeys: [] }),
  env: fc.dictionary(fc.constantFrom('LOG_LEVEL', 'FEATURES', 'DB_PASSWORD', 'API_TOKEN'), fc.constantFrom('info', 'a,b'), { maxKeys: 3 }),
  replicas: fc.option(fc.constantFrom(2, 3, 10000), { nil: undefined }),
  autoscale: fc.boolean(),
  ingress: fc.array(peer.filter(validPeer), { minLength: 1, maxLength: 2 }),
  priorityClassName: fc.option(fc.constant('standard'), { nil: undefined }),
  writable: fc.boolean(),
  sidecar: fc.boolean(),
  relax: fc.option(fc.constantFrom('writableRootFilesystem', 'noProbes', 'runAsRoot', 'singleReplica') as fc.Arbitrary<string>, { nil: undefined }),
}).map((g) => {
  const declared: any[] = [{ name: 'http', port: g.portA }];
  if (g.portB !== undefined && g.portB !== g.portA) declared.push({ name: 'metrics', port: g.portB });
  const checks = {
    'http': { readiness: { http: { path: '/readyz', port: 'http' } }, liveness: { http: { path: '/livez', port: 'http' }, ...g.timing } },
    'tcp-exec': { readiness: { exec: { command: ['/bin/ready'] } }, liveness: { tcp: { port: 'http' }, ...g.timing } },
    'grpc-http': { readiness: { grpc: { port: 'http' } }, liveness: { http: { path: '/livez', port: 'http' } } },
    'exec': { readiness: { exec: { command: ['/bin/check', 'ready'] } }, liveness: { exec: { command: ['/bin/check', 'live'] } } },
  }[g.probeKind] as any;
  if (g.startup) checks.startup = { tcp: { port: 'http' }, failureThreshold: 30 };
  const vars: Record<string, any> = {};
  for (const [k, v] of Object.entries(g.env)) vars[k] = /PASSWORD|TOKEN/.test(k) ? { secret: { name: 'creds', key: k.toLowerCase() } } : v;
  const props: any = {
    image: g.image,
    ports: declared,
    resources: g.resources,
    probes: checks,
    env: vars,
    ingress: g.ingress.map((from) => ({ from })),
    priorityClassName: g.priorityClassName,
  };
  if (g.autoscale) props.autoscaling = { minReplicas: 2, maxReplicas: 5 };
  else props.replicas = g.replicas;
  if (g.writable) props.writablePaths = [{ path: '/var/cache/app', sizeLimit: '64Mi' }];
  if (g.sidecar) props.sidecars = [{ name: 'proxy', image: 'ghcr.io/acme/proxy:1.0.0', ports: [{ name: 'proxy', port: 15001 }], resources: 'nano', probes: { readiness: { tcp: { port: 'proxy' } }, liveness: { exec: { command: ['/bin/alive'] } } } }];
  if (g.relax === 'noProbes') {
    delete props.probes;
    props.relaxations = { noProbes: 'vendor binary exposes no health endpoint at all' };
  } else if (g.relax === 'singleReplica') {
    delete props.autoscaling;
    props.replicas = 1;
    props.relaxations = { singleReplica: 'leader-elected, exactly one active instance' };
  } else if (g.relax) {
    props.relaxations = { [g.relax]: 'tracked in OPS-123: legacy image needs it' };
  }
  return props;
});

/** Break a valid spec in one place with a value from the invalid pools. */
const serviceMutation = fc.oneof(
  image.map((v) => (p: any) => ({ ...p, image: v })),
  resources.map((v) => (p: any) => ({ ...p, resources: v })),
  ports.map((v) => (p: any) => ({ ...p, ports: v })),
  probes.map((v) => (p: any) => ({ ...p, probes: v })),
  env.map((v) => (p: any) => ({ ...p, env: v })),
  relaxations.map((v) => (p: any) => ({ ...p, relaxations: v })),
  fc.constantFrom(0, 1, -1, 1.5, 10001).map((v) => (p: any) => ({ ...p, replicas: v, autoscaling: undefined })),
  fc.constantFrom(0, 1000, 2147483648).map((v) => (p: any) => ({ ...p, user: v })),
  dnsLabel.map((v) => (p: any) => ({ ...p, name: v })),
  fc.constant((p: any) => ({ ...p, ingress: [] })),
  fc.constantFrom(0, 3601).map((v) => (p: any) => ({ ...p, terminationGracePeriodSeconds: v })),
  fc.constantFrom(30, 600).map((v) => (p: any) => ({ ...p, preStopDelaySeconds: v })),
);

export const anyServiceSpec = fc.tuple(validServiceSpec, fc.array(serviceMutation, { maxLength: 2 }), fc.boolean())
  .map(([p, ms, mutate]) => (mutate ? ms.reduce((acc, m) => m(acc), p) : p));

export const validDatabaseSpec = fc.record({
  engine: fc.constantFrom('postgres', 'mysql', 'mariadb', 'redis'),
  resources: fc.constantFrom('medium', 'large'),
  size: fc.constantFrom('1Gi', '20Gi', '1Ti'),
  storageClassName: fc.option(fc.constantFrom('ssd'), { nil: undefined }),
  replicas: fc.constantFrom(1, 2, 3),
  clients: fc.array(peer.filter((p) => p.kind !== 'cidr' && validPeer(p)), { minLength: 1, maxLength: 2 }),
  backup: fc.option(fc.record({ schedule: fc.constantFrom('0 3 * * *', '@daily'), retain: fc.constantFrom(1, 7, 1000), storage: fc.constantFrom({ size: '10Gi' }, { existingClaim: 'backups' }), resources: fc.constant('small' as const) }), { nil: undefined }),
  priorityClassName: fc.option(fc.constant('standard'), { nil: undefined }),
  snapshot: fc.option(fc.constant({ volumeSnapshotClassName: 'csi' }), { nil: undefined }),
}).map((g) => ({
  engine: g.engine,
  resources: g.resources,
  storage: { size: g.size, storageClassName: g.storageClassName },
  credentials: { secretName: 'db' },
  replicas: g.engine === 'redis' ? g.replicas : 1,
  clients: g.clients,
  backup: g.backup,
  priorityClassName: g.priorityClassName,
  snapshot: g.snapshot,
}));

const databaseMutation = fc.oneof(
  databaseSpec.map((bad) => (p: any) => ({ ...p, ...Object.fromEntries(Object.entries(bad).slice(0, 2)) })),
  fc.constantFrom(2, 3).map((r) => (p: any) => ({ ...p, replicas: r })),
  fc.constant((p: any) => ({ ...p, storage: undefined })),
  fc.constant((p: any) => ({ ...p, credentials: { secretName: SENTINEL } })),
);

export const anyDatabaseSpec = fc.tuple(validDatabaseSpec, fc.array(databaseMutation, { maxLength: 2 }), fc.boolean())
  .map(([p, ms, mutate]) => (mutate ? ms.reduce((acc, m) => m(acc), p) : p));

export const validLoggingSpec = fc.record({
  logPath: fc.constantFrom('/var/log/app', '/data/logs/'),
  files: fc.option(fc.constantFrom('*.log', 'app-[0-9].log'), { nil: undefined }),
  output: fc.oneof(
    fc.constant({ kind: 'stdout' as const }),
    fc.record({
      kind: fc.constantFrom('loki', 'elasticsearch', 'http', 'forward'),
      host: fc.constantFrom('loki.monitoring.svc', 'logs.example.com'),
      port: fc.option(validPortNumber, { nil: undefined }),
      tls: fc.option(fc.boolean(), { nil: undefined }),
      user: fc.constant('shop'),
      password: fc.constant({ name: 'creds', key: 'password' }),
      peer: fc.constant({ kind: 'namespace', namespace: 'monitoring' }),
    }),
  ),
  resources: fc.constantFrom('nano', 'small'),
  volumeSize: fc.option(fc.constantFrom('64Mi', '256Mi'), { nil: undefined }),
  nativeSidecar: fc.option(fc.boolean(), { nil: undefined }),
  parser: fc.option(fc.constantFrom('json', 'none'), { nil: undefined }),
}, { requiredKeys: ['logPath', 'output', 'resources'] });

export const anyLoggingSpec = fc.tuple(validLoggingSpec, loggingSpec, fc.constantFrom(0, 1, 2))
  .map(([good, bad, mode]) => (mode === 0 ? good : mode === 1 ? { ...good, output: bad.output } : { ...good, ...bad }));
