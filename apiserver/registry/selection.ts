/**
 * Server-side filtering: namespace, label selector and field selector of a list or watch turned
 * into one predicate over objects. Bad selectors are 400 BadRequest, as in Kubernetes.
 */
import type { KObject } from '../../lib/api/object.js';
import { ApiError } from '../../lib/errors.js';
import { parseFieldSelector } from '../../lib/labels/field-selector.js';
import { parseSelector } from '../../lib/labels/selector.js';
import type { Predicate } from '../storage/watch-filter.js';
import type { ResourceDef } from './types.js';

/** Field values of an object for field selectors: metadata.name/namespace + the kind's own. */
export function fieldSet(def: ResourceDef, obj: KObject): Record<string, string> {
  const base: Record<string, string> = { 'metadata.name': obj.metadata?.name ?? '' };
  if (def.namespaced) base['metadata.namespace'] = obj.metadata?.namespace ?? '';
  return { ...base, ...(def.fieldValues?.(obj) ?? {}) };
}

function supportedFields(def: ResourceDef): Set<string> {
  let sample: Record<string, string> = {};
  try { sample = fieldSet(def, { metadata: {} }); } catch { /* a fieldValues that needs a full object: accept its fields lazily */ }
  return new Set(Object.keys(sample));
}

/** One predicate for namespace + selectors; `undefined` strings select everything. */
export function selectionPredicate(def: ResourceDef, namespace: string | undefined, labelSelector?: string, fieldSelector?: string): { matches: Predicate; filtered: boolean } {
  const labels = labelSelector ? parseSelector(labelSelector) : undefined;
  const fields = fieldSelector ? parseFieldSelector(fieldSelector) : undefined;
  if (fields && !fields.empty()) {
    const supported = supportedFields(def);
    for (const f of fields.fields()) {
      if (!supported.has(f)) throw new ApiError('BadRequest', `field label not supported: ${f}`);
    }
  }
  const ns = def.namespaced ? namespace : undefined;
  const useLabels = labels && !labels.empty() ? labels : undefined;
  const useFields = fields && !fields.empty() ? fields : undefined;
  const matches: Predicate = (obj) => {
    if (ns !== undefined && obj.metadata?.namespace !== ns) return false;
    if (useLabels && !useLabels.matches(obj.metadata?.labels ?? {})) return false;
    if (useFields && !useFields.matches(fieldSet(def, obj))) return false;
    return true;
  };
  return { matches, filtered: !!(useLabels || useFields) };
}
