/** ClusterResolver on a pre-filled store: edge cases dig-level tests do not reach. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Answer, Question } from 'dns-packet';
import { ClusterStore } from './cluster-store.js';
import { ClusterResolver } from './resolver.js';
import { loadFixtures } from './testing/fixtures.js';

function setup(): { store: ClusterStore; r: ClusterResolver } {
  const store = new ClusterStore();
  loadFixtures(store);
  return { store, r: new ClusterResolver(store, 'Cluster.Local.') };
}
const q = (name: string, type = 'A'): Question => ({ name, type, class: 'IN' } as Question);
const data = (a: Answer | undefined) => (a as { data?: unknown } | undefined)?.data;

test('zones: the cluster domain (normalised), reverse, outside', () => {
  const { r } = setup();
  assert.equal(r.domain, 'cluster.local');
  assert.equal(r.zoneOf('web.default.svc.cluster.local'), 'cluster');
  assert.equal(r.zoneOf('cluster.local'), 'cluster');
  assert.equal(r.zoneOf('4.3.2.1.in-addr.arpa'), 'reverse');
  assert.equal(r.zoneOf('notcluster.local'), 'outside');
});

test('intermediate names exist (NOERROR, no data); unknown namespaces do not', () => {
  const { r } = setup();
  assert.equal(r.resolve(q('svc.cluster.local')).rcode, 'NOERROR');
  assert.equal(r.resolve(q('default.svc.cluster.local')).rcode, 'NOERROR');
  assert.equal(r.resolve(q('nons.svc.cluster.local')).rcode, 'NXDOMAIN');
  const apex = r.resolve(q('cluster.local', 'SOA'));
  assert.equal(apex.answers[0].type, 'SOA');
});

test('publishNotReadyAddresses includes not-ready endpoints; updates and deletes are seen', () => {
  const { store, r } = setup();
  const ips = () => r.resolve(q('nginx.default.svc.cluster.local')).answers.map(data).sort();
  assert.deepEqual(ips(), ['10.244.1.10', '10.244.2.11']);
  const svc = store.services.get('default/nginx')!;
  const pub = structuredClone(svc);
  pub.spec!.publishNotReadyAddresses = true;
  store.onService.onUpdate(svc, pub);
  assert.deepEqual(ips(), ['10.244.1.10', '10.244.1.12', '10.244.2.11']);
  store.onService.onDelete(pub);
  assert.equal(r.resolve(q('nginx.default.svc.cluster.local')).rcode, 'NXDOMAIN');
  assert.equal(store.byClusterIP.size, 2);
});

test('ANY returns every record of the name; a CNAME loop stops', () => {
  const { store, r } = setup();
  const any = r.resolve(q('web.default.svc.cluster.local', 'ANY'));
  assert.deepEqual(any.answers.map((a) => a.type).sort(), ['A', 'SRV', 'SRV']);
  store.onService.onAdd({ metadata: { namespace: 'default', name: 'loop-a' }, spec: { type: 'ExternalName', externalName: 'loop-b.default.svc.cluster.local' } });
  store.onService.onAdd({ metadata: { namespace: 'default', name: 'loop-b' }, spec: { type: 'ExternalName', externalName: 'loop-a.default.svc.cluster.local' } });
  const loop = r.resolve(q('loop-a.default.svc.cluster.local'));
  assert.ok(loop.answers.length <= 9 && loop.answers.every((a) => a.type === 'CNAME'));
});

test('PTR: a pod IP with a hostname/subdomain and its headless service gets the stable name; unknown IPs NXDOMAIN', () => {
  const { store, r } = setup();
  assert.equal(data(r.resolve(q('10.1.244.10.in-addr.arpa', 'PTR')).answers[0]), 'web-0.nginx.default.svc.cluster.local');
  assert.equal(r.resolve(q('99.99.244.10.in-addr.arpa', 'PTR')).rcode, 'NXDOMAIN');
  assert.equal(r.resolve(q('x.10.in-addr.arpa', 'PTR')).rcode, 'NXDOMAIN');
  // A pod that moved away from an IP no longer owns it.
  const pod = store.pods.get('default/client')!;
  const moved = structuredClone(pod);
  moved.status!.podIP = '10.244.1.31';
  store.onPod.onUpdate(pod, moved);
  assert.equal(r.resolve(q('30.1.244.10.in-addr.arpa', 'PTR')).rcode, 'NXDOMAIN');
  assert.equal(data(r.resolve(q('31.1.244.10.in-addr.arpa', 'PTR')).answers[0]), '10-244-1-31.default.pod.cluster.local');
});

test('pod A records need a well-formed dashed IPv4', () => {
  const { r } = setup();
  assert.equal(r.resolve(q('10-244-1-300.default.pod.cluster.local')).rcode, 'NXDOMAIN');
  assert.equal(r.resolve(q('10-244-1.default.pod.cluster.local')).rcode, 'NXDOMAIN');
  assert.equal(data(r.resolve(q('10-244-1-7.any.pod.cluster.local')).answers[0]), '10.244.1.7');
});
