/** kube-dns main against a real control plane, on a loopback port, asked by dig. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Endpoints, Service } from '../lib/api/types.js';
import { R } from '../lib/client/resources.js';
import { startControlPlane } from '../lib/testing/control-plane.js';
import { run } from '../lib/testing/netns.js';
import { freePort } from '../lib/testing/ports.js';
import { waitFor } from '../lib/testing/wait.js';

test('kube-dns main: Services and Endpoints created through the API are answered', async (t) => {
  const cp = await startControlPlane();
  t.after(() => cp.stop());
  const [port, healthPort] = [await freePort(), await freePort()];
  const proc = spawn(process.execPath, [fileURLToPath(new URL('./main.js', import.meta.url)), '--grpc-server', cp.grpcTarget,
    '--bind-address', '127.0.0.1', '--port', String(port), '--health-port', String(healthPort)], { stdio: ['ignore', 'ignore', 'pipe'] });
  t.after(() => { proc.kill('SIGKILL'); });
  let logs = '';
  proc.stderr!.on('data', (d: Buffer) => { logs += d.toString(); });
  const dig = (...a: string[]) => run('dig', ['@127.0.0.1', '-p', String(port), '+short', '+tries=1', '+time=1', ...a]).then((s) => s.trim());

  const svc = await cp.client.create<Service>({ ...R.services, namespace: 'default' }, {
    metadata: { name: 'api', namespace: 'default' }, spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 80 }] },
  });
  await waitFor('A record', async () => (await dig('api.default.svc.cluster.local')) === svc.spec!.clusterIP, { timeoutMs: 30_000, intervalMs: 200 })
    .catch((err) => { throw new Error(`${(err as Error).message}\nlogs:\n${logs}`); });
  await cp.client.create<Service>({ ...R.services, namespace: 'default' }, {
    metadata: { name: 'hl', namespace: 'default' }, spec: { clusterIP: 'None', selector: { app: 'hl' }, ports: [{ port: 80 }] },
  });
  await cp.client.create<Endpoints>({ ...R.endpoints, namespace: 'default' }, {
    metadata: { name: 'hl', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.244.3.4', hostname: 'hl-0' }], ports: [{ port: 80 }] }],
  });
  await waitFor('headless record', async () => (await dig('hl-0.hl.default.svc.cluster.local')) === '10.244.3.4', { timeoutMs: 10_000 });
  const health = await fetch(`http://127.0.0.1:${healthPort}/health`);
  assert.equal(health.status, 200);
  const metrics = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
  assert.match(metrics, /kubesim_dns_responses_total\{rcode="NOERROR"\} [1-9]/);
  await cp.client.delete({ ...R.services, namespace: 'default', name: 'api' });
  await waitFor('record gone', async () => (await run('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', 'api.default.svc.cluster.local'])).includes('NXDOMAIN'), { timeoutMs: 10_000 });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  assert.equal(await exited, 0);
});
