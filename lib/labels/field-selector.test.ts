import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFieldSelector, fieldSelectorFromSet, escapeValue } from './field-selector.js';
import { isApiError } from '../errors.js';

const F = { 'metadata.name': 'web-0', 'status.phase': 'Running', 'spec.nodeName': 'node-1' };

test('equality terms', () => {
  assert.equal(parseFieldSelector('status.phase=Running').matches(F), true);
  assert.equal(parseFieldSelector('status.phase==Running').matches(F), true);
  assert.equal(parseFieldSelector('status.phase=Pending').matches(F), false);
  assert.equal(parseFieldSelector('status.phase!=Pending').matches(F), true);
  assert.equal(parseFieldSelector('status.phase!=Running').matches(F), false);
});

test('comma is AND; empty selector matches everything', () => {
  assert.equal(parseFieldSelector('status.phase=Running,spec.nodeName=node-1').matches(F), true);
  assert.equal(parseFieldSelector('status.phase=Running,spec.nodeName=node-2').matches(F), false);
  assert.equal(parseFieldSelector('').matches(F), true);
  assert.equal(parseFieldSelector('').empty(), true);
});

test('a missing field counts as empty (spec.nodeName= finds unscheduled pods)', () => {
  assert.equal(parseFieldSelector('spec.nodeName=').matches({}), true);
  assert.equal(parseFieldSelector('spec.nodeName=').matches(F), false);
  assert.equal(parseFieldSelector('spec.nodeName!=').matches(F), true);
});

test('requiresExactMatch returns only equality values', () => {
  const s = parseFieldSelector('metadata.name=web-0,status.phase!=Failed');
  assert.equal(s.requiresExactMatch('metadata.name'), 'web-0');
  assert.equal(s.requiresExactMatch('status.phase'), undefined);
  assert.equal(s.requiresExactMatch('spec.nodeName'), undefined);
  assert.deepEqual(s.fields(), ['metadata.name', 'status.phase']);
});

test('escaped values round-trip', () => {
  const s = parseFieldSelector('metadata.name=a\\,b\\=c');
  assert.equal(s.requiresExactMatch('metadata.name'), 'a,b=c');
  assert.equal(escapeValue('a,b=c!\\'), 'a\\,b\\=c\\!\\\\');
  assert.equal(s.toString(), 'metadata.name=a\\,b\\=c');
});

test('invalid selectors give BadRequest', () => {
  assert.throws(() => parseFieldSelector('status.phase'), (err: unknown) => {
    assert.ok(isApiError(err, 'BadRequest'));
    assert.equal((err as Error).message, "invalid selector: 'status.phase'; can't understand 'status.phase'");
    return true;
  });
  assert.throws(() => parseFieldSelector('a=b=c'), /unescaped character '='/);
  assert.throws(() => parseFieldSelector('a=b\\x'), /invalid escape sequence/);
});

test('fieldSelectorFromSet', () => {
  const s = fieldSelectorFromSet({ 'spec.nodeName': 'node-1' });
  assert.equal(s.matches(F), true);
  assert.equal(s.toString(), 'spec.nodeName=node-1');
});
