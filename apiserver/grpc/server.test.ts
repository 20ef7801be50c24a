import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRegistry, expectApiError, take } from '../registry/testing.js';
import { startGrpcServer } from './server.js';
import { ApiClient, type ClientWatchEvent } from '../../lib/client/api-client.js';
import type { Pod, Service, Deployment, ConfigMap } from '../../lib/api/types.js';
import type { KObject } from '../../lib/api/object.js';

const pods = { resource: 'pods', namespace: 'default' };
const cms = { resource: 'configmaps', namespace: 'default' };

async function setup(t: { after(fn: () => Promise<void> | void): void }, watchCacheSize?: number) {
  const tr = await startTestRegistry(watchCacheSize ? { watchCacheSize } : {});
  const srv = await startGrpcServer({ registry: tr.reg, host: '127.0.0.1', port: 0 }).catch(async (err) => { await tr.stop(); throw err; });
  const client = ApiClient.connect(`127.0.0.1:${srv.port}`);
  t.after(async () => { client.close(); await srv.close(); await tr.stop(); });
  return { tr, srv, client };
}

test('create, get, list, update with Conflict, patch and delete over gRPC', async (t) => {
  const { client } = await setup(t);
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 80 }], resources: { requests: { cpu: '100m' } }, readinessProbe: { httpGet: { port: 'http', path: '/' } } }] } };
  const created = await client.create<Pod>(pods, pod);
  assert.equal(created.metadata?.namespace, 'default');
  assert.ok(created.metadata?.uid && created.metadata.resourceVersion);
  assert.equal(created.spec?.containers?.[0].readinessProbe?.httpGet?.port, 'http');
  assert.equal(created.spec?.containers?.[0].resources?.requests?.cpu, '100m');
  await expectApiError(client.create(pods, pod), 'AlreadyExists', /pods "web" already exists/);

  const got = await client.get<Pod>({ ...pods, name: 'web' });
  assert.deepEqual(got, created);
  await expectApiError(client.get({ ...pods, name: 'nope' }), 'NotFound', 'pods "nope" not found');
  await expectApiError(client.get({ resource: 'widgets', name: 'x' }), 'NotFound');

  const list = await client.list<Pod>(pods, { labelSelector: 'app=web' });
  assert.deepEqual(list.items.map((p) => p.metadata?.name), ['web']);
  assert.equal(list.kind, 'PodList');
  assert.ok(Number(list.metadata.resourceVersion) >= Number(created.metadata?.resourceVersion));
  assert.equal((await client.list(pods, { labelSelector: 'app=other' })).items.length, 0);

  const labelled = structuredClone(got);
  labelled.metadata!.labels = { app: 'web', tier: 'front' };
  const updated = await client.update<Pod>(pods, labelled);
  assert.equal(updated.metadata?.labels?.tier, 'front');
  await expectApiError(client.update(pods, labelled), 'Conflict', /the object has been modified/);

  const patched = await client.patch<Pod>({ ...pods, name: 'web' }, 'merge', { metadata: { annotations: { note: 'hi' } } });
  assert.equal(patched.metadata?.annotations?.note, 'hi');
  const jsonPatched = await client.patch<Pod>({ ...pods, name: 'web' }, 'json', [{ op: 'remove', path: '/metadata/annotations/note' }]);
  assert.equal(jsonPatched.metadata?.annotations?.note, undefined);
  await expectApiError(client.patch({ ...pods, name: 'web' }, 'json', { not: 'an array' }), 'BadRequest');

  await client.delete({ ...pods, name: 'web' }, { gracePeriodSeconds: 0 });
  await expectApiError(client.get({ ...pods, name: 'web' }), 'NotFound');
});

test('validation errors arrive as the same Invalid ApiError with causes', async (t) => {
  const { client } = await setup(t);
  const err = await expectApiError(client.create<ConfigMap>(cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }), 'Invalid');
  assert.match(err.message, /ConfigMap "Bad_Name" is invalid/);
  assert.ok(err.details?.causes?.some((c) => c.field === 'metadata.name'));
});

