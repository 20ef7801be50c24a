import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { ServiceAccountTokens } from './sa-token.js';

const pem = (type: 'rsa' | 'ec') => (type === 'rsa'
  ? generateKeyPairSync('rsa', { modulusLength: 2048 })
  : generateKeyPairSync('ec', { namedCurve: 'prime256v1' })).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const spec = { namespace: 'team-a', serviceAccount: 'reader', serviceAccountUID: 'u-1', audiences: [], expirationSeconds: 3600 };

for (const kind of ['rsa', 'ec'] as const) {
  test(`${kind}: a fresh token authenticates as system:serviceaccount:<ns>:<name>`, () => {
    const sa = new ServiceAccountTokens('https://kubernetes.default.svc', pem(kind));
    const { token, expirationTimestamp } = sa.issue({ ...spec, pod: { name: 'web-0', uid: 'p-1' } });
    assert.equal(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).alg, kind === 'rsa' ? 'RS256' : 'ES256');
    assert.ok(Date.parse(expirationTimestamp) > Date.now());
    const user = sa.authenticate(token);
    assert.equal(user?.username, 'system:serviceaccount:team-a:reader');
    assert.deepEqual(user?.groups, ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated']);
    assert.deepEqual(user?.extra?.['authentication.kubernetes.io/pod-name'], ['web-0']);
    assert.deepEqual(user?.extra?.['authentication.kubernetes.io/pod-uid'], ['p-1']);
    assert.match(user?.extra?.['authentication.kubernetes.io/credential-id']?.[0] ?? '', /^JTI=[0-9a-f-]{36}$/);
  });
}

test('rejected: expired, other audience, other issuer, other key, tampered payload, alg none, garbage', () => {
  const key = pem('rsa');
  const sa = new ServiceAccountTokens('https://kubernetes.default.svc', key);
  const now = Date.now();
  const old = sa.issue({ ...spec, now: now - 7200_000 }).token;
  assert.equal(sa.authenticate(old, now), undefined);
  assert.ok(sa.authenticate(old, now - 7000_000), 'valid while not expired');
  assert.equal(sa.authenticate(sa.issue({ ...spec, audiences: ['vault'] }).token), undefined);
  assert.equal(new ServiceAccountTokens('https://other', key).authenticate(sa.issue(spec).token), undefined);
  assert.equal(new ServiceAccountTokens('https://kubernetes.default.svc', pem('rsa')).authenticate(sa.issue(spec).token), undefined);
  const [h, p, s] = sa.issue(spec).token.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  claims.sub = 'system:serviceaccount:kube-system:admin';
  claims['kubernetes.io'].namespace = 'kube-system';
  assert.equal(sa.authenticate(`${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`), undefined);
  const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  assert.equal(sa.authenticate(`${none}.${p}.`), undefined);
  for (const junk of ['', 'a.b.c', 'x', `${h}.${p}`]) assert.equal(sa.authenticate(junk), undefined);
  assert.throws(() => sa.issue({ ...spec, expirationSeconds: 10 }), /at least 600/);
  const verifier = new ServiceAccountTokens('https://kubernetes.default.svc', undefined, [key]);
  assert.ok(verifier.authenticate(sa.issue(spec).token), 'a verifier with the key accepts');
  assert.throws(() => verifier.issue(spec), /cannot issue/);
});

test('bound tokens: refused once the bound pod (or its uid) or the ServiceAccount is gone', () => {
  const sa = new ServiceAccountTokens('https://kubernetes.default.svc', pem('ec'));
  const pods = new Map([['team-a/web-0', 'p-1']]);
  sa.boundObjectCheck = (k) => k.serviceaccount.uid === 'u-1' && (!k.pod || pods.get(`${k.namespace}/${k.pod.name}`) === k.pod.uid);
  const bound = sa.issue({ ...spec, pod: { name: 'web-0', uid: 'p-1' } }).token;
  assert.ok(sa.authenticate(bound));
  assert.ok(sa.authenticate(sa.issue(spec).token), 'an unbound token needs only its ServiceAccount');
  pods.set('team-a/web-0', 'p-2'); // deleted and recreated under the same name
  assert.equal(sa.authenticate(bound), undefined);
  pods.delete('team-a/web-0');
  assert.equal(sa.authenticate(bound), undefined);
  assert.equal(sa.authenticate(sa.issue({ ...spec, serviceAccountUID: 'u-old' }).token), undefined);
  sa.minExpirationSeconds = 10;
  assert.ok(sa.issue({ ...spec, expirationSeconds: 10 }).token, 'a test-only minimum allows short tokens');
});
