import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeDecide } from './node-authz.js';
import { nodeRestrictionPlugin } from '../admission/node-restriction.js';
import { ApiError } from '../../lib/errors.js';

const kubelet = { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const ask = (verb: string, resource: string, extra: Record<string, string> = {}) =>
  nodeDecide({ user: kubelet, verb, resourceRequest: true, group: '', resource, ...extra }).decision;

test('Node mode: own node/lease writes, reads for pods, single secret gets, nothing for other users', () => {
  assert.equal(ask('update', 'nodes', { subresource: 'status', name: 'n1' }), 'allow');
  assert.equal(ask('update', 'nodes', { subresource: 'status', name: 'n2' }), 'no-opinion');
  assert.equal(ask('update', 'leases', { group: 'coordination.k8s.io', namespace: 'kube-node-lease', name: 'n1' }), 'allow');
  assert.equal(ask('update', 'leases', { group: 'coordination.k8s.io', namespace: 'kube-node-lease', name: 'n2' }), 'no-opinion');
  assert.equal(ask('watch', 'pods'), 'allow');
  assert.equal(ask('delete', 'pods', { name: 'x', namespace: 'd' }), 'no-opinion');
  assert.equal(ask('get', 'secrets', { name: 's', namespace: 'd' }), 'allow');
  assert.equal(ask('list', 'secrets', { namespace: 'd' }), 'no-opinion');
  assert.equal(ask('create', 'serviceaccounts', { subresource: 'token', name: 'default', namespace: 'd' }), 'allow');
  assert.equal(nodeDecide({ user: { username: 'jane', groups: [] }, verb: 'get', resourceRequest: true, resource: 'nodes' }).decision, 'no-opinion');
});

test('NodeRestriction: a kubelet may not touch other nodes or pods bound elsewhere', () => {
  const plugin = nodeRestrictionPlugin();
  const base = { ctx: { user: kubelet }, def: {} as never, ref: { group: '', version: 'v1', resource: 'pods' }, namespace: 'd', name: 'p', subresource: 'status' };
  plugin.admit({ ...base, operation: 'UPDATE', oldObject: { metadata: {}, spec: { nodeName: 'n1' } } });
  assert.throws(() => plugin.admit({ ...base, operation: 'UPDATE', oldObject: { metadata: {}, spec: { nodeName: 'n2' } } }), (e) => e instanceof ApiError && e.code === 'Forbidden');
  assert.throws(() => plugin.admit({ ...base, ref: { group: '', version: 'v1', resource: 'nodes' }, namespace: undefined as never, name: 'n2', operation: 'UPDATE' }), /not allowed to modify node "n2"/);
  plugin.admit({ ...base, ctx: { user: { username: 'admin', groups: ['system:masters'] } }, operation: 'UPDATE', oldObject: { metadata: {}, spec: { nodeName: 'n2' } } });
});
