/**
 * Parses a request path + method into what Kubernetes calls RequestInfo: discovery documents,
 * or a resource request with group/version/resource, namespace, name, subresource and verb.
 */

/** A resource request (anything under /api/v1/... or /apis/<group>/<version>/...). */
export interface ResourceRequest {
  kind: 'resource';
  group: string;
  version: string;
  resource: string;
  /** Namespace from the path (for `/namespaces/<ns>` itself this is the namespace's own name). */
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection. */
  verb: string;
}

/** A discovery or non-resource request. */
export type NonResourceRequest =
  | { kind: 'version' }
  | { kind: 'api' }                                  // /api
  | { kind: 'apis' }                                 // /apis
  | { kind: 'group'; group: string }                 // /apis/<group>
  | { kind: 'groupVersion'; group: string; version: string } // /api/v1, /apis/<g>/<v>
  | { kind: 'openapi'; path: string }
  | { kind: 'health'; check: 'healthz' | 'readyz' | 'livez' }
  | { kind: 'metrics' }
  | { kind: 'unknown' };

export type RequestInfo = ResourceRequest | NonResourceRequest;

// `/namespaces/<ns>/status` and `/finalize` are subresources of the namespace, not resources inside it.
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** True when the query value means "yes" the way Go's strconv.ParseBool does. */
export function isTrue(v: string | null | undefined): boolean {
  return v === '1' || v === 't' || v === 'T' || v === 'true' || v === 'TRUE' || v === 'True';
}

/** Splits a path into non-empty, percent-decoded segments; undefined when a segment is malformed. */
function segments(path: string): string[] | undefined {
  try {
    return path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

/** Classifies `method` + `pathname` (+ `watch` query flag) into a RequestInfo. */
export function parseRequestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const parts = segments(pathname);
  if (!parts) return { kind: 'unknown' };
  const head = parts[0];
  if (parts.length === 0) return { kind: 'unknown' };
  if (head === 'version' && parts.length === 1) return { kind: 'version' };
  if ((head === 'healthz' || head === 'readyz' || head === 'livez')) return { kind: 'health', check: head };
  if (head === 'metrics' && parts.length === 1) return { kind: 'metrics' };
  if (head === 'openapi') return { kind: 'openapi', path: '/' + parts.join('/') };
  let rest: string[];
  let group: string;
  let version: string;
  if (head === 'api') {
    if (parts.length === 1) return { kind: 'api' };
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (head === 'apis') {
    if (parts.length === 1) return { kind: 'apis' };
    if (parts.length === 2) return { kind: 'group', group: parts[1] };
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return { kind: 'unknown' };
  }
  if (rest.length === 0) return { kind: 'groupVersion', group, version };
  return parseResourcePath(method, group, version, rest, query);
}

function parseResourcePath(method: string, group: string, version: string, rest: string[], query: URLSearchParams): RequestInfo {
  let watchPrefix = false;
  // Deprecated `/api/v1/watch/...` form: same as ?watch=true.
  if (rest[0] === 'watch') { watchPrefix = true; rest = rest.slice(1); }
  if (rest.length === 0) return { kind: 'unknown' };
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) rest = rest.slice(2);
  }
  if (rest.length > 3) return { kind: 'unknown' };
  const [resource, name, subresource] = rest;
  const watch = watchPrefix || isTrue(query.get('watch'));
  const verb = verbFor(method, name !== undefined, watch);
  if (!verb) return { kind: 'unknown' };
  return { kind: 'resource', group, version, resource, namespace, name, subresource, verb };
}

function verbFor(method: string, hasName: boolean, watch: boolean): string | undefined {
  switch (method) {
    case 'GET': case 'HEAD': return watch ? 'watch' : hasName ? 'get' : 'list';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return hasName ? 'delete' : 'deletecollection';
    default: return undefined;
  }
}
