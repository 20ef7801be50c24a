/**
 * Joins a kind's identity (catalog.ts) with its behaviour (kinds/*.ts) into a ResourceDef.
 * Every kind gets ObjectMeta validation, status reset/keep for kinds with a status subresource,
 * and the default NAME / CREATED AT table when it has no printer of its own.
 */
import type { ResourceDef, UserInfo } from '../registry/types.js';
import type { FieldError } from '../../lib/errors.js';
import type { KObject } from '../../lib/api/object.js';
import type { Identity } from './catalog.js';
import { metaValidators, nameIsDNSSubdomain, type NameRule } from './common/meta.js';
import { DEFAULT_COLUMNS, defaultRow } from './printers/columns.js';
import { cannotBeHandled, checkShape } from './common/shape.js';
import { isApiError } from '../../lib/errors.js';

/** What a kind module provides beyond its identity; the kind's validators see only its own fields. */
export interface KindBehaviour {
  /** The rule for metadata.name (default: DNS-1123 subdomain). */
  nameRule?: NameRule;
  /** Keep a client-set status on create (nodes: the kubelet registers with its status). */
  keepStatusOnCreate?: boolean;
  defaults?(obj: KObject): void;
  validateCreate?(obj: KObject): FieldError[];
  validateUpdate?(obj: KObject, old: KObject): FieldError[];
  fieldValues?(obj: KObject): Record<string, string>;
  tableColumns?: ResourceDef['tableColumns'];
  tableRow?(obj: KObject, now: Date): unknown[];
  /** `user` is who creates the object. */
  prepareForCreate?(obj: KObject, user?: UserInfo): void;
  prepareForUpdate?(obj: KObject, old: KObject): void;
  prepareSubresourceUpdate?: ResourceDef['prepareSubresourceUpdate'];
  validateSubresourceUpdate?: ResourceDef['validateSubresourceUpdate'];
}

const shapeChecked = new WeakSet<KObject>();

/**
 * Runs a kind's step on a request body: wrong JSON types are reported as Kubernetes' decode
 * error, and a step that still trips over an odd shape is a 400, never a 500.
 */
function guarded<T>(id: Identity, obj: KObject, step: () => T): T {
  // One type check per body: the later steps (defaults → prepare → validate) see it changed only by the server's own code.
  if (!shapeChecked.has(obj)) {
    checkShape(id.kind, id.group ? `${id.group}/${id.version}` : id.version, obj);
    shapeChecked.add(obj);
  }
  try {
    return step();
  } catch (err) {
    // TypeError: an odd shape the type check let through; RangeError: absurd nesting or sizes.
    if (isApiError(err) || !(err instanceof TypeError || err instanceof RangeError)) throw err;
    throw cannotBeHandled(id.kind, id.version, err.message);
  }
}

/** Builds the ResourceDef for one kind. */
export function defineResource(id: Identity, b: KindBehaviour = {}): ResourceDef {
  const meta = metaValidators(id.namespaced, b.nameRule ?? nameIsDNSSubdomain);
  const hasStatus = (id.subresources ?? []).includes('status');
  const def: ResourceDef = {
    ...id,
    validateCreate: (obj) => guarded(id, obj, () => [...meta.validateCreate(obj), ...(b.validateCreate?.(obj) ?? [])]),
    validateUpdate: (obj, old) => guarded(id, obj, () => [...meta.validateUpdate(obj, old), ...(b.validateUpdate?.(obj, old) ?? [])]),
    tableColumns: b.tableColumns ?? DEFAULT_COLUMNS,
    tableRow: b.tableRow ?? ((obj) => defaultRow(obj)),
    // Users never set status on create; controllers write it through the status subresource.
    prepareForCreate: (obj, ctx) => {
      if (hasStatus && !b.keepStatusOnCreate) delete obj.status;
      if (b.prepareForCreate) guarded(id, obj, () => b.prepareForCreate!(obj, ctx?.user));
    },
    prepareForUpdate: (obj, old) => {
      if (hasStatus) {
        if (old.status === undefined) delete obj.status;
        else obj.status = structuredClone(old.status);
      }
      b.prepareForUpdate?.(obj, old);
    },
  };
  const defaults = b.defaults;
  if (defaults) def.defaults = (obj) => guarded(id, obj, () => defaults(obj));
  if (b.fieldValues) def.fieldValues = b.fieldValues;
  const prepareSub = b.prepareSubresourceUpdate;
  if (prepareSub) def.prepareSubresourceUpdate = (sub, obj, old) => guarded(id, obj, () => prepareSub(sub, obj, old));
  const validateSub = b.validateSubresourceUpdate;
  if (validateSub) def.validateSubresourceUpdate = (sub, obj, old) => guarded(id, obj, () => validateSub(sub, obj, old));
  return def;
}
