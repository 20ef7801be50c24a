/**
 * ApiClient: the typed gRPC client components use to talk to the apiserver. Objects come back as
 * Kubernetes JSON (typed with lib/api/types.ts); failures throw the ApiError the server raised.
 */
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { KList, KObject } from '../api/object.js';
import { encodePlain, messageType, objectFromPlain, objectToPlain } from '../api/codec.js';
import { apiServerService, type PlainMessage } from './grpc-service.js';
import { fromGrpcError } from './grpc-status.js';
import { ApiError } from '../errors.js';
import type { WatchEventType } from '../../apiserver/registry/types.js';

/** Names a resource (and optionally one object), as a REST path does. group '' = core. */
export interface ResourceTarget { group?: string; version?: string; resource: string; namespace?: string; name?: string; subresource?: string }

/** List options (same meaning as REST query parameters). */
export interface ClientListOptions { labelSelector?: string; fieldSelector?: string; limit?: number; continue?: string; resourceVersion?: string; signal?: AbortSignal }

/** Watch options; `signal` ends the watch. */
export interface ClientWatchOptions { labelSelector?: string; fieldSelector?: string; resourceVersion?: string; allowBookmarks?: boolean; sendInitialEvents?: boolean; signal?: AbortSignal }

/** Options of writes. */
export interface ClientWriteOptions { dryRun?: boolean; fieldManager?: string; signal?: AbortSignal }

/** Options of delete. */
export interface ClientDeleteOptions { gracePeriodSeconds?: number; propagationPolicy?: 'Orphan' | 'Background' | 'Foreground'; preconditions?: { uid?: string; resourceVersion?: string }; dryRun?: boolean; signal?: AbortSignal }

/** One watch event, object as Kubernetes JSON. */
export interface ClientWatchEvent<T extends KObject = KObject> { type: WatchEventType; object: T }

/** Options of ApiClient.connect. */
export interface ConnectOptions {
  credentials?: grpc.ChannelCredentials;
  /** Sent with every call (e.g. authorization: Bearer <token>). */
  metadata?: Record<string, string>;
  /** A bearer token asked for on every call (one that rotates: fileTokenSource in flags.ts). */
  token?: () => string | undefined;
  /** Per-call deadline for unary calls (ms); default 30 s. */
  timeoutMs?: number;
  /** Told when a call is refused as Unauthorized (e.g. to fetch a fresh token at once). */
  onUnauthorized?: () => void;
  /** TLS to the apiserver: its certificate is verified against `ca`; `cert`/`key` are presented as the client certificate. */
  tls?: ClientTls;
}

/**
 * PEM material of a TLS gRPC connection (from a kubeconfig or the in-pod ca.crt). With
 * `certFile`/`keyFile` the client certificate is re-read from those files as they change (a
 * kubelet rotating kubelet-client-current.pem): calls then go over a new connection presenting
 * the new certificate, as client-go closes its connections when the kubelet's certificate rotates.
 */
export interface ClientTls { ca: string; cert?: string; key?: string; certFile?: string; keyFile?: string }

/** How often rotated client certificate files are looked at. */
const CERT_FILE_REFRESH_MS = 5000;

/** The name every apiserver serving certificate carries (lib/pki/cluster.ts APISERVER_DNS_NAMES). */
const APISERVER_NAME = 'kubernetes.default.svc';

/**
 * Channel credentials and options of a TLS connection. One address is verified by itself (an IP
 * or a DNS name in the certificate's SANs); with several apiservers the certificate must name
 * `kubernetes.default.svc`, as every serving certificate of the cluster does, since grpc-js checks
 * one name for the whole address list. An IP address is never sent as the TLS server name
 * (RFC 6066 forbids it): the name sent is `kubernetes.default.svc`, the IP is what is checked.
 */
