/**
 * What `init` must never copy into generated code: secret-looking values by their shape (private
 * keys, URLs with a password, known token formats) and credentials passed as command-line flags.
 * A thin layer over src/spec/secrets.ts; every scan here is linear in the input (token splits,
 * anchored patterns over one bounded token, the WHATWG URL parser).
 */
import { looksLikePrivateKey, looksLikeSecretName } from '../spec/secrets';

/** Known token formats, each tested against one whitespace-free token (anchored, no nested quantifiers). */
const TOKEN_SHAPES: readonly [string, RegExp][] = [
  ['a GitHub token', /^(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})$/],
  ['an AWS access key id', /^(AKIA|ASIA)[A-Z0-9]{16}$/],
  ['a Slack token', /^xox[abposr]-[A-Za-z0-9-]{10,}$/],
  ['a Stripe key', /^(sk|rk|pk)_(live|test)_[A-Za-z0-9]{10,}$/],
  ['a Google API key', /^AIza[0-9A-Za-z_-]{35}$/],
  ['a JSON Web Token', /^eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*$/],
];

/** Longest token tested against the shapes (longer ones are not tokens of these formats). */
const MAX_TOKEN = 4096;

/** Split on whitespace, quotes and separators; linear. */
export function tokens(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const ch of value) {
    if (/[\s"'`,;=()<>[\]{}]/.test(ch)) {
      if (cur) out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** Each `scheme://…` substring of a value, up to the next separator (linear). */
export function urlCandidates(value: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (;;) {
    const i = value.indexOf('://', from);
    if (i < 0) break;
    let s = i;
    while (s > 0 && /[A-Za-z0-9+.-]/.test(value[s - 1])) s--;
    let e = i + 3;
    while (e < value.length && !/[\s"'`,;<>()]/.test(value[e])) e++;
    if (s < i) out.push(value.slice(s, e));
    from = e > i + 3 ? e : i + 3;
  }
  return out;
}

/** Placeholders that are not a password: Kubernetes `$(VAR)`, shell `${VAR}` / `$VAR`, masks. */
function placeholder(p: string): boolean {
  return /^(\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\*+)$/.test(decodeSafe(p));
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A parsed URL, or undefined (never throws). */
export function parseUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

/** True when the value holds a URL with a password (`redis://:pw@cache`, `postgres://u:pw@db/x`). */
export function hasCredentialUrl(value: string): boolean {
  return urlCandidates(value).some((u) => {
    const url = parseUrl(u);
    return !!url && url.password !== '' && !placeholder(url.password);
  });
}

/** Why a literal value is a secret whatever its name, or undefined. */
export function secretShape(value: string): string | undefined {
  if (looksLikePrivateKey(value)) return 'a private key';
  if (hasCredentialUrl(value)) return 'a URL with a password';
  for (const t of tokens(value)) {
    if (t.length > MAX_TOKEN) continue;
    for (const [what, re] of TOKEN_SHAPES) if (re.test(t)) return what;
  }
  return undefined;
}

/** True when an environment variable must become a Secret reference. */
export function isSecretEnv(name: string, value: string | undefined): boolean {
  return looksLikeSecretName(name) || (value !== undefined && secretShape(value) !== undefined);
}

/** Flags whose value is a credential. */
const CREDENTIAL_FLAGS = /^--?(password|passwd|pass|pwd|requirepass|masterauth|token|api-?key|secret|client-secret|access-key|secret-key|auth|auth-token)$/i;

/** One argument holding a credential: its index and how the value sits in it. */
export interface CredentialArg {
  readonly index: number;
  /** `--password=x` keeps `--password=` and replaces the rest; a separate value replaces the word. */
  readonly prefix: string;
}

/**
 * Arguments of a command line that carry credentials: `--password=x`, `--password x`, `-px`
 * (MySQL style, a short flag glued to its value), and any word whose shape is a secret.
 */
export function credentialArgs(words: readonly string[]): CredentialArg[] {
  const out: CredentialArg[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const eq = w.indexOf('=');
    if (w.startsWith('-') && eq > 0 && (CREDENTIAL_FLAGS.test(w.slice(0, eq)) || looksLikeSecretName(w.slice(0, eq).replace(/^-+/, '')))) {
      if (eq < w.length - 1 && !placeholder(w.slice(eq + 1))) out.push({ index: i, prefix: w.slice(0, eq + 1) });
      continue;
    }
    if (CREDENTIAL_FLAGS.test(w) && i + 1 < words.length && !words[i + 1].startsWith('-')) {
      if (!placeholder(words[i + 1])) out.push({ index: i + 1, prefix: '' });
      i++;
      continue;
    }
    // `-p<password>` (mysql and friends); not `-p8080` (a port) or an all-letters flag like `-print`.
    if (/^-p[^\s-]/.test(w) && !/^-p[a-z]+$/.test(w) && !/^-p[0-9:.]+$/.test(w) && !placeholder(w.slice(2))) {
      out.push({ index: i, prefix: '-p' });
      continue;
    }
    if (secretShape(w)) out.push({ index: i, prefix: '' });
  }
  return out;
}

/** Text safe to quote in a report: secret-shaped values are replaced by what they are. */
export function redact(text: string): string {
  if (!secretShape(text) && !hasCredentialUrl(text)) return text;
  let out = text;
  for (const u of urlCandidates(text)) {
    const url = parseUrl(u);
    if (url && (url.password || url.username)) {
      url.username = url.username ? '***' : '';
      url.password = url.password ? '***' : '';
      out = out.split(u).join(url.toString());
    }
  }
  for (const t of tokens(out)) if (t.length <= MAX_TOKEN && TOKEN_SHAPES.some(([, re]) => re.test(t))) out = out.split(t).join('<redacted>');
  if (looksLikePrivateKey(out)) return '<redacted: a private key>';
  return out;
}
