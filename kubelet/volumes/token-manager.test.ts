import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../lib/api/object.js';
import type { Pod } from '../../lib/api/types.js';
import { requiresRefresh, ServiceAccountTokenManager } from './token-manager.js';

const pod = { metadata: { name: 'web', namespace: 'team', uid: 'p-1' }, spec: { serviceAccountName: 'runner', containers: [] } } as unknown as Pod;

test('refresh is due after 80 % of the lifetime or 24 h', () => {
  const h = 3600_000;
  assert.equal(requiresRefresh(0, 10 * h, 7.9 * h), false);
  assert.equal(requiresRefresh(0, 10 * h, 8 * h), true);
  assert.equal(requiresRefresh(0, 365 * 24 * h, 24 * h + 1), true, 'a year-long token is still renewed daily');
});

test('tokens are requested bound to the pod, reused until due, and the old one kept while a refresh fails', async () => {
  let now = 0;
  let n = 0;
  let fail = false;
  const asked: KObject[] = [];
  const m = new ServiceAccountTokenManager(async (ns, sa, req) => {
    asked.push(req);
    if (fail) throw new Error('apiserver down');
    n++;
    return { status: { token: `${ns}/${sa}/t${n}`, expirationTimestamp: new Date(now + 100_000).toISOString() } } as KObject;
  }, () => now);
  assert.equal(await m.token(pod, { expirationSeconds: 100, path: 'token' }), 'team/runner/t1');
  assert.deepEqual((asked[0].spec as { boundObjectRef: unknown }).boundObjectRef, { apiVersion: 'v1', kind: 'Pod', name: 'web', uid: 'p-1' });
  now = 79_000;
  assert.equal(await m.token(pod, { expirationSeconds: 100 }), 'team/runner/t1', 'reused before 80 %');
  now = 80_000;
  fail = true;
  assert.equal(await m.token(pod, { expirationSeconds: 100 }), 'team/runner/t1', 'kept while still valid');
  fail = false;
  assert.equal(await m.token(pod, { expirationSeconds: 100 }), 'team/runner/t2', 'rotated');
  now = 1_000_000;
  fail = true;
  await assert.rejects(m.token(pod, { expirationSeconds: 100 }), /apiserver down/, 'an expired token is not served');
});
