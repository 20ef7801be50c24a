/**
 * PodSecurity admission (the Pod Security Standards): a namespace labelled
 * `pod-security.kubernetes.io/enforce=baseline|restricted` refuses pods that break the level.
 * A trimmed rule set: baseline forbids privileged containers, host namespaces, hostPath volumes,
 * host ports and added capabilities beyond the default set; restricted also requires
 * runAsNonRoot, allowPrivilegeEscalation=false and capabilities.drop [ALL].
 */
import { ApiError } from '../../lib/errors.js';
import type { AdmissionPlugin } from './types.js';

const LABEL = 'pod-security.kubernetes.io/enforce';
const BASELINE_CAPS = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);

interface SecurityContext { privileged?: boolean; runAsNonRoot?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { add?: string[]; drop?: string[] } }
interface Container { name: string; securityContext?: SecurityContext; ports?: { hostPort?: number }[] }
interface PodSpec { hostNetwork?: boolean; hostPID?: boolean; hostIPC?: boolean; volumes?: { name: string; hostPath?: unknown }[]; containers?: Container[]; initContainers?: Container[]; securityContext?: { runAsNonRoot?: boolean } }

/** The violations of `level` in a pod spec (empty when allowed). */
export function podSecurityViolations(level: string, spec: PodSpec): string[] {
  if (level !== 'baseline' && level !== 'restricted') return [];
  const out: string[] = [];
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) out.push('host namespaces (hostNetwork/hostPID/hostIPC=true)');
  const priv = containers.filter((c) => c.securityContext?.privileged).map((c) => `"${c.name}"`);
  if (priv.length) out.push(`privileged (container ${priv.join(', ')} must not set securityContext.privileged=true)`);
  const hostPath = (spec.volumes ?? []).filter((v) => v.hostPath).map((v) => `"${v.name}"`);
  if (hostPath.length) out.push(`hostPath volumes (volume ${hostPath.join(', ')})`);
  if (containers.some((c) => c.ports?.some((p) => p.hostPort))) out.push('hostPort (containers must not set hostPort)');
  const caps = containers.flatMap((c) => (c.securityContext?.capabilities?.add ?? []).filter((cap) => !BASELINE_CAPS.has(cap)));
  if (caps.length) out.push(`non-default capabilities (${[...new Set(caps)].join(', ')})`);
  if (level === 'restricted') {
    const noEsc = containers.filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => `"${c.name}"`);
    if (noEsc.length) out.push(`allowPrivilegeEscalation != false (container ${noEsc.join(', ')} must set securityContext.allowPrivilegeEscalation=false)`);
    const root = containers.filter((c) => !(c.securityContext?.runAsNonRoot ?? spec.securityContext?.runAsNonRoot)).map((c) => `"${c.name}"`);
    if (root.length) out.push(`runAsNonRoot != true (pod or container ${root.join(', ')} must set securityContext.runAsNonRoot=true)`);
    const drop = containers.filter((c) => !(c.securityContext?.capabilities?.drop ?? []).includes('ALL')).map((c) => `"${c.name}"`);
    if (drop.length) out.push(`unrestricted capabilities (container ${drop.join(', ')} must set securityContext.capabilities.drop=["ALL"])`);
  }
  return out;
}

/** The plugin; `namespaceLabels` reads a namespace's labels (late-bound to the registry). */
export function podSecurityPlugin(namespaceLabels: (ns: string) => Promise<Record<string, string>>): AdmissionPlugin {
  return {
    name: 'PodSecurity',
    type: 'validating',
    async admit(a) {
      if (a.operation !== 'CREATE' || a.ref.group !== '' || a.ref.resource !== 'pods' || a.subresource || !a.object || !a.namespace) return;
      const level = (await namespaceLabels(a.namespace))[LABEL];
      if (!level) return;
      const violations = podSecurityViolations(level, (a.object.spec ?? {}) as PodSpec);
      if (!violations.length) return;
      throw new ApiError('Forbidden', `pods "${a.name}" is forbidden: violates PodSecurity "${level}:latest": ${violations.join(', ')}`, { name: a.name, kind: 'pods' });
    },
  };
}
