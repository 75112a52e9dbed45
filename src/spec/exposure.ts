import { CanonicalCidr, canonicalCidr, coversEverything } from './cidr';
import { Refuser } from './errors';
import { checkDns1123Label, checkReason } from './names';
import { NetworkPeer } from './network';
import { checkPeer } from './service';

/**
 * Exposure: how traffic from outside the namespace reaches a service. Three typed entries, each
 * admitted by the service's NetworkPolicy exactly (and nothing else):
 * - an `Ingress` (the ingress controller's pods are admitted on the pod port),
 * - a Gateway API `HTTPRoute`/`GRPCRoute` attached to an existing Gateway (the gateway's data-plane
 *   pods are admitted),
 * - a `LoadBalancer` Service, only as an explicit, reasoned choice with source ranges (admitted as
 *   ipBlocks).
 */

/** A LoadBalancer Service: an explicit choice, with the client ranges it serves. */
export interface LoadBalancerSpec {
  /**
   * Why this service needs its own cloud load balancer rather than an Ingress or a Gateway route
   * (≥ 10 characters; written into the Service as `hardened-constructs.io/exposure`).
   */
  readonly reason: string;
  /**
   * Client CIDRs (`spec.loadBalancerSourceRanges`); the NetworkPolicy admits exactly these as
   * ipBlocks (with `externalTrafficPolicy: Local`, so the pods see client addresses).
   */
  readonly sourceRanges: string[];
  /**
   * Names of the ports exposed.
   * @default - every port of the main container
   */
  readonly ports?: string[];
  /**
   * Accept source ranges that cover every address (`0.0.0.0/0`, `::/0`, or ranges adding up to
   * it): the reason the service must be reachable from the whole internet.
   * @default - refused
   */
  readonly internetFacing?: string;
}

export interface ResolvedLoadBalancer {
  readonly reason: string;
  /** Canonical CIDRs, duplicates removed. */
  readonly sourceRanges: string[];
  readonly ports: string[];
  readonly internetFacing?: string;
}

const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;

/** @internal */
export function resolveLoadBalancer(
  lb: LoadBalancerSpec | undefined,
  portNames: readonly string[],
  refuser: Refuser,
): ResolvedLoadBalancer | undefined {
  if (lb === undefined) return undefined;
  if (!lb || typeof lb !== 'object') refuser.refuse('spec/exposure', 'loadBalancer', 'loadBalancer must be an object.', "give { reason, sourceRanges: ['203.0.113.0/24'] }.");
  const reason = checkReason(lb.reason, 'loadBalancer.reason', refuser);
  if (!Array.isArray(lb.sourceRanges) || lb.sourceRanges.length === 0) {
    refuser.refuse('spec/exposure', 'loadBalancer.sourceRanges', 'a LoadBalancer without source ranges accepts connections from every address.', "list the client CIDRs, e.g. sourceRanges: ['203.0.113.0/24'] (or put the service behind an Ingress or a Gateway route).");
  }
  const parsed: CanonicalCidr[] = lb.sourceRanges.map((r, i) => {
    const c = canonicalCidr(r);
    if (!c) refuser.refuse('spec/network-peer', `loadBalancer.sourceRanges[${i}]`, `${JSON.stringify(r)} is not a CIDR.`, "use e.g. '203.0.113.0/24'.");
    return c;
  });
  let internetFacing: string | undefined;
  if (coversEverything(parsed)) {
    if (lb.internetFacing === undefined) {
      refuser.refuse('network-policy-required', 'loadBalancer.sourceRanges', 'these ranges cover every address: the service would be open to the whole internet.', "name the client ranges, or state why it must be public with internetFacing: '<reason>'.");
    }
    internetFacing = checkReason(lb.internetFacing, 'loadBalancer.internetFacing', refuser);
  } else if (lb.internetFacing !== undefined) {
    refuser.refuse('spec/exposure', 'loadBalancer.internetFacing', 'internetFacing is set, but the source ranges do not cover every address.', 'remove internetFacing (it only accepts ranges open to everyone).');
  }
  if (portNames.length === 0) refuser.refuse('spec/exposure', 'loadBalancer', 'the workload declares no port to expose.', 'declare the port the process listens on.');
  const ports = lb.ports ?? [...portNames];
  if (!Array.isArray(ports) || ports.length === 0) refuser.refuse('spec/exposure', 'loadBalancer.ports', 'no port to expose.', `use some of: ${portNames.join(', ')}.`);
  ports.forEach((p, i) => {
    if (!portNames.includes(p)) refuser.refuse('spec/exposure', `loadBalancer.ports[${i}]`, `'${p}' is not a declared port.`, `use one of: ${portNames.join(', ')}.`);
  });
  return { reason, sourceRanges: [...new Set(parsed.map((c) => c.cidr))], ports: [...new Set(ports)], internetFacing };
}

