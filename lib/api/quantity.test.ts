import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity, formatQuantity, compareQuantities, addQuantities, canonicalQuantity, tryParseQuantity, quantityFromMilli, QUANTITY_FORMAT_ERROR } from './quantity.js';
import { isApiError } from '../errors.js';

test('parses decimal, binary and exponent quantities', () => {
  const cases: [string, number, number][] = [
    ['100m', 1, 100], ['1', 1, 1000], ['0.5', 1, 500], ['1.5', 2, 1500], ['2k', 2000, 2_000_000],
    ['1Ki', 1024, 1_024_000], ['1Gi', 1073741824, 1073741824000], ['128Mi', 134217728, 134217728000],
    ['1e3', 1000, 1_000_000], ['1E3', 1000, 1_000_000], ['5e-3', 1, 5], ['1M', 1_000_000, 1_000_000_000],
    ['250u', 1, 1], ['.5', 1, 500], ['-1', -1, -1000], ['+2', 2, 2000], ['0', 0, 0], ['1n', 1, 1],
  ];
  for (const [s, value, milli] of cases) {
    const q = parseQuantity(s);
    assert.equal(q.value, value, `${s} value`);
    assert.equal(q.milli, milli, `${s} milli`);
  }
});

test('formats canonically like Kubernetes', () => {
  const cases: [string, string][] = [
    ['1000m', '1'], ['0.5', '500m'], ['1024Mi', '1Gi'], ['1536Mi', '1536Mi'], ['1e3', '1e3'], ['1000', '1k'],
    ['1500', '1500'], ['1.5Gi', '1536Mi'], ['0.5Ki', '512'], ['100m', '100m'], ['0', '0'], ['2000k', '2M'],
    ['1025', '1025'], ['1.5e3', '1500'], ['0.1', '100m'], ['1n', '1n'], ['-100m', '-100m'], ['2048', '2048'],
  ];
  for (const [input, want] of cases) assert.equal(formatQuantity(parseQuantity(input)), want, input);
  assert.equal(canonicalQuantity('bogus'), 'bogus');
  assert.equal(formatQuantity(quantityFromMilli(250)), '250m');
});

test('compares and adds exactly', () => {
  assert.equal(compareQuantities(parseQuantity('1'), parseQuantity('1000m')), 0);
  assert.equal(compareQuantities(parseQuantity('1Gi'), parseQuantity('1G')), 1);
  assert.equal(compareQuantities(parseQuantity('100m'), parseQuantity('0.2')), -1);
  assert.equal(compareQuantities(parseQuantity('1e3'), parseQuantity('1k')), 0);
  assert.equal(formatQuantity(addQuantities(parseQuantity('500m'), parseQuantity('1.5'))), '2');
});

test('malformed quantities throw Kubernetes wording', () => {
  for (const s of ['', 'abc', '1.2.3', '1Gib', '1 Gi', 'Gi', '.', '1x', '--1', '1e']) {
    assert.throws(() => parseQuantity(s), (err: unknown) => {
      assert.ok(isApiError(err, 'BadRequest'), s);
      return true;
    }, s);
  }
  assert.throws(() => parseQuantity('abc'), { message: QUANTITY_FORMAT_ERROR });
  assert.equal(QUANTITY_FORMAT_ERROR, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  assert.equal(tryParseQuantity('nope'), undefined);
  assert.equal(tryParseQuantity(2)?.value, 2, 'JSON numbers are accepted as quantities');
});

test('hostile sizes are rejected quickly instead of exhausting BigInt', () => {
  const t0 = Date.now();
  assert.throws(() => parseQuantity('1e999999999'), /unable to parse numeric part of quantity/);
  assert.throws(() => parseQuantity('9'.repeat(100000)), /unable to parse numeric part of quantity/);
  assert.ok(Date.now() - t0 < 1000);
  assert.equal(parseQuantity('1e18').value, 1e18);
});
