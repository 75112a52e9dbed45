/**
 * Compose YAML: parsed with merge keys (`<<`), duplicate keys refused (checked in one pass over
 * each mapping: the parser's own check compares every key with every earlier one), and Compose's
 * merge tags kept as values: `!reset` (drop what the extended service set) and `!override`
 * (replace instead of merging); see https://docs.docker.com/reference/compose-file/merge/.
 */
import { isMap, isNode, isScalar, LineCounter, parseAllDocuments, Scalar, visit } from 'yaml';
import { ComposeOverride, RESET } from './tags';

/** Parse errors of Compose YAML, with the position when there is one. */
export class ComposeYamlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ComposeYamlError';
  }
}

/** Parse Compose text into its documents' values (empty documents dropped). Throws ComposeYamlError naming `file`. */
export function parseComposeYaml(text: string, file: string): unknown[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { prettyErrors: true, merge: true, uniqueKeys: false, lineCounter });
  const list = Array.isArray(docs) ? docs : [docs];
  const err = list.flatMap((d) => d.errors)[0];
  if (err) {
    const line = err.linePos?.[0];
    throw new ComposeYamlError(`${file}${line ? `:${line.line}:${line.col}` : ''}: malformed YAML: ${err.message.split('\n')[0]}`);
  }
  for (const d of list) {
    visit(d, (_, node) => {
      if (isNode(node) && node.tag === '!reset') return new Scalar(RESET);
      if (isNode(node) && node.tag === '!override') {
        node.tag = undefined;
        return new Scalar(new ComposeOverride(node.toJS(d, { maxAliasCount: 100 })));
      }
      if (isMap(node)) {
        const seen = new Set<string>();
        for (const item of node.items) {
          const key = isScalar(item.key) ? String(item.key.value) : item.key === null ? '' : undefined;
          if (key === undefined || key === '<<') continue;
          if (seen.has(key)) {
            const range = isScalar(item.key) ? item.key.range : undefined;
            const at = range ? lineCounter.linePos(range[0]) : undefined;
            throw new ComposeYamlError(`${file}${at ? `:${at.line}:${at.col}` : ''}: malformed YAML: Map keys must be unique (${JSON.stringify(key.slice(0, 60))} is given twice)`);
          }
          seen.add(key);
        }
      }
      return undefined;
    });
  }
  try {
    return list.map((d) => d.toJS({ maxAliasCount: 100 })).filter((v) => v !== null && v !== undefined);
  } catch (e) {
    throw new ComposeYamlError(`${file}: malformed YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}
