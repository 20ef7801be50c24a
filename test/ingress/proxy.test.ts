/**
 * The reverse proxy alone (real HTTP servers on 127.0.0.x, a fixed table and caches): round robin
 * over ready endpoints, a dead endpoint skipped without the client noticing, 502 when all are
 * dead, request bodies forwarded, and 404 naming host and path when no rule matches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Endpoints, Ingress, Service } from '../../lib/api/types.js';
import { freePort } from '../../lib/testing/ports.js';
import { IngressProxy, liveEndpoints } from '../../ingress/proxy.js';
import { RouteTable } from '../../ingress/route-table.js';
import { startBackend, get, whoAnswers, type Backend } from './helpers.js';

function post(port: number, host: string, path: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { host, 'content-type': 'text/plain' }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('proxy: round robin, dead endpoints skipped, 502 when all are dead, bodies forwarded', { timeout: 30_000 }, async (t) => {
  const backends: Backend[] = [await startBackend('one', '127.0.0.31'), await startBackend('two', '127.0.0.32')];
  t.after(async () => { for (const b of backends) await b.close(); });
  const deadPort = await freePort('127.0.0.33'); // nothing listens there: connects are refused
  const svc = (name: string): Service => ({ metadata: { name, namespace: 'd' }, spec: { ports: [{ port: 80 }] } });
  const eps: Record<string, Endpoints> = {
    web: { subsets: [{ addresses: [{ ip: '127.0.0.31' }], ports: [{ port: backends[0].port }] }, { addresses: [{ ip: '127.0.0.32' }], ports: [{ port: backends[1].port }] }, { addresses: [{ ip: '127.0.0.33' }], ports: [{ port: deadPort }] }] },
    dead: { subsets: [{ addresses: [{ ip: '127.0.0.33' }], ports: [{ port: deadPort }] }] },
  };
  const caches = { service: (_ns: string, n: string) => (eps[n] ? svc(n) : undefined), endpoints: (_ns: string, n: string) => eps[n] };
  const rule = (p: string, name: string) => ({ path: p, pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } });
  const ing: Ingress = { metadata: { name: 'i', namespace: 'd' }, spec: { rules: [{ host: 'h', http: { paths: [rule('/', 'web'), rule('/dead', 'dead')] } }] } };
  const table = RouteTable.build([ing]);
  const proxy = new IngressProxy({ table: () => table, caches });
  const port = await proxy.listen('127.0.0.1', 0);
  t.after(() => proxy.close());

  const seen: string[] = [];
  for (let i = 0; i < 9; i++) seen.push(await whoAnswers(port, 'h', '/'));
  assert.deepEqual(new Set(seen), new Set(['one', 'two']), 'the dead endpoint never shows');
  assert.ok(proxy.stats.retries >= 2, `retries counted: ${proxy.stats.retries}`);

  const bad = await get(port, 'h', '/dead');
  assert.equal(bad.status, 502);
  assert.match(bad.body, /502 Bad Gateway: endpoint 127\.0\.0\.33:\d+ failed: .*ECONNREFUSED/);

  const echoed = await post(port, 'h', '/submit', 'hello body');
  assert.equal(echoed.status, 200);
  assert.equal(JSON.parse(echoed.body).headers['content-length'], '10');

  const none = await get(port, 'elsewhere', '/x');
  assert.equal(none.status, 404);
  assert.match(none.body, /no ingress rule for host "elsewhere" path "\/x"/);

  assert.deepEqual([...liveEndpoints(table, caches)].sort(), [`127.0.0.31:${backends[0].port}`, `127.0.0.32:${backends[1].port}`, `127.0.0.33:${deadPort}`].sort());
});

test('proxy: a WebSocket-style upgrade is relayed (101, then bytes both ways)', { timeout: 30_000 }, async (t) => {
  const backend = createServer((_req, res) => { res.writeHead(426).end('upgrade required\n'); });
  backend.on('upgrade', (req, socket) => {
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${req.headers.upgrade}\r\nConnection: Upgrade\r\nX-Seen-Forwarded-For: ${req.headers['x-forwarded-for']}\r\n\r\n`);
    socket.on('data', (d) => socket.write(`echo:${d}`));
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.34', () => resolve()));
  t.after(() => { backend.closeAllConnections(); backend.close(); });
  const bport = (backend.address() as AddressInfo).port;
  const caches = {
    service: (): Service => ({ spec: { ports: [{ port: 80 }] } }),
    endpoints: (): Endpoints => ({ subsets: [{ addresses: [{ ip: '127.0.0.34' }], ports: [{ port: bport }] }] }),
  };
  const table = RouteTable.build([{ metadata: { name: 'ws', namespace: 'd' }, spec: { rules: [{ host: 'ws', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }] } }]);
  const proxy = new IngressProxy({ table: () => table, caches });
  const port = await proxy.listen('127.0.0.1', 0);
  t.after(() => proxy.close());

  const { res, socket } = await new Promise<{ res: IncomingMessage; socket: Duplex }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/chat', headers: { host: 'ws', connection: 'Upgrade', upgrade: 'websocket' }, agent: false });
    req.on('upgrade', (r, s) => resolve({ res: r, socket: s }));
    req.on('response', (r) => reject(new Error(`no upgrade: ${r.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
  t.after(() => socket.destroy());
  assert.equal(res.statusCode, 101);
  assert.equal(res.headers['x-seen-forwarded-for'], '127.0.0.1');
  const echoed = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
  socket.write('hi');
  assert.equal(await echoed, 'echo:hi');

  // Unknown host: the upgrade gets a plain 404 naming it.
  const refused = await new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host: 'nope', connection: 'Upgrade', upgrade: 'websocket' }, agent: false });
    req.on('response', (r) => { r.resume(); resolve(r.statusCode ?? 0); });
    req.on('upgrade', () => reject(new Error('upgraded to nowhere')));
    req.on('error', reject);
    req.end();
  });
  assert.equal(refused, 404);
});
