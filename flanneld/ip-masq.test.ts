import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNetns, deleteNetns, execIn, uniqueName } from '../lib/testing/netns.js';
import { installIpMasq, removeIpMasq, masqRuleset } from './ip-masq.js';

test('ip-masq installs a masquerade for traffic leaving the pod network and removes it again', async () => {
  const ns = await createNetns(uniqueName('ksimt-mq'));
  try {
    await installIpMasq('10.244.0.0/16', ns);
    await installIpMasq('10.244.0.0/16', ns); // idempotent
    const table = await execIn(ns, 'nft', ['list', 'table', 'ip', 'flannel']);
    assert.match(table, /ip saddr 10\.244\.0\.0\/16 ip daddr 10\.244\.0\.0\/16 return/);
    assert.match(table, /ip saddr 10\.244\.0\.0\/16 ip daddr != 224\.0\.0\.0\/4 masquerade/);
    assert.equal((table.match(/masquerade/g) ?? []).length, 1);
    await removeIpMasq(ns);
    await assert.rejects(execIn(ns, 'nft', ['list', 'table', 'ip', 'flannel']));
  } finally {
    await deleteNetns(ns);
  }
  assert.match(masqRuleset('10.1.0.0/16'), /type nat hook postrouting/);
});
