import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCriLogLine, renderCriLog } from './cri-log.js';

const log = [
  '2026-11-22T10:00:00.000000001Z stdout F one',
  '2026-11-22T10:00:01.000000000Z stderr P par',
  '2026-11-22T10:00:01.500000000Z stderr F tial',
  'garbage line',
  '2026-11-22T10:00:02.000000000Z stdout F ',
  '2026-11-22T10:00:03.000000000Z stdout F three',
].join('\n') + '\n';

test('CRI log lines parse and render as kubectl logs shows them', () => {
  assert.deepEqual(parseCriLogLine('2026-11-22T10:00:00Z stdout F hi there'), { time: '2026-11-22T10:00:00Z', stream: 'stdout', partial: false, content: 'hi there' });
  assert.equal(parseCriLogLine('nope'), undefined);
  assert.equal(renderCriLog(log), 'one\npartial\n\nthree\n');
  assert.equal(renderCriLog(log, { tailLines: 2 }), '\nthree\n');
  assert.equal(renderCriLog(log, { timestamps: true, tailLines: 1 }), '2026-11-22T10:00:03.000000000Z three\n');
  assert.equal(renderCriLog(log, { sinceTime: '2026-11-22T10:00:01.200Z' }), 'partial\n\nthree\n');
  assert.equal(renderCriLog(log, { limitBytes: 5 }), 'one\np');
});