/** An Ingress in front of a service. */
export interface IngressExposureSpec {
  /**
   * Object name.
   * @default - the service's name
   */
  readonly name?: string;
  /** The IngressClass (`spec.ingressClassName`), e.g. 'nginx'. */
  readonly className: string;
  /** Host names served (at least one; `*.example.com` wildcards allowed). */
  readonly hosts: string[];
  /**
   * Path prefixes routed to the service.
   * @default ['/']
   */
  readonly paths?: (string | { readonly path: string; readonly pathType?: 'Prefix' | 'Exact' })[];
  /**
   * Name of the service's port (one of its container ports).
   * @default - the first port of the main container
   */
  readonly port?: string;
  /** TLS certificate from a Secret of the service's namespace (e.g. issued by cert-manager). */
  readonly tls?: { readonly secretName: string; readonly hosts?: string[] };
  /**
   * Serve plain HTTP without TLS: the reason (e.g. TLS terminates at an outer load balancer).
   * @default - TLS is required
   */
  readonly plainHttp?: string;
  /**
   * The ingress controller's pods, admitted on the pod port.
   * @default - Peer.ingressController(): pods named ingress-nginx in namespace ingress-nginx
   */
  readonly controller?: NetworkPeer;
}

export interface ResolvedIngressExposure {
  readonly name: string;
  readonly className: string;
  readonly hosts: string[];
  readonly paths: { path: string; pathType: 'Prefix' | 'Exact' }[];
  readonly port: string;
  readonly tls?: { secretName: string; hosts: string[] };
  readonly plainHttp?: string;
  readonly controller: NetworkPeer;
}

/** Where a Gateway API route attaches (`spec.parentRefs[]`). */
export interface GatewayParentRef {
  /** Name of the Gateway. */
  readonly name: string;
  /**
   * Namespace of the Gateway.
   * @default - the route's namespace
   */
  readonly namespace?: string;
  /** Listener name on the Gateway. */
  readonly sectionName?: string;
  /** Listener port on the Gateway. */
  readonly port?: number;
}

/** Common props of HTTPRoute and GRPCRoute exposure. */
export interface GatewayRouteSpec {
  /**
   * Object name.
   * @default - the service's name
   */
  readonly name?: string;
  /** Gateways the route attaches to (existing Gateways; at least one). */
  readonly parentRefs: GatewayParentRef[];
  /**
   * Host names the route matches.
   * @default - every host name of the listener
   */
  readonly hostnames?: string[];
  /**
   * Name of the service's port.
   * @default - the first port of the main container
   */
  readonly port?: string;
  /**
   * The pods that forward the gateway's traffic to the service (the data plane), admitted on the
   * pod port.
   * @default - every pod of each Gateway's namespace (required when the Gateway is in the service's own namespace)
   */
  readonly gatewayPeers?: NetworkPeer[];
}

/** An HTTPRoute to a service. */
export interface HttpRouteExposureSpec extends GatewayRouteSpec {
  /**
   * Path matches.
   * @default [{ type: 'PathPrefix', value: '/' }]
   */
  readonly paths?: { readonly type?: 'PathPrefix' | 'Exact'; readonly value: string }[];
}

/** A GRPCRoute to a service. */
export interface GrpcRouteExposureSpec extends GatewayRouteSpec {
  /**
   * gRPC methods matched (service, and optionally the method).
   * @default - every method of every service
   */
  readonly methods?: { readonly service: string; readonly method?: string }[];
}

export interface ResolvedRoute {
  readonly name: string;
  readonly parentRefs: { name: string; namespace?: string; sectionName?: string; port?: number }[];
  readonly hostnames?: string[];
  readonly port: string;
  readonly gatewayPeers: NetworkPeer[];
  readonly paths?: { type: 'PathPrefix' | 'Exact'; value: string }[];
  readonly methods?: { service: string; method?: string }[];
}

function checkHostname(h: unknown, field: string, refuser: Refuser): string {
  if (typeof h !== 'string' || h.length > 253 || !HOSTNAME.test(h)) {
    refuser.refuse('spec/exposure', field, `${JSON.stringify(h)} is not a host name.`, "use a lowercase DNS name, e.g. 'shop.example.com' or '*.example.com'.");
  }
  return h;
}

