import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { bootstrapTokenSecret } from '../../cli/cluster/bootstrap-token.js';
import type { KObject } from '../../lib/api/object.js';
import { TokenCleaner } from './token-cleaner.js';

let cp: TestControlPlane;
const stop = new AbortController();
before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const c = new TokenCleaner(informers, cp.client);
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void c.run(1, stop.signal);
});
after(async () => { stop.abort(); await cp.stop(); });

const exists = async (name: string) => !!(await cp.client.get({ resource: 'secrets', namespace: 'kube-system', name }).catch(() => undefined));

test('expired bootstrap tokens are deleted, a live one when it expires, other Secrets never', async () => {
  const secrets = { resource: 'secrets', namespace: 'kube-system' };
  await cp.client.create(secrets, bootstrapTokenSecret('expird', '0123456789abcdef', new Date(Date.now() - 1000), 'expired') as KObject);
  await cp.client.create(secrets, bootstrapTokenSecret('soonxx', '0123456789abcdef', new Date(Date.now() + 2000), 'expires soon') as KObject);
  await cp.client.create(secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'plain', namespace: 'kube-system' }, stringData: { expiration: '2000-01-01T00:00:00Z' } } as KObject);
  await waitFor('expired token deleted', async () => !(await exists('bootstrap-token-expird')));
  assert.equal(await exists('bootstrap-token-soonxx'), true);
  await waitFor('token deleted once it expires', async () => !(await exists('bootstrap-token-soonxx')), { timeoutMs: 10_000 });
  assert.equal(await exists('plain'), true);
});
