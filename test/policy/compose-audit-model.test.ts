import { stringify } from 'yaml';
import { defaultRuleSet, evaluateDocker, evaluateKubernetes } from '../../src';
import { parseText } from '../../src/cli/load';
import { composeContainers, ComposeContainer, interpolateCompose, splitShellWords } from '../../src/policy/compose';

/**
 * The Compose audit model: command, entrypoint and healthcheck.test go through the same argument
 * check as Kubernetes command/args, and values are interpolated as `docker compose config` would
 * with an empty environment.
 */
const ruleSet = defaultRuleSet();

function findings(yaml: string, rule: string): string[] {
  const { objects, containers } = parseText(yaml, 'compose.yaml');
  return [...evaluateKubernetes(objects, ruleSet), ...evaluateDocker(containers, ruleSet)]
    .filter((f) => f.ruleId === rule)
    .map((f) => `${f.object.name} ${f.path} ${f.location?.line}:${f.location?.column}: ${f.message}`);
}

describe('no-literal-secrets-in-env reads Compose command, entrypoint and healthcheck.test', () => {
  test('list forms point at the element, with its line', () => {
    const yaml = [
      'services:',
      '  db:',
      '    image: mysql:8.4',
      '    command: ["mysqld", "--password=hunter2"]',
      '  app:',
      '    image: ghcr.io/acme/app:1.0.0',
      '    entrypoint: ["sh", "-c", "exec app --token=abcdef123456"]',
      '  check:',
      '    image: mysql:8.4',
      '    healthcheck: {test: ["CMD", "mysqladmin", "ping", "-uroot", "-psupersecret"]}',
      '  block:',
      '    image: mysql:8.4',
      '    command:',
      '      - mysqld',
      '      - --user=mysql',
      '      - --password',
      '      - hunter2',
      '',
    ].join('\n');
    expect(findings(yaml, 'no-literal-secrets-in-env')).toEqual([
      'db command[1] 4:25: command[1] holds a password flag with a value',
      'app entrypoint[2] 7:30: entrypoint[2] holds a password flag with a value',
      'check healthcheck.test[4] 10:65: healthcheck.test[4] holds a password flag with a value',
      'block command[3] 17:9: command[3] holds a password flag with a value',
    ]);
  });

  test('string forms (split like a shell command line; a healthcheck string is CMD-SHELL) point at the field', () => {
    const yaml = [
      'services:',
      '  flower:',
      '    image: mher/flower:2.0',
      '    command: celery -A config flower --port=5555 --basic_auth=admin:hunter2',
      '  db:',
      '    image: mysql:8.4',
      '    entrypoint: "docker-entrypoint.sh mysqld --password=\'hunter 2\'"',
      '    healthcheck:',
      '      test: mysqladmin ping -uroot -psupersecret',
      '',
    ].join('\n');
    expect(findings(yaml, 'no-literal-secrets-in-env')).toEqual([
      'flower command 4:5: command holds user:password credentials',
      'db entrypoint 7:5: entrypoint holds a password flag with a value',
      'db healthcheck.test 9:7: healthcheck.test holds a password flag with a value',
    ]);
  });

  test('the same arguments in a Kubernetes container give the same finding', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db', namespace: 'shop' }, spec: { containers: [{ name: 'db', image: 'mysql:8.4', command: ['mysqld', '--password=hunter2'] }] } };
    expect(findings(stringify(pod), 'no-literal-secrets-in-env')).toEqual(['db spec.containers[0].command[1] 12:11: command[1] holds a password flag with a value']);
  });

  test('references, variables and harmless arguments give no finding', () => {
    const yaml = [
      'services:',
      '  app:',
      '    image: ghcr.io/acme/app:1.0.0',
      '    command: ["app", "--password-file=/run/secrets/db", "--secret-name=shop-tls", "--auth=oauth2", "--port=8080"]',
      '    entrypoint: ["sh", "-c", "exec app --token=$${API_TOKEN}"]',
      '    healthcheck: {test: ["CMD-SHELL", "mysqladmin ping -uroot -p$$MYSQL_ROOT_PASSWORD"]}',
      '  worker:',
      '    image: ghcr.io/acme/app:1.0.0',
      '    command: app --password=${DB_PASSWORD} --user 10001:10001',
      '',
    ].join('\n');
    expect(findings(yaml, 'no-literal-secrets-in-env')).toEqual([]);
  });

  test('a password written as the default of a variable is a literal in the file', () => {
    const yaml = 'services:\n  app:\n    image: ghcr.io/acme/app:1.0.0\n    command: ["app", "--password=${DB_PASSWORD:-hunter2}"]\n    environment:\n      API_TOKEN: ${API_TOKEN:-abcdef123456}\n      DB_PASSWORD: ${DB_PASSWORD}\n';
    expect(findings(yaml, 'no-literal-secrets-in-env')).toEqual([
      'app env.API_TOKEN 6:7: env API_TOKEN looks like a secret and has a literal value',
      'app command[1] 4:22: command[1] holds a password flag with a value',
    ]);
  });

  test('the secret is never part of a finding', () => {
    const yaml = 'services:\n  app:\n    image: ghcr.io/acme/app:1.0.0\n    command: flower --basic_auth=admin:Zq7-SENTINEL\n    healthcheck: {test: ["CMD", "mysqladmin", "-pZq7-SENTINEL"]}\n';
    const { containers } = parseText(yaml, 'compose.yaml');
    expect(JSON.stringify(evaluateDocker(containers, ruleSet).map((f) => [f.message, f.path]))).not.toContain('SENTINEL');
  });
});