test('Service intOrString and Deployment fields survive the gRPC round trip; unknown kinds travel raw', async (t) => {
  const { client } = await setup(t);
  const svc = await client.create<Service>({ resource: 'services', namespace: 'default' }, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubia' }, spec: { selector: { app: 'kubia' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'raw', port: 81, targetPort: 8081 }] } });
  assert.deepEqual(svc.spec?.ports?.map((p) => p.targetPort), ['http', 8081]);
  const dep = await client.create<Deployment>({ group: 'apps', resource: 'deployments', namespace: 'default' }, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
    spec: { replicas: 0, selector: { matchLabels: { app: 'd' } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  });
  assert.equal(dep.spec?.replicas, 0);
  assert.deepEqual(dep.spec?.strategy?.rollingUpdate, { maxSurge: 1, maxUnavailable: '25%' });
  assert.equal(dep.metadata?.generation, 1);
});

test('bind sets spec.nodeName; binding twice is a Conflict', async (t) => {
  const { client } = await setup(t);
  const pod = await client.create<Pod>(pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  await client.bind('default', 'p', 'node-1', { podUID: pod.metadata?.uid });
  const bound = await client.get<Pod>({ ...pods, name: 'p' });
  assert.equal(bound.spec?.nodeName, 'node-1');
  assert.ok(bound.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'True'));
  await expectApiError(client.bind('default', 'p', 'node-2'), 'Conflict', /already assigned/);
});

test('watch streams events, resumes from a resourceVersion, and ends with Gone when the revision is compacted', async (t) => {
  const { tr, client } = await setup(t, 2);
  const ac = new AbortController();
  t.after(() => ac.abort());
  const a = await client.create<ConfigMap>(cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: '1' } });
  const watch = client.watch<ConfigMap>(cms, { resourceVersion: a.metadata?.resourceVersion, signal: ac.signal })[Symbol.asyncIterator]();
  const first = take(watch, 2);
  const b = await client.create<ConfigMap>(cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
  await client.patch({ ...cms, name: 'a' }, 'merge', { data: { k: '2' } });
  const evs: ClientWatchEvent<ConfigMap>[] = await first;
  assert.deepEqual(evs.map((e) => [e.type, e.object.metadata?.name]), [['ADDED', 'b'], ['MODIFIED', 'a']]);
  assert.equal(evs[1].object.data?.k, '2');

  // resume from b's revision: only what came after it
  await client.delete({ ...cms, name: 'b' });
  const resumed = client.watch<ConfigMap>(cms, { resourceVersion: b.metadata?.resourceVersion, signal: ac.signal })[Symbol.asyncIterator]();
  const after = await take(resumed, 2);
  assert.deepEqual(after.map((e) => [e.type, e.object.metadata?.name]), [['MODIFIED', 'a'], ['DELETED', 'b']]);

  // push the old revision out of the watch cache window and compact etcd past it
  for (let i = 0; i < 4; i++) await client.create(cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `x${i}` } });
  const head = await client.list(cms);
  await tr.reg.store.compact(Number(head.metadata.resourceVersion));
  const old = client.watch(cms, { resourceVersion: a.metadata?.resourceVersion, signal: ac.signal });
  await expectApiError((async () => { for await (const _ of old) { /* drain */ } })(), 'Gone', /too old resource version/);
});

test('aborting a watch ends the iteration without an error', async (t) => {
  const { client } = await setup(t);
  const ac = new AbortController();
  const seen: KObject[] = [];
  const done = (async () => { for await (const ev of client.watch(cms, { signal: ac.signal })) seen.push(ev.object); })();
  await client.create(cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w' } });
  const { waitFor } = await import('../../lib/testing/wait.js');
  await waitFor('event seen', () => seen.length >= 1);
  ac.abort();
  await done;
  assert.equal(seen[0].metadata?.name, 'w');
});

test('authenticate sees the call metadata: a bad token is Unauthorized, a good one reaches the registry', async (t) => {
  const { startTestRegistry: start } = await import('../registry/testing.js');
  const { ApiError } = await import('../../lib/errors.js');
  const tr = await start();
  const users: string[] = [];
  const srv = await startGrpcServer({
    registry: tr.reg, host: '127.0.0.1', port: 0,
    authenticate: async (md) => {
      if (md.get('authorization')[0] !== 'Bearer good') throw new ApiError('Unauthorized', 'Unauthorized');
      users.push('system:kube-scheduler');
      return { username: 'system:kube-scheduler', groups: ['system:authenticated'] };
    },
  }).catch(async (err) => { await tr.stop(); throw err; });
  const good = ApiClient.connect(`127.0.0.1:${srv.port}`, { metadata: { authorization: 'Bearer good' } });
  const bad = ApiClient.connect(`127.0.0.1:${srv.port}`, { metadata: { authorization: 'Bearer bad' } });
  t.after(async () => { good.close(); bad.close(); await srv.close(); await tr.stop(); });
  await expectApiError(bad.list(pods), 'Unauthorized');
  await expectApiError((async () => { for await (const _ of bad.watch(pods)) { /* none */ } })(), 'Unauthorized');
  assert.equal((await good.list(pods)).items.length, 0);
  assert.deepEqual(users, ['system:kube-scheduler']);
});

test('deleteCollection deletes what the selector matches and returns it', async (t) => {
  const { client } = await setup(t);
  for (const [name, app] of [['a', 'x'], ['b', 'x'], ['c', 'y']]) await client.create<ConfigMap>(cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app } } });
  const dry = await client.deleteCollection(cms, { labelSelector: 'app=x' }, { dryRun: true });
  assert.equal(dry.items.length, 2);
  assert.equal((await client.list(cms)).items.length, 3, 'dry run deleted nothing');
  const gone = await client.deleteCollection<ConfigMap>(cms, { labelSelector: 'app=x' });
  assert.deepEqual(gone.items.map((o) => o.metadata?.name).sort(), ['a', 'b']);
  assert.deepEqual((await client.list(cms)).items.map((o) => o.metadata?.name), ['c']);
});

