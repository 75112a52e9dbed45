
/** One instruction of a Dockerfile. */
export interface DockerfileInstruction {
  /** Upper-case keyword, e.g. `RUN`. */
  readonly keyword: string;
  /** The arguments as written (line continuations joined). */
  readonly args: string;
  /** Individual arguments (shell words or JSON array items). */
  readonly words: readonly string[];
  /** Flags such as `--mount=type=cache,target=/root/.cache` or `--checksum=sha256:…`, as `name=value`. */
  readonly flags: readonly string[];
  /** 1-based line of the keyword. */
  readonly line: number;
  /** Index of the build stage the instruction belongs to (-1 before the first FROM). */
  readonly stage: number;
  /** For ENV and ARG: the names and (literal) values they set. */
  readonly properties?: readonly { readonly name: string; readonly value?: string }[];
}

/** A build stage (`FROM image [AS name]`). */
export interface DockerfileStage {
  readonly index: number;
  readonly image: string;
  readonly name?: string;
  readonly line: number;
}

/** A Dockerfile as the rules see it: instructions and build stages, with lines. */
export interface DockerfileView {
  /** Where it came from (file path), for reports. */
  readonly source?: string;
  readonly instructions: readonly DockerfileInstruction[];
  readonly stages: readonly DockerfileStage[];
  /**
   * Suppressions written as comments, `# hardened-constructs.io/suppress.<rule-id>: <reason>`,
   * read like the annotations of a Kubernetes object.
   */
  readonly annotations: Readonly<Record<string, string>>;
}

/** Parse a Dockerfile with dockerfile-ast (the parser behind the Dockerfile language server). */
export function parseDockerfile(text: string, source?: string): DockerfileView {
  // Loaded on the first Dockerfile (Compose audits with build contexts), not by every import.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DockerfileParser } = require('dockerfile-ast') as typeof import('dockerfile-ast');
  const df = DockerfileParser.parse(text);
  const stages: DockerfileStage[] = [];
  const instructions: DockerfileInstruction[] = [];
  for (const ins of df.getInstructions()) {
    const keyword = ins.getKeyword().toUpperCase();
    const line = ins.getRange().start.line + 1;
    if (keyword === 'FROM') {
      const from = ins as unknown as { getImage(): string | null; getBuildStage(): string | null };
      stages.push({ index: stages.length, image: from.getImage() ?? '', name: from.getBuildStage()?.toLowerCase() ?? undefined, line });
    }
    let properties: DockerfileInstruction['properties'];
    if (keyword === 'ENV' || keyword === 'ARG') {
      const props = (ins as unknown as { getProperties?(): { getName(): string; getValue(): string | null }[] }).getProperties?.() ?? [];
      properties = props.map((p) => ({ name: p.getName(), value: p.getValue() ?? undefined }));
    }
    instructions.push({
      keyword,
      args: ins.getArgumentsContent() ?? '',
      words: ins.getArguments().map((a) => a.getValue()),
      flags: ((ins as unknown as { getFlags?(): { getName(): string; getValue(): string | null }[] }).getFlags?.() ?? [])
        .map((f) => (f.getValue() === null ? f.getName() : `${f.getName()}=${f.getValue()}`)),
      line,
      stage: stages.length - 1,
      properties,
    });
  }
  const annotations: Record<string, string> = {};
  for (const c of df.getComments()) {
    const m = /^(hardened-constructs\.io\/suppress\.[a-z0-9-]{1,80}):\s?(.{0,2000})$/.exec(c.getContent().trim());
    if (m) annotations[m[1]] = m[2].trim();
  }
  return { source, instructions, stages, annotations };
}

/** Is this file name a Dockerfile (`Dockerfile`, `Dockerfile.prod`, `api.Dockerfile`, `Containerfile`)? */
export function isDockerfileName(name: string): boolean {
  return /^(Dockerfile|Containerfile)(\.[A-Za-z0-9_.-]+)?$/.test(name) || /^[A-Za-z0-9_.-]+\.(Dockerfile|dockerfile|Containerfile)$/.test(name);
}