function tlsChannel(target: string, tls: ClientTls): { credentials: grpc.ChannelCredentials; options: grpc.ChannelOptions } {
  const several = target.includes(',') && !/^[a-z0-9+.-]+:(?!\d)/i.test(target);
  const host = several ? undefined : /^\[([^\]]+)\]:\d+$/.exec(target)?.[1] ?? /^([^:]+):\d+$/.exec(target)?.[1];
  const ip = host && isIP(host) ? host : undefined;
  const verify = ip ? { checkServerIdentity: (_name: string, cert: PeerCertificate) => checkServerIdentity(ip, cert) } : {};
  const credentials = grpc.credentials.createSsl(Buffer.from(tls.ca), tls.key ? Buffer.from(tls.key) : null, tls.cert ? Buffer.from(tls.cert) : null, verify);
  return { credentials, options: several || ip ? { 'grpc.ssl_target_name_override': APISERVER_NAME } : {} };
}

type Method = 'Get' | 'List' | 'Create' | 'Update' | 'UpdateStatus' | 'Patch' | 'Delete' | 'DeleteCollection' | 'Bind';

function targetOf(t: ResourceTarget): PlainMessage {
  const out: PlainMessage = { group: t.group ?? '', resource: t.resource };
  for (const k of ['version', 'namespace', 'name', 'subresource'] as const) if (t[k]) out[k] = t[k];
  return out;
}

/** A typed client of the apiserver's gRPC facade. */
export class ApiClient {
  private current: grpc.Client;
  private readonly service = apiServerService();
  /** The client certificate files being watched (ClientTls.certFile) and when they were last looked at. */
  private rotation?: { tls: ClientTls; checkedAt: number };

  private constructor(readonly target: string, private readonly opts: ConnectOptions, private readonly channel?: grpc.Client) {
    this.current = channel ?? this.connect(opts.tls);
    if (!channel && !opts.credentials && opts.tls?.certFile && opts.tls.keyFile) this.rotation = { tls: opts.tls, checkedAt: Date.now() };
  }

  private connect(clientTls: ClientTls | undefined): grpc.Client {
    const tls = !this.opts.credentials && clientTls ? tlsChannel(this.target, clientTls) : undefined;
    return new grpc.Client(channelTarget(this.target), this.opts.credentials ?? tls?.credentials ?? grpc.credentials.createInsecure(), {
      'grpc.keepalive_time_ms': 30_000, 'grpc.max_receive_message_length': 64 * 1024 * 1024, ...tls?.options,
    });
  }

  /**
   * The connection for the next call: a new one once the watched client certificate file holds
   * another certificate (the old connection is closed; calls already on it finish there).
   */
  private get client(): grpc.Client {
    const r = this.rotation;
    if (!r || Date.now() - r.checkedAt < CERT_FILE_REFRESH_MS) return this.current;
    r.checkedAt = Date.now();
    try {
      const cert = readFileSync(r.tls.certFile!, 'utf8');
      if (cert === r.tls.cert) return this.current;
      r.tls = { ...r.tls, cert, key: readFileSync(r.tls.keyFile!, 'utf8') };
      const old = this.current;
      this.current = this.connect(r.tls);
      old.close();
    } catch { /* a file being swapped: keep the connection we have */ }
    return this.current;
  }

  /** The connection token clients share: this one, or one without the client certificate. */
  private anonymous?: grpc.Client;

  /**
   * A client that presents another bearer token (the controller manager's per-controller
   * ServiceAccount credentials). As client-go's AnonymousClientConfig it drops this client's
   * certificate, which would otherwise identify the caller first; clients made here share one
   * connection, which stays open when they are closed (close this client to end it).
   */
  withToken(token: () => string | undefined, onUnauthorized?: () => void): ApiClient {
    const { metadata, tls, ...rest } = this.opts;
    const others = Object.fromEntries(Object.entries(metadata ?? {}).filter(([k]) => k.toLowerCase() !== 'authorization'));
    const opts: ConnectOptions = { ...rest, metadata: others, token, onUnauthorized, ...(tls ? { tls: { ca: tls.ca } } : {}) };
    if (!tls?.cert) return new ApiClient(this.target, opts, this.client);
    this.anonymous ??= new ApiClient(this.target, opts).client;
    return new ApiClient(this.target, opts, this.anonymous);
  }

