import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario, loadScenario, parseSets } from '../../cli/chaos/scenario.js';
import { parseDuration, parsePercent } from '../../cli/chaos/context.js';
import { HttpProbe } from '../../cli/chaos/load.js';
import { UserError } from '../../cli/commands/up.js';

const SCENARIOS = join(import.meta.dirname, '..', '..', '..', 'cli', 'scenarios');

test('parameters substitute everywhere, overrides win and become numbers', () => {
  const s = parseScenario('name: t\nparams: {n: 2, d: 5s}\nsteps:\n  - expect: {podsRunning: {selector: a=b, count: ${n}}}\n    within: ${d}\n', { n: '7' });
  assert.deepEqual(s.steps[0], { expect: { podsRunning: { selector: 'a=b', count: 7 } }, within: '5s' });
  assert.equal(s.params.d, '5s');
});

test('bad scenarios fail with a clear message before anything runs', () => {
  assert.throws(() => parseScenario('name: t\nsteps:\n  - explode: {}\n'), (e: Error) => e instanceof UserError && /steps\[0\]: expected exactly one of/.test(e.message));
  assert.throws(() => parseScenario('name: t\nsteps:\n  - expect: {sunny: {}}\n'), /expect takes exactly one of/);
  assert.throws(() => parseScenario('name: t\nsteps:\n  - wait: ${nope}\n'), /\$\{nope\} is not a declared parameter/);
  assert.throws(() => parseScenario('name: t\nparams: {a: 1}\nsteps:\n  - wait: 1s\n', { b: '2' }), /unknown parameter "b"/);
  assert.throws(() => parseScenario('name: t\nsteps: []\n'), /steps must not be empty/);
  assert.throws(() => parseScenario('[1, 2'), /invalid YAML/);
  assert.throws(() => parseSets(['x']), /use name=value/);
});

test('every shipped scenario parses', () => {
  const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml'));
  assert.equal(files.length, 3);
  for (const f of files) {
    const s = loadScenario(join(SCENARIOS, f));
    assert.ok(s.steps.some((x) => 'expect' in x), `${f} checks something`);
    assert.ok(s.finally.length > 0, `${f} cleans up`);
  }
});

test('durations and percentages', () => {
  assert.equal(parseDuration('100ms'), 100);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration(3), 3000);
  assert.throws(() => parseDuration('soon'), /invalid duration/);
  assert.equal(parsePercent('5%'), 0.05);
  assert.equal(parsePercent('0.25'), 0.25);
  assert.throws(() => parsePercent('150%'), /at most 100%/);
});

test('a probe measures the longest failure streak, an ongoing one up to now', () => {
  const p = new HttpProbe('x', 'http://127.0.0.1:1/', 100);
  p.note(true, 0); p.note(false, 100); p.note(false, 200); p.note(true, 1100);
  p.note(false, 2000); p.note(true, 2300);
  assert.equal(p.longestOutageMs(5000), 1000);
  p.note(false, 3000);
  assert.equal(p.longestOutageMs(5000), 2000);
  assert.equal(p.failed, 4);
  assert.equal(p.lastOk, false);
});
