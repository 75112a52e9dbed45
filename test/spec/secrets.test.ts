import { isSecretFileReference, looksLikeCredentialUrl, looksLikeSecretName, secretValueKind } from '../../src/spec/secrets';

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
