import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { KObject } from '../../lib/api/object.js';
import { ApiError } from '../../lib/errors.js';
import { ServiceAccountTokens } from './sa-token.js';
import { tokenRequestIssuer, type BoundPod } from './token-request.js';

const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const sa: KObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'team', uid: 'sa-1' } };
const pods = new Map<string, BoundPod>([['team/web', { uid: 'p-1', nodeName: 'n1', serviceAccountName: 'default' }], ['team/db', { uid: 'p-2', nodeName: 'n1', serviceAccountName: 'db' }]]);
const lookup = () => (ns: string, name: string) => pods.get(`${ns}/${name}`);
const request = (spec: Record<string, unknown>): KObject => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec } as KObject);
const claims = (t: KObject) => JSON.parse(Buffer.from(String((t.status as { token: string }).token).split('.')[1], 'base64url').toString());
const podRef = (name: string, uid?: string) => ({ boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name, uid } });
const isCode = (code: string, msg: RegExp) => (e: unknown) => e instanceof ApiError && e.code === code && msg.test(e.message);

test('TokenRequest: projected 3607 s pod tokens live a year with warnafter; the answer says 3607 s', () => {
  const tokens = new ServiceAccountTokens('https://kubernetes.default.svc', key);
  const issue = tokenRequestIssuer(tokens, lookup);
  const before = Date.now();
  const t = issue(sa, request({ expirationSeconds: 3607, ...podRef('web') }));
  const c = claims(t);
  assert.equal(c.exp - c.iat, 365 * 24 * 3600);
  assert.equal(c['kubernetes.io'].warnafter - c.iat, 3607);
  assert.deepEqual([c['kubernetes.io'].pod, c['kubernetes.io'].node], [{ name: 'web', uid: 'p-1' }, { name: 'n1' }]);
  const exp = Date.parse((t.status as { expirationTimestamp: string }).expirationTimestamp);
  assert.ok(exp >= before + 3606_000 && exp <= Date.now() + 3608_000, 'status reports the asked lifetime');
  assert.equal(claims(issue(sa, request({ expirationSeconds: 3600, ...podRef('web') }))).exp - c.iat <= 3601, true, 'other lifetimes are not extended');
  assert.equal(claims(issue(sa, request({ expirationSeconds: 3607, audiences: ['vault'], ...podRef('web') })))['kubernetes.io'].warnafter, undefined, 'foreign audiences are not extended');
  tokens.extendExpiration = false;
  const plain = claims(issue(sa, request({ expirationSeconds: 3607, ...podRef('web') })));
  assert.equal(plain.exp - plain.iat, 3607);
});

test('TokenRequest: the bound pod must exist, match its uid and run as the account; lifetimes within limits', () => {
  const tokens = new ServiceAccountTokens('https://kubernetes.default.svc', key);
  const issue = tokenRequestIssuer(tokens, lookup);
  assert.throws(() => issue(sa, request(podRef('ghost'))), isCode('NotFound', /^pods "ghost" not found$/));
  assert.throws(() => issue(sa, request(podRef('web', 'p-old'))), isCode('Conflict', /the UID in the bound object reference \(p-old\) does not match/));
  assert.throws(() => issue(sa, request(podRef('db'))), isCode('BadRequest', /cannot bind token for serviceaccount "default" to pod running with different serviceaccount name/));
  assert.throws(() => issue(sa, request({ expirationSeconds: 60 })), isCode('Invalid', /may not specify a duration less than 10 minutes/));
  tokens.setLimits(600, 7200);
  assert.equal((issue(sa, request({ expirationSeconds: 86400 })).spec as { expirationSeconds: number }).expirationSeconds, 7200, 'capped by the maximum');
  assert.throws(() => tokens.setLimits(600, 60), /below the minimum/);
  const kubelet = (node: string) => ({ user: { username: `system:node:${node}`, groups: ['system:nodes'] } });
  assert.ok(issue(sa, request(podRef('web')), kubelet('n1')));
  assert.throws(() => issue(sa, request(podRef('web')), kubelet('n2')), isCode('Forbidden', /node requested token bound to a pod scheduled on a different node/));
});
