/**
 * The Pod Security Standards checks (k8s.io/pod-security-admission policy, at the level of
 * Kubernetes 1.32 — "latest" here): each check looks at a pod's metadata and spec and returns a
 * reason and detail worded as Kubernetes words them. Baseline checks run in ID order, then the
 * restricted ones; a restricted check replaces the baseline check it tightens
 * (capabilities, hostPath → volume types, seccomp).
 */

/** The fields the checks read (a Pod's spec, loosely typed: admission sees raw JSON). */
export interface SecurityContext {
  privileged?: boolean; runAsNonRoot?: boolean; runAsUser?: number; allowPrivilegeEscalation?: boolean; procMount?: string;
  capabilities?: { add?: string[]; drop?: string[] }; seccompProfile?: { type?: string }; appArmorProfile?: { type?: string };
  seLinuxOptions?: { type?: string; user?: string; role?: string }; windowsOptions?: { hostProcess?: boolean };
}
interface Container { name: string; securityContext?: SecurityContext; ports?: { hostPort?: number }[] }
/** A pod spec as the checks see it. */
export interface CheckedPodSpec {
  hostNetwork?: boolean; hostPID?: boolean; hostIPC?: boolean; os?: { name?: string };
  volumes?: ({ name: string } & Record<string, unknown>)[];
  containers?: Container[]; initContainers?: Container[]; ephemeralContainers?: Container[];
  securityContext?: SecurityContext & { sysctls?: { name: string }[] };
}
/** Pod metadata as the checks see it. */
export interface CheckedPodMeta { annotations?: Record<string, string> }

/** A failed check: Kubernetes' ForbiddenReason and ForbiddenDetail. */
export interface Violation { reason: string; detail: string }
type CheckFn = (meta: CheckedPodMeta, spec: CheckedPodSpec) => Violation | undefined;
interface Check { id: string; level: 'baseline' | 'restricted'; check: CheckFn; overrides?: string }

const plural = (one: string, many: string, n: number) => (n === 1 ? one : many);
const quote = (xs: string[]) => xs.map((x) => `"${x}"`).join(', ');
const uniqSorted = (xs: string[]) => [...new Set(xs)].sort();
const containersOf = (s: CheckedPodSpec) => [...(s.initContainers ?? []), ...(s.containers ?? []), ...(s.ephemeralContainers ?? [])];
const named = (cs: Container[]) => `${plural('container', 'containers', cs.length)} ${quote(cs.map((c) => c.name))}`;
/** "pod and containers "a", "b"" — who set a forbidden value. */
const setters = (pod: boolean, cs: Container[]) => [...(pod ? ['pod'] : []), ...(cs.length ? [named(cs)] : [])].join(' and ');
const windows = (s: CheckedPodSpec) => s.os?.name === 'windows';

const BASELINE_CAPS = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const OK_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];
const RESTRICTED_VOLUMES = ['hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder', 'cephfs',
  'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos'];
const GOOD_PROFILE = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';

