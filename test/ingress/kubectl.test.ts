/**
 * The real kubectl against the apiserver process with the ingress controller process running:
 * `kubectl create ingress` (Prefix via `/a*`, Exact without the star, a default backend),
 * `kubectl get ingress` showing class, hosts and the ADDRESS the controller wrote, and requests
 * with a Host header reaching the right backend.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, kubectlBinaries, kubectlOk } from '../apiserver/harness.js';
import { ApiClient } from '../../lib/client/api-client.js';
import { R } from '../../lib/client/resources.js';
import { waitFor } from '../../lib/testing/wait.js';
import type { Endpoints, Ingress, Node, Service } from '../../lib/api/types.js';
import { startBackend, startController, whoAnswers, type Backend } from './helpers.js';

async function publish(client: ApiClient, ns: string, name: string, b: Backend): Promise<void> {
  const svc: Service = { metadata: { name, namespace: ns }, spec: { ports: [{ port: 80, protocol: 'TCP' }] } };
  await client.create({ ...R.services, namespace: ns }, svc);
  const ep: Endpoints = { metadata: { name, namespace: ns }, subsets: [{ addresses: [{ ip: b.ip }], ports: [{ port: b.port, protocol: 'TCP' }] }] };
  await client.create({ ...R.endpoints, namespace: ns }, ep);
}

test('kubectl create ingress / get ingress, served by the controller', { timeout: 120_000 }, async (t) => {
  const c = await startCluster();
  const client = ApiClient.connect(`127.0.0.1:${c.grpcPort}`);
  const backends: Backend[] = [];
  t.after(async () => {
    for (const b of backends) await b.close();
    client.close();
    await c.stop();
  });
  for (const [name, ip] of [['svc-a', '127.0.0.21'], ['svc-b', '127.0.0.22'], ['svc-def', '127.0.0.23']]) {
    const b = await startBackend(name, ip);
    backends.push(b);
    await publish(client, 'default', name, b);
  }
  const node: Node = await client.create(R.nodes, { metadata: { name: 'ksimt-ing-node' } });
  node.status = { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], conditions: [{ type: 'Ready', status: 'True' }] };
  await client.updateStatus({ ...R.nodes, name: 'ksimt-ing-node' }, node);
  const ctl = await startController(`127.0.0.1:${c.grpcPort}`);
  t.after(() => ctl.stop());
  await waitFor('IngressClass kubesim', () => client.get({ ...R.ingressclasses, name: 'kubesim' }));

  for (const [i, bin] of kubectlBinaries().entries()) {
    const name = `web${i}`;
    const host = `foo${i}.example.com`;
    const out = await kubectlOk(bin, c, ['create', 'ingress', name, '--class=kubesim',
      `--rule=${host}/a*=svc-a:80`, `--rule=${host}/b=svc-b:80`, '--default-backend=svc-def:80']);
    assert.match(out, new RegExp(`ingress.networking.k8s.io/${name} created`));
    const ing = await client.get<Ingress>({ ...R.ingresses, namespace: 'default', name });
    const paths = ing.spec?.rules?.[0]?.http?.paths ?? [];
    assert.deepEqual(paths.map((p) => [p.path, p.pathType]), [['/a', 'Prefix'], ['/b', 'Exact']], `${bin}: path types`);

    await waitFor(`${bin}: routes served`, async () => (await whoAnswers(ctl.port, host, '/a/x')) === 'svc-a');
    assert.equal(await whoAnswers(ctl.port, host, '/b'), 'svc-b');
    assert.equal(await whoAnswers(ctl.port, host, '/b/x'), 'svc-def', 'Exact /b does not match /b/x');

    const row = await waitFor(`${bin}: ADDRESS in kubectl get ingress`, async () => {
      const text = await kubectlOk(bin, c, ['get', 'ingress', name]);
      const line = text.split('\n').find((l) => l.startsWith(name));
      return line && /127\.0\.0\.1/.test(line) ? text : undefined;
    });
    const [header, line] = row.trim().split('\n');
    assert.deepEqual(header.split(/\s+/), ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
    assert.deepEqual(line.split(/\s+/).slice(0, 5), [name, 'kubesim', host, '127.0.0.1', '80']);
    const described = await waitFor(`${bin}: Sync event in kubectl describe`, async () => {
      const text = await kubectlOk(bin, c, ['describe', 'ingress', name]);
      return /Normal\s+Sync\s+.*ingress-controller\s+Scheduled for sync/.test(text) ? text : undefined;
    });
    assert.match(described, new RegExp(`${host.replaceAll('.', '\\.')}\\s+/a\\s+svc-a:80`));
  }
});
