/**
 * The `kubernetes` Service in `default` (kube-apiserver's master endpoints reconciler): a
 * selector-less Service on the first ClusterIP of the range, port 443 → the secure port, and
 * Endpoints holding this apiserver's advertise address, so pods reach the API at
 * kubernetes.default.svc with their ServiceAccount token. Re-checked periodically so a restart on
 * a new address or a deleted object heals.
 */
import { ApiError } from '../lib/errors.js';
import type { KObject } from '../lib/api/object.js';
import type { Registry, RequestContext } from './registry/types.js';
import { logLine } from './rest/log.js';

const SYSTEM: RequestContext = { user: { username: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] } };
const SERVICES = { group: '', version: 'v1', resource: 'services' };
const ENDPOINTS = { group: '', version: 'v1', resource: 'endpoints' };

/** Where the API is served. */
export interface MasterEndpoint { clusterIP: string; advertiseAddress: string; securePort: number }

async function getOrUndefined(p: Promise<KObject>): Promise<KObject | undefined> {
  try { return await p; } catch (err) { if (err instanceof ApiError && err.code === 'NotFound') return undefined; throw err; }
}

/** Creates or corrects the Service and its Endpoints once. */
export async function reconcileKubernetesService(registry: Registry, m: MasterEndpoint): Promise<void> {
  const port = { name: 'https', protocol: 'TCP', port: 443, targetPort: m.securePort };
  const svc = await getOrUndefined(registry.get(SYSTEM, SERVICES, 'default', 'kubernetes'));
  if (!svc) {
    await registry.create(SYSTEM, SERVICES, 'default', {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { type: 'ClusterIP', clusterIP: m.clusterIP, ports: [port], sessionAffinity: 'None' },
    });
  } else if (JSON.stringify((svc.spec as { ports?: unknown[] }).ports?.[0]) !== JSON.stringify(port)) {
    await registry.update(SYSTEM, SERVICES, 'default', 'kubernetes', { ...svc, spec: { ...(svc.spec as object), ports: [port] } });
  }
  const subsets = [{ addresses: [{ ip: m.advertiseAddress }], ports: [{ name: 'https', port: m.securePort, protocol: 'TCP' }] }];
  const ep = await getOrUndefined(registry.get(SYSTEM, ENDPOINTS, 'default', 'kubernetes'));
  if (!ep) {
    await registry.create(SYSTEM, ENDPOINTS, 'default', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes' }, subsets } as KObject);
  } else if (JSON.stringify((ep as { subsets?: unknown }).subsets) !== JSON.stringify(subsets)) {
    await registry.update(SYSTEM, ENDPOINTS, 'default', 'kubernetes', { ...ep, subsets } as KObject);
  }
}

/** Reconciles now and then every `intervalMs` until `signal` aborts; failures are logged and retried. */
export async function runKubernetesService(registry: Registry, m: MasterEndpoint, signal: AbortSignal, intervalMs = 10_000): Promise<void> {
  while (!signal.aborted) {
    try {
      await reconcileKubernetesService(registry, m);
    } catch (err) {
      if (signal.aborted) return;
      logLine('warn', 'kubernetes service reconcile failed', { err: (err as Error).message });
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
    });
  }
}