function checkEntryPeer(p: unknown, field: string, refuser: Refuser): NetworkPeer {
  const peer = checkPeer(p, field, refuser);
  if (peer.kind === 'cidr') {
    refuser.refuse('spec/exposure', field, 'the traffic comes from proxy pods, not from an address range.', "name their pods, e.g. Peer.namespace('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' }).");
  }
  return peer;
}

function checkPort(port: string | undefined, portNames: readonly string[], field: string, refuser: Refuser): string {
  if (portNames.length === 0) refuser.refuse('spec/exposure', field, 'the workload declares no port to expose.', 'declare the port the process listens on.');
  const p = port ?? portNames[0];
  if (!portNames.includes(p)) refuser.refuse('spec/exposure', field, `'${p}' is not a declared port.`, `use one of: ${portNames.join(', ')}.`);
  return p;
}

/** @internal */
export function resolveIngressExposure(
  spec: IngressExposureSpec,
  ctx: { serviceName: string; portNames: readonly string[] },
  refuser: Refuser,
): ResolvedIngressExposure {
  if (!spec || typeof spec !== 'object') refuser.refuse('spec/props', '', 'props are required.', 'give className, hosts and tls.');
  const name = checkDns1123Label(spec.name ?? ctx.serviceName, 'name', refuser);
  if (typeof spec.className !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(spec.className)) {
    refuser.refuse('spec/exposure', 'className', `${JSON.stringify(spec.className)} is not an IngressClass name.`, "use the class of your controller, e.g. 'nginx'.");
  }
  if (!Array.isArray(spec.hosts) || spec.hosts.length === 0) refuser.refuse('spec/exposure', 'hosts', 'an Ingress without a host answers for every host name.', "list the host names, e.g. ['shop.example.com'].");
  const hosts = [...new Set(spec.hosts.map((h, i) => checkHostname(h, `hosts[${i}]`, refuser)))];
  const paths = (spec.paths ?? ['/']).map((p, i) => {
    const o = typeof p === 'string' ? { path: p, pathType: 'Prefix' as const } : p;
    if (!o || typeof o.path !== 'string' || o.path.length > 1024 || !PATH.test(o.path)) refuser.refuse('spec/exposure', `paths[${i}]`, `${JSON.stringify(o?.path)} is not an absolute URL path.`, "use e.g. '/' or '/api'.");
    const pathType = o.pathType ?? 'Prefix';
    if (pathType !== 'Prefix' && pathType !== 'Exact') refuser.refuse('spec/exposure', `paths[${i}].pathType`, `${JSON.stringify(pathType)} is not a path type.`, "use 'Prefix' or 'Exact'.");
    return { path: o.path, pathType };
  });
  const port = checkPort(spec.port, ctx.portNames, 'port', refuser);
  let tls: ResolvedIngressExposure['tls'];
  let plainHttp: string | undefined;
  if (spec.tls !== undefined) {
    checkDns1123Label(spec.tls?.secretName, 'tls.secretName', refuser);
    const tlsHosts = (spec.tls.hosts ?? hosts).map((h, i) => checkHostname(h, `tls.hosts[${i}]`, refuser));
    tlsHosts.forEach((h, i) => {
      if (!hosts.includes(h)) refuser.refuse('spec/exposure', `tls.hosts[${i}]`, `'${h}' is not one of the Ingress hosts.`, `use some of: ${hosts.join(', ')}.`);
    });
    tls = { secretName: spec.tls.secretName, hosts: tlsHosts };
    if (spec.plainHttp !== undefined) refuser.refuse('spec/exposure', 'plainHttp', 'plainHttp and tls conflict.', 'remove plainHttp.');
  } else if (spec.plainHttp !== undefined) {
    plainHttp = checkReason(spec.plainHttp, 'plainHttp', refuser);
  } else {
    refuser.refuse('ingress-tls', 'tls', 'an Ingress without TLS exposes sessions and credentials on the wire.', "give tls: { secretName: '<certificate secret>' } (e.g. issued by cert-manager), or plainHttp: '<reason>' when TLS terminates before the controller.");
  }
  const controller = checkEntryPeer(spec.controller ?? { kind: 'namespace', namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } }, 'controller', refuser);
  return { name, className: spec.className, hosts, paths, port, tls, plainHttp, controller };
}

