import { isConfigKey, isDns1123LabelName, isDns1123Subdomain } from './api-rules';
import { canonicalPath, hasOwn, isContainedRelativePath } from './canonical';
import { DEFAULTS, SIZE_PRESETS, SizePreset } from './defaults';
import { Refuser } from './errors';
import { ImageReference, parseImageReference, resolveImage, toLabelValue } from './image';
import { checkDns1123Label, checkEnvName, checkPortName, checkReason } from './names';
import { checkQuantity, parseQuantity, QuantityKind } from './quantity';
import { quote, findSecretInArgv } from './redact';
import { ResolvedRelaxation } from './relaxations';
import { literalSecretEnv, looksLikeSecretName, SecretKeyReference, secretValueKind } from './secrets';

/** CPU, memory and ephemeral-storage amounts, as Kubernetes quantities. */
export interface ResourceAmounts {
  /** e.g. '250m' or '1'. */
  readonly cpu: string;
  /** e.g. '256Mi'. */
  readonly memory: string;
  /** e.g. '512Mi': container-layer writes, logs and emptyDirs count against it. */
  readonly ephemeralStorage: string;
}

/** Requests (reserved by the scheduler) and limits (enforced by the kernel). */
export interface ResourceSpec {
  readonly requests: ResourceAmounts;
  readonly limits: ResourceAmounts;
}

/** A named port of a container. */
export interface PortSpec {
  /** IANA service name (≤ 15 chars), used by probes, Services and NetworkPolicies. */
  readonly name: string;
  /** The port the process listens on. Below 1024 needs the `privilegedPorts` relaxation. */
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
  /**
   * Port the Service exposes.
   * @default - the same as `port`
   */
  readonly servicePort?: number;
}

/** Probe timing parameters. */
export interface ProbeTiming {
  /** @default - DEFAULTS.readiness / liveness / startup */
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
  readonly successThreshold?: number;
}

/** How to check a container. Ports are the names of declared ports. */
export type ProbeSpec = ProbeTiming & (
  | { readonly http: { readonly path: string; readonly port: string; readonly scheme?: 'HTTP' | 'HTTPS'; readonly httpHeaders?: HttpHeader[] } }
  | { readonly tcp: { readonly port: string } }
  | { readonly grpc: { readonly port: string; readonly service?: string } }
  | { readonly exec: { readonly command: string[] } }
);

/**
 * A header the kubelet sends with an HTTP probe (e.g. `Host` for a virtual-hosted health
 * endpoint). Values are written into the manifest in clear: a secret-looking value is refused.
 */
export interface HttpHeader {
  readonly name: string;
  readonly value: string;
}

/** Readiness, liveness and (optional) startup probes. */
export interface ProbesSpec {
  /** Gate traffic: the pod leaves its Service endpoints while this fails. */
  readonly readiness: ProbeSpec;
  /** Restart a wedged process. Must differ from readiness. Required unless `relaxations.noLivenessProbe`. */
  readonly liveness?: ProbeSpec;
  /**
   * Hold the other probes off while a slow process starts.
   * @default - none
   */
  readonly startup?: ProbeSpec;
}

/**
 * An environment variable value: a literal (refused for secret-looking names), a reference to a
 * Secret key, a ConfigMap key, or a literal explicitly declared not to be a secret (with a reason).
 */
export type EnvValue =
  | string
  | { readonly secret: SecretKeyReference }
  | { readonly configMap: { readonly name: string; readonly key: string; readonly optional?: boolean } }
  | { readonly value: string; readonly notASecret: string };

/** A Secret mounted read-only as files. */
export interface SecretFileMount {
  /** Name of the Secret (never created here). */
  readonly secretName: string;
  /** Absolute directory the keys appear in, e.g. '/var/run/secrets/db'. */
  readonly mountPath: string;
  /**
   * Only these keys (default: all keys of the Secret).
   * @default - every key
   */
  readonly keys?: string[];
}

/** A writable, size-limited scratch directory (the root filesystem is read-only). */
export interface WritablePath {
  readonly path: string;
  /** @default '64Mi' */
  readonly sizeLimit?: string;
  /**
   * Back it with memory (counts against the memory limit).
   * @default false
   */
  readonly inMemory?: boolean;
}

/** One container: the main one of a workload, or a sidecar. */
export interface ContainerSpec {
  /**
   * Container name (DNS-1123 label).
   * @default 'main' for the main container
   */
  readonly name?: string;
  /** Image pinned by tag or (preferred) digest. `latest` and untagged images are refused. */
  readonly image: string;
  readonly command?: string[];
  readonly args?: string[];
  /** Declared ports. */
  readonly ports?: PortSpec[];
  /** Requests and limits, or a documented size preset name. Never guessed. */
  readonly resources: ResourceSpec | SizePreset;
  /** Probes; required unless the `noProbes` relaxation is given. */
  readonly probes?: ProbesSpec;
  /** Environment. Secret-looking names only take references. */
  readonly env?: Record<string, EnvValue>;
  /** Secrets mounted as files (preferred over env: not visible in the process environment). */
  readonly secretFiles?: SecretFileMount[];
  /** Writable directories besides `/tmp`. */
  readonly writablePaths?: WritablePath[];
  /**
   * Size of the writable `/tmp`.
   * @default '64Mi'
   */
  readonly tmpSizeLimit?: string;
  /**
   * Time zone, set as `TZ`.
   * @default 'UTC'
   */
  readonly timezone?: string;
}

