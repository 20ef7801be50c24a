/**
 * `kubesim chaos clock-skew`: a kubelet restarted with its clock ten minutes ahead stamps its node
 * Lease from that clock, and the node stays Ready (the node lifecycle controller times heartbeats
 * with its own clock when it sees them change, as Kubernetes does); `--offset 0` puts it back.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { upCluster, type E2ECluster } from '../e2e/helpers.js';
import { readState } from '../../cli/cluster/state.js';
import { isAlive } from '../../cli/cluster/supervisor.js';
import { DIST } from '../../cli/cluster/components.js';
import { waitFor } from '../../lib/testing/wait.js';

const execFileP = promisify(execFile);
let c: E2ECluster;
before(async () => { c = await upCluster(1); });
after(async () => { await c?.down(); });

const kubesim = async (...args: string[]) => (await execFileP(process.execPath, [join(DIST, 'cli', 'main.js'), ...args, '--name', c.name], { timeout: 60_000 })).stdout;
const renewSkew = async () => Date.parse(await c.kubectl('get', 'lease', '-n', 'kube-node-lease', 'node-1', '-o', 'jsonpath={.spec.renewTime}')) - Date.now();
const ready = async () => (await c.kubectl('get', 'node', 'node-1', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')).trim();

test('a kubelet with its clock 10 minutes ahead renews its Lease in the future and its node stays Ready; offset 0 heals it', { timeout: 180_000 }, async () => {
  const old = readState(c.name)!.processes.find((p) => p.component === 'kubelet')!;
  assert.match(await kubesim('chaos', 'clock-skew', 'kubelet', '--node', 'node-1', '--offset', '10m'), /restarted \(pid \d+\) with its wall clock off by 600s/);
  const skewed = readState(c.name)!.processes.find((p) => p.component === 'kubelet')!;
  assert.ok(skewed.pid !== old.pid && isAlive(skewed.pid) && !isAlive(old.pid));
  assert.equal(skewed.env?.KUBESIM_CLOCK_SKEW_MS, '600000', 'the skew is recorded, so later restarts keep it');
  await waitFor('a Lease renewal stamped 10 minutes ahead', async () => (await renewSkew()) > 9 * 60_000, { timeoutMs: 30_000, intervalMs: 500 });
  // Two further renewals (each changes renewTime) and the node is still Ready.
  const seen = new Set<string>();
  await waitFor('two more renewals', async () => {
    seen.add(await c.kubectl('get', 'lease', '-n', 'kube-node-lease', 'node-1', '-o', 'jsonpath={.spec.renewTime}'));
    return seen.size >= 3;
  }, { timeoutMs: 60_000, intervalMs: 500 });
  assert.equal(await ready(), 'True', 'heartbeats are timed by the observer, not by the kubelet\'s clock');
  const events = await c.kubectl('get', 'events', '--field-selector', 'reason=ChaosClockSkew', '-o', 'jsonpath={.items[*].message}');
  assert.match(events, /kubelet on node-1 restarted with its clock ahead by 600s/);

  await kubesim('chaos', 'clock-skew', 'kubelet', '--node', 'node-1', '--offset', '0');
  assert.equal(readState(c.name)!.processes.find((p) => p.component === 'kubelet')!.env, undefined);
  await waitFor('Lease renewals on the true clock again', async () => Math.abs(await renewSkew()) < 60_000, { timeoutMs: 30_000, intervalMs: 500 });
  assert.equal(await ready(), 'True');
  await assert.rejects(kubesim('chaos', 'clock-skew', 'etcd', '--offset', '1m'), /etcd is not one of our Node\.js components/);
});
