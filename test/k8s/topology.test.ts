import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import * as cdk8s from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as fc from 'fast-check';
import { HardenedService } from '../../src';
import { dictionaryChildren, dictionaryChildrenAll } from '../../src/k8s/children';
import { dependencyOrder } from '../../src/k8s/topology';
import { serviceProps } from '../util/fixtures';

const runs = Number(process.env.FC_NUM_RUNS ?? 100);

/** A random construct tree (ids include array-index-like ones) with random dependencies. */
const treeCase = fc.record({
  // parent index (into the nodes created so far) and an id for each node; node 0 is a chart
  nodes: fc.array(fc.tuple(fc.nat(), fc.constantFrom('a', 'b', '0', '1', '10', '2', 'svc', 'x-1', '007')), { minLength: 1, maxLength: 25 }),
  edges: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 30 }),
  charts: fc.array(fc.boolean(), { maxLength: 25 }),
});

function build(c: { nodes: [number, string][]; edges: [number, number][]; charts: boolean[] }): { app: App; all: IConstruct[] } {
  const app = new App();
  const all: IConstruct[] = [new Chart(app, '5', { namespace: 'ns' })];
  c.nodes.forEach(([p, id], i) => {
    const parent = i === 0 ? app : all[p % all.length];
    let name = id;
    for (let k = 0; parent.node.tryFindChild(name); k++) name = `${id}${k}`;
    const node = c.charts[i] ? new Chart(parent, name) : new Construct(parent, name);
    all.push(node);
  });
  // Only forward edges (by creation order): acyclic, like every app cdk8s accepts.
  for (const [a, b] of c.edges) {
    const [x, y] = [a % all.length, b % all.length];
    if (x < y) all[x].node.addDependency(all[y]);
  }
  return { app, all };
}

describe('dependency order without path-keyed tables', () => {
  test('is the order cdk8s computes, for the app and every chart (random trees and dependencies)', () => {
    fc.assert(fc.property(treeCase, (c) => {
      const { app, all } = build(c);
      for (const scope of [app, ...all.filter((x) => x instanceof Chart)]) {
        const expected = new DependencyGraph(scope.node).topology().map((x) => x.node.path);
        expect(dependencyOrder(scope.node)?.map((x) => x.node.path)).toEqual(expected);
      }
    }), { numRuns: runs });
  });

  test('a cycle is left to cdk8s, which reports it during synthesis', () => {
    const app = new App();
    const chart = new Chart(app, 'c', { namespace: 'ns' });
    const a = new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    const b = new ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
    a.addDependency(b);
    b.addDependency(a);
    expect(dependencyOrder(chart.node)).toBeUndefined();
    new HardenedService(chart, 'api', serviceProps());
    expect(() => app.synthYaml()).toThrow(/Dependency cycle detected/);
  });

  test('a synthesis writes objects in dependency order across charts, and restores cdk8s afterwards', () => {
    const app = new App();
    const first = new Chart(app, 'first', { namespace: 'ns' });
    const second = new Chart(app, 'second', { namespace: 'ns' });
    const late = new ApiObject(first, 'late', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' } });
    const early = new ApiObject(first, 'early', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'early' } });
    late.addDependency(early);
    first.addDependency(second);
    new HardenedService(second, 'api', serviceProps());
    const before = DependencyGraph;
    const names = app.synthYaml().split('\n---\n').map((d) => /\n {2}name: (\S+)/.exec(d)?.[1]);
    // The chart depended on is written first; inside `first`, `early` before `late`.
    expect(names).toEqual(['api', 'api', 'api', 'api', 'api', 'early', 'late']);
    expect(cdk8s.DependencyGraph).toBe(before);
  });
});

describe('construct child tables as dictionaries', () => {
  test('children keep their order, lookups and removal', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    const ids = ['b', '2', 'a', '10', '__proto__', 'constructor', 'x'];
    for (const id of ids.slice(0, 3)) new Construct(chart, id);
    dictionaryChildren(chart); // converted with children already present
    for (const id of ids.slice(3)) new Construct(chart, id);
    expect(Object.getPrototypeOf((chart.node as unknown as { _children: object })._children)).toBeNull();
    // Array-index ids first (ascending), then insertion order: as a plain object orders them.
    expect(chart.node.children.map((c) => c.node.id)).toEqual(['2', '10', 'b', 'a', '__proto__', 'constructor', 'x']);
    expect(chart.node.tryFindChild('__proto__')?.node.id).toBe('__proto__');
    expect(chart.node.tryFindChild('toString')).toBeUndefined();
    expect(chart.node.tryRemoveChild('a')).toBe(true);
    expect(chart.node.tryRemoveChild('a')).toBe(false);
    expect(() => new Construct(chart, 'b')).toThrow(/already a Construct with name 'b'/);
  });

  test('a synthesis converts the tables of other constructs with children, and creates none for leaves', () => {
    const table = (c: IConstruct) => (c.node as unknown as { _children?: object })._children;
    const app = new App();
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    const wrapper = new Construct(chart, 'team-a');
    const svc = new HardenedService(wrapper, 'api', serviceProps());
    const group = new Construct(chart, 'group');
    const leaf = new ApiObject(group, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    expect(Object.getPrototypeOf(table(group))).toBe(Object.prototype);
    expect(Object.getPrototypeOf(table(wrapper))).toBeNull(); // the scope of one of this library's constructs
    dictionaryChildrenAll(app);
    expect(Object.getPrototypeOf(table(group))).toBeNull(); // a user's construct with children: converted
    expect(table(leaf)).toBeUndefined(); // constructs creates none for a leaf, and neither does this
    expect(table(svc.deployment)).toBeUndefined();
    // This library's constructs add children under fixed ids: their table stays a plain object.
    expect(Object.getPrototypeOf(table(svc))).toBe(Object.prototype);
    expect(app.synthYaml()).toContain('name: api');
    expect(svc.node.children.map((c) => c.node.id)).toContain('Deployment');
  });
});
