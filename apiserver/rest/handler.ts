/**
 * The Kubernetes REST facade as one `node:http` request handler: discovery, resources (via the
 * Registry), version, health, metrics and OpenAPI. Every failure is answered as a Status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from '../../lib/errors.js';
import type { Registry, RequestContext, UserInfo } from '../registry/types.js';
import { SELF_SUBJECT_ACCESS_REVIEWS, SUBJECT_ACCESS_REVIEWS, isAccessReview, isSubjectAccessReview, reviewAccess, reviewSubjectAccess } from './access-review.js';
import { SELF_SUBJECT_REVIEWS, isSelfSubjectReview, selfSubjectReview } from '../auth/self-subject-review.js';
import { SELF_SUBJECT_RULES_REVIEWS, isRulesReview, rulesReview } from '../auth/self-subject-rules-review.js';
import type { RbacSource } from '../auth/rbac.js';
import { METRICS_RESOURCES, MetricsApi, isMetricsRequest } from './metrics-api.js';
import { decodeObject, readBody } from './body.js';
import { aggregatedDiscovery, apiGroupDoc, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { getVerbosity, logV } from './log.js';
import { wantsAggregatedDiscovery } from './negotiate.js';
import { parseRequestInfo, type RequestInfo, type ResourceRequest } from './request-info.js';
import { sendError, sendJson, toApiError } from './respond.js';
import { KUBELET_SUBRESOURCES, resolveResource, serveResource } from './resource-handler.js';
import { kubeletAddress, kubeletPath, rejectUpgrade, tunnelUpgrade } from './kubelet-proxy.js';

/** Build information served at /version. */
export interface VersionInfo { major: string; minor: string; gitVersion: string; gitCommit: string; gitTreeState: string; buildDate: string; goVersion: string; compiler: string; platform: string }

/** The version this apiserver reports (kubectl compares it to its own for skew warnings). */
export const VERSION: VersionInfo = {
  major: '1', minor: '32', gitVersion: 'v1.32.0-kubesim', gitCommit: 'kubesim', gitTreeState: 'clean',
  buildDate: '2026-11-22T00:00:00Z', goVersion: `node${process.versions.node}`, compiler: 'tsc', platform: `${process.platform}/${process.arch}`,
};

/** Called once per finished request (metrics, logs). */
export type RequestObserver = (r: { method: string; path: string; verb: string; resource: string; code: number; seconds: number; user?: string }) => void;

