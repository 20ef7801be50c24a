import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../lib/errors.js';
import { ANONYMOUS, AuthenticationChain, bearerToken, staticTokenAuthenticator } from './authn.js';
import { AuthorizationChain, forbiddenMessage } from './authz.js';

test('static token authenticates; unknown tokens are 401; no credentials are anonymous', async () => {
  const chain = new AuthenticationChain([staticTokenAuthenticator('s3cret')]);
  const admin = await chain.authenticate({ authorization: 'Bearer s3cret' });
  assert.equal(admin.username, 'admin');
  assert.ok(admin.groups.includes('system:masters'));
  await assert.rejects(chain.authenticate({ authorization: 'Bearer wrong' }), (e) => e instanceof ApiError && e.code === 'Unauthorized');
  await assert.rejects(chain.authenticate({ authorization: 'Basic abc' }), (e) => e instanceof ApiError && e.code === 'Unauthorized');
  assert.deepEqual(await chain.authenticate({}), ANONYMOUS);
  const closed = new AuthenticationChain([staticTokenAuthenticator('s3cret')], false);
  await assert.rejects(closed.authenticate({}), (e) => e instanceof ApiError && e.code === 'Unauthorized');
  assert.equal(bearerToken({ authorization: ['bearer abc'] }), 'abc');
  assert.throws(() => staticTokenAuthenticator(''));
});

test('authorization modes: AlwaysAllow, AlwaysDeny, system:masters always allowed', async () => {
  const user = { username: 'alice', groups: ['system:authenticated'] };
  const attrs = { user, verb: 'get', resourceRequest: true, group: '', resource: 'pods', namespace: 'default', name: 'web' };
  await AuthorizationChain.fromModes('AlwaysAllow').authorize(attrs);
  const deny = AuthorizationChain.fromModes('AlwaysDeny');
  await assert.rejects(deny.authorize(attrs), (e) => e instanceof ApiError && e.code === 'Forbidden'
    && e.message === 'pods "web" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "default": Everything is forbidden.');
  await deny.authorize({ ...attrs, user: { username: 'root', groups: ['system:masters'] } });
  assert.deepEqual(AuthorizationChain.fromModes('AlwaysDeny,AlwaysAllow').names(), ['PrivilegedGroups', 'AlwaysDeny', 'AlwaysAllow']);
  assert.throws(() => AuthorizationChain.fromModes('RBAC'), /unknown --authorization-mode RBAC/);
  assert.equal(forbiddenMessage({ user, verb: 'list', resourceRequest: true, group: 'apps', resource: 'deployments', subresource: 'scale' }),
    'deployments is forbidden: User "alice" cannot list resource "deployments/scale" in API group "apps" at the cluster scope');
});
