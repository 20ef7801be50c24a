import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { upCluster, type E2ECluster } from '../e2e/helpers.js';
import { loadScenario } from '../../cli/chaos/scenario.js';
import { runScenario } from '../../cli/chaos/runner.js';
import { chaosKill } from '../../cli/commands/chaos.js';
import { readState } from '../../cli/cluster/state.js';
import { isAlive } from '../../cli/cluster/supervisor.js';
import { waitFor } from '../../lib/testing/wait.js';

const SCENARIOS = join(import.meta.dirname, '..', '..', '..', 'cli', 'scenarios');

let c: E2ECluster;
before(async () => { c = await upCluster(2); });
after(async () => { await c?.down(); });

test('shipped scenario "apiserver-restart-watch-load" passes: every watcher sees the changes after the restart', async () => {
  const before = readState(c.name)!.processes.find((p) => p.component === 'apiserver')!;
  const lines: string[] = [];
  const result = await runScenario(c.name, loadScenario(join(SCENARIOS, 'apiserver-restart-watch-load.yaml'), { watchers: '10', downFor: '2s' }), (l) => lines.push(l));
  assert.equal(result.verdict, 'PASS', `timeline:\n${lines.join('\n')}`);
  assert.ok(lines.some((l) => /✓ every watcher sees chaos-after-restart within 30s: 10\/10 watchers/.test(l)), lines.join('\n'));
  const after = readState(c.name)!.processes.find((p) => p.component === 'apiserver')!;
  assert.notEqual(after.pid, before.pid, 'the new pid is written back to cluster.json');
  assert.deepEqual(after.args, before.args, 'restarted with exactly the recorded command line');
  assert.ok(isAlive(after.pid) && !isAlive(before.pid));
});

test('chaos kill of a node component restarts it after --down-for and logs a node Event', async () => {
  const old = readState(c.name)!.processes.find((p) => p.component === 'kube-proxy' && p.node === 'node-2')!;
  await chaosKill(c.name, 'kube-proxy', 'node-2', 'KILL', 500);
  const fresh = readState(c.name)!.processes.find((p) => p.component === 'kube-proxy' && p.node === 'node-2')!;
  assert.notEqual(fresh.pid, old.pid);
  assert.ok(isAlive(fresh.pid));
  const events = JSON.parse(await c.kubectl('get', 'events', '-o', 'json')) as { items: { reason: string; message: string; involvedObject: { name: string } }[] };
  assert.ok(events.items.some((e) => e.reason === 'ChaosKill' && e.involvedObject.name === 'node-2' && /kube-proxy/.test(e.message)));
  assert.ok(events.items.some((e) => e.reason === 'ChaosRestart' && e.involvedObject.name === 'node-2'));
  await assert.rejects(chaosKill(c.name, 'kube-proxy', undefined, 'KILL', undefined), /runs on every node: say which with --node/);
  await assert.rejects(chaosKill(c.name, 'nonsense', undefined, 'KILL', undefined), /no component "nonsense"; known: /);
  // The restarted kube-proxy serves again: node-2 stays Ready and its process keeps running.
  await waitFor('kube-proxy still up', () => isAlive(fresh.pid), { timeoutMs: 3000 });
});

test('etcd killed and started again after --down-for: the cluster serves writes again', async () => {
  const old = readState(c.name)!.processes.find((p) => p.component === 'etcd')!;
  await chaosKill(c.name, 'etcd', undefined, 'KILL', 1000);
  const fresh = readState(c.name)!.processes.find((p) => p.component === 'etcd')!;
  assert.notEqual(fresh.pid, old.pid);
  await waitFor('a write through the apiserver succeeds', () => c.kubectl('create', 'configmap', 'after-etcd-restart').then(() => true, () => false), { timeoutMs: 30_000, intervalMs: 500 });
  assert.match(await c.kubectl('get', 'configmap', 'after-etcd-restart', '-o', 'name'), /configmap\/after-etcd-restart/);
  await c.kubectl('delete', 'configmap', 'after-etcd-restart');
  const events = JSON.parse(await c.kubectl('get', 'events', '-o', 'json')) as { items: { reason: string; message: string }[] };
  assert.ok(events.items.some((e) => e.reason === 'ChaosKill' && /SIGKILL to etcd/.test(e.message)), 'the kill is told before etcd goes');
  assert.ok(events.items.some((e) => e.reason === 'ChaosRestart' && /started etcd again/.test(e.message)), 'the restart is told once the store is back');
});