/** @internal */
export function resolveRoute(
  spec: HttpRouteExposureSpec & GrpcRouteExposureSpec,
  kind: 'HTTPRoute' | 'GRPCRoute',
  ctx: { serviceName: string; namespace: string; portNames: readonly string[] },
  refuser: Refuser,
): ResolvedRoute {
  if (!spec || typeof spec !== 'object') refuser.refuse('spec/props', '', 'props are required.', "give parentRefs: [{ name: 'gateway', namespace: 'gateway-system' }].");
  const name = checkDns1123Label(spec.name ?? ctx.serviceName, 'name', refuser);
  if (!Array.isArray(spec.parentRefs) || spec.parentRefs.length === 0) refuser.refuse('spec/exposure', 'parentRefs', `a ${kind} attaches to a Gateway.`, "give parentRefs: [{ name: 'gateway', namespace: 'gateway-system' }].");
  const parentRefs = spec.parentRefs.map((r, i) => {
    const f = `parentRefs[${i}]`;
    checkDns1123Label(r?.name, `${f}.name`, refuser);
    if (r.namespace !== undefined) checkDns1123Label(r.namespace, `${f}.namespace`, refuser);
    if (r.sectionName !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(r.sectionName)) refuser.refuse('spec/exposure', `${f}.sectionName`, `${JSON.stringify(r.sectionName)} is not a listener name.`, "use the listener's name, e.g. 'https'.");
    if (r.port !== undefined && (!Number.isInteger(r.port) || r.port < 1 || r.port > 65535)) refuser.refuse('spec/port-range', `${f}.port`, `${JSON.stringify(r.port)} is not a port number.`, 'use 1–65535.');
    return { name: r.name, namespace: r.namespace, sectionName: r.sectionName, port: r.port };
  });
  const hostnames = spec.hostnames?.map((h, i) => checkHostname(h, `hostnames[${i}]`, refuser));
  const port = checkPort(spec.port, ctx.portNames, 'port', refuser);
  let gatewayPeers: NetworkPeer[];
  if (spec.gatewayPeers !== undefined) {
    if (!Array.isArray(spec.gatewayPeers) || spec.gatewayPeers.length === 0) refuser.refuse('spec/exposure', 'gatewayPeers', 'no gateway peer: the route would reach nothing.', 'name the pods of the gateway data plane.');
    gatewayPeers = spec.gatewayPeers.map((p, i) => checkEntryPeer(p, `gatewayPeers[${i}]`, refuser));
  } else {
    const namespaces = [...new Set(parentRefs.map((r) => r.namespace ?? ctx.namespace))];
    if (namespaces.includes(ctx.namespace)) {
      refuser.refuse('spec/exposure', 'gatewayPeers', `the Gateway is in the service's own namespace '${ctx.namespace}': admitting the whole namespace would admit every workload in it.`, "name the gateway's data-plane pods, e.g. gatewayPeers: [Peer.namespace('" + ctx.namespace + "', { 'gateway.networking.k8s.io/gateway-name': '" + parentRefs[0].name + "' })].");
    }
    gatewayPeers = namespaces.map((namespace) => ({ kind: 'namespace', namespace }));
  }
  let paths: ResolvedRoute['paths'];
  let methods: ResolvedRoute['methods'];
  if (kind === 'HTTPRoute') {
    paths = (spec.paths ?? [{ value: '/' }]).map((p, i) => {
      if (!p || typeof p.value !== 'string' || p.value.length > 1024 || !PATH.test(p.value)) refuser.refuse('spec/exposure', `paths[${i}].value`, `${JSON.stringify(p?.value)} is not an absolute URL path.`, "use e.g. '/' or '/api'.");
      const type = p.type ?? 'PathPrefix';
      if (type !== 'PathPrefix' && type !== 'Exact') refuser.refuse('spec/exposure', `paths[${i}].type`, `${JSON.stringify(type)} is not a path match type.`, "use 'PathPrefix' or 'Exact'.");
      return { type, value: p.value };
    });
  } else {
    methods = spec.methods?.map((m, i) => {
      if (!m || typeof m.service !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(m.service) || m.service.length > 1024) refuser.refuse('spec/exposure', `methods[${i}].service`, `${JSON.stringify(m?.service)} is not a gRPC service name.`, "use the fully qualified name, e.g. 'hipstershop.AdService'.");
      if (m.method !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(m.method)) refuser.refuse('spec/exposure', `methods[${i}].method`, `${JSON.stringify(m.method)} is not a gRPC method name.`, "use e.g. 'GetAds'.");
      return { service: m.service, method: m.method };
    });
  }
  return { name, parentRefs, hostnames, port, gatewayPeers, paths, methods };
}
