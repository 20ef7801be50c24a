/**
 * Start-up wiring of the registry: the system namespaces and priority classes, storage access
 * for admission plugins, and the Service allocators (repaired from the stored Services).
 */
import { EtcdServiceAllocation } from '../allocators/index.js';
import { SYSTEM_PRIORITY_CLASSES } from '../admission/priority.js';
import type { AdmissionStore } from '../admission/types.js';
import { isApiError } from '../../lib/errors.js';
import { collectionKey, objectKey } from '../storage/keys.js';
import { EtcdStore } from '../storage/store.js';
import type { CachedReads } from './cached-reads.js';
import type { RegistryCore, ServiceAllocation } from './context.js';
import { ensureDefaultServiceAccount } from './create.js';
import type { RegistryOptions } from './registry.js';
import type { Registry, RequestContext } from './types.js';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Creates the system namespaces (with their default ServiceAccounts) and priority classes when missing; several apiservers may race. */
export async function bootstrapCluster(reg: Registry, core: RegistryCore): Promise<void> {
  const ignoreExists = (err: unknown) => { if (!isApiError(err, 'AlreadyExists')) throw err; };
  const ctx: RequestContext = { user: { username: 'system:apiserver', groups: ['system:masters'] } };
  if (reg.lookup('', 'namespaces')) {
    for (const name of SYSTEM_NAMESPACES) {
      await reg.create(ctx, { group: '', version: 'v1', resource: 'namespaces' }, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }).catch(ignoreExists);
      await ensureDefaultServiceAccount(core, ctx, name);
    }
  }
  const pcRef = { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses' };
  if (!reg.lookup(pcRef.group, pcRef.resource)) return;
  for (const pc of SYSTEM_PRIORITY_CLASSES) await reg.create(ctx, pcRef, undefined, structuredClone(pc)).catch(ignoreExists);
}

/** Small policy resources admission reads on every create: served from the watch caches. */
const CACHED_FOR_ADMISSION = new Set(['resourcequotas', 'limitranges', 'priorityclasses', 'namespaces']);

/**
 * Storage access for admission plugins by plural resource: policy objects from the watch caches
 * (read-your-writes, cached-reads.ts), anything else (quota usage: pods, services, ...) from etcd,
 * and read-modify-writes.
 */
export function storeForAdmission(store: EtcdStore, prefix: string, cached?: CachedReads): AdmissionStore {
  return {
    list: async (resource, namespace) => cached && CACHED_FOR_ADMISSION.has(resource) ? cached.list(resource, namespace)
      : (await store.list(collectionKey(prefix, resource, namespace))).items.map((s) => s.obj),
    update: async (resource, namespace, name, mutate) => {
      await store.guaranteedUpdate(objectKey(prefix, resource, namespace, name), { resource, group: '', name }, (cur) => mutate(cur.obj));
    },
  };
}

/** ClusterIP/NodePort allocators in etcd; repaired from the stored Services on start. */
export async function defaultServiceAllocation(opts: RegistryOptions): Promise<ServiceAllocation> {
  const prefix = (opts.prefix ?? '/registry').replace(/\/+$/, '');
  const alloc = EtcdServiceAllocation.create(opts.etcd, { prefix, serviceClusterIPRange: opts.serviceClusterIPRange, serviceNodePortRange: opts.serviceNodePortRange });
  const services = await new EtcdStore(opts.etcd, opts.etcdKv).list(collectionKey(prefix, 'services'));
  // A grace period keeps claims another apiserver made for a create still in flight.
  await alloc.repair(services.items.map((s) => s.obj), { graceMs: 60_000 });
  return alloc;
}
