import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isConfigMapKey, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isQualifiedName, isValidPortName, isValidPortNum, validateLabelValue } from './validation.js';

test('qualified names (label and annotation keys)', () => {
  for (const ok of ['app', 'app.kubernetes.io/name', 'A_b-c.d', 'example.com/X', 'a'.repeat(63)]) assert.deepEqual(isQualifiedName(ok), [], ok);
  assert.deepEqual(isQualifiedName('a'.repeat(64)), ['name part must be no more than 63 characters']);
  assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']);
  assert.deepEqual(isQualifiedName('x/'), ['name part must be non-empty', "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]);
  assert.match(isQualifiedName('Example.com/x')[0], /^prefix part a lowercase RFC 1123 subdomain must consist of/);
  assert.match(isQualifiedName('a/b/c')[0], /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
});

test('label values', () => {
  for (const ok of ['', 'v1', 'my_value', 'a.b-c']) assert.deepEqual(validateLabelValue(ok), [], ok);
  assert.equal(validateLabelValue('-x').length, 1);
  assert.deepEqual(validateLabelValue('x'.repeat(64)), ['must be no more than 63 characters']);
});

test('DNS names', () => {
  assert.deepEqual(isDNS1123Label('my-name'), []);
  assert.deepEqual(isDNS1123Label('My-name'), ["a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]);
  assert.deepEqual(isDNS1123Subdomain('a.b.c'), []);
  assert.deepEqual(isDNS1123Subdomain('web_1'), ["a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]);
  assert.equal(isDNS1123Subdomain('a'.repeat(254))[0], 'must be no more than 253 characters');
  assert.deepEqual(isDNS1035Label('web'), []);
  assert.match(isDNS1035Label('1web')[0], /^a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character \(e\.g\. 'my-name',  or 'abc-123'/);
});

test('config keys, ports, env names', () => {
  assert.deepEqual(isConfigMapKey('app.properties'), []);
  assert.deepEqual(isConfigMapKey('..data').slice(-1), ["must not start with '..'"]);
  assert.deepEqual(isValidPortName('http'), []);
  assert.deepEqual(isValidPortName('123'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPortName('a--b'), ['must not contain consecutive hyphens']);
  assert.deepEqual(isValidPortName('x'.repeat(16)), ['must be no more than 15 characters']);
  assert.deepEqual(isValidPortNum(65535), []);
  assert.deepEqual(isValidPortNum(0), ['must be between 1 and 65535, inclusive']);
  assert.deepEqual(isEnvVarName('MY_VAR.1'), []);
  assert.equal(isEnvVarName('1VAR').length, 1);
});
