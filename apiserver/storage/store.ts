/**
 * Object storage on etcd: JSON values under Kubernetes' key layout, resourceVersion = etcd mod
 * revision, optimistic concurrency through transactions on the mod revision.
 * Errors are ApiErrors named after the object (`what`), ready for the API edges.
 */
import type { Etcd3 } from 'etcd3';
import type { KObject } from '../../lib/api/object.js';
import { ApiError, alreadyExists, conflict, notFound } from '../../lib/errors.js';
import { jsonEqual } from './canonical.js';
import type { EtcdKv, RequestOp } from './etcd-kv.js';
import { prefixEnd } from './keys.js';
import { LeaseManager } from './lease-manager.js';
import { valueTransformer } from './transformer.js';

/** Names the object in error messages (plural resource, API group, object name). */
export interface What { resource: string; group: string; name: string }

/** One object read from etcd with its revisions. */
export interface Stored { key: string; obj: KObject; modRevision: number; lease: string }

/** A page of a list. */
export interface ListPage { items: Stored[]; revision: number; more: boolean; nextKey?: string; remaining: number }

/** Options of EtcdStore.guaranteedUpdate. */
export interface GuaranteedUpdateOptions {
  dryRun?: boolean;
  maxRetries?: number;
  leaseTtl?: number;
  /** A possibly stale copy of the current state (from a watch cache) to try first; undefined = read etcd. */
  cached?: () => Stored | undefined | Promise<Stored | undefined>;
}

/** Result of a guaranteed-update function: a new object, or 'delete' to remove the key. */
export type UpdateResult = KObject | 'delete';

interface RawKv { key: Buffer; value: Buffer; mod_revision: string; lease: string }

/** Parses a stored value and sets metadata.resourceVersion from the mod revision. */
export function decode(kv: RawKv): Stored {
  const obj = JSON.parse(valueTransformer().fromStorage(kv.key.toString('utf8'), kv.value).toString('utf8')) as KObject;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(kv.mod_revision) };
  return { key: kv.key.toString('utf8'), obj, modRevision: Number(kv.mod_revision), lease: String(kv.lease ?? '0') };
}

/** JSON for etcd: resourceVersion is never stored (it is the mod revision). */
export function encode(obj: KObject, key = ''): Buffer {
  const copy: KObject = { ...obj, metadata: { ...(obj.metadata ?? {}) } };
  delete copy.metadata!.resourceVersion;
  return valueTransformer().toStorage(key, Buffer.from(JSON.stringify(copy)));
}

/** Translates etcd failures (compaction, future revision, unreachable) to ApiErrors. */
export function etcdError(err: unknown, rv?: number, current?: number): ApiError {
  if (err instanceof ApiError) return err;
  const msg = String((err as Error)?.message ?? err);
  if (msg.includes('compacted')) return new ApiError('Gone', `too old resource version: ${rv ?? 0} (${current ?? 0})`);
  if (msg.includes('future revision')) return new ApiError('Timeout', `Too large resource version: ${rv ?? 0}, current: ${current ?? 0}`, { retryAfterSeconds: 1 });
  if (msg.includes('request is too large')) return new ApiError('TooLarge', 'etcdserver: request is too large');
  if (/deadline exceeded/i.test(msg)) return new ApiError('Timeout', 'Timeout: request did not complete within requested timeout - context deadline exceeded', { retryAfterSeconds: 1 });
  return new ApiError('Unavailable', `etcd: ${msg}`);
}

/** JSON objects in etcd with Kubernetes' concurrency rules. */
export class EtcdStore {
  private readonly leases: LeaseManager;
  /** Called after every successful write of this store (read-your-writes for cached reads). */
  onWrite?: (key: string, revision: number) => void;

  /**
   * `kv` serves Range, Txn and Watch (the hot path, lib/h2); leases and compaction stay on `client`.
   * `callTimeoutMs` bounds each etcd call: a hung etcd turns into 504 Timeout, not a request that never ends.
   */
  constructor(readonly client: Etcd3, readonly kv: EtcdKv, private readonly callTimeoutMs = 15_000) {
    this.leases = new LeaseManager(client);
  }

