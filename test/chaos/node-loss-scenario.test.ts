import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { upCluster, type E2ECluster } from '../e2e/helpers.js';
import { loadScenario } from '../../cli/chaos/scenario.js';
import { runScenario } from '../../cli/chaos/runner.js';
import { readState } from '../../cli/cluster/state.js';
import { isAlive } from '../../cli/cluster/supervisor.js';

const SCENARIOS = join(import.meta.dirname, '..', '..', '..', 'cli', 'scenarios');

let c: E2ECluster;
before(async () => { c = await upCluster(2); });
after(async () => { await c?.down(); });

test('shipped scenario "node-loss-rolling-update" passes: pods leave the stopped node, the Service stays up, the node comes back', async () => {
  const lines: string[] = [];
  const result = await runScenario(c.name, loadScenario(join(SCENARIOS, 'node-loss-rolling-update.yaml'), { replicas: '2' }), (l) => lines.push(l));
  assert.equal(result.verdict, 'PASS', `timeline:\n${lines.join('\n')}`);
  assert.ok(lines.some((l) => /✓ node-2 goes NotReady within 60s: node-2 Ready=(False|Unknown)/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /✓ 2 pods ready off node-2 within 60s: 2\/2 ready off node-2: \S+@node-1 \S+@node-1/.test(l)), lines.join('\n'));
  // `finally` started node-2 again: every one of its components runs with a new pid.
  const procs = readState(c.name)!.processes.filter((p) => p.node === 'node-2');
  assert.equal(procs.length, 4);
  assert.ok(procs.every((p) => isAlive(p.pid)), JSON.stringify(procs.map((p) => [p.component, p.pid])));
  const events = JSON.parse(await c.kubectl('get', 'events', '-o', 'json')) as { items: { reason: string; involvedObject: { name: string } }[] };
  assert.ok(events.items.some((e) => e.reason === 'ChaosNodeStop' && e.involvedObject.name === 'node-2'));
  assert.ok(events.items.some((e) => e.reason === 'ChaosNodeStart' && e.involvedObject.name === 'node-2'));
});
