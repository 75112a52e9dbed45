import { stringify } from 'yaml';
import { defaultRuleSet, evaluateKubernetes } from '../../../src';
import { parseText } from '../../../src/cli/load';

/**
 * Pod Security "restricted" as the admission controller applies it (the published Pod Security
 * Standards, https://kubernetes.io/docs/concepts/security/pod-security-standards/, and the cases
 * of the upstream admission policy tests that apply to these controls): pod- and container-level
 * inheritance, over containers, initContainers and ephemeralContainers. Each row is a pod and
 * whether "restricted" admits it; the rule must agree.
 */
const ruleSet = defaultRuleSet();

type Row = [name: string, spec: Record<string, any>, admitted: boolean];

function outcome(rule: string, spec: object): boolean {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec };
  const { objects } = parseText(stringify(pod), 'pod.yaml');
  return evaluateKubernetes(objects, ruleSet).filter((f) => f.ruleId === rule).length === 0;
}

const c = (sc?: object, name = 'c') => ({ name, image: 'registry.example/app:1.0.0', ...(sc ? { securityContext: sc } : {}) });

describe('restricted: runAsNonRoot and runAsUser (rule run-as-non-root)', () => {
  test.each<Row>([
    ['pod runAsNonRoot true, containers unset', { securityContext: { runAsNonRoot: true }, containers: [c()], initContainers: [c(undefined, 'i')] }, true],
    ['every container runAsNonRoot true, pod unset', { containers: [c({ runAsNonRoot: true })], initContainers: [c({ runAsNonRoot: true }, 'i')] }, true],
    ['pod true, container runAsUser 1000', { securityContext: { runAsNonRoot: true }, containers: [c({ runAsUser: 1000 })] }, true],
    ['runAsUser 10001 without runAsNonRoot', { containers: [c({ runAsUser: 10001 })] }, false],
    ['pod runAsUser 10001 without runAsNonRoot', { securityContext: { runAsUser: 10001 }, containers: [c()] }, false],
    ['nothing set', { containers: [c()] }, false],
    ['pod true, container false', { securityContext: { runAsNonRoot: true }, containers: [c({ runAsNonRoot: false })] }, false],
    ['pod true, initContainer false', { securityContext: { runAsNonRoot: true }, containers: [c()], initContainers: [c({ runAsNonRoot: false }, 'i')] }, false],
    ['pod true, ephemeralContainer false', { securityContext: { runAsNonRoot: true }, containers: [c()], ephemeralContainers: [c({ runAsNonRoot: false }, 'e')] }, false],
    ['container true, initContainer unset, pod unset', { containers: [c({ runAsNonRoot: true })], initContainers: [c(undefined, 'i')] }, false],
    ['container true, ephemeralContainer unset, pod unset', { containers: [c({ runAsNonRoot: true })], ephemeralContainers: [c(undefined, 'e')] }, false],
    ['pod false, every container true', { securityContext: { runAsNonRoot: false }, containers: [c({ runAsNonRoot: true })] }, false],
    ['pod runAsUser 0, containers override with 1000', { securityContext: { runAsNonRoot: true, runAsUser: 0 }, containers: [c({ runAsUser: 1000 })] }, false],
    ['container runAsUser 0', { securityContext: { runAsNonRoot: true }, containers: [c({ runAsUser: 0 })] }, false],
    ['initContainer runAsUser 0', { securityContext: { runAsNonRoot: true }, containers: [c()], initContainers: [c({ runAsUser: 0 }, 'i')] }, false],
  ])('%s: admitted %s', (_n, spec, admitted) => {
    expect(outcome('run-as-non-root', spec)).toBe(admitted);
  });
});

