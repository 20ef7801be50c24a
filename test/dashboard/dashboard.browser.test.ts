/**
 * The dashboard in a real headless chromium against a running 2-node (hollow) cluster with the
 * real scheduler and controllers: both nodes and the DNS pods show; a Deployment created through
 * the Apply view gets its pods; scaling it adds pods; an invalid manifest shows the apiserver's
 * field error next to its line; a pod's logs stream from a real kubelet server; the chaos
 * "stop node" button turns that node NotReady. Each step is asserted on the DOM and screenshotted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../lib/api/types.js';
import { startKubeletServer } from '../../kubelet/server.js';
import { podLogDir } from '../../kubelet/pod-config.js';
import type { CriClient } from '../../kubelet/runtime/cri-client.js';
import { defaultWebRoot } from '../../dashboard/server/static.js';
import { startServer as startFlannelServer } from '../../flanneld/server.js';
import { TunnelStats } from '../../flanneld/datapath/stats.js';
import type { Backend } from '../../flanneld/backends/backend.js';
import { startDashCluster } from './cluster.js';
import { artifactDir, launchBrowser } from './browser.js';

const suffix = Math.random().toString(36).slice(2, 6);
const A = `ksimt-${suffix}a-`; const B = `ksimt-${suffix}b-`;

const DNS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: kube-dns, namespace: kube-system}
spec:
  replicas: 2
  selector: {matchLabels: {k8s-app: kube-dns}}
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec: {containers: [{name: dns, image: kubesim/dns}]}
`;
const web = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
`;

test('dashboard in chromium: nodes, DNS pods, create + scale a Deployment, field errors, logs, stop a node', { timeout: 180_000 }, async (t) => {
  assert.ok(existsSync(join(defaultWebRoot(), 'index.html')), 'front end not built: npm run build:web');
  // flanneld's real /metrics server over a tunnel whose counters the test moves.
  const stats = new TunnelStats();
  const flannel = await startFlannelServer({ ready: true, backend: { type: 'vxlan', stats } as unknown as Backend }, '127.0.0.1', 0);
  t.after(() => flannel.close());
  const metricsURL = `http://127.0.0.1:${(flannel.address() as { port: number }).port}/metrics`;
  const c = await startDashCluster([{ prefix: A, count: 1 }, { prefix: B, count: 1 }], { flannelMetrics: () => ({ [`${A}0`]: metricsURL }) });
  t.after(() => c.stop());
  // A real kubelet HTTP server on loopback for one pod's logs (hollow nodes have no containers).
  const logRoot = mkdtempSync(join(tmpdir(), 'ksimt-dash-logs-'));
  t.after(() => rmSync(logRoot, { recursive: true, force: true }));
  const known = new Map<string, Pod>();
  const noCri = { call: () => Promise.reject(new Error('no container runtime in this test')) } as unknown as CriClient;
  const kubelet = await startKubeletServer({ cri: noCri, logRoot, nodeName: `ksimt-${suffix}logs`, pods: () => [...known.values()], getPod: (ns, name) => known.get(`${ns}/${name}`) }, '127.0.0.1', 0);
  t.after(() => kubelet.close());
  const shots = artifactDir('dashboard');
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const T = { timeout: 30_000 };

  // 1. Both nodes and the DNS pods (created as the bring-up's addon would be).
  await c.cp.client.create({ group: 'apps', resource: 'deployments', namespace: 'kube-system' }, (await import('yaml')).parse(DNS));
  await page.goto(c.dash.url);
  await page.locator(`[data-node="${A}0"][data-ready="True"]`).waitFor(T);
  await page.locator(`[data-node="${B}0"][data-ready="True"]`).waitFor(T);
  await page.locator('[data-pod^="kube-system/kube-dns-"][data-phase="Running"]').nth(1).waitFor(T);
  assert.equal(await page.locator('[data-pod^="kube-system/kube-dns-"]').count(), 2);
  assert.match(await page.locator('[data-pod^="kube-system/kube-dns-"]').first().innerText(), /DNS/);
  await shot('1-topology');

  // 2. Create a Deployment through the Apply view; its pods appear in Workloads.
  await page.click('[data-tab="Apply"]');
  await page.fill('#yaml', web(2));
  await page.click('[data-testid="apply"]');
  assert.equal((await page.locator('[data-testid="apply-result"]').innerText({ timeout: 10_000 })).trim(), 'deployment/web created');
  await page.click('[data-tab="Workloads"]');
  const webPods = page.locator('[data-workload="deployment/default/web"] .pod[data-phase="Running"]');
  await webPods.nth(1).waitFor(T);
  await shot('2-deployment');

  // 3. Scale it to 4 from its scale box.
  await page.fill('[data-testid="scale-web"]', '4');
  await page.click('[data-workload="deployment/default/web"] form.scale button');
  await webPods.nth(3).waitFor(T);
  assert.equal(await webPods.count(), 4);
  await shot('3-scaled');
  // The open YAML view follows the live object: a scale from outside shows up in it.
  await page.click('[data-workload="deployment/default/web"] header button.link');
  await page.locator('[data-testid="yaml"]:has-text("replicas: 4")').waitFor(T);
  await c.cp.client.patch({ group: 'apps', resource: 'deployments', namespace: 'default', name: 'web' }, 'merge', { spec: { replicas: 5 } });
  await page.locator('[data-testid="yaml"]:has-text("replicas: 5")').waitFor(T);
  await webPods.nth(4).waitFor(T);
  await page.click('[aria-label="close panel"]');

  // 3b. A rolling update through Apply: revision 2 takes over, revision 1 is scaled to 0.
  await page.click('[data-tab="Apply"]');
  await page.fill('#yaml', web(5).replace('image: nginx', 'image: nginx:1.25'));
  await page.click('[data-testid="apply"]');
  assert.equal((await page.locator('[data-testid="apply-result"]').innerText({ timeout: 10_000 })).trim(), 'deployment/web configured');
  await page.click('[data-tab="Workloads"]');
  await page.locator('[data-workload="deployment/default/web"] [data-revision="2"] .pod[data-phase="Running"]').nth(4).waitFor(T);
  await page.locator('[data-workload="deployment/default/web"] .rs-old[data-revision="1"]').waitFor(T);
  await shot('3b-rolled-out');

  // 3c. A Service: its endpoints listed and drawn as a graph (service → 4 pods, each inside its node).
  await c.cp.client.create({ resource: 'services', namespace: 'default' }, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
  await page.click('[data-tab="Services"]');
  await page.locator('[data-service="default/web"] li:has-text("✔")').nth(4).waitFor(T);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="service-graph"]')?.getAttribute('data-elements')) >= 1 + 5 + 5 + 1, undefined, T);
  await page.locator('[data-testid="service-graph"] canvas').first().waitFor(T);
  await shot('3c-services');

  // 4. An invalid manifest: the apiserver's cause is listed with its field and line.
  await page.click('[data-tab="Apply"]');
  await page.fill('#yaml', web(-1).replace('name: web\n  namespace', 'name: web2\n  namespace'));
  await page.click('[data-testid="apply"]');
  const cause = page.locator('[data-testid="apply-error"] [data-field="spec.replicas"]');
  await cause.waitFor({ timeout: 10_000 });
  assert.match(await cause.innerText(), /spec\.replicas \(line 7\)/);
  assert.match(await page.locator('.gutter li.mark').innerText(), /spec\.replicas/);
  await shot('4-field-error');

  // 5. A pod's logs, streamed from the node's kubelet through the apiserver.
  const node = `ksimt-${suffix}logs`;
  await c.cp.client.create({ resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: node } });
  await fetch(`${c.cp.restURL}/api/v1/nodes/${node}/status`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } } }) });
  const pod = await c.cp.client.create<Pod>({ resource: 'pods', namespace: 'default' }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'logger' }, spec: { nodeName: node, containers: [{ name: 'main', image: 'busybox' }] } });
  known.set('default/logger', pod);
  const dir = join(podLogDir(logRoot, pod), 'main');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '0.log'), '2026-11-22T10:00:00.000000000Z stdout F hello from the pod\n');
  await page.click('[data-tab="Topology"]');
  await page.click('[data-pod="default/logger"]', T);
  await page.click('[data-testid="panel"] [role="tab"]:has-text("Logs")');
  await page.locator('[data-testid="logs"]:has-text("hello from the pod")').waitFor(T);
  await shot('5-logs');
  await page.click('[aria-label="close panel"]');

  // 6. The scheduler's decision for a web pod: selected node and per-node verdicts.
  await page.click('[data-tab="Workloads"]');
  await page.click('[data-workload="deployment/default/web"] .pod >> nth=0');
  await page.click('[data-testid="panel"] [role="tab"]:has-text("Scheduling")');
  await page.locator(`[data-testid="panel"] caption:has-text("Selected node: ksimt-${suffix}")`).waitFor(T);
  assert.equal(await page.locator('[data-testid="panel"] tr[data-decision-node]').count(), 2);
  assert.match(await page.locator(`[data-decision-node="${A}0"]`).innerText(), /✔ passed all \d+ filters/);
  await shot('6-scheduling');
  await page.click('[aria-label="close panel"]');

  // 7. The overlay: per-peer rates from flanneld's counters, peer named by its node address.
  const peer = stats.peer('198.18.0.0');
  const traffic = setInterval(() => { peer.txPackets += 100; peer.txBytes += 150_000; peer.drops += 1; }, 100);
  t.after(() => clearInterval(traffic));
  await page.click('[data-tab="Network"]');
  await page.locator(`[data-network-node="${A}0"] td:has-text("pkt/s")`).first().waitFor(T);
  await page.waitForFunction(() => /[1-9]\d* pkt\/s/.test(document.querySelector('[data-network-node] tbody')?.textContent ?? ''), undefined, T);
  await page.click('[data-tab="Topology"]');
  assert.match(await page.locator(`[data-node="${A}0"] .meta`).innerText(), /· vxlan/);
  await shot('7-network');
  clearInterval(traffic);

  // 8. Chaos: stop node B; it turns NotReady on the page and the action is in the events.
  await page.click('[data-tab="Chaos"]');
  await page.click(`[data-testid="chaos-stop-node-${B}0"]`, T);
  await page.click('[data-tab="Topology"]');
  const down = page.locator(`[data-node="${B}0"]:not([data-ready="True"])`);
  await down.waitFor(T);
  assert.match(await down.locator('[data-testid="node-status"]').innerText(), /NotReady/);
  assert.equal(await page.locator(`[data-node="${A}0"][data-ready="True"]`).count(), 1);
  await shot('8-node-down');
  await page.click('[data-tab="Events"]');
  await page.locator('tr[data-reason="ChaosStopNode"]').waitFor(T);
  await shot('9-events');
});
