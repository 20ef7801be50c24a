/**
 * The ApiServer gRPC methods: each maps its request to the same Registry call REST makes, so
 * validation, admission and authorization are identical on both facades.
 */
import { ApiError } from '../../lib/errors.js';
import { objectFromPlain, objectToPlain } from '../../lib/api/codec.js';
import type { KList, KObject } from '../../lib/api/object.js';
import type { PlainMessage } from '../../lib/client/grpc-service.js';
import { decodePatch } from '../rest/body.js';
import { MetricsApi } from '../rest/metrics-api.js';
import { SUBJECT_ACCESS_REVIEW, reviewSubjectAccess } from './subject-access-review.js';
import type { DeleteOptions, ListOptions, PatchType, Registry, RequestContext, ResourceRef, WatchOptions } from '../registry/types.js';

/** What a resolved request target names. */
export interface Target { ref: ResourceRef; namespace: string | undefined; name: string; subresource: string | undefined }

const PATCH_TYPES: PatchType[] = ['json', 'merge', 'strategic', 'apply'];

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Resolves `target` against the registry's resources (404 for an unknown one). */
export function resolveTarget(registry: Registry, target: PlainMessage | undefined, needName: boolean): Target {
  const t = target ?? {};
  const group = str(t.group) ?? '';
  const resource = str(t.resource);
  if (!resource) throw new ApiError('BadRequest', 'target.resource: Required value');
  const def = registry.lookup(group, resource);
  if (!def) throw new ApiError('NotFound', `the server could not find the requested resource (${resource}${group ? `.${group}` : ''})`);
  const version = str(t.version) ?? def.version;
  const name = str(t.name) ?? '';
  if (needName && !name) throw new ApiError('BadRequest', 'target.name: Required value: resource name may not be empty');
  const namespace = def.namespaced ? str(t.namespace) : undefined;
  return { ref: { group: def.group, version, resource: def.resource }, namespace, name, subresource: str(t.subresource) };
}

function writeContext(base: RequestContext, options: unknown): RequestContext {
  const o = (options ?? {}) as PlainMessage;
  return { ...base, dryRun: o.dryRun === true || undefined, fieldManager: str(o.fieldManager) ?? base.fieldManager };
}

function listOptions(o: PlainMessage | undefined): ListOptions {
  const opts = o ?? {};
  return {
    labelSelector: str(opts.labelSelector), fieldSelector: str(opts.fieldSelector),
    limit: typeof opts.limit === 'number' && opts.limit > 0 ? opts.limit : undefined,
    continue: str(opts.continue), resourceVersion: str(opts.resourceVersion),
  };
}

/** Authorizes one call (Kubernetes' authorizer attributes); throws ApiError Forbidden to deny. */
export type GrpcAuthorizer = (a: { user: RequestContext['user']; verb: string; resourceRequest: true; group: string; resource: string; subresource?: string; namespace?: string; name?: string }) => Promise<void>;

