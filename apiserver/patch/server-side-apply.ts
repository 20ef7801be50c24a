/**
 * Server-side apply (`application/apply-patch+yaml`): merges an applied configuration into the
 * live object with field ownership. Associative lists merge by key (strategies.ts), others are
 * atomic. A field another manager owns with a different value is a conflict (409 unless
 * force, which moves ownership). Fields this manager applied before and no longer applies are
 * removed unless someone else owns them.
 */
import type { KObject } from '../../lib/api/object.js';
import { ApiError, type StatusCause } from '../../lib/errors.js';
import { fieldSetOf, isGranularList, itemKey, joinPath, pathString, removeAt, sameValueAt, splitPath, valueAt, type FieldSet } from './fieldpath.js';
import { containerPaths, nowTime, ownsAtOrBelow, pruneEntries, readEntries, sameManager, writeEntries, type ManagerEntry } from './managed-fields.js';
import { schemaForKind, type FieldSchema, type StructSchema } from './strategies.js';
import { allowedFromLastApplied, syncLastApplied } from './last-applied.js';
import { badPatch, clone, isMap, type JsonMap } from './util.js';

/** Options of an apply request. */
export interface ApplyOptions { kind: string; apiVersion: string; fieldManager?: string; force?: boolean; subresource?: string }

/** Checks the applied configuration and returns it without nulls and out-of-scope parts. */
function prepareApplied(patch: unknown, opts: ApplyOptions, liveName?: string): JsonMap {
  if (!opts.fieldManager) throw badPatch('PATCH, application/apply-patch+yaml requires fieldManager parameter');
  if (!isMap(patch)) throw badPatch('apply patch: the configuration must be an object (YAML or JSON map)');
  if (typeof patch.apiVersion !== 'string' || !patch.apiVersion) throw badPatch("apply patch: Object 'apiVersion' is missing");
  if (typeof patch.kind !== 'string' || !patch.kind) throw badPatch("apply patch: Object 'Kind' is missing");
  if (patch.kind !== opts.kind) throw badPatch(`apply patch: the kind in the body (${patch.kind}) does not match the kind of the resource (${opts.kind})`);
  if (patch.metadata !== undefined && !isMap(patch.metadata)) throw badPatch('apply patch: metadata must be an object');
  const meta = (patch.metadata ?? {}) as JsonMap;
  if (meta.managedFields !== undefined && meta.managedFields !== null) throw badPatch('metadata.managedFields must be nil');
  if (liveName !== undefined && meta.name !== undefined && meta.name !== liveName) {
    throw badPatch(`the name of the object (${String(meta.name)}) does not match the name on the URL (${liveName})`);
  }
  const applied = dropNulls(patch) as JsonMap;
  // The main resource ignores status and a status apply changes only status, as Kubernetes' reset fields do.
  if (opts.subresource === 'status') {
    for (const k of Object.keys(applied)) if (!['apiVersion', 'kind', 'metadata', 'status'].includes(k)) delete applied[k];
  } else delete applied.status;
  return applied;
}

function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== null).map(dropNulls);
  if (!isMap(v)) return v;
  const out: JsonMap = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
  return out;
}

/** Merges `applied` into `live`: maps recursively, granular lists by item, everything else replaced. */
function mergeApplied(live: unknown, applied: unknown, field: FieldSchema | undefined): unknown {
  if (isMap(applied) && isMap(live) && !field?.atomic && !field?.replace) {
    const out: JsonMap = { ...live };
    for (const [k, v] of Object.entries(applied)) out[k] = mergeApplied(live[k], v, field?.struct?.[k]);
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live) && isGranularList(field)) {
    const out = [...live];
    for (const item of applied) {
      const key = itemKey(item, field);
      const i = key === undefined ? out.findIndex((x) => JSON.stringify(x) === JSON.stringify(item)) : out.findIndex((x) => itemKey(x, field) === key);
      if (i < 0) out.push(clone(item));
      else if (key !== undefined) out[i] = mergeApplied(out[i], item, { struct: field.struct });
    }
    return out;
  }
  return clone(applied);
}

/** Kubernetes' printManager: `"name" using apps/v1`, or `"name" with subresource "scale" using apps/v1`. */
function describeManager(e: ManagerEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  return `${s} using ${e.apiVersion ?? ''}`;
}

interface Conflict { entry: ManagerEntry; path: string }

