/**
 * ConfigMaps, Secrets, ServiceAccounts and PodTemplates: key rules, base64 data, stringData
 * folded into data (as the API server does), per-type required keys, `immutable`, tables.
 */
import type { KObject } from '../../../lib/api/object.js';
import type { ConfigMap, Secret, ServiceAccount, PodTemplateSpec } from '../../../lib/api/types.js';
import type { FieldError } from '../../../lib/errors.js';
import type { KindBehaviour } from '../define.js';
import { isConfigMapKey } from '../../../lib/labels/validation.js';
import { defaultPodTemplate, validatePodTemplate } from '../common/pod-spec.js';
import { forbidden, invalidIf, invalidValue, jsonEqual, required, tooLong, FIELD_IMMUTABLE } from '../common/field.js';
import { CONFIGMAP_COLUMNS, configMapRow, SECRET_COLUMNS, secretRow, SERVICE_ACCOUNT_COLUMNS, serviceAccountRow, POD_TEMPLATE_COLUMNS, podTemplateRow } from '../printers/config.js';

const MAX_SIZE = 1024 * 1024;
const IMMUTABLE_MSG = 'field is immutable when `immutable` is set';
/** Shown instead of secret values in errors. */
export const REDACTED = '<secret contents redacted>';

/** Where a base64 string stops being valid (Go's "illegal base64 data at input byte N"), or -1. */
export function base64ErrorAt(s: string): number {
  const clean = s.replace(/[\r\n]/g, '');
  const m = /^[A-Za-z0-9+/]*/.exec(clean)![0].length;
  const rest = clean.slice(m);
  if (rest === '' ) return clean.length % 4 === 0 ? -1 : clean.length - (clean.length % 4);
  if (/^={1,2}$/.test(rest) && clean.length % 4 === 0) return -1;
  return m;
}

function validateKeys(maps: [string, Record<string, string> | undefined][]): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let size = 0;
  for (const [path, m] of maps) {
    for (const [k, v] of Object.entries(m ?? {})) {
      errs.push(...invalidIf(`${path}[${k}]`, k, isConfigMapKey(k)));
      if (seen.has(k)) errs.push(invalidValue(`${path}[${k}]`, k, `duplicate of key present in ${maps[0][0]}`));
      seen.add(k);
      size += k.length + String(v ?? '').length;
    }
  }
  if (size > MAX_SIZE) errs.push(tooLong('', '', MAX_SIZE));
  return errs;
}

function immutableChanges(obj: KObject, old: KObject, fields: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(forbidden('immutable', IMMUTABLE_MSG));
  for (const f of fields) if (!jsonEqual(obj[f] ?? {}, old[f] ?? {})) errs.push(forbidden(f, IMMUTABLE_MSG));
  return errs;
}

function validateConfigMap(obj: KObject): FieldError[] {
  const cm = obj as ConfigMap;
  return validateKeys([['data', cm.data], ['binaryData', cm.binaryData]]);
}

/** ConfigMap behaviour. */
export const configMaps: KindBehaviour = {
  validateCreate: validateConfigMap,
  validateUpdate: (obj, old) => [...validateConfigMap(obj), ...immutableChanges(obj, old, ['data', 'binaryData'])],
  tableColumns: CONFIGMAP_COLUMNS,
  tableRow: configMapRow,
};

/** Keys a Secret of a given type must carry. */
const REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

function validateSecret(obj: KObject): FieldError[] {
  const s = obj as Secret;
  const errs = validateKeys([['data', s.data]]);
  for (const [k, v] of Object.entries(s.data ?? {})) {
    const at = typeof v === 'string' ? base64ErrorAt(v) : 0;
    if (at >= 0) errs.push(invalidValue(`data[${k}]`, REDACTED, `illegal base64 data at input byte ${at}`));
  }
  const data = s.data ?? {};
  const type = s.type ?? 'Opaque';
  for (const k of REQUIRED_KEYS[type] ?? []) if (!(k in data)) errs.push(required(`data[${k}]`));
  if (type === 'kubernetes.io/service-account-token' && !s.metadata?.annotations?.['kubernetes.io/service-account.name']) {
    errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
  }
  if (type === 'kubernetes.io/basic-auth' && !('username' in data) && !('password' in data)) errs.push(required('data[username]'), required('data[password]'));
  return errs;
}

/** Secret behaviour. */
export const secrets: KindBehaviour = {
  defaults(obj) {
    const s = obj as Secret;
    s.type ||= 'Opaque';
    // stringData is write-only: the API server folds it into data (stringData wins).
    if (s.stringData) {
      s.data ??= {};
      for (const [k, v] of Object.entries(s.stringData)) s.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      delete s.stringData;
    }
  },
  validateCreate: validateSecret,
  validateUpdate(obj, old) {
    const errs = [...validateSecret(obj), ...immutableChanges(obj, old, ['data'])];
    if ((obj as Secret).type !== (old as Secret).type) errs.push(invalidValue('type', (obj as Secret).type, FIELD_IMMUTABLE));
    return errs;
  },
  fieldValues: (obj) => ({ type: (obj as Secret).type ?? '' }),
  tableColumns: SECRET_COLUMNS,
  tableRow: secretRow,
};

/** ServiceAccount behaviour. */
export const serviceAccounts: KindBehaviour = {
  validateCreate: (obj) => ((obj as ServiceAccount).secrets ?? []).flatMap((r, i) => (r.name ? [] : [required(`secrets[${i}].name`)])),
  tableColumns: SERVICE_ACCOUNT_COLUMNS,
  tableRow: serviceAccountRow,
};

/** PodTemplate behaviour. */
export const podTemplates: KindBehaviour = {
  defaults: (obj) => defaultPodTemplate(obj.template as PodTemplateSpec | undefined),
  validateCreate: (obj) => validatePodTemplate(obj.template as PodTemplateSpec | undefined, 'template'),
  validateUpdate: (obj) => validatePodTemplate(obj.template as PodTemplateSpec | undefined, 'template'),
  tableColumns: POD_TEMPLATE_COLUMNS,
  tableRow: (obj) => podTemplateRow(obj),
};
