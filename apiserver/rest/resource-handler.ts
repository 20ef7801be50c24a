/**
 * Serves one resource request (verb + resource path) against the Registry: checks the path
 * against the ResourceDef, decodes and checks bodies, calls the registry, encodes the answer
 * (object, Table or PartialObjectMetadata; watch streams).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KList, KObject } from '../../lib/api/object.js';
import { ApiError } from '../../lib/errors.js';
import type { RequestContext, Registry, ResourceDef, ResourceRef, WatchEvent } from '../registry/types.js';
import { decodeObject, decodePatch, patchTypeOf, readBody } from './body.js';
import { groupVersion, subresourceInfo } from './discovery.js';
import { negotiateRepresentation, type Representation } from './negotiate.js';
import { deleteOptions, dryRun, listOptions, watchOptions } from './options.js';
import type { ResourceRequest } from './request-info.js';
import { isTrue } from './request-info.js';
import { sendJson } from './respond.js';
import { includeObjectOf, partialMetadata, partialMetadataList, toTable } from './table.js';
import { serveWatch, sharedEventLine } from './watch.js';
import { kubeletAddress, kubeletPath, proxyLog } from './kubelet-proxy.js';
import { fieldValidationOf, validateFields } from './field-validation.js';
import { handOver } from '../registry/context.js';

/** Subresources served by a kubelet: proxied to the pod's node (kubelet-proxy.ts). */
export const KUBELET_SUBRESOURCES = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

/** Everything a resource request needs. */
export interface ResourceCall {
  registry: Registry;
  req: IncomingMessage;
  res: ServerResponse;
  info: ResourceRequest;
  query: URLSearchParams;
  ctx: RequestContext;
  /** Aborts on server shutdown (ends watches). */
  shutdown?: AbortSignal;
}

const notFoundPath = () => new ApiError('NotFound', 'the server could not find the requested resource');

/** Resolves the ResourceDef and the namespace the registry should see; 404 for paths Kubernetes would not serve. */
export function resolveResource(registry: Registry, info: ResourceRequest): { def: ResourceDef; namespace: string | undefined } {
  const def = registry.lookup(info.group, info.resource, info.version);
  if (!def || def.version !== info.version) throw notFoundPath();
  if (info.subresource !== undefined && !(def.subresources ?? []).includes(info.subresource)) throw notFoundPath();
  if (!def.namespaced) {
    // `/namespaces/<ns>` is the namespace object itself; any other cluster-scoped kind under a namespace is not a path.
    if (info.namespace !== undefined && info.resource !== 'namespaces') throw notFoundPath();
    return { def, namespace: undefined };
  }
  return { def, namespace: info.namespace };
}

