/**
 * Server-side printing: converts objects and lists to meta.k8s.io Table (what `kubectl get`
 * prints) and to PartialObjectMetadata, using each ResourceDef's columns and row function.
 */
import type { KList, KObject } from '../../lib/api/object.js';
import type { ResourceDef, TableColumn } from '../registry/types.js';

/** What each row's `object` carries: `includeObject=None|Metadata|Object` (default Metadata). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

// Kubernetes' fallback when a kind has no printer: the name and the age.
const DEFAULT_COLUMNS: TableColumn[] = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
  { name: 'Age', type: 'string', description: 'Time since the object was created.', priority: 0 },
];

/** Kubernetes' short human duration ("5s", "3m20s", "4h", "12d", "2y"). */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  if (d < 365 * 8) return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
  return `${y}y`;
}

/** "<age>" of an object from its creationTimestamp, "<unknown>" without one. */
export function age(obj: KObject, now: Date): string {
  const ts = obj.metadata?.creationTimestamp;
  const t = ts ? Date.parse(ts) : NaN;
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now.getTime() - t);
}

/** The columns served for a kind. */
export function columnsOf(def: ResourceDef): TableColumn[] {
  return def.tableColumns?.length && def.tableRow ? def.tableColumns : DEFAULT_COLUMNS;
}

function cellsOf(def: ResourceDef, obj: KObject, now: Date): unknown[] {
  if (def.tableColumns?.length && def.tableRow) return def.tableRow(obj, now);
  return [obj.metadata?.name ?? '', age(obj, now)];
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