  /**
   * Creates a client for `host:port`, or for several apiservers `ip:port,ip:port` (HA: calls go to
   * one that answers and move to another when it fails). The connection is made lazily and re-made
   * after failures.
   */
  static connect(target: string, opts: ConnectOptions = {}): ApiClient {
    return new ApiClient(target, opts);
  }

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    for (const [k, v] of Object.entries(this.opts.metadata ?? {})) md.set(k, v);
    const token = this.opts.token?.();
    if (token) md.set('authorization', `Bearer ${token}`);
    return md;
  }

  private unary(method: Method, req: PlainMessage, signal?: AbortSignal): Promise<PlainMessage> {
    const def = this.service[method];
    return new Promise((resolve, reject) => {
      if (signal?.aborted) { reject(fromGrpcError({ code: grpc.status.CANCELLED, details: 'aborted' })); return; }
      const deadline = Date.now() + (this.opts.timeoutMs ?? 30_000);
      const call = this.client.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize as (b: Buffer) => PlainMessage, req, this.metadata(), { deadline },
        (err, res) => {
          signal?.removeEventListener('abort', onAbort);
          if (!err) { resolve(res ?? {}); return; }
          const e = fromGrpcError(err);
          if (e.code === 'Unauthorized') this.opts.onUnauthorized?.();
          reject(e);
        });
      const onAbort = () => call.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** GET one object (or a subresource of it). */
  async get<T extends KObject = KObject>(t: ResourceTarget & { name: string }, opts: { signal?: AbortSignal } = {}): Promise<T> {
    return objectFromPlain(await this.unary('Get', { target: targetOf(t) }, opts.signal)) as T;
  }

  /** LIST objects; metadata.resourceVersion is the revision to watch from. */
  async list<T extends KObject = KObject>(t: ResourceTarget, opts: ClientListOptions = {}): Promise<KList<T>> {
    const { signal, ...options } = opts;
    return listFromPlain<T>(await this.unary('List', { target: targetOf(t), options }, signal));
  }

  /** WATCH: an async iterable of events until `signal` aborts or the server ends it (ApiError Gone when the revision is compacted). */
  async *watch<T extends KObject = KObject>(t: ResourceTarget, opts: ClientWatchOptions = {}): AsyncGenerator<ClientWatchEvent<T>> {
    const { signal, ...rest } = opts;
    if (signal?.aborted) return;
    const def = this.service.Watch;
    const call = this.client.makeServerStreamRequest(def.path, def.requestSerialize, def.responseDeserialize as (b: Buffer) => PlainMessage,
      { target: targetOf(t), ...rest }, this.metadata(), {});
    let cancelled = false;
    const onAbort = () => { cancelled = true; call.cancel(); };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const msg of call as AsyncIterable<PlainMessage>) {
        yield { type: msg.type as WatchEventType, object: objectFromPlain(msg.object as PlainMessage) as T };
      }
    } catch (err) {
      if (cancelled || (err as grpc.ServiceError).code === grpc.status.CANCELLED && signal?.aborted) return;
      throw fromGrpcError(err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      call.cancel(); // the consumer stopped early: end the server stream too
    }
  }

  /** CREATE; with t.subresource (e.g. pods/eviction) t.name names the parent object. */
  async create<T extends KObject = KObject>(t: ResourceTarget, obj: T, opts: ClientWriteOptions = {}): Promise<T> {
    return objectFromPlain(await this.unary('Create', { target: targetOf(t), object: objectToPlain(obj), options: writeOpts(opts) }, opts.signal)) as T;
  }

  /** UPDATE (PUT) the whole object; metadata.resourceVersion makes it conditional (ApiError Conflict). */
  async update<T extends KObject = KObject>(t: ResourceTarget, obj: T, opts: ClientWriteOptions = {}): Promise<T> {
    return objectFromPlain(await this.unary('Update', { target: targetOf(withObjectName(t, obj)), object: objectToPlain(obj), options: writeOpts(opts) }, opts.signal)) as T;
  }

  /** UPDATE the status subresource. */
  async updateStatus<T extends KObject = KObject>(t: ResourceTarget, obj: T, opts: ClientWriteOptions = {}): Promise<T> {
    return objectFromPlain(await this.unary('UpdateStatus', { target: targetOf(withObjectName(t, obj)), object: objectToPlain(obj), options: writeOpts(opts) }, opts.signal)) as T;
  }

  /** PATCH with a json/merge/strategic/apply patch (an object/array, or its text). */
  async patch<T extends KObject = KObject>(t: ResourceTarget & { name: string }, type: 'json' | 'merge' | 'strategic' | 'apply', patch: unknown, opts: ClientWriteOptions & { force?: boolean } = {}): Promise<T> {
    const bytes = Buffer.from(typeof patch === 'string' ? patch : JSON.stringify(patch));
    return objectFromPlain(await this.unary('Patch', { target: targetOf(t), patchType: type, patch: bytes, options: writeOpts(opts), force: opts.force }, opts.signal)) as T;
  }

  /** DELETE; resolves with the deleted object (or the object now carrying deletionTimestamp, or a Status). */
  async delete<T extends KObject = KObject>(t: ResourceTarget & { name: string }, opts: ClientDeleteOptions = {}): Promise<T> {
    const { dryRun, signal, ...options } = opts;
    return objectFromPlain(await this.unary('Delete', { target: targetOf(t), options, dryRun }, signal)) as T;
  }

  /** DELETE every object matching the list options (namespace controller, kubectl delete --all); resolves with what was deleted. */
  async deleteCollection<T extends KObject = KObject>(t: ResourceTarget, list: Omit<ClientListOptions, 'signal'> = {}, opts: ClientDeleteOptions = {}): Promise<KList<T>> {
    const { dryRun, signal, ...options } = opts;
    return listFromPlain<T>(await this.unary('DeleteCollection', { target: targetOf(t), listOptions: list, options, dryRun }, signal));
  }

  /** Binds pod namespace/name to a node (pods/binding), as the scheduler does. */
  async bind(namespace: string, podName: string, nodeName: string, opts: ClientWriteOptions & { podUID?: string } = {}): Promise<KObject> {
    const binding = { metadata: { name: podName, namespace, ...(opts.podUID ? { uid: opts.podUID } : {}) }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } };
    return objectFromPlain(await this.unary('Bind', { namespace, binding: encodePlain(messageType('Binding'), binding), options: writeOpts(opts) }, opts.signal));
  }

  /** Resolves once the apiserver is reachable (components starting before it); ApiError Unavailable after `timeoutMs`. */
  waitForReady(timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(new ApiError('Unavailable', `apiserver ${this.target} not reachable within ${timeoutMs} ms: ${err.message}`)) : resolve()));
    });
  }

  /** Closes the channel. */
  close(): void {
    if (!this.channel) this.client.close();
    this.anonymous?.close();
  }
}

