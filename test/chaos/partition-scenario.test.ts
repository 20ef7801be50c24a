import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { upCluster, type E2ECluster } from '../e2e/helpers.js';
import { loadScenario, parseScenario } from '../../cli/chaos/scenario.js';
import { runScenario } from '../../cli/chaos/runner.js';
import { run } from '../../lib/testing/netns.js';

const SCENARIOS = join(import.meta.dirname, '..', '..', '..', 'cli', 'scenarios');

let c: E2ECluster;
before(async () => { c = await upCluster(2); });
after(async () => { await c?.down(); });

test('shipped scenario "partition-one-node" (3 s partition) passes, and the partition is told as node Events', async () => {
  const scenario = loadScenario(join(SCENARIOS, 'partition-one-node.yaml'), { partitionFor: '3s', recoverWithin: '40s' });
  const lines: string[] = [];
  const result = await runScenario(c.name, scenario, (l) => lines.push(l));
  assert.equal(result.verdict, 'PASS', `timeline:\n${lines.join('\n')}`);
  assert.ok(lines.some((l) => /✓ partitioned node-2/.test(l)));
  assert.ok(lines.some((l) => /✓ no request failed for longer than 5s: longest outage/.test(l)));
  const events = await c.kubectl('get', 'events', '-o', 'json');
  const reasons = (JSON.parse(events) as { items: { reason: string; involvedObject: { kind: string; name: string } }[] }).items
    .filter((e) => e.involvedObject.kind === 'Node').map((e) => `${e.reason}/${e.involvedObject.name}`);
  assert.ok(reasons.includes('ChaosPartition/node-2'), `node events: ${reasons.join(', ')}`);
  assert.ok(reasons.some((r) => r.startsWith('ChaosHeal/')));
  // The heal in `finally` left node-2's underlay link up.
  const link = await run('ip', ['-o', 'link', 'show', `ks${JSON.parse(await run('cat', [`/var/lib/kubesim/${c.name}/cluster.json`])).index}-n2`]);
  assert.match(link, /state UP|,UP/);
});

test('an unmet expectation gives FAIL with the reason, and finally steps still run', async () => {
  const scenario = parseScenario([
    'name: impossible', 'steps:',
    '  - partition: [node-1]',
    '  - expect: {podsRunning: {selector: app=nothing-here, count: 99}}', '    within: 1s',
    'finally:', '  - heal: {}',
  ].join('\n'));
  const result = await runScenario(c.name, scenario);
  assert.equal(result.verdict, 'FAIL');
  assert.equal(result.failures.length, 1);
  assert.match(result.failures[0], /0\/99 ready/);
  assert.ok(result.timeline.some((e) => e.what === 'healed partitions' && e.ok));
  await c.kubectl('get', '--raw', '/readyz');
  const state = JSON.parse(await run('cat', [`/var/lib/kubesim/${c.name}/cluster.json`])) as { index: number };
  assert.match(await run('ip', ['-o', 'link', 'show', `ks${state.index}-n1`]), /,UP/);
});