/** Handlers for the unary methods: request plain message → response plain message. */
export function unaryHandlers(registry: Registry, authorize?: GrpcAuthorizer): Record<string, (ctx: RequestContext, req: PlainMessage) => Promise<PlainMessage>> {
  // resolve the target, then ask the authorizer as REST does for the same verb and resource
  const access = async (ctx: RequestContext, target: unknown, needName: boolean, verb: string, subresource?: string): Promise<Target> => {
    const t = resolveTarget(registry, target as PlainMessage, needName);
    await authorize?.({ user: ctx.user, verb, resourceRequest: true, group: t.ref.group, resource: t.ref.resource, subresource: subresource ?? t.subresource, namespace: t.namespace, name: t.name || undefined });
    return t;
  };
  const metricsApi = MetricsApi.for(registry);
  return {
    async Get(ctx, req) {
      const t = await access(ctx, req.target, true, 'get');
      return objectToPlain(await registry.get(ctx, t.ref, t.namespace, t.name, t.subresource));
    },
    async List(ctx, req) {
      const metrics = metricsTarget(req.target as PlainMessage | undefined);
      if (metrics) {
        // metrics.k8s.io is computed, not stored: the same code serves it to REST (kubectl top) and here (the HPA).
        await authorize?.({ user: ctx.user, verb: 'list', resourceRequest: true, group: METRICS_GROUP, resource: metrics.resource, namespace: metrics.namespace });
        const list = await metricsApi.serve(ctx, { kind: 'resource', verb: 'list', group: METRICS_GROUP, version: 'v1beta1', ...metrics }, str((req.options as PlainMessage | undefined)?.labelSelector));
        return listToPlain(list as unknown as KList);
      }
      const t = await access(ctx, req.target, false, 'list');
      return listToPlain(await registry.list(ctx, t.ref, t.namespace, listOptions(req.options as PlainMessage)));
    },
    async Create(ctx, req) {
      const target = req.target as PlainMessage | undefined;
      if (str(target?.group) === SUBJECT_ACCESS_REVIEW.group && str(target?.resource) === SUBJECT_ACCESS_REVIEW.resource) {
        return objectToPlain(await reviewSubjectAccess(ctx, objectFromPlain(req.object as PlainMessage), authorize));
      }
      const t = await access(ctx, req.target, !!str((req.target as PlainMessage | undefined)?.subresource), 'create');
      const obj = objectFromPlain(req.object as PlainMessage);
      return objectToPlain(await registry.create(writeContext(ctx, req.options), t.ref, t.namespace, obj, t.subresource, t.subresource ? t.name : undefined));
    },
    async Update(ctx, req) {
      const obj = objectFromPlain(req.object as PlainMessage);
      const t = await access(ctx, withName(req.target as PlainMessage, obj), true, 'update');
      return objectToPlain(await registry.update(writeContext(ctx, req.options), t.ref, t.namespace, t.name, obj, t.subresource));
    },
    async UpdateStatus(ctx, req) {
      const obj = objectFromPlain(req.object as PlainMessage);
      const t = await access(ctx, withName(req.target as PlainMessage, obj), true, 'update', 'status');
      return objectToPlain(await registry.update(writeContext(ctx, req.options), t.ref, t.namespace, t.name, obj, 'status'));
    },
    async Patch(ctx, req) {
      const t = await access(ctx, req.target, true, 'patch');
      const type = (str(req.patchType) ?? 'merge') as PatchType;
      if (!PATCH_TYPES.includes(type)) throw new ApiError('UnsupportedMediaType', `the patch type "${type}" is not supported`);
      const wctx = writeContext(ctx, req.options);
      if (type === 'apply' && !wctx.fieldManager) throw new ApiError('BadRequest', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
      const patch = decodePatch(Buffer.from(typeof req.patch === 'string' ? req.patch : '', 'base64'), type);
      return objectToPlain(await registry.patch(wctx, t.ref, t.namespace, t.name, type, patch, { force: req.force === true || undefined, fieldManager: wctx.fieldManager }, t.subresource));
    },
    async Delete(ctx, req) {
      const t = await access(ctx, req.target, true, 'delete');
      const { opts, dryRun } = deleteOptions(req);
      return objectToPlain(await registry.delete({ ...ctx, dryRun }, t.ref, t.namespace, t.name, opts));
    },
    async DeleteCollection(ctx, req) {
      const t = await access(ctx, req.target, false, 'deletecollection');
      const { opts, dryRun } = deleteOptions(req);
      return listToPlain(await registry.deleteCollection({ ...ctx, dryRun }, t.ref, t.namespace, listOptions(req.listOptions as PlainMessage), opts));
    },
    async Bind(ctx, req) {
      const binding = objectFromPlain({ binding: req.binding });
      const name = binding.metadata?.name;
      if (!name) throw new ApiError('BadRequest', 'binding.metadata.name: Required value: the pod to bind');
      const pods = await access(ctx, { group: '', resource: 'pods', namespace: req.namespace ?? binding.metadata?.namespace, name }, true, 'create', 'binding');
      const body: KObject = { apiVersion: 'v1', kind: 'Binding', ...binding };
      return objectToPlain(await registry.create(writeContext(ctx, req.options), pods.ref, pods.namespace, body, 'binding', name));
    },
  };
}

const METRICS_GROUP = 'metrics.k8s.io';

/** The metrics.k8s.io resource a List names (pods or nodes), if it names one. */
function metricsTarget(target: PlainMessage | undefined): { resource: string; namespace: string | undefined } | undefined {
  if (str(target?.group) !== METRICS_GROUP) return undefined;
  const resource = str(target?.resource);
  if (resource !== 'pods' && resource !== 'nodes') throw new ApiError('NotFound', `the server could not find the requested resource (${resource}.${METRICS_GROUP})`);
  return { resource, namespace: resource === 'pods' ? str(target?.namespace) : undefined };
}

function listToPlain(list: KList): PlainMessage {
  return { apiVersion: list.apiVersion, kind: list.kind, metadata: list.metadata, items: list.items.map(objectToPlain) };
}

function deleteOptions(req: PlainMessage): { opts: DeleteOptions; dryRun: boolean | undefined } {
  const o = (req.options ?? {}) as PlainMessage;
  const pre = (o.preconditions ?? undefined) as PlainMessage | undefined;
  const opts: DeleteOptions = {
    gracePeriodSeconds: typeof o.gracePeriodSeconds === 'number' ? o.gracePeriodSeconds : undefined,
    propagationPolicy: str(o.propagationPolicy) as DeleteOptions['propagationPolicy'],
    preconditions: pre ? { uid: str(pre.uid), resourceVersion: str(pre.resourceVersion) } : undefined,
  };
  const dryRun = req.dryRun === true || (Array.isArray(o.dryRun) && o.dryRun.includes('All'));
  return { opts, dryRun: dryRun || undefined };
}

// Update requests may name the object only in its metadata.
function withName(target: PlainMessage | undefined, obj: KObject): PlainMessage {
  const t = { ...(target ?? {}) };
  if (!str(t.name) && obj.metadata?.name) t.name = obj.metadata.name;
  if (!str(t.namespace) && obj.metadata?.namespace) t.namespace = obj.metadata.namespace;
  return t;
}

/** The watch options of a Watch request. */
export function watchRequest(registry: Registry, req: PlainMessage): { target: Target; opts: WatchOptions } {
  const target = resolveTarget(registry, req.target as PlainMessage, false);
  return {
    target,
    opts: {
      labelSelector: str(req.labelSelector),
      // a named target watches one object, as REST's ?fieldSelector=metadata.name=<name> does
      fieldSelector: [str(req.fieldSelector), target.name ? `metadata.name=${target.name}` : undefined].filter(Boolean).join(',') || undefined,
      resourceVersion: str(req.resourceVersion), allowWatchBookmarks: req.allowBookmarks === true || undefined,
      sendInitialEvents: req.sendInitialEvents === true || undefined,
    },
  };
}
