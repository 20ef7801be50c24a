/**
 * ServiceAccount admission, as Kubernetes': a new pod runs as `default` unless it names an
 * account, the account must exist, and unless the pod or its account sets
 * automountServiceAccountToken=false every container and init container gets the
 * `kube-api-access-<5 random>` projected volume (a bound token, the cluster CA from the
 * kube-root-ca.crt ConfigMap, the namespace) read-only at /var/run/secrets/kubernetes.io/serviceaccount.
 */
import { randomInt } from 'node:crypto';
import type { KObject } from '../../lib/api/object.js';
import { ApiError } from '../../lib/errors.js';
import type { AdmissionPlugin, AdmissionStore } from './types.js';

/** Where the token, ca.crt and namespace files appear in containers. */
export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Name prefix of the injected volume. */
export const API_ACCESS_VOLUME_PREFIX = 'kube-api-access-';
/** Lifetime asked for the projected token (Kubernetes' WarnOnlyBoundTokenExpirationSeconds). */
export const PROJECTED_TOKEN_SECONDS = 3607;
/** The ConfigMap every namespace gets with the cluster CA. */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';

interface Mount { name: string; mountPath: string; readOnly?: boolean }
interface Container { name: string; volumeMounts?: Mount[] }
interface PodSpec { serviceAccountName?: string; serviceAccount?: string; automountServiceAccountToken?: boolean; volumes?: { name: string }[]; containers?: Container[]; initContainers?: Container[] }

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789'; // apimachinery's name generator alphabet (no vowels, no look-alikes)

/** The projected volume of the token mount (Kubernetes' TokenVolumeSource). */
export function apiAccessVolume(name: string): Record<string, unknown> {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: PROJECTED_TOKEN_SECONDS, path: 'token' } },
        { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

/** Adds the volume and the mounts (containers already mounting something at the path keep theirs). */
export function mountApiAccess(spec: PodSpec, suffix = Array.from({ length: 5 }, () => ALPHANUMS[randomInt(ALPHANUMS.length)]).join('')): void {
  const existing = spec.volumes?.find((v) => v.name.startsWith(API_ACCESS_VOLUME_PREFIX));
  const name = existing?.name ?? `${API_ACCESS_VOLUME_PREFIX}${suffix}`;
  let needed = false;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if (c.volumeMounts?.some((m) => m.mountPath === TOKEN_MOUNT_PATH)) continue;
    (c.volumeMounts ??= []).push({ name, readOnly: true, mountPath: TOKEN_MOUNT_PATH });
    needed = true;
  }
  if (needed && !existing) (spec.volumes ??= []).push(apiAccessVolume(name) as { name: string });
}

type Account = KObject & { automountServiceAccountToken?: boolean };

/**
 * The account, read from the cache; `default` is looked for a few more times, as Kubernetes does,
 * since another apiserver may have just created it with its namespace.
 */
async function findAccount(store: Pick<AdmissionStore, 'list'>, namespace: string, name: string): Promise<Account | undefined> {
  for (let attempt = 0; ; attempt++) {
    const sa = (await store.list('serviceaccounts', namespace)).find((s) => s.metadata?.name === name);
    if (sa || name !== 'default' || attempt >= 5) return sa;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The plugin; `mountTokens` is false when the apiserver cannot issue tokens (no signing key). */
export function serviceAccountPlugin(store: Pick<AdmissionStore, 'list'>, mountTokens: boolean): AdmissionPlugin {
  return {
    name: 'ServiceAccount',
    type: 'mutating',
    async admit(a) {
      if (a.operation !== 'CREATE' || a.subresource || a.ref.group !== '' || a.ref.resource !== 'pods' || !a.object || !a.namespace) return;
      // Mirror pods (static pods of a kubelet) are left alone, as Kubernetes does.
      if (a.object.metadata?.annotations?.['kubernetes.io/config.mirror']) return;
      const spec = (a.object.spec ??= {}) as PodSpec;
      spec.serviceAccountName ||= 'default';
      spec.serviceAccount = spec.serviceAccountName;
      const name = spec.serviceAccountName;
      const sa = await findAccount(store, a.namespace, name);
      if (!sa) {
        throw new ApiError('Forbidden', `pods "${a.name}" is forbidden: error looking up service account ${a.namespace}/${name}: serviceaccount "${name}" not found`, { name: a.name, kind: 'pods' });
      }
      const automount = spec.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;
      if (mountTokens && automount) mountApiAccess(spec);
    },
  };
}
