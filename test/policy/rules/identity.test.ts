import { defaultRuleSet, evaluateDocker, evaluateKubernetes } from '../../../src';
import { parseText } from '../../../src/cli/load';

/** A password inside a URL is a literal secret whatever the variable or key is called. */
const ruleSet = defaultRuleSet();

function findings(yaml: string, rule: string) {
  const { objects, containers } = parseText(yaml, 'inline.yaml');
  return [...evaluateKubernetes(objects, ruleSet), ...evaluateDocker(containers, ruleSet)]
    .filter((f) => f.ruleId === rule)
    .map((f) => `${f.path}: ${f.message}`);
}

const pod = (value: string) => `
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: shop}
spec:
  containers:
  - name: main
    image: ghcr.io/acme/app:1.0.0
    env:
    - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
    - {name: DATABASE_URL, value: '${value}'}
`;

test('a Kubernetes env value with a password in a URL is flagged; a $(VAR) placeholder is not', () => {
  expect(findings(pod('postgres://shop:hunter2@db:5432/shop'), 'no-literal-secrets-in-env')).toEqual([
    'spec.containers[0].env[1].value: env DATABASE_URL holds a URL with a password',
  ]);
  expect(findings(pod('postgres://shop:$(DB_PASSWORD)@db:5432/shop'), 'no-literal-secrets-in-env')).toEqual([]);
});

test('a Compose environment value with a password in a URL is flagged', () => {
  const compose = 'services:\n  app:\n    image: ghcr.io/acme/app:1.0.0\n    environment:\n      BROKER: amqp://guest:guest@rabbitmq:5672/\n';
  expect(findings(compose, 'no-literal-secrets-in-env')).toEqual(['env.BROKER: env BROKER holds a URL with a password']);
});

test('a ConfigMap value with a password in a URL is flagged', () => {
  const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata:\n  cache: redis://:s3cret@cache:6379/0\n  level: info\n';
  expect(findings(cm, 'no-secrets-in-configmap')).toEqual(['data.cache: key cache holds a URL with a password']);
});

test('a Secret written into a manifest is reported by key name, never by value', () => {
  const secret = 'apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\nstringData: {password: hunter2, username: shop}\n';
  expect(findings(secret, 'no-secret-values-in-manifests')).toEqual(['stringData: Secret db carries 2 values in stringData (password, username)']);
  expect(findings('apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\ntype: Opaque\n', 'no-secret-values-in-manifests')).toEqual([]);
});
