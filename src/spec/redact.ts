/**
 * One place that knows what a secret looks like in free text, and the one redaction every message
 * that quotes user input goes through (`HardeningError` applies it to everything it prints).
 *
 * Every scan here is linear in the input: text is cut into tokens by a single character class,
 * each token is tested with anchored patterns that have no nested quantifiers, and URLs are
 * scanned by hand. A 1 MiB value costs one pass, not one pass per starting position.
 */
import { canonicalSecretName, isSecretReference, looksLikeSecretAssignmentName } from './secrets';

/** What was found (never the value itself). */
export type SecretShape =
  | 'a private key'
  | 'a URL with a password'
  | 'user:password credentials'
  | 'a password flag with a value'
  | 'a secret-named assignment'
  | 'an Authorization header value'
  | 'a GitHub token'
  | 'an AWS access key id'
  | 'a Slack token'
  | 'a Stripe secret key'
  | 'a JSON Web Token';

/** The placeholder that replaces a secret in messages. */
export const REDACTED = '***';

/** Characters that end a token (quotes, brackets, separators of shell and YAML/JSON text). */
const TOKEN = /[^\s"'`,;()<>[\]{}|&\\]+/g;

/** Flags whose value (`--flag=value` or `--flag value`) is a credential (canonical names: see `canonicalSecretName`). */
const PASSWORD_FLAGS = new Set([
  'password', 'passwd', 'pass', 'pwd', 'token', 'api-key', 'apikey', 'secret', 'client-secret',
  'access-key', 'secret-key', 'auth-token', 'private-key', 'requirepass', 'masterauth', 'db-password',
  'dbpass', 'key-password', 'keystore-password', 'storepass', 'keypass', 'sasl-password', 'bearer', 'oauth-token',
]);
/**
 * Last words of flags whose `user:password` value is a credential (`--basic_auth=admin:pw`,
 * Flower's documented flag; `--auth`, `--http-auth`, `--proxy-auth`, `--credentials`, `--creds`,
 * `--userpass`, `--user-pass`, `--login`, `--user`, `-u`): canonical names, last word only, so
 * `--auth-mode` or `--auth-server` are not credential flags. Their value counts only when it has
 * the `user:password` shape, so `--auth=oauth2` is no credential.
 */
const CREDENTIAL_FLAG_WORDS = new Set(['auth', 'basicauth', 'httpauth', 'credentials', 'credential', 'creds', 'cred', 'userpass', 'login', 'user', 'u']);
/** Two-word credential flags whose last word alone is too generic. */
const CREDENTIAL_FLAGS = new Set(['user-pass', 'user-password', 'username-password']);
/** `user:password`: the user without `/` or `@`, the password not starting with `/` (not a URL). */
const USER_PASSWORD = /^[^:/@\s]+:[^\s/][^\s]*$/;
/** Clients whose `-p<password>` (no space) is the password (mysql style). */
const MYSQL_CLIENTS = /^(mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlpump|mysqlsh|mysqlslap|mariadb|mariadb-dump|mariadb-admin|mariadb-import|mariadb-check)$/;

/** Anchored token shapes (each a single bounded or unambiguous quantifier: linear). */
const TOKEN_SHAPES: [RegExp, SecretShape][] = [
  [/^gh[pousr]_[A-Za-z0-9]{30,}$/, 'a GitHub token'],
  [/^github_pat_[A-Za-z0-9_]{20,}$/, 'a GitHub token'],
  [/^(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}$/, 'an AWS access key id'],
  [/^xox[abposr]-[A-Za-z0-9-]{10,}$/, 'a Slack token'],
  [/^xapp-[0-9]-[A-Za-z0-9-]{10,}$/, 'a Slack token'],
  [/^(sk|rk)_(live|test)_[A-Za-z0-9]{16,}$/, 'a Stripe secret key'],
  [/^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*$/, 'a JSON Web Token'],
];

const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----/;

/** Values that stand for a secret without being one: `$(VAR)`, `${VAR}`, `$VAR`, `%s`, masks, `<…>`. */
export function isPlaceholder(value: string): boolean {
  return value === '' || /^[$%*<]/.test(value) || /^(x+|\*+|\.\.\.|…|changeme|redacted|none|null|true|false)$/i.test(value);
}

/** `redactOnly`: masked in messages, but too ambiguous to refuse a value for (`a:b@c` in a query). */
interface Hit { start: number; end: number; shape: SecretShape; redactOnly?: boolean }

/**
 * Userinfo with a password in URLs (`scheme://user:pass@host`) and bare `user:pass@host`.
 * Hand-written scan: each character is looked at a bounded number of times.
 */
function scanUserinfo(text: string, hits: Hit[]): void {
  let from = 0;
  for (;;) {
    const at = text.indexOf('@', from);
    if (at < 0) return;
    // Walk back over the userinfo (stops at whitespace, '/', quotes, or another '@').
    let i = at - 1;
    let colon = -1;
    while (i >= from && !/[\s/?#@"'`<>()[\]{},;|\\]/.test(text[i])) {
      if (text[i] === ':') colon = i;
      i--;
    }
    const start = i + 1;
    if (colon > start - 1 && colon < at - 1) {
      const password = text.slice(colon + 1, at);
      // After `scheme://` or standalone; `image:tag@sha256:…` is a tag, not a password.
      const isDigest = text.startsWith('sha256:', at + 1) || text.startsWith('sha512:', at + 1);
      const url = start >= 3 && text.startsWith('://', start - 3);
      if (!isDigest && !isPlaceholder(password)) hits.push({ start, end: at, shape: url ? 'a URL with a password' : 'user:password credentials', redactOnly: !url });
    }
    from = at + 1;
  }
}

function shapeOf(sub: string): SecretShape | undefined {
  if (sub.length < 10) return undefined;
  for (const [re, shape] of TOKEN_SHAPES) if (re.test(sub)) return shape;
  return undefined;
}

/** The canonical name of a command-line flag (`--Basic_Auth` → `basic-auth`), or undefined. */
function flagName(s: string): string | undefined {
  const m = /^--?([A-Za-z][A-Za-z0-9_.-]*)$/.exec(s);
  return m ? canonicalSecretName(m[1]) : undefined;
}

/** A flag whose name says its value is a login (see CREDENTIAL_FLAG_WORDS). */
function isCredentialFlag(flag: string): boolean {
  return CREDENTIAL_FLAGS.has(flag) || CREDENTIAL_FLAG_WORDS.has(flag.slice(flag.lastIndexOf('-') + 1));
}

/**
 * Where the password of a `user:password` value after a credential flag starts (offset in the
 * value), or -1. `1000:1000` after `--user`/`-u` (or any `--…-user`) is a uid:gid (`docker run
 * --user`, podman), not a login.
 */
function credentialPassword(flag: string, value: string): number {
  if (!USER_PASSWORD.test(value)) return -1;
  const colon = value.indexOf(':');
  const password = value.slice(colon + 1);
  if (isPlaceholder(password)) return -1;
  if ((flag === 'u' || /(^|-)user$/.test(flag)) && /^[0-9]+:[0-9]+$/.test(value)) return -1;
  return colon + 1;
}

/** All secrets in `text`, as spans. Linear time. */
function scan(text: string): Hit[] {
  const hits: Hit[] = [];
  if (typeof text !== 'string' || text.length === 0) return hits;
  const pk = PRIVATE_KEY.exec(text);
  if (pk) {
    const end = text.indexOf('-----END', pk.index + pk[0].length);
    hits.push({ start: pk.index, end: end < 0 ? text.length : end, shape: 'a private key' });
  }
  scanUserinfo(text, hits);
  let prev: { flag?: string; bearer?: boolean; credential?: string } = {};
  let mysql = false;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    const tok = m[0];
    const start = m.index;
    const next: typeof prev = {};
    const base = tok.slice(tok.lastIndexOf('/') + 1);
    if (MYSQL_CLIENTS.test(base)) mysql = true;
    if (prev.flag && !tok.startsWith('-') && !isPlaceholder(tok)) {
      hits.push({ start, end: start + tok.length, shape: 'a password flag with a value' });
    } else if (prev.bearer && tok.length >= 8 && !isPlaceholder(tok)) {
      hits.push({ start, end: start + tok.length, shape: 'an Authorization header value' });
    } else if (prev.credential !== undefined) {
      const at = credentialPassword(prev.credential, tok);
      if (at >= 0) hits.push({ start: start + at, end: start + tok.length, shape: 'user:password credentials' });
    }
    const eq = tok.indexOf('=');
    if (eq > 0) {
      const name = tok.slice(0, eq);
      const value = tok.slice(eq + 1);
      const flag = flagName(name);
      const bare = name.replace(/^-+/, '');
      // `--secret-name=tls`, `TLS_SECRET_NAME=tls`, `--password-file=/run/secrets/db`: a reference.
      // Token formats in the value are still found below.
      if (!isPlaceholder(value) && !isSecretReference(bare, value)) {
        const at = flag && isCredentialFlag(flag) ? credentialPassword(flag, value) : -1;
        if (flag && PASSWORD_FLAGS.has(flag)) {hits.push({ start: start + eq + 1, end: start + tok.length, shape: 'a password flag with a value' });} else if (at >= 0) {
          hits.push({ start: start + eq + 1 + at, end: start + tok.length, shape: 'user:password credentials' });
        } else if (looksLikeSecretAssignmentName(bare)) {hits.push({ start: start + eq + 1, end: start + tok.length, shape: 'a secret-named assignment' });}
      }
    } else {
      const flag = flagName(tok);
      if (flag && PASSWORD_FLAGS.has(flag)) next.flag = flag;
      if (flag && isCredentialFlag(flag)) next.credential = flag;
      if (/^(bearer|basic|token)$/i.test(tok)) next.bearer = true;
      if (mysql && /^-p[^=]/.test(tok) && !isPlaceholder(tok.slice(2)) && !/^-p(ort|rotocol|ipe)/.test(tok)) {
        hits.push({ start: start + 2, end: start + tok.length, shape: 'a password flag with a value' });
      }
    }
    // Known token formats, alone or after `name=` / `name:`.
    let s = 0;
    for (let j = 0; j <= tok.length; j++) {
      if (j === tok.length || tok[j] === '=' || tok[j] === ':') {
        const shape = shapeOf(tok.slice(s, j));
        if (shape) hits.push({ start: start + s, end: start + j, shape });
        s = j + 1;
      }
    }
    prev = next;
  }
  return hits;
}

/**
 * Answers for short texts, which repeat across the props of every workload of a platform (keys,
 * ports, paths, preset names). Bounded: emptied when full. Only the shape is kept, never a span.
 */
const shapes = new Map<string, SecretShape | null>();
const MEMO_TEXT = 256;
const MEMO_ENTRIES = 20_000;

/** What makes this text secret, or undefined. Linear time; never returns the value. */
export function findSecret(text: string): SecretShape | undefined {
  if (typeof text !== 'string' || text.length > MEMO_TEXT) return scan(text).find((h) => !h.redactOnly)?.shape;
  const known = shapes.get(text);
  if (known !== undefined) return known ?? undefined;
  const shape = scan(text).find((h) => !h.redactOnly)?.shape;
  if (shapes.size >= MEMO_ENTRIES) shapes.clear();
  shapes.set(text, shape ?? null);
  return shape;
}

/**
 * A secret anywhere in an argument vector (command, args, exec probe, script of `sh -c`), with
 * the index of the element it is in. Elements are scanned together so `--password` `value`
 * pairs and `mysql … -pSECRET` are seen.
 */
export function findSecretInArgv(argv: readonly unknown[]): { index: number; shape: SecretShape } | undefined {
  if (!Array.isArray(argv)) return undefined;
  const parts = argv.map((a) => (typeof a === 'string' ? a : ''));
  const text = parts.join('\n');
  const hits = scan(text).filter((h) => !h.redactOnly);
  if (!hits.length) return undefined;
  let offset = 0;
  for (let i = 0; i < parts.length; i++) {
    if (hits[0].start < offset + parts[i].length + 1) return { index: i, shape: hits[0].shape };
    offset += parts[i].length + 1;
  }
  return { index: parts.length - 1, shape: hits[0].shape };
}

/** Replace every secret found in `text` by `***`. Linear time. */
export function redact(text: string): string {
  if (typeof text !== 'string') return text;
  const hits = scan(text).sort((a, b) => a.start - b.start);
  if (!hits.length) return text;
  let out = '';
  let pos = 0;
  for (const h of hits) {
    if (h.end <= pos) continue;
    out += text.slice(pos, Math.max(pos, h.start)) + REDACTED;
    pos = h.end;
  }
  return out + text.slice(pos);
}

/**
 * Escape characters a terminal or a log would interpret: C0/C1 controls (ANSI escapes, `\r`,
 * newlines inside a quoted value), and bidi/format characters that reorder or hide text.
 */
export function escapeControl(text: string, keepNewlines = false): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g, (c) => {
    if (keepNewlines && c === '\n') return c;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Longest quoted value in a message; the rest is elided with its length. */
export const MAX_QUOTED = 80;

/**
 * Show a user value in a message: redacted, control characters escaped, long values cut, and
 * values JSON cannot show (NaN, Infinity, undefined, functions, symbols, bigints) named as such.
 */
export function quote(value: unknown, max = MAX_QUOTED): string {
  let s: string;
  if (typeof value === 'number') {s = Number.isNaN(value) ? 'NaN' : String(value);} else if (typeof value === 'undefined') {s = 'undefined';} else if (typeof value === 'bigint') {s = `${value}n`;} else if (typeof value === 'function') {s = 'a function';} else if (typeof value === 'symbol') {s = 'a symbol';} else if (typeof value === 'string') {
    const r = redact(value);
    s = JSON.stringify(r.length > 4 * max ? r.slice(0, 4 * max) : r);
  } else {
    try {
      s = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) ?? String(value);
    } catch {
      s = Array.isArray(value) ? 'a list' : 'an object';
    }
    s = redact(s);
  }
  s = escapeControl(s);
  if (s.length > max) {
    const len = typeof value === 'string' ? value.length : s.length;
    s = `${s.slice(0, max)}… (${len} characters)`;
  }
  return s;
}
