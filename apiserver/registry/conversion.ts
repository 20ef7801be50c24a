/**
 * API versions served over another version's storage, as Kubernetes keeps one storage version
 * per resource: events.k8s.io/v1 Events are stored as core/v1 Events, autoscaling/v1 HPAs as
 * autoscaling/v2. Requests in such a version are converted to the storage shape on the way in
 * and back on the way out; every rule (admission, validation, defaults) runs on the storage shape.
 */
import type { KObject } from '../../lib/api/object.js';
import { coreToEventsV1, eventsV1ToCore } from '../resources/convert/events.js';
import { hpaV1ToV2, hpaV2ToV1 } from '../resources/convert/hpa.js';
import type { ResourceRef } from './types.js';

/** How one served version maps onto its storage version. */
export interface StorageView {
  /** The served apiVersion, e.g. events.k8s.io/v1. */
  apiVersion: string;
  storage: ResourceRef;
  toStorage(obj: KObject): KObject;
  fromStorage(obj: KObject): KObject;
}

const VIEWS: Record<string, StorageView> = {
  'events.k8s.io/v1/events': { apiVersion: 'events.k8s.io/v1', storage: { group: '', version: 'v1', resource: 'events' }, toStorage: eventsV1ToCore, fromStorage: coreToEventsV1 },
  'autoscaling/v1/horizontalpodautoscalers': { apiVersion: 'autoscaling/v1', storage: { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' }, toStorage: hpaV1ToV2, fromStorage: hpaV2ToV1 },
};

/** The conversion for `ref`, or undefined when `ref` is its own storage version. */
export function viewFor(ref: ResourceRef): StorageView | undefined {
  return VIEWS[`${ref.group}/${ref.version}/${ref.resource}`];
}

/** A body in the view's shape converted to storage (bodies that are not objects pass through for the usual 400). */
export function bodyToStorage(view: StorageView | undefined, body: unknown): KObject {
  if (!view || !body || typeof body !== 'object' || Array.isArray(body)) return body as KObject;
  return view.toStorage(body as KObject);
}
