/**
 * Unknown-field warnings, as Kubernetes' field validation gives them: a body's fields that the
 * kind's schema (proto/api.proto, through lib/api/codec) does not know are reported in `Warning`
 * headers, which kubectl prints as `Warning: unknown field "spec.replica"`. kubesim only warns,
 * also for fieldValidation=Strict, because its schema is a model of Kubernetes', not the original.
 */
import type { ServerResponse } from 'node:http';
import { encodePlain, messageType } from '../../lib/api/codec.js';
import type { KObject } from '../../lib/api/object.js';

const MAX_WARNINGS = 20;

/** Field paths of `obj` its kind's schema does not know ([] when the kind is not modelled). */
export function unknownFields(kind: string, obj: KObject): string[] {
  let type;
  try {
    type = messageType(kind);
  } catch {
    return [];
  }
  const dropped: string[] = [];
  try {
    encodePlain(type, obj as Record<string, unknown>, '', dropped);
  } catch {
    // A type mismatch is for validation to report (422), not a warning.
  }
  // Strategic-merge and apply directives ($patch, $setElementOrder/...) are not fields.
  return dropped.filter((p) => !p.split('.').some((seg) => seg.startsWith('$')));
}

/** Adds Kubernetes-style Warning headers for unknown fields unless the client asked to ignore them. */
export function warnUnknownFields(res: ServerResponse, query: URLSearchParams, kind: string, obj: unknown): void {
  if (query.get('fieldValidation') === 'Ignore' || obj === null || typeof obj !== 'object' || Array.isArray(obj)) return;
  const fields = unknownFields(kind, obj as KObject).slice(0, MAX_WARNINGS);
  if (fields.length) res.setHeader('Warning', fields.map((f) => `299 - ${JSON.stringify(`unknown field ${JSON.stringify(f)}`)}`));
}
