/**
 * Abuse of the apiserver process: oversized headers and bodies, deeply nested JSON, a YAML
 * billion-laughs bomb are refused quickly with 4xx while the process keeps its memory bounded;
 * slowloris-style clients trickling headers do not block other callers.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { startCluster, type TestCluster } from '../apiserver/harness.js';

let c: TestCluster;
before(async () => { c = await startCluster(); });
after(async () => { await c?.stop(); });

function rssKiB(): number {
  const status = readFileSync(`/proc/${c.process.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

async function post(path: string, body: string, contentType: string): Promise<{ status: number; ms: number; text: string }> {
  const started = Date.now();
  const res = await fetch(`${c.url}${path}`, { method: 'POST', body, headers: { 'content-type': contentType } });
  return { status: res.status, ms: Date.now() - started, text: await res.text() };
}

test('oversized headers are 431; oversized bodies 413; the server answers afterwards', async () => {
  const res = await fetch(`${c.url}/api/v1/namespaces`, { headers: { 'x-junk': 'a'.repeat(64 * 1024) } }).catch((e: Error) => e);
  assert.ok(res instanceof Error || res.status === 431, `got ${res instanceof Error ? res.message : res.status}`);
  const big = await post('/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: { name: 'big' }, data: { x: 'a'.repeat(8 * 1024 * 1024) } }), 'application/json');
  assert.equal(big.status, 413);
  assert.equal((await fetch(`${c.url}/readyz`)).status, 200);
});

test('deeply nested JSON and a YAML billion-laughs bomb are 4xx within 3 s, memory bounded', async () => {
  const before = rssKiB();
  const nested = await post('/api/v1/namespaces/default/configmaps', '{"metadata":{"name":"n"},"data":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}', 'application/json');
  assert.ok(nested.status >= 400 && nested.status < 500, `nested JSON: ${nested.status} ${nested.text.slice(0, 200)}`);
  assert.ok(nested.ms < 3000, `nested JSON took ${nested.ms} ms`);
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\n${lines.join('\n')}\ndata: {x: *j}\n`;
  const yaml = await post('/api/v1/namespaces/default/configmaps', bomb, 'application/yaml');
  assert.ok(yaml.status >= 400 && yaml.status < 500, `YAML bomb: ${yaml.status} ${yaml.text.slice(0, 200)}`);
  assert.ok(yaml.ms < 3000, `YAML bomb took ${yaml.ms} ms`);
  assert.ok(rssKiB() - before < 200 * 1024, `RSS grew by ${rssKiB() - before} KiB`);
  assert.equal((await fetch(`${c.url}/readyz`)).status, 200);
});

test('slowloris: 100 clients trickling headers do not delay a normal request', async (t) => {
  const { port } = new URL(c.url);
  const sockets: Socket[] = [];
  const ticker = setInterval(() => { for (const s of sockets) if (!s.destroyed) s.write('X'); }, 200);
  t.after(() => { clearInterval(ticker); for (const s of sockets) s.destroy(); });
  await Promise.all(Array.from({ length: 100 }, () => new Promise<void>((resolve) => {
    const s = connect(Number(port), '127.0.0.1', () => { s.write('GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nX-Slow: '); resolve(); });
    s.on('error', () => resolve());
    sockets.push(s);
  })));
  const started = Date.now();
  const res = await fetch(`${c.url}/api/v1/namespaces/default`);
  assert.equal(res.status, 200);
  assert.ok(Date.now() - started < 2000, `normal request took ${Date.now() - started} ms`);
});
