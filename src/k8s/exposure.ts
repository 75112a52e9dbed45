import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { dictionaryChildren, fixedChildIds } from './children';
import { ensurePolicyGuard } from './guard';
import type { HardenedService } from './hardened-service';
import {
  GrpcRoute,
  GrpcRouteSpecRulesMatchesMethodType,
  HttpRoute,
  HttpRouteSpecRulesMatchesPathType,
} from './imports/gateway-api.generated';
import { suppressionAnnotation } from '../policy/suppressions';
import { Refuser } from '../spec/errors';
import {
  GrpcRouteExposureSpec,
  HttpRouteExposureSpec,
  IngressExposureSpec,
  ResolvedIngressExposure,
  ResolvedRoute,
  resolveIngressExposure,
  resolveRoute,
} from '../spec/exposure';

/** Props of {@link IngressExposure}. */
export interface IngressExposureProps extends IngressExposureSpec {
  /** The service traffic is routed to. */
  readonly service: HardenedService;
}

/** Props of {@link HttpRouteExposure}. */
export interface HttpRouteExposureProps extends HttpRouteExposureSpec {
  readonly service: HardenedService;
}

/** Props of {@link GrpcRouteExposure}. */
export interface GrpcRouteExposureProps extends GrpcRouteExposureSpec {
  readonly service: HardenedService;
}

function servicePortOf(service: HardenedService, portName: string): number {
  const p = service.spec.containers[0].ports.find((x) => x.name === portName)!;
  return p.servicePort;
}

function mainPortNames(service: HardenedService): string[] {
  return service.spec.containers[0].ports.map((p) => p.name);
}

/**
 * An Ingress in front of a {@link HardenedService}: class, hosts, paths and TLS from a Secret
 * reference. The service's NetworkPolicy admits the ingress controller's pods, on the pod port
 * behind the routed Service port, and nothing else.
 */
export class IngressExposure extends Construct {
  public readonly spec: ResolvedIngressExposure;
  public readonly ingress: k8s.KubeIngress;

  constructor(scope: Construct, id: string, props: IngressExposureProps) {
    super(dictionaryChildren(scope), id);
    fixedChildIds(this);
    const refuser = new Refuser(this.node.path);
    const service = props?.service;
    if (!service || !service.spec) refuser.refuse('spec/exposure', 'service', 'an Ingress needs the HardenedService it routes to.', 'use service.exposeViaIngress({...}) or pass service.');
    if (!service.service) refuser.refuse('spec/exposure', 'service', `${service.workloadName} declares no port: there is no Service to route to.`, 'declare the port the process listens on.');
    const spec = resolveIngressExposure(props, { serviceName: service.workloadName, portNames: mainPortNames(service) }, refuser);
    this.spec = spec;
    const s = service.spec;
    const annotations: Record<string, string> = {};
    if (spec.plainHttp) annotations[suppressionAnnotation('ingress-tls')] = `plainHttp: ${spec.plainHttp}`;
    this.ingress = new k8s.KubeIngress(this, 'Resource', {
      metadata: {
        name: spec.name,
        namespace: s.namespace,
        labels: { ...s.labels },
        annotations: Object.keys(annotations).length ? annotations : undefined,
      },
      spec: {
        ingressClassName: spec.className,
        tls: spec.tls ? [{ hosts: [...spec.tls.hosts], secretName: spec.tls.secretName }] : undefined,
        rules: spec.hosts.map((host) => ({
          host,
          http: {
            paths: spec.paths.map((p) => ({
              path: p.path,
              pathType: p.pathType,
              backend: { service: { name: service.workloadName, port: { number: servicePortOf(service, spec.port) } } },
            })),
          },
        })),
      },
    });
    service._admitEntry(spec.controller, spec.port, 'exposeViaIngress.controller');
    ensurePolicyGuard(this);
  }
}

abstract class RouteExposure extends Construct {
  public readonly spec: ResolvedRoute;
  /** The route object (HTTPRoute or GRPCRoute). */
  public abstract readonly route: ApiObject;

  constructor(scope: Construct, id: string, props: HttpRouteExposureProps & GrpcRouteExposureProps, kind: 'HTTPRoute' | 'GRPCRoute') {
    super(dictionaryChildren(scope), id);
    fixedChildIds(this);
    const refuser = new Refuser(this.node.path);
    const service = props?.service;
    if (!service || !service.spec) refuser.refuse('spec/exposure', 'service', `a ${kind} needs the HardenedService it routes to.`, `use service.exposeVia${kind === 'HTTPRoute' ? 'HttpRoute' : 'GrpcRoute'}({...}) or pass service.`);
    if (!service.service) refuser.refuse('spec/exposure', 'service', `${service.workloadName} declares no port: there is no Service to route to.`, 'declare the port the process listens on.');
    const ctx = { serviceName: service.workloadName, namespace: service.namespace, portNames: mainPortNames(service) };
    this.spec = resolveRoute(props, kind, ctx, refuser);
    const field = kind === 'HTTPRoute' ? 'exposeViaHttpRoute.gatewayPeers' : 'exposeViaGrpcRoute.gatewayPeers';
    for (const peer of this.spec.gatewayPeers) service._admitEntry(peer, this.spec.port, field);
  }

  protected metadata(service: HardenedService) {
    return { name: this.spec.name, namespace: service.namespace, labels: { ...service.spec.labels } };
  }

  protected parentRefs() {
    return this.spec.parentRefs.map((r) => ({ name: r.name, namespace: r.namespace, sectionName: r.sectionName, port: r.port }));
  }

  protected backendRefs(service: HardenedService) {
    return [{ name: service.workloadName, port: servicePortOf(service, this.spec.port) }];
  }
}

/**
 * A Gateway API HTTPRoute from an existing Gateway to a {@link HardenedService}. The service's
 * NetworkPolicy admits the gateway's data-plane pods (default: its namespace) on the pod port.
 */
export class HttpRouteExposure extends RouteExposure {
  public readonly route: HttpRoute;

  constructor(scope: Construct, id: string, props: HttpRouteExposureProps) {
    super(scope, id, props, 'HTTPRoute');
    const service = props.service;
    this.route = new HttpRoute(this, 'Resource', {
      metadata: this.metadata(service),
      spec: {
        parentRefs: this.parentRefs(),
        hostnames: this.spec.hostnames,
        rules: [{
          matches: this.spec.paths!.map((p) => ({
            path: { type: p.type === 'Exact' ? HttpRouteSpecRulesMatchesPathType.EXACT : HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: p.value },
          })),
          backendRefs: this.backendRefs(service),
        }],
      },
    });
    ensurePolicyGuard(this);
  }
}

/**
 * A Gateway API GRPCRoute from an existing Gateway to a {@link HardenedService} (gRPC over
 * HTTP/2). The service's NetworkPolicy admits the gateway's data-plane pods on the pod port.
 */
export class GrpcRouteExposure extends RouteExposure {
  public readonly route: GrpcRoute;

  constructor(scope: Construct, id: string, props: GrpcRouteExposureProps) {
    super(scope, id, props, 'GRPCRoute');
    const service = props.service;
    this.route = new GrpcRoute(this, 'Resource', {
      metadata: this.metadata(service),
      spec: {
        parentRefs: this.parentRefs(),
        hostnames: this.spec.hostnames,
        rules: [{
          matches: this.spec.methods?.map((m) => ({
            method: { type: GrpcRouteSpecRulesMatchesMethodType.EXACT, service: m.service, method: m.method },
          })),
          backendRefs: this.backendRefs(service),
        }],
      },
    });
    ensurePolicyGuard(this);
  }
}
