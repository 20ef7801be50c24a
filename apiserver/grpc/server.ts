/**
 * The apiserver's gRPC facade (proto/apiserver.proto) over the shared Registry. Errors end a call
 * with the ApiError's gRPC code and the Kubernetes Status JSON in trailing metadata.
 */
import { X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { Registry, RequestContext, UserInfo } from '../registry/types.js';
import { apiServerService, type PlainMessage } from '../../lib/client/grpc-service.js';
import { toGrpcStatus } from '../../lib/client/grpc-status.js';
import { objectToPlain } from '../../lib/api/codec.js';
import { unaryHandlers, watchRequest, type GrpcAuthorizer } from './handlers.js';
import { ApiError } from '../../lib/errors.js';
import { logLine, logV } from '../rest/log.js';

/** Options of startGrpcServer. */
export interface GrpcServerOptions {
  registry: Registry;
  host: string;
  /** 0 = any free port. */
  port: number;
  /**
   * Authenticates a call from its metadata and, over TLS, the client certificate it presented
   * (verified against tls.clientCA; absent otherwise); absent = every caller is a cluster admin (trusted network).
   */
  authenticate?: (metadata: grpc.Metadata, peer?: X509Certificate) => Promise<UserInfo>;
  /** Authorizes each call with the attributes REST uses (verb, group, resource, subresource, namespace, name); absent = allow. */
  authorize?: GrpcAuthorizer;
  /** Serve TLS with this certificate; client certificates signed by clientCA are asked for (not required) and verified. */
  tls?: GrpcServerTls;
  credentials?: grpc.ServerCredentials;
}

/** The serving certificate and key (PEM) of the TLS gRPC port, and the CA of client certificates. */
export interface GrpcServerTls { cert: string; key: string; clientCA?: string }

/**
 * TLS that requests a client certificate but lets callers without one (or with an unverified
 * one) through, as the HTTPS port does: they may still present a bearer token. grpc-js's
 * createSsl either does not ask or rejects the handshake, so the options are given directly.
 * A certificate reaches the authenticator only when it chains to clientCA (grpc-js hands out
 * the peer certificate of authorized sockets only).
 */
class OptionalClientCertCredentials extends grpc.ServerCredentials {
  constructor(tls: GrpcServerTls) {
    super({ requestCert: Boolean(tls.clientCA), rejectUnauthorized: false, minVersion: 'TLSv1.2' }, { cert: tls.cert, key: tls.key, ...(tls.clientCA ? { ca: tls.clientCA } : {}) });
  }
  _equals(other: grpc.ServerCredentials): boolean { return other === this; }
}

/** Server credentials for TLS gRPC (see OptionalClientCertCredentials). */
export function grpcServerCredentials(tls: GrpcServerTls): grpc.ServerCredentials {
  return new OptionalClientCertCredentials(tls);
}

/** A running gRPC facade. */
export interface GrpcServer { port: number; close(): Promise<void> }

const ADMIN: UserInfo = { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] };

