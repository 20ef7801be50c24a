/**
 * kube-proxy's main against a real control plane: the process runs in a node namespace and
 * reaches the test's apiserver through a veth and a loopback forwarder; Services and Endpoints
 * written through the API become working service addresses; /healthz and /metrics answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import type { Endpoints, Service } from '../lib/api/types.js';
import { R } from '../lib/client/resources.js';
import { startControlPlane } from '../lib/testing/control-plane.js';
import { addAddress, createNetns, deleteNetns, execIn, ipIn, run, spawnIn, uniqueName } from '../lib/testing/netns.js';
import { waitFor } from '../lib/testing/wait.js';

const dist = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** Forwards host:0 → 127.0.0.1:port so a namespace can reach a loopback-only server. */
async function forwarder(host: string, port: number): Promise<net.Server> {
  const s = net.createServer((c) => {
    const up = net.connect(port, '127.0.0.1');
    c.pipe(up).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  });
  await new Promise<void>((r) => s.listen(0, host, r));
  return s;
}

async function httpGet(ns: string, url: string): Promise<string> {
  const js = `fetch(${JSON.stringify(url)}).then(async (r) => console.log(r.status + ' ' + await r.text())).catch((e) => console.log('ERR ' + e.message))`;
  return (await execIn(ns, process.execPath, ['-e', js])).trim();
}

test('kube-proxy main: Services and Endpoints from the apiserver become service addresses with traffic', async (t) => {
  const id = uniqueName('');
  const ns = `ksimt-km${id}`;
  const hostSide = `ksimt-h${id}`;
  const procs: ChildProcess[] = [];
  const cp = await startControlPlane();
  t.after(async () => {
    for (const p of procs) p.kill('SIGKILL');
    await deleteNetns(ns);
    await run('ip', ['link', 'del', hostSide]).catch(() => undefined);
    await cp.stop();
  });
  await createNetns(ns);
  await run('ip', ['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', `ksimt-k${id}`, 'netns', ns]);
  await addAddress('', hostSide, '10.250.9.1/30');
  await run('ip', ['link', 'set', hostSide, 'up']);
  await addAddress(ns, `ksimt-k${id}`, '10.250.9.2/30');
  await ipIn(ns, 'link', 'set', `ksimt-k${id}`, 'up');
  const fwd = await forwarder('10.250.9.1', Number(cp.grpcTarget.split(':')[1]));
  t.after(() => { fwd.close(); });
  const grpc = `10.250.9.1:${(fwd.address() as net.AddressInfo).port}`;

  const backend = spawnIn(ns, process.execPath, [dist('./testing/backend.js'), '10.250.9.2:8080'], { stdio: 'ignore' });
  procs.push(backend);
  const svc = await cp.client.create<Service>({ ...R.services, namespace: 'default' }, {
    metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
  });
  const clusterIP = svc.spec!.clusterIP!;
  assert.match(clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\./);

  const kp = spawnIn(ns, process.execPath, [dist('./main.js'), '--master', `http://10.250.9.1:1`, '--grpc-server', grpc,
    '--hostname-override', 'node-a', '--cluster-cidr', '10.244.0.0/16', '--v=2'], { stdio: ['ignore', 'ignore', 'pipe'] });
  procs.push(kp);
  let logs = '';
  kp.stderr!.on('data', (d: Buffer) => { logs += d.toString(); });

  // Healthy once synced; the service has no endpoints yet, so a connection is reset at once.
  await waitFor('healthz 200', async () => (await httpGet(ns, 'http://127.0.0.1:10256/healthz')).startsWith('200 '), { timeoutMs: 30_000, intervalMs: 300 })
    .catch((err) => { throw new Error(`${(err as Error).message}\nlogs:\n${logs}`); });
  const [reset] = JSON.parse(await execIn(ns, process.execPath, [dist('./testing/client.js'), 'tcp', clusterIP, '80', '1'])) as { reply: string }[];
  assert.equal(reset.reply, 'ERR:ECONNRESET');

  await cp.client.create<Endpoints>({ ...R.endpoints, namespace: 'default' }, {
    metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.250.9.2', nodeName: 'node-a' }], ports: [{ port: 8080 }] }],
  });
  await waitFor('traffic through the ClusterIP', async () => {
    const [r] = JSON.parse(await execIn(ns, process.execPath, [dist('./testing/client.js'), 'tcp', clusterIP, '80', '1'])) as { reply: string }[];
    return r.reply === '10.250.9.2:8080';
  }, { timeoutMs: 15_000, intervalMs: 200 });
  const metrics = await httpGet(ns, 'http://127.0.0.1:10249/metrics');
  assert.match(metrics, /kubeproxy_connections_total\{service_port="default\/web:\/TCP",protocol="TCP"\} [1-9]/);
  assert.match(metrics, /kubeproxy_rejected_connections_total\{service_port="default\/web:\/TCP"\} [1-9]/);
  // The same counters as JSON on the healthz address (what the dashboard reads per node).
  type Conns = { nodeName: string; servicePorts: Record<string, { active: number; total: number; bytesIn: number; bytesOut: number; rejected: number }> };
  // Bytes are added when both sockets of a connection have closed, a moment after the client exits.
  const body = await waitFor('/connections counts the closed connection', async () => {
    const r = await httpGet(ns, 'http://10.250.9.2:10256/connections');
    const b = r.startsWith('200 ') ? JSON.parse(r.slice(4)) as Conns : undefined;
    return b?.servicePorts['default/web:/TCP']?.bytesOut ? b : false;
  }, { timeoutMs: 10_000, intervalMs: 200 });
  assert.equal(body.nodeName, 'node-a');
  const web = body.servicePorts['default/web:/TCP'];
  assert.ok(web.total >= 1 && web.rejected >= 1 && web.active === 0, JSON.stringify(body));
  // The backend's greeting came back through the proxy: at least its bytes are counted.
  assert.ok(web.bytesOut >= '10.250.9.2:8080\n'.length, JSON.stringify(web));

  // Deleting the service removes its address from kube-ipvs0.
  await cp.client.delete({ ...R.services, namespace: 'default', name: 'web' });
  await waitFor('address removed', async () => !(await ipIn(ns, '-4', 'addr', 'show', 'dev', 'kube-ipvs0')).includes(clusterIP), { timeoutMs: 15_000 });

  // SIGTERM: a clean exit; the interface stays for the next start to rebuild from.
  const exited = new Promise<number | null>((resolve) => kp.once('exit', resolve));
  kp.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(await ipIn(ns, 'link', 'show', 'dev', 'kube-ipvs0'), /kube-ipvs0/);
});
