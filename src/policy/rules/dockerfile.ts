import { rule } from './helpers';
import { unpinnedReason } from './image';
import { REF } from './references';
import { literalSecretEnv, secretValueKind } from '../../spec/secrets';
import { DockerfileInstruction, DockerfileView } from '../dockerfile';
import { Rule, RuleReference, Violation } from '../types';

const dockerfileRef: RuleReference = { title: 'Docker: Dockerfile reference', url: 'https://docs.docker.com/reference/dockerfile/' };
const bestPractices: RuleReference = { title: 'Docker: Building best practices', url: 'https://docs.docker.com/build/building/best-practices/' };
const buildSecrets: RuleReference = { title: 'Docker: Build secrets', url: 'https://docs.docker.com/build/building/secrets/' };
const hadolint = (...ids: string[]): RuleReference => ({ title: `hadolint ${ids.join(', ')}`, url: `https://github.com/hadolint/hadolint/wiki/${ids[0]}` });

function at(i: DockerfileInstruction, message: string): Violation {
  return { path: `line ${i.line}`, message: `line ${i.line}: ${message}`, line: i.line };
}

/** Instructions of the final build stage (what the image runs as). */
function finalStage(df: DockerfileView): DockerfileInstruction[] {
  const last = df.stages.length - 1;
  return df.instructions.filter((i) => i.stage === last && last >= 0);
}

/** Substitute `$NAME` / `${NAME}` / `${NAME:-default}` from the ARGs declared before the first FROM. */
function expandGlobalArgs(df: DockerfileView, text: string): string | undefined {
  const args = new Map<string, string>();
  for (const i of df.instructions) {
    if (i.stage >= 0) break;
    for (const p of i.properties ?? []) if (p.value !== undefined) args.set(p.name, p.value);
  }
  let unresolved = false;
  const out = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, braced: string, dflt: string | undefined, bare: string) => {
    const value = args.get(braced ?? bare) ?? dflt;
    if (value === undefined) unresolved = true;
    return value ?? '';
  });
  return unresolved ? undefined : out;
}

/** Split a shell command line (as words) into simple commands at `&&`, `||`, `;` and `|`. */
function commands(words: readonly string[]): string[][] {
  const out: string[][] = [[]];
  for (const w of words) {
    if (w === '&&' || w === '||' || w === ';' || w === '|') {out.push([]);} else if (w.endsWith(';')) {
      out[out.length - 1].push(w.slice(0, -1));
      out.push([]);
    } else {out[out.length - 1].push(w);}
  }
  return out.filter((c) => c.length > 0);
}

/** The package-manager installs of one RUN that leave their cache in the layer. */
function uncleanedInstalls(i: DockerfileInstruction, pipNoCacheEnv: boolean): string[] {
  if (i.flags.some((f) => f.startsWith('mount=') && f.includes('type=cache'))) return []; // a cache mount keeps the cache out of the layer
  const cmds = commands(i.words);
  // What the RUN cleans up, gathered once (each install below is checked against it).
  const removed: string[] = [];
  const cleaned = new Set<string>();
  for (const c of cmds) {
    if (c[0] === 'rm') removed.push(...c.slice(1));
    if (c.includes('clean') && c.includes('all')) cleaned.add(c[0] === 'sudo' ? c[1] : c[0]);
  }
  const rmOf = (prefix: string) => removed.some((w) => w.startsWith(prefix));
  const out: string[] = [];
  for (const c of cmds) {
    const tool = c[0] === 'sudo' ? c[1] : c[0];
    const sub = c.slice(c[0] === 'sudo' ? 2 : 1).filter((w) => !w.startsWith('-'))[0];
    if ((tool === 'apt-get' || tool === 'apt') && sub === 'install' && !rmOf('/var/lib/apt/lists')) out.push(`${tool} install without rm -rf /var/lib/apt/lists/* in the same RUN`);
    if (tool === 'apk' && sub === 'add' && !c.includes('--no-cache') && !rmOf('/var/cache/apk')) out.push('apk add without --no-cache');
    if ((tool === 'yum' || tool === 'dnf' || tool === 'microdnf') && sub === 'install'
      && !cleaned.has(tool) && !rmOf(`/var/cache/${tool === 'microdnf' ? 'dnf' : tool}`)) {
      out.push(`${tool} install without ${tool} clean all in the same RUN`);
    }
    if ((tool === 'pip' || tool === 'pip3' || (tool?.startsWith('python') && c.includes('pip'))) && c.includes('install') && !c.includes('--no-cache-dir') && !pipNoCacheEnv) {
      out.push('pip install without --no-cache-dir');
    }
  }
  return out;
}

