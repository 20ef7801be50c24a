/**
 * What a pod references (Kubernetes' podutil visitors): its node, ServiceAccount, Secrets
 * (volumes, projected sources, env, envFrom, imagePullSecrets), ConfigMaps (volumes, projected
 * sources, env, envFrom) and PersistentVolumeClaims (including ephemeral volumes'
 * `<pod>-<volume>` claims). The apiserver's Node authorizer and the kubelet's object manager
 * both read it.
 */
import type { KObject } from './object.js';

/** The references of one pod. */
export interface PodRefs { namespace: string; node: string; serviceAccount: string; secrets: string[]; configMaps: string[]; claims: string[] }

interface EnvSource { valueFrom?: { secretKeyRef?: { name?: string }; configMapKeyRef?: { name?: string } } }
interface EnvFrom { secretRef?: { name?: string }; configMapRef?: { name?: string } }
interface Projection { secret?: { name?: string }; configMap?: { name?: string } }
interface VolumeSpec { name?: string; secret?: { secretName?: string }; configMap?: { name?: string }; projected?: { sources?: Projection[] }; persistentVolumeClaim?: { claimName?: string }; ephemeral?: unknown }
interface PodSpecRefs { nodeName?: string; serviceAccountName?: string; volumes?: VolumeSpec[]; imagePullSecrets?: { name?: string }[]; containers?: { env?: EnvSource[]; envFrom?: EnvFrom[] }[]; initContainers?: { env?: EnvSource[]; envFrom?: EnvFrom[] }[] }

/** The references of a pod object. */
export function podRefs(pod: KObject): PodRefs {
  const spec = (pod.spec ?? {}) as PodSpecRefs;
  const secrets = new Set<string>();
  const configMaps = new Set<string>();
  const claims = new Set<string>();
  const add = (set: Set<string>, name: string | undefined) => { if (name) set.add(name); };
  for (const v of spec.volumes ?? []) {
    add(secrets, v.secret?.secretName);
    add(configMaps, v.configMap?.name);
    for (const s of v.projected?.sources ?? []) { add(secrets, s.secret?.name); add(configMaps, s.configMap?.name); }
    add(claims, v.persistentVolumeClaim?.claimName);
    if (v.ephemeral) add(claims, `${pod.metadata?.name}-${v.name}`);
  }
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const e of c.env ?? []) { add(secrets, e.valueFrom?.secretKeyRef?.name); add(configMaps, e.valueFrom?.configMapKeyRef?.name); }
    for (const e of c.envFrom ?? []) { add(secrets, e.secretRef?.name); add(configMaps, e.configMapRef?.name); }
  }
  for (const s of spec.imagePullSecrets ?? []) add(secrets, s.name);
  return {
    namespace: pod.metadata?.namespace ?? '', node: spec.nodeName ?? '', serviceAccount: spec.serviceAccountName || 'default',
    secrets: [...secrets], configMaps: [...configMaps], claims: [...claims],
  };
}
