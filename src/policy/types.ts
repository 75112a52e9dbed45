import type { DockerfileView } from './dockerfile';
/**
 * The typed rule interface. Built-in rules and organisation rules are the same kind of object:
 * metadata (what, why, how to fix, which anchor-tool checks it mirrors) plus check functions
 * over Kubernetes objects and/or Docker containers.
 */

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
export const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

export type RuleCategory =
  | 'identity-and-privilege'
  | 'host-isolation'
  | 'resources'
  | 'availability'
  | 'networking'
  | 'image-management'
  | 'monitoring-and-logging';

export type AppliesTo = 'kubernetes' | 'docker' | 'both';

/** Ids of the same check in the anchor tools. */
export interface AnchorIds {
  readonly polaris?: readonly string[];
  readonly kubeScore?: readonly string[];
  readonly kubeLinter?: readonly string[];
  /** Pod Security Standards control, e.g. `restricted:allowPrivilegeEscalation`. */
  readonly podSecurity?: readonly string[];
  /** CIS Docker Benchmark 1.6.0 ids, e.g. `5.5`. */
  readonly cisDocker?: readonly string[];
}

/** A public source a rule rests on (a benchmark, a guide, a documentation page). */
export interface RuleReference {
  readonly title: string;
  /** An https URL anyone can open. */
  readonly url: string;
}

/** A Kubernetes object as plain JSON. */
export interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: any;
}

/** One problem a check found. */
export interface Violation {
  /** JSON path inside the object (or Docker container), e.g. `spec.template.spec.containers[0].image`. */
  readonly path: string;
  readonly message: string;
  /** 1-based line in the source, where the check knows it (Dockerfiles). */
  readonly line?: number;
}

/** A container of a pod-bearing object, with its JSON path. */
export interface ContainerView {
  readonly container: any;
  readonly path: string;
  readonly kind: 'container' | 'initContainer' | 'ephemeralContainer';
  /** Native sidecar (an init container with restartPolicy Always): long-running. */
  readonly sidecar: boolean;
}

/** The pod of a workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob). */
export interface PodView {
  readonly object: K8sObject;
  readonly spec: any;
  /** Path of the pod spec, e.g. `spec.template.spec`. */
  readonly specPath: string;
  /** Labels of the pod (template). */
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly containers: readonly ContainerView[];
  /** Pods of Jobs and CronJobs run to completion: no probes, no replicas. */
  readonly runsToCompletion: boolean;
  readonly namespace: string;
}

/** Read-only view of everything evaluated together, for rules that need related objects. */
export interface EvaluationContext {
  readonly objects: readonly K8sObject[];
  /** All pod views. */
  readonly pods: readonly PodView[];
  ofKind(kind: string): readonly K8sObject[];
  /** Pod view of a workload object, if it has one. */
  podOf(obj: K8sObject): PodView | undefined;
  namespaceOf(obj: K8sObject): string;
  /** Does a label selector (matchLabels + matchExpressions) select these labels? */
  selects(selector: any, labels: Record<string, string>): boolean;
  /** The object of a kind with this name in this namespace ('' for cluster-scoped). */
  find(kind: string, namespace: string, name: string): K8sObject | undefined;
  /**
   * Objects of `kind`, grouped by a key (memoized per kind and key function: pass a stable
   * function, not a closure created per call).
   */
  indexBy(kind: string, key: (o: K8sObject) => string | undefined): ReadonlyMap<string, readonly K8sObject[]>;
  /** Objects of `kind` in the pod's namespace whose label selector at `selectorOf` selects the pod. */
  selecting(kind: string, pod: PodView, selectorOf: (o: K8sObject) => unknown): readonly K8sObject[];
  /** Pods in `namespace` selected by a label selector. */
  podsSelectedBy(namespace: string, selector: unknown): readonly PodView[];
}

/** A port of a Docker container; `external` set when published on the host. */
export interface DockerPort {
  readonly internal: number;
  readonly external?: number;
  readonly ip?: string;
  readonly protocol?: string;
}

