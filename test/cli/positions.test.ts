import * as fc from 'fast-check';
import { stringify } from 'yaml';
import { loadYamlWithPositions, splitPath } from '../../src/cli/positions';

/**
 * Positions kept while parsing: for any tree written as YAML (block or flow style), every path to
 * every node resolves, and the location points at that node's key (or sequence item) in the text.
 */
const numRuns = Number(process.env.FC_NUM_RUNS ?? 200);

const key = fc.stringMatching(/^[a-z][a-z0-9\/_-]{0,8}$/).filter((k) => !['null', 'true', 'false', 'yes', 'no', 'on', 'off', 'y', 'n'].includes(k));
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.integer(), fc.string({ maxLength: 10 }), tie('map'), tie('list')),
  map: fc.dictionary(key, tie('node'), { minKeys: 1, maxKeys: 4 }),
  list: fc.array(tie('node'), { minLength: 1, maxLength: 3 }),
})).map;

function paths(x: unknown, prefix = ''): string[] {
  if (Array.isArray(x)) return x.flatMap((v, i) => [`${prefix}[${i}]`, ...paths(v, `${prefix}[${i}]`)]);
  if (x && typeof x === 'object') {
    return Object.entries(x).flatMap(([k, v]) => {
      const p = prefix ? `${prefix}.${k}` : k;
      return [p, ...paths(v, p)];
    });
  }
  return [];
}

test.each([['block', {}], ['flow', { collectionStyle: 'flow' as const }]])('every path of a %s-style YAML tree resolves to its own line', (_n, opts) => {
  fc.assert(fc.property(tree, (obj) => {
    const text = `# header\n${stringify(obj, opts)}`;
    const { docs, index } = loadYamlWithPositions(text);
    expect(docs[0]).toEqual(obj);
    const lines = text.split('\n');
    for (const p of paths(obj)) {
      const r = index.locatePath(docs[0], p)!;
      expect(r.resolved).toBe(true);
      const last = splitPath(p).pop();
      const line = lines[r.location.line - 1];
      const at = line.slice(r.location.column - 1);
      if (typeof last === 'string') expect(at.startsWith(last) || at.startsWith(`"${last}"`) || at.startsWith(`'${last}'`)).toBe(true);
      expect(r.location.endLine ?? r.location.line).toBeGreaterThanOrEqual(r.location.line);
    }
  }), { numRuns });
});

test('malformed YAML reports a 1-based line and column', () => {
  expect(() => loadYamlWithPositions('a: 1\nb: [1, 2\nc: 3\n')).toThrow(expect.objectContaining({ line: expect.any(Number), column: expect.any(Number) }));
});

test('aliases that expand exponentially are refused; ordinary anchors are fine', () => {
  const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
  expect(() => loadYamlWithPositions(laughs)).toThrow(/billion laughs/);
  expect(loadYamlWithPositions('base: &b {x: 1}\nweb: {<<: *b, y: 2}\n').docs[0]).toEqual({ base: { x: 1 }, web: { x: 1, y: 2 } });
});
