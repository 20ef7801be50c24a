/**
 * Container environment validation (Kubernetes validateEnv / validateEnvFrom): names, exactly one
 * value source, the downward-API fields and resources a variable may refer to, key references.
 */
import type { FieldError } from '../../../lib/errors.js';
import type { EnvVar, EnvFromSource } from '../../../lib/api/types.js';
import { isConfigMapKey, isEnvVarName } from '../../../lib/labels/validation.js';
import { invalidIf, invalidValue, notSupported, required } from './field.js';

/** Pod fields an env var may take through `valueFrom.fieldRef` (labels/annotations also by key). */
export const ENV_FIELD_PATHS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
/** Container resources an env var may take through `valueFrom.resourceFieldRef`. */
export const ENV_RESOURCES = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

const LABEL_OR_ANNOTATION_KEY = /^metadata\.(labels|annotations)\['[^']+'\]$/;

function validateValueFrom(e: EnvVar, path: string): FieldError[] {
  const from = e.valueFrom;
  if (!from) return [];
  const sources = (['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'] as const).filter((k) => from[k] != null);
  if (sources.length === 0) return [invalidValue(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`')];
  if (sources.length > 1) return [invalidValue(path, '', 'may not have more than one field specified at a time')];
  const errs: FieldError[] = [];
  if (e.value) errs.push(invalidValue(path, '', 'may not be specified when `value` is not empty'));
  const fieldPath = from.fieldRef?.fieldPath;
  if (from.fieldRef) {
    if (!fieldPath) errs.push(required(`${path}.fieldRef.fieldPath`));
    else if (!ENV_FIELD_PATHS.includes(fieldPath) && !LABEL_OR_ANNOTATION_KEY.test(fieldPath)) {
      errs.push(notSupported(`${path}.fieldRef.fieldPath`, fieldPath, ENV_FIELD_PATHS));
    }
  }
  const resource = from.resourceFieldRef?.resource;
  if (from.resourceFieldRef) {
    if (!resource) errs.push(required(`${path}.resourceFieldRef.resource`));
    else if (!ENV_RESOURCES.includes(resource)) errs.push(notSupported(`${path}.resourceFieldRef.resource`, resource, ENV_RESOURCES));
  }
  for (const k of ['configMapKeyRef', 'secretKeyRef'] as const) {
    const ref = from[k];
    if (!ref) continue;
    if (!ref.name) errs.push(required(`${path}.${k}.name`));
    if (!ref.key) errs.push(required(`${path}.${k}.key`));
    else errs.push(...invalidIf(`${path}.${k}.key`, ref.key, isConfigMapKey(ref.key)));
  }
  return errs;
}

/** Validates `env` and `envFrom` of one container at `path` (e.g. `spec.containers[0]`). */
export function validateEnv(env: EnvVar[] | undefined, envFrom: EnvFromSource[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((e, j) => {
    const p = `${path}.env[${j}]`;
    if (!e.name) errs.push(required(`${p}.name`));
    else errs.push(...invalidIf(`${p}.name`, e.name, isEnvVarName(e.name)));
    errs.push(...validateValueFrom(e, `${p}.valueFrom`));
  });
  (envFrom ?? []).forEach((f, j) => {
    const p = `${path}.envFrom[${j}]`;
    if (f.prefix) errs.push(...invalidIf(`${p}.prefix`, f.prefix, isEnvVarName(f.prefix)));
    const refs = (['configMapRef', 'secretRef'] as const).filter((k) => f[k] != null);
    if (refs.length !== 1) errs.push(invalidValue(p, '', 'must specify one of: `configMapRef` or `secretRef`'));
    for (const k of refs) if (!f[k]!.name) errs.push(required(`${p}.${k}.name`));
  });
  return errs;
}
