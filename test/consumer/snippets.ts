/**
 * The TypeScript in the README (and docs/*.md), as files a consumer project can type-check.
 *
 * Convention for fenced blocks (the words after the language are not rendered):
 * - ```ts (or ```typescript) starts a program: it must be complete, imports included;
 *   ```ts id=NAME starts one that later blocks can name;
 * - ```ts continued adds to the last program, ```ts continued=NAME to the named one; a
 *   continuation may import more (its imports are merged into the program's).
 * Every block is checked as the program up to and including it. Other fences (```sh, plain ```)
 * are not TypeScript and are skipped.
 */

export interface Snippet {
  /** Where the block starts, e.g. `README.md:37`. */
  readonly origin: string;
  /** File name inside the consumer project, e.g. `readme-37.ts`. */
  readonly file: string;
  /** The complete program. */
  readonly source: string;
}

interface Block {
  readonly line: number;
  /** undefined: starts a program; '': continues the last one; otherwise the program's name. */
  readonly continues?: string;
  /** Name given to a program this block starts. */
  readonly id?: string;
  readonly code: string;
}

/** Fenced TypeScript blocks of a Markdown text. */
export function typescriptBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j])) j++;
    if (open[1] === 'ts' || open[1] === 'typescript') {
      const continued = /(?:^|\s)continued(?:=(\S+))?/.exec(open[2]);
      const id = /(?:^|\s)id=(\S+)/.exec(open[2]);
      blocks.push({ line: i + 1, continues: continued ? continued[1] ?? '' : undefined, id: id?.[1], code: lines.slice(i + 1, j).join('\n') });
    }
    i = j;
  }
  return blocks;
}

const IMPORT = /^import\s+(?:type\s+)?(.+?)\s+from\s+'([^']+)';\s*$/;

/** Split a block into its single-line import statements and the rest. */
function splitImports(code: string): { imports: string[]; body: string } {
  const imports: string[] = [];
  const body: string[] = [];
  for (const line of code.split('\n')) (IMPORT.test(line) ? imports : body).push(line);
  return { imports, body: body.join('\n') };
}

/** Merge import statements: named imports from one module become one statement. */
function mergeImports(statements: readonly string[]): string[] {
  const named = new Map<string, Set<string>>();
  const other: string[] = [];
  for (const s of statements) {
    const m = IMPORT.exec(s)!;
    const braces = /^\{([^}]*)\}$/.exec(m[1].trim());
    if (!braces) {
      if (!other.includes(s)) other.push(s);
      continue;
    }
    const set = named.get(m[2]) ?? new Set<string>();
    for (const n of braces[1].split(',').map((x) => x.trim()).filter(Boolean)) set.add(n);
    named.set(m[2], set);
  }
  return [...other, ...[...named].map(([mod, names]) => `import { ${[...names].join(', ')} } from '${mod}';`)];
}

/** The programs of one Markdown document: each block as the program up to and including it. */
export function snippets(markdown: string, name: string): Snippet[] {
  const out: Snippet[] = [];
  const prefix = name.replace(/\.md$/i, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  const named = new Map<string, Block[]>();
  let current: Block[] | undefined;
  for (const b of typescriptBlocks(markdown)) {
    if (b.continues === undefined) {
      current = [b];
      if (b.id) named.set(b.id, current);
    } else {
      const program = b.continues ? named.get(b.continues) : current;
      if (!program) throw new Error(`${name}:${b.line}: 'continued${b.continues ? `=${b.continues}` : ''}' names no program started before it`);
      program.push(b);
      current = program;
    }
    const split = current.map((p) => splitImports(p.code));
    const source = [...mergeImports(split.flatMap((s) => s.imports)), '', ...split.map((s) => s.body), ''].join('\n');
    out.push({ origin: `${name}:${b.line}`, file: `${prefix}-${b.line}.ts`, source });
  }
  return out;
}
