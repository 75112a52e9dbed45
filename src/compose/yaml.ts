/**
 * Compose YAML: parsed with merge keys (`<<`), duplicate keys refused (checked in one pass over
 * each mapping: the parser's own check compares every key with every earlier one), and Compose's
 * merge tags kept as values: `!reset` (drop what the extended service set) and `!override`
 * (replace instead of merging); see https://docs.docker.com/reference/compose-file/merge/.
 */
import { isAlias, isMap, isNode, isScalar, LineCounter, parse, parseAllDocuments, Scalar, visit } from 'yaml';
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
  try {
    for (const d of list) {
      // Every mapping, tagged ones included, before tags are read.
      visit(d, {
        Map(_, node) {
          const seen = new Set<string>();
          for (const item of node.items) {
            // Compose keys are strings: a sequence or mapping as a key (`? [a, b]`) is refused,
            // as docker compose refuses it (the parser would turn it into a string of its own).
            const keyNode = isAlias(item.key) ? item.key.resolve(d) : item.key;
            if (keyNode !== null && keyNode !== undefined && isNode(keyNode) && !isScalar(keyNode)) {
              const range = isNode(item.key) ? item.key.range : undefined;
              const at = range ? lineCounter.linePos(range[0]) : undefined;
              throw new ComposeYamlError(`${file}${at ? `:${at.line}:${at.col}` : ''}: malformed YAML: a mapping key must be a scalar (a string), not a ${isMap(keyNode) ? 'mapping' : 'sequence'}`);
            }
            const v = isScalar(item.key) ? item.key.value : item.key === null ? '' : undefined;
            if (typeof v === 'symbol' || v === '<<' || v === undefined || (typeof v === 'object' && v !== null)) continue;
            const key = String(v);
            if (seen.has(key)) {
              const range = isScalar(item.key) ? item.key.range : undefined;
              const at = range ? lineCounter.linePos(range[0]) : undefined;
              throw new ComposeYamlError(`${file}${at ? `:${at.line}:${at.col}` : ''}: malformed YAML: Map keys must be unique (${JSON.stringify(key.slice(0, 60))} is given twice)`);
            }
            seen.add(key);
          }
        },
      });
      visit(d, (_, node) => {
        if (!isNode(node) || (node.tag !== '!reset' && node.tag !== '!override')) return undefined;
        let replacement: Scalar;
        if (node.tag === '!reset') {
          replacement = new Scalar(RESET);
        } else {
          node.tag = undefined;
          // A plain scalar is read as the core schema reads it (`!override true` is a boolean).
          const value = isScalar(node) && node.type === 'PLAIN' && typeof node.source === 'string' ? parse(node.source) : node.toJS(d, { maxAliasCount: 100 });
          replacement = new Scalar(new ComposeOverride(value));
        }
        // Aliases of the tagged node find the replacement by its anchor.
        if (node.anchor) replacement.anchor = node.anchor;
        return replacement;
      });
    }
  } catch (e) {
    if (e instanceof ComposeYamlError) throw e;
    throw new ComposeYamlError(`${file}: malformed YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    return list.map((d) => d.toJS({ maxAliasCount: 100 })).filter((v) => v !== null && v !== undefined);
  } catch (e) {
    throw new ComposeYamlError(`${file}: malformed YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}
