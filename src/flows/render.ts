import { Graph, GraphEdge, GraphNode } from './graph';

/**
 * Renderers for the traffic graph: Mermaid, Graphviz DOT and one self-contained HTML page (inline
 * SVG laid out here, no script, a Content-Security-Policy that forbids every fetch). Every label is
 * escaped for its target language: names come from the manifests, which may be hostile.
 */

// ---------------------------------------------------------------- Mermaid

/** Mermaid label text: every character outside a small safe set becomes an entity code (`#60;`). */
export function mermaidText(s: string): string {
  let out = '';
  for (const ch of s) out += /[A-Za-z0-9 ._/:,=()-]/.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  return out;
}

function ids(graph: Graph): Map<string, string> {
  return new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
}

const portsText = (e: GraphEdge) => e.ports.join(', ');

export function renderMermaid(graph: Graph): string {
  const id = ids(graph);
  const out = ['flowchart LR'];
  const nodeLine = (n: GraphNode, indent: string) => {
    const text = mermaidText(n.type === 'workload' ? `${n.label} (${n.kind})${n.open ? ' - no ingress policy' : ''}` : `${n.label}${n.detail ? ` (${n.detail})` : ''}`);
    const shape = n.type === 'workload' ? `["${text}"]` : n.type === 'entry' ? `[/"${text}"/]` : `(["${text}"])`;
    return `${indent}${id.get(n.id)}${shape}`;
  };
  graph.namespaces.forEach((ns, i) => {
    out.push(`  subgraph ns${i}["${mermaidText(ns)}"]`);
    for (const n of graph.nodes) if (n.type === 'workload' && n.namespace === ns) out.push(nodeLine(n, '    '));
    out.push('  end');
  });
  for (const n of graph.nodes) if (n.type !== 'workload') out.push(nodeLine(n, '  '));
  for (const e of graph.edges) {
    const arrow = e.admitted === false ? '-.->' : e.type === 'flow' ? '-->' : '==>';
    const label = mermaidText(`${portsText(e)}${e.admitted === false ? ' (dropped by NetworkPolicy)' : ''}`);
    out.push(`  ${id.get(e.from)} ${arrow}|"${label}"| ${id.get(e.to)}`);
  }
  out.push('  classDef open stroke:#c62828,stroke-width:3px,stroke-dasharray:5 3');
  out.push('  classDef outside fill:#fff8e1,stroke:#f9a825');
  out.push('  classDef entry fill:#e3f2fd,stroke:#1565c0');
  const open = graph.nodes.filter((n) => n.open).map((n) => id.get(n.id));
  if (open.length) out.push(`  class ${open.join(',')} open`);
  const outside = graph.nodes.filter((n) => n.type === 'outside').map((n) => id.get(n.id));
  if (outside.length) out.push(`  class ${outside.join(',')} outside`);
  const entries = graph.nodes.filter((n) => n.type === 'entry').map((n) => id.get(n.id));
  if (entries.length) out.push(`  class ${entries.join(',')} entry`);
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------- DOT

/** A DOT double-quoted string: backslash and quote escaped, line breaks as \n, other control characters dropped. */
export function dotString(s: string): string {
  let out = '"';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) continue;
    else out += ch;
  }
  return `${out}"`;
}

export function renderDot(graph: Graph): string {
  const id = ids(graph);
  const out = ['digraph traffic {', '  rankdir=LR;', '  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];'];
  const nodeLine = (n: GraphNode, indent: string) => {
    const attrs: string[] = [];
    if (n.type === 'workload') {
      attrs.push(`label=${dotString(`${n.label}\n${n.kind}${n.open ? '\nno ingress policy' : ''}`)}`);
      if (n.open) attrs.push('color="#c62828"', 'penwidth=2', 'style="rounded,filled,dashed"');
    } else {
      attrs.push(`label=${dotString(`${n.label}${n.detail ? `\n${n.detail}` : ''}`)}`);
      attrs.push(n.type === 'entry' ? 'shape=cds, fillcolor="#e3f2fd"' : 'shape=ellipse, fillcolor="#fff8e1"');
    }
    attrs.push(`tooltip=${dotString(n.id)}`);
    return `${indent}${id.get(n.id)} [${attrs.join(', ')}];`;
  };
  graph.namespaces.forEach((ns, i) => {
    out.push(`  subgraph cluster_${i} {`, `    label=${dotString(ns)};`, '    style=rounded;');
    for (const n of graph.nodes) if (n.type === 'workload' && n.namespace === ns) out.push(nodeLine(n, '    '));
    out.push('  }');
  });
  for (const n of graph.nodes) if (n.type !== 'workload') out.push(nodeLine(n, '  '));
  for (const e of graph.edges) {
    const attrs = [`label=${dotString(`${portsText(e)}${e.admitted === false ? '\n(dropped by NetworkPolicy)' : ''}`)}`];
    if (e.admitted === false) attrs.push('style=dashed', 'color="#c62828"');
    else if (e.type !== 'flow') attrs.push('penwidth=2');
    out.push(`  ${id.get(e.from)} -> ${id.get(e.to)} [${attrs.join(', ')}];`);
  }
  out.push('}');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------- HTML

/** Escape for HTML text and double- or single-quoted attributes. */
export function htmlEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    switch (ch) {
      case '&': out += '&amp;'; break;
      case '<': out += '&lt;'; break;
      case '>': out += '&gt;'; break;
      case '"': out += '&quot;'; break;
      case '\'': out += '&#39;'; break;
      default: {
        const c = ch.codePointAt(0)!;
        out += c < 0x20 || c === 0x7f ? ' ' : ch;
      }
    }
  }
  return out;
}

