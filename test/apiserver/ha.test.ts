/**
 * Two apiserver processes on one etcd (HA behind one address in Kubernetes): a write through one
 * is seen by a watch and a read through the other, and ClusterIPs never collide between them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { get } from 'node:http';
import { waitFor } from '../../lib/testing/wait.js';
import { startCluster } from './harness.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '../../apiserver/main.js');

test('two apiservers on one etcd see each other\'s writes', async (t) => {
  const a = await startCluster();
  t.after(() => a.stop());
  const child = spawn(process.execPath, [MAIN, '--etcd-servers', a.etcd.endpoint, '--port', '0', '--grpc-port', '-1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((r) => child.once('exit', r));
  t.after(async () => { child.kill('SIGTERM'); await exited; });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.resume();
  const { httpPort } = await waitFor('second apiserver ports', () => out.includes('\n') && JSON.parse(out.split('\n')[0]) as { httpPort: number });
  const b = `http://127.0.0.1:${httpPort}`;
  await waitFor('second apiserver ready', async () => (await fetch(`${b}/readyz`).catch(() => undefined))?.ok);

  const events: string[] = [];
  const req = get(`${b}/api/v1/namespaces/default/configmaps?watch=1`, (res) => {
    res.setEncoding('utf8');
    let buf = '';
    res.on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) { const ev = JSON.parse(buf.slice(0, i)); events.push(`${ev.type}:${ev.object.metadata?.name}`); buf = buf.slice(i + 1); }
    });
  });
  t.after(() => req.destroy());
  const post = (base: string, path: string, body: unknown) => fetch(base + path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }).then(async (r) => ({ status: r.status, json: await r.json() }));
  // A watch without resourceVersion starts with ADDED for existing objects, so the order of watch and write does not matter.
  assert.equal((await post(a.url, '/api/v1/namespaces/default/configmaps', { metadata: { name: 'from-a' }, data: { x: '1' } })).status, 201);
  await waitFor('B watch sees the write through A', () => events.includes('ADDED:from-a'));
  const read = await (await fetch(`${b}/api/v1/namespaces/default/configmaps/from-a`)).json();
  assert.equal(read.data.x, '1');

  const ips = new Set<string>();
  for (let i = 0; i < 6; i++) {
    const r = await post(i % 2 ? a.url : b, '/api/v1/namespaces/default/services', { metadata: { name: `svc-${i}` }, spec: { ports: [{ port: 80 }] } });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    ips.add(r.json.spec.clusterIP);
  }
  assert.equal(ips.size, 6, `distinct ClusterIPs across apiservers: ${[...ips].join(', ')}`);
});
