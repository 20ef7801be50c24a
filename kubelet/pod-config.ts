/**
 * Turns a Pod into CRI requests (Kubernetes' kuberuntime_sandbox.go / kuberuntime_container.go):
 * the PodSandboxConfig (hostname, DNS, ports, host network, labels naming the pod) and each
 * ContainerConfig (argv with $(VAR) expansion, env, mounts, resource limits, log path).
 */
import type { Container, Pod } from '../lib/api/types.js';
import { tryParseQuantity } from '../lib/api/quantity.js';
import { expandVars } from './expand-vars.js';
import type { EnvPair } from './container-env.js';
import type { DnsLists } from './dns-config.js';

/** CRI label keys the kubelet puts on sandboxes and containers (same as Kubernetes). */
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';

/** The pod's hostname: spec.hostname or the pod name, cut to 63 characters. */
export function podHostname(pod: Pod): string {
  return (pod.spec?.hostname || pod.metadata!.name!).slice(0, 63).replace(/[-.]+$/, '');
}

/** The pod's log folder, /var/log/pods/<ns>_<name>_<uid>. */
export function podLogDir(logRoot: string, pod: Pod): string {
  return `${logRoot}/${pod.metadata!.namespace}_${pod.metadata!.name}_${pod.metadata!.uid}`;
}

/** CRI PodSandboxConfig for a pod. */
export function sandboxConfig(pod: Pod, attempt: number, dns: DnsLists, logRoot: string, clusterDomain: string): Record<string, unknown> {
  const md = pod.metadata!;
  const hostname = podHostname(pod);
  const aliases = pod.spec?.subdomain ? [`${hostname}.${pod.spec.subdomain}.${md.namespace}.svc.${clusterDomain}`] : [];
  const ports = (pod.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => ({
    protocol: p.protocol ?? 'TCP', container_port: p.containerPort, host_port: p.hostPort ?? 0, host_ip: p.hostIP ?? '',
  })));
  return {
    metadata: { name: md.name, namespace: md.namespace, uid: md.uid, attempt },
    hostname, log_directory: podLogDir(logRoot, pod), dns_config: dns, port_mappings: ports, host_aliases: aliases,
    labels: { ...(md.labels ?? {}), [LABEL_POD_NAME]: md.name!, [LABEL_POD_NAMESPACE]: md.namespace!, [LABEL_POD_UID]: md.uid! },
    annotations: md.annotations ?? {},
    linux: { security_context: { namespace_options: { network: pod.spec?.hostNetwork ? 2 : 0 }, share_process_namespace: !!pod.spec?.shareProcessNamespace } },
  };
}

/** CRI LinuxContainerResources from requests/limits: memory limit, CFS quota (period 100ms), shares. */
export function linuxResources(c: Container): Record<string, number> {
  const mem = tryParseQuantity(c.resources?.limits?.memory ?? '');
  const cpuLimit = tryParseQuantity(c.resources?.limits?.cpu ?? '');
  const cpuReq = tryParseQuantity(c.resources?.requests?.cpu ?? c.resources?.limits?.cpu ?? '');
  return {
    memory_limit_in_bytes: mem?.value ?? 0,
    cpu_period: cpuLimit ? 100_000 : 0,
    cpu_quota: cpuLimit ? Math.max(1000, cpuLimit.milli * 100) : 0,
    cpu_shares: cpuReq ? Math.max(2, Math.floor((cpuReq.milli * 1024) / 1000)) : 2,
  };
}

/** One bind mount for a container. */
export interface CriMount { container_path: string; host_path: string; readonly: boolean }

/** CRI ContainerConfig for one container of the pod. */
export function containerConfig(pod: Pod, c: Container, attempt: number, env: EnvPair[], mounts: CriMount[], targetId?: string): Record<string, unknown> {
  const look = new Map(env.map((e) => [e.name, e.value]));
  const expand = (xs: string[] | undefined) => (xs ?? []).map((x) => expandVars(x, (n) => look.get(n)));
  const ports = (c.ports ?? []).map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(',');
  return {
    metadata: { name: c.name, attempt },
    image: { image: c.image },
    command: expand(c.command), args: expand(c.args), working_dir: c.workingDir ?? '',
    envs: env.map((e) => ({ key: e.name, value: e.value })),
    mounts,
    labels: { [LABEL_POD_NAME]: pod.metadata!.name!, [LABEL_POD_NAMESPACE]: pod.metadata!.namespace!, [LABEL_POD_UID]: pod.metadata!.uid!, [LABEL_CONTAINER_NAME]: c.name! },
    annotations: { 'io.kubernetes.container.restartCount': String(attempt), 'kubesim.io/ports': ports },
    log_path: `${c.name}/${attempt}.log`,
    stdin: !!c.stdin, stdin_once: !!c.stdinOnce, tty: !!c.tty,
    // An ephemeral container's targetContainerName: CRI pid namespace mode TARGET (3) with that container's id.
    linux: { resources: linuxResources(c), ...(targetId ? { security_context: { namespace_options: { pid: 3, target_id: targetId } } } : {}) },
  };
}

/** The fieldPath naming a container in the events about its pod (as the real kubelet's). */
export function containerFieldPath(name: string | undefined, list: 'containers' | 'ephemeralContainers' = 'containers'): string {
  return `spec.${list}{${name ?? ""}}`;
}

/** An ephemeral container (kubectl debug): a Container plus the container whose PID namespace it joins. */
export type EphemeralContainer = Container & { targetContainerName?: string };

/** The pod's spec.ephemeralContainers (not in the generated Pod type). */
export function ephemeralContainers(pod: Pod): EphemeralContainer[] {
  return (pod.spec as { ephemeralContainers?: EphemeralContainer[] } | undefined)?.ephemeralContainers ?? [];
}

/**
 * Whether an update of a pod asks the kubelet for a sync: anything but the status (and the
 * bookkeeping fields resourceVersion/managedFields) changed. The kubelet's own status writes
 * come back as updates; as the real kubelet's pod config source, it ignores those (status set by
 * others is re-asserted on the periodic resync).
 */
export function podNeedsSync(old: Pod, cur: Pod): boolean {
  const shape = (p: Pod) => JSON.stringify([{ ...p.metadata, resourceVersion: undefined, managedFields: undefined }, p.spec]);
  return shape(old) !== shape(cur);
}
