import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makePod } from './framework/testing.js';
import { nodeChangeMayHelp, podSpecChanged } from './change-filters.js';

test('node heartbeats do not trigger retries; labels, taints, cordon and allocatable do', () => {
  const n = makeNode('n');
  const heartbeat = { ...n, status: { ...n.status, conditions: [{ type: 'Ready', status: 'True' }] } };
  assert.equal(nodeChangeMayHelp(n, heartbeat), false);
  assert.equal(nodeChangeMayHelp(n, makeNode('n', { labels: { disk: 'ssd' } })), true);
  assert.equal(nodeChangeMayHelp(n, makeNode('n', { unschedulable: true })), true);
  assert.equal(nodeChangeMayHelp(n, makeNode('n', { cpu: '8' })), true);
});

test('our own status and annotation writes are not pod changes; spec and label edits are', () => {
  const p = makePod('p');
  const statusOnly = { ...p, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] } };
  const annotated = { ...p, metadata: { ...p.metadata, annotations: { a: 'b' }, resourceVersion: '9' } };
  assert.equal(podSpecChanged(p, statusOnly), false);
  assert.equal(podSpecChanged(p, annotated), false);
  assert.equal(podSpecChanged(p, makePod('p', { labels: { x: 'y' } })), true);
  assert.equal(podSpecChanged(p, makePod('p', { tolerations: [{ operator: 'Exists' }] })), true);
});
