import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane } from '../lib/testing/control-plane.js';
import { ApiClient } from '../lib/client/api-client.js';
import type { Node } from '../lib/api/types.js';
import { heartbeat, registerNode } from './node-status.js';

test('a heartbeat that loses a race to another status writer (the node controller) is retried and lands', async (t) => {
  const cp = await startControlPlane();
  t.after(() => cp.stop());
  const id = { name: 'node-race', ip: '10.200.9.11' };
  await registerNode(cp.client, id);
  // The node controller's write: Ready=Unknown, landing between the kubelet's read and its write.
  const markUnknown = async () => {
    const n = await cp.client.get<Node>({ resource: 'nodes', name: id.name });
    for (const c of n.status?.conditions ?? []) if (c.type === 'Ready') Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown' });
    await cp.client.updateStatus({ resource: 'nodes' }, n);
  };
  let raced = 0;
  const racing = Object.create(cp.client) as ApiClient;
  racing.updateStatus = async (target, obj, opts) => {
    if (raced++ === 0) await markUnknown();
    return cp.client.updateStatus(target, obj, opts);
  };
  await heartbeat(racing, id);
  assert.equal(raced, 2, 'the first write conflicted and was retried once');
  const node = await cp.client.get<Node>({ resource: 'nodes', name: id.name });
  assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True', 'the kubelet\'s Ready wins after the retry');
});
