/**
 * What "looks like a secret". Shared by the spec layer (refuses literal values at resolve time)
 * and by the rule catalogue (flags them in synthesized or audited objects).
 */
import { findSecret, SecretShape } from './redact';

/** Name fragments that mark a secret, matched case-insensitively anywhere in the name. */
const SECRET_SUBSTRINGS = /(passw(or)?d|passwd|secret|token|bearer|credential|private[_-]?key|api[_-]?key|access[_-]?key|secret[_-]?key|auth[_-]?key|client[_-]?secret)/i;
/** Whole words (split on `_`, `-`, `.`) that mark a secret. */
const SECRET_WORDS = new Set(['pwd', 'pass', 'key', 'apikey', 'passphrase', 'credentials', 'creds', 'dsn']);
/** Known cloud credential variables (Polaris's list). */
const SECRET_EXACT = /^(AWS_SECRET_ACCESS_KEY|GOOGLE_APPLICATION_CREDENTIALS|AZURE_.+KEY|OCI_CLI_KEY_CONTENT)$/i;

/** True when an environment variable (or ConfigMap key) name looks like it holds a secret. */
export function looksLikeSecretName(raw: string): boolean {
  if (typeof raw !== 'string') return false;
  // Canonical form first: fullwidth or compatibility letters must not spell around the check.
  const name = raw.normalize('NFKC');
  if (SECRET_EXACT.test(name) || SECRET_SUBSTRINGS.test(name)) return true;
  return name.split(/[_.\-]+/).some((w) => SECRET_WORDS.has(w.toLowerCase()));
}

/**
 * The stricter test for the name in a `NAME=value` found inside free text (commands, values):
 * the generic words `key` and `dsn` alone do not count there (`-Dcache.key=users` is no secret).
 */
export function looksLikeSecretAssignmentName(raw: string): boolean {
  if (typeof raw !== 'string') return false;
  const name = raw.normalize('NFKC');
  if (SECRET_EXACT.test(name) || SECRET_SUBSTRINGS.test(name)) return true;
  return name.split(/[_.\-]+/).map((w) => w.toLowerCase()).some((w) => w !== 'key' && w !== 'dsn' && SECRET_WORDS.has(w));
}

const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/;

/**
 * `*_FILE=/abs/path` (the Docker-image convention for secrets mounted as files) names a path, not a
 * secret: it is not a literal secret even when the name says PASSWORD.
 */
export function isSecretFileReference(name: string, value: string): boolean {
  return /_FILE$/i.test(name) && /^\/[^\s]*$/.test(value);
}

/**
 * The canonical form of a variable or flag name: leading dashes dropped, camelCase split, lower
 * case, and every run of `_`, `.`, `-` one `-` (`--basic_auth`, `--basicAuth`, `BASIC_AUTH` are
 * all `basic-auth`). Linear time. @internal
 */
export function canonicalSecretName(raw: string): string {
  if (typeof raw !== 'string') return '';
  return raw.normalize('NFKC').replace(/^-+/, '').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().replace(/[_.-]+/g, '-');
}

/**
 * Last words of a name that make it hold a reference to a secret (the name of a Kubernetes Secret,
 * a path, a file, an ARN, a vault id…), not the secret itself: `TLS_SECRET_NAME`,
 * `--secret-name`, `--secret-file`, `DB_SECRET_REF`, `--tls-secret-namespace`, `VAULT_SECRET_ID`.
 * An allow-list: a word is added here only when it never names the secret value itself.
 */
const REFERENCE_WORDS = new Set([
  'name', 'names', 'ref', 'refs', 'reference', 'keyref', 'file', 'files', 'path', 'paths', 'dir', 'dirs', 'directory',
  'namespace', 'id', 'ids', 'arn', 'uri', 'url', 'endpoint', 'mount', 'version', 'project', 'resource', 'type',
]);
/**
 * What a reference looks like: a name, path, ARN, URL or resource id; no whitespace. Credential
 * shapes inside it (a URL with a password, a known token format) are caught separately, first.
 */
const REFERENCE_VALUE = /^[A-Za-z0-9/.~][A-Za-z0-9._:/@+=~-]{0,4095}$/;

/** True when a name's last word says it holds a reference to a secret (see REFERENCE_WORDS). @internal */
export function isReferenceName(name: string): boolean {
  const canonical = canonicalSecretName(name);
  return REFERENCE_WORDS.has(canonical.slice(canonical.lastIndexOf('-') + 1));
}

/**
 * `NAME=value` where NAME ends with a reference word (`TLS_SECRET_NAME=shop-tls`,
 * `--secret-name=ingress-nginx-admission`, `DB_PASSWORD_FILE=/run/secrets/db`) and the value
 * looks like a name, path or id: a reference to a secret, not a literal one. Callers test the value
 * for secret shapes (`secretValueKind`) before this. The one place env rules and argument scans
 * decide it. @internal
 */
export function isSecretReference(name: string, value: string): boolean {
  return typeof value === 'string' && isReferenceName(name) && REFERENCE_VALUE.test(value);
}

/**
 * A literal env value under a secret-looking name. Names that hold the *name* (path, ARN, id…) of
 * a secret (`TLS_SECRET_NAME`, `DB_PASSWORD_FILE`) are references, and an empty value is no
 * secret. Value shapes (`secretValueKind`) are checked before this. The one test of the spec step
 * and the env rules. @internal
 */
export function literalSecretEnv(name: string, value: string): boolean {
  return looksLikeSecretName(name) && value !== '' && !isSecretFileReference(name, value) && !isSecretReference(name, value);
}

/** The narrower name pattern Polaris's sensitiveContainerEnvVar check uses. */
export function polarisSensitiveName(name: string): boolean {
  return /password|token|bearer|secret/i.test(name) || SECRET_EXACT.test(name);
}

/** True when a value looks like a PEM private key (or an SSH/PGP private key block). */
export function looksLikePrivateKey(value: string): boolean {
  return PRIVATE_KEY.test(value);
}

/**
 * True when a value is a URL carrying a password (database DSNs, broker URLs): a secret whatever
 * the variable is called. `postgres://app:$(DB_PASSWORD)@db/app`, where DB_PASSWORD comes from a
 * Secret, is the way to build such a URL, and is not flagged. Linear time.
 */
export function looksLikeCredentialUrl(value: string): boolean {
  return findSecret(value) === 'a URL with a password';
}

/**
 * What makes a literal value secret regardless of its name (a private key, a URL with a password,
 * a known token format, a password flag with its value, a secret-named assignment), or undefined
 * when nothing does. Linear time; the value itself is never part of the answer.
 */
export function secretValueKind(value: string): SecretShape | undefined {
  if (typeof value !== 'string') return undefined;
  return findSecret(value);
}

/** A reference to one key of a Kubernetes Secret (or, on Docker, a secret file the user provides). */
export interface SecretKeyReference {
  /** Name of the Secret object. It is never created by this library: secrets are only referenced. */
  readonly name: string;
  /** Key inside the Secret. */
  readonly key: string;
  /**
   * Do not fail pod start when the Secret or key is missing.
   * @default false
   */
  readonly optional?: boolean;
}