/** A container after defaults and validation. Both renderers consume this. */
export interface ResolvedContainer {
  readonly name: string;
  readonly image: ImageReference;
  readonly command?: string[];
  readonly args?: string[];
  readonly ports: ResolvedPort[];
  readonly resources: ResourceSpec;
  /** Numeric forms (cores and bytes) of `resources`, for backends that need numbers. */
  readonly resourceNumbers: { requests: Record<QuantityKind, number>; limits: Record<QuantityKind, number> };
  readonly probes: { readiness?: ResolvedProbe; liveness?: ResolvedProbe; startup?: ResolvedProbe };
  readonly env: ResolvedEnv[];
  readonly secretFiles: SecretFileMount[];
  /** Literal env values declared not to be secrets, with the reasons. */
  readonly notSecrets: { name: string; reason: string }[];
  /** `/tmp` first, then declared writable paths. Each gets a unique volume name. */
  readonly writablePaths: { volumeName: string; path: string; sizeLimit: string; inMemory: boolean }[];
  readonly security: {
    readonly runAsUser: number;
    readonly runAsGroup: number;
    readonly runAsNonRoot: boolean;
    readonly readOnlyRootFilesystem: boolean;
    readonly allowPrivilegeEscalation: false;
    readonly privileged: false;
    readonly capabilitiesDrop: readonly ['ALL'];
    readonly capabilitiesAdd: string[];
  };
}

export interface ResolvedPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  readonly servicePort: number;
}

export type ResolvedProbe = Required<ProbeTiming> & (
  | { readonly http: { path: string; port: string; portNumber: number; scheme: 'HTTP' | 'HTTPS'; httpHeaders?: HttpHeader[] } }
  | { readonly tcp: { port: string; portNumber: number } }
  | { readonly grpc: { port: string; portNumber: number; service?: string } }
  | { readonly exec: { command: string[] } }
);

export type ResolvedEnv =
  | { readonly name: string; readonly value: string }
  | { readonly name: string; readonly secret: SecretKeyReference }
  | { readonly name: string; readonly configMap: { name: string; key: string; optional?: boolean } };

