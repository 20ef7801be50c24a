/**
 * Node failure end to end, every part real: two kubelet processes in hollow mode (one node each),
 * the scheduler, and the controller-manager process (node lifecycle with a short grace period).
 * The kubelet of one node is SIGKILLed; its node goes NotReady and gets the unreachable taints,
 * its pods are evicted, and the Deployment's replacements run on the surviving node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import { startScheduler } from '../../scheduler/run.js';
import { isPodActive, isPodReady } from '../../controller-manager/pods.js';
import type { Deployment, Node, Pod } from '../../lib/api/types.js';

const dist = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

const logs: string[] = [];

/** Starts a component; the tail of its stderr explains a failure. */
function start(main: string, args: string[]): ChildProcess {
  const p = spawn(process.execPath, [dist(main), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  p.stderr!.setEncoding('utf8').on('data', (d: string) => { logs.push(`${main}: ${d}`); if (logs.length > 200) logs.shift(); });
  return p;
}

function kill(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((r) => { p.once('exit', () => r()); p.kill('SIGKILL'); });
}

test('pods of a node whose kubelet dies are replaced on the surviving node', { timeout: 120_000 }, async (t) => {
  const cp = await startControlPlane();
  const stop = new AbortController();
  const procs: ChildProcess[] = [];
  t.after(async () => { stop.abort(); await Promise.all(procs.map(kill)); await cp.stop(); });
  const g = ['--grpc-server', cp.grpcTarget];
  const kubeletA = start('kubelet/main.js', [...g, '--hollow-nodes', '1', '--hollow-node-prefix', 'ksimt-a-']);
  const kubeletB = start('kubelet/main.js', [...g, '--hollow-nodes', '1', '--hollow-node-prefix', 'ksimt-b-']);
  procs.push(kubeletA, kubeletB);
  // Hollow nodes heartbeat every 10 s: a 15 s grace period never flags a live one.
  procs.push(start('controller-manager/main.js', [...g, '--controllers', 'replicaset,deployment,nodelifecycle,podgc',
    '--node-monitor-grace-period', '15s', '--pod-eviction-timeout', '1s']));
  await startScheduler(cp.client, stop.signal, {});
  await waitFor('two hollow nodes', async () => (await cp.client.list<Node>({ resource: 'nodes' })).items.length === 2, { timeoutMs: 20_000 })
    .catch((err: Error) => { throw new Error(`${err.message}\n${logs.slice(-10).join('')}`); });

  await cp.client.create<Deployment>({ group: 'apps', resource: 'deployments', namespace: 'default' }, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  });
  const pods = async () => (await cp.client.list<Pod>({ resource: 'pods', namespace: 'default' })).items;
  const readyOn = (ps: Pod[], prefix: string) => ps.filter((p) => isPodActive(p) && isPodReady(p) && p.spec?.nodeName?.startsWith(prefix));
  await waitFor('4 ready pods spread over both nodes', async () => {
    const ps = await pods();
    return readyOn(ps, 'ksimt-').length === 4 && readyOn(ps, 'ksimt-a-').length > 0;
  }, { timeoutMs: 30_000 });
  const onA = readyOn(await pods(), 'ksimt-a-').map((p) => p.metadata!.name!);

  await kill(kubeletA);
  const nodeA = await waitFor('node A NotReady with the unreachable NoExecute taint', async () => {
    const n = await cp.client.get<Node>({ resource: 'nodes', name: 'ksimt-a-0' });
    return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown' && n.spec?.taints?.some((x) => x.key === 'node.kubernetes.io/unreachable' && x.effect === 'NoExecute') ? n : undefined;
  }, { timeoutMs: 40_000, intervalMs: 250 });
  assert.ok(nodeA);
  await waitFor('4 ready pods, all on node B', async () => {
    const ps = await pods();
    return readyOn(ps, 'ksimt-b-').length === 4 && ps.filter((p) => isPodActive(p)).length === 4;
  }, { timeoutMs: 30_000, intervalMs: 250 });
  const after = await pods();
  for (const name of onA) {
    const p = after.find((x) => x.metadata?.name === name);
    assert.ok(!p || p.metadata?.deletionTimestamp, `pod ${name} of the dead node was evicted`);
  }
  const b = await cp.client.get<Node>({ resource: 'nodes', name: 'ksimt-b-0' });
  assert.ok(!b.spec?.taints?.some((x) => x.key?.startsWith('node.kubernetes.io/')), 'the live node is not tainted');
});
