import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestUrl } from './handler.js';

test('requestUrl gives what new URL gives, for plain and unusual request targets alike', () => {
  const targets = [
    '/api/v1/namespaces/b/pods', '/api/v1/pods?watch=1&resourceVersion=12&labelSelector=app%3Dx,tier+in+(a,b)',
    '/apis/apps/v1/namespaces/default/deployments/web/scale', '/api/v1/namespaces/default/pods/p:8080/proxy/',
    '/', '/healthz?verbose', '/api/v1/namespaces/a%2Fb/pods', '/api/v1/../v1/pods', '/api/./v1', '/api/v1/pods#frag',
    '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1&limit=500&continue=eyJ2Ijo', '/api/v1/pods?x=a/../b', '/a b', '/ä',
  ];
  for (const t of targets) {
    const ours = requestUrl(t);
    const ref = new URL(t, 'http://localhost');
    assert.equal(ours.pathname, ref.pathname, t);
    assert.deepEqual([...ours.searchParams], [...ref.searchParams], t);
  }
});
