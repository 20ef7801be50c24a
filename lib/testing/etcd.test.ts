import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { startEtcd } from './etcd.js';

test('test harness starts a real etcd on free ports and removes it', async () => {
  const etcd = await startEtcd();
  const client = new Etcd3({ hosts: etcd.endpoint });
  try {
    await client.put('/kubesim/probe').value('1');
    assert.equal(await client.get('/kubesim/probe').string(), '1');
  } finally {
    client.close();
    await etcd.stop();
  }
  assert.equal(etcd.process.exitCode !== null || etcd.process.signalCode !== null, true);
});
