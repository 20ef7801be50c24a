import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from './request-info.js';

const q = (s = '') => new URLSearchParams(s);

test('core and group resource paths parse into group/version/resource/namespace/name/subresource/verb', () => {
  assert.deepEqual(parseRequestInfo('GET', '/api/v1/namespaces/default/pods/web-0/status', q()),
    { kind: 'resource', group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'web-0', subresource: 'status', verb: 'get' });
  assert.deepEqual(parseRequestInfo('GET', '/apis/apps/v1/deployments', q()),
    { kind: 'resource', group: 'apps', version: 'v1', resource: 'deployments', namespace: undefined, name: undefined, subresource: undefined, verb: 'list' });
  assert.equal((parseRequestInfo('GET', '/apis/apps/v1/namespaces/a/deployments', q('watch=true')) as { verb: string }).verb, 'watch');
  assert.equal((parseRequestInfo('GET', '/api/v1/watch/namespaces/a/pods', q()) as { verb: string }).verb, 'watch');
  assert.equal((parseRequestInfo('GET', '/api/v1/pods', q('watch=0')) as { verb: string }).verb, 'list');
  assert.equal((parseRequestInfo('DELETE', '/api/v1/namespaces/a/pods', q()) as { verb: string }).verb, 'deletecollection');
  assert.equal((parseRequestInfo('DELETE', '/api/v1/namespaces/a/pods/x', q()) as { verb: string }).verb, 'delete');
  assert.equal((parseRequestInfo('POST', '/api/v1/namespaces/a/pods/x/binding', q()) as { verb: string }).verb, 'create');
});

test('a namespace path is the namespace object; status and finalize are its subresources', () => {
  assert.deepEqual(parseRequestInfo('GET', '/api/v1/namespaces/kube-system', q()),
    { kind: 'resource', group: '', version: 'v1', resource: 'namespaces', namespace: 'kube-system', name: 'kube-system', subresource: undefined, verb: 'get' });
  const fin = parseRequestInfo('PUT', '/api/v1/namespaces/x/finalize', q());
  assert.equal(fin.kind === 'resource' && fin.resource === 'namespaces' && fin.name === 'x' && fin.subresource === 'finalize', true);
  const list = parseRequestInfo('GET', '/api/v1/namespaces', q());
  assert.equal(list.kind === 'resource' && list.verb === 'list' && list.namespace === undefined, true);
});

test('discovery and non-resource paths are classified; junk is unknown', () => {
  assert.deepEqual(parseRequestInfo('GET', '/api', q()), { kind: 'api' });
  assert.deepEqual(parseRequestInfo('GET', '/apis', q()), { kind: 'apis' });
  assert.deepEqual(parseRequestInfo('GET', '/apis/apps', q()), { kind: 'group', group: 'apps' });
  assert.deepEqual(parseRequestInfo('GET', '/apis/apps/v1', q()), { kind: 'groupVersion', group: 'apps', version: 'v1' });
  assert.deepEqual(parseRequestInfo('GET', '/api/v1/', q()), { kind: 'groupVersion', group: '', version: 'v1' });
  assert.deepEqual(parseRequestInfo('GET', '/version', q()), { kind: 'version' });
  assert.deepEqual(parseRequestInfo('GET', '/readyz', q()), { kind: 'health', check: 'readyz' });
  assert.deepEqual(parseRequestInfo('GET', '/', q()), { kind: 'unknown' });
  assert.deepEqual(parseRequestInfo('GET', '/foo/bar', q()), { kind: 'unknown' });
  assert.deepEqual(parseRequestInfo('GET', '/api/v1/namespaces/a/pods/x/status/extra', q()), { kind: 'unknown' });
  assert.deepEqual(parseRequestInfo('GET', '/api/v1/pods/%E0%A4%A', q()), { kind: 'unknown' });
  assert.deepEqual(parseRequestInfo('OPTIONS', '/api/v1/pods', q()), { kind: 'unknown' });
});
