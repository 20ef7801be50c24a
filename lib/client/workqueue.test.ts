import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue, ExponentialRateLimiter, runWorkers } from './workqueue.js';
import { waitFor } from '../testing/wait.js';

test('a key added many times while waiting is queued once', async () => {
  const q = new WorkQueue();
  q.add('a'); q.add('b'); q.add('a'); q.add('a');
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  assert.equal(q.len(), 0);
});

test('a key re-added while processing is not handed out again until done()', async () => {
  const q = new WorkQueue();
  q.add('a');
  const k = await q.get();
  q.add('a');
  assert.equal(q.len(), 0, 'parked, not queued, while processing');
  let second: string | undefined;
  const waiting = q.get().then((v) => { second = v; });
  await new Promise((r) => setImmediate(r));
  assert.equal(second, undefined, 'no second worker gets it');
  q.done(k!);
  await waiting;
  assert.equal(second, 'a');
});

test('two workers never process the same key at once', async () => {
  const q = new WorkQueue();
  const active = new Set<string>();
  let overlaps = 0;
  let runs = 0;
  const ac = new AbortController();
  const workers = runWorkers(q, 2, async (key) => {
    if (active.has(key)) overlaps++;
    active.add(key);
    await new Promise((r) => setTimeout(r, 5));
    active.delete(key);
    runs++;
  }, ac.signal);
  for (let i = 0; i < 20; i++) { q.add('x'); q.add('y'); await new Promise((r) => setTimeout(r, 1)); }
  await waitFor('queue drained', () => q.len() === 0 && active.size === 0);
  ac.abort();
  await workers;
  assert.equal(overlaps, 0);
  assert.ok(runs >= 2 && runs < 40, `runs=${runs} (deduplicated)`);
});

test('exponential per-item backoff doubles and is capped; forget resets it', () => {
  const rl = new ExponentialRateLimiter(10, 50);
  assert.deepEqual([rl.when('a'), rl.when('a'), rl.when('a'), rl.when('a'), rl.when('b')], [10, 20, 40, 50, 10]);
  assert.equal(rl.numRequeues('a'), 4);
  rl.forget('a');
  assert.equal(rl.when('a'), 10);
});

test('a failing sync is retried with backoff until it succeeds, then forgotten', async () => {
  const q = new WorkQueue({ rateLimiter: new ExponentialRateLimiter(5, 100) });
  let attempts = 0;
  const ac = new AbortController();
  const workers = runWorkers(q, 1, async () => { attempts++; if (attempts < 3) throw new Error('not yet'); }, ac.signal);
  q.add('k');
  await waitFor('third attempt', () => attempts >= 3);
  await waitFor('backoff forgotten', () => q.numRequeues('k') === 0);
  ac.abort();
  await workers;
  assert.equal(attempts, 3);
});

test('addAfter delivers later; the earliest pending time wins', async () => {
  const q = new WorkQueue();
  const start = Date.now();
  q.addAfter('k', 200);
  q.addAfter('k', 30);
  q.addAfter('k', 500);
  assert.equal(q.len(), 0);
  assert.equal(await q.get(), 'k');
  const waited = Date.now() - start;
  assert.ok(waited >= 25 && waited < 190, `waited ${waited} ms`);
  q.done('k');
  q.shutDown();
});

test('shutDown wakes waiting workers and refuses new keys', async () => {
  const q = new WorkQueue();
  const waiting = q.get();
  q.shutDown();
  assert.equal(await waiting, undefined);
  assert.equal(q.shuttingDown(), true);
  q.add('late');
  assert.equal(q.len(), 0);
  assert.equal(await q.get(), undefined);
});
