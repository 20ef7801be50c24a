/**
 * Contracts between the apiserver's parts. The registry (validation, defaulting, admission,
 * storage, watch cache) is served by two facades: REST (apiserver/rest/) and gRPC (apiserver/grpc/).
 * Per-kind behaviour lives in ResourceDefs (apiserver/resources/), registered by resource name.
 */
import type { KObject, KList } from '../../lib/api/object.js';
import type { FieldError } from '../../lib/errors.js';

/** Who is asking (filled by the authentication chain). */
export interface UserInfo { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> }

/** Per-request context passed from a facade to the registry. */
export interface RequestContext {
  user: UserInfo;
  /** `dryRun=All`: run everything but do not persist. */
  dryRun?: boolean;
  /** `fieldManager` query parameter (server-side apply, managedFields). */
  fieldManager?: string;
  signal?: AbortSignal;
  /** Warnings for the client (admission fills it; REST sends them as `Warning` headers kubectl prints). */
  warnings?: string[];
}

/** Names a resource as the API does: group ('' = core), version, plural resource. */
export interface ResourceRef { group: string; version: string; resource: string }

/** Query options of a list (labelSelector, fieldSelector, limit/continue paging). */
export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

/** Query options of a watch. */
export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Resume after this revision; '' or '0' = start with the current state as ADDED events. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** Send synthetic ADDED events for the current state first (kubectl get --watch without rv). */
  sendInitialEvents?: boolean;
}

/** Types of watch events, as Kubernetes' watch.EventType. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
/** One watch event; BOOKMARK objects carry only kind/apiVersion and metadata.resourceVersion. */
export interface WatchEvent { type: WatchEventType; object: KObject }

/** Options of a delete (meta/v1 DeleteOptions). */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** PATCH content types: json-patch, merge-patch, strategic-merge-patch, apply-patch (server-side apply). */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** Options of a patch (server-side apply force and field manager). */
export interface PatchOptions { force?: boolean; fieldManager?: string }

/** The registry both facades call. Every method validates, admits and authorizes the same way. */
export interface Registry {
  /** Every resource served (for discovery and routing). */
  resources(): ResourceDef[];
  lookup(group: string, resource: string, version?: string): ResourceDef | undefined;
  get(ctx: RequestContext, ref: ResourceRef, namespace: string | undefined, name: string, subresource?: string): Promise<KObject>;
  list(ctx: RequestContext, ref: ResourceRef, namespace: string | undefined, opts: ListOptions): Promise<KList>;
  /** Events until `signal` aborts; throws ApiError Gone when the revision is compacted. */
  watch(ctx: RequestContext, ref: ResourceRef, namespace: string | undefined, opts: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent>;
  create(ctx: RequestContext, ref: ResourceRef, namespace: string | undefined, obj: KObject, subresource?: string, parentName?: string): Promise<KObject>;
  update(ctx: RequestContext, ref: ResourceRef, namespace: string | undefined, name: string, obj: KObject, subresource?: string): Promise<KObject>;
  patch(ctx: RequestContext, ref: ResourceRef, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts: PatchOptions, subresource?: string): Promise<KObject>;
  /** Returns the deleted object (or the object with deletionTimestamp set when deletion is graceful/finalized). */
  delete(ctx: RequestContext, ref: ResourceRef, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<KObject>;
  deleteCollection(ctx: RequestContext, ref: ResourceRef, namespace: string | undefined, list: ListOptions, opts: DeleteOptions): Promise<KList>;
}

/** One column of a `kubectl get` Table (meta.k8s.io/v1 TableColumnDefinition). */
export interface TableColumn { name: string; type: 'string' | 'integer' | 'number' | 'boolean' | 'date'; format?: string; description?: string; priority: number }

/** Per-kind behaviour: identity, defaulting, validation, table printing, field selectors. */
export interface ResourceDef {
  group: string;             // '' for core
  version: string;           // 'v1'
  resource: string;          // plural, e.g. 'pods'
  kind: string;              // 'Pod'
  listKind: string;          // 'PodList'
  singular: string;          // 'pod'
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];     // e.g. ['all']
  /** Subresources served: 'status', 'scale', 'binding', 'eviction', 'log', 'exec', ... */
  subresources?: string[];
  /** Verbs for discovery. */
  verbs: string[];
  /** True when `spec` exists and changes to it bump metadata.generation. */
  hasSpec?: boolean;
  /** PUT without metadata.resourceVersion allowed (default true, as most built-in kinds); false → 422. */
  allowUnconditionalUpdate?: boolean;
  /** PUT of a missing object creates it (default: Kubernetes' choice for endpoints, events, leases, limitranges). */
  allowCreateOnUpdate?: boolean;
  /** Fill defaults on create/update (restartPolicy, dnsPolicy, ...). Mutates obj. */
  defaults?(obj: KObject): void;
  /** Field errors for a new object. */
  validateCreate?(obj: KObject): FieldError[];
  /** Field errors for an update (immutable fields etc.). */
  validateUpdate?(obj: KObject, old: KObject): FieldError[];
  /** Values for field selectors beyond metadata.name / metadata.namespace (e.g. spec.nodeName, status.phase). */
  fieldValues?(obj: KObject): Record<string, string>;
  /** Columns for `kubectl get` (priority 0) and `-o wide` (priority 1). */
  tableColumns?: TableColumn[];
  /** One row of cells for the columns above. */
  tableRow?(obj: KObject, now: Date): unknown[];
  /** Prepare a create: clear status, etc.; `ctx` says who creates (CSRs record their requester). */
  prepareForCreate?(obj: KObject, ctx?: RequestContext): void;
  /** Prepare an update of the main resource: keep status from old. */
  prepareForUpdate?(obj: KObject, old: KObject): void;
  /** Prepare an update through a subresource (status, approval) after the body was merged. */
  prepareSubresourceUpdate?(subresource: string, obj: KObject, old: KObject): void;
  /** Field errors of an update through a subresource. */
  validateSubresourceUpdate?(subresource: string, obj: KObject, old: KObject): FieldError[];
}
