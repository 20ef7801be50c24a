/**
 * Sync cost at scale, run inside a scratch namespace: a Proxier gets `services` ClusterIP services
 * with `endpoints` endpoints in total; after the first full sync, one endpoint of one service
 * changes per round and the sync that follows is timed. Prints JSON {initialSyncMs, p50Ms, maxMs}.
 */
import type { Endpoints, Service } from '../../lib/api/types.js';
import { Proxier } from '../../kube-proxy/proxier.js';

const services = Number(process.argv[2] ?? 1000);
const perService = Math.max(1, Math.round(Number(process.argv[3] ?? 10_000) / services));
const rounds = Number(process.argv[4] ?? 20);

const ip = (base: number, i: number) => `10.${base + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
const svc = (i: number): Service => ({ metadata: { namespace: 'bench', name: `s${i}` }, spec: { clusterIP: ip(96, i + 1), ports: [{ port: 80, targetPort: 8080 }] } });
const eps = (i: number, shift = 0): Endpoints => ({
  metadata: { namespace: 'bench', name: `s${i}` },
  subsets: [{ addresses: Array.from({ length: perService }, (_, k) => ({ ip: ip(244, i * perService + k + shift + 1) })), ports: [{ port: 8080 }] }],
});

const proxier = new Proxier({ nodeName: 'bench' });
const current: Endpoints[] = [];
for (let i = 0; i < services; i++) {
  proxier.onService.onAdd(svc(i));
  current.push(eps(i));
  proxier.onEndpoints.onAdd(current[i]);
}
const t0 = performance.now();
await proxier.start();
const initialSyncMs = performance.now() - t0;
const times: number[] = [];
for (let r = 0; r < rounds; r++) {
  const i = (r * 37) % services;
  const next = structuredClone(current[i]);
  next.subsets![0].addresses![0].ip = ip(250, r + 1);
  proxier.onEndpoints.onUpdate(current[i], next);
  current[i] = next;
  const res = await proxier.syncNow();
  if (res.touched !== 1) throw new Error(`expected 1 touched service port, got ${res.touched}`);
  times.push(res.durationMs);
}
times.sort((a, b) => a - b);
await proxier.stop({ removeAddresses: false });
process.stdout.write(JSON.stringify({ services, endpoints: services * perService, initialSyncMs, p50Ms: times[Math.floor(times.length / 2)], maxMs: times[times.length - 1] }) + '\n');
process.exit(0);
