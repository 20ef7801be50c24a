import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coreToEventsV1, eventsV1ToCore } from './events.js';

const newEvent = {
  apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'web.1', namespace: 'default' },
  regarding: { kind: 'Pod', name: 'web', namespace: 'default' }, note: 'pulled', reason: 'Pulled', type: 'Normal', action: 'Pull',
  eventTime: '2026-11-22T10:00:00.000000Z', reportingController: 'kubelet', reportingInstance: 'node-1', series: { count: 2, lastObservedTime: '2026-11-22T10:01:00.000000Z' },
  deprecatedSource: { component: 'kubelet', host: 'node-1' }, deprecatedCount: 2, deprecatedFirstTimestamp: '2026-11-22T10:00:00Z', deprecatedLastTimestamp: '2026-11-22T10:01:00Z',
};

test('events.k8s.io/v1 → core/v1 renames fields', () => {
  const core = eventsV1ToCore(newEvent);
  assert.equal(core.apiVersion, 'v1');
  assert.deepEqual(core.involvedObject, newEvent.regarding);
  assert.equal(core.message, 'pulled');
  assert.equal(core.reportingComponent, 'kubelet');
  assert.deepEqual(core.source, { component: 'kubelet', host: 'node-1' });
  assert.equal(core.count, 2);
  assert.equal(core.firstTimestamp, '2026-11-22T10:00:00Z');
  assert.equal(core.regarding, undefined);
});

test('round trip is lossless', () => {
  assert.deepEqual(coreToEventsV1(eventsV1ToCore(newEvent)), newEvent);
  const core = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'a' }, involvedObject: { kind: 'Node', name: 'n' }, message: 'm', reason: 'r', type: 'Warning', count: 1 };
  assert.deepEqual(eventsV1ToCore(coreToEventsV1(core)), core);
});
