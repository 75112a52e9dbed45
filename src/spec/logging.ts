import { createHash } from 'crypto';
import { ContainerSpec, EnvValue, ResolvedContainer, resolveContainer, ResourceSpec } from './container';
import { SizePreset } from './defaults';
import { Refuser } from './errors';
import { NetworkPeer } from './network';
import { refuseSecretsInProps } from './props-scan';
import { checkQuantity, parseQuantity } from './quantity';
import { quote } from './redact';
import { SecretKeyReference } from './secrets';
import { checkPeer } from './service';

/** Where the sidecar ships logs. Remote outputs name the network peer they reach (egress is opened to it). */
export type LogOutput =
  /** Streaming sidecar: re-emit to the sidecar's stdout, so `kubectl logs` and the node agent keep working. */
  | { readonly kind: 'stdout' }
  | { readonly kind: 'forward'; readonly host: string; readonly port?: number; readonly tls?: boolean; readonly sharedKey?: SecretKeyReference; readonly peer: NetworkPeer }
  | { readonly kind: 'loki'; readonly host: string; readonly port?: number; readonly tls?: boolean; readonly labels?: Record<string, string>; readonly tenantId?: string; readonly user?: string; readonly password?: SecretKeyReference; readonly peer: NetworkPeer }
  | { readonly kind: 'elasticsearch'; readonly host: string; readonly port?: number; readonly tls?: boolean; readonly index?: string; readonly user?: string; readonly password?: SecretKeyReference; readonly peer: NetworkPeer }
  | { readonly kind: 'http'; readonly host: string; readonly port?: number; readonly tls?: boolean; readonly uri?: string; readonly user?: string; readonly password?: SecretKeyReference; readonly peer: NetworkPeer };

/** Backend-neutral props of a Fluent Bit log shipper sidecar. */
export interface LoggingSidecarSpec {
  /** Directory the application writes its log files into (a shared, size-limited emptyDir). */
  readonly logPath: string;
  /**
   * Glob of the files to tail, inside logPath. The application must rotate them.
   * @default '*.log'
   */
  readonly files?: string;
  readonly output: LogOutput;
  /** Requests and limits of the sidecar, or a size preset. */
  readonly resources: ResourceSpec | SizePreset;
  /**
   * Fluent Bit image, pinned.
   * @default 'cr.fluentbit.io/fluent/fluent-bit:3.1.9'
   */
  readonly image?: string;
  /**
   * Size limit of the shared log directory (the kubelet evicts the pod beyond it).
   * @default '256Mi'
   */
  readonly volumeSize?: string;
  /**
   * In-memory buffer of the tail input before it pauses.
   * @default '5MB'
   */
  readonly memBufLimit?: string;
  /**
   * Total size of the filesystem buffer per output (oldest chunks dropped beyond it).
   * @default '64M'
   */
  readonly storageLimit?: string;
  /**
   * Parse each line as JSON (structured logs) or keep it as `log`.
   * @default 'json'
   */
  readonly parser?: 'json' | 'none';
  /**
   * Run as a native sidecar (init container with restartPolicy Always). Off by default: on 1.28
   * it needs the SidecarContainers feature gate, and without it the pod never starts.
   * @default false
   */
  readonly nativeSidecar?: boolean;
}

export interface ResolvedLoggingSidecar {
  readonly container: ResolvedContainer;
  readonly logPath: string;
  readonly volumeSize: string;
  readonly config: { readonly 'fluent-bit.conf': string; readonly 'parsers.conf': string };
  /** sha256 of the configuration: a change rolls the pods. */
  readonly configHash: string;
  readonly egress?: { readonly peer: NetworkPeer; readonly port: number };
  readonly nativeSidecar: boolean;
  readonly graceSeconds: number;
}

export const FLUENT_BIT_IMAGE = 'cr.fluentbit.io/fluent/fluent-bit:3.1.9';
const STATE = '/fluent-bit/state';
const GRACE = 5;
const HOST = /^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$/;
const SAFE = /^[A-Za-z0-9_.\-/]+$/;

function port(p: number | undefined, dflt: number, field: string, refuser: Refuser): number {
  const n = p ?? dflt;
  if (!Number.isInteger(n) || n < 1 || n > 65535) refuser.refuse('spec/port-range', field, `${quote(n)} is not a port number.`, 'use 1–65535.');
  return n;
}

