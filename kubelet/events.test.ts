import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane } from '../lib/testing/control-plane.js';
import { createLogger } from './runtime/log.js';
import { EventRecorder } from './events.js';
import type { Pod } from '../lib/api/types.js';

test('pod events are posted in the order they were emitted (resourceVersion order = emit order)', async () => {
  const cp = await startControlPlane();
  try {
    const rec = new EventRecorder(cp.client, 'node-1', createLogger('kubelet', true));
    const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', uid: 'u1' } };
    const reasons = Array.from({ length: 30 }, (_, i) => `Step${i}`);
    for (const r of reasons) rec.emit(pod, 'Normal', r, r, 'web');
    await rec.flushed();
    const list = await cp.client.list<{ reason?: string; metadata?: { resourceVersion?: string } } & Pod>({ resource: 'events', namespace: 'default' });
    const got = list.items.sort((a, b) => Number(a.metadata!.resourceVersion) - Number(b.metadata!.resourceVersion)).map((e) => (e as { reason?: string }).reason);
    assert.deepEqual(got, reasons);
  } finally {
    await cp.stop();
  }
});
