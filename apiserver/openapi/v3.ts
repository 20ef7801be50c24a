/**
 * OpenAPI v3 documents built from the served ResourceDefs. kubectl reads them to learn that the
 * server validates fields itself (the `fieldValidation` query parameter on each kind's PATCH
 * operation, tagged with x-kubernetes-group-version-kind); it then skips client-side schema
 * validation, which would need the protobuf-encoded OpenAPI v2 document we do not serve.
 */
import { createHash } from 'node:crypto';
import type { ResourceDef } from '../registry/types.js';
import { groupVersions } from '../rest/discovery.js';
import { collectKindSchemas } from './schemas.js';

/** Path of a group/version under /openapi/v3 ('api/v1', 'apis/apps/v1'). */
export function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** Query parameters every mutating operation accepts (names as in Kubernetes' spec). */
const QUERY_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'];

function gvkOf(d: ResourceDef): Record<string, string> {
  return { group: d.group, version: d.version, kind: d.kind };
}

/** The schema name Kubernetes uses for a kind (io.k8s.api.<group>.<version>.<Kind>); we use a stable equivalent. */
export function schemaName(d: ResourceDef): string {
  const g = d.group === '' ? 'core' : d.group.split('.')[0];
  return `io.k8s.api.${g}.${d.version}.${d.kind}`;
}

function itemPath(d: ResourceDef): string {
  const base = `/${gvPath(d.group, d.version)}`;
  return d.namespaced ? `${base}/namespaces/{namespace}/${d.resource}/{name}` : `${base}/${d.resource}/{name}`;
}

function operation(d: ResourceDef, action: string, schemaRef: string): Record<string, unknown> {
  return {
    description: `${action} the specified ${d.kind}`,
    operationId: `${action}${d.kind}`,
    parameters: QUERY_PARAMS.map((name) => ({ name, in: 'query', description: name, schema: { type: 'string', uniqueItems: true } })),
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: schemaRef } } } } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvkOf(d),
  };
}

/** A kind's schema: its modelled fields (schemas.ts) or, for kinds the model lacks, the common header. */
function kindSchema(d: ResourceDef, schemas: Record<string, unknown>): Record<string, unknown> {
  const modelled = collectKindSchemas(d.kind, schemas as Record<string, Record<string, unknown>>);
  const base = modelled
    ? { ...(schemas[modelled] as Record<string, unknown>) }
    : {
      type: 'object',
      properties: {
        apiVersion: { description: 'APIVersion defines the versioned schema of this representation of an object.', type: 'string' },
        kind: { description: 'Kind is a string value representing the REST resource this object represents.', type: 'string' },
        metadata: { description: "Standard object's metadata.", type: 'object' },
      },
    };
  return { description: `${d.kind} (${d.group || 'core'}/${d.version}) as kubesim models it.`, ...base, 'x-kubernetes-group-version-kind': [gvkOf(d)] };
}

/** The OpenAPI v3 document of one group/version, or undefined when it is not served. */
export function openApiV3Document(defs: ResourceDef[], group: string, version: string): Record<string, unknown> | undefined {
  const mine = defs.filter((d) => d.group === group && d.version === version);
  if (mine.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const d of mine) {
    const ref = `#/components/schemas/${schemaName(d)}`;
    paths[itemPath(d)] = {
      get: operation(d, 'get', ref),
      put: operation(d, 'put', ref),
      patch: { ...operation(d, 'patch', ref), requestBody: { content: { 'application/merge-patch+json': { schema: { type: 'object' } } } } },
      parameters: [
        { name: 'name', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } },
        ...(d.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } }] : []),
      ],
    };
    schemas[schemaName(d)] = kindSchema(d, schemas);
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0-kubesim' },
    paths,
    components: { schemas },
  };
}

/** `/openapi/v3`: the index of group/version documents with content hashes (clients cache by hash). */
export function openApiV3Index(defs: ResourceDef[]): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [g, versions] of groupVersions(defs)) {
    for (const v of versions) {
      const doc = openApiV3Document(defs, g, v);
      const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 64).toUpperCase();
      paths[gvPath(g, v)] = { serverRelativeURL: `/openapi/v3/${gvPath(g, v)}?hash=${hash}` };
    }
  }
  return { paths };
}
