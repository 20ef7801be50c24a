import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { up } from '../../cli/commands/up.js';
import { down } from '../../cli/commands/down.js';
import { acquireHostLock } from '../../lib/testing/host-lock.js';
import { run } from '../../lib/testing/netns.js';
import { clusterLayout } from '../../cli/cluster/layout.js';
import { leftovers } from './leftovers.js';
import { readState } from '../../cli/cluster/state.js';

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