  private call() { return { deadline: new Date(Date.now() + this.callTimeoutMs) }; }

  /** The current etcd revision (header of a cheap range). */
  async currentRevision(): Promise<number> {
    try {
      const res = await this.kv.range({ key: Buffer.from('\0'), limit: 1, keys_only: true } as never, this.call());
      return Number(res.header.revision);
    } catch (err) { throw etcdError(err); }
  }

  /** Reads one object, or undefined when absent. */
  async get(key: string): Promise<Stored | undefined> {
    let res;
    try { res = await this.kv.range({ key: Buffer.from(key) }, this.call()); } catch (err) { throw etcdError(err); }
    return res.kvs.length ? decode(res.kvs[0] as RawKv) : undefined;
  }

  /** Reads one object or throws NotFound. */
  async mustGet(key: string, what: What): Promise<Stored> {
    const s = await this.get(key);
    if (!s) throw notFound(what.resource, what.name, what.group);
    return s;
  }

  /** Creates `key` only if absent (AlreadyExists otherwise); `leaseTtl` attaches a TTL lease. */
  async create(key: string, obj: KObject, what: What, opts: { dryRun?: boolean; leaseTtl?: number } = {}): Promise<KObject> {
    if (opts.dryRun) {
      if (await this.get(key)) throw alreadyExists(what.resource, what.name, what.group);
      return obj;
    }
    try {
      const lease = opts.leaseTtl ? await this.leases.leaseFor(opts.leaseTtl) : undefined;
      const res = await this.kv.txn({
        compare: [{ key: Buffer.from(key), target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: Buffer.from(key), value: encode(obj, key), lease } }],
        failure: [],
      }, this.call());
      if (!res.succeeded) throw alreadyExists(what.resource, what.name, what.group);
      this.onWrite?.(key, Number(res.header.revision));
      return withRv(obj, Number(res.header.revision));
    } catch (err) {
      throw etcdError(err);
    }
  }

  /** Replaces `key` if its mod revision is still `modRevision` (Conflict otherwise); keeps its lease, or takes a fresh TTL with `leaseTtl`. */
  async update(key: string, obj: KObject, modRevision: number, what: What, opts: { dryRun?: boolean; lease?: string; leaseTtl?: number } = {}): Promise<KObject> {
    if (opts.dryRun) return withRv(obj, await this.checkRevision(key, modRevision, what));
    const lease = opts.leaseTtl ? await this.leases.leaseFor(opts.leaseTtl).catch((err) => { throw etcdError(err); }) : opts.lease && opts.lease !== '0' ? opts.lease : undefined;
    return withRv(obj, await this.writeAt(key, modRevision, what, { request_put: { key: Buffer.from(key), value: encode(obj, key), lease } }));
  }

  /** Deletes `key` if its mod revision is still `modRevision`; returns the deletion revision. */
  async delete(key: string, modRevision: number, what: What, opts: { dryRun?: boolean } = {}): Promise<number> {
    if (opts.dryRun) return this.checkRevision(key, modRevision, what);
    return this.writeAt(key, modRevision, what, { request_delete_range: { key: Buffer.from(key) } });
  }

  /** Dry runs: the write would need `key` at `modRevision`. */
  private async checkRevision(key: string, modRevision: number, what: What): Promise<number> {
    const cur = await this.mustGet(key, what);
    if (cur.modRevision !== modRevision) throw conflict(what.resource, what.name, what.group);
    return modRevision;
  }

  /** Runs `op` if `key` is still at `modRevision`: NotFound when it is gone, Conflict when it moved. */
  private async writeAt(key: string, modRevision: number, what: What, op: RequestOp): Promise<number> {
    let res;
    try {
      res = await this.kv.txn({
        compare: [{ key: Buffer.from(key), target: 'Mod', result: 'Equal', mod_revision: modRevision }],
        success: [op],
        failure: [{ request_range: { key: Buffer.from(key) } }],
      }, this.call());
    } catch (err) { throw etcdError(err); }
    if (!res.succeeded) {
      const gone = !res.responses[0]?.response_range?.kvs?.length;
      throw gone ? notFound(what.resource, what.name, what.group) : conflict(what.resource, what.name, what.group);
    }
    this.onWrite?.(key, Number(res.header.revision));
    return Number(res.header.revision);
  }

  /**
   * GuaranteedUpdate: read, apply `fn` to a private copy, write with a txn on the read revision,
   * and retry from a fresh read on conflict. `fn` may throw ApiErrors to abort.
   */
  async guaranteedUpdate(key: string, what: What, fn: (cur: Stored) => UpdateResult | Promise<UpdateResult>, opts: GuaranteedUpdateOptions = {}): Promise<{ obj: KObject; deleted: boolean; revision: number }> {
    const maxRetries = opts.maxRetries ?? 20;
    // The first attempt may start from a cached copy (saves the read, as Kubernetes' cachedExistingObject);
    // anything it cannot prove current (an error, a conflict, a no-op) is decided again on a fresh read.
    let cached = opts.dryRun ? undefined : await opts.cached?.();
    for (let attempt = 0; ; attempt++) {
      const fromCache = cached;
      cached = undefined;
      const cur = fromCache ?? await this.mustGet(key, what);
      let next: UpdateResult;
      try {
        next = await fn({ ...cur, obj: structuredClone(cur.obj) });
      } catch (err) {
        if (fromCache) continue;
        throw err;
      }
      try {
        if (next === 'delete') {
          const revision = await this.delete(key, cur.modRevision, what, opts);
          return { obj: cur.obj, deleted: true, revision };
        }
        // A no-op update writes nothing and keeps the resourceVersion, as Kubernetes does.
        if (jsonEqual(withRv(next, cur.modRevision), cur.obj)) {
          if (fromCache) continue;
          return { obj: cur.obj, deleted: false, revision: cur.modRevision };
        }
        const obj = await this.update(key, next, cur.modRevision, what, { ...opts, lease: cur.lease });
        return { obj, deleted: false, revision: Number(obj.metadata?.resourceVersion) };
      } catch (err) {
        if (err instanceof ApiError && (err.code === 'Conflict' || (fromCache && err.code === 'NotFound')) && (fromCache || attempt < maxRetries)) continue;
        throw err;
      }
    }
  }

  /**
   * One page of `prefix` at `revision` (0 = now), starting at `startKey`, at most `limit` keys
   * (0 = all). A compacted revision → 410 Gone with Kubernetes' continue message when `fromContinue`.
   */
  async list(prefix: string, opts: { startKey?: string; limit?: number; revision?: number; fromContinue?: boolean } = {}): Promise<ListPage> {
    let res;
    try {
      res = await this.kv.range({
        key: Buffer.from(opts.startKey ?? prefix),
        range_end: prefixEnd(prefix),
        limit: opts.limit ?? 0,
        revision: opts.revision ?? 0,
      }, this.call());
    } catch (err) {
      const e = etcdError(err, opts.revision, undefined);
      if (e.code === 'Gone' && opts.fromContinue) {
        throw new ApiError('Gone', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
      }
      throw e;
    }
    const items = res.kvs.map((kv) => decode(kv as RawKv));
    const revision = Number(res.header.revision);
    const last = items[items.length - 1];
    return {
      items,
      revision: opts.revision || revision,
      more: res.more,
      nextKey: res.more && last ? last.key + '\0' : undefined,
      remaining: Math.max(0, Number(res.count) - items.length),
    };
  }

  /** Asks etcd to compact history up to `revision` (tests and the periodic compactor). */
  async compact(revision: number): Promise<void> {
    try { await this.client.kv.compact({ revision, physical: true }); } catch (err) { throw etcdError(err); }
  }
}

/** A copy of obj with metadata.resourceVersion set. */
export function withRv(obj: KObject, rv: number): KObject {
  return { ...obj, metadata: { ...(obj.metadata ?? {}), resourceVersion: String(rv) } };
}
