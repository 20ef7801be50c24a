import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { parseOffset, skewEnv } from './clock-skew.js';

/** What a Node.js process started with `env` sees as its clocks. */
function clocksIn(env: Record<string, string> | undefined): { now: number; newDate: number; str: string; zero: number; isDate: boolean; monotonicOk: boolean } {
  const script = `const t0 = performance.now(); console.log(JSON.stringify({ now: Date.now(), newDate: new Date().getTime(), str: Date(), zero: new Date(0).getTime(), isDate: new Date() instanceof Date, monotonicOk: performance.now() - t0 < 5000 }))`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' }));
}

test('parseOffset takes signed durations', () => {
  assert.equal(parseOffset('90s'), 90_000);
  assert.equal(parseOffset('-5m'), -300_000);
  assert.equal(parseOffset('+250ms'), 250);
  assert.throws(() => parseOffset('soon'), /invalid duration/);
});

test('a process started with the skew environment sees its wall clock off, monotonic time untouched', () => {
  const before = Date.now();
  const ahead = clocksIn(skewEnv(3_600_000));
  const after = Date.now();
  for (const t of [ahead.now, ahead.newDate]) assert.ok(t >= before + 3_600_000 && t <= after + 3_600_000 + 1000, `one hour ahead: ${t - before}`);
  assert.ok(Math.abs(Date.parse(ahead.str) - ahead.now) < 2000, 'Date() called as a function tells the skewed time too');
  assert.equal(ahead.zero, 0, 'explicit dates are untouched');
  assert.ok(ahead.isDate && ahead.monotonicOk);
  const behind = clocksIn(skewEnv(-120_000));
  assert.ok(behind.now <= Date.now() - 119_000, 'two minutes behind');
  assert.equal(skewEnv(0), undefined, 'offset 0: no preload at all');
  const plain = clocksIn(undefined);
  assert.ok(Math.abs(plain.now - Date.now()) < 5000);
});
