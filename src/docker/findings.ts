import type * as pulumi from '@pulumi/pulumi';
import { DockerContainerArgs } from './render';
import { Finding } from '../policy/types';
import { DOMAIN } from '../spec/defaults';

/** Label prefix of the findings written onto the containers they concern (`docker inspect` shows them). */
export const FINDING_LABEL_PREFIX = `${DOMAIN}/finding.`;

/**
 * Write every unsuppressed finding onto the containers it names, as a label
 * `hardened-constructs.io/finding.<rule>`, so nothing the Docker rendering cannot carry is dropped
 * silently: it is in the registered inputs (and `recordResources`) and on the running container.
 * @internal
 */
export function labelFindings(plans: readonly { args: DockerContainerArgs }[], findings: readonly Finding[]): void {
  // One pass over the findings, indexed by container name then rule (linear in plans + findings:
  // a service with thousands of replicas has thousands of findings).
  const byName = new Map<string, Map<string, Set<string>>>();
  for (const f of findings) {
    if (f.suppressed || f.severity === 'error') continue;
    const name = f.object.name ?? '';
    let byRule = byName.get(name);
    if (!byRule) byName.set(name, byRule = new Map());
    let messages = byRule.get(f.ruleId);
    if (!messages) byRule.set(f.ruleId, messages = new Set());
    messages.add(f.message);
  }
  for (const p of plans) {
    for (const [rule, messages] of byName.get(p.args.name) ?? []) p.args.labels.push({ label: `${FINDING_LABEL_PREFIX}${rule}`, value: [...messages].join(' | ') });
  }
}

/**
 * Log findings the way `pulumi preview` shows them: warnings through `pulumi.log.warn`, info
 * through `pulumi.log.info`, one line per rule and message (replicas grouped).
 * @internal
 */
export function logFindings(resource: pulumi.Resource, component: string, findings: readonly Finding[]): void {
  const groups = new Map<string, { f: Finding; names: string[] }>();
  for (const f of findings) {
    if (f.suppressed || f.severity === 'error') continue;
    const name = f.object.name ?? '';
    const key = `${f.severity}\u0000${f.ruleId}\u0000${name ? f.message.split(name).join('\u0001') : f.message}`;
    const g = groups.get(key);
    if (g) g.names.push(name);
    else groups.set(key, { f, names: [name] });
  }
  // Loaded here, not at the top: labelFindings is part of the Pulumi-free planning (./plan).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const log = (require('@pulumi/pulumi') as typeof import('@pulumi/pulumi')).log;
  for (const { f, names } of groups.values()) {
    const message = names.length > 1 && names[0] ? f.message.split(names[0]).join('<each>') : f.message;
    const msg = `${f.ruleId}: ${component}: ${names.filter(Boolean).join(', ')}: ${message} (fix: ${f.fix})`;
    if (f.severity === 'warning') void log.warn(msg, resource);
    else void log.info(msg, resource);
  }
}
