/**
 * The JSON type check Kubernetes does while decoding a body (a number where a list belongs is a
 * 400 "cannot be handled as a <Kind>"), driven by the proto schema so no kind needs its own code.
 * Fields the proto does not know are left alone.
 */
import { ApiError } from '../../../lib/errors.js';
import type { KObject } from '../../../lib/api/object.js';
import { envelopeField, messageType } from '../../../lib/api/codec.js';
import { checkJson } from '../../../lib/api/json-check.js';

// Kinds whose proto message has the shape of one API group only (as lib/api/codec.ts types them).
const TYPED_GROUP_VERSION: Record<string, string> = { Event: 'v1', HorizontalPodAutoscaler: 'autoscaling/v2' };

/** Kubernetes' decode error for a body of `kind` in `version`. */
export function cannotBeHandled(kind: string, version: string, detail: string): ApiError {
  return new ApiError('BadRequest', `${kind} in version "${version}" cannot be handled as a ${kind}: ${detail}`);
}

/** Throws ApiError BadRequest when a field of `obj` has a JSON type its kind does not allow. */
export function checkShape(kind: string, groupVersion: string, obj: KObject): void {
  const wanted = TYPED_GROUP_VERSION[kind];
  if (wanted && wanted !== groupVersion) return;
  const version = groupVersion.split('/').pop() ?? groupVersion;
  let type;
  try {
    if (!envelopeField(kind)) return;
    type = messageType(kind);
  } catch {
    return; // no proto bundle (unbuilt tree): the kinds' validators still guard themselves
  }
  try {
    checkJson(type, obj as Record<string, unknown>);
  } catch (err) {
    if (err instanceof ApiError) throw cannotBeHandled(kind, version, err.message);
    throw err;
  }
}

/**
 * Fields of `obj` its kind does not have, as paths (`spec.containres`), for the REST facade's
 * `fieldValidation=Strict|Warn` (Kubernetes: `strict decoding error: unknown field "spec.containres"`).
 * Only as complete as proto/api.proto (plus the Kubernetes fields lib/api/json-check.ts lists):
 * kinds or groups the proto does not type report nothing.
 */
export function unknownFields(kind: string, groupVersion: string, obj: KObject): string[] {
  const wanted = TYPED_GROUP_VERSION[kind];
  if (wanted && wanted !== groupVersion) return [];
  try {
    if (!envelopeField(kind)) return [];
    const unknown: string[] = [];
    checkJson(messageType(kind), obj as Record<string, unknown>, '', unknown);
    return unknown;
  } catch {
    return []; // wrong JSON types are checkShape's to report
  }
}

/** Kubernetes' strict-decoding message for unknown (and duplicate) fields. */
export function strictDecodingMessage(fields: string[], duplicates: string[] = []): string {
  const errs = [...fields.map((f) => `unknown field ${JSON.stringify(f)}`), ...duplicates.map((f) => `duplicate field ${JSON.stringify(f)}`)];
  return `strict decoding error: ${errs.join(', ')}`;
}
