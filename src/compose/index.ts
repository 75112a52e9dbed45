/**
 * `hardened init --from-compose`: Compose file → a complete, hardened, typed project. A pipeline
 * of small steps: read (typed model, schema-validated) → plan (specs, edges, report items) →
 * synthesize the plan in-process → emit (code through a quoting printer) → report (MIGRATION.md,
 * from the synthesized objects).
 */
import { emitProject } from './emit';
import { ConversionPlan, planConversion } from './plan';
import { readCompose } from './read';
import { migrationReport } from './report';
import { SynthesizedPlan, synthesizePlan } from './synth';

export { ComposeInputError, readCompose } from './read';
export { planConversion, shellWords } from './plan';
export type { ConversionPlan, PlannedEdge, PlannedWorkload, Item } from './plan';
export { IMAGE_KNOWLEDGE, knowledgeOf } from './images';
export { k8sName, serviceNames } from './names';
export { allowedByPolicies } from './report';
export { inferEdges } from './edges';

export interface ConvertOptions {
  /** Project (and namespace) name. */
  readonly project: string;
  /** File name shown in the generated files. */
  readonly source: string;
  /** The hardened-constructs dependency of the generated package.json (a range or `file:` spec). */
  readonly packageSpec: string;
}

export interface ConversionResult {
  readonly files: Record<string, string>;
  readonly plan: ConversionPlan;
  readonly synthesized: SynthesizedPlan;
}

/** Convert Compose text. Throws ComposeInputError for bad input (nothing is written by this). */
export function convertComposeText(text: string, options: ConvertOptions): ConversionResult {
  const model = readCompose(text, options.source);
  const plan = planConversion(model, options);
  const synthesized = synthesizePlan(plan);
  const files = { ...emitProject(plan, options), 'MIGRATION.md': migrationReport(plan, synthesized) };
  return { files, plan, synthesized };
}