const NODE_W = 190;
const NODE_H = 46;
const COL_GAP = 90;
const ROW_GAP = 22;
const PAD = 18;
const HEADER = 28;
const GROUP_GAP = 60;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function truncate(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}

interface Box {
  readonly x: number;
  readonly y: number;
}

/** Longest-path layering over the edges (cycles broken by visiting order). */
function ranks(graph: Graph): Map<string, number> {
  const out = new Map<string, number>();
  const succ = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (e.from === e.to) continue;
    const list = succ.get(e.from);
    if (list) list.push(e.to);
    else succ.set(e.from, [e.to]);
  }
  const indeg = new Map<string, number>(graph.nodes.map((n) => [n.id, 0]));
  for (const e of graph.edges) if (e.from !== e.to) indeg.set(e.to, (indeg.get(e.to) ?? 0) + 1);
  // Kahn's algorithm; nodes left in cycles are released lowest-indegree first.
  const remaining = new Set(graph.nodes.map((n) => n.id));
  for (const n of graph.nodes) out.set(n.id, 0);
  while (remaining.size) {
    let ready = [...remaining].filter((id) => (indeg.get(id) ?? 0) === 0);
    if (!ready.length) ready = [[...remaining].sort((a, b) => (indeg.get(a) ?? 0) - (indeg.get(b) ?? 0))[0]];
    for (const id of ready) {
      remaining.delete(id);
      for (const t of succ.get(id) ?? []) {
        if (!remaining.has(t)) continue;
        out.set(t, Math.max(out.get(t) ?? 0, (out.get(id) ?? 0) + 1));
        indeg.set(t, (indeg.get(t) ?? 1) - 1);
      }
    }
  }
  return out;
}