/** Resolve the sidecar for a workload (`workload`, `namespace` name it in labels and tags). */
export function resolveLoggingSidecar(
  spec: LoggingSidecarSpec,
  ctx: { constructPath: string; workload: string; namespace: string; user: number; group: number },
): ResolvedLoggingSidecar {
  const refuser = new Refuser(ctx.constructPath);
  if (!spec || typeof spec !== 'object') refuser.refuse('spec/props', '', 'props are required.', 'give logPath, output and resources.');
  refuseSecretsInProps(spec, refuser, ['target']);
  if (typeof spec.logPath !== 'string' || !/^\/[A-Za-z0-9_.\-/]+$/.test(spec.logPath) || spec.logPath === '/') {
    refuser.refuse('spec/mount-path', 'logPath', `${quote(spec.logPath)} is not an absolute directory path.`, "use e.g. '/var/log/app'.");
  }
  const files = spec.files ?? '*.log';
  if (!/^[A-Za-z0-9_.*?\-[\]]+$/.test(files)) refuser.refuse('spec/logging', 'files', `${quote(files)} is not a file glob.`, "use e.g. '*.log'.");
  const volumeSize = spec.volumeSize ?? '256Mi';
  checkQuantity(volumeSize, 'ephemeral-storage', 'volumeSize', refuser);
  const memBufLimit = spec.memBufLimit ?? '5MB';
  const storageLimit = spec.storageLimit ?? '64M';
  for (const [k, v] of [['memBufLimit', memBufLimit], ['storageLimit', storageLimit]] as const) {
    if (!/^[0-9]+[KMG]?B?$/.test(v)) refuser.refuse('spec/logging', k, `${quote(v)} is not a Fluent Bit size.`, "use e.g. '5MB' or '64M'.");
  }
  const parser = spec.parser ?? 'json';

  const o = spec.output;
  if (!o || typeof o !== 'object') refuser.refuse('spec/logging', 'output', 'an output is required.', "use { kind: 'stdout' } (streaming sidecar) or a remote output with its peer.");
  const env: Record<string, EnvValue> = {};
  const out: string[] = ['[OUTPUT]', `    Name                     ${o.kind === 'elasticsearch' ? 'es' : o.kind}`, '    Match                    *'];
  let egress: ResolvedLoggingSidecar['egress'];
  if (o.kind === 'stdout') {
    out.push('    Format                   json_lines');
  } else if (['forward', 'loki', 'elasticsearch', 'http'].includes(o.kind)) {
    if (typeof o.host !== 'string' || o.host.length > 253 || !HOST.test(o.host)) refuser.refuse('spec/logging', 'output.host', `${quote((o as any).host)} is not a host name.`, "use e.g. 'loki.monitoring.svc.cluster.local'.");
    const dflt = { forward: 24224, loki: 3100, elasticsearch: 9200, http: 443 }[o.kind];
    const p = port(o.port, dflt, 'output.port', refuser);
    if (!o.peer) refuser.refuse('network-policy-required', 'output.peer', 'a remote output needs its network peer: the workload\'s NetworkPolicy blocks egress that is not declared, so logs would never leave the pod.', "give peer: Peer.namespace('monitoring', { 'app.kubernetes.io/name': 'loki' }) (or Peer.cidr(...)).");
    egress = { peer: checkPeer(o.peer, 'output.peer', refuser), port: p };
    out.push(`    Host                     ${o.host}`, `    Port                     ${p}`);
    const tls = o.tls ?? o.kind !== 'forward';
    out.push(`    tls                      ${tls ? 'On' : 'Off'}`);
    if (tls) out.push('    tls.verify               On');
    const secretEnv = (name: string, ref: SecretKeyReference | undefined, field: string) => {
      if (!ref) return undefined;
      if (typeof ref !== 'object' || typeof ref.name !== 'string' || typeof ref.key !== 'string') refuser.refuse('no-literal-secrets-in-env', field, 'output credentials are Secret references only.', "give { name: '<secret>', key: '<key>' }.");
      env[name] = { secret: { name: ref.name, key: ref.key } };
      return `\${${name}}`;
    };
    const user = (o as { user?: string }).user;
    if (user !== undefined && (typeof user !== 'string' || user.length > 253 || !SAFE.test(user))) refuser.refuse('spec/logging', 'output.user', `this is not a plain user name${typeof user === 'string' && user.includes(':') ? ' (it looks like user:password)' : ''}; the value is not shown in case it holds a password.`, "give the user name only (letters, digits and ._-/) and the password as a Secret reference: password: { name: '<secret>', key: '<key>' }.");
    if (o.kind === 'forward') {
      const key = secretEnv('FLB_FORWARD_SHARED_KEY', o.sharedKey, 'output.sharedKey');
      if (key) out.push(`    Shared_Key               ${key}`);
    } else {
      const pw = secretEnv('FLB_OUTPUT_PASSWORD', o.password, 'output.password');
      const userKey = o.kind === 'loki' ? 'http_user' : o.kind === 'elasticsearch' ? 'HTTP_User' : 'http_User';
      const pwKey = o.kind === 'loki' ? 'http_passwd' : o.kind === 'elasticsearch' ? 'HTTP_Passwd' : 'http_Passwd';
      if (user) out.push(`    ${userKey.padEnd(24)} ${user}`);
      if (pw) out.push(`    ${pwKey.padEnd(24)} ${pw}`);
      if (pw && !user) refuser.refuse('spec/logging', 'output.user', 'a password without a user.', 'give output.user.');
    }
    if (o.kind === 'loki') {
      const labels = { job: ctx.workload, namespace: ctx.namespace, ...(o.labels ?? {}) };
      for (const [k, v] of Object.entries(labels)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || typeof v !== 'string' || !SAFE.test(v)) refuser.refuse('spec/logging', `output.labels.${k}`, `${quote(k)}=${quote(v)} is not a valid Loki label.`, 'use [A-Za-z_][A-Za-z0-9_]* keys and plain values.');
      }
      out.push(`    Labels                   ${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ')}`, '    Line_Format              json');
      if (o.tenantId !== undefined) {
        if (!SAFE.test(o.tenantId)) refuser.refuse('spec/logging', 'output.tenantId', `${quote(o.tenantId)} is not a tenant id.`, 'use letters, digits and ._-/.');
        out.push(`    Tenant_ID                ${o.tenantId}`);
      }
    } else if (o.kind === 'elasticsearch') {
      const index = o.index ?? ctx.workload;
      if (!/^[a-z0-9][a-z0-9_.-]*$/.test(index)) refuser.refuse('spec/logging', 'output.index', `${quote(index)} is not an index name.`, 'use lowercase letters, digits, _ . -.');
      out.push(`    Index                    ${index}`, '    Suppress_Type_Name       On');
    } else if (o.kind === 'http') {
      const uri = o.uri ?? '/';
      if (!/^\/[A-Za-z0-9_.\-/~]*$/.test(uri)) refuser.refuse('spec/logging', 'output.uri', `${quote(uri)} is not a URI path.`, "use e.g. '/ingest'.");
      out.push(`    URI                      ${uri}`, '    Format                   json');
    }
    out.push('    Retry_Limit              False');
  } else {
    refuser.refuse('spec/logging', 'output.kind', `${quote((o as any).kind)} is not an output.`, 'use stdout, forward, loki, elasticsearch or http.');
  }
  out.push(`    storage.total_limit_size ${storageLimit}`);

  const conf = [
    '[SERVICE]',
    '    Flush                     1',
    `    Grace                     ${GRACE}`,
    '    Log_Level                 info',
    '    HTTP_Server               On',
    '    HTTP_Listen               0.0.0.0',
    '    HTTP_Port                 2020',
    '    Health_Check              On',
    `    storage.path              ${STATE}/buffer`,
    '    storage.sync              normal',
    '    storage.backlog.mem_limit 5M',
    '    Parsers_File              parsers.conf',
    '',
    '[INPUT]',
    '    Name              tail',
    `    Path              ${spec.logPath.replace(/\/$/, '')}/${files}`,
    `    Tag               ${ctx.workload}.*`,
    `    DB                ${STATE}/tail.db`,
    '    DB.locking        true',
    `    Mem_Buf_Limit     ${memBufLimit}`,
    '    Buffer_Chunk_Size 32k',
    '    Buffer_Max_Size   256k',
    '    Skip_Long_Lines   On',
    '    Refresh_Interval  10',
    '    Rotate_Wait       5',
    '    storage.type      filesystem',
    ...(parser === 'json' ? ['    Parser            json'] : []),
    '',
    ...out,
    '',
  ].join('\n');
  const parsers = ['[PARSER]', '    Name        json', '    Format      json', '    Time_Key    time', '    Time_Keep   On', ''].join('\n');
  const config = { 'fluent-bit.conf': conf, 'parsers.conf': parsers };
  const configHash = createHash('sha256').update(conf).update(parsers).digest('hex');

  const containerSpec: ContainerSpec = {
    name: 'fluent-bit',
    image: spec.image ?? FLUENT_BIT_IMAGE,
    ports: [{ name: 'fb-http', port: 2020 }],
    resources: spec.resources,
    env,
    // Readiness must not depend on the log backend: a backend outage would pull every app pod out
    // of its Service. Neither probe checks the output.
    probes: {
      readiness: { http: { path: '/', port: 'fb-http' } },
      liveness: { http: { path: '/api/v1/uptime', port: 'fb-http' }, periodSeconds: 20 },
    },
    writablePaths: [{ path: STATE, sizeLimit: '128Mi' }],
  };
  const container = resolveContainer(containerSpec, { refuser, field: 'sidecar', relaxations: [], user: ctx.user, group: ctx.group }, 'fluent-bit');
  if ((parseQuantity(volumeSize) ?? 0) <= 0) refuser.refuse('spec/logging', 'volumeSize', 'the log volume needs a size.', "use e.g. '256Mi'.");
  return { container, logPath: spec.logPath.replace(/\/$/, ''), volumeSize, config, configHash, egress, nativeSidecar: !!spec.nativeSidecar, graceSeconds: GRACE + 5 };
}
