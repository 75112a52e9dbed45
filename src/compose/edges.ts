/**
 * The call graph of a Compose app: who connects to whom, on which port, and why we think so.
 * Evidence: `depends_on`, `links`, and service host names inside environment values and command
 * lines (a bare host, host:port, URLs and DSNs, parsed with the WHATWG URL class). Every scan is
 * linear: values are split into tokens once.
 */
import { ComposeService } from './read';
import { parseUrl, tokens, urlCandidates } from './secrets';
import { scalarText } from '../spec/canonical';

/** Default ports of URL schemes (when the URL names none). */
const SCHEME_PORTS: Record<string, number> = {
  http: 80,
  https: 443,
  ws: 80,
  wss: 443,
  redis: 6379,
  rediss: 6379,
  postgres: 5432,
  postgresql: 5432,
  mysql: 3306,
  mariadb: 3306,
  mongodb: 27017,
  amqp: 5672,
  amqps: 5671,
  nats: 4222,
  kafka: 9092,
  memcached: 11211,
  mqtt: 1883,
  ldap: 389,
  smtp: 25,
  grpc: 443,
};

/** Env names whose bare value is a host name. */
const HOST_KEY = /(HOST|ADDR|SERVER|URL|URI|DSN|ENDPOINT|BROKER|UPSTREAM|BACKEND|PROXY|NODES|PEERS|SERVICE)/i;
/** Command-line flags whose next word is a host name. */
const HOST_FLAG = /^--?(h|host|hostname|server|addr|address|broker|upstream|endpoint|connect)$/i;

export interface EdgeEvidence {
  readonly what: string;
  /** Port named by the evidence (URL, host:port); undefined when it names none. */
  readonly port?: number;
}

/** A raw edge: client → server with its evidence, before ports are resolved. */
export interface RawEdge {
  readonly from: string;
  readonly to: string;
  readonly evidence: EdgeEvidence[];
}

function dependsOn(svc: ComposeService): string[] {
  const d = svc.depends_on;
  if (Array.isArray(d)) return d.map(String);
  if (d && typeof d === 'object') return Object.keys(d);
  return [];
}

function envEntries(x: ComposeService['environment']): [string, string | undefined][] {
  if (Array.isArray(x)) {
    return x.filter((e) => typeof e === 'string').map((e) => {
      const i = e.indexOf('=');
      return i > 0 ? [e.slice(0, i), e.slice(i + 1)] : [e, undefined];
    });
  }
  if (x && typeof x === 'object') return Object.keys(x).map((k) => [k, x[k] === null || x[k] === undefined ? undefined : scalarText(x[k])]);
  return [];
}

/** Host names → Compose service, as other services may write them. */
export function hostIndex(services: ReadonlyMap<string, ComposeService>, names: ReadonlyMap<string, string>): Map<string, string> {
  const idx = new Map<string, string>();
  const add = (host: unknown, svc: string) => {
    if (typeof host === 'string' && host && !idx.has(host.toLowerCase())) idx.set(host.toLowerCase(), svc);
  };
  for (const [n] of services) add(n, n);
  for (const [n, s] of services) {
    add(names.get(n), n);
    add(s.container_name, n);
    add(s.hostname, n);
    if (s.networks && !Array.isArray(s.networks)) for (const net of Object.values(s.networks)) for (const a of net?.aliases ?? []) add(a, n);
  }
  return idx;
}

/** `host`, `host:port`, `user@host:port`, `[v6]:port` → host and port (no regex over the whole value). */
function hostPort(token: string): { host: string; port?: number } | undefined {
  let t = token;
  const at = t.lastIndexOf('@');
  if (at >= 0) t = t.slice(at + 1);
  const slash = t.indexOf('/');
  if (slash >= 0) t = t.slice(0, slash);
  const colon = t.lastIndexOf(':');
  if (colon < 0) return { host: t };
  const port = t.slice(colon + 1);
  if (!/^[0-9]{1,5}$/.test(port)) return undefined;
  return { host: t.slice(0, colon), port: Number(port) };
}