function isObject(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Refuse a literal secret in an argument vector (command, args, exec probe): a password flag with
 * its value, a URL with a password, a known token format. Arguments are as visible as env values
 * (`kubectl describe`, `ps`, `docker inspect`). @internal
 */
export function checkArgvSecrets(argv: unknown, field: string, refuser: Refuser): void {
  if (!Array.isArray(argv)) return;
  const hit = findSecretInArgv(argv);
  if (hit) {
    refuser.refuse('no-literal-secrets-in-env', `${field}[${hit.index}]`, `this argument holds ${hit.shape} (the value is not shown). Arguments are visible in the manifest, in \`kubectl describe\` and in \`ps\` on the node.`, 'put the secret in a Secret and pass it as an env reference written $(VAR) in the argument, or mount it with secretFiles and point the program at the file (e.g. --password-file).');
  }
}

/** Options the workload passes down when resolving its containers. @internal */
export interface ContainerContext {
  readonly refuser: Refuser;
  readonly field: string;
  readonly relaxations: ResolvedRelaxation[];
  readonly user: number;
  readonly group: number;
  /** Probes are not required for this container (e.g. a Job container). */
  readonly probesOptional?: boolean;
}

/** `a.b` path join that tolerates an empty prefix. */
function prefix(field: string): string {
  return field ? `${field}.` : '';
}

/** The amounts of a resource spec, with the quantity kind each is. */
const RESOURCE_KINDS: readonly (readonly [keyof ResourceAmounts, QuantityKind])[] = [['cpu', 'cpu'], ['memory', 'memory'], ['ephemeralStorage', 'ephemeral-storage']];

function resolveResources(r: unknown, field: string, refuser: Refuser): Pick<ResolvedContainer, 'resources' | 'resourceNumbers'> {
  const at = prefix(field);
  if (r === undefined || r === null) {
    refuser.refuse('cpu-limits', field, 'resources are required: without requests the scheduler packs pods blindly, and without limits one container can starve its neighbours (noisy neighbour).', `give { requests: { cpu, memory, ephemeralStorage }, limits: { … } } or a documented size preset: ${Object.keys(SIZE_PRESETS).join(', ')}.`);
  }
  let spec: ResourceSpec;
  if (typeof r === 'string') {
    if (!hasOwn(SIZE_PRESETS, r)) {
      refuser.refuse('spec/size-preset', field, `${quote(r)} is not a size preset.`, `use one of ${Object.keys(SIZE_PRESETS).join(', ')}, or give requests and limits explicitly.`);
    }
    spec = SIZE_PRESETS[r as SizePreset];
  } else if (isObject(r)) {
    spec = r as ResourceSpec;
  } else {
    return refuser.refuse('spec/size-preset', field, `${quote(r)} is neither a size preset nor requests/limits.`, 'give { requests: {…}, limits: {…} } or a preset name.');
  }
  const requests = {} as Record<QuantityKind, number>;
  const limits = {} as Record<QuantityKind, number>;
  for (let i = 0; i < RESOURCE_KINDS.length; i++) {
    const [prop, kind] = RESOURCE_KINDS[i];
    if (!isObject(spec.requests) || !isObject(spec.limits)) {
      refuser.refuse('cpu-limits', field, 'both requests and limits are required.', 'give { requests: { cpu, memory, ephemeralStorage }, limits: { cpu, memory, ephemeralStorage } }.');
    }
    requests[kind] = checkQuantity(spec.requests[prop], kind, `${at}requests.${prop}`, refuser);
    limits[kind] = checkQuantity(spec.limits[prop], kind, `${at}limits.${prop}`, refuser);
    if (limits[kind] < requests[kind]) {
      const ruleId = kind === 'cpu' ? 'cpu-limits' : kind === 'memory' ? 'memory-limits' : 'ephemeral-storage-limits';
      refuser.refuse(ruleId, `${at}limits.${prop}`, `the limit ${spec.limits[prop]} is below the request ${spec.requests[prop]}: Kubernetes rejects such a pod.`, `raise the limit to at least ${spec.requests[prop]} or lower the request.`);
    }
  }
  const norm = (a: ResourceAmounts): ResourceAmounts => ({
    cpu: String(a.cpu).trim(),
    memory: String(a.memory).trim(),
    ephemeralStorage: String(a.ephemeralStorage).trim(),
  });
  return { resources: { requests: norm(spec.requests), limits: norm(spec.limits) }, resourceNumbers: { requests, limits } };
}

/** RFC 9110 field-name token. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,256}$/;
/** Headers that carry credentials: a probe's headers are in the manifest in clear. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'x-auth-token', 'api-key']);

function resolveHttpHeaders(raw: unknown, field: string, refuser: Refuser): HttpHeader[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) refuser.refuse('spec/probe-handler', field, 'httpHeaders must be an array of { name, value }.', "give e.g. [{ name: 'Host', value: 'api.internal' }].");
  const seen = new Set<string>();
  return raw.map((h: unknown, i) => {
    const f = `${field}[${i}]`;
    if (!isObject(h) || typeof h.name !== 'string' || typeof h.value !== 'string') {
      refuser.refuse('spec/probe-handler', f, 'a header is { name: string, value: string }.', "give e.g. { name: 'Host', value: 'api.internal' }.");
    }
    if (!HEADER_NAME.test(h.name)) refuser.refuse('spec/probe-handler', `${f}.name`, 'this is not an HTTP header name.', "use a token such as 'Host' or 'X-Probe'.");
    const lower = h.name.toLowerCase();
    if (seen.has(lower)) refuser.refuse('spec/probe-handler', `${f}.name`, `header '${h.name}' is given twice.`, 'give each header once.');
    seen.add(lower);
    if (/[\r\n\0]/.test(h.value) || h.value.length > 4096) refuser.refuse('spec/probe-handler', `${f}.value`, 'a header value must be one line of at most 4096 characters.', 'remove line breaks from the value.');
    if (CREDENTIAL_HEADERS.has(lower) || secretValueKind(h.value) !== undefined) {
      refuser.refuse('no-literal-secrets-in-env', `${f}.value`, `probe headers are written into the manifest in clear, and '${h.name}' carries a credential (the value is not shown).`, 'give the health endpoint an unauthenticated path (bound to the pod network), or probe with exec using a token read from a mounted Secret file.');
    }
    return { name: h.name, value: h.value };
  });
}

/** The timing fields of a probe, in the order they are checked. */
const TIMING_KEYS = ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold'] as const;

function resolveProbe(p: unknown, kind: 'readiness' | 'liveness' | 'startup', field: string, ports: ResolvedPort[], refuser: Refuser): ResolvedProbe {
  const at = prefix(field);
  if (!isObject(p)) {
    refuser.refuse(`${kind === 'startup' ? 'liveness' : kind}-probe`, field, `${quote(p)} is not a probe.`, "give e.g. { http: { path: '/readyz', port: 'http' } }.");
  }
  const timing = DEFAULTS[kind];
  const t: Required<ProbeTiming> = {
    initialDelaySeconds: p.initialDelaySeconds ?? timing.initialDelaySeconds,
    periodSeconds: p.periodSeconds ?? timing.periodSeconds,
    timeoutSeconds: p.timeoutSeconds ?? timing.timeoutSeconds,
    failureThreshold: p.failureThreshold ?? timing.failureThreshold,
    successThreshold: kind === 'readiness' ? (p.successThreshold ?? timing.successThreshold) : 1,
  };
  for (let i = 0; i < TIMING_KEYS.length; i++) {
    const k = TIMING_KEYS[i];
    const v = t[k];
    const min = k === 'initialDelaySeconds' ? 0 : 1;
    if (!Number.isInteger(v) || v < min || v > 3600) {
      refuser.refuse('spec/probe-timing', `${at}${k}`, `${quote(v)} is not a valid ${k}.`, `use a whole number from ${min} to 3600.`);
    }
  }
  if (kind !== 'readiness' && p.successThreshold !== undefined && p.successThreshold !== 1) {
    refuser.refuse('spec/probe-timing', `${at}successThreshold`, `${kind} probes must have successThreshold 1 (Kubernetes rejects other values).`, 'remove successThreshold or set it to 1.');
  }
  const portOf = (name: unknown, f: string): ResolvedPort => {
    const port = ports.find((x) => x.name === name || x.port === name);
    if (!port) {
      refuser.refuse('probe-ports-declared', f, `probe port ${quote(name)} is not a declared port of this container: the probe would check a port nothing listens on.`, `use one of the declared port names: ${ports.map((x) => x.name).join(', ') || '(declare a port first)'}.`);
    }
    return port;
  };
  const handlers = ['http', 'tcp', 'grpc', 'exec'].filter((h) => p[h] !== undefined);
  if (handlers.length !== 1) {
    refuser.refuse('spec/probe-handler', field, `a probe needs exactly one of http, tcp, grpc or exec; got ${handlers.length ? handlers.join(', ') : 'none'}.`, "give e.g. { http: { path: '/healthz', port: 'http' } }.");
  }
  if (!isObject(p[handlers[0]])) {
    refuser.refuse('spec/probe-handler', `${at}${handlers[0]}`, `${quote(p[handlers[0]])} is not a ${handlers[0]} check: it must be an object.`, "give e.g. { http: { path: '/healthz', port: 'http' } } or { tcp: { port: 'http' } }.");
  }
  if (p.http) {
    const path = p.http.path;
    if (typeof path !== 'string' || !path.startsWith('/')) {
      refuser.refuse('spec/probe-handler', `${at}http.path`, `${quote(path)} is not an absolute HTTP path.`, "use a path such as '/readyz'.");
    }
    const port = portOf(p.http.port, `${at}http.port`);
    const httpHeaders = resolveHttpHeaders(p.http.httpHeaders, `${at}http.httpHeaders`, refuser);
    const http: Extract<ResolvedProbe, { http: unknown }>['http'] = { path, port: port.name, portNumber: port.port, scheme: p.http.scheme ?? 'HTTP' };
    if (httpHeaders) http.httpHeaders = httpHeaders;
    return Object.assign({}, t, { http });
  }
  if (p.tcp) {
    const port = portOf(p.tcp.port, `${at}tcp.port`);
    return Object.assign({}, t, { tcp: { port: port.name, portNumber: port.port } });
  }
  if (p.grpc) {
    const port = portOf(p.grpc.port, `${at}grpc.port`);
    return Object.assign({}, t, { grpc: { port: port.name, portNumber: port.port, service: p.grpc.service } });
  }
  const command = p.exec.command;
  if (!Array.isArray(command) || command.length === 0 || !command.every((c: unknown) => typeof c === 'string')) {
    refuser.refuse('spec/probe-handler', `${at}exec.command`, `an exec probe needs a non-empty list of strings${typeof command === 'string' ? ' (a single string would run a program named after the whole line)' : ''}.`, "give e.g. ['pg_isready', '--username', 'app'].");
  }
  checkArgvSecrets(command, `${at}exec.command`, refuser);
  return Object.assign({}, t, { exec: { command: [...command] } });
}

/** How to make liveness differ from readiness, in the terms of the handler in use. */
function distinctProbeFix(readiness: ResolvedProbe): string {
  if ('grpc' in readiness) {
    return "gRPC health checking names a service per check: keep readiness on the service that needs its dependencies (grpc: { port, service: 'shop.Cart' }) and check liveness on the server as a whole (grpc: { port } with no service, i.e. the empty name that grpc.health.v1 reports as the server's own state) or with tcp: { port }.";
  }
  if ('tcp' in readiness) return 'a TCP check only sees that the port accepts connections: use it for liveness and check readiness at the application level (http or grpc), or probe another port.';
  if ('exec' in readiness) return 'run a different, cheaper command for liveness (e.g. a process-alive check) than the dependency-aware readiness command.';
  return "check liveness on a different, cheaper endpoint (e.g. '/livez' vs '/readyz'), port or command.";
}

/**
 * Do two probes check the same thing? Timings do not count (kube-score compares handlers only):
 * the same HTTP path, the same TCP port, the same gRPC port and service, or the same command.
 * @internal
 */
export function sameProbe(a: ResolvedProbe | undefined, b: ResolvedProbe | undefined): boolean {
  if (!a || !b) return false;
  if ('http' in a && 'http' in b) return a.http.path === b.http.path;
  if ('tcp' in a && 'tcp' in b) return a.tcp.portNumber === b.tcp.portNumber;
  if ('grpc' in a && 'grpc' in b) return a.grpc.portNumber === b.grpc.portNumber && a.grpc.service === b.grpc.service;
  if ('exec' in a && 'exec' in b) return JSON.stringify(a.exec.command) === JSON.stringify(b.exec.command);
  return false;
}

function resolveEnv(env: unknown, field: string, refuser: Refuser, notSecrets: { name: string; reason: string }[]): ResolvedEnv[] {
  const at = prefix(field);
  if (env === undefined) return [];
  if (!isObject(env)) refuser.refuse('spec/env', field, 'env must be an object of NAME: value.', "write env: { LOG_LEVEL: 'info', DB_PASSWORD: { secret: { name: 'db', key: 'password' } } }.");
  const out: ResolvedEnv[] = [];
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    const f = `${at}${name}`;
    checkEnvName(name, f, refuser);
    if (seen.has(name) || name === 'TZ') {
      refuser.refuse('no-duplicate-env', f, `${name} is set twice${name === 'TZ' ? ' (TZ is set from the timezone prop)' : ''}: only one value wins, silently.`, name === 'TZ' ? 'use the timezone prop instead of env.TZ.' : 'keep one entry per name.');
    }
    seen.add(name);
    if (typeof value === 'string') {
      const kind = secretValueKind(value);
      if (kind) {
        refuser.refuse('no-literal-secrets-in-env', f, `the value looks like ${kind}. Literal secrets end up in the manifest, in git and in \`kubectl describe\`.`, kind === 'a private key'
          ? `store it in a Secret and reference it: ${name}: { secret: { name: '<secret>', key: '<key>' } }, or mount it with secretFiles.`
          : `store the whole URL in a Secret and reference it (${name}: { secret: { name: '<secret>', key: '<key>' } }), or put only the password in a Secret as another variable and write it as $(THAT_VARIABLE) in the URL.`);
      }
      if (literalSecretEnv(name, value)) {
        refuser.refuse('no-literal-secrets-in-env', f, `${name} looks like a secret but has a literal value. Literal secrets end up in the manifest, in git and in \`kubectl describe\`.`, `reference a Secret instead: ${name}: { secret: { name: '<secret>', key: '<key>' } } (or mount it with secretFiles). If the value really is not secret, write { value: '…', notASecret: '<reason>' }.`);
      }
      out.push({ name, value });
    } else if (isObject(value) && isObject(value.secret)) {
      const s = value.secret;
      checkDns1123SubdomainLike(s.name, `${f}.secret.name`, refuser, true);
      if (!isConfigKey(s.key)) refuser.refuse('spec/secret-ref', `${f}.secret.key`, 'a Secret reference needs a valid key: letters, digits, \'-\', \'_\' and \'.\' (the value is not shown in case it is a secret).', "give { name: 'db', key: 'password' }.");
      out.push({ name, secret: { name: s.name, key: s.key, optional: s.optional } });
    } else if (isObject(value) && isObject(value.configMap)) {
      const c = value.configMap;
      checkDns1123SubdomainLike(c.name, `${f}.configMap.name`, refuser);
      if (!isConfigKey(c.key)) refuser.refuse('spec/configmap-ref', `${f}.configMap.key`, `${quote(c.key)} is not a ConfigMap key.`, "give { name: 'settings', key: 'LOG_LEVEL' }: letters, digits, '-', '_' and '.'.");
      if (looksLikeSecretName(c.key)) {
        refuser.refuse('no-secrets-in-configmap', `${f}.configMap.key`, `ConfigMap key ${quote(c.key)} looks like a secret: ConfigMaps are not encrypted at rest and are readable with broad RBAC.`, 'keep secrets in a Secret and use { secret: { name, key } }.');
      }
      out.push({ name, configMap: { name: c.name, key: c.key, optional: c.optional } });
    } else if (isObject(value) && typeof value.value === 'string' && value.notASecret !== undefined) {
      notSecrets.push({ name, reason: checkReason(value.notASecret, `${f}.notASecret`, refuser) });
      const kind = secretValueKind(value.value);
      if (kind) {
        refuser.refuse('no-literal-secrets-in-env', `${f}.value`, `the value looks like ${kind}, whatever notASecret says.`, 'store it in a Secret and reference it.');
      }
      out.push({ name, value: value.value });
    } else {
      refuser.refuse('spec/env', f, `a ${Array.isArray(value) ? 'list' : typeof value} is not an env value (the value is not shown in case it is a secret).`, "use a string, { secret: { name, key } }, { configMap: { name, key } } or { value, notASecret: '<reason>' }.");
    }
  }
  return out;
}

