/** Tables of configuration kinds: configmaps, secrets, service accounts, pod templates. */
import type { TableColumn } from '../../registry/types.js';
import type { KObject } from '../../../lib/api/object.js';
import type { ConfigMap, Secret, ServiceAccount, PodTemplateSpec } from '../../../lib/api/types.js';
import { formatLabels } from '../../../lib/labels/selector.js';
import { AGE_COLUMN, NAME_COLUMN, column, ageOf, nameOf } from './columns.js';

const count = (m: Record<string, unknown> | undefined) => Object.keys(m ?? {}).length;

/** ConfigMap columns. */
export const CONFIGMAP_COLUMNS: TableColumn[] = [NAME_COLUMN, column('Data', 'string', 'Data contains the configuration data.'), AGE_COLUMN];

/** One configmap row: DATA counts data and binaryData keys. */
export function configMapRow(obj: KObject, now: Date): unknown[] {
  const cm = obj as ConfigMap;
  return [nameOf(obj), count(cm.data) + count(cm.binaryData), ageOf(obj, now)];
}

/** Secret columns. */
export const SECRET_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Type', 'string', 'Used to facilitate programmatic handling of secret data.'),
  column('Data', 'string', 'Data contains the secret data.'),
  AGE_COLUMN,
];

/** One secret row. */
export function secretRow(obj: KObject, now: Date): unknown[] {
  const s = obj as Secret;
  return [nameOf(obj), s.type ?? '', count(s.data), ageOf(obj, now)];
}

/** ServiceAccount columns. */
export const SERVICE_ACCOUNT_COLUMNS: TableColumn[] = [NAME_COLUMN, column('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), AGE_COLUMN];

/** One service account row. */
export function serviceAccountRow(obj: KObject, now: Date): unknown[] {
  return [nameOf(obj), ((obj as ServiceAccount).secrets ?? []).length, ageOf(obj, now)];
}

/** PodTemplate columns. */
export const POD_TEMPLATE_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Containers', 'string', 'Names of each container in the template.'),
  column('Images', 'string', 'Images referenced by each container in the template.'),
  column('Pod Labels', 'string', 'The labels for the pod template.'),
];

/** One pod template row. */
export function podTemplateRow(obj: KObject): unknown[] {
  const t = obj.template as PodTemplateSpec | undefined;
  const cs = t?.spec?.containers ?? [];
  return [nameOf(obj), cs.map((c) => c.name ?? '').join(','), cs.map((c) => c.image ?? '').join(','), formatLabels(t?.metadata?.labels)];
}
