import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { modeAuthorizer, parseTokenFile, tokenAuthenticator } from './auth.js';

test('token file lines map bearer tokens to users and groups', () => {
  const tokens = parseTokenFile('# comment\nabc,alice,1,"dev,ops"\n\nxyz,bob,2\n');
  assert.deepEqual(tokens.get('abc'), { username: 'alice', uid: '1', groups: ['dev', 'ops', 'system:authenticated'] });
  const auth = tokenAuthenticator(tokens);
  const req = (h?: string) => ({ headers: h ? { authorization: h } : {} }) as IncomingMessage;
  assert.equal(auth(req('Bearer xyz')).username, 'bob');
  assert.throws(() => auth(req('Bearer nope')), { code: 'Unauthorized' });
  assert.throws(() => auth(req()), { code: 'Unauthorized' });
  assert.throws(() => parseTokenFile('onlytoken\n'), /line 1/);
});

test('AlwaysDeny forbids resource requests with Kubernetes wording; AlwaysAllow has no authorizer', () => {
  assert.equal(modeAuthorizer('AlwaysAllow'), undefined);
  assert.throws(() => modeAuthorizer('RBAC'), /unsupported/);
  const deny = modeAuthorizer('AlwaysDeny')!;
  const user = { username: 'alice', groups: [] };
  deny(user, { kind: 'health', check: 'healthz' });
  assert.throws(() => deny(user, { kind: 'resource', group: '', version: 'v1', resource: 'pods', namespace: 'default', verb: 'list' }),
    { code: 'Forbidden', message: 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"' });
});

test('SelfSubjectAccessReview answers from the authorizer', async () => {
  const { reviewAccess } = await import('./access-review.js');
  const user = { username: 'alice', groups: [] };
  const body = { spec: { resourceAttributes: { verb: 'create', resource: 'pods', namespace: 'default' } } };
  assert.deepEqual(reviewAccess(body, user).status, { allowed: true });
  const denied = reviewAccess(body, user, modeAuthorizer('AlwaysDeny'));
  assert.equal((denied.status as { allowed: boolean }).allowed, false);
  assert.match((denied.status as { reason: string }).reason, /cannot create resource "pods"/);
  assert.throws(() => reviewAccess({ spec: {} }, user), { code: 'Invalid' });
});
