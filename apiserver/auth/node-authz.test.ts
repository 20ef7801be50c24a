import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeDecide } from './node-authz.js';
import { podRefs, type NodeRelations } from './node-graph.js';
import { nodeRestrictionPlugin } from '../admission/node-restriction.js';
import { ApiError } from '../../lib/errors.js';

const kubelet = { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const web = podRefs({
  metadata: { name: 'web', namespace: 'd' },
  spec: {
    nodeName: 'n1', serviceAccountName: 'runner', imagePullSecrets: [{ name: 'pull' }],
    volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }, { name: 'tls', secret: { secretName: 'tls' } }, { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      { name: 'p', projected: { sources: [{ secret: { name: 'proj-s' } }, { configMap: { name: 'kube-root-ca.crt' } }] } }, { name: 'scratch', ephemeral: {} }],
    containers: [{ env: [{ valueFrom: { secretKeyRef: { name: 'env-s' } } }], envFrom: [{ configMapRef: { name: 'env-cm' } }] }],
  },
});
const elsewhere = podRefs({ metadata: { name: 'db', namespace: 'd' }, spec: { nodeName: 'n2', volumes: [{ name: 'x', secret: { secretName: 'db-pass' } }] } });
const graph: NodeRelations = {
  podsOn: (node) => [web, elsewhere].filter((p) => p.node === node),
  volumeOf: (ns, claim) => (ns === 'd' && claim === 'data' ? 'pv-data' : undefined),
};
const ask = (verb: string, resource: string, extra: Record<string, string> = {}) =>
  nodeDecide({ user: kubelet, verb, resourceRequest: true, group: '', resource, ...extra }, graph);

test('podRefs collects every Secret, ConfigMap and claim a pod references', () => {
  assert.deepEqual(web.secrets.sort(), ['env-s', 'proj-s', 'pull', 'tls']);
  assert.deepEqual(web.configMaps.sort(), ['cfg', 'env-cm', 'kube-root-ca.crt']);
  assert.deepEqual(web.claims.sort(), ['data', 'web-scratch']);
  assert.equal(elsewhere.serviceAccount, 'default');
});

test('Node mode: own node/lease writes, pod reads, and only objects its pods reference', () => {
  const cases: [string, string, Record<string, string>, string][] = [
    ['update', 'nodes', { subresource: 'status', name: 'n1' }, 'allow'],
    ['update', 'nodes', { subresource: 'status', name: 'n2' }, 'no-opinion'],
    ['update', 'leases', { group: 'coordination.k8s.io', namespace: 'kube-node-lease', name: 'n1' }, 'allow'],
    ['update', 'leases', { group: 'coordination.k8s.io', namespace: 'kube-node-lease', name: 'n2' }, 'no-opinion'],
    ['watch', 'pods', {}, 'allow'],
    ['delete', 'pods', { name: 'x', namespace: 'd' }, 'no-opinion'],
    ['get', 'secrets', { name: 'tls', namespace: 'd' }, 'allow'],
    ['watch', 'secrets', { name: 'env-s', namespace: 'd' }, 'allow'],
    ['get', 'secrets', { name: 'pull', namespace: 'd' }, 'allow'],
    ['get', 'secrets', { name: 'db-pass', namespace: 'd' }, 'no-opinion'],
    ['get', 'secrets', { name: 'tls', namespace: 'other' }, 'no-opinion'],
    ['list', 'secrets', { namespace: 'd' }, 'no-opinion'],
    ['update', 'secrets', { name: 'tls', namespace: 'd' }, 'no-opinion'],
    ['get', 'configmaps', { name: 'kube-root-ca.crt', namespace: 'd' }, 'allow'],
    ['get', 'configmaps', { name: 'unrelated', namespace: 'd' }, 'no-opinion'],
    ['get', 'persistentvolumeclaims', { name: 'web-scratch', namespace: 'd' }, 'allow'],
    ['get', 'persistentvolumes', { name: 'pv-data' }, 'allow'],
    ['get', 'persistentvolumes', { name: 'pv-other' }, 'no-opinion'],
    ['create', 'serviceaccounts', { subresource: 'token', name: 'runner', namespace: 'd' }, 'allow'],
    ['create', 'serviceaccounts', { subresource: 'token', name: 'default', namespace: 'd' }, 'no-opinion'],
  ];
  for (const [verb, resource, extra, want] of cases) assert.equal(ask(verb, resource, extra).decision, want, `${verb} ${resource} ${JSON.stringify(extra)}`);
  assert.equal(ask('get', 'secrets', { name: 'db-pass', namespace: 'd' }).reason, "no relationship found between node 'n1' and this object");
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
