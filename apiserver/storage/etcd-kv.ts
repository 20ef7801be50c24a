/**
 * etcd's KV calls (Range, Txn) and watches as plain gRPC over our small HTTP/2 client (lib/h2):
 * one stream per call or watch on a shared connection, the messages coded by protobufjs from the
 * etcd3 package's own `rpc.proto`. Leases, compaction and maintenance stay on the `etcd3` client.
 *
 * Why not grpc-js here: these are the apiserver's hot path (every create, update, delete, quorum
 * read and watch event), and grpc-js spends about 0.2 ms of CPU per call (its channel, filters,
 * call objects and per-call async resources on top of the same HTTP/2 stream), close to half of
 * what a whole REST create may cost for issue 2's throughput goal. node:http2 itself then still
 * cost ~10% of a create (lib/h2/session.ts says why), hence lib/h2 (measurements in README.md).
 * The wire is unchanged: etcd sees a normal gRPC client (TLS and client certificates included).
 *
 * Responses have the shapes of etcd3's `client.kv` (snake_case fields, int64 as decimal strings,
 * bytes as Buffers); etcd-kv.test.ts checks them against those stubs. Errors carry etcd's message (`etcdserver:
 * mvcc: required revision has been compacted`, ...) and the gRPC status code.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';
import { encodeHeaders, type HeaderFields } from '../../lib/h2/hpack.js';
import { H2Session } from '../../lib/h2/session.js';

/** The two unary calls EtcdStore makes, as etcd3's `client.kv` offers them. */
export interface KvCalls {
  range(req: RangeRequest, opts?: CallOptions): Promise<RangeResponse>;
  txn(req: TxnRequest, opts?: CallOptions): Promise<TxnResponse>;
}

export interface CallOptions { deadline?: Date }

export interface RangeRequest { key: Buffer; range_end?: Buffer; limit?: number; revision?: number; keys_only?: boolean; count_only?: boolean }
export interface Compare { key: Buffer; target: 'Version' | 'Create' | 'Mod' | 'Value' | 'Lease'; result: 'Equal' | 'Greater' | 'Less' | 'NotEqual'; create_revision?: number; mod_revision?: number; version?: number }
export interface RequestOp { request_put?: { key: Buffer; value: Buffer; lease?: string | number }; request_range?: RangeRequest; request_delete_range?: { key: Buffer; range_end?: Buffer } }
export interface TxnRequest { compare: Compare[]; success: RequestOp[]; failure?: RequestOp[] }

export interface ResponseHeader { revision: string }
export interface KeyValue { key: Buffer; value: Buffer; create_revision: string; mod_revision: string; version: string; lease: string }
export interface RangeResponse { header: ResponseHeader; kvs: KeyValue[]; more: boolean; count: string }
export interface ResponseOp { response_range?: RangeResponse; response_put?: { header: ResponseHeader }; response_delete_range?: { header: ResponseHeader; deleted: string } }
export interface TxnResponse { header: ResponseHeader; succeeded: boolean; responses: ResponseOp[] }

/** A watch on `key` (a prefix with `range_end`) from `start_revision`; `prev_kv` asks etcd for previous values. */
export interface WatchRequest { key: Buffer; range_end?: Buffer; start_revision: number; prev_kv?: boolean }
export interface WatchEvent { type: 'Put' | 'Delete'; kv: KeyValue; prev_kv?: KeyValue }
export interface WatchHandlers {
  /** The events of one etcd response (never empty), in revision order, and its header revision. */
  onEvents(events: WatchEvent[], headerRevision: number): void;
  /** The watch ended for good: etcd compacted its start revision (`compactRevision` > 0) or cancelled it. */
  onEnd(err: EtcdCallError, compactRevision: number): void;
}
/** A running watch: `created` resolves once etcd accepted it (or it ended). */
export interface EtcdWatch { created: Promise<void>; cancel(): void }

/** A failed call: etcd's gRPC status (`code`) and message, or a transport failure (code 14, UNAVAILABLE). */
export class EtcdCallError extends Error {
  /** `notSent`: the call never reached etcd (no connection), so another member may take it. */
  constructor(readonly code: number, message: string, readonly notSent = false) { super(message); this.name = 'EtcdCallError'; }
}

const UNAVAILABLE = 14;
const OUT_OF_RANGE = 11;
const CANCELLED = 1;
const DEADLINE_EXCEEDED = 4;

