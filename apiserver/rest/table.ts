/**
 * Server-side printing: converts objects and lists to meta.k8s.io Table (what `kubectl get`
 * prints) and to PartialObjectMetadata, using each ResourceDef's columns and row function.
 */
import type { KList, KObject } from '../../lib/api/object.js';
import type { ResourceDef, TableColumn } from '../registry/types.js';
import { AGE_COLUMN, NAME_COLUMN, ageOf } from '../resources/printers/columns.js';

/** What each row's `object` carries: `includeObject=None|Metadata|Object` (default Metadata). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

// Fallback when a kind has no printer at all: the name and the age (the brief's NAME + AGE).
const DEFAULT_COLUMNS: TableColumn[] = [NAME_COLUMN, AGE_COLUMN];

/** The columns served for a kind. */
export function columnsOf(def: ResourceDef): TableColumn[] {
  return def.tableColumns?.length && def.tableRow ? def.tableColumns : DEFAULT_COLUMNS;
}

function cellsOf(def: ResourceDef, obj: KObject, now: Date): unknown[] {
  if (def.tableColumns?.length && def.tableRow) return def.tableRow(obj, now);
  return [obj.metadata?.name ?? '', ageOf(obj, now)];
}

/** An object reduced to its metadata (meta.k8s.io PartialObjectMetadata). */
export function partialMetadata(obj: KObject, version = 'v1'): KObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata ?? {} };
}

/** A PartialObjectMetadataList of a list. */
export function partialMetadataList(list: KList, version = 'v1'): KList {
  return { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${version}`, metadata: list.metadata, items: list.items.map((o) => partialMetadata(o, version)) };
}

function rowOf(def: ResourceDef, obj: KObject, include: IncludeObject, now: Date, version: string): Record<string, unknown> {
  let cells: unknown[];
  try {
    cells = cellsOf(def, obj, now);
  } catch {
    // A printer must never turn a readable object into a 500: show what we can.
    cells = columnsOf(def).map((c, i) => (i === 0 ? obj.metadata?.name ?? '' : c.type === 'string' ? '<error>' : null));
  }
  const row: Record<string, unknown> = { cells };
  if (include === 'Object') row.object = obj;
  else if (include === 'Metadata') row.object = partialMetadata(obj, version);
  return row;
}

/** Options of one Table conversion. */
export interface TableOptions { include: IncludeObject; noHeaders?: boolean; version?: string; now?: Date }

/** A Table for a list (or for a single object when `items` has one element and `metadata` is the object's). */
export function toTable(def: ResourceDef, items: KObject[], metadata: Record<string, unknown>, opts: TableOptions): KObject {
  const now = opts.now ?? new Date();
  const version = opts.version ?? 'v1';
  const table: KObject = { kind: 'Table', apiVersion: `meta.k8s.io/${version}`, metadata };
  if (!opts.noHeaders) table.columnDefinitions = columnsOf(def).map((c) => ({ ...c, format: c.format ?? '', description: c.description ?? '' }));
  table.rows = items.map((o) => rowOf(def, o, opts.include, now, version));
  return table;
}

/** Parses `includeObject`; Kubernetes defaults to Metadata. */
export function includeObjectOf(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}
