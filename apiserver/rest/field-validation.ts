/**
 * Server-side field validation, as Kubernetes' `fieldValidation` parameter: fields a body's kind
 * does not have (the proto schema plus the Kubernetes fields lib/api/json-check.ts lists) and
 * keys given twice in one JSON object are
 *  - Strict (kubectl's default, `--validate=strict`): a 400 BadRequest
 *    `Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"`;
 *  - Warn (the default without the parameter): `Warning` headers kubectl prints;
 *  - Ignore (`--validate=false`): nothing.
 */
import type { ServerResponse } from 'node:http';
import { duplicateFields } from '../../lib/api/duplicate-fields.js';
import type { KObject } from '../../lib/api/object.js';
import { ApiError, invalid } from '../../lib/errors.js';
import type { ResourceDef } from '../registry/types.js';
import { cannotBeHandled, strictDecodingMessage, unknownFields } from '../resources/common/shape.js';
import { mediaType } from './body.js';
import { groupVersion } from './discovery.js';

/** What to do about unknown and duplicate fields. */
export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

const DIRECTIVES = new Set(['Ignore', 'Warn', 'Strict']);
const MAX_WARNINGS = 20;

/** The request's directive (Warn when absent); another value is 422 as Kubernetes' CreateOptions/UpdateOptions/PatchOptions validation. */
export function fieldValidationOf(query: URLSearchParams, options: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'): FieldValidation {
  const v = query.get('fieldValidation') ?? '';
  if (v === '') return 'Warn';
  if (DIRECTIVES.has(v)) return v as FieldValidation;
  throw invalid(options, '', [{ type: 'FieldValueNotSupported', field: 'fieldValidation', value: v, message: 'supported values: "", "Ignore", "Strict", "Warn"' }], 'meta.k8s.io');
}

/** A write body: the decoded object and the bytes it came from (duplicate keys are only visible there). */
export interface WriteBody { obj: unknown; raw?: Buffer; contentType?: string }

/** Keys given twice in a JSON body (YAML's parser already refuses them; protobuf cannot carry them). */
function duplicatesIn(body: WriteBody): string[] {
  if (!body.raw) return [];
  const type = mediaType(body.contentType);
  if (type.endsWith('yaml') || type.includes('protobuf')) return [];
  const text = body.raw.toString('utf8');
  return /^\s*\{/.test(text) ? duplicateFields(text) : [];
}

/**
 * Applies `directive` to a create/update body or a merge-style patch of `kind` (of `def`'s group
 * and version): throws the strict decoding error, or adds Warning headers.
 */
export function validateFields(res: ServerResponse, directive: FieldValidation, def: ResourceDef, kind: string, body: WriteBody, patch = false): void {
  if (directive === 'Ignore' || body.obj === null || typeof body.obj !== 'object' || Array.isArray(body.obj)) return;
  const gv = groupVersion(def.group, def.version);
  // Strategic-merge and apply directives ($patch, $setElementOrder/...) are not fields.
  const unknown = unknownFields(kind, gv, body.obj as KObject).filter((p) => !p.split('.').some((seg) => seg.startsWith('$')));
  const duplicates = duplicatesIn(body);
  if (!unknown.length && !duplicates.length) return;
  if (directive === 'Strict') {
    const message = strictDecodingMessage(unknown, duplicates);
    // Kubernetes decodes a create/update body into the kind (its decode error names the kind); a patch is checked after it is applied.
    throw patch ? new ApiError('BadRequest', message) : cannotBeHandled(kind, def.version, message);
  }
  const warnings = [...unknown.map((f) => `unknown field ${JSON.stringify(f)}`), ...duplicates.map((f) => `duplicate field ${JSON.stringify(f)}`)];
  res.setHeader('Warning', warnings.slice(0, MAX_WARNINGS).map((w) => `299 - ${JSON.stringify(w)}`));
}
