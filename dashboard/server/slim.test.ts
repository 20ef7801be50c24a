import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slim, slimKey } from './slim.js';
import { parseManifests } from './actions.js';
import { targetOf } from './kinds.js';
import { isApiError } from '../../lib/errors.js';
import { sseMessage } from './sse.js';

test('pod view: node, phase, readiness, restarts summed, waiting reason, owner', () => {
  const v = slim('Pod', {
    metadata: { name: 'web-1', namespace: 'default', uid: 'u1', resourceVersion: '42', labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'r', controller: true }] },
    spec: { nodeName: 'n1', containers: [{ name: 'a' }, { name: 'b' }] },
    status: { phase: 'Running', podIP: '10.244.1.5', conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ restartCount: 2, state: { running: {} } }, { restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
  });
  assert.equal(v.key, 'Pod/default/web-1');
  assert.equal(v.rv, '42');
  assert.equal(v.node, 'n1');
  assert.equal(v.ready, false);
  assert.equal(v.restarts, 5);
  assert.equal(v.reason, 'CrashLoopBackOff');
  assert.deepEqual(v.owner, { kind: 'ReplicaSet', name: 'web-abc' });
  assert.deepEqual(v.containers, ['a', 'b']);
});

test('a pod being deleted reads Terminating; an unscheduled one has no node', () => {
  assert.equal(slim('Pod', { metadata: { name: 'x', namespace: 'd', deletionTimestamp: '2026-01-01T00:00:00Z' }, spec: { nodeName: 'n' }, status: { phase: 'Running' } }).reason, 'Terminating');
  const p = slim('Pod', { metadata: { name: 'y', namespace: 'd' }, spec: {} });
  assert.equal(p.node, '');
  assert.equal(p.phase, 'Pending');
});

test('node view: InternalIP, podCIDR, flannel backend, Ready condition, cordon, hollow', () => {
  const v = slim('Node', {
    metadata: { name: 'n1', labels: { 'kubesim.io/hollow': 'true' }, annotations: { 'flannel.alpha.coreos.com/backend-type': 'vxlan' } },
    spec: { podCIDR: '10.244.1.0/24', unschedulable: true },
    status: { addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '10.200.0.11' }], conditions: [{ type: 'Ready', status: 'Unknown' }] },
  });
  assert.deepEqual([v.key, v.ip, v.podCIDR, v.backend, v.ready, v.unschedulable, v.hollow], ['Node//n1', '10.200.0.11', '10.244.1.0/24', 'vxlan', 'Unknown', true, true]);
  assert.equal(slim('Node', { metadata: { name: 'n2' } }).ready, 'Unknown');
});

test('endpoints view lists ready and not-ready addresses with their pods', () => {
  const v = slim('Endpoints', { metadata: { name: 's', namespace: 'd' }, subsets: [{ addresses: [{ ip: '1.1.1.1', nodeName: 'n1', targetRef: { name: 'p1' } }], notReadyAddresses: [{ ip: '2.2.2.2', targetRef: { name: 'p2' } }] }] });
  assert.deepEqual(v.addresses, [{ ip: '1.1.1.1', pod: 'p1', node: 'n1', ready: true }, { ip: '2.2.2.2', pod: 'p2', node: undefined, ready: false }]);
});

test('workload views: deployment revision, replicaset hash, daemonset counts; undefined fields dropped', () => {
  const d = slim('Deployment', { metadata: { name: 'w', namespace: 'd', annotations: { 'deployment.kubernetes.io/revision': '3' } }, spec: { replicas: 4, template: { spec: { containers: [{ image: 'nginx' }] } } }, status: { readyReplicas: 2, updatedReplicas: 1 } });
  assert.deepEqual([d.replicas, d.ready, d.updated, d.revision, d.image], [4, 2, 1, '3', 'nginx']);
  assert.ok(!('succeeded' in d));
  const rs = slim('ReplicaSet', { metadata: { name: 'w-1', namespace: 'd', labels: { 'pod-template-hash': 'abc' } }, spec: { replicas: 1 } });
  assert.equal(rs.hash, 'abc');
  const ds = slim('DaemonSet', { metadata: { name: 'ds', namespace: 'd' }, status: { desiredNumberScheduled: 3, numberReady: 2 } });
  assert.deepEqual([ds.replicas, ds.ready], [3, 2]);
});

test('event view: involved object, source, count, last time from either API shape', () => {
  const e = slim('Event', { metadata: { name: 'e', namespace: 'd' }, type: 'Warning', reason: 'NodeNotReady', message: 'm', involvedObject: { kind: 'Node', name: 'n1' }, count: 2, lastTimestamp: 't', source: { component: 'node-controller' } });
  assert.deepEqual(e.involved, { kind: 'Node', ns: '', name: 'n1' });
  assert.deepEqual([e.type, e.reason, e.count, e.last, e.source], ['Warning', 'NodeNotReady', 2, 't', 'node-controller']);
  const e2 = slim('Event', { metadata: { name: 'e2', namespace: 'd', creationTimestamp: 'c' }, regarding: { kind: 'Pod', name: 'p' }, note: 'n', reportingController: 'x' });
  assert.deepEqual([e2.message, e2.last, e2.source, e2.type], ['n', 'c', 'x', 'Normal']);
  assert.equal(slimKey('Node', undefined, 'a'), 'Node//a');
});

test('manifests: several documents, empty ones skipped; YAML and shape errors are BadRequest', () => {
  assert.equal(parseManifests('a: 1\n---\n---\nb: 2\n').length, 2);
  for (const bad of ['', 'a: [1', '- 1\n- 2\n', '---\n']) {
    assert.throws(() => parseManifests(bad), (e) => isApiError(e, 'BadRequest'), JSON.stringify(bad));
  }
  assert.match((() => { try { parseManifests('a: b\n  c: [\n'); } catch (e) { return (e as Error).message; } return ''; })(), /YAML error at line \d+/);
});

test('kinds: namespace defaulted for namespaced kinds only; unknown kind is BadRequest naming the known ones', () => {
  assert.equal(targetOf('Deployment').namespace, 'default');
  assert.equal(targetOf('Node', 'x').namespace, undefined);
  assert.throws(() => targetOf('Gizmo'), (e) => isApiError(e, 'BadRequest') && /known kinds: .*Deployment/.test((e as Error).message));
  assert.throws(() => targetOf(undefined), (e) => isApiError(e, 'BadRequest'));
});

test('SSE message is one event with JSON data on one line', () => {
  assert.equal(sseMessage('delta', { a: 'x\ny' }), 'event: delta\ndata: {"a":"x\\ny"}\n\n');
});
