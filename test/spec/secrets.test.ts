import { findSecretInArgv, redact } from '../../src/spec/redact';
import { isSecretFileReference, isSecretReference, looksLikeCredentialUrl, looksLikeSecretName, secretValueKind } from '../../src/spec/secrets';

describe('looksLikeCredentialUrl', () => {
  test.each([
    'postgres://shop:hunter2@db:5432/shop',
    'redis://:s3cret@cache:6379/0',
    'amqp://guest:guest@rabbitmq:5672/',
    'mongodb+srv://app:p%40ss@cluster0.example.net/orders?retryWrites=true',
    'jdbc:mysql://app:pw@db/app',
  ])('flags %s', (url) => {
    expect(looksLikeCredentialUrl(url)).toBe(true);
    expect(secretValueKind(url)).toBe('a URL with a password');
  });

  test.each([
    'postgres://shop:$(DB_PASSWORD)@db:5432/shop',
    'postgres://shop:${DB_PASSWORD}@db:5432/shop',
    'postgres://shop:****@db:5432/shop',
    'postgres://shop@db:5432/shop',
    'https://api.example.com:8443/v1',
    'https://example.com/path?next=a:b@c',
    'user:pass@host',
    'info',
  ])('does not flag %s', (value) => {
    expect(looksLikeCredentialUrl(value)).toBe(false);
    expect(secretValueKind(value)).toBeUndefined();
  });
});

test('a private key is a secret value whatever its name', () => {
  expect(secretValueKind('-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl…')).toBe('a private key');
  expect(secretValueKind('-----BEGIN CERTIFICATE-----\nMIIB…')).toBeUndefined();
});

test('secret-looking names, and *_FILE paths that are not secrets', () => {
  for (const n of ['DB_PASSWORD', 'api_key', 'GITHUB_TOKEN', 'CLIENT_SECRET', 'AWS_SECRET_ACCESS_KEY', 'SENTRY_DSN']) expect(looksLikeSecretName(n)).toBe(true);
  for (const n of ['LOG_LEVEL', 'PORT', 'KEYCLOAK_REALM_NAME', 'MONKEY_MODE']) expect(looksLikeSecretName(n)).toBe(false);
  expect(isSecretFileReference('DB_PASSWORD_FILE', '/run/secrets/db/password')).toBe(true);
  expect(isSecretFileReference('DB_PASSWORD_FILE', 'hunter2')).toBe(false);
});

describe('findSecretInArgv: credential flags (user:password after a flag that says it carries a login)', () => {
  test.each<[string[], number]>([
    [['--basic_auth=admin:hunter2'], 0],
    [['--basic-auth=admin:hunter2'], 0],
    [['--BASIC_AUTH=admin:hunter2'], 0],
    [['--basicAuth=admin:hunter2'], 0],
    [['--auth=admin:hunter2'], 0],
    [['--http-auth=admin:hunter2'], 0],
    [['--proxy-auth', 'admin:hunter2'], 1],
    [['--credentials=svc:hunter2'], 0],
    [['--creds', 'svc:hunter2'], 1],
    [['--userpass=admin:hunter2'], 0],
    [['--user-pass=admin:hunter2'], 0],
    [['--login=admin:hunter2'], 0],
    [['--user=admin:pw'], 0],
    [['--user', 'admin:pw'], 1],
    [['-u', 'admin:hunter2'], 1],
    [['--basic_auth', 'admin:hunter2'], 1],
    [['celery', '-A', 'config', 'flower', '--port=5555', '--basic_auth=admin:hunter2'], 5],
    [['flower', '--basic_auth=alice:pw1,bob:pw2'], 1],
    [['curl', '--proxy-user', 'bob:s3cret', 'https://example.com'], 2],
  ])('%j is a credential (element %i)', (argv, index) => {
    expect(findSecretInArgv(argv)).toEqual({ index, shape: 'user:password credentials' });
  });

  test.each<[string[]]>([
    [['--auth=oauth2']],
    [['--auth-mode=token']],
    [['--auth', 'none']],
    [['--auth-server=keycloak:8080']],
    [['--login-url=https://sso.example.com/login']],
    [['--user=postgres']],
    [['--user', '10001:10001']],
    [['-u', '1000:1000']],
    [['--run-as-user=10001:10001']],
    [['--auth=admin:${ADMIN_PASSWORD}']],
    [['--basic_auth=admin:$(FLOWER_PASSWORD)']],
    [['--auth', 'http://proxy:3128']],
    [['--creds-file=/run/secrets/creds']],
  ])('%j is not a credential', (argv) => {
    expect(findSecretInArgv(argv)).toBeUndefined();
  });

  test('the password is redacted from messages, the user stays', () => {
    expect(redact('flower --basic_auth=admin:hunter2 --port=5555')).toBe('flower --basic_auth=admin:*** --port=5555');
    expect(redact('--auth admin:hunter2')).toBe('--auth admin:***');
  });
});

