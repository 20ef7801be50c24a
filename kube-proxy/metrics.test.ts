/** ProxyMetrics.connectionStats(): the per service port JSON is read from the Prometheus counters. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyMetrics } from './metrics.js';

test('connectionStats() sums TCP and UDP of a service port and splits bytes by direction', async () => {
  const m = new ProxyMetrics();
  const tcp = m.forPort('default/web:http/TCP', 'TCP');
  const udp = m.forPort('kube-system/dns:dns/UDP', 'UDP');
  tcp.connections.inc(); tcp.connections.inc(); tcp.active.inc(); tcp.active.inc(); tcp.active.dec();
  tcp.bytesIn.inc(100); tcp.bytesOut.inc(2500); tcp.rejected.inc();
  udp.connections.inc(); udp.active.inc();
  assert.deepEqual(await m.connectionStats(), {
    'default/web:http/TCP': { active: 1, total: 2, bytesIn: 100, bytesOut: 2500, rejected: 1 },
    'kube-system/dns:dns/UDP': { active: 1, total: 1, bytesIn: 0, bytesOut: 0, rejected: 0 },
  });
});
