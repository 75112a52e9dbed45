/**
 * An independent Pod Security Standards "restricted" (1.28) checker for tests, written from the
 * control list (not from the rule catalogue), so the catalogue and the constructs are cross-checked.
 */
const BASELINE_CAPS = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports']);
const VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

function podOf(o: any): { spec: any; meta: any } | undefined {
  switch (o.kind) {
    case 'Pod': return { spec: o.spec, meta: o.metadata };
    case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': case 'Job':
      return { spec: o.spec.template.spec, meta: o.spec.template.metadata };
    case 'CronJob': return { spec: o.spec.jobTemplate.spec.template.spec, meta: o.spec.jobTemplate.spec.template.metadata };
    default: return undefined;
  }
}

export function pssRestrictedViolations(objects: readonly any[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    const pod = podOf(o);
    if (!pod) continue;
    const id = `${o.kind}/${o.metadata?.name}`;
    const s = pod.spec;
    const psc = s.securityContext ?? {};
    const containers = [...(s.initContainers ?? []), ...(s.containers ?? []), ...(s.ephemeralContainers ?? [])];
    if (s.hostNetwork || s.hostPID || s.hostIPC) out.push(`${id}: host namespaces`);
    if (psc.windowsOptions?.hostProcess) out.push(`${id}: hostProcess`);
    for (const v of s.volumes ?? []) {
      const types = Object.keys(v).filter((k) => k !== 'name');
      if (!types.every((t) => VOLUMES.has(t))) out.push(`${id}: volume ${v.name} type ${types}`);
    }
    for (const sc of psc.sysctls ?? []) if (!SAFE_SYSCTLS.has(sc.name)) out.push(`${id}: sysctl ${sc.name}`);
    if (psc.runAsUser === 0) out.push(`${id}: pod runAsUser 0`);
    if (psc.seLinuxOptions?.user || psc.seLinuxOptions?.role) out.push(`${id}: selinux`);
    for (const [k, v] of Object.entries<string>(pod.meta?.annotations ?? {})) {
      if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && v !== 'runtime/default' && !v.startsWith('localhost/')) out.push(`${id}: apparmor`);
    }
    for (const c of containers) {
      const sc = c.securityContext ?? {};
      const cid = `${id}[${c.name}]`;
      if (sc.privileged) out.push(`${cid}: privileged`);
      if (sc.windowsOptions?.hostProcess) out.push(`${cid}: hostProcess`);
      if (sc.procMount && sc.procMount !== 'Default') out.push(`${cid}: procMount`);
      for (const p of c.ports ?? []) if (p.hostPort) out.push(`${cid}: hostPort`);
      const add: string[] = sc.capabilities?.add ?? [];
      if (add.some((a) => !BASELINE_CAPS.has(a))) out.push(`${cid}: baseline capabilities`);
      if (add.some((a) => a !== 'NET_BIND_SERVICE')) out.push(`${cid}: restricted capabilities add`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${cid}: capabilities drop ALL`);
      if (sc.allowPrivilegeEscalation !== false) out.push(`${cid}: allowPrivilegeEscalation`);
      const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
      if (nonRoot !== true || sc.runAsNonRoot === false) out.push(`${cid}: runAsNonRoot`);
      if (sc.runAsUser === 0) out.push(`${cid}: runAsUser 0`);
      const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${cid}: seccomp`);
      if (sc.seccompProfile?.type === 'Unconfined') out.push(`${cid}: seccomp unconfined`);
    }
  }
  return out;
}
