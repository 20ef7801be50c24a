/**
 * The dashboard's exec and trace endpoints at their edges, on a real control plane: an exec
 * upgrade is refused by a read-only dashboard, from another site's page, without a pod name, and
 * for a pod the apiserver does not know (its Status passes through); a trace names the missing
 * field or pod. (The working paths run on a real cluster in live.browser.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startControlPlane } from '../../lib/testing/control-plane.js';
import { startDashboard } from '../../dashboard/server/index.js';
import { sumConnections } from '../../dashboard/server/connections.js';

/** Sends a WebSocket upgrade to `url`; resolves with the HTTP status and body (101 → upgraded). */
function upgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': 'v5.channel.k8s.io', ...headers } });
    req.on('upgrade', (_res, socket) => { socket.destroy(); resolve({ status: 101, body: '' }); });
    req.on('response', (res) => { let body = ''; res.on('data', (d) => { body += d; }); res.on('end', () => resolve({ status: res.statusCode ?? 0, body })); });
    req.on('error', reject);
    req.end();
  });
}

test('exec upgrade and trace refusals name the reason', async (t) => {
  const cp = await startControlPlane();
  t.after(() => cp.stop());
  const dash = await startDashboard({ client: cp.client, restURL: cp.restURL });
  t.after(() => dash.close());
  const ro = await startDashboard({ client: cp.client, restURL: cp.restURL, readOnly: true });
  t.after(() => ro.close());

  const ok = `${dash.url}api/exec?namespace=default&name=nope`;
  const roRes = await upgrade(`${ro.url}api/exec?namespace=default&name=nope`);
  assert.equal(roRes.status, 403);
  assert.match(roRes.body, /--read-only/);
  const cross = await upgrade(ok, { origin: 'http://evil.example' });
  assert.equal(cross.status, 403);
  assert.match(cross.body, /origin http:\/\/evil\.example/);
  const noName = await upgrade(`${dash.url}api/exec?namespace=default`);
  assert.equal(noName.status, 400);
  assert.match(JSON.parse(noName.body).message, /^name is required/);
  // Through to the apiserver, which answers for the pod: its Status comes back as is.
  const missing = await upgrade(ok, { origin: new URL(dash.url).origin });
  assert.equal(missing.status, 404, missing.body);
  assert.match(JSON.parse(missing.body).message, /pods "nope" not found/);
  assert.equal((await upgrade(`${dash.url}api/other`)).status, 404);

  const noFrom = await fetch(`${dash.url}api/trace?to=default/b`);
  assert.equal(noFrom.status, 400);
  assert.match(((await noFrom.json()) as { message: string }).message, /^from is required/);
  const unknown = await fetch(`${dash.url}api/trace?from=default/a&to=default/b`);
  assert.equal(unknown.status, 404);
  assert.match(((await unknown.json()) as { message: string }).message, /^from: pod default\/a not found/);
});

test('kube-proxy counters are summed over the nodes that answered', () => {
  const c = (active: number, total: number) => ({ active, total, bytesIn: total * 10, bytesOut: total * 100, rejected: 0 });
  const v = sumConnections([
    { node: 'n1', ports: { 'default/web:http/TCP': c(1, 4) } },
    { node: 'n2', ports: { 'default/web:http/TCP': c(0, 2), 'kube-system/kube-dns:dns/UDP': c(1, 9) } },
    { node: 'n3' },
  ]);
  assert.deepEqual(v.ports['default/web:http/TCP'], { active: 1, total: 6, bytesIn: 60, bytesOut: 600, rejected: 0 });
  assert.equal(v.ports['kube-system/kube-dns:dns/UDP'].total, 9);
  assert.equal(v.nodes, 2);
  assert.deepEqual(v.unreachable, ['n3']);
});