/** etcd's protocol types, loaded once from the etcd3 package's proto files. */
const types = (() => {
  const protoDir = join(dirname(createRequire(import.meta.url).resolve('etcd3/package.json')), 'proto');
  const root = new protobuf.Root();
  // rpc.proto imports its siblings by bare or relative names: resolve them all in the package's folder.
  root.resolvePath = (_origin, target) => join(protoDir, target.split('/').pop()!);
  root.loadSync('rpc.proto', { keepCase: true });
  const t = (name: string) => root.lookupType(`etcdserverpb.${name}`);
  return {
    RangeRequest: t('RangeRequest'), RangeResponse: t('RangeResponse'), TxnRequest: t('TxnRequest'), TxnResponse: t('TxnResponse'),
    WatchRequest: t('WatchRequest'), WatchResponse: t('WatchResponse'),
  };
})();

const TARGETS = { Version: 0, Create: 1, Mod: 2, Value: 3, Lease: 4 } as const;
const RESULTS = { Equal: 0, Greater: 1, Less: 2, NotEqual: 3 } as const;

/** int64 fields decode to Long objects (or numbers when small): etcd3's decimal strings. */
function int64(v: unknown): string {
  return v === undefined || v === null ? '0' : typeof v === 'number' ? String(v) : String((v as { toString(): string }).toString());
}

const EMPTY = Buffer.alloc(0);
/** A bytes field: a Buffer (protobufjs slices the input), or its default (an empty array) when absent. */
function bytes(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return EMPTY;
}

interface RawMsg { [k: string]: unknown }

function header(m: RawMsg | undefined): ResponseHeader { return { revision: int64(m?.revision) }; }

function keyValue(m: RawMsg): KeyValue {
  return { key: bytes(m.key), value: bytes(m.value), create_revision: int64(m.create_revision), mod_revision: int64(m.mod_revision), version: int64(m.version), lease: int64(m.lease) };
}

function rangeResponse(m: RawMsg): RangeResponse {
  return { header: header(m.header as RawMsg), kvs: ((m.kvs as RawMsg[] | undefined) ?? []).map(keyValue), more: Boolean(m.more), count: int64(m.count) };
}

function txnResponse(m: RawMsg): TxnResponse {
  const responses = ((m.responses as RawMsg[] | undefined) ?? []).map((r): ResponseOp => {
    if (r.response_range) return { response_range: rangeResponse(r.response_range as RawMsg) };
    if (r.response_put) return { response_put: { header: header((r.response_put as RawMsg).header as RawMsg) } };
    if (r.response_delete_range) {
      const d = r.response_delete_range as RawMsg;
      return { response_delete_range: { header: header(d.header as RawMsg), deleted: int64(d.deleted) } };
    }
    return {};
  });
  return { header: header(m.header as RawMsg), succeeded: Boolean(m.succeeded), responses };
}

/** TLS material for https endpoints (PEM). */
export interface EtcdKvTls { ca: Buffer; cert?: Buffer; key?: Buffer }

/**
 * Range and Txn on a list of etcd endpoints (`http://host:port` or `https://…`; a bare
 * `host:port` takes https when `tls` is given). One HTTP/2 connection at a time; a connection that
 * fails or closes is dropped and the next call connects again, to the next endpoint when the last
 * one could not be reached. A call is retried on another endpoint only when etcd cannot have
 * applied it: the connection never came up, or etcd answered that it has no leader.
 */
export class EtcdKv implements KvCalls {
  private readonly urls: string[];
  private current = 0;
  private session?: H2Session;
  private closed = false;
  /** Prebuilt request header blocks per member URL and method path (only grpc-timeout varies). */
  private readonly blocks = new Map<string, Buffer>();