/** Infer the edges of every service (self-references and unknown hosts are ignored). */
export function inferEdges(services: ReadonlyMap<string, ComposeService>, names: ReadonlyMap<string, string>): RawEdge[] {
  const idx = hostIndex(services, names);
  const edges = new Map<string, RawEdge>();
  const add = (from: string, to: string | undefined, ev: EdgeEvidence) => {
    if (to === undefined || to === from || !services.has(to)) return;
    const k = `${from}\u0000${to}`;
    let e = edges.get(k);
    if (!e) edges.set(k, (e = { from, to, evidence: [] }));
    if (!e.evidence.some((x) => x.what === ev.what && x.port === ev.port)) e.evidence.push(ev);
  };
  for (const [from, svc] of services) {
    const local = new Map(idx);
    for (const d of dependsOn(svc)) add(from, d, { what: 'depends_on' });
    for (const l of Array.isArray(svc.links) ? svc.links : []) {
      const [target, alias] = scalarText(l).split(':');
      add(from, target, { what: `links: ${target}${alias ? `:${alias}` : ''}` });
      if (alias) local.set(alias.toLowerCase(), target);
    }
    const lookup = (host: string) => local.get(host.toLowerCase().replace(/\.$/, ''));
    // Environment values.
    for (const [k, v] of envEntries(svc.environment)) {
      if (v === undefined || v === '') continue;
      scanText(v, `environment ${k}`, HOST_KEY.test(k), lookup, (to, ev) => add(from, to, ev));
    }
    // Command lines (entrypoint, command).
    for (const field of ['entrypoint', 'command'] as const) {
      const c = svc[field];
      const words = Array.isArray(c) ? c.map(String) : typeof c === 'string' ? tokens(c) : [];
      words.forEach((w, i) => {
        const prevFlag = i > 0 && HOST_FLAG.test(words[i - 1]);
        const eq = w.startsWith('-') ? w.indexOf('=') : -1;
        if (eq > 0) {
          scanText(w.slice(eq + 1), `${field} ${w.slice(0, eq)}`, HOST_KEY.test(w.slice(0, eq)) || HOST_FLAG.test(w.slice(0, eq)), lookup, (to, ev) => add(from, to, ev));
        } else {
          scanText(w, `${field}${prevFlag ? ` ${words[i - 1]}` : ''}`, prevFlag, lookup, (to, ev) => add(from, to, ev));
        }
      });
    }
  }
  return [...edges.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

/**
 * Find service hosts in one value: URLs first (their host and port), then host:port tokens, then
 * bare host names where the key says the value is a host.
 */
type Lookup = (h: string) => string | undefined;
type Found = (to: string, ev: EdgeEvidence) => void;

function scanText(value: string, where: string, bareHost: boolean, lookup: Lookup, found: Found): void {
  let rest = value;
  for (const u of urlCandidates(value)) {
    rest = rest.split(u).join(' ');
    const url = parseUrl(u);
    if (!url) continue;
    const scheme = url.protocol.replace(/:$/, '').toLowerCase();
    // Multi-host DSNs (mongodb://a:1,b:2/db) put every host in the authority; WHATWG sees one host.
    const authority = u.slice(u.indexOf('://') + 3).split(/[/?#]/)[0];
    const hosts = authority.includes(',') ? authority.slice(authority.lastIndexOf('@') + 1).split(',') : [url.host];
    for (const h of hosts) {
      const hp = hostPort(h);
      if (!hp) continue;
      const to = lookup(hp.host);
      if (to) found(to, { what: `${where} (${scheme} URL)`, port: hp.port ?? (url.port ? Number(url.port) : SCHEME_PORTS[scheme]) });
    }
  }
  for (const t of tokens(rest)) {
    const hp = hostPort(t);
    if (!hp || !hp.host) continue;
    const to = lookup(hp.host);
    if (!to) continue;
    if (hp.port !== undefined) found(to, { what: `${where} (host:port)`, port: hp.port });
    else if (bareHost) found(to, { what: `${where} (host name)` });
  }
}