describe('restricted: seccompProfile (rule seccomp-runtime-default)', () => {
  test.each<Row>([
    ['pod RuntimeDefault', { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [c()], initContainers: [c(undefined, 'i')] }, true],
    ['pod Localhost', { securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } }, containers: [c()] }, true],
    ['every container RuntimeDefault, pod unset', { containers: [c({ seccompProfile: { type: 'RuntimeDefault' } })] }, true],
    ['nothing set', { containers: [c()] }, false],
    ['pod RuntimeDefault, container Unconfined', { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [c({ seccompProfile: { type: 'Unconfined' } })] }, false],
    ['pod RuntimeDefault, ephemeralContainer Unconfined', { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [c()], ephemeralContainers: [c({ seccompProfile: { type: 'Unconfined' } }, 'e')] }, false],
    ['container RuntimeDefault, initContainer unset, pod unset', { containers: [c({ seccompProfile: { type: 'RuntimeDefault' } })], initContainers: [c(undefined, 'i')] }, false],
    ['pod Unconfined, every container RuntimeDefault', { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [c({ seccompProfile: { type: 'RuntimeDefault' } })] }, false],
    ['windows pod, nothing set', { os: { name: 'windows' }, containers: [c()] }, true],
  ])('%s: admitted %s', (_n, spec, admitted) => {
    expect(outcome('seccomp-runtime-default', spec)).toBe(admitted);
  });
});

describe('restricted: allowPrivilegeEscalation (rule no-privilege-escalation)', () => {
  test.each<Row>([
    ['every container false', { containers: [c({ allowPrivilegeEscalation: false })], initContainers: [c({ allowPrivilegeEscalation: false }, 'i')] }, true],
    ['unset', { containers: [c()] }, false],
    ['true', { containers: [c({ allowPrivilegeEscalation: true })] }, false],
    ['initContainer unset', { containers: [c({ allowPrivilegeEscalation: false })], initContainers: [c(undefined, 'i')] }, false],
    ['ephemeralContainer unset', { containers: [c({ allowPrivilegeEscalation: false })], ephemeralContainers: [c(undefined, 'e')] }, false],
    ['windows pod, unset', { os: { name: 'windows' }, containers: [c()] }, true],
  ])('%s: admitted %s', (_n, spec, admitted) => {
    expect(outcome('no-privilege-escalation', spec)).toBe(admitted);
  });
});

describe('restricted: capabilities (rules drop-all-capabilities, restrict-added-capabilities)', () => {
  const both = (spec: object) => outcome('drop-all-capabilities', spec) && outcome('restrict-added-capabilities', spec);
  test.each<Row>([
    ['drop ALL', { containers: [c({ capabilities: { drop: ['ALL'] } })] }, true],
    ['drop ALL, add NET_BIND_SERVICE', { containers: [c({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } })] }, true],
    ['no drop', { containers: [c()] }, false],
    ['drop ALL, add NET_RAW', { containers: [c({ capabilities: { drop: ['ALL'], add: ['NET_RAW'] } })] }, false],
    ['initContainer without drop', { containers: [c({ capabilities: { drop: ['ALL'] } })], initContainers: [c(undefined, 'i')] }, false],
    ['ephemeralContainer adds SYS_ADMIN', { containers: [c({ capabilities: { drop: ['ALL'] } })], ephemeralContainers: [c({ capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } }, 'e')] }, false],
  ])('%s: admitted %s', (_n, spec, admitted) => {
    expect(both(spec)).toBe(admitted);
  });
});

describe('baseline: privileged and host namespaces', () => {
  test.each<[string, string, Record<string, any>, boolean]>([
    ['no-privileged', 'privileged initContainer', { containers: [c()], initContainers: [c({ privileged: true }, 'i')] }, false],
    ['no-privileged', 'privileged ephemeralContainer', { containers: [c()], ephemeralContainers: [c({ privileged: true }, 'e')] }, false],
    ['no-privileged', 'privileged: false', { containers: [c({ privileged: false })] }, true],
    ['no-host-network', 'hostNetwork', { hostNetwork: true, containers: [c()] }, false],
    ['no-host-pid', 'hostPID', { hostPID: true, containers: [c()] }, false],
    ['no-host-ipc', 'hostIPC', { hostIPC: true, containers: [c()] }, false],
    ['no-host-network', 'hostNetwork: false', { hostNetwork: false, containers: [c()] }, true],
  ])('%s: %s admitted %s', (rule, _n, spec, admitted) => {
    expect(outcome(rule, spec)).toBe(admitted);
  });
});