describe('findSecretInArgv: flags that name a secret carry a reference, not a value', () => {
  test.each<[string[]]>([
    [['--secret-name=ingress-nginx-admission']],
    [['/kube-webhook-certgen', 'create', '--host=ingress-nginx-controller-admission,ingress-nginx-controller-admission.$(POD_NAMESPACE).svc', '--namespace=$(POD_NAMESPACE)', '--secret-name=ingress-nginx-admission']],
    [['--secret-name=my-tls']],
    [['--tls-secret-name=foo']],
    [['--secret-file=/run/secrets/x']],
    [['--password-file=/run/secrets/db/password']],
    [['--token-path=/var/run/secrets/tokens/vault']],
    [['--secret-dir=/run/secrets']],
    [['--secret-namespace=cert-manager']],
    [['--secret-ref=shop/tls']],
    [['--client-secret-id=shop-api']],
    [['--token-url=https://auth.example.com/oauth/token']],
    [['--secretName=my-tls']],
    [['--SECRET_NAME=my-tls']],
    [['TLS_SECRET_NAME=shop-tls', 'app']],
  ])('%j is fine', (argv) => {
    expect(findSecretInArgv(argv)).toBeUndefined();
  });

  test.each<[string[], string]>([
    [['--secret=s3cr3tvalue'], 'a password flag with a value'],
    [['--client-secret=abc123def'], 'a password flag with a value'],
    [['--client_secret=abc123def'], 'a password flag with a value'],
    [['--clientSecret=abc123def'], 'a password flag with a value'],
    [['--secret', 's3cr3tvalue'], 'a password flag with a value'],
    [['--api_key=abc123def'], 'a password flag with a value'],
    [['--secret-name=ghp_0123456789abcdefghijklmnopqrstuvwxyz'], 'a GitHub token'],
    [['--secret-name=https://admin:hunter2@vault.example.com/x'], 'a URL with a password'],
    [['--db-secret=abc123def'], 'a secret-named assignment'],
  ])('%j is refused as %s', (argv, shape) => {
    expect(findSecretInArgv(argv)?.shape).toBe(shape);
  });

  test('the same reference test decides env names and flags', () => {
    for (const [name, value] of [['TLS_SECRET_NAME', 'shop-tls'], ['--secret-name', 'ingress-nginx-admission'], ['DB_SECRET_REF', 'projects/acme/secrets/db/versions/latest'], ['DB_PASSWORD_FILE', '/run/secrets/db']]) {
      expect(isSecretReference(name, value)).toBe(true);
    }
    for (const [name, value] of [['DB_SECRET', 'shop-tls'], ['--secret', 'x'], ['TLS_SECRET_NAME', 'correct horse battery staple'], ['API_KEY', 'abc']]) {
      expect(isSecretReference(name, value)).toBe(false);
    }
  });
});
