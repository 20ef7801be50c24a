/**
 * The dashboard terminal's input queue (dashboard/shared/stdin-queue.ts, shared by the page and this test): keystrokes typed while
 * the exec WebSocket still connects are not lost but sent in order once it opens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StdinQueue } from '../../dashboard/shared/stdin-queue.js';

test('input typed before the exec stream opens is kept and sent in order when it opens; later input goes at once; nothing after close', () => {
  const sent: string[] = [];
  const q = new StdinQueue<string>((f) => sent.push(f));
  q.push('e'); q.push('c'); q.push('h'); q.push('o');
  assert.deepEqual(sent, [], 'nothing goes out before the stream is open');
  assert.equal(q.waiting, 4);
  q.open();
  assert.deepEqual(sent, ['e', 'c', 'h', 'o']);
  q.push(' hi\r');
  assert.deepEqual(sent, ['e', 'c', 'h', 'o', ' hi\r']);
  q.open(); // a second open sends nothing twice
  assert.equal(sent.length, 5);
  q.close();
  q.push('x');
  assert.equal(sent.length, 5, 'input after the end is dropped');
});

test('a stream that closes without opening drops what was typed', () => {
  const sent: number[] = [];
  const q = new StdinQueue<number>((f) => sent.push(f));
  q.push(1);
  q.close();
  q.open();
  q.push(2);
  assert.deepEqual(sent, []);
  assert.equal(q.waiting, 0);
});
