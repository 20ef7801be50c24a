import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { up } from '../../cli/commands/up.js';
import { down } from '../../cli/commands/down.js';
import { acquireHostLock } from '../../lib/testing/host-lock.js';
import { run } from '../../lib/testing/netns.js';
import { markedPids } from '../../cli/cluster/supervisor.js';
import { STATE_ROOT, clusterLayout } from '../../cli/cluster/layout.js';
import { readState } from '../../cli/cluster/state.js';

/** Everything of cluster `name` still on this machine (empty when clean). */
async function leftovers(name: string): Promise<string[]> {
  const out: string[] = [];
  const ns = (await run('ip', ['netns', 'list'])).split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(`ksim-${name}-`));
  if (ns.length) out.push(`namespaces: ${ns.join(' ')}`);
  const pids = markedPids(name);
  if (pids.length) out.push(`processes: ${pids.join(' ')}`);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(`/kubesim/${name}/`) || l.includes(`ksim-${name}-`));
  if (mounts.length) out.push(`mounts: ${mounts.length}`);
  if (existsSync(`${STATE_ROOT}/${name}`)) out.push(`state dir ${STATE_ROOT}/${name}`);
  return out;
}

test('kubesim up + down five times in a row leaves nothing behind', { timeout: 10 * 60_000 }, async () => {
  const release = await acquireHostLock('cluster');
  const name = `ud${randomBytes(2).toString('hex')}`;
  try {
    for (let i = 1; i <= 5; i++) {
      await up({ name, nodes: 1, backend: 'vxlan', etcdMembers: 1, fastFailover: false, v: 0, timeout: 60 });
      const bridge = clusterLayout(name, readState(name)!.index).bridge;
      assert.ok(await run('ip', ['link', 'show', bridge]), `round ${i}: the underlay bridge exists while up`);
      await down({ name, quiet: true });
      assert.deepEqual(await leftovers(name), [], `round ${i}: nothing left after down`);
      await assert.rejects(run('ip', ['link', 'show', bridge]), `round ${i}: the bridge is gone`);
      const rules = await run('iptables', ['-S', 'FORWARD']).catch(() => '');
      assert.ok(!rules.includes(`-i ${bridge} `), `round ${i}: no forwarding rule left for ${bridge}`);
    }
  } finally {
    await down({ name, quiet: true }).catch(() => undefined);
    release();
  }
});
