import { InputError, parseText } from '../../src/cli/load';
import { MAX_DEPTH } from '../../src/cli/positions';

/** A ConfigMap whose `x` field nests `depth` arrays. */
function nestedJson(depth: number): string {
  return `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"y"},"data":{"a":"b"},"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

describe('JSON input has the same nesting bound as YAML', () => {
  test('100,000 nested arrays in a .json file are refused as input (exit 2), not audited as a malformed object', () => {
    // js-yaml refuses the nesting; the strict-JSON fallback must not then parse it unbounded (the
    // rules would overflow the stack and report "could not be checked" with a wrong fix).
    let error: unknown;
    try {
      parseText(nestedJson(100_000), 'deep.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`deep.json: invalid JSON: nesting exceeded maxDepth (${MAX_DEPTH}): no Kubernetes object or Compose file nests that deep.`);
  });

  test('in a folder walk the same file is skipped and reported as malformed', () => {
    const r = parseText(nestedJson(100_000), 'deep.json', false);
    expect(r.objects).toEqual([]);
    expect(r.skipped).toEqual([{ file: 'deep.json', kind: 'malformed', reason: `invalid JSON: nesting exceeded maxDepth (${MAX_DEPTH}): no Kubernetes object or Compose file nests that deep.` }]);
  });

  test('nesting within the bound is audited', () => {
    const r = parseText(nestedJson(MAX_DEPTH - 2), 'ok.json');
    expect(r.objects.map((o) => o.object.kind)).toEqual(['ConfigMap']);
  });
});
