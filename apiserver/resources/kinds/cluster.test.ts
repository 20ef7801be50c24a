import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../index.js';
import type { KObject } from '../../../lib/api/object.js';

const defs = builtinResources();
const def = (group: string, resource: string) => defs.find((d) => d.group === group && d.resource === resource)!;
const now = new Date('2026-11-22T10:00:00Z');
const created = '2026-11-20T07:00:00Z';

test('node table: status, roles, version, wide columns', () => {
  const node: KObject = {
    metadata: { name: 'node-1', creationTimestamp: created, labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/worker': 'true' } },
    spec: { unschedulable: true },
    status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.32.0-kubesim', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', containerRuntimeVersion: 'kubesim://0.1.0' },
      addresses: [{ type: 'InternalIP', address: '10.200.0.11' }, { type: 'Hostname', address: 'node-1' }] },
  };
  const d = def('', 'nodes');
  assert.deepEqual(d.tableColumns!.map((c) => c.name), ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime']);
  assert.deepEqual(d.tableRow!(node, now), ['node-1', 'Ready,SchedulingDisabled', 'control-plane,worker', '2d3h', 'v1.32.0-kubesim', '10.200.0.11', '<none>', 'Debian GNU/Linux 12', '6.1.0', 'kubesim://0.1.0']);
  const notReady = { metadata: { name: 'n2', creationTimestamp: created }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
  assert.deepEqual(d.tableRow!(notReady, now).slice(1, 3), ['NotReady', '<none>']);
  assert.equal(d.tableRow!({ metadata: { name: 'n3' } }, now)[1], 'Unknown');
  assert.deepEqual(d.fieldValues!(node), { 'spec.unschedulable': 'true' });
});

test('node status survives create (the kubelet registers with it); taints are validated', () => {
  const d = def('', 'nodes');
  const node: KObject = { metadata: { name: 'node-1' }, status: { capacity: { cpu: '2' } }, spec: { taints: [{ key: 'k', effect: 'Sometimes' }, { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } };
  d.prepareForCreate!(node);
  assert.deepEqual(node.status, { capacity: { cpu: '2' } });
  assert.deepEqual(d.validateCreate!(node).map((e) => `${e.field}|${e.message}`), ['spec.taints[0].effect|supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"']);
  const withCidr: KObject = { metadata: { name: 'node-1' }, spec: { podCIDR: '10.244.1.0/24' } };
  const moved = structuredClone(withCidr);
  (moved.spec as { podCIDR: string }).podCIDR = '10.244.2.0/24';
  assert.equal(d.validateUpdate!(moved, withCidr)[0].field, 'spec.podCIDRs');
});

test('namespaces: DNS label names, finalizers kept on update, table', () => {
  const d = def('', 'namespaces');
  assert.match(d.validateCreate!({ metadata: { name: 'my.ns' } })[0].message, /^a lowercase RFC 1123 label must consist of/);
  assert.deepEqual(d.validateCreate!({ metadata: { name: 'dev' }, spec: { finalizers: ['kubernetes'] } }), []);
  const fresh: KObject = { metadata: { name: 'dev' }, status: { phase: 'Terminating' } };
  d.prepareForCreate!(fresh);
  assert.deepEqual([fresh.spec, fresh.status], [{ finalizers: ['kubernetes'] }, { phase: 'Active' }]);
  const upd: KObject = { metadata: { name: 'dev' }, spec: { finalizers: [] } };
  d.prepareForUpdate!(upd, { metadata: { name: 'dev' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  assert.deepEqual(upd.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(upd.status, { phase: 'Active' });
  assert.deepEqual(d.tableRow!({ metadata: { name: 'dev', creationTimestamp: '2026-11-22T09:59:55Z' }, status: { phase: 'Terminating' } }, now), ['dev', 'Terminating', '5s']);
  assert.deepEqual(d.fieldValues!({ status: { phase: 'Active' } }), { 'status.phase': 'Active' });
});

test('events: table as kubectl get events, field selectors, namespace rule', () => {
  const d = def('', 'events');
  const ev: KObject = {
    metadata: { name: 'web.1', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', fieldPath: 'spec.containers{web}' },
    reason: 'Pulled', message: 'Successfully pulled image "nginx"\n', type: 'Normal', source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: '2026-11-22T09:55:00Z', lastTimestamp: '2026-11-22T09:59:30Z', count: 3,
  };
  assert.deepEqual(d.tableColumns!.filter((c) => c.priority === 0).map((c) => c.name), ['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
  assert.deepEqual(d.tableRow!(ev, now), ['30s', 'Normal', 'Pulled', 'pod/web', 'spec.containers{web}', 'kubelet, node-1', 'Successfully pulled image "nginx"', '5m', 3, 'web.1']);
  const f = d.fieldValues!(ev);
  assert.equal(f['involvedObject.name'], 'web');
  assert.equal(f['involvedObject.kind'], 'Pod');
  assert.equal(f.reason, 'Pulled');
  assert.equal(f.source, 'kubelet');
  assert.equal(f.type, 'Normal');
  assert.deepEqual(d.validateCreate!(ev), []);
  const other = { ...ev, involvedObject: { kind: 'Pod', name: 'x', namespace: 'kube-system' } };
  assert.deepEqual(d.validateCreate!(other).map((e) => `${e.field}|${e.message}`), ['involvedObject.namespace|does not match event.namespace']);
  const nodeEvent = { ...ev, involvedObject: { kind: 'Node', name: 'node-1' } };
  assert.deepEqual(d.validateCreate!(nodeEvent), [], 'cluster-scoped objects report into default');
});

test('events.k8s.io events print like core events', () => {
  const d = def('events.k8s.io', 'events');
  const ev: KObject = { metadata: { name: 'x.1', namespace: 'default' }, regarding: { kind: 'Deployment', name: 'web', namespace: 'default' }, note: 'Scaled up', reason: 'ScalingReplicaSet', type: 'Normal',
    eventTime: '2026-11-22T09:58:00.000000Z', reportingController: 'deployment-controller', reportingInstance: 'cm-1' };
  assert.deepEqual(d.tableRow!(ev, now).slice(0, 7), ['2m', 'Normal', 'ScalingReplicaSet', 'deployment/web', '', 'deployment-controller, cm-1', 'Scaled up']);
  assert.deepEqual(d.validateCreate!(ev), []);
  assert.equal(d.fieldValues!(ev)['regarding.name'], 'web');
  assert.deepEqual(d.validateCreate!({ metadata: { name: 'y', namespace: 'default' } }).map((e) => e.field), ['eventTime', 'type', 'reportingController', 'reason']);
});

test('leases and controller revisions', () => {
  const l = def('coordination.k8s.io', 'leases');
  assert.deepEqual(l.tableRow!({ metadata: { name: 'kube-scheduler', creationTimestamp: created }, spec: { holderIdentity: 'sched-1' } }, now), ['kube-scheduler', 'sched-1', '2d3h']);
  assert.equal(l.validateCreate!({ metadata: { name: 'x', namespace: 'kube-system' }, spec: { leaseDurationSeconds: 0 } })[0].field, 'spec.leaseDurationSeconds');
  const cr = def('apps', 'controllerrevisions');
  const rev: KObject = { metadata: { name: 'web-7d9', creationTimestamp: created, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true }] }, revision: 2 };
  assert.deepEqual(cr.tableRow!(rev, now), ['web-7d9', 'statefulset.apps/web', 2, '2d3h']);
});
