/**
 * ObjectMeta validation as Kubernetes' ValidateObjectMeta: name (per-kind name rule), namespace,
 * labels, annotations, ownerReferences. Runs inside every kind's validateCreate/validateUpdate;
 * the registry is expected to have turned generateName into a name before calling it.
 */
import type { FieldError } from '../../../lib/errors.js';
import type { KObject, ObjectMeta } from '../../../lib/api/object.js';
import { isDNS1123Label, isDNS1123Subdomain, isDNS1035Label, isQualifiedName, validateLabelValue } from '../../../lib/labels/validation.js';
import { duplicate, forbidden, invalidValue, invalidIf, required, tooLong, FIELD_IMMUTABLE, jsonEqual } from './field.js';

/** A name rule: messages for an invalid name; `prefix` = a generateName (may end in '-'). */
export type NameRule = (name: string, prefix: boolean) => string[];

function masked(rule: (s: string) => string[]): NameRule {
  // generateName may end with '-': Kubernetes masks it with an 'a' before checking.
  return (name, prefix) => rule(prefix && name.endsWith('-') ? `${name.slice(0, -1)}a` : name);
}

/** Most kinds: a DNS-1123 subdomain. */
export const nameIsDNSSubdomain: NameRule = masked(isDNS1123Subdomain);
/** Namespaces and a few others: a DNS-1123 label. */
export const nameIsDNSLabel: NameRule = masked(isDNS1123Label);
/** Services: a DNS-1035 label (must start with a letter). */
export const nameIsDNS1035Label: NameRule = masked(isDNS1035Label);
/** RBAC objects and events: any path segment. */
export const nameIsPathSegment: NameRule = (name, prefix) => {
  const errs: string[] = [];
  if (!prefix && (name === '.' || name === '..')) errs.push(`may not be '${name}'`);
  if (name.includes('/')) errs.push("may not contain '/'");
  if (name.includes('%')) errs.push("may not contain '%'");
  return errs;
};

const TOTAL_ANNOTATION_SIZE = 256 * 1024;

/** Validates a label map at `field` (keys as qualified names, values as label values). */
export function validateLabels(labels: unknown, field: string): FieldError[] {
  if (labels == null) return [];
  if (typeof labels !== 'object' || Array.isArray(labels)) return [invalidValue(field, labels, 'must be a map of string keys to string values')];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    errs.push(...invalidIf(field, k, isQualifiedName(k)));
    if (typeof v !== 'string') errs.push(invalidValue(field, v, 'must be a string'));
    else errs.push(...invalidIf(field, v, validateLabelValue(v)));
  }
  return errs;
}

/** Validates annotations: lowercase-prefixed qualified keys, total size ≤ 256 KiB. */
export function validateAnnotations(annotations: unknown, field: string): FieldError[] {
  if (annotations == null) return [];
  if (typeof annotations !== 'object' || Array.isArray(annotations)) return [invalidValue(field, annotations, 'must be a map of string keys to string values')];
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations as Record<string, unknown>)) {
    errs.push(...invalidIf(field, k, isQualifiedName(k.toLowerCase())));
    size += k.length + String(v ?? '').length;
  }
  if (size > TOTAL_ANNOTATION_SIZE) errs.push(tooLong(field, '', TOTAL_ANNOTATION_SIZE));
  return errs;
}

function validateOwnerReferences(refs: unknown, field: string): FieldError[] {
  if (refs == null) return [];
  if (!Array.isArray(refs)) return [invalidValue(field, refs, 'must be a list')];
  const errs: FieldError[] = [];
  let controllers = 0;
  refs.forEach((r: Record<string, unknown>, i) => {
    const p = `${field}[${i}]`;
    for (const k of ['apiVersion', 'kind', 'name', 'uid']) {
      if (!r || typeof r[k] !== 'string' || r[k] === '') errs.push(invalidValue(`${p}.${k}`, r?.[k] ?? '', `${k} must not be empty`));
    }
    if (r?.controller === true) controllers++;
  });
  if (controllers > 1) errs.push(invalidValue(field, refs, 'Only one reference can have Controller set to true'));
  return errs;
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** Finalizers are standard names or domain-qualified (`example.com/cleanup`), without duplicates. */
export function validateFinalizers(finalizers: unknown, field: string): FieldError[] {
  if (finalizers == null) return [];
  if (!Array.isArray(finalizers)) return [invalidValue(field, finalizers, 'must be a list of strings')];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  finalizers.forEach((f: unknown, i) => {
    const p = `${field}[${i}]`;
    if (typeof f !== 'string') { errs.push(invalidValue(p, f, 'must be a string')); return; }
    if (!STANDARD_FINALIZERS.has(f)) {
      const qualified = isQualifiedName(f);
      if (qualified.length) errs.push(...invalidIf(p, f, qualified));
      else if (!f.includes('/')) errs.push(invalidValue(p, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
    if (seen.has(f)) errs.push(duplicate(p, f));
    seen.add(f);
  });
  return errs;
}

/** ValidateObjectMeta for a new object. */
export function validateObjectMeta(meta: ObjectMeta | undefined, namespaced: boolean, nameRule: NameRule, field = 'metadata'): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName) errs.push(...invalidIf(`${field}.generateName`, m.generateName, nameRule(m.generateName, true)));
  if (!m.name) errs.push(required(`${field}.name`, 'name or generateName is required'));
  else errs.push(...invalidIf(`${field}.name`, m.name, nameRule(m.name, false)));
  if (namespaced) {
    if (!m.namespace) errs.push(required(`${field}.namespace`));
    else errs.push(...invalidIf(`${field}.namespace`, m.namespace, isDNS1123Label(m.namespace)));
  } else if (m.namespace) {
    errs.push(forbidden(`${field}.namespace`, 'not allowed on this type'));
  }
  errs.push(...validateLabels(m.labels, `${field}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${field}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences, `${field}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${field}.finalizers`));
  return errs;
}

/** ValidateObjectMetaUpdate: the new metadata is valid and name/namespace/uid/creationTimestamp did not change. */
export function validateObjectMetaUpdate(meta: ObjectMeta | undefined, old: ObjectMeta | undefined, namespaced: boolean, nameRule: NameRule): FieldError[] {
  const m = meta ?? {};
  const o = old ?? {};
  const errs = validateObjectMeta(m, namespaced, nameRule);
  for (const k of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
    if (o[k] !== undefined && m[k] !== undefined && !jsonEqual(m[k], o[k])) errs.push(invalidValue(`metadata.${k}`, m[k], FIELD_IMMUTABLE));
  }
  return errs;
}

/** Kubernetes' default metadata validation for a kind, as a validateCreate/validateUpdate pair. */
export function metaValidators(namespaced: boolean, nameRule: NameRule = nameIsDNSSubdomain): {
  validateCreate(obj: KObject): FieldError[];
  validateUpdate(obj: KObject, old: KObject): FieldError[];
} {
  return {
    validateCreate: (obj) => validateObjectMeta(obj.metadata, namespaced, nameRule),
    validateUpdate: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata, namespaced, nameRule),
  };
}