test('the REST authentication and authorization chains plug in: unknown token 401, non-admin denied 403, admin allowed', async (t) => {
  const { startTestRegistry: start } = await import('../registry/testing.js');
  const { AuthenticationChain, staticTokenAuthenticator } = await import('../auth/authn.js');
  const { AuthorizationChain } = await import('../auth/authz.js');
  const { metadataHeaders } = await import('./server.js');
  const tr = await start();
  const authn = new AuthenticationChain([staticTokenAuthenticator('admintoken'), staticTokenAuthenticator('usertoken', { username: 'alice', groups: ['system:authenticated'] })], false);
  const authz = AuthorizationChain.fromModes('AlwaysDeny');
  const srv = await startGrpcServer({
    registry: tr.reg, host: '127.0.0.1', port: 0,
    authenticate: (md) => authn.authenticate(metadataHeaders(md)),
    authorize: (a) => authz.authorize(a),
  }).catch(async (err) => { await tr.stop(); throw err; });
  const connect = (token: string) => ApiClient.connect(`127.0.0.1:${srv.port}`, { metadata: { authorization: `Bearer ${token}` } });
  const admin = connect('admintoken');
  const alice = connect('usertoken');
  const stranger = connect('nope');
  t.after(async () => { admin.close(); alice.close(); stranger.close(); await srv.close(); await tr.stop(); });
  await expectApiError(stranger.get({ ...pods, name: 'x' }), 'Unauthorized');
  await expectApiError(alice.list(pods), 'Forbidden', /^pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"/);
  await expectApiError(alice.bind('default', 'p', 'n1'), 'Forbidden', /cannot create resource "pods\/binding"/);
  await expectApiError((async () => { for await (const _ of alice.watch(pods)) { /* none */ } })(), 'Forbidden', /cannot watch/);
  assert.equal((await admin.list(pods)).items.length, 0);
});

test('subresources over gRPC: scale get/update, status update, pods/eviction create', async (t) => {
  const { client } = await setup(t);
  const deps = { group: 'apps', resource: 'deployments', namespace: 'default' };
  await client.create<Deployment>(deps, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } });
  const scale = await client.get<KObject & { spec?: { replicas?: number } }>({ ...deps, name: 'd', subresource: 'scale' });
  assert.equal(scale.kind, 'Scale');
  assert.equal(scale.spec?.replicas, 1);
  await client.update({ ...deps, name: 'd', subresource: 'scale' }, { ...scale, spec: { replicas: 4 } });
  assert.equal((await client.get<Deployment>({ ...deps, name: 'd' })).spec?.replicas, 4);

  const dep = await client.get<Deployment>({ ...deps, name: 'd' });
  await client.updateStatus<Deployment>(deps, { ...dep, status: { replicas: 4, readyReplicas: 2, observedGeneration: dep.metadata?.generation } });
  const after = await client.get<Deployment>({ ...deps, name: 'd' });
  assert.equal(after.status?.readyReplicas, 2);
  assert.equal(after.spec?.replicas, 4, 'a status update leaves spec alone');

  await client.create<Pod>(pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'victim' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  await client.create({ ...pods, name: 'victim', subresource: 'eviction' }, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'victim' }, deleteOptions: { gracePeriodSeconds: 0 } });
  await expectApiError(client.get({ ...pods, name: 'victim' }), 'NotFound');
});
