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
