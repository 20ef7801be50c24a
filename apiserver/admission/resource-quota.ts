/**
 * ResourceQuota admission, as Kubernetes': a create that would take a namespace past a quota's
 * `spec.hard` is 403 Forbidden (`exceeded quota: ...`), and quota `status.used` is recomputed
 * after writes so `kubectl describe quota` shows it. Usage is counted from storage at admission
 * time; the registry serializes creates in a namespace that has a quota, so racing creates cannot
 * both take the last unit (Kubernetes gets the same through the quota's resourceVersion). Another
 * apiserver process sharing etcd is not covered by that lock.
 */
import type { KObject } from '../../lib/api/object.js';
import { ApiError } from '../../lib/errors.js';
import { compareQuantities, addQuantities, formatQuantity, tryParseQuantity, type Quantity } from '../../lib/api/quantity.js';
import { jsonEqual } from '../storage/canonical.js';
import { matchesScopes, missingCompute, objectUsage, resourceForKey, sumUsage, ZERO, type Usage } from './quota-usage.js';
import type { AdmissionAttributes, AdmissionPlugin, AdmissionStore } from './types.js';

interface QuotaSpec { hard?: Record<string, string>; scopes?: string[] }
const specOf = (q: KObject): QuotaSpec => (q.spec ?? {}) as QuotaSpec;

/** True when `quota` applies to `obj` (scoped quotas only see pods matching their scopes). */
function applies(quota: KObject, group: string, resource: string, obj: KObject): boolean {
  const scopes = specOf(quota).scopes ?? [];
  if (!scopes.length) return true;
  return group === '' && resource === 'pods' && matchesScopes(obj, scopes);
}

/** Current usage of `keys` in a namespace, honouring the quota's scopes. */
async function namespaceUsage(store: AdmissionStore, namespace: string, quota: KObject, keys: string[]): Promise<Usage> {
  const byResource = new Map<string, { group: string; resource: string }>();
  for (const k of keys) { const r = resourceForKey(k); if (r) byResource.set(`${r.group}/${r.resource}`, r); }
  const usages: Usage[] = [];
  for (const { group, resource } of byResource.values()) {
    for (const obj of await store.list(resource, namespace)) if (applies(quota, group, resource, obj)) usages.push(objectUsage(group, resource, obj));
  }
  return sumUsage(usages);
}

const fmt = (keys: string[], u: Usage) => keys.map((k) => `${k}=${formatQuantity(u[k] ?? ZERO)}`).join(',');

/** The ResourceQuota plugin (validating) with its status bookkeeping. */
export function resourceQuotaPlugin(store: AdmissionStore): AdmissionPlugin {
  return {
    name: 'ResourceQuota',
    type: 'validating',
    async admit(a: AdmissionAttributes) {
      if (a.operation !== 'CREATE' || a.subresource || !a.namespace || !a.object) return;
      const quotas = await store.list('resourcequotas', a.namespace);
      if (!quotas.length) return;
      const { group, resource } = a.ref;
      const delta = objectUsage(group, resource, a.object);
      const what = group ? `${resource}.${group}` : resource;
      for (const quota of quotas) {
        if (!applies(quota, group, resource, a.object)) continue;
        const hard = specOf(quota).hard ?? {};
        const qname = quota.metadata?.name ?? '';
        if (group === '' && resource === 'pods') {
          const missing = missingCompute(a.object, Object.keys(hard));
          if (missing.length) throw new ApiError('Forbidden', `${what} "${a.name}" is forbidden: failed quota: ${qname}: must specify ${missing.join(',')}`, { name: a.name, kind: resource });
        }
        const keys = Object.keys(hard).filter((k) => delta[k] && delta[k].num > 0n).sort();
        if (!keys.length) continue;
        const used = await namespaceUsage(store, a.namespace, quota, keys);
        const limited: Usage = {};
        for (const k of keys) { const h = tryParseQuantity(hard[k]); if (h) limited[k] = h; }
        const over = keys.filter((k) => limited[k] && compareQuantities(addQuantities(used[k] ?? ZERO, delta[k]), limited[k]) > 0);
        if (over.length) {
          throw new ApiError('Forbidden', `${what} "${a.name}" is forbidden: exceeded quota: ${qname}, requested: ${fmt(over, delta)}, used: ${fmt(over, used)}, limited: ${fmt(over, limited)}`, { name: a.name, kind: resource });
        }
      }
    },
    async afterWrite(a: AdmissionAttributes) {
      if (!a.namespace) return;
      const quotas = await store.list('resourcequotas', a.namespace);
      for (const quota of quotas) {
        const hard = specOf(quota).hard ?? {};
        const touched = a.ref.resource === 'resourcequotas' || Object.keys(hard).some((k) => {
          const r = resourceForKey(k);
          return r && r.resource === a.ref.resource && r.group === a.ref.group;
        });
        if (!touched) continue;
        const used = await namespaceUsage(store, a.namespace, quota, Object.keys(hard));
        const status = { hard: { ...hard }, used: Object.fromEntries(Object.keys(hard).map((k) => [k, formatQuantity((used[k] ?? ZERO) as Quantity)])) };
        if (jsonEqual(quota.status, status)) continue;
        await store.update('resourcequotas', a.namespace, quota.metadata!.name!, (cur) => ({ ...cur, status }));
      }
    },
  };
}