describe('Compose interpolation (as docker compose config with an empty environment)', () => {
  test('a default in the image tag is the tag that is checked', () => {
    const yaml = [
      'services:',
      '  web:',
      '    image: "ghcr.io/acme/django-app:${APP_VERSION:-1.4.0}"',
      '  nested:',
      '    image: "ghcr.io/acme/django-app:${APP_VERSION-${DEFAULT_VERSION:-1.4.0}}"',
      '  latest:',
      '    image: "ghcr.io/acme/django-app:${APP_VERSION:-latest}"',
      '',
    ].join('\n');
    expect(findings(yaml, 'image-tag-pinned')).toEqual(["latest image 7:5: container 'latest': 'ghcr.io/acme/django-app:latest' uses the latest tag"]);
  });

  test('an image tag from a variable without a default is reported as such, naming the variable', () => {
    const yaml = ['services:', '  web:', '    image: "ghcr.io/acme/django-app:${APP_VERSION}"', ''].join('\n');
    expect(findings(yaml, 'image-tag-pinned')).toEqual([
      "web image 3:5: container 'web': the image depends on environment variable(s) ${APP_VERSION} with no default in the file, so the version that runs is decided at deploy time",
    ]);
  });

  test('variables without a default are recorded per field, by name', () => {
    const doc = { services: { web: { image: 'ghcr.io/acme/app:${APP_VERSION}', command: ['app', '--env=$DEPLOY_ENV', '--x=${A:?set A}'], environment: { LOG_LEVEL: '${LOG_LEVEL:-info}' } } } };
    const [web] = composeContainers(doc) as ComposeContainer[];
    expect(web.image).toBe('ghcr.io/acme/app:${APP_VERSION}');
    expect(web.env).toEqual({ LOG_LEVEL: 'info' });
    expect(web.unresolved).toEqual({ 'image': ['APP_VERSION'], 'command[1]': ['DEPLOY_ENV'], 'command[2]': ['A'] });
    // The parsed document is not changed (positions are looked up in it).
    expect(doc.services.web.environment.LOG_LEVEL).toBe('${LOG_LEVEL:-info}');
  });

  test.each([
    ['a$$b', 'a$b', []],
    ['${A:-x}', 'x', []],
    ['${A-x}', 'x', []],
    ['${A:-}', '', []],
    ['${A-${B:-y}}z', 'yz', []],
    ['${A:+z}w', 'w', []],
    ['${A+z}w', 'w', []],
    ['${A}', '${A}', ['A']],
    ['${A:?need it}', '${A:?need it}', ['A']],
    ['${A?need it}', '${A?need it}', ['A']],
    ['$A/$B_C', '$A/$B_C', ['A', 'B_C']],
    ['$$A', '$A', []],
    ['${A', '${A', []],
    ['${A:-x', '${A:-x', []],
    ['${}', '${}', []],
    ['x$', 'x$', []],
    ['$1', '$1', []],
  ])('%s → %s', (text, value, unresolved) => {
    expect(interpolateCompose(text)).toEqual({ value, unresolved });
  });

  test('interpolation and splitting are linear (hostile input)', () => {
    const started = Date.now();
    interpolateCompose('${A:-'.repeat(200_000));
    interpolateCompose('$$'.repeat(500_000));
    interpolateCompose('${A:-x}'.repeat(200_000));
    splitShellWords('"a\\'.repeat(300_000));
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('shell words: quotes and escapes', () => {
    expect(splitShellWords('a "b c" \'d e\' f\\ g "h\\"i"  ')).toEqual(['a', 'b c', 'd e', 'f g', 'h"i']);
  });
});

test('the stock ingress-nginx admission Job args are no secret (--secret-name names a Secret)', () => {
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'ingress-nginx-admission-create', namespace: 'ingress-nginx' },
    spec: {
      template: {
        spec: {
          restartPolicy: 'OnFailure',
          containers: [{
            name: 'create',
            image: 'registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.1',
            args: ['create', '--host=ingress-nginx-controller-admission,ingress-nginx-controller-admission.$(POD_NAMESPACE).svc', '--namespace=$(POD_NAMESPACE)', '--secret-name=ingress-nginx-admission'],
          }],
        },
      },
    },
  };
  expect(findings(stringify(job), 'no-literal-secrets-in-env')).toEqual([]);
  const leaky = { ...job, spec: { template: { spec: { ...job.spec.template.spec, containers: [{ ...job.spec.template.spec.containers[0], args: ['--secret=s3cr3tvalue'] }] } } } };
  expect(findings(stringify(leaky), 'no-literal-secrets-in-env')).toEqual(['ingress-nginx-admission-create spec.template.spec.containers[0].args[0] 14:15: args[0] holds a password flag with a value']);
});

test('many variables in one value, and keys named like Object.prototype members, stay linear and safe', () => {
  const many = Array.from({ length: 50_000 }, (_, i) => `$V${i}`).join('');
  const started = Date.now();
  const [c] = composeContainers({ services: { web: { 'image': 'nginx:1.27', 'command': [many], 'x-meta': { hasOwnProperty: '$A', __proto__: '$B' } } as any } }) as ComposeContainer[];
  expect(Date.now() - started).toBeLessThan(3000);
  expect(c.unresolved?.['command[0]']).toHaveLength(50_000);
  expect(c.unresolved?.['x-meta.hasOwnProperty']).toEqual(['A']);
});
