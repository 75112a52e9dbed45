/**
 * `hardened init --from-compose`: Compose file → a complete, hardened, typed project. A pipeline
 * of small steps: read (typed model, schema-validated) → plan (specs, edges, report items) →
 * synthesize the plan in-process → emit (code through a quoting printer) → report (MIGRATION.md,
 * from the synthesized objects).
 */
import { emitProject } from './emit';
import { ComposeFileLoader } from './extends';
import { ComposeDocumentLoader } from './include';
import { ConversionPlan, planConversion } from './plan';
import { selectProfiles } from './profiles';
import { readCompose } from './read';
import { migrationReport } from './report';
import { SynthesizedPlan, synthesizePlan } from './synth';

export { ComposeInputError, readCompose } from './read';
export { ExtendsError, resolveExtends, parseExtendedFile, parseComposeDocument } from './extends';
export { IncludeError, resolveIncludes, MAX_INCLUDE_DEPTH } from './include';
export type { ComposeDocumentLoader, IncludeOptions, IncludeResult } from './include';
export type { ComposeFileLoader, ExtendsOptions, ExtendsResult } from './extends';
export { selectProfiles } from './profiles';
export { planConversion, shellWords } from './plan';
export type { ConversionPlan, PlannedEdge, PlannedWorkload, Item } from './plan';
export { IMAGE_KNOWLEDGE, knowledgeOf } from './images';
export { k8sName, serviceNames } from './names';
export { allowedByPolicies } from './report';
export { inferEdges } from './edges';

export interface ConvertOptions {
  /**
   * Project (and namespace) name.
   * @default - the file's top-level `name` (as `docker compose` uses it), else `defaultProject`
   */
  readonly project?: string;
  /**
   * The project name when neither `project` nor the file's `name` gives one.
   * @default 'app'
   */
  readonly defaultProject?: string;
  /** File name shown in the generated files. */
  readonly source: string;
  /** The hardened-constructs dependency of the generated package.json (a range or `file:` spec). */
  readonly packageSpec: string;
  /**
   * Path of the Compose file: relative paths of services extended from other files are rewritten against its folder.
   * @default - the current folder
   */
  readonly path?: string;
  /**
   * Reads a file named by `extends.file` (the CLI reads it from disk).
   * @default - such an extends is refused
   */
  readonly load?: ComposeFileLoader;
  /**
   * Reads a file named by `include` (the CLI reads it from disk).
   * @default - a file with `include` is refused
   */
  readonly loadDocument?: ComposeDocumentLoader;
  /**
   * Compose profiles to enable, as `docker compose --profile`: a service with `profiles` is
   * converted only when one of them is enabled; `*` enables all.
   * @default - none: services with profiles are left out (listed in MIGRATION.md)
   */
  readonly profiles?: readonly string[];
}

export interface ConversionResult {
  readonly files: Record<string, string>;
  readonly plan: ConversionPlan;
  readonly synthesized: SynthesizedPlan;
}

/** Convert Compose text. Throws ComposeInputError for bad input (nothing is written by this). */
export function convertComposeText(text: string, options: ConvertOptions): ConversionResult {
  const read = readCompose(text, options.source, { path: options.path, load: options.load, loadDocument: options.loadDocument });
  const { model, leftOut } = selectProfiles(read, options.profiles ?? [], options.source);
  const named = typeof model.document.name === 'string' && model.document.name.trim() ? model.document.name : undefined;
  const plan = { ...planConversion(model, { ...options, project: options.project ?? named ?? options.defaultProject ?? 'app' }), leftOut };
  const synthesized = synthesizePlan(plan);
  const files = { ...emitProject(plan, options, synthesized.flows), 'MIGRATION.md': migrationReport(plan, synthesized) };
  return { files, plan, synthesized };
}