/** The Docker-side model: one container as the Docker backend or a compose file describes it. */
export interface DockerContainer {
  readonly name: string;
  readonly image?: string;
  readonly user?: string;
  readonly readOnly?: boolean;
  readonly privileged?: boolean;
  readonly capAdd?: readonly string[];
  readonly capDrop?: readonly string[];
  readonly securityOpts?: readonly string[];
  /** Bytes. */
  readonly memory?: number;
  readonly memorySwap?: number;
  readonly memoryReservation?: number;
  readonly cpus?: number;
  readonly cpuShares?: number;
  readonly pidsLimit?: number;
  readonly restart?: string;
  readonly maxRetryCount?: number;
  /** undefined: none; `disabled`: explicitly off. */
  readonly healthcheck?: { readonly test: readonly string[] } | 'disabled';
  readonly logDriver?: string;
  readonly logOpts?: Readonly<Record<string, string>>;
  readonly ports?: readonly DockerPort[];
  readonly networkMode?: string;
  readonly pidMode?: string;
  readonly ipcMode?: string;
  readonly utsMode?: string;
  readonly usernsMode?: string;
  readonly cgroupParent?: string;
  readonly devices?: readonly string[];
  readonly sysctls?: Readonly<Record<string, string>>;
  readonly mounts?: readonly { readonly type: 'bind' | 'volume' | 'tmpfs'; readonly source?: string; readonly target: string; readonly readOnly?: boolean; readonly propagation?: string }[];
  readonly env?: Readonly<Record<string, string>>;
  /** Names of env vars whose value is a secret reference (not a literal). */
  readonly secretEnv?: readonly string[];
  readonly networks?: readonly string[];
  /** Rule id → reason, from labels `hardened-constructs.io/suppress.<id>`. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Where it came from (file path), for reports. */
  readonly source?: string;
  /** A one-shot container (a backup run): it needs no health check. */
  readonly runsToCompletion?: boolean;
  /** Compose `build:` context: the image is built here, not pulled. */
  readonly build?: string;
  /** Where its fields are in the source (audit): see `SourcedObject.locate`. */
  readonly locate?: Locator;
}

/** A rule of the catalogue (built-in or your own). */
export interface Rule {
  /** kebab-case, unique. */
  readonly id: string;
  readonly category: RuleCategory;
  readonly severity: Severity;
  readonly title: string;
  /** Why it matters in production. */
  readonly rationale: string;
  readonly fix: string;
  readonly appliesTo: AppliesTo;
  readonly anchors: AnchorIds;
  /**
   * Public sources (CIS benchmarks, NSA/CISA guidance, Kubernetes and Docker documentation, OWASP,
   * the anchor tools' check pages). Every built-in rule has at least one; shown by `hardened explain`,
   * `hardened rules --format json`, docs/rules.md and SARIF (`helpUri`).
   */
  readonly references?: readonly RuleReference[];
  /** Kinds `checkObject` looks at (skip the rest, for speed). Omit for every kind. */
  readonly kinds?: readonly string[];
  /** Check one Kubernetes object. */
  checkObject?(obj: K8sObject, ctx: EvaluationContext): Violation[];
  /** Check the pod of a workload once (pod-level fields). */
  checkPod?(pod: PodView, ctx: EvaluationContext): Violation[];
  /** Check every container of every pod. */
  checkContainer?(c: ContainerView, pod: PodView, ctx: EvaluationContext): Violation[];
  /** Check one Docker container. */
  checkDocker?(c: DockerContainer): Violation[];
  /** Check one Dockerfile. */
  checkDockerfile?(df: DockerfileView): Violation[];
}

/** The metadata of a rule, as listed by `hardened rules`. */
export type RuleMetadata = Pick<Rule, 'id' | 'category' | 'severity' | 'title' | 'rationale' | 'fix' | 'appliesTo' | 'anchors' | 'references'>;

/** A 1-based position range in a source file. */
export interface SourceLocation {
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}

/** Source positions of an object (audit): the object, and the field at a violation path when it exists. */
export type Locator = (path: string) => { readonly object: SourceLocation; readonly field?: SourceLocation } | undefined;

/** A finding: a rule violated by one object. */
export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly title: string;
  readonly message: string;
  readonly fix: string;
  readonly path: string;
  readonly object: { readonly apiVersion?: string; readonly kind?: string; readonly namespace?: string; readonly name?: string };
  /** File the object came from (audit) or construct path (synth). */
  readonly file?: string;
  /** Audit: where the offending field is (or, when the path does not resolve, the nearest node on it). */
  readonly location?: SourceLocation;
  /** Audit: where the object starts. */
  readonly objectLocation?: SourceLocation;
  /** Set when a suppression annotation matched; such findings do not fail anything. */
  readonly suppressed?: { readonly by: string; readonly reason: string };
}
