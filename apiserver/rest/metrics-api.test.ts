/**
 * metrics.k8s.io served from one shared scrape: REST and gRPC requests arriving together cause one
 * round of kubelet /stats/summary requests, not one per request, and the CPU rate is computed from
 * the two samples the kubelet reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import type { KObject } from '../../lib/api/object.js';

test('metrics.k8s.io: concurrent REST and gRPC requests share one kubelet scrape; the rate comes from the samples', async (t) => {
  // The stats endpoint of a kubelet: a container that burns 250m (0.25 s of CPU per second).
  let hits = 0;
  const start = Date.now();
  const stats = createServer((req, res) => {
    assert.equal(req.url, '/stats/summary');
    hits++;
    const now = Date.now();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ pods: [{ podRef: { name: 'busy', namespace: 'default' }, containers: [{ name: 'c',
      cpu: { time: new Date(now).toISOString(), usageCoreNanoSeconds: Math.round((now - start) * 0.25 * 1e6) }, memory: { workingSetBytes: 8 << 20 } }] }] }));
  });
  await new Promise<void>((r) => stats.listen(0, '127.0.0.1', r));
  t.after(() => stats.close());
  const cp = await startControlPlane();
  t.after(() => cp.stop());

  const port = (stats.address() as AddressInfo).port;
  const node = await cp.client.create<KObject>({ resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } } as KObject);
  await cp.client.updateStatus({ resource: 'nodes' }, { ...node, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } } } as KObject);
  await cp.client.create({ resource: 'pods', namespace: 'default' }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'busy' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } } as KObject);

  const rest = async () => {
    const r = await fetch(`${cp.restURL}/apis/metrics.k8s.io/v1beta1/namespaces/default/pods`);
    assert.equal(r.status, 200);
    return (await r.json()) as { items: KObject[] };
  };
  const grpc = () => cp.client.list({ group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods', namespace: 'default' });
  const lists = await Promise.all([rest(), rest(), rest(), rest(), grpc(), grpc(), grpc(), grpc()]);
  // First sight of the container: one scrape takes two samples 1 s apart, for all eight requests.
  assert.equal(hits, 2, 'eight concurrent requests asked the kubelet twice in all (two samples of one scrape)');
  for (const l of lists) {
    assert.equal(l.items.length, 1);
    const cpu = (l.items[0] as { containers: { usage: { cpu: string; memory: string } }[] }).containers[0].usage;
    const milli = Number(cpu.cpu.replace(/n$/, '')) / 1e6;
    assert.ok(milli > 200 && milli < 300, `cpu ${cpu.cpu} is about 250m`);
    assert.equal(cpu.memory, '8192Ki');
  }
  // Once the scrape is no longer fresh, the next request scrapes again (one sample: the rate has a previous one).
  await waitFor('a new scrape after the cache expired', async () => { await rest(); return hits === 3; }, { timeoutMs: 5000 });
});
