import { ApiObject, App, Chart, Testing, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { buildBlog } from '../../examples/blog/main';
import { buildOrgPolicy } from '../../examples/org-policy/main';
import { buildShop } from '../../examples/shop/main';
import { HardenedService, LoggingSidecar, Peer, StatefulDatabase } from '../../src';
import { DirectYamlPrinter, useDirectYaml } from '../../src/k8s/yaml-emit';
import { serviceProps } from '../util/fixtures';

const runs = Number(process.env.FC_NUM_RUNS ?? 100);

/** cdk8s's own printer of one document, the reference. */
const library = (doc: unknown): string => Yaml.stringify(doc);

/** A printer that counts the documents it printed itself. */
function counting(): { printer: DirectYamlPrinter; direct: () => number } {
  let direct = 0;
  const printer = new DirectYamlPrinter(library);
  const document = printer.document.bind(printer);
  printer.document = (doc: unknown) => {
    const out = document(doc);
    if (out !== undefined) direct++;
    return out;
  };
  return { printer, direct: () => direct };
}

/** An app with a service and a ConfigMap whose serialization calls `during` (inside the synthesis pass). */
function appCallingDuringSynthesis(during: () => void): App {
  const app = new App();
  const chart = new Chart(app, 'c', { namespace: 'shop' });
  new HardenedService(chart, 'api', serviceProps());
  const o = new ApiObject(chart, 'probe', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe', labels: { 'app.kubernetes.io/name': 'probe' } } });
  const toJson = o.toJson.bind(o);
  o.toJson = () => {
    during();
    return toJson();
  };
  return app;
}

/** Strings YAML treats specially: 1.1 booleans, nulls, numbers, dates, indicators, quotes, escapes, markers. */
const trickyStrings = [
  '', ' ', 'a', 'yes', 'Yes', 'NO', 'on', 'Off', 'y', 'N', 'true', 'False', 'null', 'Null', '~', '-', '?', ':', '- a', '? a', 'a: b', 'a:b', 'a #b',
  'a#b', '#a', ' a', 'a ', 'a:', '0', '-0', '007', '0o17', '0x1F', '0b101', '1_000', '1.0', '1e3', '.5', '+1', '.inf', '-.Inf', '.NaN', '12:30',
  '190:20:30', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '<<', '=', '!tag', '&anchor', '*alias', '%x', '@x', '`x', '|', '>', '"quoted"', "'single'",
  'a"b', "a'b", 'a\\b', '\t', 'a\tb', 'a\nb', 'a\n', '\na', 'a\n\nb', ' a\nb ', '---', '--- a', '...', 'a\n---\nb', 'é', 'ü x', '日本', '😀', '\u2028',
  '\u0085', '\u00a0', '\u0000', '\u001b[0m', 'x'.repeat(1100), '[a]', '{a: 1}', 'a,b', 'a]b', 'http://x.example/a?b=c#d', 'ghcr.io/acme/api:1.2.3',
  '500m', '128Mi', '10.0.0.0/8', 'app.kubernetes.io/name', 'OnRootMismatch', 'RuntimeDefault',
];

const scalar = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...trickyStrings) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 2, arbitrary: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 0.1, 1.5, -2.25, 1e21, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
);
const key = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...trickyStrings) }, { weight: 2, arbitrary: fc.string({ maxLength: 10 }) });

/** JSON-like data: maps, lists (empty ones too) and the scalars above. */
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('map'), tie('list')),
  map: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  list: fc.array(tie('value'), { maxLength: 4 }),
}));
const document = fc.dictionary(key, value, { minKeys: 1, maxKeys: 6 });

