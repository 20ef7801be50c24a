import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chaos, parseChaos } from './chaos.js';

test('same seed, same decisions; rates roughly as asked', () => {
  const cfg = parseChaos({ seed: 42, peers: { '10.200.0.12': { loss: 0.3, duplicate: 0.1, jitterMs: 5, delayMs: 10 } } });
  const a = new Chaos(cfg), b = new Chaos(cfg);
  const rule = a.ruleFor('10.200.0.12')!;
  const ra = Array.from({ length: 2000 }, () => a.decide(rule));
  const rb = Array.from({ length: 2000 }, () => b.decide(rule));
  assert.deepEqual(ra, rb);
  const lost = ra.filter((d) => d.length === 0).length / ra.length;
  const dup = ra.filter((d) => d.length === 2).length / ra.length;
  assert.ok(lost > 0.25 && lost < 0.35, `loss ${lost}`);
  assert.ok(dup > 0.04 && dup < 0.1, `dup ${dup}`);
  assert.ok(ra.flat().every((d) => d >= 5 && d <= 15));
});

test('drop partitions one peer; * matches the rest; no rule = untouched', () => {
  const c = new Chaos(parseChaos({ peers: { '10.200.0.12': { drop: true }, '*': { delayMs: 1 } } }));
  assert.deepEqual(c.decide(c.ruleFor('10.200.0.12')!), []);
  assert.deepEqual(c.decide(c.ruleFor('10.200.0.13')!), [1]);
  assert.equal(new Chaos().ruleFor('10.200.0.12'), undefined);
});

test('bad chaos configs are Invalid with the field named', () => {
  for (const [v, re] of [
    [[], /must be an object/], [{ peers: { x: {} } }, /peer IP/], [{ peers: { '1.2.3.4': { loss: 2 } } }, /loss.*between 0 and 1/],
    [{ peers: { '1.2.3.4': { bogus: 1 } } }, /unknown field/], [{ seed: 1.5 }, /seed/],
  ] as [unknown, RegExp][]) {
    assert.throws(() => parseChaos(v), (e: Error & { code?: string }) => e.code === 'Invalid' && re.test(e.message));
  }
});
