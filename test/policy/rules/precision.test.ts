import { stringify } from 'yaml';
import { defaultRuleSet, evaluateDocker, evaluateKubernetes } from '../../../src';
import { parseText } from '../../../src/cli/load';

/**
 * False positives and gaps found by auditing manifests nobody on the project wrote: each case is
 * the exact outcome (rule, path, message) on a minimal input.
 */
const ruleSet = defaultRuleSet();

function findings(yaml: string, rule: string): string[] {
  const { objects, containers } = parseText(yaml, 'inline.yaml');
  return [...evaluateKubernetes(objects, ruleSet), ...evaluateDocker(containers, ruleSet)]
    .filter((f) => f.ruleId === rule)
    .map((f) => `${f.object.kind}/${f.object.name} ${f.path}: ${f.message}`);
}

const docs = (...objs: object[]) => objs.map((o) => stringify(o)).join('---\n');

describe('Compose', () => {
  test('a service without networks: is on the project network, not the default bridge; network_mode: bridge is', () => {
    const yaml = 'services:\n  web: {image: "nginx:1.27"}\n  legacy: {image: "nginx:1.27", network_mode: bridge}\n  host: {image: "nginx:1.27", network_mode: host}\n';
    expect(findings(yaml, 'user-defined-network')).toEqual(["DockerContainer/legacy networks: container 'legacy' uses the default bridge network"]);
  });

  test('a build-only service has no image to pin; a pulled one does', () => {
    const yaml = 'services:\n  api: {build: ./api}\n  worker: {build: {context: ./worker}, image: acme/worker}\n  cache: {image: redis}\n  none: {command: x}\n';
    expect(findings(yaml, 'image-tag-pinned')).toEqual([
      "DockerContainer/cache image: container 'cache': 'redis' has no tag (resolves to latest)",
      "DockerContainer/none image: container 'none': no image",
    ]);
  });
});

const container = (extra: object = {}) => ({ name: 'app', image: 'ghcr.io/acme/app:1.0.0', ...extra });
const podOf = (spec: object, name = 'p') => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop' }, spec });

