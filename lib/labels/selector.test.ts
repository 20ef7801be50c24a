import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSelector, selectorFromLabelSelector, selectorFromSet, formatLabels, everything, nothing } from './selector.js';
import { isApiError } from '../errors.js';

const L = { app: 'web', tier: 'front', env: 'prod', n: '7' };

test('equality, inequality and double equals', () => {
  assert.equal(parseSelector('app=web').matches(L), true);
  assert.equal(parseSelector('app==web').matches(L), true);
  assert.equal(parseSelector('app=db').matches(L), false);
  assert.equal(parseSelector('app!=db').matches(L), true);
  assert.equal(parseSelector('app!=web').matches(L), false);
  assert.equal(parseSelector('missing!=x').matches(L), true, '!= matches objects without the key');
  assert.equal(parseSelector('missing=x').matches(L), false);
});

test('set-based in / notin / exists / does not exist', () => {
  assert.equal(parseSelector('env in (prod,staging)').matches(L), true);
  assert.equal(parseSelector('env in (dev, staging)').matches(L), false);
  assert.equal(parseSelector('env notin (dev)').matches(L), true);
  assert.equal(parseSelector('env notin (prod)').matches(L), false);
  assert.equal(parseSelector('missing notin (prod)').matches(L), true);
  assert.equal(parseSelector('tier').matches(L), true);
  assert.equal(parseSelector('!tier').matches(L), false);
  assert.equal(parseSelector('!missing').matches(L), true);
  assert.equal(parseSelector('missing').matches(L), false);
});

test('comma is AND, whitespace tolerant', () => {
  assert.equal(parseSelector(' app = web , tier in ( front ) , !missing ').matches(L), true);
  assert.equal(parseSelector('app=web,tier=back').matches(L), false);
  assert.equal(parseSelector('app=web,tier').matches(L), true);
});

test('gt and lt compare integers', () => {
  assert.equal(parseSelector('n>5').matches(L), true);
  assert.equal(parseSelector('n<5').matches(L), false);
  assert.equal(parseSelector('app>5').matches(L), false, 'non-integer label never matches');
});

test('empty selector matches everything; nothing matches nothing', () => {
  assert.equal(parseSelector('').empty(), true);
  assert.equal(parseSelector('').matches(L), true);
  assert.equal(parseSelector('   ').matches(undefined), true);
  assert.equal(everything().matches({}), true);
  assert.equal(nothing().matches(L), false);
  assert.equal(nothing().empty(), false);
});

test('toString is canonical and sorted by key', () => {
  assert.equal(parseSelector('b=2, a in (y,x), !c, d').toString(), 'a in (x,y),b=2,!c,d');
  assert.equal(parseSelector('x!=1').toString(), 'x!=1');
  assert.equal(parseSelector('x==1').toString(), 'x==1');
  assert.equal(parseSelector('x=').toString(), 'x=');
  assert.equal(parseSelector('n>5').toString(), 'n>5');
  assert.equal(parseSelector('').toString(), '');
});

test('empty values are allowed', () => {
  assert.equal(parseSelector('a=').matches({ a: '' }), true);
  assert.equal(parseSelector('a=').matches({ a: 'x' }), false);
  assert.deepEqual(parseSelector('a in (x,)').requirements[0].values, ['', 'x']);
  assert.deepEqual(parseSelector('a in (,x)').requirements[0].values, ['', 'x']);
});

test('in and notin may be keys or values', () => {
  assert.equal(parseSelector('in=notin').matches({ in: 'notin' }), true);
  assert.equal(parseSelector('a in (in,notin)').matches({ a: 'in' }), true);
});

test('prefixed keys', () => {
  assert.equal(parseSelector('app.kubernetes.io/name=web').matches({ 'app.kubernetes.io/name': 'web' }), true);
});

function badRequest(s: string, re: RegExp): void {
  assert.throws(() => parseSelector(s), (err: unknown) => {
    assert.ok(isApiError(err, 'BadRequest'), `expected BadRequest for ${s}`);
    assert.match((err as Error).message, re);
    return true;
  });
}

test('invalid selectors give Kubernetes-style BadRequest errors', () => {
  badRequest('a in (', /^unable to parse requirement: found '', expected: ',' or '\)'|^unable to parse requirement: found '', expected: ',', '\)' or identifiers/);
  badRequest('a in x', /^unable to parse requirement: found 'x' expected: '\('/);
  badRequest('a in ()', /values set can't be empty/);
  badRequest('a=b c', /found 'c', expected: ',' or 'end of string'/);
  badRequest('a=b,', /found '', expected: identifier after ','/);
  badRequest(',a', /found ',', expected: !, identifier, or 'end of string'/);
  badRequest('a/b/c=d', /^unable to parse requirement: key: Invalid value: "a\/b\/c": a qualified name must consist/);
  badRequest('-a=b', /name part must consist of alphanumeric characters/);
  badRequest('a=-b', /^unable to parse requirement: values\[0\]: Invalid value: "-b": a valid label must be an empty string/);
  badRequest('a=b=c', /found '=', expected: ',' or 'end of string'/);
  badRequest('a>x', /the value must be an integer/);
  badRequest('!a=b', /found '=', expected: ',' or 'end of string'/);
  badRequest('a (', /invalid operator '\(' , expected: in, notin, =, ==, !=, gt, lt/);
  badRequest(`a=${'x'.repeat(64)}`, /must be no more than 63 characters/);
});

test('selectorFromLabelSelector: null matches nothing, {} everything', () => {
  assert.equal(selectorFromLabelSelector(null).matches(L), false);
  assert.equal(selectorFromLabelSelector(undefined).matches({}), false);
  assert.equal(selectorFromLabelSelector({}).matches(L), true);
  assert.equal(selectorFromLabelSelector({}).empty(), true);
});

test('selectorFromLabelSelector combines matchLabels and matchExpressions', () => {
  const s = selectorFromLabelSelector({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['prod', 'qa'] },
      { key: 'tier', operator: 'Exists' },
      { key: 'gone', operator: 'DoesNotExist' },
      { key: 'n', operator: 'NotIn', values: ['1'] },
    ],
  });
  assert.equal(s.matches(L), true);
  assert.equal(s.matches({ ...L, gone: 'x' }), false);
  assert.equal(s.toString(), 'app=web,env in (prod,qa),!gone,n notin (1),tier');
  assert.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }), /"Equals" is not a valid label selector operator/);
  assert.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), /values set can't be empty/);
  assert.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }), /values set must be empty/);
});

test('selectorFromSet and formatLabels', () => {
  const s = selectorFromSet({ b: '2', a: '1' });
  assert.equal(s.toString(), 'a=1,b=2');
  assert.equal(s.matches({ a: '1', b: '2', c: '3' }), true);
  assert.equal(s.matches({ a: '1' }), false);
  assert.equal(selectorFromSet({}).matches({}), true);
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
});
