/**
 * List with server-side selectors and paging: `limit` + opaque `continue` tokens that pin the
 * revision of the first page (410 Gone once etcd compacted it), as Kubernetes' etcd3 store.
 */
import type { KList, KObject } from '../../lib/api/object.js';
import { ApiError } from '../../lib/errors.js';
import { decodeContinue, encodeContinue } from '../storage/continue-token.js';
import { collectionKey } from '../storage/keys.js';
import type { RegistryCore } from './context.js';
import { apiVersionOf } from './metadata.js';
import { selectionPredicate } from './selection.js';
import type { ListOptions, ResourceDef } from './types.js';

/** Lists objects of `def` (one namespace, or all when `namespace` is undefined). */
export async function listObjects(core: RegistryCore, def: ResourceDef, namespace: string | undefined, opts: ListOptions): Promise<KList> {
  const { matches, filtered } = selectionPredicate(def, namespace, opts.labelSelector, opts.fieldSelector);
  const prefix = collectionKey(core.prefix, def.resource, def.namespaced ? namespace : undefined);
  if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 0)) throw new ApiError('BadRequest', `invalid limit: ${opts.limit}`);
  const limit = opts.limit ?? 0;
  let startKey: string | undefined;
  let revision: number | undefined;
  if (opts.continue) {
    const tok = decodeContinue(prefix, opts.continue);
    startKey = tok.key;
    revision = tok.rv;
  }
  const items: KObject[] = [];
  let nextKey: string | undefined;
  let remaining: number | undefined;
  for (;;) {
    const page = await core.store.list(prefix, { startKey, limit: limit ? limit - (filtered ? 0 : items.length) : 0, revision, fromContinue: !!opts.continue });
    revision = page.revision;
    let stoppedAt = -1;
    for (let i = 0; i < page.items.length; i++) {
      const obj = page.items[i].obj;
      if (!matches(obj)) continue;
      items.push(obj);
      if (limit && items.length >= limit) { stoppedAt = i; break; }
    }
    if (stoppedAt >= 0) {
      const more = stoppedAt < page.items.length - 1 || page.more;
      if (more) nextKey = page.items[stoppedAt].key + '\0';
      if (more && !filtered) remaining = page.remaining + (page.items.length - 1 - stoppedAt);
      break;
    }
    if (!page.more) break;
    startKey = page.nextKey;
  }
  const apiVersion = apiVersionOf(def);
  for (const obj of items) { obj.apiVersion = apiVersion; obj.kind = def.kind; }
  const metadata: KList['metadata'] = { resourceVersion: String(revision) };
  if (nextKey) metadata.continue = encodeContinue(prefix, nextKey, revision!);
  if (remaining !== undefined) metadata.remainingItemCount = remaining;
  return { apiVersion, kind: def.listKind, metadata, items };
}