function appArmor(meta: CheckedPodMeta, s: CheckedPodSpec): Violation | undefined {
  const bad: string[] = [];
  const pod = !!s.securityContext?.appArmorProfile && !GOOD_PROFILE(s.securityContext.appArmorProfile.type);
  if (pod) bad.push(s.securityContext!.appArmorProfile!.type ?? '');
  const cs = containersOf(s).filter((c) => c.securityContext?.appArmorProfile && !GOOD_PROFILE(c.securityContext.appArmorProfile.type));
  bad.push(...cs.map((c) => c.securityContext!.appArmorProfile!.type ?? ''));
  const ann = Object.entries(meta.annotations ?? {}).filter(([k, v]) => k.startsWith('container.apparmor.security.beta.kubernetes.io/') && v && v !== 'runtime/default' && !v.startsWith('localhost/'))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`).sort();
  const who = [setters(pod, cs), ...(ann.length ? [plural('annotation', 'annotations', ann.length)] : [])].filter(Boolean);
  if (!who.length) return undefined;
  const values = [...uniqSorted(bad), ...ann];
  return { reason: plural('forbidden AppArmor profile', 'forbidden AppArmor profiles', values.length), detail: `${who.join(' and ')} must not set AppArmor profile type to ${quote(values)}` };
}

function addedCaps(allowed: (cap: string) => boolean, s: CheckedPodSpec): { cs: Container[]; caps: string[] } {
  const cs = containersOf(s).filter((c) => (c.securityContext?.capabilities?.add ?? []).some((x) => !allowed(x)));
  return { cs, caps: uniqSorted(cs.flatMap((c) => (c.securityContext!.capabilities!.add ?? []).filter((x) => !allowed(x)))) };
}

function seccomp(s: CheckedPodSpec, requireSet: boolean): Violation | undefined {
  const podProfile = s.securityContext?.seccompProfile;
  const podBad = !!podProfile && !GOOD_PROFILE(podProfile.type);
  const explicit = containersOf(s).filter((c) => c.securityContext?.seccompProfile && !GOOD_PROFILE(c.securityContext.seccompProfile.type));
  if (podBad || explicit.length) {
    const values = uniqSorted([...(podBad ? [podProfile!.type ?? ''] : []), ...explicit.map((c) => c.securityContext!.seccompProfile!.type ?? '')]);
    return { reason: 'seccompProfile', detail: `${setters(podBad, explicit)} must not set securityContext.seccompProfile.type to ${quote(values)}` };
  }
  const implicit = requireSet && !podProfile ? containersOf(s).filter((c) => !c.securityContext?.seccompProfile) : [];
  if (implicit.length) return { reason: 'seccompProfile', detail: `pod or ${named(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` };
  return undefined;
}

/** Every check, baseline then restricted, each group in ID order (as Kubernetes evaluates them). */
export const CHECKS: Check[] = [
  { id: 'appArmorProfile', level: 'baseline', check: appArmor },
  { id: 'capabilities_baseline', level: 'baseline', check: (_m, s) => {
    const { cs, caps } = addedCaps((c) => BASELINE_CAPS.has(c), s);
    return cs.length ? { reason: 'non-default capabilities', detail: `${named(cs)} must not include ${quote(caps)} in securityContext.capabilities.add` } : undefined;
  } },
  { id: 'hostNamespaces', level: 'baseline', check: (_m, s) => {
    const found = [s.hostNetwork && 'hostNetwork=true', s.hostPID && 'hostPID=true', s.hostIPC && 'hostIPC=true'].filter((x): x is string => !!x);
    return found.length ? { reason: 'host namespaces', detail: found.join(', ') } : undefined;
  } },
  { id: 'hostPathVolumes', level: 'baseline', check: (_m, s) => {
    const vs = (s.volumes ?? []).filter((v) => v.hostPath).map((v) => v.name);
    return vs.length ? { reason: 'hostPath volumes', detail: `${plural('volume', 'volumes', vs.length)} ${quote(vs)}` } : undefined;
  } },
  { id: 'hostPorts', level: 'baseline', check: (_m, s) => {
    const cs = containersOf(s).filter((c) => c.ports?.some((p) => p.hostPort));
    const ports = uniqSorted(cs.flatMap((c) => (c.ports ?? []).filter((p) => p.hostPort).map((p) => String(p.hostPort))));
    return cs.length ? { reason: 'hostPort', detail: `${named(cs)} ${plural('uses', 'use', cs.length)} ${plural('hostPort', 'hostPorts', ports.length)} ${ports.join(', ')}` } : undefined;
  } },
  { id: 'privileged', level: 'baseline', check: (_m, s) => {
    const cs = containersOf(s).filter((c) => c.securityContext?.privileged === true);
    return cs.length ? { reason: 'privileged', detail: `${named(cs)} must not set securityContext.privileged=true` } : undefined;
  } },
  { id: 'procMount', level: 'baseline', check: (_m, s) => {
    const cs = containersOf(s).filter((c) => c.securityContext?.procMount && c.securityContext.procMount !== 'Default');
    return cs.length ? { reason: 'procMount', detail: `${named(cs)} must not set securityContext.procMount to ${quote(uniqSorted(cs.map((c) => c.securityContext!.procMount!)))}` } : undefined;
  } },
  { id: 'seLinuxOptions', level: 'baseline', check: (_m, s) => {
    const types: string[] = [];
    let user = false;
    let role = false;
    const bad = (o: SecurityContext['seLinuxOptions']) => {
      if (!o) return false;
      const t = !SELINUX_TYPES.has(o.type ?? '');
      if (t) types.push(o.type ?? '');
      user ||= !!o.user;
      role ||= !!o.role;
      return t || !!o.user || !!o.role;
    };
    const pod = bad(s.securityContext?.seLinuxOptions);
    const cs = containersOf(s).filter((c) => bad(c.securityContext?.seLinuxOptions));
    if (!pod && !cs.length) return undefined;
    const t = uniqSorted(types);
    const data = [...(t.length ? [`${plural('type', 'types', t.length)} ${quote(t)}`] : []), ...(user ? ['user may not be set'] : []), ...(role ? ['role may not be set'] : [])];
    return { reason: 'seLinuxOptions', detail: `${setters(pod, cs)} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}` };
  } },
  { id: 'seccompProfile_baseline', level: 'baseline', check: (_m, s) => seccomp(s, false) },
  { id: 'sysctls', level: 'baseline', check: (_m, s) => {
    const bad = (s.securityContext?.sysctls ?? []).map((x) => x.name).filter((n) => !SYSCTLS.has(n));
    return bad.length ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
  } },
  { id: 'windowsHostProcess', level: 'baseline', check: (_m, s) => {
    const pod = s.securityContext?.windowsOptions?.hostProcess === true;
    const cs = containersOf(s).filter((c) => c.securityContext?.windowsOptions?.hostProcess === true);
    return pod || cs.length ? { reason: 'hostProcess', detail: `${setters(pod, cs)} must not set securityContext.windowsOptions.hostProcess=true` } : undefined;
  } },
  { id: 'allowPrivilegeEscalation', level: 'restricted', check: (_m, s) => {
    const cs = windows(s) ? [] : containersOf(s).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false);
    return cs.length ? { reason: 'allowPrivilegeEscalation != false', detail: `${named(cs)} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
  } },
  { id: 'capabilities_restricted', level: 'restricted', overrides: 'capabilities_baseline', check: (_m, s) => {
    if (windows(s)) return undefined;
    const noDrop = containersOf(s).filter((c) => !(c.securityContext?.capabilities?.drop ?? []).includes('ALL'));
    const { cs, caps } = addedCaps((c) => c === 'NET_BIND_SERVICE', s);
    const details = [...(noDrop.length ? [`${named(noDrop)} must set securityContext.capabilities.drop=["ALL"]`] : []),
      ...(cs.length ? [`${named(cs)} must not include ${quote(caps)} in securityContext.capabilities.add`] : [])];
    return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
  } },
  { id: 'restrictedVolumes', level: 'restricted', overrides: 'hostPathVolumes', check: (_m, s) => {
    const bad = (s.volumes ?? []).filter((v) => !OK_VOLUMES.some((k) => v[k] !== undefined && v[k] !== null));
    const types = uniqSorted(bad.map((v) => RESTRICTED_VOLUMES.find((k) => v[k] !== undefined && v[k] !== null) ?? 'unknown'));
    return bad.length ? { reason: 'restricted volume types', detail: `${plural('volume', 'volumes', bad.length)} ${quote(bad.map((v) => v.name))} ${plural('uses', 'use', bad.length)} ${plural('restricted volume type', 'restricted volume types', types.length)} ${quote(types)}` } : undefined;
  } },
  { id: 'runAsNonRoot', level: 'restricted', check: (_m, s) => {
    const podValue = s.securityContext?.runAsNonRoot;
    const explicit = containersOf(s).filter((c) => c.securityContext?.runAsNonRoot === false);
    if (podValue === false || explicit.length) return { reason: 'runAsNonRoot != true', detail: `${setters(podValue === false, explicit)} must not set securityContext.runAsNonRoot=false` };
    const implicit = podValue === true ? [] : containersOf(s).filter((c) => c.securityContext?.runAsNonRoot === undefined);
    return implicit.length ? { reason: 'runAsNonRoot != true', detail: `pod or ${named(implicit)} must set securityContext.runAsNonRoot=true` } : undefined;
  } },
  { id: 'runAsUser', level: 'restricted', check: (_m, s) => {
    const pod = s.securityContext?.runAsUser === 0;
    const cs = containersOf(s).filter((c) => c.securityContext?.runAsUser === 0);
    return pod || cs.length ? { reason: 'runAsUser=0', detail: `${setters(pod, cs)} must not set runAsUser=0` } : undefined;
  } },
  { id: 'seccompProfile_restricted', level: 'restricted', overrides: 'seccompProfile_baseline', check: (_m, s) => (windows(s) ? undefined : seccomp(s, true)) },
];

/** The violations of a level ('privileged' has none); unknown levels are treated as restricted (fail closed). */
export function evaluatePodSecurity(level: string, meta: CheckedPodMeta, spec: CheckedPodSpec): Violation[] {
  if (level === 'privileged') return [];
  const restricted = level !== 'baseline';
  const replaced = new Set(restricted ? CHECKS.filter((c) => c.overrides).map((c) => c.overrides!) : []);
  return CHECKS.filter((c) => (c.level === 'baseline' || restricted) && !replaced.has(c.id)).map((c) => c.check(meta, spec)).filter((v): v is Violation => !!v);
}

/** Kubernetes' rendering: `reason (detail), reason (detail)`. */
export function formatViolations(vs: Violation[]): string {
  return vs.map((v) => (v.detail ? `${v.reason} (${v.detail})` : v.reason)).join(', ');
}
