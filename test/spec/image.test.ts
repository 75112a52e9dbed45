import { parseImageReference, Refuser, resolveImage } from '../../src';
import { hardeningError } from '../util/fixtures';

const refuser = new Refuser('app/svc');

describe('image references', () => {
  test.each([
    ['nginx:1.27.0', 'docker.io/library/nginx:1.27.0', '1.27.0'],
    ['bitnami/redis:7.2', 'docker.io/bitnami/redis:7.2', '7.2'],
    ['ghcr.io/acme/api:2.0.1', 'ghcr.io/acme/api:2.0.1', '2.0.1'],
    ['registry.local:5000/team/app:v3', 'registry.local:5000/team/app:v3', 'v3'],
    [`nginx@sha256:${'a'.repeat(64)}`, `docker.io/library/nginx@sha256:${'a'.repeat(64)}`, 'sha256-aaaaaaaaaaaa'],
    [`nginx:1.27@sha256:${'b'.repeat(64)}`, `docker.io/library/nginx:1.27@sha256:${'b'.repeat(64)}`, '1.27'],
  ])('%s is normalized to %s', (ref, normalized, version) => {
    const r = resolveImage(ref, 'image', refuser);
    expect(r.normalized).toBe(normalized);
    expect(r.version).toBe(version);
  });

  test('a digest is accepted even with the latest tag', () => {
    expect(resolveImage(`nginx:latest@sha256:${'c'.repeat(64)}`, 'image', refuser).digest).toBe(`sha256:${'c'.repeat(64)}`);
  });

  test.each([
    ['nginx', /has no tag/],
    ['nginx:latest', /'latest' tag/],
    ['ghcr.io/acme/api:LATEST', /'latest' tag/],
  ])('%s is refused by image-tag-pinned', (ref, message) => {
    const e = hardeningError(() => resolveImage(ref, 'containers[0].image', refuser));
    expect(e.ruleId).toBe('image-tag-pinned');
    expect(e.fieldPath).toBe('containers[0].image');
    expect(e.constructPath).toBe('app/svc');
    expect(e.reason).toMatch(message);
    expect(e.fix).toMatch(/digest/);
  });

  test.each(['', 'Nginx:1.0', 'nginx@sha256:abc', 'a//b:1', 'nginx:-bad'])('%p is not a valid reference', (ref) => {
    const e = hardeningError(() => resolveImage(ref, 'image', refuser));
    expect(['spec/image-reference', 'image-tag-pinned']).toContain(e.ruleId);
  });

  test('parse without judging', () => {
    expect(parseImageReference('nginx')).toMatchObject({ registry: 'docker.io', repository: 'library/nginx', tag: undefined });
    expect(parseImageReference('UPPER/case:1')).toBeUndefined();
  });
});
