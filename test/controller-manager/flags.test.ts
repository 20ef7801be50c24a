/**
 * The controller-manager process wires its flags to the controllers: --node-monitor-grace-period
 * reaches the node lifecycle controller, and the PersistentVolume and LoadBalancer controllers
 * run under their `--controllers` names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import type { Node, Service, StorageClass } from '../../lib/api/types.js';

const MAIN = fileURLToPath(new URL('../../controller-manager/main.js', import.meta.url));

test('controller-manager process: node grace period flag, storage classes, load balancer IPs', { timeout: 60_000 }, async (t) => {
  const cp = await startControlPlane();
  const proc = spawn(process.execPath, [MAIN, '--grpc-server', cp.grpcTarget, '--controllers', 'nodelifecycle,persistentvolume,servicelb,podgc',
    '--node-monitor-grace-period', '2s'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => { log.push(d); });
  t.after(async () => {
    if (proc.exitCode === null && proc.signalCode === null) await new Promise((r) => { proc.once('exit', r); proc.kill('SIGKILL'); });
    await cp.stop();
  });

  const started = Date.now();
  await cp.client.create<Node>({ resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'silent' },
    status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: new Date().toISOString() }] } });
  await waitFor('node marked Unknown after the 2 s grace period', async () =>
    (await cp.client.get<Node>({ resource: 'nodes', name: 'silent' })).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown', { timeoutMs: 20_000 });
  assert.ok(Date.now() - started < 15_000, 'the 2 s flag was used, not the 40 s default');

  const sc = await waitFor('default StorageClass', () => cp.client.get<StorageClass>({ group: 'storage.k8s.io', resource: 'storageclasses', name: 'local-path' }).catch(() => undefined));
  assert.equal(sc.provisioner, 'kubesim.io/local-path');

  await cp.client.create<Service>({ resource: 'services', namespace: 'default' }, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } });
  const ip = await waitFor('LoadBalancer IP', async () => (await cp.client.get<Service>({ resource: 'services', namespace: 'default', name: 'lb' })).status?.loadBalancer?.ingress?.[0]?.ip);
  assert.equal(ip, '10.200.0.200', 'the first address of the default pool');
  assert.equal(proc.exitCode, null, `the process is still running: ${log.join('').slice(-500)}`);
});
