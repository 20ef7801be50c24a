import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../lib/api/object.js';
import { ApiError } from '../../lib/errors.js';
import { adminCtx as ctx, R, startTestRegistry, type TestRegistry } from './testing.js';

let t: TestRegistry;
before(async () => { t = await startTestRegistry({ compactionIntervalMs: 0 }); });
after(async () => { await t?.stop(); });

/** Every call must fail with an ApiError (never a TypeError or similar crash). */
async function rejectsCleanly(what: string, p: Promise<unknown>): Promise<void> {
  try { await p; } catch (err) {
    assert.ok(err instanceof ApiError, `${what}: expected an ApiError, got ${(err as Error)?.stack ?? err}`);
    assert.ok(err.httpStatus >= 400 && err.httpStatus < 500, `${what}: ${err.httpStatus} ${err.message}`);
    return;
  }
  assert.fail(`${what}: expected a rejection`);
}

test('malformed requests are 4xx ApiErrors, never crashes', async () => {
  const bodies: [string, unknown][] = [
    ['null body', null], ['array body', []], ['string body', 'x'], ['metadata string', { metadata: 'x' }],
    ['labels not a map', { metadata: { name: 'a', labels: 'x' } }], ['name too long', { metadata: { name: 'a'.repeat(300) } }],
    ['name with slash', { metadata: { name: 'a/b' } }], ['generateName invalid', { metadata: { generateName: 'A_' } }],
    ['no name', { metadata: {} }], ['wrong kind', { kind: 'Pod', metadata: { name: 'k' } }],
  ];
  for (const [what, body] of bodies) await rejectsCleanly(`create ${what}`, t.reg.create(ctx, R.configmaps, 'default', body as KObject));
  await rejectsCleanly('pod without containers', t.reg.create(ctx, R.pods, 'default', { metadata: { name: 'p' }, spec: {} }));
  await rejectsCleanly('pod spec not an object', t.reg.create(ctx, R.pods, 'default', { metadata: { name: 'p' }, spec: 'x' } as KObject));
  await rejectsCleanly('list bad label selector', t.reg.list(ctx, R.configmaps, 'default', { labelSelector: 'a in (' }));
  await rejectsCleanly('list bad field selector', t.reg.list(ctx, R.configmaps, 'default', { fieldSelector: 'metadata.name' }));
  await rejectsCleanly('list negative limit', t.reg.list(ctx, R.configmaps, 'default', { limit: -1 }));
  await rejectsCleanly('list foreign continue', t.reg.list(ctx, R.configmaps, 'default', { limit: 1, continue: Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 'x', start: 'a' })).toString('base64url') }));
  await rejectsCleanly('watch bad rv', (async () => { for await (const _ of t.reg.watch(ctx, R.configmaps, 'default', { resourceVersion: 'abc' }, new AbortController().signal)) break; })());
  await rejectsCleanly('update missing', t.reg.update(ctx, R.configmaps, 'default', 'nope', { metadata: { name: 'nope' } }));
  await rejectsCleanly('patch missing object', t.reg.patch(ctx, R.configmaps, 'default', 'nope', 'merge', {}, {}));
  await t.reg.create(ctx, R.configmaps, 'default', { metadata: { name: 'target' }, data: {} });
  await rejectsCleanly('patch bad json patch', t.reg.patch(ctx, R.configmaps, 'default', 'target', 'json', { op: 'x' }, {}));
  await rejectsCleanly('patch merge not an object', t.reg.patch(ctx, R.configmaps, 'default', 'target', 'merge', [1], {}));
  await rejectsCleanly('patch that breaks validation', t.reg.patch(ctx, R.configmaps, 'default', 'target', 'merge', { metadata: { labels: { 'bad key!': 'x' } } }, {}));
  await rejectsCleanly('apply without field manager', t.reg.patch(ctx, R.configmaps, 'default', 'target', 'apply', { metadata: { name: 'target' } }, {}));
  await rejectsCleanly('delete bad grace', t.reg.delete(ctx, R.configmaps, 'default', 'nope', { gracePeriodSeconds: 1.5 }));
  await rejectsCleanly('binding without target', t.reg.create(ctx, R.pods, 'default', { metadata: { name: 'p' } }, 'binding', 'p'));
  await rejectsCleanly('scale of configmaps', t.reg.update(ctx, R.configmaps, 'default', 'x', { metadata: { name: 'x' } }, 'scale'));
  await rejectsCleanly('negative scale', t.reg.update(ctx, R.deployments, 'default', 'x', { kind: 'Scale', metadata: { name: 'x' }, spec: { replicas: -1 } }, 'scale'));
});
