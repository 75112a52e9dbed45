import * as fc from 'fast-check';
import { deployment, fixture, policy } from './helpers';
import { buildGraph } from '../../src/flows/graph';
import { loadCluster } from '../../src/flows/model';
import { dotString, htmlEscape, mermaidText, renderDot, renderHtml, renderMermaid } from '../../src/flows/render';

const numRuns = Number(process.env.FC_NUM_RUNS ?? 500);

describe('traffic graph model', () => {
  const graph = buildGraph(fixture('cluster.yaml'));
  const edge = (from: string, to: string) => graph.edges.find((e) => e.from === from && e.to === to);

  test('namespaces as groups, workloads marked open when no ingress policy selects them', () => {
    expect(graph.namespaces).toEqual(['default', 'kube-system', 'legacy', 'monitoring', 'shop']);
    expect(graph.nodes.filter((n) => n.open).map((n) => n.id).sort()).toEqual(['default/debug', 'legacy/old', 'monitoring/node-agent', 'monitoring/prometheus']);
    expect(graph.nodes.find((n) => n.id === 'shop/api')).toEqual({
      id: 'shop/api', label: 'api', type: 'workload', namespace: 'shop', kind: 'Deployment', open: false, detail: '8080/TCP http, 9090/TCP metrics',
    });
  });

  test('edges where a policy lets traffic through, with pod ports; traffic between unrestricted workloads is not drawn pair by pair', () => {
    expect(edge('shop/web', 'shop/api')).toEqual({ from: 'shop/web', to: 'shop/api', type: 'flow', ports: ['8080/TCP'] });
    expect(edge('shop/api', 'kube-system/kube-dns')?.ports).toEqual(['53/TCP', '53/UDP']);
    expect(edge('monitoring/node-agent', 'shop/db')?.ports).toEqual(['5432/TCP']);
    expect(edge('shop/web', 'shop/db')).toBeUndefined();
    expect(edge('legacy/old', 'default/debug')).toBeUndefined();
    expect(edge('default/debug', 'legacy/old')).toBeUndefined();
  });

  test('entries from outside: ipBlock, a namespace not in the manifests, selectors that may match other namespaces, Services and routes', () => {
    const entries = graph.edges.filter((e) => e.type === 'entry').map((e) => `${e.from} -> ${e.to} ${e.ports.join(',')}${e.admitted === undefined ? '' : ` admitted=${e.admitted}`}`);
    expect(entries).toEqual([
      'outside:ip:0.0.0.0/0 except 10.0.0.0/8 -> shop/web 8080/TCP',
      'outside:ns:ingress-nginx: -> shop/web 8080/TCP',
      'outside:nssel:namespaces {purpose=monitoring}: pods {app=prometheus} -> shop/api 9090/TCP',
      'outside:nssel:namespaces {purpose=monitoring}: -> shop/db 5432/TCP',
      'entry:Service:shop/web -> shop/web 8080/TCP admitted=true',
      'entry:Service:shop/api-debug -> shop/api 8080/TCP admitted=false',
      'entry:Ingress:shop/web -> shop/web 8080/TCP admitted=true',
      'entry:HTTPRoute:shop/api -> shop/api 8080/TCP admitted=false',
    ]);
    expect(graph.nodes.find((n) => n.id === 'entry:Service:shop/web')).toMatchObject({ label: 'LoadBalancer shop/web', kind: 'LoadBalancer', detail: '203.0.113.0/24' });
    expect(graph.nodes.find((n) => n.id === 'entry:HTTPRoute:shop/api')).toMatchObject({ label: 'HTTPRoute shop/api', detail: 'api.example.com' });
  });

  test('a LoadBalancer is admitted only when an ipBlock covers all its source ranges', () => {
    const lb = (ranges: string[], cidr: string, except: string[] = []) => buildGraph(loadCluster([
      deployment('a', 'web', { app: 'web' }, [{ containerPort: 8080, name: 'http' }]),
      policy('a', 'web', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr, except } }], ports: [{ port: 'http' }] }] }),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'a' },
        spec: { type: 'LoadBalancer', loadBalancerSourceRanges: ranges, selector: { app: 'web' }, ports: [{ port: 443, targetPort: 'http' }] },
      },
    ])).edges.find((e) => e.from === 'entry:Service:a/web');
    expect(lb(['203.0.113.0/24'], '0.0.0.0/0', ['10.0.0.0/8'])).toEqual({ from: 'entry:Service:a/web', to: 'a/web', type: 'entry', ports: ['8080/TCP'], admitted: true });
    expect(lb(['203.0.113.0/24', '198.51.100.7/32'], '203.0.113.0/24')?.admitted).toBe(false);
    expect(lb(['203.0.113.0/24'], '203.0.0.0/16', ['203.0.113.128/25'])?.admitted).toBe(false);
    expect(lb(['203.0.113.0/24'], '10.0.0.0/8')?.admitted).toBe(false);
    expect(lb([], '10.0.0.0/8')?.admitted).toBe(true);
  });

  test('exits: egress to selectors that reach beyond the manifests; DNS peers drawn as the DNS edge', () => {
    expect(graph.edges.filter((e) => e.type === 'exit')).toEqual([
      { from: 'monitoring/prometheus', to: 'outside:nssel:any namespace:', type: 'exit', ports: ['9090/TCP', '9100/TCP'] },
    ]);
  });
});

