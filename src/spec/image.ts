import { Refuser } from './errors';
import { quote } from './redact';

/** A parsed, normalized container image reference. */
export interface ImageReference {
  /** Registry host (with port), e.g. `docker.io`, `ghcr.io`, `registry.local:5000`. */
  readonly registry: string;
  /** Repository path inside the registry, e.g. `library/postgres`. */
  readonly repository: string;
  /** Tag, when given. */
  readonly tag?: string;
  /** Digest (`sha256:…`), when given. */
  readonly digest?: string;
  /** Fully qualified reference: `registry/repository[:tag][@digest]`. This is what gets emitted. */
  readonly normalized: string;
  /** A label-safe version string derived from the tag (or the digest's first 12 hex digits). */
  readonly version: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?$/;

/** Parse an image reference without judging it; returns undefined when it is not a valid reference. */
export function parseImageReference(ref: string): Omit<ImageReference, 'version'> & { version?: string } | undefined {
  if (typeof ref !== 'string' || ref.length === 0 || ref.length > 512 || /\s/.test(ref)) return undefined;
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) {
    registry = parts.shift()!;
    if (!HOST.test(registry)) return undefined;
  }
  if (parts.length === 0 || !parts.every((p) => COMPONENT.test(p))) return undefined;
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  const repository = parts.join('/');
  const normalized = `${registry}/${repository}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  return { registry, repository, tag, digest, normalized };
}

/** Label values: at most 63 characters, alphanumeric at both ends, `-_.` inside. */
export function toLabelValue(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63);
  return cleaned.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
}

/**
 * Validate and normalize an image reference: a tag other than `latest`, or a digest (preferred).
 * @internal
 */
export function resolveImage(ref: unknown, field: string, refuser: Refuser): ImageReference {
  if (typeof ref !== 'string' || ref.trim() === '') {
    refuser.refuse('image-tag-pinned', field, 'an image reference is required.', "give an image pinned by tag or digest, e.g. 'ghcr.io/acme/api:1.4.2' or 'ghcr.io/acme/api@sha256:…'.");
  }
  const parsed = parseImageReference(ref.trim());
  if (!parsed) {
    refuser.refuse('spec/image-reference', field, `${quote(ref)} is not a valid image reference.`, "use '[registry/]repository[:tag][@sha256:<64 hex digits>]' with a lowercase repository, e.g. 'ghcr.io/acme/api:1.4.2'.");
  }
  if (!parsed.tag && !parsed.digest) {
    refuser.refuse('image-tag-pinned', field, `${quote(ref)} has no tag: it resolves to ':latest', which changes under you and makes rollbacks meaningless.`, 'pin a version or, better, a digest: \'<image>:<version>\' or \'<image>@sha256:<digest>\'.');
  }
  if (parsed.tag && parsed.tag.toLowerCase() === 'latest' && !parsed.digest) {
    refuser.refuse('image-tag-pinned', field, `${quote(ref)} uses the 'latest' tag: every pull can bring a different image, so two replicas may run different code and a rollback restores nothing.`, "pin an explicit version tag or a digest (preferred): 'repository@sha256:<digest>'.");
  }
  const version = parsed.tag && parsed.tag.toLowerCase() !== 'latest'
    ? toLabelValue(parsed.tag)
    : toLabelValue(`sha256-${parsed.digest!.slice(7, 19)}`);
  return Object.assign({}, parsed, { version: version || 'unknown' });
}
