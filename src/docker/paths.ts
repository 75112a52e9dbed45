import { posix } from 'path';
import { RUNTIME_SOCKET, sensitive } from '../policy/rules/host';
import { Refuser } from '../spec/errors';

/**
 * Host paths are canonicalized before any check: `/srv/..` is `/`, `/srv/../run` is `/run`,
 * `//etc/` is `/etc`. Only absolute paths without NUL or control characters are accepted. The
 * canonical form is also what gets emitted, so the rules that check the registered inputs see
 * the same path the daemon will mount. Symbolic links on the host cannot be resolved at deploy
 * time: keep bind sources in directories that only root can write.
 */
export function canonicalHostPath(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || !raw.startsWith('/')) return undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return undefined;
  }
  const n = posix.normalize(raw);
  return n.length > 1 ? n.replace(/\/+$/, '') : '/';
}

/**
 * Canonicalize a host path for a bind mount and refuse the runtime socket and sensitive host
 * directories (CIS Docker 5.6 / 5.32). Returns the canonical path.
 * @internal
 */
export function checkHostPath(raw: unknown, field: string, refuser: Refuser, what = 'host path'): string {
  const path = canonicalHostPath(raw);
  if (path === undefined) {
    return refuser.refuse('no-host-path', field, `${JSON.stringify(raw)} is not an absolute ${what} (or holds control characters).`, "use an absolute path below an application directory, e.g. '/srv/<app>/…'.");
  }
  const shown = path === raw ? path : `${JSON.stringify(raw)} (that is ${path})`;
  if (RUNTIME_SOCKET.test(path)) {
    refuser.refuse('no-docker-socket', field, `${shown} is a container runtime socket: whoever can talk to it is root on the host.`, 'remove the mount; use a rootless builder or the orchestrator API instead.');
  }
  if (sensitive(path)) {
    refuser.refuse('no-host-path', field, `${shown} is (inside) a sensitive host directory: mounting it exposes the host to the container.`, "use a named volume, or a read-only bind of an application directory such as '/srv/<app>/…'.");
  }
  return path;
}