describe('renderers', () => {
  test('mermaid: subgraphs per namespace, ports on edges, open nodes classed', () => {
    expect(renderMermaid(buildGraph(fixture('tight.yaml')))).toBe([
      'flowchart LR',
      '  subgraph ns0["kube-system"]',
      '    n2["kube-dns (cluster DNS)"]',
      '  end',
      '  subgraph ns1["tight"]',
      '    n0["front (Deployment)"]',
      '    n1["back (Deployment)"]',
      '  end',
      '  n0 -->|"9000/TCP"| n1',
      '  n0 -->|"53/TCP, 53/UDP"| n2',
      '  n1 -->|"53/TCP, 53/UDP"| n2',
      '  classDef open stroke:#c62828,stroke-width:3px,stroke-dasharray:5 3',
      '  classDef outside fill:#fff8e1,stroke:#f9a825',
      '  classDef entry fill:#e3f2fd,stroke:#1565c0',
      '',
    ].join('\n'));
    const m = renderMermaid(buildGraph(fixture('cluster.yaml')));
    expect(m).toContain('  n16 -.->|"8080/TCP (dropped by NetworkPolicy)"| n1\n');
    expect(m).toContain('  class n5,n6,n7,n8 open\n');
  });

  test('dot: clusters per namespace, entries dashed red when dropped', () => {
    const d = renderDot(buildGraph(fixture('cluster.yaml')));
    expect(d.startsWith('digraph traffic {\n')).toBe(true);
    expect(d.match(/subgraph cluster_\d+ \{/g)).toHaveLength(5);
    expect(d).toContain('    label="shop";\n');
    expect(d).toContain('n7 [label="old\\nDeployment\\nno ingress policy", color="#c62828", penwidth=2, style="rounded,filled,dashed", tooltip="legacy/old"];');
    expect(d).toContain('n18 -> n1 [label="8080/TCP\\n(dropped by NetworkPolicy)", style=dashed, color="#c62828"];');
  });

  test('hostile names stay text in every format', () => {
    const g = buildGraph(fixture('hostile.yaml'));
    const m = renderMermaid(g);
    const labels = m.match(/"[^"\n]*"/g) ?? [];
    expect(labels.length).toBe(6);
    for (const l of labels) expect(l).not.toMatch(/[<>']/);
    expect(m).toContain('subgraph ns0["#60;script#62;alert(#39;ns#39;)#60;/script#62;"]');
    const d = renderDot(g);
    expect(d).toContain('label="x\\"><img src=x onerror=alert(1)>\\nDeployment"');
    const h = renderHtml(g);
    expect(h).not.toMatch(/<script|<img|onerror="|<\/style><script/i);
    expect(h).toContain('data-node="&lt;script&gt;alert(&#39;ns&#39;)&lt;/script&gt;/x&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
    expect(h).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">');
  });

  test('escapers: no string gets out of its context (generated)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', '<', '>', '"', '\'', '&', '\\', '\n', '\r', '#', ';', '|', '[', ']', '{', '}', '`', '\u0000', '\u202e', 'é', '😀', ' ', '/') });
    fc.assert(fc.property(text, (s) => {
      const h = htmlEscape(s);
      expect(h).not.toMatch(/[<>"']/);
      expect(h.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
      const m = mermaidText(s);
      expect(m).toMatch(/^([A-Za-z0-9 ._/:,=()-]|#\d+;)*$/);
      // decodes back to the input
      expect(m.replace(/#(\d+);/g, (_, c) => String.fromCodePoint(Number(c)))).toBe(s);
      const d = dotString(s);
      expect(d).toMatch(/^"([^"\\\n\r\u0000-\u001f]|\\["\\n])*"$/);
    }), { numRuns });
  });
});
