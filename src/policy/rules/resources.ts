import { rule, v } from './helpers';
import { parseQuantity } from '../../spec/quantity';
import { ContainerView, Rule } from '../types';

function amount(c: ContainerView, side: 'requests' | 'limits', res: string): unknown {
  const r = c.container.resources?.[side];
  return r && typeof r === 'object' ? r[res] : undefined;
}

function resourceRule(id: string, side: 'requests' | 'limits', res: 'cpu' | 'memory', anchors: Rule['anchors'], docker?: Rule['checkDocker']): Rule {
  const what = res === 'cpu' ? 'CPU' : 'memory';
  return rule({
    id,
    category: 'resources',
    severity: 'error',
    title: `Every container sets a ${what} ${side === 'requests' ? 'request' : 'limit'}`,
    rationale: side === 'requests'
      ? `Without a ${what} request the scheduler places pods blind and overcommits nodes; under pressure those pods are evicted first.`
      : `Without a ${what} limit one container can ${res === 'memory' ? 'exhaust node memory and trigger the OOM killer on its neighbours' : 'starve its neighbours of CPU (noisy neighbour)'}.`,
    fix: `Set resources.${side}.${res} on every container, init containers and sidecars included${docker ? ` (Docker: ${res === 'cpu' ? '--cpus' : '--memory'})` : ''}.`,
    appliesTo: docker ? 'both' : 'kubernetes',
    anchors,
    checkContainer: (c) => (parseQuantity(amount(c, side, res)) === undefined ? [v(`${c.path}.resources.${side}.${res}`, `container '${c.container.name}' has no ${what} ${side === 'requests' ? 'request' : 'limit'}`)] : []),
    checkDocker: docker,
  });
}

export const resourceRules: Rule[] = [
  resourceRule('cpu-requests', 'requests', 'cpu', { polaris: ['cpuRequestsMissing'], kubeScore: ['container-resources'], kubeLinter: ['unset-cpu-requirements'], cisDocker: ['5.12'] },
    (c) => (c.cpuShares || c.cpus ? [] : [v('cpuShares', `container '${c.name}' has neither cpu shares nor a CPU limit`)])),
  resourceRule('cpu-limits', 'limits', 'cpu', { polaris: ['cpuLimitsMissing'], kubeScore: ['container-resources'], cisDocker: ['5.12'] },
    (c) => (c.cpus ? [] : [v('cpus', `container '${c.name}' has no CPU limit`)])),
  resourceRule('memory-requests', 'requests', 'memory', { polaris: ['memoryRequestsMissing'], kubeScore: ['container-resources'] }),
  resourceRule('memory-limits', 'limits', 'memory', { polaris: ['memoryLimitsMissing'], kubeScore: ['container-resources'], kubeLinter: ['unset-memory-requirements'], cisDocker: ['5.11'] },
    (c) => {
      if (!c.memory) return [v('memory', `container '${c.name}' has no memory limit`)];
      if (c.memorySwap !== undefined && c.memorySwap !== c.memory) return [v('memorySwap', `container '${c.name}' may swap beyond its memory limit (memorySwap ${c.memorySwap} ≠ memory ${c.memory})`)];
      return [];
    }),
  rule({
    id: 'ephemeral-storage-limits',
    category: 'resources',
    severity: 'error',
    title: 'Every container sets an ephemeral-storage request and limit',
    rationale: 'Logs, the writable layer and emptyDirs fill the node\'s disk; without a limit one pod can make the node evict everything.',
    fix: 'Set resources.requests and resources.limits ephemeral-storage on every container.',
    appliesTo: 'kubernetes',
    anchors: { kubeScore: ['container-ephemeral-storage-request-and-limit'] },
    checkContainer: (c) => (['requests', 'limits'] as const)
      .filter((side) => parseQuantity(amount(c, side, 'ephemeral-storage')) === undefined)
      .map((side) => v(`${c.path}.resources.${side}.ephemeral-storage`, `container '${c.container.name}' has no ephemeral-storage ${side === 'requests' ? 'request' : 'limit'}`)),
  }),
  rule({
    id: 'requests-within-limits',
    category: 'resources',
    severity: 'error',
    title: 'Requests do not exceed limits',
    rationale: 'Kubernetes rejects a pod whose request exceeds its limit, so the rollout stalls at apply time.',
    fix: 'Lower the request or raise the limit.',
    appliesTo: 'kubernetes',
    anchors: {},
    checkContainer: (c) => ['cpu', 'memory', 'ephemeral-storage'].flatMap((res) => {
      const r = parseQuantity(amount(c, 'requests', res));
      const l = parseQuantity(amount(c, 'limits', res));
      return r !== undefined && l !== undefined && r > l ? [v(`${c.path}.resources.requests.${res}`, `container '${c.container.name}' requests more ${res} than its limit`)] : [];
    }),
  }),
  rule({
    id: 'pids-limit',
    category: 'resources',
    severity: 'warning',
    title: 'A PIDs limit is set',
    rationale: 'Without a PIDs limit a fork bomb in one container exhausts the host\'s process table.',
    fix: 'Run with --pids-limit (compose: pids_limit / deploy.resources.limits.pids). The Pulumi Docker provider cannot set it: set default-pids-limit in the Docker daemon configuration instead.',
    appliesTo: 'docker',
    anchors: { cisDocker: ['5.29'] },
    checkDocker: (c) => (c.pidsLimit && c.pidsLimit > 0 ? [] : [v('pidsLimit', `container '${c.name}' has no PIDs limit`)]),
  }),
];
