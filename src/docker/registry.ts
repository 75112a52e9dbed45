import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { PlannedNetwork } from './connections';

/**
 * Connection networks are shared by the two ends of a connection, whichever is constructed first
 * creates it (one per program run: keyed by the engine connection, so runs under mocks in one
 * process stay apart). They are top-level resources named after the network, so their URN does
 * not depend on construction order.
 */
const registries = new WeakMap<object, Map<string, docker.Network>>();
const noEngine = {};

/** @internal */
export function networkFor(n: PlannedNetwork, labels: Record<string, string>, parent: pulumi.Resource): docker.Network {
  const labelList = Object.entries(labels).map(([label, value]) => ({ label, value }));
  const args: docker.NetworkArgs = { name: n.name, driver: 'bridge', internal: n.internal, options: n.options, labels: labelList };
  if (!n.shared) return new docker.Network(n.name, args, { parent });
  const key = (pulumi.runtime.getMonitor() as object | undefined) ?? noEngine;
  let reg = registries.get(key);
  if (!reg) registries.set(key, (reg = new Map()));
  let net = reg.get(n.name);
  if (!net) {
    net = new docker.Network(n.name, args);
    reg.set(n.name, net);
  }
  return net;
}