/** Serves the request; returns the HTTP status sent. */
export async function serveResource(call: ResourceCall): Promise<number> {
  const { registry, info, query } = call;
  const { def, namespace } = resolveResource(registry, info);
  const ref: ResourceRef = { group: def.group, version: def.version, resource: def.resource };
  const sub = info.subresource;
  if (sub && KUBELET_SUBRESOURCES.has(sub)) return serveKubeletSubresource(call, ref, namespace);
  const rep = negotiateRepresentation(call.req.headers.accept);
  const { ctx, res } = call;
  switch (info.verb) {
    case 'get': {
      const obj = await registry.get(ctx, ref, namespace, info.name!, sub);
      return reply(res, 200, sub ? obj : present(def, obj, rep, query));
    }
    case 'list': {
      if (sub) throw notFoundPath();
      const list = await registry.list(ctx, ref, namespace, listOptions(query));
      return reply(res, 200, presentList(def, list, rep, query));
    }
    case 'watch': return watch(call, def, ref, namespace, rep);
    case 'create': return create(call, def, ref, namespace);
    case 'update': {
      if (!info.name) throw new ApiError('MethodNotAllowed', 'PUT is not supported on a collection');
      ctx.dryRun = dryRun(query);
      const directive = fieldValidationOf(query, 'UpdateOptions');
      const raw = await readBody(call.req);
      const contentType = call.req.headers['content-type'];
      const obj = checkBody(decodeObject(raw, contentType), def, sub, namespace, info.name);
      if (!sub || sub === 'status') validateFields(res, directive, def, def.kind, { obj, raw, contentType });
      // Decoded for this request only: the registry may keep it instead of copying it.
      const updated = await registry.update(ctx, ref, namespace, info.name, handOver(obj), sub);
      if (ctx.warnings?.length) addWarnings(res, ctx.warnings);
      return reply(res, 200, updated);
    }
    case 'patch': {
      if (!info.name) throw new ApiError('MethodNotAllowed', 'PATCH is not supported on a collection');
      const type = patchTypeOf(call.req.headers['content-type']);
      ctx.dryRun = dryRun(query);
      if (type === 'apply' && !ctx.fieldManager) throw new ApiError('BadRequest', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
      const directive = fieldValidationOf(query, 'PatchOptions');
      const raw = await readBody(call.req);
      const patch = decodePatch(raw, type);
      if (type !== 'json') checkPatchShape(patch as Record<string, unknown>, sub ? subresourceInfo(def, sub).kind : def.kind);
      if (!sub && type !== 'json') validateFields(res, directive, def, def.kind, { obj: patch, raw, contentType: type === 'apply' ? 'application/yaml' : 'application/json' }, true);
      const force = isTrue(query.get('force'));
      if (query.has('force') && type !== 'apply') throw new ApiError('BadRequest', 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
      const patched = await registry.patch(ctx, ref, namespace, info.name, type, patch, { force, fieldManager: ctx.fieldManager }, sub);
      if (ctx.warnings?.length) addWarnings(res, ctx.warnings);
      return reply(res, 200, patched);
    }
    case 'delete': case 'deletecollection': {
      if (sub) throw new ApiError('MethodNotAllowed', `DELETE is not supported on the ${sub} subresource`);
      ctx.dryRun = dryRun(query);
      const raw = await readBody(call.req);
      const body = raw.toString('utf8').trim() ? decodeObject(raw, call.req.headers['content-type']) : undefined;
      const opts = deleteOptions(body, query);
      if (info.verb === 'deletecollection') return reply(res, 200, await registry.deleteCollection(ctx, ref, namespace, listOptions(query), opts));
      const gone = await registry.delete(ctx, ref, namespace, info.name!, opts);
      // Kubernetes answers 200 with the object also while its deletion is pending (a namespace
      // terminating, a pod's grace period, finalizers); 202 only when that pending deletion was
      // asked with orphanDependents=false (kept so as not to break clients).
      const pending = Boolean(gone.metadata?.deletionTimestamp) && gone.kind !== 'Status';
      const noOrphans = (body as { orphanDependents?: unknown } | undefined)?.orphanDependents === false || query.get('orphanDependents') === 'false';
      return reply(res, pending && noOrphans ? 202 : 200, gone);
    }
    default: throw new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }
}

/** Appends `Warning: 299 - "<text>"` headers (after any field-validation warnings already set). */
function addWarnings(res: ServerResponse, warnings: string[]): void {
  const prev = res.getHeader('Warning');
  const before = prev === undefined ? [] : Array.isArray(prev) ? prev : [String(prev)];
  res.setHeader('Warning', [...before, ...warnings.map((w) => `299 - ${JSON.stringify(w)}`)]);
}

function reply(res: ServerResponse, code: number, body: unknown): number {
  sendJson(res, code, body);
  return code;
}

function present(def: ResourceDef, obj: KObject, rep: Representation, q: URLSearchParams): unknown {
  if (rep.as === 'Table') return toTable(def, [obj], { resourceVersion: obj.metadata?.resourceVersion ?? '' }, { include: includeObjectOf(q), version: rep.version });
  if (rep.as === 'PartialObjectMetadata') return partialMetadata(obj, rep.version);
  return obj;
}

function presentList(def: ResourceDef, list: KList, rep: Representation, q: URLSearchParams): unknown {
  if (rep.as === 'Table') return toTable(def, list.items, list.metadata as Record<string, unknown>, { include: includeObjectOf(q), version: rep.version });
  if (rep.as === 'PartialObjectMetadata') return partialMetadataList(list, rep.version);
  return list;
}

async function watch(call: ResourceCall, def: ResourceDef, ref: ResourceRef, namespace: string | undefined, rep: Representation): Promise<number> {
  const { registry, info, query, ctx } = call;
  if (info.subresource) throw notFoundPath();
  const opts = watchOptions(query);
  if (info.name) {
    // Watching one object is a watch of the collection narrowed to that name.
    const byName = `metadata.name=${info.name}`;
    opts.fieldSelector = opts.fieldSelector ? `${opts.fieldSelector},${byName}` : byName;
  }
  const include = includeObjectOf(query);
  let headersSent = false;
  const encode = (ev: WatchEvent): string => {
    if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') return JSON.stringify(ev);
    if (rep.as === 'object') return sharedEventLine(ev);
    if (rep.as === 'PartialObjectMetadata') return JSON.stringify({ type: ev.type, object: partialMetadata(ev.object, rep.version) });
    const table = toTable(def, [ev.object], { resourceVersion: ev.object.metadata?.resourceVersion ?? '' }, { include, version: rep.version, noHeaders: headersSent });
    headersSent = true;
    return JSON.stringify({ type: ev.type, object: table });
  };
  return serveWatch(call.res, {
    open: (signal) => registry.watch({ ...ctx, signal }, ref, namespace, opts, signal),
    encode,
    timeoutSeconds: opts.timeoutSeconds,
    shutdown: call.shutdown,
  });
}

async function create(call: ResourceCall, def: ResourceDef, ref: ResourceRef, namespace: string | undefined): Promise<number> {
  const { registry, info, query, ctx } = call;
  ctx.dryRun = dryRun(query);
  if (info.name && !info.subresource) throw new ApiError('MethodNotAllowed', `POST is not supported on a named ${def.resource}: post to the collection instead`);
  const directive = fieldValidationOf(query, 'CreateOptions');
  const raw = await readBody(call.req);
  const contentType = call.req.headers['content-type'];
  const obj = checkBody(decodeObject(raw, contentType), def, info.subresource, namespace, info.subresource ? info.name : undefined);
  if (!info.subresource) validateFields(call.res, directive, def, def.kind, { obj, raw, contentType });
  // Decoded for this request only: the registry may keep it instead of copying it.
  const created = await registry.create(ctx, ref, namespace, handOver(obj), info.subresource, info.name);
  if (ctx.warnings?.length) addWarnings(call.res, ctx.warnings);
  return reply(call.res, 201, created);
}

/**
 * Checks a request body against the URL: kind/apiVersion (filled in when absent), namespace and
 * name. Mismatches are 400 BadRequest as in Kubernetes.
 */
export function checkBody(body: Record<string, unknown>, def: ResourceDef, sub: string | undefined, namespace: string | undefined, name: string | undefined): KObject {
  const expected = sub ? subresourceInfo(def, sub) : { kind: def.kind, group: def.group, version: def.version };
  const gv = groupVersion(expected.group ?? def.group, expected.version ?? def.version);
  const obj = body as KObject;
  if (obj.apiVersion !== undefined && typeof obj.apiVersion !== 'string') throw new ApiError('BadRequest', 'apiVersion must be a string');
  if (obj.kind !== undefined && typeof obj.kind !== 'string') throw new ApiError('BadRequest', 'kind must be a string');
  const gvOk = obj.apiVersion === undefined || obj.apiVersion === '' || obj.apiVersion === gv || (sub === 'eviction' && obj.apiVersion === 'policy/v1beta1');
  if (!gvOk) throw new ApiError('BadRequest', `the API version in the data (${obj.apiVersion}) does not match the expected API version (${gv})`);
  if (obj.kind && obj.kind !== expected.kind) {
    throw new ApiError('BadRequest', `${obj.kind} in version "${obj.apiVersion ?? gv}" cannot be handled as a ${expected.kind}: the kind in the data (${obj.kind}) does not match the expected kind (${expected.kind})`);
  }
  obj.apiVersion = obj.apiVersion || gv;
  obj.kind = obj.kind || expected.kind;
  checkStructure(obj, expected.kind);
  const meta = obj.metadata ?? (obj.metadata = {});
  if (def.namespaced && namespace !== undefined) {
    if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
      throw new ApiError('BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    }
    if (!sub || sub === 'status' || sub === 'scale') meta.namespace = namespace;
  }
  if (name !== undefined && meta.name !== undefined && meta.name !== name) {
    throw new ApiError('BadRequest', `the name of the object (${meta.name}) does not match the name on the URL (${name})`);
  }
  if (name !== undefined && !meta.name) meta.name = name;
  return obj;
}

const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The type checks Kubernetes' JSON decoder does before any validation: metadata/spec/status are
 * objects, and metadata's well-known fields have their Go types. null means "absent", as in Go.
 */
function checkStructure(obj: KObject, kind: string): void {
  const typeError = (field: string, want: string, v: unknown) => new ApiError('BadRequest',
    `${kind} in version "${obj.apiVersion ?? ''}" cannot be handled as a ${kind}: json: cannot unmarshal ${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v} into Go struct field ${kind}.${field} of type ${want}`);
  for (const field of ['metadata', 'spec', 'status']) {
    const v = obj[field];
    if (v === null) delete obj[field];
    else if (v !== undefined && !isObject(v)) throw typeError(field, 'object', v);
  }
  const meta = (obj.metadata ?? {}) as Record<string, unknown>;
  for (const f of ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp']) {
    if (meta[f] === null) delete meta[f];
    else if (meta[f] !== undefined && typeof meta[f] !== 'string') throw typeError(`metadata.${f}`, 'string', meta[f]);
  }
  for (const f of ['labels', 'annotations']) {
    const m = meta[f];
    if (m === null) { delete meta[f]; continue; }
    if (m === undefined) continue;
    if (!isObject(m)) throw typeError(`metadata.${f}`, 'map[string]string', m);
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) if (typeof v !== 'string') throw typeError(`metadata.${f}[${JSON.stringify(k)}]`, 'string', v);
  }
  for (const f of ['finalizers', 'ownerReferences', 'managedFields']) {
    if (meta[f] === null) delete meta[f];
    else if (meta[f] !== undefined && !Array.isArray(meta[f])) throw typeError(`metadata.${f}`, 'array', meta[f]);
  }
}

/**
 * The decoder's type checks for merge/strategic/apply patches: a patch that would make metadata,
 * spec or status a non-object (or kind/apiVersion a non-string) is a 400, as decoding the patched
 * object fails in Kubernetes. null stays allowed: in a merge patch it deletes the field.
 */
function checkPatchShape(patch: Record<string, unknown>, kind: string): void {
  const bad = (field: string, want: string, v: unknown) => new ApiError('BadRequest',
    `${kind} cannot be patched: json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field ${kind}.${field} of type ${want}`);
  for (const f of ['apiVersion', 'kind']) if (patch[f] != null && typeof patch[f] !== 'string') throw bad(f, 'string', patch[f]);
  for (const f of ['metadata', 'spec', 'status']) if (patch[f] != null && !isObject(patch[f])) throw bad(f, 'object', patch[f]);
  const meta = (patch.metadata ?? {}) as Record<string, unknown>;
  for (const f of ['labels', 'annotations']) {
    const m = meta[f];
    if (m == null) continue;
    if (!isObject(m)) throw bad(`metadata.${f}`, 'map[string]string', m);
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) if (v !== null && typeof v !== 'string') throw bad(`metadata.${f}[${JSON.stringify(k)}]`, 'string', v);
  }
}

async function serveKubeletSubresource(call: ResourceCall, ref: ResourceRef, namespace: string | undefined): Promise<number> {
  const { registry, info, ctx, query } = call;
  const pod = await registry.get(ctx, ref, namespace, info.name!);
  if (info.subresource === 'log') {
    const path = kubeletPath(info, pod, query);
    return proxyLog(call.res, await kubeletAddress(registry, ctx, pod), path, ctx.signal ?? new AbortController().signal);
  }
  if (info.subresource === 'proxy') throw new ApiError('Unavailable', 'the pods/proxy subresource is not served by kubesim');
  // exec, attach, portforward arrive as HTTP upgrades (server.ts routes those to the tunnel).
  throw new ApiError('BadRequest', 'Upgrade request required');
}