test('probe ports: numeric ports need no declaration; a named port must resolve', () => {
  const yaml = docs(
    podOf({ containers: [container({ readinessProbe: { httpGet: { path: '/', port: 8080 } }, livenessProbe: { tcpSocket: { port: 9090 } } })] }, 'numeric'),
    podOf({ containers: [container({ ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/', port: 'http' } } })] }, 'named'),
    podOf({ containers: [container({ ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/', port: 'metrics' } } })] }, 'dangling'),
  );
  expect(findings(yaml, 'probe-ports-declared')).toEqual([
    "Pod/dangling spec.containers[0].readinessProbe: readinessProbe of 'app' targets port name 'metrics', which no containerPort declares",
  ]);
});

test('revisionHistoryLimit: unset is bounded (default 10); 0 keeps no rollback', () => {
  const dep = (name: string, spec: object) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop' }, spec: { selector: { matchLabels: { a: name } }, template: { metadata: { labels: { a: name } }, spec: { containers: [container()] } }, ...spec } });
  expect(findings(docs(dep('unset', {}), dep('five', { revisionHistoryLimit: 5 }), dep('zero', { revisionHistoryLimit: 0 })), 'revision-history-limit')).toEqual([
    'Deployment/zero spec.revisionHistoryLimit: revisionHistoryLimit is 0: no rollback target is kept',
  ]);
});

describe('secret names are not secrets', () => {
  test.each([
    ['ALLOYDB_SECRET_NAME', 'alloydb-password', false],
    ['DB_SECRET_REF', 'projects/acme/secrets/db/versions/latest', false],
    ['API_SECRET_ARN', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-AbCdEf', false],
    ['VAULT_SECRET_ID', 'shop-api', false],
    ['DB_SECRET', 'hunter2hunter2', true],
    ['DB_PASSWORD', 'alloydb-password', true],
    ['ALLOYDB_SECRET_NAME', 'correct horse battery staple', true],
  ])('%s=%s flagged: %s', (name, value, flagged) => {
    const yaml = docs(podOf({ containers: [container({ env: [{ name, value }] })] }));
    expect(findings(yaml, 'no-literal-secrets-in-env')).toHaveLength(flagged ? 1 : 0);
    const compose = `services:\n  app:\n    image: x:1\n    environment:\n      ${name}: '${value}'\n`;
    expect(findings(compose, 'no-literal-secrets-in-env')).toHaveLength(flagged ? 1 : 0);
  });
});

describe('RBAC', () => {
  const wildcard = (kind: string, name: string, namespace?: string) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name, ...(namespace ? { namespace } : {}) }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] });
  test('roles named system:* are checked; only the API server\'s bootstrapping defaults are not', () => {
    const yaml = docs(
      wildcard('ClusterRole', 'system:evil'),
      { ...wildcard('ClusterRole', 'system:controller:x'), metadata: { name: 'system:controller:x', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } } },
    );
    expect(findings(yaml, 'rbac-no-wildcards')).toEqual([
      'ClusterRole/system:evil rules[0].resources: ClusterRole system:evil uses * in resources',
      'ClusterRole/system:evil rules[0].verbs: ClusterRole system:evil uses * in verbs',
    ]);
  });

  test('a binding finds its wildcard ClusterRole even when the role carries a metadata.namespace', () => {
    const yaml = docs(
      wildcard('ClusterRole', 'system:everything', 'kube-system'),
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'b' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:everything' }, subjects: [{ kind: 'ServiceAccount', name: 'x', namespace: 'shop' }] },
    );
    expect(findings(yaml, 'rbac-no-cluster-admin')).toEqual(['ClusterRoleBinding/b roleRef.name: ClusterRoleBinding b binds wildcard role system:everything']);
  });
});

test('topology spread and recommended labels apply to naked Pods; maxSkew and whenUnsatisfiable are validated', () => {
  const tsc = (t: object) => ({ topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: { a: 'b' } }, ...t });
  const yaml = docs(
    podOf({ containers: [container()] }, 'bare'),
    podOf({ containers: [container()], topologySpreadConstraints: [tsc({ maxSkew: 0, whenUnsatisfiable: 'Sometimes' })] }, 'bad'),
    podOf({ containers: [container()], topologySpreadConstraints: [tsc({ maxSkew: 1.5, whenUnsatisfiable: 'DoNotSchedule' })] }, 'fraction'),
    podOf({ containers: [container()], topologySpreadConstraints: [tsc({ maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' })] }, 'good'),
  );
  expect(findings(yaml, 'topology-spread')).toEqual([
    'Pod/bare spec.topologySpreadConstraints: no topology spread constraints',
    'Pod/bad spec.topologySpreadConstraints[0].maxSkew: maxSkew must be an integer >= 1 (got 0)',
    'Pod/bad spec.topologySpreadConstraints[0].whenUnsatisfiable: whenUnsatisfiable must be DoNotSchedule or ScheduleAnyway',
    'Pod/fraction spec.topologySpreadConstraints[0].maxSkew: maxSkew must be an integer >= 1 (got 1.5)',
  ]);
  expect(findings(docs(podOf({ containers: [container()] }, 'bare')), 'recommended-labels')).toEqual([
    'Pod/bare metadata.labels: app.kubernetes.io/name is missing',
    'Pod/bare metadata.labels: app.kubernetes.io/instance is missing',
  ]);
});

test('networking.k8s.io/v1beta1 and extensions/v1beta1 Ingress backends (serviceName) are understood', () => {
  const ing = (name: string, backend: object) => ({ apiVersion: 'networking.k8s.io/v1beta1', kind: 'Ingress', metadata: { name, namespace: 'shop' }, spec: { rules: [{ http: { paths: [{ path: '/', backend }] } }] } });
  const yaml = docs(
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { a: 'b' }, ports: [{ port: 80 }] } },
    ing('ok', { serviceName: 'web', servicePort: 80 }),
    ing('dangling', { serviceName: 'gone', servicePort: 80 }),
    { apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: { name: 'default', namespace: 'shop' }, spec: { backend: { serviceName: 'missing', servicePort: 80 } } },
  );
  expect(findings(yaml, 'ingress-targets-service')).toEqual([
    'Ingress/dangling spec.rules: backend Service gone is not among the objects',
    'Ingress/default spec.rules: backend Service missing is not among the objects',
  ]);
});

test('the same kind/namespace/name in two files is reported, not merged', () => {
  const cm = (value: string) => docs({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'shop' }, data: { LOG_LEVEL: value } });
  const a = parseText(cm('info'), 'a.yaml');
  const b = parseText(cm('debug'), 'b.yaml');
  const found = evaluateKubernetes([...a.objects, ...b.objects], ruleSet).filter((f) => f.ruleId === 'unique-object-identity');
  expect(found.map((f) => [f.file, f.message])).toEqual([['b.yaml', 'ConfigMap shop/settings is defined 2 times in the input; this copy replaces an earlier one']]);
});