describe('YAML printed directly (during a synthesis pass)', () => {
  test('is byte for byte what cdk8s prints, on generated documents', () => {
    fc.assert(fc.property(fc.array(fc.oneof(document, fc.constant(undefined)), { maxLength: 4 }), (docs) => {
      const printer = new DirectYamlPrinter(library);
      expect(printer.documents(docs)).toBe(Yaml.stringify(...docs));
    }), { numRuns: runs * 5 });
  });

  test('prints plain manifests itself, and hands the library what only it can print', () => {
    const direct = new DirectYamlPrinter(library);
    const manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { 'app.kubernetes.io/name': 'x' } }, data: { a: 'yes', b: '' } };
    expect(direct.document(manifest)).toBe(library(manifest));
    expect(direct.document({ a: [{ b: [[1, 2], []] }, {}, [{ c: null }]], d: { e: { f: [true] } } })).toBe('a:\n  - b:\n      - - 1\n        - 2\n      - []\n  - {}\n  - - c: null\nd:\n  e:\n    f:\n      - true\n');
    const shared = { k: 'v' };
    class Box {
      constructor(public readonly v: number) {}
    }
    const needLibrary: unknown[] = [
      { a: shared, b: shared }, // anchors and aliases
      { a: 'line 1\nline 2\n' }, // block scalar
      { a: '--- not a marker here' },
      { 'a\nb': 1 }, // printed on one line by the library, but a line break always goes there
      { ['k'.repeat(1100)]: 1 }, // explicit key
      { a: -0 },
      { a: undefined },
      { a: [1, , 3] }, // eslint-disable-line no-sparse-arrays
      { a: new Box(1) },
      { a: { toJSON: () => 'x' } },
      { a: new Date(0) },
      {},
      [1, 2],
      'text',
    ];
    for (const doc of needLibrary) {
      expect(direct.document(doc)).toBeUndefined();
      expect(direct.documents([doc])).toBe(Yaml.stringify(doc));
    }
    // A getter that prints YAML while the document is printed (re-entrant use).
    const nested = {
      a: 1,
      get b() {
        return direct.documents([{ c: 'yes' }]);
      },
    };
    expect(direct.documents([nested])).toBe(Yaml.stringify({ a: 1, b: Yaml.stringify({ c: 'yes' }) }));
    // What the library refuses, it refuses the same way.
    expect(direct.document({ a: () => 1 })).toBeUndefined();
    expect(() => direct.documents([{ a: () => 1 }])).toThrow(/Tag not resolved/);
  });

  test('reads data as the library does: lists with toJSON or their own iterator, iterable maps', () => {
    const direct = new DirectYamlPrinter(library);
    const listWithToJson = Object.assign([1, 2], { toJSON: () => 'x' });
    const listWithIterator = [1, 2];
    (listWithIterator as unknown as Record<symbol, unknown>)[Symbol.iterator] = function* () {
      yield 9;
    };
    const iterableMap = {
      b: 1,
      [Symbol.iterator]: function* () {
        yield 9;
      },
    };
    for (const doc of [{ a: listWithToJson }, { a: listWithIterator }, iterableMap, { nested: iterableMap }]) {
      expect(direct.documents([doc])).toBe(Yaml.stringify(doc));
    }
  });

  test("yaml's own node objects, line breaks and documents of mostly new scalars go to the library", () => {
    const direct = new DirectYamlPrinter(library);
    const NODE = Symbol.for('yaml.node.type');
    const scalarNode = { a: { [NODE]: Symbol.for('yaml.scalar'), value: 'x' } };
    const pairNode = { a: { [NODE]: Symbol.for('yaml.pair'), key: 'k', value: 'v' } };
    for (const doc of [scalarNode, pairNode, { [NODE]: Symbol.for('yaml.document'), a: 1 }]) {
      expect(direct.document(doc)).toBeUndefined();
      expect(direct.documents([doc])).toBe(Yaml.stringify(doc));
    }
    const mapNode = { a: { [NODE]: Symbol.for('yaml.map'), items: [] } };
    expect(() => Yaml.stringify(mapNode)).toThrow();
    expect(() => direct.documents([mapNode])).toThrow();
    expect(direct.document({ a: ' x\ny' })).toBeUndefined();
    const wide: Record<string, string> = {};
    for (let i = 0; i < 1000; i++) wide[`key-${i}`] = `value-${i}`;
    expect(direct.document(wide)).toBeUndefined();
    expect(direct.documents([wide])).toBe(Yaml.stringify(wide));
    // Printed before: the same keys and values need no library call now.
    const again = new DirectYamlPrinter(library);
    const small: Record<string, string> = {};
    for (let i = 0; i < 100; i++) small[`key-${i}`] = `value-${i}`;
    expect(again.document(small)).toBe(library(small));
    expect(again.document(wide)).toBeUndefined();
  });

  test('an enumerable key on Object.prototype changes nothing (empty maps stay {})', () => {
    const proto = Object.prototype as Record<string, unknown>;
    Object.defineProperty(proto, 'someLibFlag', { value: true, enumerable: true, configurable: true, writable: true });
    try {
      const docs = [{ spec: { volume: { emptyDir: {} } }, list: [{}], k: 'v' }];
      const direct = new DirectYamlPrinter(library);
      expect(direct.documents(docs)).toBe(Yaml.stringify(...docs));
      expect(direct.documents(docs)).toContain('emptyDir: {}');
    } finally {
      delete proto.someLibFlag;
    }
  });

  test('very deep documents go to the library (which fails on the deepest, as before)', () => {
    const nest = (depth: number) => {
      let d: unknown = 'leaf';
      for (let i = 0; i < depth; i++) d = { a: d };
      return d as Record<string, unknown>;
    };
    const direct = new DirectYamlPrinter(library);
    expect(direct.document(nest(50))).toBe(library(nest(50)));
    expect(direct.document(nest(150))).toBeUndefined();
    expect(direct.documents([nest(150)])).toBe(Yaml.stringify(nest(150)));
    const deepest = nest(20_000);
    expect(() => Yaml.stringify(deepest)).toThrow(RangeError);
    expect(() => direct.documents([deepest])).toThrow(RangeError);
  });

  test('a Yaml.stringify the app installed itself is called as without this library', () => {
    const real = Yaml.stringify;
    const calls: number[] = [];
    Yaml.stringify = function wrapped(...docs: unknown[]): string {
      calls.push(docs.length);
      return `# generated by acme\n${real.apply(this, docs)}`;
    };
    try {
      const app = new App();
      const chart = new Chart(app, 'c', { namespace: 'shop' });
      new HardenedService(chart, 'api', serviceProps());
      process.env.HARDENED_QUIET = '1';
      const yaml = app.synthYaml();
      expect(calls).toEqual([5]);
      expect(yaml.match(/# generated by acme/g)).toHaveLength(1);
      expect(Yaml.stringify).not.toBe(real);
      // Installed before this library loaded, it would look like cdk8s's own: it is not cdk8s's code.
      const wrapper = Yaml.stringify;
      useDirectYaml(Yaml, wrapper)();
      expect(Yaml.stringify).toBe(wrapper);
    } finally {
      Yaml.stringify = real;
    }
  });

  test('a Yaml.stringify the app sets during synthesis stays after it', () => {
    const real = Yaml.stringify;
    const mine = (...docs: unknown[]): string => real(...docs);
    try {
      const app = appCallingDuringSynthesis(() => {
        Yaml.stringify = mine;
      });
      process.env.HARDENED_QUIET = '1';
      app.synthYaml();
      expect(Yaml.stringify).toBe(mine);
    } finally {
      Yaml.stringify = real;
    }
  });

  test.each([
    ['shop', buildShop],
    ['blog', buildBlog],
    ['org-policy', buildOrgPolicy],
  ])('example %s: synthYaml is what cdk8s prints for the same objects, nearly all printed directly', (_name, build) => {
    const app = Testing.app();
    build(app as App);
    process.env.HARDENED_QUIET = '1';
    const yaml = app.synthYaml();
    const docs = app.charts.flatMap((c) => Object.values(c.toJson()));
    expect(yaml).toBe(Yaml.stringify(...docs));
    const { printer, direct } = counting();
    printer.documents(docs);
    expect(direct()).toBeGreaterThanOrEqual(Math.floor(docs.length * 0.9));
  });

  test('a mixed app (sidecar, database, multi-line and YAML-looking data) synthesizes what cdk8s prints', () => {
    const app = new App();
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    const api = new HardenedService(chart, 'api', serviceProps());
    new LoggingSidecar(chart, 'api-logs', {
      target: api,
      logPath: '/var/log/app',
      resources: 'nano',
      output: { kind: 'loki', host: 'loki.monitoring.svc.cluster.local', port: 80, tls: false, peer: Peer.workload('loki', 'monitoring') },
    });
    new StatefulDatabase(chart, 'db', { engine: 'postgres', resources: 'medium', storage: { size: '10Gi' }, credentials: { secretName: 'db' }, clients: [Peer.workload('api')], priorityClassName: 'standard' });
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', labels: { 'app.kubernetes.io/name': 'cfg' } }, data: { 'app.yaml': 'a: 1\nb: yes\n', 'on': 'off', 'x': '--- y' } });
    new ApiObject(chart, 'cm2', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg2', labels: { 'app.kubernetes.io/name': 'cfg2' } }, data: { a: '%YAML', b: '...', c: '12:30' } });
    process.env.HARDENED_QUIET = '1';
    const yaml = app.synthYaml();
    expect(yaml).toBe(Yaml.stringify(...app.charts.flatMap((c) => Object.values(c.toJson()))));
    expect(yaml).toContain('  app.yaml: |\n    a: 1\n    b: yes\n  "on": "off"\n');
  });

  test("replaces cdk8s's Yaml.stringify only during a pass, and puts it back", () => {
    const before = Yaml.stringify;
    let during: unknown;
    const app = appCallingDuringSynthesis(() => {
      during = Yaml.stringify;
    });
    process.env.HARDENED_QUIET = '1';
    app.synthYaml();
    expect(during).not.toBe(before);
    expect(Yaml.stringify).toBe(before);
    const undo = useDirectYaml(Yaml, before);
    expect(Yaml.stringify).not.toBe(before);
    undo();
    expect(Yaml.stringify).toBe(before);
    // Not cdk8s's function, or not cdk8s's output: nothing is replaced.
    useDirectYaml(Yaml, () => '')();
    expect(Yaml.stringify).toBe(before);
    expect(useDirectYaml(undefined, before)).toBeInstanceOf(Function);
  });
});
