import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Snapshot } from '../framework/snapshot.js';
import { filterAll, makeNode, makePod } from '../framework/testing.js';
import { NodePorts } from './node-ports.js';

test('NodePorts rejects a node where the host port is taken (same protocol), not elsewhere', () => {
  const snap = Snapshot.from([makeNode('a'), makeNode('b')], [makePod('web', { nodeName: 'a', hostPorts: [8080] })]);
  const reason = "Unschedulable: node(s) didn't have free ports for the requested pod ports";
  assert.deepEqual(filterAll(new NodePorts(), makePod('p', { hostPorts: [8080] }), snap), { a: reason, b: 'passed' });
  assert.deepEqual(filterAll(new NodePorts(), makePod('q', { hostPorts: [9090] }), snap), { a: 'passed', b: 'passed' });
  const udp = makePod('u', { hostPorts: [8080] });
  udp.spec.containers[0].ports![0].protocol = 'UDP';
  assert.deepEqual(filterAll(new NodePorts(), udp, snap), { a: 'passed', b: 'passed' });
});

test('NodePorts: specific host IPs conflict only with the same IP or 0.0.0.0; removing the pod frees the port', () => {
  const holder = makePod('h', { nodeName: 'a', hostPorts: [53] });
  holder.spec.containers[0].ports![0].hostIP = '10.0.0.1';
  const snap = Snapshot.from([makeNode('a')], [holder]);
  const other = makePod('o', { hostPorts: [53] });
  other.spec.containers[0].ports![0].hostIP = '10.0.0.2';
  assert.equal(filterAll(new NodePorts(), other, snap).a, 'passed');
  assert.match(filterAll(new NodePorts(), makePod('any', { hostPorts: [53] }), snap).a, /free ports/);
  snap.removePod(holder);
  assert.equal(filterAll(new NodePorts(), makePod('any2', { hostPorts: [53] }), snap).a, 'passed');
});
