import { rule, v } from './helpers';
import { parseImageReference } from '../../spec/image';
import { Rule } from '../types';

/** Why an image reference is not pinned, or undefined when it is. */
export function unpinnedReason(image: unknown): string | undefined {
  if (typeof image !== 'string' || image === '') return 'no image';
  const ref = parseImageReference(image);
  if (!ref) return `'${image}' is not a valid image reference`;
  if (ref.digest) return undefined;
  if (!ref.tag) return `'${image}' has no tag (resolves to latest)`;
  if (ref.tag.toLowerCase() === 'latest') return `'${image}' uses the latest tag`;
  return undefined;
}

/** The API server defaults imagePullPolicy to Always when the tag is latest or missing (and there is no digest). */
function defaultsToAlways(image: unknown): boolean {
  if (typeof image !== 'string') return false;
  const ref = parseImageReference(image);
  return !!ref && !ref.digest && (!ref.tag || ref.tag === 'latest');
}

export const imageRules: Rule[] = [
  rule({
    id: 'image-tag-pinned',
    category: 'image-management',
    severity: 'error',
    title: 'Images are pinned by tag (not latest) or digest',
    rationale: 'A mutable tag means two replicas can run different code and a rollback restores nothing.',
    fix: 'Pin an explicit version tag, or better a digest (image@sha256:…).',
    appliesTo: 'both',
    anchors: { polaris: ['tagNotSpecified'], kubeScore: ['container-image-tag'], kubeLinter: ['latest-tag'], cisDocker: ['5.28'] },
    checkContainer: (c) => {
      const why = unpinnedReason(c.container.image);
      return why ? [v(`${c.path}.image`, `container '${c.container.name}': ${why}`)] : [];
    },
    checkDocker: (c) => {
      // A service built from a Dockerfile pulls nothing: `image` (if any) names the build's output.
      if (c.build) return [];
      // `${VAR}` without a default in the file: the tag is whatever the environment says at deploy time.
      const vars = (c as { unresolved?: Readonly<Record<string, readonly string[]>> }).unresolved?.image;
      if (vars?.length) {
        return [v('image', `container '${c.name}': the image depends on environment variable(s) ${vars.map((x) => `\${${x}}`).join(', ')} with no default in the file, so the version that runs is decided at deploy time`)];
      }
      const why = unpinnedReason(c.image);
      return why ? [v('image', `container '${c.name}': ${why}`)] : [];
    },
  }),
  rule({
    id: 'image-pull-policy-always',
    category: 'image-management',
    severity: 'warning',
    title: 'Images are pulled on every start (imagePullPolicy: Always)',
    rationale: 'IfNotPresent runs whatever a node cached under that name, and lets any pod on the node use a private image another pod pulled.',
    fix: 'Set imagePullPolicy: Always (cheap with digests and a registry cache).',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['pullPolicyNotAlways'], kubeScore: ['container-image-pull-policy'] },
    // Unset defaults to Always for an untagged or :latest image (without a digest): the same pull.
    checkContainer: (c) => (c.container.imagePullPolicy === 'Always' || (c.container.imagePullPolicy === undefined && defaultsToAlways(c.container.image)) ? [] : [v(`${c.path}.imagePullPolicy`, `container '${c.container.name}' has imagePullPolicy ${c.container.imagePullPolicy ?? 'unset'}`)]),
  }),
];
