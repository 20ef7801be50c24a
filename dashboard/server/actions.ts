/**
 * What the page asks the apiserver to do, only when the user asks: read an object as YAML,
 * apply YAML (create, or update when it carries a resourceVersion, or merge-patch when it already
 * exists), scale, delete. Errors are the apiserver's own ApiErrors, so the page can show its
 * validation causes next to the fields they name.
 */
import { parseAllDocuments, stringify } from 'yaml';
import type { KObject } from '../../lib/api/object.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import { ApiError, isApiError } from '../../lib/errors.js';
import { KINDS, kindInfo, targetOf } from './kinds.js';

/** Field manager recorded on the dashboard's writes. */
export const FIELD_MANAGER = 'kubesim-dashboard';

/** One applied object and what happened to it. */
export interface ApplyResult { kind: string; namespace?: string; name: string; action: 'created' | 'updated' | 'configured' }

/** Parses YAML text (one or more documents) into objects; syntax errors are BadRequest with the line. */
export function parseManifests(text: string): KObject[] {
  if (typeof text !== 'string' || !text.trim()) throw new ApiError('BadRequest', 'the manifest is empty');
  const docs = parseAllDocuments(text);
  const out: KObject[] = [];
  for (const d of docs) {
    if (d.errors.length) {
      const e = d.errors[0];
      throw new ApiError('BadRequest', `YAML error at line ${(e.linePos?.[0]?.line ?? 0)}: ${e.message.split('\n')[0]}`);
    }
    const obj = d.toJS() as unknown;
    if (obj === null || obj === undefined) continue;
    if (typeof obj !== 'object' || Array.isArray(obj)) throw new ApiError('BadRequest', 'each YAML document must be an object with apiVersion, kind and metadata');
    out.push(obj as KObject);
  }
  if (!out.length) throw new ApiError('BadRequest', 'the manifest has no objects');
  return out;
}

/** Applies one object (see module doc). */
export async function applyObject(client: ApiClient, obj: KObject, defaultNamespace = 'default'): Promise<ApplyResult> {
  const name = obj.metadata?.name;
  const t = targetOf(obj.kind, obj.metadata?.namespace ?? defaultNamespace);
  const ns = t.namespaced ? t.namespace : undefined;
  const body: KObject = { ...obj, metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}) } };
  const result = (action: ApplyResult['action'], o: KObject): ApplyResult => ({ kind: obj.kind!, namespace: ns, name: o.metadata?.name ?? name ?? '', action });
  if (name && obj.metadata?.resourceVersion) {
    return result('updated', await client.update(t, body, { fieldManager: FIELD_MANAGER }));
  }
  // Validation runs before the existence check on create, so look first (as kubectl apply does).
  const exists = name ? await client.get({ ...t, name }).then(() => true, (err) => { if (isApiError(err, 'NotFound')) return false; throw err; }) : false;
  if (exists) return result('configured', await client.patch({ ...t, name: name! }, 'merge', body, { fieldManager: FIELD_MANAGER }));
  return result('created', await client.create(t, body, { fieldManager: FIELD_MANAGER }));
}

/** Applies every document of a manifest in order; stops at the first error. */
export async function applyManifest(client: ApiClient, text: string, defaultNamespace?: string): Promise<ApplyResult[]> {
  const out: ApplyResult[] = [];
  for (const obj of parseManifests(text)) out.push(await applyObject(client, obj, defaultNamespace));
  return out;
}

/** Sets spec.replicas of a scalable workload. */
export async function scale(client: ApiClient, kind: string, namespace: string, name: string, replicas: unknown): Promise<KObject> {
  if (!kindInfo(kind).scalable) throw new ApiError('BadRequest', `${kind} cannot be scaled`);
  if (!Number.isInteger(replicas) || (replicas as number) < 0) {
    throw new ApiError('Invalid', `${kind}.apps "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be a non-negative integer`,
      { kind, name, causes: [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'must be a non-negative integer' }] });
  }
  return client.patch({ ...targetOf(kind, namespace), name }, 'merge', { spec: { replicas } }, { fieldManager: FIELD_MANAGER });
}

/** Deletes an object (background propagation, as kubectl delete). */
export async function deleteObject(client: ApiClient, kind: string, namespace: string | undefined, name: string): Promise<void> {
  await client.delete({ ...targetOf(kind, namespace), name }, { propagationPolicy: 'Background' });
}

/** The object as YAML without managedFields (noise for a reader), and the object itself. */
export async function getObject(client: ApiClient, kind: string, namespace: string | undefined, name: string): Promise<{ yaml: string; object: KObject }> {
  const obj = await client.get({ ...targetOf(kind, namespace), name });
  const shown = structuredClone(obj);
  if (shown.metadata) delete shown.metadata.managedFields;
  return { yaml: stringify({ apiVersion: shown.apiVersion, kind: shown.kind ?? kind, ...shown }), object: obj };
}

/** Names of the kinds the page can create/edit. */
export function knownKinds(): string[] { return Object.keys(KINDS); }