export const dockerfileRules: Rule[] = [
  rule({
    id: 'dockerfile-from-pinned',
    category: 'image-management',
    severity: 'error',
    title: 'Dockerfile base images are pinned by tag (not latest) or digest',
    rationale: 'An unpinned base image makes every build pull whatever the tag points to that day: two builds of the same commit differ, and a compromised or broken upstream tag flows straight into production.',
    fix: 'Pin the base image: FROM repository:version, or better repository:version@sha256:<digest>.',
    appliesTo: 'docker',
    anchors: { cisDocker: ['4.2'] },
    references: [dockerfileRef, bestPractices, hadolint('DL3006', 'DL3007')],
    checkDockerfile: (df) => {
      const out: Violation[] = [];
      const earlier = new Set<string>();
      for (const s of df.stages) {
        const ins = df.instructions.find((i) => i.keyword === 'FROM' && i.line === s.line)!;
        const image = s.image.toLowerCase() === 'scratch' || earlier.has(s.image.toLowerCase()) ? undefined : s.image;
        if (s.name) earlier.add(s.name);
        if (image === undefined) continue;
        const expanded = image.includes('$') ? expandGlobalArgs(df, image) : image;
        if (expanded === undefined) {
          out.push(at(ins, `base image '${image}' comes from a build argument without a default, so what is built cannot be checked`));
          continue;
        }
        if (earlier.has(expanded.toLowerCase())) continue;
        const why = unpinnedReason(expanded);
        if (why) out.push(at(ins, `base image ${why}`));
      }
      return out;
    },
  }),
  rule({
    id: 'dockerfile-non-root-user',
    category: 'identity-and-privilege',
    severity: 'error',
    title: 'Dockerfiles switch to a non-root USER',
    rationale: 'Without a USER instruction the image runs as root by default: any engine or orchestrator that does not override the user hands the process root inside the container, one kernel bug away from the host.',
    fix: 'Create an unprivileged user and end the final stage with USER <uid>:<gid> (a numeric UID ≥ 10000 lets Kubernetes verify runAsNonRoot).',
    appliesTo: 'docker',
    anchors: { cisDocker: ['4.1'] },
    references: [REF.owaspDocker, dockerfileRef, hadolint('DL3002')],
    checkDockerfile: (df) => {
      const stage = finalStage(df);
      if (!stage.length) return [];
      const users = stage.filter((i) => i.keyword === 'USER');
      const last = users[users.length - 1];
      if (!last) return [at(stage[0], 'the final stage sets no USER: the image runs as root')];
      const user = (last.words[0] ?? '').split(':')[0];
      return user === 'root' || user === '0' ? [at(last, `the final USER is ${user}: the image runs as root`)] : [];
    },
  }),
  rule({
    id: 'dockerfile-no-add-url',
    category: 'image-management',
    severity: 'warning',
    title: 'Dockerfiles do not ADD remote URLs',
    rationale: 'ADD <url> downloads at build time without verifying what arrives (unless --checksum is given) and cannot be cached or inspected like a package: a changed or hijacked file goes into the image unnoticed.',
    fix: 'Download with a verified checksum (ADD --checksum=sha256:<hash> <url>, or RUN curl … && sha256sum -c), or COPY files from the build context.',
    appliesTo: 'docker',
    anchors: { cisDocker: ['4.9'] },
    references: [dockerfileRef, bestPractices, hadolint('DL3020')],
    checkDockerfile: (df) => df.instructions
      .filter((i) => i.keyword === 'ADD' && !i.flags.some((f) => f.startsWith('checksum=')))
      .filter((i) => i.words.some((w) => /^(https?|ftp):\/\//i.test(w) || /^git@/.test(w)))
      .map((i) => at(i, 'ADD fetches a remote URL without a checksum')),
  }),
  rule({
    id: 'dockerfile-no-secrets',
    category: 'identity-and-privilege',
    severity: 'error',
    title: 'Dockerfiles carry no secrets in ENV or ARG',
    rationale: 'ENV values are stored in the image configuration and ARG values in its build history: anyone who can pull the image (docker history, docker inspect) reads them, long after the secret was rotated elsewhere.',
    fix: 'Pass build-time secrets with RUN --mount=type=secret (docker build --secret) and runtime secrets through the orchestrator (Kubernetes Secrets, Docker secrets files).',
    appliesTo: 'docker',
    anchors: { cisDocker: ['4.10'] },
    references: [buildSecrets, REF.owaspDocker, dockerfileRef],
    checkDockerfile: (df) => {
      const out: Violation[] = [];
      for (const i of df.instructions) {
        for (const p of i.properties ?? []) {
          const value = p.value ?? '';
          if (value === '' || /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(value)) continue; // unset or taken from another variable
          const kind = secretValueKind(value);
          if (kind) out.push(at(i, `${i.keyword} ${p.name} holds ${kind} (value not shown)`));
          else if (literalSecretEnv(p.name, value)) out.push(at(i, `${i.keyword} ${p.name} sets a secret-looking variable to a literal (value not shown)`));
        }
      }
      return out;
    },
  }),
  rule({
    id: 'dockerfile-healthcheck',
    category: 'monitoring-and-logging',
    severity: 'warning',
    title: 'Dockerfiles declare a HEALTHCHECK',
    rationale: 'Without a health check, Docker reports a wedged process as running and restarts nothing; orchestrators that read the image\'s check (Docker, Compose, Swarm) route traffic to it anyway.',
    fix: 'Add HEALTHCHECK --interval=30s --timeout=3s CMD <a cheap check of the process>, in the final stage.',
    appliesTo: 'docker',
    anchors: { cisDocker: ['4.6'] },
    references: [REF.dockerHealthcheck],
    checkDockerfile: (df) => {
      const stage = finalStage(df);
      if (!stage.length) return [];
      const checks = stage.filter((i) => i.keyword === 'HEALTHCHECK');
      const last = checks[checks.length - 1];
      if (!last) return [at(stage[0], 'the final stage declares no HEALTHCHECK')];
      return (last.words[0] ?? '').toUpperCase() === 'NONE' ? [at(last, 'HEALTHCHECK NONE switches health checking off')] : [];
    },
  }),
  rule({
    id: 'dockerfile-package-cache-cleaned',
    category: 'image-management',
    severity: 'warning',
    title: 'Package-manager caches are removed in the same layer',
    rationale: 'Package indexes and download caches left in a layer make the image larger and slower to pull and scan, and ship stale package metadata that scanners then report against; removing them in a later layer does not shrink the image.',
    fix: 'Clean up in the same RUN: apt-get install … && rm -rf /var/lib/apt/lists/*; apk add --no-cache; dnf install … && dnf clean all; pip install --no-cache-dir (or use RUN --mount=type=cache).',
    appliesTo: 'docker',
    anchors: { cisDocker: ['4.3'] },
    references: [bestPractices, hadolint('DL3009', 'DL3019', 'DL3042')],
    checkDockerfile: (df) => {
      const pipEnv = df.instructions.some((i) => i.keyword === 'ENV' && (i.properties ?? []).some((p) => p.name === 'PIP_NO_CACHE_DIR' && /^(1|true|on|yes|off|0|false)$/i.test(p.value ?? '')));
      return df.instructions.filter((i) => i.keyword === 'RUN').flatMap((i) => uncleanedInstalls(i, pipEnv).map((m) => at(i, m)));
    },
  }),
];
