import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authenticateBootstrapToken, bootstrapTokenOf } from './bootstrap-token.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (data: Record<string, string>, name = 'bootstrap-token-abcdef', type = 'bootstrap.kubernetes.io/token') => ({
  apiVersion: 'v1', kind: 'Secret', type, metadata: { name, namespace: 'kube-system' },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});
const base = { 'token-id': 'abcdef', 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true' };
const auth = (token: string, data: Record<string, string> = base, now = Date.parse('2026-11-22T12:00:00Z')) =>
  authenticateBootstrapToken(token, (id) => (id === 'abcdef' ? bootstrapTokenOf(secret(data)) : undefined), now);

test('bootstrap tokens: <id>.<secret> authenticates as system:bootstrap:<id> with its extra bootstrapper groups', () => {
  assert.deepEqual(auth('abcdef.0123456789abcdef', { ...base, 'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token,system:masters' }), {
    username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated'],
  });
  assert.equal(auth('abcdef.0123456789abcdef', { ...base, expiration: '2026-11-23T00:00:00Z' })?.username, 'system:bootstrap:abcdef');
});

test('bootstrap tokens refused: wrong secret, expired, not for authentication, unknown id, malformed, wrong type or name', () => {
  assert.equal(auth('abcdef.0123456789abcdee'), undefined);
  assert.equal(auth('abcdef.0123456789abcdef', { ...base, expiration: '2026-11-22T11:59:59Z' }), undefined);
  assert.equal(auth('abcdef.0123456789abcdef', { ...base, 'usage-bootstrap-authentication': 'false' }), undefined);
  assert.equal(auth('zzzzzz.0123456789abcdef'), undefined);
  for (const bad of ['abcdef', 'abcdef.short', 'ABCDEF.0123456789abcdef', 'abcdef.0123456789abcdef.x']) assert.equal(auth(bad), undefined, bad);
  assert.equal(bootstrapTokenOf(secret(base, 'bootstrap-token-abcdef', 'Opaque')), null);
  assert.equal(bootstrapTokenOf(secret(base, 'bootstrap-token-other')), null);
});