export function renderHtml(graph: Graph, title = 'Allowed traffic'): string {
  const rank = ranks(graph);
  const pos = new Map<string, Box>();
  interface Group { key: string; label: string; nodes: GraphNode[]; x: number; y: number; w: number; h: number; kind: 'namespace' | 'outside' }
  const incoming = graph.nodes.filter((n) => n.type !== 'workload' && graph.edges.some((e) => e.from === n.id));
  const outgoing = graph.nodes.filter((n) => n.type !== 'workload' && !incoming.includes(n));
  // Columns of groups: outside sources; namespaces layered by the traffic between them (namespaces of
  // one layer stacked); namespaces with no drawn traffic; outside destinations.
  const nsOf = new Map(graph.nodes.filter((n) => n.type === 'workload').map((n) => [n.id, n.namespace!]));
  const nsEdges: GraphEdge[] = [];
  const linked = new Set<string>();
  for (const e of graph.edges) {
    const a = nsOf.get(e.from);
    const b = nsOf.get(e.to);
    if (a) linked.add(a);
    if (b) linked.add(b);
    if (a && b && a !== b) nsEdges.push({ from: a, to: b, ports: [], type: 'flow' });
  }
  const nsRank = ranks({ namespaces: [], nodes: graph.namespaces.map((ns) => ({ id: ns, label: ns, type: 'workload', kind: 'namespace' })), edges: nsEdges });
  const columns: Group[][] = [];
  const group = (key: string, label: string, nodes: GraphNode[], kind: Group['kind']): Group => ({ key, label, nodes, x: 0, y: 0, w: 0, h: 0, kind });
  if (incoming.length) columns.push([group('outside-in', 'from outside', incoming, 'outside')]);
  const layered = graph.namespaces.filter((ns) => linked.has(ns));
  const layers = [...new Set(layered.map((ns) => nsRank.get(ns) ?? 0))].sort((a, b) => a - b);
  for (const l of layers) {
    columns.push(layered.filter((ns) => (nsRank.get(ns) ?? 0) === l).sort()
      .map((ns) => group(ns, ns, graph.nodes.filter((n) => n.type === 'workload' && n.namespace === ns), 'namespace')));
  }
  const quiet = graph.namespaces.filter((ns) => !linked.has(ns));
  if (quiet.length) columns.push(quiet.map((ns) => group(ns, ns, graph.nodes.filter((n) => n.type === 'workload' && n.namespace === ns), 'namespace')));
  if (outgoing.length) columns.push([group('outside-out', 'to outside', outgoing, 'outside')]);
  const groups = columns.flat();
  let x = PAD;
  for (const col of columns) {
    let y = PAD;
    let colW = 0;
    for (const g of col) {
      const cols = g.kind === 'outside' ? [0] : [...new Set(g.nodes.map((n) => rank.get(n.id) ?? 0))].sort((a, b) => a - b);
      let rows = 0;
      cols.forEach((c, ci) => {
        const inCol = g.nodes.filter((n) => g.kind === 'outside' || (rank.get(n.id) ?? 0) === c).sort((a, b) => a.label.localeCompare(b.label));
        inCol.forEach((n, ri) => pos.set(n.id, { x: x + PAD + ci * (NODE_W + COL_GAP), y: y + HEADER + PAD + ri * (NODE_H + ROW_GAP) }));
        rows = Math.max(rows, inCol.length);
      });
      g.x = x;
      g.y = y;
      g.w = PAD * 2 + cols.length * NODE_W + (cols.length - 1) * COL_GAP;
      g.h = HEADER + PAD * 2 + rows * NODE_H + Math.max(0, rows - 1) * ROW_GAP;
      y += g.h + GROUP_GAP / 2;
      colW = Math.max(colW, g.w);
    }
    x += colW + GROUP_GAP;
  }
  const width = Math.max(x - GROUP_GAP + PAD, 320);
  const height = Math.max(...groups.map((g) => g.y + g.h), 80) + PAD;
  const svg: string[] = [];
  svg.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${htmlEscape(title)}">`);
  svg.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#455a64"/></marker>'
    + '<marker id="arrow-bad" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#c62828"/></marker></defs>');
  for (const g of groups) {
    const attr = g.kind === 'namespace' ? `data-namespace="${htmlEscape(g.key)}"` : `data-outside="${g.key === 'outside-in' ? 'in' : 'out'}"`;
    svg.push(`<g class="group ${g.kind}" ${attr}><rect x="${g.x}" y="${g.y}" width="${g.w}" height="${g.h}" rx="10"/>`
      + `<text class="group-label" x="${g.x + PAD}" y="${g.y + 20}">${htmlEscape(g.kind === 'namespace' ? `namespace ${truncate(g.label, 40)}` : g.label)}</text></g>`);
  }
  // Edges under nodes.
  const laneUse = new Map<string, number>();
  for (const e of graph.edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    const bad = e.admitted === false;
    const label = `${e.ports.join(', ')}${bad ? ' (dropped)' : ''}`;
    let d: string;
    let lx: number;
    let ly: number;
    if (e.from === e.to) {
      const rx = a.x + NODE_W;
      d = `M${rx},${a.y + 10} C${rx + 44},${a.y - 8} ${rx + 44},${a.y + NODE_H + 8} ${rx},${a.y + NODE_H - 10}`;
      lx = rx + 36;
      ly = a.y - 2;
    } else {
      const x1 = a.x + NODE_W;
      const y1 = a.y + NODE_H / 2;
      const x2 = b.x;
      const y2 = b.y + NODE_H / 2;
      const k = (laneUse.get(e.from) ?? 0);
      laneUse.set(e.from, k + 1);
      if (x2 - x1 > 0 && x2 - x1 <= COL_GAP + 1) {
        // Neighbouring columns: one curve.
        const dx = Math.max(40, (x2 - x1) / 2);
        d = `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
        lx = (x1 + x2) / 2;
        ly = (y1 + y2) / 2 - 4;
      } else {
        // Farther: down into the gap under the source's row, along it, then up into the target, so
        // the line runs between node rows instead of through the boxes in between.
        const lane = a.y + NODE_H + 5 + (k % 3) * 5;
        const s1 = x2 > x1 ? 1 : -1;
        d = `M${x1},${y1} C${x1 + 24},${y1} ${x1 + 24},${lane} ${x1 + 24 + 24 * s1},${lane} L${x2 - 48},${lane} C${x2 - 24},${lane} ${x2 - 24},${y2} ${x2},${y2}`;
        lx = x2 - 90 - (k % 3) * 40;
        ly = lane - 3;
      }
    }
    const attrs = `data-edge="${htmlEscape(`${e.from}->${e.to}`)}" data-from="${htmlEscape(e.from)}" data-to="${htmlEscape(e.to)}" data-type="${e.type}" data-ports="${htmlEscape(e.ports.join(','))}"`
      + (e.admitted !== undefined ? ` data-admitted="${e.admitted}"` : '');
    svg.push(`<g class="edge ${e.type}${bad ? ' dropped' : ''}" ${attrs}><title>${htmlEscape(`${e.from} -> ${e.to}: ${label}`)}</title>`
      + `<path d="${d}" marker-end="url(#${bad ? 'arrow-bad' : 'arrow'})"/><text x="${lx.toFixed(1)}" y="${ly.toFixed(1)}" text-anchor="middle">${htmlEscape(truncate(label, 40))}</text></g>`);
  }
  for (const n of graph.nodes) {
    const p = pos.get(n.id);
    if (!p) continue;
    const second = n.type === 'workload' ? `${n.kind}${n.open ? ' · no ingress policy' : ''}` : n.detail ?? n.kind;
    const attrs = `data-node="${htmlEscape(n.id)}" data-type="${n.type}" data-kind="${htmlEscape(n.kind)}"`
      + (n.namespace ? ` data-namespace="${htmlEscape(n.namespace)}"` : '') + (n.type === 'workload' ? ` data-open="${!!n.open}"` : '');
    const tip = `${n.type === 'workload' ? `${n.kind} ${n.id}` : n.label}${n.detail ? `\n${n.detail}` : ''}${n.open ? '\nno ingress policy: anyone may reach it' : ''}`;
    svg.push(`<g class="node ${n.type}${n.open ? ' open' : ''}" ${attrs}><title>${htmlEscape(tip)}</title>`
      + `<rect x="${p.x}" y="${p.y}" width="${NODE_W}" height="${NODE_H}" rx="${n.type === 'outside' ? 23 : 6}"/>`
      + `<text x="${p.x + 10}" y="${p.y + 19}" class="name">${htmlEscape(truncate(n.label, 22))}</text>`
      + `<text x="${p.x + 10}" y="${p.y + 36}" class="sub">${htmlEscape(truncate(second, 29))}</text></g>`);
  }
  svg.push('</svg>');

  const workloads = graph.nodes.filter((n) => n.type === 'workload');
  const open = workloads.filter((n) => n.open);
  const names = new Map(graph.nodes.map((n) => [n.id, n.type === 'workload' ? n.id : n.label]));
  const rows = graph.edges.map((e) => `<tr><td>${htmlEscape(e.type)}</td><td>${htmlEscape(names.get(e.from) ?? e.from)}</td><td>${htmlEscape(names.get(e.to) ?? e.to)}</td><td>${htmlEscape(e.ports.join(', '))}</td>`
    + `<td>${e.admitted === false ? 'dropped: the destination\'s ingress policies admit nothing from outside its namespace on this port' : ''}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>${htmlEscape(title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 16px; color: #212121; }
svg { display: block; }
svg text { font: 12px system-ui, sans-serif; }
.group rect { fill: #fafafa; stroke: #90a4ae; stroke-width: 1.5; }
.group.outside rect { fill: #fffde7; stroke: #f9a825; stroke-dasharray: 6 4; }
.group-label { font-weight: 600; fill: #37474f; }
.node rect { fill: #ffffff; stroke: #546e7a; stroke-width: 1.5; }
.node.entry rect { fill: #e3f2fd; stroke: #1565c0; }
.node.outside rect { fill: #fff8e1; stroke: #f9a825; }
.node.open rect { stroke: #c62828; stroke-width: 3; stroke-dasharray: 6 3; }
.node .name { font-weight: 600; }
.node .sub { fill: #607d8b; font-size: 11px; }
.edge path { fill: none; stroke: #455a64; stroke-width: 1.5; }
.edge.entry path, .edge.exit path { stroke: #1565c0; stroke-width: 2; }
.edge.dropped path { stroke: #c62828; stroke-dasharray: 5 4; }
.edge text { fill: #263238; font-size: 11px; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; }
table { border-collapse: collapse; margin-top: 16px; }
td, th { border: 1px solid #e0e0e0; padding: 3px 8px; text-align: left; }
.legend span { margin-right: 18px; }
</style>
</head>
<body>
<h1>${htmlEscape(title)}</h1>
<p class="summary">${plural(workloads.length, 'workload')} in ${plural(graph.namespaces.length, 'namespace')}; ${plural(graph.edges.filter((e) => e.type === 'flow').length, 'allowed connection')} drawn;
${plural(graph.edges.filter((e) => e.type === 'entry').length, 'entry', 'entries')} from outside; ${plural(open.length, 'workload')} with no ingress policy${open.length ? ` (${htmlEscape(open.map((n) => n.id).join(', '))})` : ''}.</p>
<p class="legend"><span>solid arrow: allowed by NetworkPolicy</span><span>blue: from/to outside the manifests</span><span>red dashed box: no ingress policy, anyone may reach it</span><span>red dashed arrow: entry dropped by NetworkPolicy</span></p>
${svg.join('\n')}
<table>
<thead><tr><th>type</th><th>from</th><th>to</th><th>ports</th><th>note</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}
