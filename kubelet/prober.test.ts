import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { runProbe } from './prober.js';
import type { CriClient } from './runtime/cri-client.js';

test('httpGet and tcpSocket probes: 2xx/3xx succeed, 5xx and refused connections fail, named ports resolve', async (t) => {
  let status = 200;
  const srv = createServer((req, res) => { res.writeHead(req.url === '/healthz' ? status : 404); res.end(); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => srv.close());
  const port = (srv.address() as { port: number }).port;
  const c = { name: 'app', ports: [{ name: 'http', containerPort: port }] };
  const cri = {} as CriClient; // exec probes only use the runtime
  assert.equal(await runProbe(cri, { httpGet: { path: '/healthz', port: 'http' } }, c, 'id', '127.0.0.1'), 'success');
  status = 302;
  assert.equal(await runProbe(cri, { httpGet: { path: '/healthz', port } }, c, 'id', '127.0.0.1'), 'success');
  status = 500;
  assert.equal(await runProbe(cri, { httpGet: { path: '/healthz', port } }, c, 'id', '127.0.0.1'), 'failure');
  assert.equal(await runProbe(cri, { tcpSocket: { port } }, c, 'id', '127.0.0.1'), 'success');
  srv.close();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(await runProbe(cri, { tcpSocket: { port } }, c, 'id', '127.0.0.1'), 'failure');
});