/** Wiring for the REST handler. */
export interface RestHandlerOptions {
  registry: Registry;
  /** Authenticates a request; throws ApiError Unauthorized. Default: everyone is an admin (insecure port). */
  authenticate?(req: IncomingMessage): UserInfo;
  /** Throws ApiError Forbidden when `user` may not do `verb` on `info`. */
  authorize?(user: UserInfo, info: RequestInfo): void;
  /** The RBAC rules (SelfSubjectRulesReview); absent = everyone may do everything, or RBAC is off. */
  rbac?: RbacSource;
  /** True when the backing store answers (for /healthz, /readyz, /livez). */
  healthy?(): Promise<boolean>;
  /** Prometheus text for /metrics. */
  metrics?(): Promise<{ contentType: string; body: string }>;
  /** Serves /openapi/... ; returns false when the path is not served. */
  openapi?(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
  observe?: RequestObserver;
  /** Aborts on server shutdown: open watches end. */
  shutdown?: AbortSignal;
}

/** Request targets that need no URL normalization: no percent-escapes, dot segments or fragments. */
const PLAIN_TARGET = /^\/[A-Za-z0-9\-_~/:.]*(\?[^#]*)?$/;

/** The parts of a request target the handler reads. */
export interface RequestUrl { pathname: string; searchParams: URLSearchParams }

/** The path and query of a request target (what `new URL` gives, without its cost for plain targets). */
export function requestUrl(target: string): RequestUrl {
  if (!PLAIN_TARGET.test(target) || target.includes('/.')) return new URL(target, 'http://localhost');
  const q = target.indexOf('?');
  return q < 0 ? { pathname: target, searchParams: new URLSearchParams() } : { pathname: target.slice(0, q), searchParams: new URLSearchParams(target.slice(q + 1)) };
}

/** An admin identity for the insecure port (as the old kube-apiserver --insecure-port did). */
export const INSECURE_USER: UserInfo = { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] };

const ANONYMOUS_USER: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

/** Creates the request handler. */
export function createRestHandler(opts: RestHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const metricsApi = MetricsApi.for(opts.registry);
  return (req, res) => {
    const started = process.hrtime.bigint();
    let info: RequestInfo = { kind: 'unknown' };
    let user: UserInfo | undefined;
    const finish = (code: number) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const verb = info.kind === 'resource' ? info.verb : req.method ?? '';
      const resource = info.kind === 'resource' ? (info.subresource ? `${info.resource}/${info.subresource}` : info.resource) : info.kind;
      opts.observe?.({ method: req.method ?? '', path: req.url ?? '', verb, resource, code, seconds, user: user?.username });
      if (getVerbosity() >= 2) logV(2, 'request', { verb, resource, url: req.url, code, ms: Math.round(seconds * 1000), user: user?.username, agent: req.headers['user-agent'] });
    };
    (async () => {
      const url = requestUrl(req.url ?? '/');
      info = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
      // Health and version are public (Kubernetes' system:public-info-viewer), so probes need no token.
      const isPublic = info.kind === 'health' || info.kind === 'version';
      user = !opts.authenticate ? INSECURE_USER : isPublic ? ANONYMOUS_USER : opts.authenticate(req);
      opts.authorize?.(user, info);
      return route(opts, metricsApi, req, res, info, url, user);
    })().then(finish, (err) => finish(sendError(res, err)));
  };
}

async function route(opts: RestHandlerOptions, metricsApi: MetricsApi, req: IncomingMessage, res: ServerResponse, info: RequestInfo, url: RequestUrl, user: UserInfo): Promise<number> {
  const defs = () => [...opts.registry.resources(), SELF_SUBJECT_ACCESS_REVIEWS, SUBJECT_ACCESS_REVIEWS, SELF_SUBJECT_RULES_REVIEWS, SELF_SUBJECT_REVIEWS, ...METRICS_RESOURCES];
  const notFound = () => new ApiError('NotFound', 'the server could not find the requested resource');
  const json = (body: unknown, contentType?: string) => { sendJson(res, 200, body, contentType); return 200; };
  if (info.kind !== 'resource' && req.method !== 'GET' && req.method !== 'HEAD') {
    throw new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }
  switch (info.kind) {
    case 'version': return json(VERSION);
    case 'api': case 'apis': {
      const agg = wantsAggregatedDiscovery(req.headers.accept);
      if (agg) return json(aggregatedDiscovery(defs(), info.kind === 'api', agg), `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`);
      return json(info.kind === 'api' ? apiVersions(defs(), req.socket.localAddress ? `${req.socket.localAddress}:${req.socket.localPort}` : '') : apiGroupList(defs()));
    }
    case 'group': { const doc = apiGroupDoc(defs(), info.group); if (!doc) throw notFound(); return json(doc); }
    case 'groupVersion': { const doc = apiResourceList(defs(), info.group, info.version); if (!doc) throw notFound(); return json(doc); }
    case 'health': {
      const ok = opts.healthy ? await opts.healthy().catch(() => false) : true;
      const lines = `[+]ping ok\n[${ok ? '+' : '-'}]etcd ${ok ? 'ok' : 'failed: reason withheld'}\n`;
      // Like Kubernetes: terse unless ?verbose or failing (kubectl get --raw='/readyz?verbose').
      const verbose = url.searchParams.has('verbose') || !ok;
      const body = verbose ? `${lines}${info.check} check ${ok ? 'passed' : 'failed'}\n` : 'ok';
      res.writeHead(ok ? 200 : 500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(body);
      return ok ? 200 : 500;
    }
    case 'metrics': {
      if (!opts.metrics) throw notFound();
      const m = await opts.metrics();
      res.writeHead(200, { 'Content-Type': m.contentType }).end(m.body);
      return 200;
    }
    case 'openapi': {
      if (opts.openapi && await opts.openapi(req, res, info.path)) return res.statusCode;
      throw notFound();
    }
    case 'resource': return serveResourceRequest(opts, metricsApi, req, res, info, url, user);
    default: throw notFound();
  }
}

/** Resource requests: the virtual resources (access reviews, metrics) first, then the registry's. */
async function serveResourceRequest(opts: RestHandlerOptions, metricsApi: MetricsApi, req: IncomingMessage, res: ServerResponse, info: ResourceRequest, url: RequestUrl, user: UserInfo): Promise<number> {
  if (isAccessReview(info)) {
    if (info.verb !== 'create') throw new ApiError('MethodNotAllowed', 'selfsubjectaccessreviews only support create');
    sendJson(res, 201, reviewAccess(decodeObject(await readBody(req), req.headers['content-type']), user, opts.authorize));
    return 201;
  }
  if (isSubjectAccessReview(info)) {
    if (info.verb !== 'create') throw new ApiError('MethodNotAllowed', 'subjectaccessreviews only support create');
    sendJson(res, 201, reviewSubjectAccess(decodeObject(await readBody(req), req.headers['content-type']), opts.authorize));
    return 201;
  }
  if (isRulesReview(info)) {
    if (info.verb !== 'create') throw new ApiError('MethodNotAllowed', 'selfsubjectrulesreviews only support create');
    sendJson(res, 201, rulesReview(decodeObject(await readBody(req), req.headers['content-type']), user, opts.authorize ? opts.rbac ?? null : undefined));
    return 201;
  }
  if (isSelfSubjectReview(info)) {
    if (info.verb !== 'create') throw new ApiError('MethodNotAllowed', 'selfsubjectreviews only support create');
    sendJson(res, 201, selfSubjectReview(user));
    return 201;
  }
  if (isMetricsRequest(info)) {
    sendJson(res, 200, await metricsApi.serve({ user }, info, url.searchParams.get('labelSelector') || undefined));
    return 200;
  }
  const ctx: RequestContext = { user, fieldManager: url.searchParams.get('fieldManager') || undefined };
  if (info.subresource && KUBELET_SUBRESOURCES.has(info.subresource)) {
    // Only streams proxied from a kubelet outlive the request handler and need to hear that the client left.
    const ac = new AbortController();
    // Abort only when the client left early: aborting a finished request costs a DOMException each time.
    res.once('close', () => { if (!res.writableFinished) ac.abort(); });
    ctx.signal = ac.signal;
  }
  return serveResource({ registry: opts.registry, req, res, info, query: url.searchParams, ctx, shutdown: opts.shutdown });
}

const UPGRADE_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

/** Handles HTTP upgrades (the server's 'upgrade' event): pod exec/attach/portforward tunnelled to the kubelet. */
export function createUpgradeHandler(opts: RestHandlerOptions): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    // A client that resets mid-upgrade must not crash the process (no other listener is attached yet).
    socket.on('error', () => socket.destroy());
    // Tunnels are not HTTP connections the server tracks: end them on shutdown ourselves.
    const cut = () => socket.destroy();
    opts.shutdown?.addEventListener('abort', cut, { once: true });
    socket.once('close', () => opts.shutdown?.removeEventListener('abort', cut));
    (async () => {
      const url = requestUrl(req.url ?? '/');
      const info = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
      const user = opts.authenticate ? opts.authenticate(req) : INSECURE_USER;
      opts.authorize?.(user, info);
      if (info.kind !== 'resource' || info.group !== '' || info.resource !== 'pods' || !info.name || !UPGRADE_SUBRESOURCES.has(info.subresource ?? '')) {
        throw new ApiError('NotFound', 'the server could not find the requested resource');
      }
      const { def, namespace } = resolveResource(opts.registry, info);
      const ctx: RequestContext = { user };
      const pod = await opts.registry.get(ctx, { group: def.group, version: def.version, resource: def.resource }, namespace, info.name);
      const target = await kubeletAddress(opts.registry, ctx, pod);
      logV(2, 'upgrade', { subresource: info.subresource, pod: `${namespace}/${info.name}`, kubelet: `${target.host}:${target.port}`, user: user.username });
      tunnelUpgrade(req, socket, head, target, kubeletPath(info, pod, url.searchParams));
    })().catch((err) => rejectUpgrade(socket, toApiError(err)));
  };
}
