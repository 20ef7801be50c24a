/**
 * Conversion between the two API shapes of an Event (core/v1 and events.k8s.io/v1), which
 * Kubernetes stores as one object: the registry keeps the core shape in etcd and serves the
 * events.k8s.io view through these functions.
 */
import type { KObject } from '../../../lib/api/object.js';

// events.k8s.io/v1 field ↔ core/v1 field; fields with the same name in both are copied as they are.
const RENAMED: [string, string][] = [
  ['regarding', 'involvedObject'], ['note', 'message'], ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'], ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'], ['deprecatedCount', 'count'],
];
const SHARED = ['metadata', 'related', 'reason', 'type', 'action', 'eventTime', 'series', 'reportingInstance'];

function copy(from: KObject, pairs: [string, string][]): KObject {
  const out: KObject = {};
  for (const [src, dst] of pairs) if (from[src] !== undefined) out[dst] = structuredClone(from[src]);
  return out;
}

/** An events.k8s.io/v1 Event as a core/v1 Event (the storage shape). */
export function eventsV1ToCore(obj: KObject): KObject {
  return { apiVersion: 'v1', kind: 'Event', ...copy(obj, [...SHARED.map((f): [string, string] => [f, f]), ...RENAMED]) };
}

/** A core/v1 Event as an events.k8s.io/v1 Event. */
export function coreToEventsV1(obj: KObject): KObject {
  const back = RENAMED.map(([a, b]): [string, string] => [b, a]);
  return { apiVersion: 'events.k8s.io/v1', kind: 'Event', ...copy(obj, [...SHARED.map((f): [string, string] => [f, f]), ...back]) };
}