/** Starts the ApiServer gRPC service on host:port; resolves with the bound port. */
export async function startGrpcServer(opts: GrpcServerOptions): Promise<GrpcServer> {
  const server = new grpc.Server({ 'grpc.keepalive_permit_without_calls': 1, 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
  const calls = new Set<AbortController>();
  server.addService(apiServerService(), implementation(opts, calls));
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`, opts.credentials ?? (opts.tls ? grpcServerCredentials(opts.tls) : grpc.ServerCredentials.createInsecure()), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    port,
    async close() {
      for (const c of calls) c.abort(); // ends open watches so tryShutdown can finish
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { server.forceShutdown(); resolve(); }, 2000);
        server.tryShutdown(() => { clearTimeout(timer); resolve(); });
      });
    },
  };
}

// One line per call at --v=2 with the caller (as REST logs requests); unexpected (non-ApiError) failures always.
function logCall(method: string, req: PlainMessage, started: number, err?: unknown, user?: string): void {
  const t = (req.target ?? (req.binding ? { resource: 'pods', subresource: 'binding' } : {})) as PlainMessage;
  const fields = { method, resource: t.group ? `${t.resource}.${t.group}` : t.resource, namespace: t.namespace, name: t.name, subresource: t.subresource, ms: Date.now() - started, user };
  if (err !== undefined && !(err instanceof ApiError)) logLine('error', 'grpc call failed', { ...fields, err: (err as Error)?.stack ?? String(err) });
  else logV(2, 'grpc', { ...fields, code: err instanceof ApiError ? err.code : 'OK' });
}

/** gRPC metadata as lower-case HTTP-style headers (for transport-neutral authenticators). */
export function metadataHeaders(metadata: grpc.Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata.getMap())) if (typeof v === 'string') out[k.toLowerCase()] = v;
  return out;
}

/** What grpc-js's call.getAuthContext() tells about the peer (its AuthContext type is not exported). */
interface PeerAuth { sslPeerCertificate?: { raw?: Buffer } }

/** The verified client certificate of a call over TLS, if it presented one. */
function peerCertificate(call: { getAuthContext?(): PeerAuth | null }): X509Certificate | undefined {
  const raw = call.getAuthContext?.()?.sslPeerCertificate?.raw;
  return raw ? new X509Certificate(raw) : undefined;
}

async function contextOf(opts: GrpcServerOptions, call: { metadata: grpc.Metadata; getAuthContext?(): PeerAuth | null }, signal?: AbortSignal): Promise<RequestContext> {
  const user = opts.authenticate ? await opts.authenticate(call.metadata, peerCertificate(call)) : ADMIN;
  return { user, signal };
}

function implementation(opts: GrpcServerOptions, calls: Set<AbortController>): grpc.UntypedServiceImplementation {
  const impl: grpc.UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(unaryHandlers(opts.registry, opts.authorize))) {
    impl[name] = (call: grpc.ServerUnaryCall<PlainMessage, PlainMessage>, callback: grpc.sendUnaryData<PlainMessage>) => {
      const started = Date.now();
      let user: string | undefined;
      contextOf(opts, call)
        .then((ctx) => { user = ctx.user.username; return handler(ctx, call.request); })
        .then((res) => { logCall(name, call.request, started, undefined, user); callback(null, res); }, (err) => { logCall(name, call.request, started, err, user); callback(toGrpcStatus(err)); });
    };
  }
  impl.Watch = (call: grpc.ServerWritableStream<PlainMessage, PlainMessage>) => {
    const abort = new AbortController();
    calls.add(abort);
    call.on('cancelled', () => abort.abort());
    call.on('close', () => abort.abort());
    const started = Date.now();
    streamWatch(opts, call, abort.signal)
      .then(() => { logCall('Watch', call.request, started); call.end(); }, (err) => { logCall('Watch', call.request, started, err); if (!call.cancelled) call.emit('error', toGrpcStatus(err)); })
      .finally(() => calls.delete(abort));
  };
  return impl;
}

async function streamWatch(opts: GrpcServerOptions, call: grpc.ServerWritableStream<PlainMessage, PlainMessage>, signal: AbortSignal): Promise<void> {
  const ctx = await contextOf(opts, call, signal);
  const { target, opts: watchOpts } = watchRequest(opts.registry, call.request);
  await opts.authorize?.({ user: ctx.user, verb: 'watch', resourceRequest: true, group: target.ref.group, resource: target.ref.resource, namespace: target.namespace, name: target.name || undefined });
  const events = opts.registry.watch(ctx, target.ref, target.namespace, watchOpts, signal);
  for await (const ev of events) {
    if (signal.aborted) break;
    // an ERROR event carries a Status (e.g. 410 Expired): end the call with it as a gRPC error
    if (ev.type === 'ERROR') throw ApiError.fromStatus(ev.object as Parameters<typeof ApiError.fromStatus>[0]);
    const ok = call.write({ type: ev.type, object: objectToPlain(ev.object) });
    if (!ok) await drained(call, signal); // backpressure: a slow client must not grow our buffers
  }
}

function drained(call: grpc.ServerWritableStream<PlainMessage, PlainMessage>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { call.off('drain', done); signal.removeEventListener('abort', done); resolve(); };
    call.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
