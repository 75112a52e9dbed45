import * as fc from 'fast-check';
import * as ts from 'typescript';
import { convertComposeText } from '../../src/compose';
import { Call, comment, print, str } from '../../src/compose/printer';

const runs = Number(process.env.FC_NUM_RUNS ?? 100);

/** Syntax diagnostics and top-level statement count of a TypeScript text. */
function parseTs(code: string): { errors: string[]; statements: number } {
  const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 };
  const out = ts.transpileModule(code, { reportDiagnostics: true, compilerOptions });
  const sf = ts.createSourceFile('x.ts', code, ts.ScriptTarget.ES2022, true);
  return { errors: (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), statements: sf.statements.length };
}

/** Strings built to break out of literals and comments, plus arbitrary unicode. */
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\r', '\n', '\u2028', '\u2029', "'", '"', '`', '${x}', '*/', '/*', '\\', '</script>', '\u202e', '\0', '\u001b[31m'),
  fc.array(fc.constantFrom('a', '\r', '\n', "'", '"', '`', '\\', '*/', '${', '}', ')', ';', '\u2028', ' '), { maxLength: 20 }).map((a) => a.join('')),
);

describe('the printer: no string can change the structure of the generated code', () => {
  test('a printed value is one expression that evaluates back to the same value', () => {
    fc.assert(fc.property(hostile, hostile, (a, b) => {
      const value = { [a]: [a, b], plain: b, nested: { k: a } };
      const code = `export const x = ${print(value, 0)};`;
      const r = parseTs(code);
      expect(r.errors).toEqual([]);
      expect(r.statements).toBe(1);
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      expect(new Function(`return ${print(value, 0)};`)()).toEqual(value);
    }), { numRuns: runs });
  });

  test('a comment stays one comment', () => {
    fc.assert(fc.property(hostile, (a) => {
      const r = parseTs(`${comment(a)}\nexport const y = 1;`);
      expect(r.errors).toEqual([]);
      expect(r.statements).toBe(1);
    }), { numRuns: runs });
  });

  test('a __proto__ key stays a property (found by the property above with seed 1808600908)', () => {
    const value = Object.defineProperty({}, '__proto__', { value: ['x'], enumerable: true });
    expect(print(value)).toBe('{ ["__proto__"]: ["x"] }');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    expect(Object.keys(new Function(`return ${print(value)};`)())).toEqual(['__proto__']);
  });

  test('strings are JSON literals, line separators escaped; only allow-listed calls exist', () => {
    expect(str('a\u2028b')).toBe('"a\\u2028b"');
    expect(print(new Call('Peer.workload', ['x"); process.exit(1); ("']))).toBe('Peer.workload("x\\"); process.exit(1); (\\"")');
    expect(() => new Call('process.exit', [1])).toThrow(/not an allowed call/);
  });
});

describe('hostile Compose input converts into code with the intended structure', () => {
  const compose = (value: string) => `services:\n  api:\n    image: ghcr.io/acme/api:1.0.0\n    ports: ["8080:8080"]\n    environment:\n      GREETING: ${JSON.stringify(value)}\n`;

  test('env values (with \\r, quotes, */, ${…}) and a file name with a newline', () => {
    fc.assert(fc.property(hostile, hostile, (value, source) => {
      const r = convertComposeText(compose(value), { project: 'demo', source: `compose\n${source}.yaml`, packageSpec: '^0.0.0' });
      for (const f of ['spec.ts', 'main.ts', 'docker.ts', 'index.ts']) {
        const p = parseTs(r.files[f]);
        expect(p.errors).toEqual([]);
      }
      // The spec module still has exactly its declarations (import, NAMESPACE, databases, services, connections, unreviewed).
      const sf = ts.createSourceFile('spec.ts', r.files['spec.ts'], ts.ScriptTarget.ES2022, true);
      expect(sf.statements.map((s) => (ts.isImportDeclaration(s) ? 'import' : ts.isVariableStatement(s) ? s.declarationList.declarations.map((d) => d.name.getText(sf)).join() : 'other'))).toEqual(['import', 'NAMESPACE', 'databases', 'services', 'connections', 'unreviewed']);
      // The value survives exactly (it is not a secret), evaluated from the generated module.
      const js = ts.transpileModule(r.files['spec.ts'], { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText;
      const mod: any = { exports: {} };
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      new Function('module', 'exports', 'require', js)(mod, mod.exports, () => ({ Peer: { workload: (n: string) => n, namespace: (n: string) => n, ingressController: () => 'ic' } }));
      const env = mod.exports.services.api.env?.GREETING;
      if (!value.includes('$')) expect(env).toBe(value);
      // MIGRATION.md: every line that quotes the file name stays one line.
      expect(r.files['MIGRATION.md'].split('\n')[0]).toMatch(/^# Migrating demo from compose\\u000a/);
    }), { numRuns: Math.min(runs, 40) });
  });
});