/** The 409 Kubernetes returns for apply conflicts, with one FieldManagerConflict cause per field. */
export function conflictError(conflicts: Conflict[]): ApiError {
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c.entry)}`, field: pathString(c.path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(conflicts[0].entry)}: ${pathString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const m = describeManager(c.entry);
      byManager.set(m, [...(byManager.get(m) ?? []), `- ${pathString(c.path)}`]);
    }
    const lines = [...byManager.keys()].sort().flatMap((m) => [`conflicts with ${m}:`, ...byManager.get(m)!]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError('Conflict', message, { causes });
}

/** Leaves of the applied set that another manager owns with a different live value (containers never conflict). */
function findConflicts(live: KObject, merged: unknown, appliedSet: FieldSet, others: ManagerEntry[], root: StructSchema): Conflict[] {
  const containers = containerPaths(appliedSet);
  const conflicts: Conflict[] = [];
  for (const path of appliedSet) {
    if (containers.has(path) || sameValueAt(live, merged, path, root)) continue;
    for (const entry of others) if (entry.fields.has(path)) conflicts.push({ entry, path });
  }
  return conflicts;
}

/** Lists and maps emptied by a removal go too, unless someone owns them (as Kubernetes prunes). */
function pruneEmptyParents(obj: JsonMap, removed: string[], owners: FieldSet[], root: StructSchema): void {
  for (const p of removed) {
    const tokens = splitPath(p);
    for (let n = tokens.length - 1; n > 0; n--) {
      const parent = joinPath(tokens.slice(0, n));
      const v = valueAt(obj, parent, root);
      const empty = Array.isArray(v) ? v.length === 0 : isMap(v) && Object.keys(v).length === 0;
      if (!empty || owners.some((set) => set.has(parent))) break;
      removeAt(obj, parent, root);
    }
  }
}

/** Server-side apply onto an existing object; returns the new object with managedFields updated. */
export function applyServerSide(live: KObject, patch: unknown, opts: ApplyOptions): KObject {
  const applied = prepareApplied(patch, opts, live.metadata?.name);
  const manager = opts.fieldManager!;
  const root = schemaForKind(opts.kind);
  const entries = readEntries(live);
  if (!entries.length) {
    // Kubernetes: fields of an object nobody manages yet belong to "before-first-apply", so the
    // first apply cannot silently change values someone else set.
    const existing = fieldSetOf(live as JsonMap, root);
    if (existing.size) entries.push({ manager: 'before-first-apply', operation: 'Update', apiVersion: opts.apiVersion, fields: existing });
  }
  let own = entries.find((e) => sameManager(e, manager, 'Apply', undefined, opts.subresource));
  const others = entries.filter((e) => e !== own);
  const appliedSet = fieldSetOf(applied, root, true);
  const merged = mergeApplied(clone(live), applied, { struct: root }) as KObject;

  const conflicts = findConflicts(live, merged, appliedSet, others, root);
  if (conflicts.length && !opts.force) {
    const blocking = conflicts.filter((c) => !allowedFromLastApplied(live, manager, root).has(c.path));
    if (blocking.length) throw conflictError(blocking);
  }
  for (const c of conflicts) c.entry.fields.delete(c.path);

  // Remove what this manager applied last time and no longer applies, unless another manager owns it.
  const previous = own?.fields ?? new Set<string>();
  // Parents first (an item is found by its key fields, which the children include); a path
  // still applied or owned below by anyone stays.
  const stale = [...previous].filter((p) => !ownsAtOrBelow(appliedSet, p) && !others.some((e) => ownsAtOrBelow(e.fields, p)));
  stale.sort((a, b) => splitPath(a).length - splitPath(b).length);
  for (const p of stale) removeAt(merged as JsonMap, p, root);
  pruneEmptyParents(merged as JsonMap, stale, [appliedSet, ...others.map((e) => e.fields)], root);

  const present = fieldSetOf(merged as JsonMap, root);
  pruneEntries(others, (p) => !present.has(p));
  if (!own) entries.push(own = { manager, operation: 'Apply', subresource: opts.subresource, fields: new Set() });
  own.fields = appliedSet;
  own.apiVersion = String(applied.apiVersion);
  own.time = nowTime();
  const meta = (merged.metadata ??= {});
  syncLastApplied(meta, manager, applied);
  const written = writeEntries(entries);
  if (written.length) meta.managedFields = written;
  else delete meta.managedFields;
  return merged;
}

/** The object to create when an apply targets a missing object (the registry then creates it). */
export function applyCreate(patch: unknown, opts: ApplyOptions & { name?: string; namespace?: string }): KObject {
  const applied = prepareApplied(patch, opts, opts.name);
  const root = schemaForKind(opts.kind);
  const obj = clone(applied) as KObject;
  const meta = (obj.metadata ??= {});
  if (opts.name !== undefined) meta.name ??= opts.name;
  if (opts.namespace !== undefined) meta.namespace ??= opts.namespace;
  const entry: ManagerEntry = { manager: opts.fieldManager!, operation: 'Apply', apiVersion: String(applied.apiVersion), time: nowTime(), subresource: opts.subresource, fields: fieldSetOf(applied, root, true) };
  const written = writeEntries([entry]);
  if (written.length) meta.managedFields = written;
  return obj;
}
