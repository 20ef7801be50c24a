import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makePod } from '../framework/testing.js';
import { SchedulingQueue } from './scheduling-queue.js';
import { KeyedHeap } from './heap.js';

function fakeClock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

async function popName(q: SchedulingQueue): Promise<string> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 2000);
  try {
    const item = await q.pop(ac.signal);
    assert.ok(item, 'pop timed out');
    return item.pod.metadata.name;
  } finally { clearTimeout(timer); }
}

test('heap: ordered pops, update and delete by key', () => {
  const h = new KeyedHeap<{ k: string; v: number }>((x) => x.k, (a, b) => a.v < b.v);
  for (const [k, v] of [['a', 5], ['b', 1], ['c', 3], ['d', 4]] as const) h.push({ k, v });
  h.push({ k: 'a', v: 0 });
  h.delete('c');
  assert.deepEqual([h.pop()!.k, h.pop()!.k, h.pop()!.k, h.pop()], ['a', 'b', 'd', undefined]);
});

test('active queue: higher priority first, then arrival order', async () => {
  const clock = fakeClock();
  const q = new SchedulingQueue({ now: clock.now });
  q.add(makePod('low-1', { priority: 0 })); clock.t++;
  q.add(makePod('high', { priority: 1000 })); clock.t++;
  q.add(makePod('low-2', { priority: 0 }));
  assert.deepEqual([await popName(q), await popName(q), await popName(q)], ['high', 'low-1', 'low-2']);
});

test('pop waits for an add and returns undefined when aborted', async () => {
  const q = new SchedulingQueue();
  const pending = popName(q);
  q.add(makePod('late'));
  assert.equal(await pending, 'late');
  const ac = new AbortController();
  const p = q.pop(ac.signal);
  ac.abort();
  assert.equal(await p, undefined);
});

test('a failed pod waits as unschedulable until a cluster event, then backs off 1 s, 2 s, 4 s ... capped at 10 s', async () => {
  const clock = fakeClock();
  const q = new SchedulingQueue({ now: clock.now });
  assert.deepEqual([1, 2, 3, 4, 5, 9].map((n) => q.backoffDuration(n)), [1000, 2000, 4000, 8000, 10_000, 10_000]);
  q.add(makePod('p'));
  const ac = new AbortController();
  const first = (await q.pop(ac.signal))!;
  q.addUnschedulable(first);
  assert.deepEqual(q.lengths, { active: 0, backoff: 0, unschedulable: 1 });
  q.moveAllToActiveOrBackoff('NodeAdd');
  assert.deepEqual(q.lengths, { active: 0, backoff: 1, unschedulable: 0 }, 'still within its 1 s backoff');
  clock.t += 999; q.flushBackoffCompleted();
  assert.equal(q.lengths.backoff, 1);
  clock.t += 1; q.flushBackoffCompleted();
  assert.deepEqual(q.lengths, { active: 1, backoff: 0, unschedulable: 0 });
  const second = (await q.pop(ac.signal))!;
  assert.equal(second.attempts, 2);
  q.addUnschedulable(second, true);
  clock.t += 1999; q.flushBackoffCompleted();
  assert.equal(q.lengths.backoff, 1, 'second failure backs off 2 s');
  clock.t += 1; q.flushBackoffCompleted();
  assert.equal(q.lengths.active, 1);
});

test('an event during the attempt sends the pod to backoff, not to the unschedulable set', async () => {
  const clock = fakeClock();
  const q = new SchedulingQueue({ now: clock.now });
  q.add(makePod('p'));
  const item = (await q.pop(new AbortController().signal))!;
  q.moveAllToActiveOrBackoff('PodDelete');
  q.addUnschedulable(item);
  assert.deepEqual(q.lengths, { active: 0, backoff: 1, unschedulable: 0 });
});

test('unschedulable leftovers are retried after the timeout even without events', async () => {
  const clock = fakeClock();
  const q = new SchedulingQueue({ now: clock.now, unschedulableTimeoutMs: 60_000 });
  q.add(makePod('p'));
  q.addUnschedulable((await q.pop(new AbortController().signal))!);
  clock.t += 59_999; q.flushUnschedulableLeftover();
  assert.equal(q.lengths.unschedulable, 1);
  clock.t += 1; q.flushUnschedulableLeftover();
  assert.deepEqual(q.lengths, { active: 1, backoff: 0, unschedulable: 0 });
});

test('updates and deletes while a pod is in flight: the latest object is requeued, a deleted pod is dropped', async () => {
  const clock = fakeClock();
  const q = new SchedulingQueue({ now: clock.now });
  q.add(makePod('p'));
  const item = (await q.pop(new AbortController().signal))!;
  q.update(makePod('p', { labels: { v: '2' } }));
  q.addUnschedulable(item, true);
  clock.t += 1000; q.flushBackoffCompleted();
  const again = (await q.pop(new AbortController().signal))!;
  assert.equal(again.pod.metadata.labels?.v, '2');
  q.delete(again.pod);
  q.addUnschedulable(again);
  assert.deepEqual(q.lengths, { active: 0, backoff: 0, unschedulable: 0 });
});

test('updating a parked unschedulable pod gives it another try', async () => {
  const clock = fakeClock();
  const q = new SchedulingQueue({ now: clock.now });
  q.add(makePod('p'));
  q.addUnschedulable((await q.pop(new AbortController().signal))!);
  clock.t += 5000;
  q.update(makePod('p', { cpu: '1' }));
  assert.deepEqual(q.lengths, { active: 1, backoff: 0, unschedulable: 0 });
});

test('refresh replaces a parked pod\'s object without granting a retry', async () => {
  const clock = fakeClock();
  const q = new SchedulingQueue({ now: clock.now });
  q.add(makePod('p'));
  q.addUnschedulable((await q.pop(new AbortController().signal))!);
  const withCondition = makePod('p');
  withCondition.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] };
  q.refresh(withCondition);
  assert.deepEqual(q.lengths, { active: 0, backoff: 0, unschedulable: 1 });
  clock.t += 60_000; q.flushUnschedulableLeftover();
  const again = (await q.pop(new AbortController().signal))!;
  assert.equal(again.pod.status?.conditions?.[0].reason, 'Unschedulable');
});
