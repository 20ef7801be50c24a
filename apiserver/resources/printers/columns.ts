/**
 * Table column definitions shared by the printers (meta.k8s.io/v1 TableColumnDefinition),
 * named and described as Kubernetes' printers.go does; kubectl upper-cases the names.
 */
import type { TableColumn } from '../../registry/types.js';
import type { KObject } from '../../../lib/api/object.js';
import { since } from './duration.js';

/** The NAME column (format "name" tells kubectl it may prefix `kind/`). */
export const NAME_COLUMN: TableColumn = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 };

/** The AGE column. */
export const AGE_COLUMN: TableColumn = { name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 };

/** A column; priority 1 = shown only with `-o wide`. */
export function column(name: string, type: TableColumn['type'], description: string, priority = 0): TableColumn {
  return { name, type, description, priority };
}

/** Columns of the default table (kinds without a printer): NAME, CREATED AT. */
export const DEFAULT_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  { name: 'Created At', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
];

/** The default row: name and creationTimestamp. */
export function defaultRow(obj: KObject): unknown[] {
  return [obj.metadata?.name ?? '', obj.metadata?.creationTimestamp ?? ''];
}

/** The object's name. */
export function nameOf(obj: KObject): string {
  return obj.metadata?.name ?? '';
}

/** The AGE cell of an object at `now`. */
export function ageOf(obj: KObject, now: Date): string {
  return since(obj.metadata?.creationTimestamp, now);
}
