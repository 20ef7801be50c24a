/** Cluster objects the DNS tests answer from (shared by the in-process and in-namespace tests). */
import type { Endpoints, Pod, Service } from '../../lib/api/types.js';
import type { ClusterStore } from '../cluster-store.js';

/** Services, Endpoints and Pods: a ClusterIP service, a headless StatefulSet service, an ExternalName, a big headless one. */
export function fixtureObjects(): { services: Service[]; endpoints: Endpoints[]; pods: Pod[] } {
  const svc = (ns: string, name: string, spec: Service['spec']): Service => ({ metadata: { namespace: ns, name }, spec });
  const many = Array.from({ length: 100 }, (_, i) => `10.244.9.${i + 1}`);
  return {
    services: [
      svc('default', 'web', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
      svc('other', 'db', { clusterIP: '10.96.0.21', ports: [{ port: 5432 }] }),
      svc('default', 'nginx', { clusterIP: 'None', ports: [{ name: 'web', port: 80 }] }),
      svc('default', 'ext', { type: 'ExternalName', externalName: 'db.other.svc.cluster.local' }),
      svc('default', 'big', { clusterIP: 'None', ports: [{ port: 80 }] }),
    ],
    endpoints: [
      { metadata: { namespace: 'default', name: 'nginx' }, subsets: [{
        addresses: [{ ip: '10.244.1.10', hostname: 'web-0' }, { ip: '10.244.2.11', hostname: 'web-1' }],
        notReadyAddresses: [{ ip: '10.244.1.12', hostname: 'web-2' }],
        ports: [{ name: 'web', port: 8080 }],
      }] },
      { metadata: { namespace: 'default', name: 'big' }, subsets: [{ addresses: many.map((ip) => ({ ip })), ports: [{ port: 80 }] }] },
    ],
    pods: [
      { metadata: { namespace: 'default', name: 'web-0' }, spec: { hostname: 'web-0', subdomain: 'nginx' }, status: { podIP: '10.244.1.10' } },
      { metadata: { namespace: 'default', name: 'client' }, spec: {}, status: { podIP: '10.244.1.30' } },
    ],
  };
}

/** Feeds the fixture objects into a store as informer adds. */
export function loadFixtures(store: ClusterStore, objs = fixtureObjects()): void {
  for (const s of objs.services) store.onService.onAdd(s);
  for (const e of objs.endpoints) store.onEndpoints.onAdd(e);
  for (const p of objs.pods) store.onPod.onAdd(p);
}