function listFromPlain<T extends KObject>(res: PlainMessage): KList<T> {
  const items = ((res.items as PlainMessage[] | undefined) ?? []).map((i) => objectFromPlain(i) as T);
  return { apiVersion: (res.apiVersion as string) ?? 'v1', kind: (res.kind as string) ?? 'List', metadata: (res.metadata as KList['metadata']) ?? {}, items };
}

// Several addresses become one grpc-js channel over a static address list (IP literals only).
function channelTarget(target: string): string {
  if (!target.includes(',') || /^[a-z0-9+.-]+:(?!\d)/i.test(target)) return target;
  const addrs = target.split(',').map((a) => a.trim()).filter(Boolean);
  const v6 = addrs.every((a) => a.startsWith('['));
  if (!v6 && addrs.some((a) => !/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(a))) throw new ApiError('BadRequest', `several apiservers must be given as ip:port,ip:port: ${target}`);
  return `${v6 ? 'ipv6' : 'ipv4'}:${addrs.join(',')}`;
}

function writeOpts(o: ClientWriteOptions): PlainMessage {
  return { dryRun: o.dryRun, fieldManager: o.fieldManager };
}

function withObjectName(t: ResourceTarget, obj: KObject): ResourceTarget {
  return { ...t, name: t.name ?? obj.metadata?.name, namespace: t.namespace ?? obj.metadata?.namespace };
}
