/** Test helpers: a registry on a fresh real etcd, and an assertion for ApiError codes. */
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import type { ApiErrorCode } from '../../lib/errors.js';
import { ApiError } from '../../lib/errors.js';
import { startEtcd, type TestEtcd } from '../../lib/testing/etcd.js';
import { EtcdKv } from '../storage/etcd-kv.js';
import { createRegistry, type RegistryHandle, type RegistryOptions } from './registry.js';
import type { RequestContext, ResourceRef } from './types.js';

/** A registry on its own etcd; `stop()` removes both. */
export interface TestRegistry { etcd: TestEtcd; client: Etcd3; kv: EtcdKv; reg: RegistryHandle; stop(): Promise<void> }

/** Starts etcd and a registry on it (extra registry options allowed). */
export async function startTestRegistry(opts: Partial<RegistryOptions> = {}): Promise<TestRegistry> {
  const etcd = await startEtcd();
  const client = new Etcd3({ hosts: etcd.endpoint });
  const kv = new EtcdKv([etcd.endpoint]);
  try {
    const reg = await createRegistry({ etcd: client, etcdKv: kv, ...opts });
    return { etcd, client, kv, reg, async stop() { await reg.close(); kv.close(); client.close(); await etcd.stop(); } };
  } catch (err) {
    kv.close();
    client.close();
    await etcd.stop();
    throw err;
  }
}

/** An admin request context. */
export const adminCtx: RequestContext = { user: { username: 'admin', groups: ['system:masters'] } };

/** Resource refs used by tests. */
export const R = {
  pods: { group: '', version: 'v1', resource: 'pods' },
  namespaces: { group: '', version: 'v1', resource: 'namespaces' },
  configmaps: { group: '', version: 'v1', resource: 'configmaps' },
  services: { group: '', version: 'v1', resource: 'services' },
  events: { group: '', version: 'v1', resource: 'events' },
  deployments: { group: 'apps', version: 'v1', resource: 'deployments' },
} satisfies Record<string, ResourceRef>;

/** Asserts that `p` rejects with an ApiError of `code` (and a message matching `message`, if given). */
export async function expectApiError(p: Promise<unknown>, code: ApiErrorCode, message?: string | RegExp): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected ApiError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected ApiError ${code}, but the call succeeded`);
}

/** Collects events from an async iterator until `n` arrived (or the deadline). */
export async function take<T>(it: AsyncIterator<T>, n: number, timeoutMs = 10_000): Promise<T[]> {
  const out: T[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n) {
    const left = deadline - Date.now();
    if (left <= 0) assert.fail(`timed out: got ${out.length} of ${n} events: ${JSON.stringify(out).slice(0, 500)}`);
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([it.next(), new Promise<'timeout'>((res) => { timer = setTimeout(() => res('timeout'), left); })]);
    clearTimeout(timer);
    if (r === 'timeout') continue;
    if (r.done) assert.fail(`stream ended after ${out.length} of ${n} events`);
    out.push(r.value);
  }
  return out;
}
