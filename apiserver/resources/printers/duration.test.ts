import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, since } from './duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

test('humanDuration matches kubectl', () => {
  const cases: [number, string][] = [
    [-5 * S, '<invalid>'], [-1 * S, '0s'], [-500, '0s'], [0, '0s'], [5 * S, '5s'], [119 * S, '119s'], [2 * M, '2m'],
    [3 * M + 20 * S, '3m20s'], [9 * M + 59 * S, '9m59s'], [10 * M, '10m'], [10 * M + 30 * S, '10m'], [179 * M, '179m'],
    [3 * H, '3h'], [5 * H + 30 * M, '5h30m'], [7 * H + 59 * M, '7h59m'], [8 * H + 30 * M, '8h'], [47 * H, '47h'],
    [2 * D, '2d'], [2 * D + 3 * H, '2d3h'], [7 * D + 23 * H, '7d23h'], [8 * D + 5 * H, '8d'], [45 * D, '45d'],
    [729 * D, '729d'], [730 * D, '2y'], [740 * D, '2y10d'], [365 * 8 * D, '8y'], [365 * 10 * D + 5 * D, '10y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms} ms`);
});

test('since handles missing and invalid timestamps', () => {
  const now = new Date('2026-11-22T10:00:00Z');
  assert.equal(since(undefined, now), '<unknown>');
  assert.equal(since('garbage', now), '<unknown>');
  assert.equal(since('2026-11-22T09:55:00Z', now), '5m');
  assert.equal(since('2026-11-20T07:00:00Z', now), '2d3h');
});