function checkDns1123SubdomainLike(name: unknown, field: string, refuser: Refuser, mayBeSecret = false): void {
  if (!isDns1123Subdomain(name)) {
    const what = mayBeSecret ? 'this is not a valid Secret name (the value is not shown in case it is a secret)' : `${quote(name)} is not a valid Kubernetes object name`;
    refuser.refuse('spec/dns-1123-name', field, `${what}.`, mayBeSecret ? "give the name of the Secret, e.g. 'db-credentials', never its value." : "use lowercase letters, digits, - and ., e.g. 'app-settings'.");
  }
}

function relaxed(relaxations: ResolvedRelaxation[], name: ResolvedRelaxation['name']): ResolvedRelaxation | undefined {
  for (let i = 0; i < relaxations.length; i++) if (relaxations[i].name === name) return relaxations[i];
  return undefined;
}

/** Resolve a container spec. @internal */
export function resolveContainer(spec: ContainerSpec, ctx: ContainerContext, defaultName: string): ResolvedContainer {
  const { refuser, field, relaxations } = ctx;
  const at = prefix(field);
  if (!isObject(spec)) refuser.refuse('spec/container', field, 'a container spec is required.', 'give at least image and resources.');
  const name = checkDns1123Label(spec.name ?? defaultName, `${at}name`, refuser);

  let image: ImageReference;
  if (relaxed(relaxations, 'unpinnedImage')) {
    const parsed = typeof spec.image === 'string' ? parseImageReference(spec.image.trim()) : undefined;
    if (!parsed) return refuser.refuse('spec/image-reference', `${at}image`, `${quote(spec.image)} is not a valid image reference.`, "use '[registry/]repository[:tag][@sha256:…]'.");
    image = Object.assign({}, parsed, { version: toLabelValue(parsed.tag ?? 'unpinned') || 'unpinned' });
  } else {
    image = resolveImage(spec.image, `${at}image`, refuser);
  }

  for (const k of ['command', 'args'] as const) {
    const v = spec[k] as unknown;
    if (v === undefined) continue;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
      refuser.refuse('spec/command', `${at}${k}`, `${k} must be a list of strings${typeof v === 'string' ? ': a single string becomes one program name (or, spread, one argument per character), not a command line' : ''}.`, `write ${k}: ['sleep', '10'] (or ['sh', '-c', '…'] for a shell line).`);
    }
    checkArgvSecrets(v, `${at}${k}`, refuser);
  }

  const privilegedPorts = relaxed(relaxations, 'privilegedPorts');
  const ports: ResolvedPort[] = [];
  const rawPorts = spec.ports ?? [];
  if (!Array.isArray(rawPorts)) refuser.refuse('spec/ports', `${at}ports`, 'ports must be an array.', "give e.g. [{ name: 'http', port: 8080 }].");
  rawPorts.forEach((p, i) => {
    const f = `${at}ports[${i}]`;
    if (!isObject(p)) refuser.refuse('spec/ports', f, 'a port must be { name, port }.', "give e.g. { name: 'http', port: 8080 }.");
    const pname = checkPortName(p.name, `${f}.name`, refuser);
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
      refuser.refuse('spec/port-range', `${f}.port`, `${quote(p.port)} is not a port number (1–65535).`, 'use a whole number from 1024 to 65535 (below 1024 needs the privilegedPorts relaxation).');
    }
    if (p.port < 1024 && !privilegedPorts) {
      refuser.refuse('unprivileged-container-ports', `${f}.port`, `port ${p.port} is below 1024: binding it needs root or NET_BIND_SERVICE.`, `listen on a port ≥ 1024 (e.g. ${p.port === 80 ? 8080 : p.port === 443 ? 8443 : p.port + 8000}) and keep ${p.port} as servicePort, or relax with relaxations.privilegedPorts: '<reason>'.`);
    }
    const servicePort = p.servicePort ?? p.port;
    if (!Number.isInteger(servicePort) || servicePort < 1 || servicePort > 65535) {
      refuser.refuse('spec/port-range', `${f}.servicePort`, `${quote(servicePort)} is not a port number (1–65535).`, 'use a whole number from 1 to 65535.');
    }
    const protocol = p.protocol ?? 'TCP';
    if (protocol !== 'TCP' && protocol !== 'UDP') refuser.refuse('spec/ports', `${f}.protocol`, `${quote(protocol)} is not TCP or UDP.`, "use 'TCP' or 'UDP'.");
    if (ports.some((x) => x.name === pname)) {
      refuser.refuse('container-ports-valid', `${f}.name`, `port name '${pname}' is declared twice: probes and Services would point at the wrong port.`, 'give each port a unique name.');
    }
    if (ports.some((x) => x.port === p.port && x.protocol === protocol)) {
      refuser.refuse('container-ports-valid', `${f}.port`, `port ${p.port}/${protocol} is declared twice.`, 'declare each port once.');
    }
    if (p.port === 22) {
      refuser.refuse('no-ssh', `${f}.port`, 'port 22 (SSH) in a container means an sshd inside it: a second way in that bypasses the orchestrator, its logs and its RBAC.', 'use `kubectl exec`/`docker exec` or ephemeral debug containers instead of sshd.');
    }
    ports.push({ name: pname, port: p.port, protocol, servicePort });
  });

  const { resources, resourceNumbers } = resolveResources(spec.resources, `${at}resources`, refuser);

  const probes: ResolvedContainer['probes'] = {};
  const noProbes = relaxed(relaxations, 'noProbes');
  if (spec.probes !== undefined) {
    if (!isObject(spec.probes)) refuser.refuse('readiness-probe', `${at}probes`, 'probes must be { readiness, liveness, startup? }.', "give { readiness: { http: { path: '/readyz', port: 'http' } }, liveness: { http: { path: '/livez', port: 'http' } } }.");
    if (spec.probes.readiness !== undefined) probes.readiness = resolveProbe(spec.probes.readiness, 'readiness', `${at}probes.readiness`, ports, refuser);
    if (spec.probes.liveness !== undefined) probes.liveness = resolveProbe(spec.probes.liveness, 'liveness', `${at}probes.liveness`, ports, refuser);
    if (spec.probes.startup !== undefined) probes.startup = resolveProbe(spec.probes.startup, 'startup', `${at}probes.startup`, ports, refuser);
  }
  if (!noProbes && !ctx.probesOptional) {
    if (!probes.readiness) {
      refuser.refuse('readiness-probe', `${at}probes.readiness`, 'a readiness probe is required: without it the pod gets traffic before it can serve, and keeps getting it when it cannot.', "add probes.readiness, e.g. { http: { path: '/readyz', port: 'http' } }, or relax with relaxations.noProbes: '<reason>'.");
    }
    if (!probes.liveness && !relaxed(relaxations, 'noLivenessProbe')) {
      refuser.refuse('liveness-probe', `${at}probes.liveness`, 'a liveness probe is required: without it a deadlocked process is never restarted.', "add probes.liveness, e.g. { http: { path: '/livez', port: 'http' } }, or relax with relaxations.noProbes: '<reason>'.");
    }
  }
  if (probes.readiness && probes.liveness && sameProbe(probes.readiness, probes.liveness)) {
    refuser.refuse('probes-distinct', `${at}probes.liveness`, 'liveness and readiness probes check the same thing: a dependency outage that fails readiness would then also restart every pod (cascading restarts).', distinctProbeFix(probes.readiness));
  }

  const notSecrets: { name: string; reason: string }[] = [];
  const env = resolveEnv(spec.env, `${at}env`, refuser, notSecrets);
  const timezone = spec.timezone ?? DEFAULTS.timezone;
  if (typeof timezone !== 'string' || !/^[A-Za-z0-9_+\-/]+$/.test(timezone)) {
    refuser.refuse('spec/timezone', `${at}timezone`, `${quote(timezone)} is not a time zone name.`, "use an IANA zone such as 'UTC' or 'Europe/Berlin'.");
  }
  env.push({ name: 'TZ', value: timezone });

  if (spec.secretFiles !== undefined && !Array.isArray(spec.secretFiles)) refuser.refuse('spec/secret-files', `${at}secretFiles`, 'secretFiles must be a list.', "give [{ secretName: 'db', mountPath: '/var/run/secrets/db' }].");
  const mounted: string[] = ['/tmp'];
  const secretFiles = (spec.secretFiles ?? []).map((s, i) => {
    const f = `${at}secretFiles[${i}]`;
    if (!isObject(s)) refuser.refuse('spec/secret-files', f, 'a secret file mount must be { secretName, mountPath }.', "give { secretName: 'db', mountPath: '/var/run/secrets/db' }.");
    checkDns1123SubdomainLike(s.secretName, `${f}.secretName`, refuser, true);
    const mountPath = canonicalPath(s.mountPath);
    if (!mountPath || mountPath === '/') {
      refuser.refuse('spec/mount-path', `${f}.mountPath`, `${quote(s.mountPath)} is not an absolute path below / ('..' may not climb above the root).`, "use e.g. '/var/run/secrets/db'.");
    }
    if (mounted.includes(mountPath!)) refuser.refuse('spec/mount-path', `${f}.mountPath`, `${mountPath} is mounted twice in this container (the API server rejects duplicate mount paths).`, 'mount each path once.');
    mounted.push(mountPath!);
    if (s.keys !== undefined) {
      if (!Array.isArray(s.keys)) refuser.refuse('spec/secret-files', `${f}.keys`, 'keys must be a list of Secret keys.', "give e.g. ['password'].");
      s.keys.forEach((k, j) => {
        if (!isConfigKey(k) || !isContainedRelativePath(k)) refuser.refuse('spec/secret-files', `${f}.keys[${j}]`, 'this is not a Secret key: keys are letters, digits, \'-\', \'_\' and \'.\', and the file they become must stay inside the mount (no \'/\' or \'..\'). The value is not shown in case it is a secret.', "give the key's name, e.g. 'password'.");
      });
      if (new Set(s.keys).size !== s.keys.length) refuser.refuse('spec/secret-files', `${f}.keys`, 'a key is listed twice.', 'list each key once.');
    }
    return Object.assign({}, s, { mountPath: mountPath!, keys: s.keys ? [...s.keys] : undefined });
  });

  const tmpSize = spec.tmpSizeLimit ?? DEFAULTS.tmpSizeLimit;
  checkQuantity(tmpSize, 'ephemeral-storage', `${at}tmpSizeLimit`, refuser);
  const writablePaths: ResolvedContainer['writablePaths'] = [{ volumeName: `${name}-tmp`, path: '/tmp', sizeLimit: tmpSize, inMemory: false }];
  if (spec.writablePaths !== undefined && !Array.isArray(spec.writablePaths)) refuser.refuse('spec/mount-path', `${at}writablePaths`, 'writablePaths must be a list.', "give [{ path: '/var/cache/app' }].");
  (spec.writablePaths ?? []).forEach((w, i) => {
    const f = `${at}writablePaths[${i}]`;
    const wpath = isObject(w) ? canonicalPath(w.path) : undefined;
    if (!wpath || wpath === '/') {
      refuser.refuse('spec/mount-path', `${f}.path`, `${quote(w?.path)} is not an absolute path below / ('..' may not climb above the root).`, "use e.g. '/var/cache/app'.");
    }
    if (mounted.includes(wpath!)) {
      refuser.refuse('spec/mount-path', `${f}.path`, `${wpath} is mounted twice in this container (the API server rejects duplicate mount paths).`, 'mount each path once.');
    }
    mounted.push(wpath!);
    const sizeLimit = w.sizeLimit ?? DEFAULTS.tmpSizeLimit;
    checkQuantity(sizeLimit, w.inMemory ? 'memory' : 'ephemeral-storage', `${f}.sizeLimit`, refuser);
    writablePaths.push({ volumeName: `${name}-w${i}`, path: wpath!, sizeLimit, inMemory: !!w.inMemory });
  });
  for (const w of writablePaths) {
    const vn: string = w.volumeName;
    if (vn.length > 63 || !isDns1123LabelName(vn as unknown)) {
      const len = vn.length;
      refuser.refuse('spec/dns-1123-name', `${at}name`, `the derived volume name ${quote(vn)} has ${len} characters; volume names are DNS-1123 labels of at most 63.`, `shorten the container name to at most ${63 - (len - name.length)} characters.`);
    }
  }
  // The emptyDirs count against ephemeral storage: their total must fit under the limit.
  const diskScratch = writablePaths.filter((w) => !w.inMemory).reduce((a, w) => a + (parseQuantity(w.sizeLimit) ?? 0), 0);
  if (diskScratch > resourceNumbers.limits['ephemeral-storage']) {
    refuser.refuse('ephemeral-storage-limits', `${at}resources.limits.ephemeralStorage`, `the writable paths (${writablePaths.map((w) => `${w.path}=${w.sizeLimit}`).join(', ')}) add up to more than the ephemeral-storage limit ${resources.limits.ephemeralStorage}: the pod would be evicted before they fill.`, 'raise limits.ephemeralStorage or shrink the writable paths.');
  }

  const asRoot = relaxed(relaxations, 'runAsRoot');
  const capabilitiesAdd = [...(relaxed(relaxations, 'addCapabilities')?.capabilities ?? [])];
  if (privilegedPorts && ports.some((p) => p.port < 1024) && !capabilitiesAdd.includes('NET_BIND_SERVICE')) capabilitiesAdd.push('NET_BIND_SERVICE');

  // Lists built by push are copied to their exact length: the resolved spec lives as long as the
  // app, and a pushed-to array keeps spare capacity.
  return {
    name,
    image,
    command: spec.command ? [...spec.command] : undefined,
    args: spec.args ? [...spec.args] : undefined,
    ports: ports.slice(),
    resources,
    resourceNumbers,
    probes,
    env: env.slice(),
    secretFiles,
    notSecrets,
    writablePaths: writablePaths.slice(),
    security: {
      runAsUser: asRoot ? 0 : ctx.user,
      runAsGroup: asRoot ? 0 : ctx.group,
      runAsNonRoot: !asRoot,
      readOnlyRootFilesystem: !relaxed(relaxations, 'writableRootFilesystem'),
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilitiesDrop: ['ALL'],
      capabilitiesAdd: capabilitiesAdd.slice(),
    },
  };
}
