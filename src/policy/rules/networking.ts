import { arr, rule, v } from './helpers';
import { EvaluationContext, K8sObject, PodView, Rule, Violation } from '../types';

const podSelector = (np: K8sObject) => np.spec?.podSelector;

/** NetworkPolicies in the pod's namespace that select it. */
export function policiesFor(pod: PodView, ctx: EvaluationContext): readonly K8sObject[] {
  return ctx.selecting('NetworkPolicy', pod, podSelector);
}

function types(np: K8sObject): string[] {
  const t = arr(np.spec?.policyTypes);
  if (t.length) return t;
  return np.spec?.egress ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** Does an egress rule admit DNS (port 53, UDP or unspecified protocol, or all ports)? */
function allowsDns(egressRule: any): boolean {
  const ports = arr(egressRule?.ports);
  if (ports.length === 0) return true;
  return ports.some((p) => (p?.port === 53 || p?.port === 'dns' || p?.port === undefined) && (p?.protocol === undefined || p.protocol === 'UDP'));
}

export const networkingRules: Rule[] = [
  rule({
    id: 'network-policy-required',
    category: 'networking',
    severity: 'warning',
    title: 'Pods are selected by a NetworkPolicy with ingress and egress rules',
    rationale: 'Kubernetes lets every pod talk to every pod by default: one compromised pod can reach your database.',
    fix: 'Add a NetworkPolicy selecting the pod with policyTypes [Ingress, Egress], at least one ingress rule (who may connect) and one egress rule (DNS and declared dependencies).',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['missingNetworkPolicy'], kubeScore: ['pod-networkpolicy'], kubeLinter: ['non-isolated-pod'] },
    checkPod: (pod, ctx) => {
      const nps = policiesFor(pod, ctx);
      const full = nps.some((np) => types(np).includes('Ingress') && types(np).includes('Egress') && arr(np.spec?.ingress).length > 0 && arr(np.spec?.egress).length > 0);
      if (full) return [];
      if (nps.length === 0) return [v(pod.specPath, `no NetworkPolicy selects the pods of ${pod.object.kind} ${pod.object.metadata?.name}`)];
      return [v(pod.specPath, `no single NetworkPolicy selecting ${pod.object.kind} ${pod.object.metadata?.name} has both ingress and egress rules`)];
    },
  }),
  rule({
    id: 'network-policy-allows-dns',
    category: 'networking',
    severity: 'warning',
    title: 'Egress-isolated pods can still resolve DNS',
    rationale: 'An egress policy without a DNS rule breaks every hostname lookup: the service fails in production while every linter passes.',
    fix: 'Add an egress rule to kube-system/kube-dns on port 53 (UDP and TCP).',
    appliesTo: 'kubernetes',
    anchors: {},
    checkPod: (pod, ctx) => {
      const egress = policiesFor(pod, ctx).filter((np) => types(np).includes('Egress'));
      if (egress.length === 0) return [];
      return egress.some((np) => arr(np.spec?.egress).some(allowsDns)) ? [] : [v(pod.specPath, `pods of ${pod.object.kind} ${pod.object.metadata?.name} are egress-isolated without a DNS rule`)];
    },
  }),
  rule({
    id: 'network-policy-targets-pods',
    category: 'networking',
    severity: 'warning',
    title: 'NetworkPolicies select pods',
    rationale: 'A policy whose selector matches nothing protects nothing, usually because of a label typo.',
    fix: "Fix spec.podSelector to match the pod template labels. A namespace-wide policy (empty selector) is checked together with the namespace's workloads: keep them in one file or audit them together.",
    appliesTo: 'kubernetes',
    anchors: { kubeScore: ['networkpolicy-targets-pod'], kubeLinter: ['dangling-networkpolicy'] },
    kinds: ['NetworkPolicy'],
    checkObject: (o, ctx) => {
      // As kube-score and kube-linter do: an empty selector selects every pod of the namespace, so
      // it is dangling only when no workload of that namespace is among the objects checked.
      const sel = o.spec?.podSelector ?? {};
      const ns = ctx.namespaceOf(o);
      if (ctx.podsSelectedBy(ns, sel).length) return [];
      const empty = Object.keys(sel.matchLabels ?? {}).length === 0 && arr(sel.matchExpressions).length === 0;
      return [v('spec.podSelector', empty
        ? `NetworkPolicy ${o.metadata?.name} selects every pod of namespace '${ns}', but no workload of that namespace is among the objects checked (check the namespace's objects together with its workloads, e.g. in one file)`
        : `NetworkPolicy ${o.metadata?.name} selects no pod`)];
    },
  }),
  rule({
    id: 'service-targets-pods',
    category: 'networking',
    severity: 'warning',
    title: 'Services select pods',
    rationale: 'A Service whose selector matches nothing has no endpoints: clients get connection refused.',
    fix: 'Fix spec.selector to match the pod template labels.',
    appliesTo: 'kubernetes',
    anchors: { kubeScore: ['service-targets-pod'], kubeLinter: ['dangling-service'] },
    kinds: ['Service'],
    checkObject: (o, ctx) => {
      const sel = o.spec?.selector;
      if (!sel || typeof sel !== 'object' || Object.keys(sel).length === 0) return [];
      return ctx.podsSelectedBy(ctx.namespaceOf(o), { matchLabels: sel }).length ? [] : [v('spec.selector', `Service ${o.metadata?.name} selects no pod`)];
    },
  }),
  rule({
    id: 'no-nodeport',
    category: 'networking',
    severity: 'warning',
    title: 'Services are not NodePorts',
    rationale: 'A NodePort opens the port on every node\'s interfaces, outside any ingress TLS or policy.',
    fix: 'Use a ClusterIP Service behind an Ingress (or a LoadBalancer on purpose).',
    appliesTo: 'kubernetes',
    anchors: { kubeScore: ['service-type'], kubeLinter: ['exposed-services'] },
    kinds: ['Service'],
    checkObject: (o) => (o.spec?.type === 'NodePort' ? [v('spec.type', `Service ${o.metadata?.name} is a NodePort`)] : []),
  }),
  rule({
    id: 'ingress-tls',
    category: 'networking',
    severity: 'warning',
    title: 'Ingresses terminate TLS',
    rationale: 'Plain HTTP exposes sessions and credentials on the wire.',
    fix: 'Add spec.tls with a certificate Secret (e.g. from cert-manager).',
    appliesTo: 'kubernetes',
    anchors: { polaris: ['tlsSettingsMissing'] },
    kinds: ['Ingress'],
    checkObject: (o) => (arr(o.spec?.tls).length ? [] : [v('spec.tls', `Ingress ${o.metadata?.name} has no TLS`)]),
  }),
  rule({
    id: 'ingress-targets-service',
    category: 'networking',
    severity: 'warning',
    title: "An Ingress's backends exist",
    rationale: 'A backend naming a missing Service answers 503.',
    fix: 'Point backends at Services that are deployed with the Ingress.',
    appliesTo: 'kubernetes',
    anchors: { kubeScore: ['ingress-targets-service'], kubeLinter: ['dangling-ingress'] },
    kinds: ['Ingress'],
    checkObject: (o, ctx) => {
      const names = new Set<string>();
      // networking.k8s.io/v1 (backend.service.name) and v1beta1 / extensions (backend.serviceName).
      const legacy = /^(networking\.k8s\.io|extensions)\/v1beta1$/.test(String(o.apiVersion));
      const backendName = (b: any): unknown => (legacy ? b?.serviceName : b?.service?.name);
      for (const b of [o.spec?.defaultBackend, o.spec?.backend]) {
        const n = backendName(b);
        if (typeof n === 'string' && n) names.add(n);
      }
      const out: Violation[] = [];
      arr(o.spec?.rules).forEach((r, i) => arr(r?.http?.paths).forEach((p, j) => {
        const n = backendName(p?.backend);
        if (typeof n === 'string' && n) names.add(n);
        // A v1 backend spelled the v1beta1 way (serviceName) names nothing: the path answers 503.
        else if (!legacy && p?.backend && !p.backend.resource) out.push(v(`spec.rules[${i}].http.paths[${j}].backend`, `backend names no Service (service.name is unset${p.backend.serviceName ? '; serviceName is the removed v1beta1 field' : ''})`));
      }));
      return [...out, ...[...names].filter((n) => !ctx.find('Service', ctx.namespaceOf(o), n)).map((n) => v('spec.rules', `backend Service ${n} is not among the objects`))];
    },
  }),
  rule({
    id: 'user-defined-network',
    category: 'networking',
    severity: 'warning',
    title: 'Containers run on a user-defined network',
    rationale: 'On the default bridge every container can reach every other and there is no name resolution; user-defined networks isolate apps and give DNS.',
    fix: 'Create a network per application and attach the container to it (compose: networks:).',
    appliesTo: 'docker',
    anchors: { cisDocker: ['5.30'] },
    checkDocker: (c) => ((c.networks ?? []).length > 0 || (c.networkMode && !['bridge', 'default'].includes(c.networkMode)) ? [] : [v('networks', `container '${c.name}' uses the default bridge network`)]),
  }),
];
