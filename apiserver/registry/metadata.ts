/**
 * ObjectMeta rules of the registry: system fields filled on create, carried over and checked on
 * update, generation bumped only when the desired state changes (Kubernetes' BeforeCreate /
 * BeforeUpdate).
 */
import { randomUUID } from 'node:crypto';
import type { KObject } from '../../lib/api/object.js';
import type { FieldError } from '../../lib/errors.js';
import { canonical } from '../storage/canonical.js';
import type { ResourceDef } from './types.js';

/** RFC 3339 without fractional seconds, as Kubernetes' metav1.Time (2026-11-22T10:00:00Z). */
export function rfc3339(d: Date = new Date()): string {
  // Every create and many updates stamp a time: the text is made once per second.
  const second = Math.floor(d.getTime() / 1000);
  if (second !== lastSecond) { lastSecond = second; lastText = d.toISOString().replace(/\.\d{3}Z$/, 'Z'); }
  return lastText;
}
let lastSecond = NaN;
let lastText = '';

/** `group/version` or `version` for the core group. */
export function apiVersionOf(def: ResourceDef): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** Sets apiVersion and kind to the served ones. */
export function stampTypeMeta(obj: KObject, def: ResourceDef): void {
  obj.apiVersion = apiVersionOf(def);
  obj.kind = def.kind;
}

/** Fills uid, creationTimestamp, generation; drops fields a client may not set on create. */
export function fillCreateMeta(obj: KObject, def: ResourceDef, now = new Date()): void {
  const m = (obj.metadata ??= {});
  m.uid = randomUUID();
  m.creationTimestamp = rfc3339(now);
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.selfLink;
  if (def.hasSpec) m.generation = 1; else delete m.generation;
  stampTypeMeta(obj, def);
}

/** Everything but metadata and status: a change there bumps the generation. */
function desiredState(obj: KObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/** True when the desired state (all but metadata/status/type) differs. */
export function specChanged(obj: KObject, old: KObject): boolean {
  return canonical(desiredState(obj)) !== canonical(desiredState(old));
}

/**
 * Carries system fields over from the stored object and bumps generation when the desired state
 * changed. Returns field errors for attempts to change immutable metadata.
 */
export function applyUpdateMeta(obj: KObject, old: KObject, def: ResourceDef): FieldError[] {
  const m = (obj.metadata ??= {});
  const om = old.metadata ?? {};
  const errs: FieldError[] = [];
  if (m.uid && m.uid !== om.uid) errs.push({ type: 'FieldValueInvalid', field: 'metadata.uid', value: m.uid, message: 'field is immutable' });
  if (om.deletionTimestamp && (m.finalizers ?? []).some((f) => !(om.finalizers ?? []).includes(f))) {
    errs.push({ type: 'FieldValueForbidden', field: 'metadata.finalizers', message: 'no new finalizers can be added if the object is being deleted' });
  }
  m.uid = om.uid;
  m.creationTimestamp = om.creationTimestamp;
  if (om.deletionTimestamp) m.deletionTimestamp = om.deletionTimestamp; else delete m.deletionTimestamp;
  if (om.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds; else delete m.deletionGracePeriodSeconds;
  if (def.hasSpec) m.generation = (om.generation ?? 1) + (specChanged(obj, old) ? 1 : 0);
  else delete m.generation;
  stampTypeMeta(obj, def);
  return errs;
}