  constructor(endpoints: string[], private readonly tls?: EtcdKvTls, private readonly defaultTimeoutMs = 15_000) {
    this.urls = endpoints.map((e) => (/^[a-z]+:\/\//.test(e) ? e : `${tls ? 'https' : 'http'}://${e}`));
    if (!this.urls.length) throw new Error('etcd: no endpoints');
  }

  range(req: RangeRequest, opts?: CallOptions): Promise<RangeResponse> {
    return this.call('/etcdserverpb.KV/Range', types.RangeRequest.encode(req).finish(), opts, true)
      .then((b) => rangeResponse(types.RangeResponse.decode(b) as unknown as RawMsg));
  }

  txn(req: TxnRequest, opts?: CallOptions): Promise<TxnResponse> {
    const readOnly = [...req.success, ...(req.failure ?? [])].every((op) => op.request_range);
    // encode() takes plain objects of the right types: only the comparisons' enum names need numbers.
    const compare = req.compare.map((c) => ({ ...c, target: TARGETS[c.target], result: RESULTS[c.result] }));
    return this.call('/etcdserverpb.KV/Txn', types.TxnRequest.encode({ ...req, compare }).finish(), opts, readOnly)
      .then((b) => txnResponse(types.TxnResponse.decode(b) as unknown as RawMsg));
  }

  /**
   * Watches on its own HTTP/2 stream of the shared connection. When the stream or the connection
   * fails (etcd restarts, a member goes away) it is opened again, after a back-off of 0.1–2 s,
   * from the revision after the last event delivered, on the next member if this one cannot be
   * reached: the caller sees every event once, in order. Only compaction or etcd's own cancel end it.
   */
  watch(req: WatchRequest, h: WatchHandlers): EtcdWatch {
    let next = req.start_revision;
    let stopped = false;
    let backoff = 100;
    let stream: { cancel(): void } | undefined;
    let timer: NodeJS.Timeout | undefined;
    let markCreated!: () => void;
    const created = new Promise<void>((r) => { markCreated = r; });
    const end = (err: EtcdCallError, compactRevision: number) => {
      if (stopped) return;
      stopped = true;
      stream?.cancel();
      markCreated();
      h.onEnd(err, compactRevision);
    };
    const onMessage = (m: RawMsg) => {
      if (m.created) { backoff = 100; markCreated(); }
      if (m.canceled) {
        const compact = Number(int64(m.compact_revision));
        if (compact > 0) end(new EtcdCallError(OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted'), compact);
        else end(new EtcdCallError(CANCELLED, `etcd cancelled the watch${m.cancel_reason ? `: ${String(m.cancel_reason)}` : ''}`), 0);
        return;
      }
      const raw = (m.events as RawMsg[] | undefined) ?? [];
      if (!raw.length) return;
      const events = raw.map((e): WatchEvent => ({ type: e.type === 1 ? 'Delete' : 'Put', kv: keyValue(e.kv as RawMsg), prev_kv: e.prev_kv ? keyValue(e.prev_kv as RawMsg) : undefined }));
      next = Number(events[events.length - 1].kv.mod_revision) + 1;
      h.onEvents(events, Number(int64((m.header as RawMsg | undefined)?.revision)));
    };
    const open = () => {
      timer = undefined;
      if (stopped || this.closed) return;
      const again = (session?: H2Session) => {
        stream = undefined;
        if (stopped || this.closed) return;
        // A member that could not be reached at all: the next attempt goes to the next one.
        if (session && !session.wasConnected && this.session === session) this.failover();
        timer = setTimeout(open, backoff);
        timer.unref();
        backoff = Math.min(backoff * 2, 2000);
      };
      const body = types.WatchRequest.encode({ create_request: { key: req.key, range_end: req.range_end, start_revision: next, prev_kv: req.prev_kv ?? false } }).finish();
      let session: H2Session | undefined;
      let pending: Buffer | undefined; // a gRPC message split over DATA frames
      try {
        session = this.connection();
        stream = session.request(this.headerBlock('/etcdserverpb.Watch/Watch'), grpcFrame(body), false, {
          onHeaders: (_fields, ended) => { if (ended) again(session); },
          onData: (chunk, ended) => {
            let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
            while (!stopped && buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) {
              const len = buf.readUInt32BE(1);
              try {
                onMessage(types.WatchResponse.decode(buf.subarray(5, 5 + len)) as unknown as RawMsg);
              } catch (err) {
                // A message we cannot read (or a handler that failed) ends this watch, not the shared connection.
                end(new EtcdCallError(UNAVAILABLE, `etcd watch: ${(err as Error).message}`), 0);
                return;
              }
              buf = buf.subarray(5 + len);
            }
            pending = buf.length ? buf : undefined;
            if (ended) again(session);
          },
          onReset: () => again(session),
        });
      } catch {
        again(session);
      }
    };
    open();
    return { created, cancel: () => { stopped = true; clearTimeout(timer); stream?.cancel(); markCreated(); } };
  }

  /** Closes the connection; later calls fail. */
  close(): void {
    this.closed = true;
    this.session?.destroy();
    this.session = undefined;
  }

  private async call(path: string, body: Uint8Array, opts: CallOptions | undefined, idempotent: boolean): Promise<Buffer> {
    const deadline = opts?.deadline?.getTime() ?? Date.now() + this.defaultTimeoutMs;
    let lastError: EtcdCallError | undefined;
    for (let attempt = 0; attempt < this.urls.length; attempt++) {
      if (this.closed) throw new EtcdCallError(UNAVAILABLE, 'etcd client closed');
      try {
        return await this.once(path, body, deadline);
      } catch (err) {
        const e = err as EtcdCallError;
        lastError = e;
        // Another member may take it when this one never saw the call, or has no leader (then nothing was applied).
        const retry = e.code === UNAVAILABLE && (e.notSent || /no leader/.test(e.message) || idempotent);
        if (!retry || Date.now() >= deadline) throw e;
        this.failover();
      }
    }
    throw lastError!;
  }

  /**
   * Later calls and watches go to the next member, on a new connection. The old one is closed
   * gracefully: calls still in flight on it (possibly applied) finish there.
   */
  private failover(): void {
    this.current = (this.current + 1) % this.urls.length;
    this.session?.close();
    this.session = undefined;
  }

  private connection(): H2Session {
    if (this.session?.usable) return this.session;
    const url = this.urls[this.current];
    const s = new H2Session(url, url.startsWith('https:') ? this.tls : undefined);
    s.onClose(() => { if (this.session === s) this.session = undefined; });
    this.session = s;
    return s;
  }

  /** The request's header block: a prebuilt part per member and method, then `grpc-timeout` (a literal, so parts just concatenate). */
  private headerBlock(path: string, timeoutMs?: number): Buffer {
    const url = this.urls[this.current];
    const k = `${url} ${path}`;
    let base = this.blocks.get(k);
    if (!base) {
      const u = new URL(url);
      base = encodeHeaders([[':method', 'POST'], [':scheme', u.protocol === 'https:' ? 'https' : 'http'], [':path', path], [':authority', u.host], ['content-type', 'application/grpc'], ['te', 'trailers']]);
      this.blocks.set(k, base);
    }
    if (timeoutMs === undefined) return base;
    const v = `${timeoutMs}m`;
    const b = Buffer.allocUnsafe(base.length + TIMEOUT_NAME.length + 1 + v.length);
    base.copy(b);
    TIMEOUT_NAME.copy(b, base.length);
    b[base.length + TIMEOUT_NAME.length] = v.length; // < 127: a one-byte length, no Huffman
    b.write(v, base.length + TIMEOUT_NAME.length + 1, 'latin1');
    return b;
  }

  private once(path: string, body: Uint8Array, deadline: number): Promise<Buffer> {
    const frame = grpcFrame(body);
    const timeoutMs = Math.max(1, deadline - Date.now());
    return new Promise<Buffer>((resolve, reject) => {
      let session: H2Session;
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let message = '';
      let httpStatus = '';
      let settled = false;
      const finish = (err?: EtcdCallError, value?: Buffer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err); else resolve(value!);
      };
      const readFields = (fields: HeaderFields) => {
        for (const [n, v] of fields) {
          if (n === ':status') httpStatus = v;
          else if (n === 'grpc-status') status = v;
          else if (n === 'grpc-message') message = safeDecode(v);
        }
      };
      const done = () => {
        if (httpStatus !== '200') { finish(new EtcdCallError(UNAVAILABLE, `etcd answered HTTP ${httpStatus || '(none)'}`)); return; }
        if (status === undefined) { finish(new EtcdCallError(UNAVAILABLE, 'etcd ended the call without a gRPC status')); return; }
        if (status !== '0') { finish(new EtcdCallError(Number(status), message || `gRPC status ${status}`)); return; }
        const data = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        if (data.length < 5 || data[0] !== 0) { finish(new EtcdCallError(UNAVAILABLE, 'etcd sent a malformed or compressed gRPC message')); return; }
        finish(undefined, data.subarray(5, 5 + data.readUInt32BE(1)));
      };
      let stream: { cancel(): void } | undefined;
      const timer = setTimeout(() => {
        stream?.cancel();
        finish(new EtcdCallError(DEADLINE_EXCEEDED, 'context deadline exceeded'));
      }, timeoutMs);
      try {
        session = this.connection();
        stream = session.request(this.headerBlock(path, timeoutMs), frame, true, {
          onHeaders: (fields, end) => { readFields(fields); if (end) done(); },
          onData: (chunk, end) => { if (chunk.length) chunks.push(chunk); if (end) done(); },
          onReset: (code, msg, notSent) => {
            finish(new EtcdCallError(UNAVAILABLE, status === undefined && !session.wasConnected ? `etcd unreachable: ${msg}` : `etcd closed the call: ${msg} (HTTP/2 code ${code})`, notSent));
          },
        });
      } catch (err) {
        finish(new EtcdCallError(UNAVAILABLE, `etcd unreachable: ${(err as Error).message}`, true));
      }
    });
  }
}

/** A gRPC message on the wire: uncompressed flag, length, bytes. */
function grpcFrame(body: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(5 + body.length);
  frame[0] = 0;
  frame.writeUInt32BE(body.length, 1);
  frame.set(body, 5);
  return frame;
}

/** `grpc-timeout` as a literal header without indexing, up to its value's length byte. */
const TIMEOUT_NAME = Buffer.from([0x00, 12, ...Buffer.from('grpc-timeout', 'latin1')]);

/** grpc-message is percent-encoded; a malformed one is shown as sent. */
function safeDecode(v: string): string {
  try { return decodeURIComponent(v); } catch { return v; }
}
