/**
 * The ingress controller process on the real in-process control plane: backends are HTTP servers
 * on 127.0.0.x published through Endpoints objects the test writes (no kubelet needed), so the
 * proxy's routing, the reload after an edit, and the status it writes are all observed from outside.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import { R } from '../../lib/client/resources.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { Endpoints, Ingress, IngressClass, Node, Service } from '../../lib/api/types.js';
import { startBackend, startController, get, whoAnswers, type Backend } from './helpers.js';

const NS = `ksimt-ing-${Math.random().toString(36).slice(2, 7)}`;

async function publish(client: ApiClient, name: string, b: Backend | undefined, portName?: string): Promise<void> {
  const svc: Service = { metadata: { name, namespace: NS }, spec: { ports: [{ ...(portName ? { name: portName } : {}), port: 80, protocol: 'TCP' }] } };
  await client.create({ ...R.services, namespace: NS }, svc);
  const ep: Endpoints = {
    metadata: { name, namespace: NS },
    subsets: b ? [{ addresses: [{ ip: b.ip }], ports: [{ ...(portName ? { name: portName } : {}), port: b.port, protocol: 'TCP' }] }] : [],
  };
  await client.create({ ...R.endpoints, namespace: NS }, ep);
}

const path = (p: string, pathType: string, svc: string) => ({ path: p, pathType, backend: { service: { name: svc, port: { number: 80 } } } });

function webIngress(aService: string): Ingress {
  return {
    metadata: { name: 'web', namespace: NS },
    spec: {
      ingressClassName: 'kubesim',
      defaultBackend: { service: { name: 'svc-default', port: { number: 80 } } },
      rules: [
        { host: 'foo.example.com', http: { paths: [path('/a', 'Prefix', aService), path('/b', 'Prefix', 'svc-b'), path('/b/exact', 'Exact', 'svc-c')] } },
        { host: 'bar.example.com', http: { paths: [path('/', 'Prefix', 'svc-c')] } },
        { host: '*.wild.test', http: { paths: [path('/', 'Prefix', 'svc-b')] } },
        { host: 'broken.example.com', http: { paths: [path('/empty', 'Prefix', 'svc-empty'), path('/missing', 'Prefix', 'svc-missing')] } },
      ],
    },
  };
}

test('ingress controller: host/path routing, default backend, reload within a second, status', { timeout: 120_000 }, async (t) => {
  const cp = await startControlPlane();
  const backends: Backend[] = [];
  t.after(async () => {
    for (const b of backends) await b.close();
    await cp.stop();
  });
  for (const [name, ip] of [['svc-a', '127.0.0.11'], ['svc-b', '127.0.0.12'], ['svc-c', '127.0.0.13'], ['svc-default', '127.0.0.14']]) backends.push(await startBackend(name, ip));
  const c = cp.client;
  await c.create(R.namespaces, { metadata: { name: NS } });
  await publish(c, 'svc-a', backends[0]);
  await publish(c, 'svc-b', backends[1], 'http');
  await publish(c, 'svc-c', backends[2]);
  await publish(c, 'svc-default', backends[3]);
  await publish(c, 'svc-empty', undefined);
  const node: Node = await c.create(R.nodes, { metadata: { name: `${NS}-node` } });
  node.status = { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], conditions: [{ type: 'Ready', status: 'True' }] };
  await c.updateStatus({ ...R.nodes, name: node.metadata!.name! }, node);

  const ctl = await startController(cp.grpcTarget, ['--ingress-class=kubesim', `--publish-service=${NS}/ingress-lb`]);
  t.after(() => ctl.stop());
  const cls = await waitFor('IngressClass kubesim', () => c.get<IngressClass>({ ...R.ingressclasses, name: 'kubesim' }));
  assert.equal(cls.spec?.controller, 'kubesim.io/ingress-controller');
  assert.equal(cls.metadata?.annotations?.['ingressclass.kubernetes.io/is-default-class'], 'true', 'the only class becomes the default');

  await waitFor('/healthz on the health port once caches synced', async () => (await get(ctl.healthPort, 'x', '/healthz')).status === 200);
  await c.create({ ...R.ingresses, namespace: NS }, webIngress('svc-a'));
  const port = ctl.port;
  await waitFor('routes served', async () => (await whoAnswers(port, 'foo.example.com', '/a')) === 'svc-a', { timeoutMs: 10_000 });

  // Two services behind one host with two paths, a second host, a wildcard host, the default backend.
  assert.equal(await whoAnswers(port, 'foo.example.com', '/a/deeper?x=1'), 'svc-a');
  assert.equal(await whoAnswers(port, 'foo.example.com:8080', '/b'), 'svc-b', 'the port in Host is ignored');
  assert.equal(await whoAnswers(port, 'bar.example.com', '/anything'), 'svc-c');
  assert.equal(await whoAnswers(port, 'x.wild.test', '/'), 'svc-b');
  assert.equal(await whoAnswers(port, 'other.example.org', '/'), 'svc-default');
  assert.equal(await whoAnswers(port, 'foo.example.com', '/ab'), 'svc-default', 'Prefix /a does not match /ab');
  // Exact beats Prefix on the exact path only.
  assert.equal(await whoAnswers(port, 'foo.example.com', '/b/exact'), 'svc-c');
  assert.equal(await whoAnswers(port, 'foo.example.com', '/b/exact/more'), 'svc-b');

  // Forwarding headers and the untouched path reach the backend.
  const r = await get(port, 'foo.example.com', '/a/h?q=2');
  assert.equal(r.json?.url, '/a/h?q=2');
  assert.equal(r.json?.headers['x-forwarded-for'], '127.0.0.1');
  assert.equal(r.json?.headers['x-forwarded-host'], 'foo.example.com');
  assert.equal(r.json?.headers['x-forwarded-proto'], 'http');
  assert.equal(r.json?.headers.host, 'foo.example.com');

  // No ready endpoint / no Service: 503 saying why.
  const empty = await get(port, 'broken.example.com', '/empty');
  assert.equal(empty.status, 503);
  assert.match(empty.body, /no ready endpoints for service ".*\/svc-empty"/);
  const missing = await get(port, 'broken.example.com', '/missing');
  assert.equal(missing.status, 503);
  assert.match(missing.body, /service ".*\/svc-missing" not found/);

  // status.loadBalancer: the Ready node's InternalIP (no published LoadBalancer Service).
  await waitFor('ingress status', async () => {
    const ing = await c.get<Ingress>({ ...R.ingresses, namespace: NS, name: 'web' });
    return ing.status?.loadBalancer?.ingress?.[0]?.ip === '127.0.0.1';
  });

  // Once the published Service has a LoadBalancer address, that address replaces the node's.
  const lb: Service = await c.create({ ...R.services, namespace: NS }, { metadata: { name: 'ingress-lb' }, spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] } });
  lb.status = { loadBalancer: { ingress: [{ ip: '127.0.0.99', ipMode: 'VIP' }] } };
  await c.updateStatus({ ...R.services, namespace: NS, name: 'ingress-lb' }, lb);
  await waitFor('ingress status from the LoadBalancer', async () => {
    const ing = await c.get<Ingress>({ ...R.ingresses, namespace: NS, name: 'web' });
    return JSON.stringify(ing.status?.loadBalancer?.ingress) === JSON.stringify([{ ip: '127.0.0.99' }]);
  });

  // An edit takes effect within a second: /a moves from svc-a to svc-c.
  const cur = await c.get<Ingress>({ ...R.ingresses, namespace: NS, name: 'web' });
  const edited = webIngress('svc-c');
  edited.metadata = cur.metadata;
  const t0 = Date.now();
  await c.update({ ...R.ingresses, namespace: NS, name: 'web' }, edited);
  await waitFor('edit served', async () => (await whoAnswers(port, 'foo.example.com', '/a')) === 'svc-c', { timeoutMs: 1000, intervalMs: 10 });
  const elapsed = Date.now() - t0;
  assert.ok(elapsed < 1000, `edit took ${elapsed} ms`);

  // Endpoint changes are followed too: svc-empty gets a ready address.
  await c.update({ ...R.endpoints, namespace: NS, name: 'svc-empty' }, {
    ...(await c.get<Endpoints>({ ...R.endpoints, namespace: NS, name: 'svc-empty' })),
    subsets: [{ addresses: [{ ip: backends[0].ip }], ports: [{ port: backends[0].port, protocol: 'TCP' }] }],
  });
  await waitFor('endpoints followed', async () => (await whoAnswers(port, 'broken.example.com', '/empty')) === 'svc-a', { timeoutMs: 1000, intervalMs: 10 });

  // An Ingress for another class is not served; deleting ours removes its routes.
  await c.create({ ...R.ingresses, namespace: NS }, { metadata: { name: 'other' }, spec: { ingressClassName: 'nginx', rules: [{ host: 'nginx.example.com', http: { paths: [path('/', 'Prefix', 'svc-a')] } }] } });
  await c.delete({ ...R.ingresses, namespace: NS, name: 'web' });
  await waitFor('routes removed', async () => (await get(port, 'bar.example.com', '/')).status === 404);
  assert.equal((await get(port, 'nginx.example.com', '/')).status, 404);
  assert.match(ctl.logs(), /route table rebuilt/);
  const metrics = (await get(ctl.healthPort, 'x', '/metrics')).body;
  assert.match(metrics, /kubesim_ingress_responses_total\{outcome="proxied"\} [1-9]\d*/);
  assert.match(metrics, /kubesim_ingress_responses_total\{outcome="unavailable"\} [1-9]/);
});
