import { test, before, after } from 'node:test';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { ServiceAccountController } from './service-account.js';
import type { KObject } from '../../lib/api/object.js';

let cp: TestControlPlane;
const stop = new AbortController();
before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const c = new ServiceAccountController(informers, cp.client);
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void c.run(1, stop.signal);
});
after(async () => { stop.abort(); await cp.stop(); });

const getSA = (ns: string) => cp.client.get({ resource: 'serviceaccounts', namespace: ns, name: 'default' }).catch(() => undefined);

test('every namespace gets a default ServiceAccount, recreated when deleted', async () => {
  await waitFor('default/default', () => getSA('default'));
  await cp.client.create({ resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } } as KObject);
  await waitFor('team-a/default', () => getSA('team-a'));
  await cp.client.delete({ resource: 'serviceaccounts', namespace: 'team-a', name: 'default' });
  await waitFor('recreated', () => getSA('team-a'));
});
