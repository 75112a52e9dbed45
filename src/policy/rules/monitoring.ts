import { arr, longRunning, rule, v } from './helpers';
import { ContainerView, Rule, Violation } from '../types';

const PROBES = ['readinessProbe', 'livenessProbe', 'startupProbe'] as const;

function portDeclared(c: ContainerView, port: unknown): boolean {
  return arr(c.container.ports).some((p) => p?.containerPort === port || (typeof port === 'string' && p?.name === port));
}

/** Same check, whatever the timings (kube-score's semantics: named HTTP ports compare equal). */
function sameHandler(r: any, l: any): boolean {
  if (r.httpGet && l.httpGet) {
    const port = (p: unknown) => (typeof p === 'number' ? p : 0);
    return r.httpGet.path === l.httpGet.path && port(r.httpGet.port) === port(l.httpGet.port);
  }
  if (r.tcpSocket && l.tcpSocket) return r.tcpSocket.port === l.tcpSocket.port;
  if (r.grpc && l.grpc) return r.grpc.port === l.grpc.port && r.grpc.service === l.grpc.service;
  if (r.exec && l.exec) return JSON.stringify(r.exec.command) === JSON.stringify(l.exec.command);
  return false;
}

export const monitoringRules: Rule[] = [
  rule({
    id: 'readiness-probe',
    category: 'monitoring-and-logging',
    severity: 'error',
    title: 'Long-running containers have a readiness probe',
    rationale: 'Without one the pod receives traffic before it can serve and keeps receiving it when it cannot; rollouts proceed onto broken pods.',
    fix: 'Add readinessProbe (e.g. httpGet /readyz on a named port).',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['readinessProbeMissing'], kubeScore: ['pod-probes'], kubeLinter: ['no-readiness-probe'] },
    checkContainer: (c, pod) => (longRunning(c, pod) && !c.container.readinessProbe ? [v(`${c.path}.readinessProbe`, `container '${c.container.name}' has no readiness probe`)] : []),
  }),
  rule({
    id: 'liveness-probe',
    category: 'monitoring-and-logging',
    severity: 'warning',
    title: 'Long-running containers have a liveness probe / health check',
    rationale: 'Without one a deadlocked process is never restarted; "running" is not "healthy".',
    fix: 'Add livenessProbe (Kubernetes) or a healthcheck (Docker), checking something cheaper than readiness.',
    appliesTo: 'both',
    anchors: { polaris: ['livenessProbeMissing'], kubeScore: ['pod-probes'], kubeLinter: ['no-liveness-probe'], cisDocker: ['5.27', '4.6'] },
    checkContainer: (c, pod) => (longRunning(c, pod) && !c.container.livenessProbe ? [v(`${c.path}.livenessProbe`, `container '${c.container.name}' has no liveness probe`)] : []),
    checkDocker: (c) => (c.runsToCompletion || (c.healthcheck && c.healthcheck !== 'disabled') ? [] : [v('healthcheck', `container '${c.name}' has ${c.healthcheck === 'disabled' ? 'its health check disabled' : 'no health check'}`)]),
  }),
  rule({
    id: 'probes-distinct',
    category: 'monitoring-and-logging',
    severity: 'error',
    title: 'Readiness and liveness probes differ',
    rationale: 'Identical probes restart every pod when a shared dependency fails readiness: an outage becomes a restart storm.',
    fix: "Check liveness on a different, cheaper endpoint ('/livez' vs '/readyz'), port or command.",
    appliesTo: 'kubernetes',
    anchors: { kubeScore: ['pod-probes-identical'] },
    checkContainer: (c) => (c.container.readinessProbe && c.container.livenessProbe && sameHandler(c.container.readinessProbe, c.container.livenessProbe) ? [v(`${c.path}.livenessProbe`, `container '${c.container.name}' checks the same thing for readiness and liveness`)] : []),
  }),
  rule({
    id: 'probe-ports-declared',
    category: 'monitoring-and-logging',
    severity: 'error',
    title: 'Probes target declared container ports',
    rationale: 'A probe on a port the container does not declare usually checks nothing that listens, and fails forever.',
    fix: 'Point the probe at a declared containerPort, preferably by name.',
    appliesTo: 'kubernetes',
    anchors: { kubeLinter: ['liveness-port', 'readiness-port', 'startup-port'] },
    checkContainer: (c) => PROBES.flatMap((k): Violation[] => {
      const p = c.container[k];
      if (!p || typeof p !== 'object') return [];
      const port = p.httpGet?.port ?? p.tcpSocket?.port ?? p.grpc?.port;
      // A numeric port needs no declaration (the kubelet probes it directly); a named port must resolve.
      if (port === undefined || typeof port === 'number') return [];
      return portDeclared(c, port) ? [] : [v(`${c.path}.${k}`, `${k} of '${c.container.name}' targets port name '${port}', which no containerPort declares`)];
    }),
  }),
  rule({
    id: 'probe-host-unset',
    category: 'monitoring-and-logging',
    severity: 'warning',
    title: 'Probes and lifecycle hooks do not set a host',
    rationale: 'A probe with a host checks some other machine, and can be used to make the kubelet reach into the node\'s network (Pod Security baseline from 1.34).',
    fix: 'Remove httpGet.host / tcpSocket.host.',
    appliesTo: 'kubernetes',
    anchors: { podSecurity: ['baseline:hostProbesAndhostLifecycle (1.34+)'] },
    checkContainer: (c) => {
      const handlers: [string, any][] = PROBES.map((k) => [k, c.container[k]]);
      handlers.push(['lifecycle.postStart', c.container.lifecycle?.postStart], ['lifecycle.preStop', c.container.lifecycle?.preStop]);
      return handlers.flatMap(([k, h]) => (h && (h.httpGet?.host || h.tcpSocket?.host) ? [v(`${c.path}.${k}`, `${k} of '${c.container.name}' sets a host`)] : []));
    },
  }),
  rule({
    id: 'log-rotation',
    category: 'monitoring-and-logging',
    severity: 'warning',
    title: 'Local container logs are rotated',
    rationale: 'The json-file driver keeps logs forever unless max-size is set: they fill the host disk and take every container down.',
    fix: "Set logging driver json-file or local with options max-size (e.g. '10m') and max-file (e.g. '3'), or ship logs with a remote driver.",
    appliesTo: 'docker',
    anchors: {},
    checkDocker: (c) => {
      const driver = c.logDriver ?? 'json-file';
      if (driver !== 'json-file' && driver !== 'local') return [];
      if (driver === 'local') return [];
      return c.logOpts?.['max-size'] ? [] : [v('logOpts.max-size', `container '${c.name}' uses ${driver} without max-size`)];
    },
  }),
  rule({
    id: 'centralized-logging',
    category: 'monitoring-and-logging',
    severity: 'info',
    title: 'Logs are shipped off the host',
    rationale: 'Logs kept only on the host vanish with it and cannot be searched across replicas.',
    fix: 'Use a remote log driver (fluentd, gelf, …) or a Fluent Bit sidecar.',
    appliesTo: 'docker',
    anchors: { cisDocker: ['2.13'] },
    checkDocker: (c) => {
      const driver = c.logDriver ?? 'json-file';
      return driver === 'json-file' || driver === 'local' || driver === 'none' ? [v('logDriver', `container '${c.name}' keeps its logs on the host (${driver})`)] : [];
    },
  }),
];
