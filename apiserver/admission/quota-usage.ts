/**
 * What objects use of a ResourceQuota's resources (Kubernetes' quota evaluators): object counts
 * (`pods`, `count/deployments.apps`, ...), pod compute (`requests.cpu`, `limits.memory`, ...),
 * node ports and load balancers of Services, storage of claims. Pure functions.
 */
import type { KObject } from '../../lib/api/object.js';
import { addQuantities, quantityFromValue, tryParseQuantity, type Quantity } from '../../lib/api/quantity.js';

/** Resource name → quantity. */
export type Usage = Record<string, Quantity>;

interface Container { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }
const containers = (pod: KObject): Container[] => ((pod.spec as { containers?: Container[] } | undefined)?.containers) ?? [];

/** Core kinds with a legacy count name (`pods`, `services`, ...). */
const LEGACY_COUNTS = new Set(['pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims']);

/** True while a pod counts against quota: not finished, not past its deletion deadline. */
export function podCounts(pod: KObject, now = new Date()): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const del = pod.metadata?.deletionTimestamp;
  return !del || Date.parse(del) > now.getTime();
}

/** True when no container sets any request or limit (QoS BestEffort). */
export function isBestEffort(pod: KObject): boolean {
  return containers(pod).every((c) => !Object.keys(c.resources?.requests ?? {}).length && !Object.keys(c.resources?.limits ?? {}).length);
}

/** True when the pod matches every quota scope (scoped quotas only track pods). */
export function matchesScopes(pod: KObject, scopes: string[]): boolean {
  const terminating = (pod.spec as { activeDeadlineSeconds?: number } | undefined)?.activeDeadlineSeconds !== undefined;
  return scopes.every((s) => s === 'BestEffort' ? isBestEffort(pod) : s === 'NotBestEffort' ? !isBestEffort(pod)
    : s === 'Terminating' ? terminating : s === 'NotTerminating' ? !terminating : true);
}

function add(u: Usage, key: string, v: Quantity | undefined): void {
  if (v) u[key] = u[key] ? addQuantities(u[key], v) : v;
}

/** The usage of one object of `resource` in `group`. */
export function objectUsage(group: string, resource: string, obj: KObject, now = new Date()): Usage {
  const u: Usage = {};
  const isPod = group === '' && resource === 'pods';
  if (isPod && !podCounts(obj, now)) return u;
  const one = quantityFromValue(1);
  add(u, group ? `count/${resource}.${group}` : `count/${resource}`, one);
  if (!group && LEGACY_COUNTS.has(resource)) add(u, resource, one);
  if (isPod) {
    for (const c of containers(obj)) {
      for (const res of ['cpu', 'memory', 'ephemeral-storage']) {
        const req = tryParseQuantity(c.resources?.requests?.[res] ?? c.resources?.limits?.[res]);
        add(u, `requests.${res}`, req);
        if (res !== 'ephemeral-storage') add(u, res, req);
        add(u, `limits.${res}`, tryParseQuantity(c.resources?.limits?.[res]));
      }
    }
  }
  if (!group && resource === 'services') {
    const spec = (obj.spec ?? {}) as { type?: string; ports?: unknown[] };
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') add(u, 'services.nodeports', quantityFromValue(spec.ports?.length ?? 0));
    if (spec.type === 'LoadBalancer') add(u, 'services.loadbalancers', one);
  }
  if (!group && resource === 'persistentvolumeclaims') {
    add(u, 'requests.storage', tryParseQuantity((obj.spec as { resources?: { requests?: { storage?: string } } } | undefined)?.resources?.requests?.storage));
  }
  return u;
}

/** The resource (plural, group) whose objects a quota key counts; undefined for unknown keys. */
export function resourceForKey(key: string): { group: string; resource: string } | undefined {
  if (key.startsWith('count/')) {
    const [resource, ...g] = key.slice(6).split('.');
    return { resource, group: g.join('.') };
  }
  if (LEGACY_COUNTS.has(key)) return { group: '', resource: key };
  if (/^(requests|limits)\.|^(cpu|memory)$/.test(key)) return key === 'requests.storage' ? { group: '', resource: 'persistentvolumeclaims' } : { group: '', resource: 'pods' };
  if (key === 'services.nodeports' || key === 'services.loadbalancers') return { group: '', resource: 'services' };
  return undefined;
}

/** Sum of usages. */
export function sumUsage(usages: Usage[]): Usage {
  const out: Usage = {};
  for (const u of usages) for (const [k, v] of Object.entries(u)) add(out, k, v);
  return out;
}

/** Compute resources a quota can require every container to declare. */
export const REQUIRED_COMPUTE = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory'];

/** Compute keys of `hard` a pod leaves undeclared in some container (Kubernetes: "must specify"). */
export function missingCompute(pod: KObject, hard: string[]): string[] {
  const missing = new Set<string>();
  for (const key of hard.filter((k) => REQUIRED_COMPUTE.includes(k))) {
    const [kind, res] = key.includes('.') ? key.split('.') : ['requests', key];
    for (const c of containers(pod)) {
      const declared = kind === 'limits' ? c.resources?.limits?.[res] : c.resources?.requests?.[res] ?? c.resources?.limits?.[res];
      if (declared === undefined) missing.add(key);
    }
  }
  return [...missing].sort();
}

/** A zero quantity (usage of a key nothing uses). */
export const ZERO = quantityFromValue(0);
