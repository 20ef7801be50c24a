/**
 * The proof on a real local cluster (`kubesim up`, one node): the ingress addon runs as a
 * pod in kube-system behind its NodePort/LoadBalancer Service; two whoami Deployments behind one
 * host with two paths and a second host; `curl -H 'Host: ...'` against the node's NodePort (sent
 * from inside the node's namespace) reaches the right pod; an Ingress edit is served within a second.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { upCluster, inNetns, type E2ECluster } from '../e2e/helpers.js';
import { renderAddon } from '../../cli/cluster/addons.js';
import { applyManifest } from '../../cli/cluster/addons.js';
import { clientFor, resolveApiServer } from '../../lib/client/flags.js';
import { waitFor } from '../../lib/testing/wait.js';

const NODE_PORT = 30080; // fixed in ingress/addon.yaml

let c: E2ECluster;
before(async () => { c = await upCluster(1); });
after(async () => { await c?.down(); });

/** The pod name (whoami's "Hostname:") answering Host+path on the node's NodePort, or the HTTP status line. */
async function answer(netns: string, nodeIP: string, host: string, path: string): Promise<string> {
  const out = await inNetns(netns, 'curl', ['-s', '--max-time', '3', '-H', `Host: ${host}`, '-w', '\n%{http_code}', `http://${nodeIP}:${NODE_PORT}${path}`]);
  const lines = out.trim().split('\n');
  return /Hostname: (\S+)/.exec(out)?.[1] ?? `HTTP ${lines.pop()} ${lines.join(' ')}`.trim();
}

test('ingress addon routes by host and path through a NodePort; an edit is served within a second', { timeout: 300_000 }, async () => {
  const api = resolveApiServer({ kubeconfig: c.kubeconfig });
  const text = renderAddon('ingress', { grpcServer: api.target, apiServer: '' });
  assert.ok(text, 'this build has the ingress addon');
  const client = clientFor(api);
  try { await applyManifest(client, text); } finally { client.close(); }

  for (const d of ['svc-a', 'svc-b']) {
    await c.kubectl('create', 'deployment', d, '--image=traefik/whoami');
    await c.kubectl('expose', 'deployment', d, '--port=80');
  }
  await waitFor('controller and whoami pods Ready', async () => {
    const out = await c.kubectl('get', 'pods', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}');
    const rows = out.trim().split('\n').filter((l) => /^(ingress-controller|svc-a|svc-b)-/.test(l));
    return rows.length === 3 && rows.every((l) => l.endsWith(' True'));
  }, { timeoutMs: 120_000, intervalMs: 1000 });
  const podOf = async (app: string) => (await c.kubectl('get', 'pods', '-l', `app=${app}`, '-o', 'jsonpath={.items[0].metadata.name}')).trim();
  const [podA, podB] = [await podOf('svc-a'), await podOf('svc-b')];

  await c.kubectl('create', 'ingress', 'web', '--rule=foo.example.com/a*=svc-a:80', '--rule=foo.example.com/b*=svc-b:80', '--rule=bar.example.com/*=svc-b:80');
  const nodeIP = (await c.kubectl('get', 'nodes', '-o', 'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}')).trim();
  const netns = `ksim-${c.name}-node-1`;
  // Endpoints fill in as the controller-manager sees the pods Ready: wait for each route.
  let last = '';
  const served = (host: string, path: string, want: string) => waitFor(`${host}${path} → ${want} (last: ${last})`, async () => {
    last = await answer(netns, nodeIP, host, path);
    return last === want || last.startsWith(`${want} `);
  }, { timeoutMs: 30_000, intervalMs: 200 });
  await served('foo.example.com', '/a', podA);
  await served('foo.example.com', '/b/x', podB);
  await served('bar.example.com', '/', podB);
  await served('nobody.example.com', '/', 'HTTP 404');

  // status.loadBalancer: the controller's LoadBalancer address (or the node's) shows as ADDRESS.
  let listing = '';
  try {
    await waitFor('ADDRESS in kubectl get ingress', async () => {
      listing = await c.kubectl('get', 'ingress', 'web');
      // CLASS stays <none>: the apiserver has no DefaultIngressClass admission; the controller serves it as the default class.
      return /^web\s+\S+\s+foo\.example\.com,bar\.example\.com\s+\d+\.\d+\.\d+\.\d+/m.test(listing);
    }, { timeoutMs: 30_000, intervalMs: 500 });
  } catch (err) {
    const logs = await c.kubectl('logs', '-n', 'kube-system', 'deployment/ingress-controller').catch((e: Error) => e.message);
    throw new Error(`${(err as Error).message}\n${listing}\ncontroller logs:\n${logs}`);
  }

  // Edit: foo.example.com/a now goes to svc-b.
  const t0 = Date.now();
  await c.kubectl('patch', 'ingress', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/rules/0/http/paths/0/backend/service/name","value":"svc-b"}]');
  const patched = Date.now();
  await waitFor('edit served', async () => (await answer(netns, nodeIP, 'foo.example.com', '/a')) === podB, { timeoutMs: 1000, intervalMs: 20 });
  const sincePatch = Date.now() - patched;
  assert.ok(sincePatch < 1000, `edit served ${sincePatch} ms after kubectl patch returned (${Date.now() - t0} ms including kubectl)`);
});
