import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue } from './event-queue.js';

test('event queue: items pushed before and while the consumer waits arrive in order, then the end', async () => {
  const q = new EventQueue<number>();
  const it = q[Symbol.asyncIterator]();
  q.push(1);
  assert.deepEqual(await it.next(), { done: false, value: 1 });
  const waiting = it.next();
  q.push(2);
  q.push(3);
  assert.deepEqual(await waiting, { done: false, value: 2 });
  assert.deepEqual(await it.next(), { done: false, value: 3 });
  const atEnd = it.next();
  q.end();
  assert.deepEqual(await atEnd, { done: true, value: undefined });
  q.push(4); // after the end: dropped
  assert.deepEqual(await it.next(), { done: true, value: undefined });
});

test('event queue: fail() delivers the queued items, then the error once, then the end', async () => {
  const q = new EventQueue<string>();
  const it = q[Symbol.asyncIterator]();
  q.push('a');
  q.fail(new Error('gone'));
  assert.deepEqual(await it.next(), { done: false, value: 'a' });
  await assert.rejects(it.next(), /gone/);
  assert.deepEqual(await it.next(), { done: true, value: undefined });
});

test('event queue: a waiting consumer hears fail() and the abort signal', async () => {
  const q = new EventQueue<number>();
  const it = q[Symbol.asyncIterator]();
  const waiting = it.next();
  q.fail(new Error('compacted'));
  await assert.rejects(waiting, /compacted/);

  const ac = new AbortController();
  const q2 = new EventQueue<number>(10, ac.signal);
  let closed = 0;
  q2.onClose = () => { closed++; };
  const waiting2 = q2[Symbol.asyncIterator]().next();
  ac.abort();
  assert.deepEqual(await waiting2, { done: true, value: undefined });
  assert.equal(closed, 1);
  assert.equal(q2.closed, true);
});

test('event queue: return() (the consumer stopping) closes it once and drops later pushes', async () => {
  const q = new EventQueue<number>();
  let closed = 0;
  q.onClose = () => { closed++; };
  const it = q[Symbol.asyncIterator]();
  q.push(1);
  assert.deepEqual(await it.return!(), { done: true, value: undefined });
  assert.equal(closed, 1);
  assert.equal(q.closed, true);
  q.end();
  assert.equal(closed, 1);
  // for await ... break calls return() as well
  const q2 = new EventQueue<number>();
  let closed2 = 0;
  q2.onClose = () => { closed2++; };
  q2.push(1); q2.push(2);
  for await (const v of q2) { assert.equal(v, 1); break; }
  assert.equal(closed2, 1);
});

test('event queue: a consumer that falls more than maxBuffered behind is ended; allow() makes room', async () => {
  const q = new EventQueue<number>(2);
  q.push(1); q.push(2); q.push(3);
  assert.equal(q.closed, true);
  const got: number[] = [];
  for await (const v of q) got.push(v);
  assert.deepEqual(got, [1, 2]);

  const q2 = new EventQueue<number>(2);
  q2.allow(2);
  for (let i = 0; i < 4; i++) q2.push(i);
  assert.equal(q2.closed, false);
  q2.end();
  const got2: number[] = [];
  for await (const v of q2) got2.push(v);
  assert.deepEqual(got2, [0, 1, 2, 3]);
});
