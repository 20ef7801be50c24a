import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageArgv, imageEnv } from './container-spec.js';

const img = { entrypoint: ['/docker-entrypoint.sh'], cmd: ['nginx', '-g', 'daemon off;'], env: ['PATH=/opt/bin:/usr/bin', 'NGINX_VERSION=1.25'] };

test('command replaces entrypoint and cmd; args replace cmd only', () => {
  assert.deepEqual(imageArgv(img, [], []), ['/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;']);
  assert.deepEqual(imageArgv(img, [], ['-v']), ['/docker-entrypoint.sh', '-v']);
  assert.deepEqual(imageArgv(img, ['sh', '-c'], ['echo hi']), ['sh', '-c', 'echo hi']);
  assert.deepEqual(imageArgv({ entrypoint: [], cmd: [] }, [], []), []);
});

test('env: defaults, image env, container env wins', () => {
  const env = imageEnv(img, [{ name: 'NGINX_VERSION', value: 'x' }, { name: 'A', value: 'b=c' }], 'web-0');
  assert.ok(env.includes('PATH=/opt/bin:/usr/bin'));
  assert.ok(env.includes('HOSTNAME=web-0'));
  assert.ok(env.includes('NGINX_VERSION=x'));
  assert.ok(env.includes('A=b=c'));
  assert.ok(imageEnv({ env: [] }, [], 'p').some((e) => e.startsWith('PATH=/usr/local/sbin')));
});

test('tty commands run under script with the size set and every argument quoted for sh', async () => {
  const { shellQuote, ttyCommand } = await import('./exec.js');
  assert.equal(shellQuote('plain-arg_1.txt'), 'plain-arg_1.txt');
  assert.equal(shellQuote("it's $HOME"), `'it'\\''s $HOME'`);
  assert.deepEqual(ttyCommand(['sh', '-c', 'echo a b']), ['script', '-q', '-e', '-c', "stty cols 80 rows 24 2>/dev/null; exec sh -c 'echo a b'", '/dev/null']);
});
