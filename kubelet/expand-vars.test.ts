import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envLookup, expandVars } from './expand-vars.js';

test('expandVars follows Kubernetes $(VAR) rules', () => {
  const look = envLookup([{ name: 'A', value: 'x' }, { name: 'B', value: '$(A)y' }]);
  assert.equal(expandVars('echo $(A)-$(A)', look), 'echo x-x');
  assert.equal(expandVars('$(MISSING) stays', look), '$(MISSING) stays');
  assert.equal(expandVars('$$(A) escaped, $$ alone', look), '$(A) escaped, $ alone');
  assert.equal(expandVars('$(B)', look), '$(A)y'); // no recursive expansion
  assert.equal(expandVars('unterminated $(A', look), 'unterminated $(A');
  assert.equal(expandVars('plain $HOME and trailing $', look), 'plain $HOME and trailing $');
});
