/**
 * metadata.managedFields: which manager owns which fields. Entries are keyed by manager,
 * operation and subresource, as in Kubernetes; `updateManagedFields` records ownership for
 * ordinary writes (PUT, json/merge/strategic PATCH): the writer takes the fields it changed.
 */
import type { KObject } from '../../lib/api/object.js';
import { fieldSetOf, fromFieldsV1, isPrefixPath, joinPath, sameValueAt, splitPath, toFieldsV1, type FieldSet } from './fieldpath.js';
import { schemaForKind, type StructSchema } from './strategies.js';
import { badPatch, clone, deepEqual, isMap, type JsonMap } from './util.js';

/** One managedFields entry with its field set decoded. */
export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  subresource?: string;
  fields: FieldSet;
}

/** The wire shape of a managedFields entry (metav1.ManagedFieldsEntry). */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  subresource?: string;
}

/** RFC 3339 with seconds, as metav1.Time serializes. */
export function nowTime(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Decodes metadata.managedFields; BadRequest on a malformed entry. */
export function readEntries(obj: KObject | undefined): ManagerEntry[] {
  const raw = obj?.metadata?.managedFields;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw badPatch('metadata.managedFields must be a list');
  return raw.map((e: unknown) => {
    if (!isMap(e)) throw badPatch('metadata.managedFields: each entry must be an object');
    const m = e as ManagedFieldsEntry;
    if (m.operation !== 'Apply' && m.operation !== 'Update') throw badPatch(`metadata.managedFields: operation must be Apply or Update, got ${JSON.stringify(m.operation)}`);
    if (m.fieldsType !== undefined && m.fieldsType !== 'FieldsV1') throw badPatch(`metadata.managedFields: fieldsType must be FieldsV1, got ${JSON.stringify(m.fieldsType)}`);
    return { manager: m.manager ?? '', operation: m.operation, apiVersion: m.apiVersion, time: m.time, subresource: m.subresource, fields: fromFieldsV1(m.fieldsV1 ?? {}) };
  });
}

/** Encodes entries (dropping empty ones) for metadata.managedFields. */
export function writeEntries(entries: ManagerEntry[]): ManagedFieldsEntry[] {
  return entries.filter((e) => e.fields.size > 0).map((e) => {
    const out: ManagedFieldsEntry = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = toFieldsV1(e.fields);
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

/** True when the entry is this manager's: Kubernetes keys Update entries by apiVersion too, Apply entries not. */
export function sameManager(e: ManagerEntry, manager: string, operation: string, apiVersion: string | undefined, subresource?: string): boolean {
  return e.manager === manager && e.operation === operation && (e.subresource ?? '') === (subresource ?? '')
    && (operation === 'Apply' || e.apiVersion === apiVersion);
}

/** Kubernetes' default field manager for writes without one: the User-Agent up to the first "/". */
export function defaultFieldManager(userAgent: string | undefined): string {
  const name = (userAgent ?? '').split('/')[0].trim();
  return (name || 'unknown').slice(0, 128);
}

/**
 * Paths of `newSet` that are new, or leaves whose value changed. A container member (a list
 * item, a labels map) is not "changed" because something inside it changed: only its leaves are.
 */
export function changedPaths(oldObj: unknown, newObj: unknown, oldSet: FieldSet, newSet: FieldSet, root: StructSchema): FieldSet {
  const containers = containerPaths(newSet);
  const changed: FieldSet = new Set();
  for (const p of newSet) {
    if (!oldSet.has(p) || (!containers.has(p) && !sameValueAt(oldObj, newObj, p, root))) changed.add(p);
  }
  return changed;
}

/** Members of `set` that have other members below them. */
export function containerPaths(set: FieldSet): Set<string> {
  const out = new Set<string>();
  for (const p of set) {
    const tokens = splitPath(p);
    for (let n = 1; n < tokens.length; n++) out.add(joinPath(tokens.slice(0, n)));
  }
  return out;
}

/** Drops from every entry the paths for which `drop` says so. */
export function pruneEntries(entries: ManagerEntry[], drop: (path: string) => boolean): void {
  for (const e of entries) for (const p of [...e.fields]) if (drop(p)) e.fields.delete(p);
}

/** Returns `newObj` with managedFields updated for a write (operation Update) by `manager`. */
export function updateManagedFields(oldObj: KObject | undefined, newObj: KObject, manager: string, operation: 'Update', apiVersion: string, subresource?: string): KObject {
  const result = clone(newObj);
  const meta = (result.metadata ??= {});
  const sent = newObj.metadata?.managedFields;
  if (Array.isArray(sent) && sent.length === 1 && deepEqual(sent[0], {})) {
    // Kubernetes: `managedFields: [{}]` resets ownership tracking for the object.
    delete meta.managedFields;
    return result;
  }
  const baselineFromClient = Array.isArray(sent) && sent.length > 0 && !deepEqual(sent, oldObj?.metadata?.managedFields);
  const entries = readEntries(baselineFromClient ? newObj : oldObj);
  const root = schemaForKind(newObj.kind ?? oldObj?.kind ?? '');
  const oldSet = oldObj ? fieldSetOf(oldObj as JsonMap, root) : new Set<string>();
  const newSet = fieldSetOf(newObj as JsonMap, root);
  const changed = changedPaths(oldObj, newObj, oldSet, newSet, root);
  // Fields that disappeared are nobody's; fields the writer changed are the writer's alone.
  pruneEntries(entries, (p) => !newSet.has(p) || changed.has(p));
  if (changed.size) {
    let own = entries.find((e) => sameManager(e, manager, operation, apiVersion, subresource));
    if (!own) entries.push(own = { manager, operation, apiVersion, subresource, fields: new Set() });
    for (const p of changed) own.fields.add(p);
    own.apiVersion = apiVersion;
    own.time = nowTime();
  }
  const written = writeEntries(capUpdateEntries(entries));
  if (written.length) meta.managedFields = written;
  else delete meta.managedFields;
  return result;
}

/** Most Update entries kept; older ones fold into "ancient-changes" (Kubernetes' capManagers). */
export const MAX_UPDATE_ENTRIES = 10;

/** Folds the oldest Update entries into one "ancient-changes" entry beyond MAX_UPDATE_ENTRIES. */
export function capUpdateEntries(entries: ManagerEntry[]): ManagerEntry[] {
  const updates = entries.filter((e) => e.operation === 'Update' && e.fields.size > 0);
  if (updates.length <= MAX_UPDATE_ENTRIES) return entries;
  const oldest = [...updates].sort((a, b) => (a.time ?? '').localeCompare(b.time ?? '')).slice(0, updates.length - MAX_UPDATE_ENTRIES + 1);
  const ancient: ManagerEntry = { manager: 'ancient-changes', operation: 'Update', apiVersion: oldest[0].apiVersion, time: oldest.at(-1)!.time, fields: new Set() };
  for (const e of oldest) for (const p of e.fields) ancient.fields.add(p);
  return [...entries.filter((e) => !oldest.includes(e)), ancient];
}

/** True when some path of `set` lies at or below `path`. */
export function ownsAtOrBelow(set: FieldSet, path: string): boolean {
  for (const p of set) if (isPrefixPath(path, p)) return true;
  return false;
}
