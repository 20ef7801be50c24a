import { test } from 'node:test';
import assert from 'node:assert/strict';
import { abacDecide, parseAbacPolicies } from './abac.js';

const file = [
  '# alice reads everything, bob works in projectCaribou, everyone may discover',
  '{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"alice","namespace":"*","resource":"*","apiGroup":"*","readonly":true}}',
  '{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"bob","namespace":"projectCaribou","resource":"pods","apiGroup":""}}',
  '{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"group":"system:authenticated","readonly":true,"nonResourcePath":"/api*"}}',
  '',
].join('\n');

test('ABAC policies: user, readonly, namespace/resource/apiGroup, nonResourcePath with prefix', () => {
  const p = parseAbacPolicies(file);
  const alice = { username: 'alice', groups: ['system:authenticated'] };
  const bob = { username: 'bob', groups: ['system:authenticated'] };
  const ask = (user: typeof alice, verb: string, resource: string, namespace?: string, group = '') =>
    abacDecide(p, { user, verb, resourceRequest: true, group, resource, namespace }).decision;
  assert.equal(ask(alice, 'list', 'deployments', 'x', 'apps'), 'allow');
  assert.equal(ask(alice, 'delete', 'pods', 'x'), 'no-opinion');
  assert.equal(ask(bob, 'delete', 'pods', 'projectCaribou'), 'allow');
  assert.equal(ask(bob, 'get', 'pods', 'default'), 'no-opinion');
  assert.equal(ask(bob, 'get', 'deployments', 'projectCaribou', 'apps'), 'no-opinion');
  assert.equal(abacDecide(p, { user: bob, verb: 'get', resourceRequest: false, path: '/apis/apps' }).decision, 'allow');
  assert.equal(abacDecide(p, { user: bob, verb: 'get', resourceRequest: false, path: '/metrics' }).decision, 'no-opinion');
  assert.throws(() => parseAbacPolicies('{"kind":"Policy","spec":{"resource":"*"}}'), /line 1: a policy needs user or group/);
  assert.throws(() => parseAbacPolicies('\n{oops'), /line 2/);
});
