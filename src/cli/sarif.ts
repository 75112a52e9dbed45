import { ruleMetadata } from '../policy/catalogue';
import { RuleSet } from '../policy/rule-set';
import { Finding } from '../policy/types';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/** SARIF 2.1.0 log for code-scanning tools, with full rule metadata. */
export function toSarif(findings: readonly Finding[], ruleSet: RuleSet, version: string): object {
  const rules = ruleSet.rules.map(ruleMetadata);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = findings.map((f) => {
    const objectName = `${f.object.kind ?? '?'}/${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name ?? '?'}`;
    return {
      ruleId: f.ruleId,
      ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
      level: LEVEL[f.severity],
      message: { text: `${objectName}: ${f.message}${f.path ? ` (at ${f.path})` : ''}. Fix: ${f.fix}` },
      locations: [{
        physicalLocation: { artifactLocation: { uri: (f.file ?? 'unknown').replace(/\\/g, '/') } },
        logicalLocations: [{ name: objectName, fullyQualifiedName: f.path ? `${objectName}#${f.path}` : objectName, kind: 'object' }],
      }],
      ...(f.suppressed ? { suppressions: [{ kind: 'inSource', justification: `${f.suppressed.by}: ${f.suppressed.reason}` }] } : {}),
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'hardened-constructs',
          informationUri: 'https://www.npmjs.com/package/hardened-constructs',
          version,
          rules: rules.map((r) => ({
            id: r.id,
            name: r.id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
            shortDescription: { text: r.title },
            fullDescription: { text: r.rationale },
            help: { text: `Fix: ${r.fix}` },
            ...(r.references?.length ? { helpUri: r.references[0].url } : {}),
            defaultConfiguration: { level: LEVEL[r.severity] },
            properties: { category: r.category, appliesTo: r.appliesTo, anchors: r.anchors, references: r.references ?? [], tags: [r.category] },
          })),
        },
      },
      results,
    }],
  };
}
