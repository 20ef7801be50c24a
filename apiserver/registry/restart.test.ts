import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from '../../lib/testing/wait.js';
import { adminCtx as ctx, R, startTestRegistry, take } from './testing.js';

test('watches survive an etcd restart: the shared watch reconnects and resumes', async () => {
  const t = await startTestRegistry({ compactionIntervalMs: 0 });
  let restarted: ChildProcess | undefined;
  const ac = new AbortController();
  try {
    const before = await t.reg.create(ctx, R.configmaps, 'default', { metadata: { name: 'pre' }, data: {} });
    const it = t.reg.watch(ctx, R.configmaps, 'default', { resourceVersion: before.metadata!.resourceVersion }, ac.signal)[Symbol.asyncIterator]();
    const [cmd, ...args] = t.etcd.process.spawnargs;
    const gone = new Promise((r) => t.etcd.process.once('exit', r));
    t.etcd.process.kill('SIGKILL');
    await gone;
    restarted = spawn(cmd, args, { stdio: 'ignore' });
    await waitFor('etcd back', async () => (await fetch(`${t.etcd.endpoint}/health`).catch(() => undefined))?.ok, { timeoutMs: 20_000 });
    const after = await waitFor('write after restart', () => t.reg.create(ctx, R.configmaps, 'default', { metadata: { name: 'post' }, data: {} }).catch(() => undefined), { timeoutMs: 20_000, intervalMs: 200 });
    const [ev] = await take(it, 1, 30_000);
    assert.equal(ev.type, 'ADDED');
    assert.equal(ev.object.metadata!.name, 'post');
    assert.equal(ev.object.metadata!.resourceVersion, after.metadata!.resourceVersion);
  } finally {
    ac.abort();
    await t.reg.close();
    t.kv.close();
    t.client.close();
    if (restarted && restarted.exitCode === null) {
      const exited = new Promise((r) => restarted!.once('exit', r));
      restarted.kill('SIGKILL');
      await exited;
    }
    await t.etcd.stop();
  }
});
