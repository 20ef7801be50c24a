/**
 * The dashboard on a real 2-node cluster (`kubesim up`: real pods, flanneld VXLAN, kube-proxy) in
 * headless chromium: a trace between pods on different nodes shows each hop with the route,
 * ARP/FDB entry or flannel lease deciding it (from the nodes' flanneld /tables); a Service shows
 * kube-proxy's connection count after traffic through its ClusterIP; a terminal into a container
 * runs `echo hi`. The dashboard runs as `kubesim dashboard` does, on the host; the trace is also
 * asked of the in-cluster addon (a pod) on its NodePort.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { upCluster, podNetns, inNetns, type E2ECluster } from '../e2e/helpers.js';
import { applyYaml, waitRunning, jsonpath, nodeAddresses, type PodRow } from '../e2e/lab-helpers.js';
import { waitFor } from '../../lib/testing/wait.js';
import { clusterLayout } from '../../cli/cluster/layout.js';
import { readState } from '../../cli/cluster/state.js';
import { apiURL, grpcAddr } from '../../cli/cluster/components.js';
import { startDashboard } from '../../dashboard/server/index.js';
import { resolveApiServer } from '../../lib/client/flags.js';
import { artifactDir, launchBrowser } from './browser.js';

const WEB = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: traefik/whoami}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80}]
`;

// The cluster comes up in a hook: waiting for the host's cluster lock is not part of the test's time.
let c: E2ECluster;
let a: PodRow; let b: PodRow;
before(async () => {
  c = await upCluster(2);
  await applyYaml(c, 'web.yaml', WEB);
  [a, b] = await waitRunning(c, 'app=web', 2);
});
after(async () => { await c?.down(); });

test('dashboard on a real cluster: trace between pods on two nodes, kube-proxy connections per Service, exec terminal', { timeout: 300_000 }, async (t) => {
  assert.notEqual(a.node, b.node, 'a DaemonSet pod on each node');

  const state = readState(c.name)!;
  const layout = clusterLayout(c.name, state.index);
  // As `kubesim dashboard`: the gRPC port wants the admin's token (the REST URL is the local plain port).
  const dash = await startDashboard({ grpcServer: grpcAddr(layout), restURL: apiURL(layout), token: resolveApiServer({ kubeconfig: c.kubeconfig }).token, tls: resolveApiServer({ kubeconfig: c.kubeconfig }).tls, host: '127.0.0.1', port: 0 });
  t.after(() => dash.close());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const shots = artifactDir('dashboard-live');
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const T = { timeout: 60_000 };
  await page.goto(dash.url);
  await page.locator(`[data-pod="default/${a.name}"]`).waitFor(T);

  // 1. Trace a → b: pod, cni0 routing, VXLAN encapsulation (neighbour + FDB/lease), underlay, remote node, pod.
  await page.click('[data-tab="Network"]');
  await page.selectOption('[data-testid="trace-from"]', `default/${a.name}`);
  await page.selectOption('[data-testid="trace-to"]', `default/${b.name}`);
  await page.click('[data-testid="trace-run"]');
  const hops = page.locator('[data-testid="trace"] > li');
  await hops.first().waitFor(T);
  const text = (await hops.allInnerTexts()).join('\n');
  assert.equal(await hops.count(), 6, text);
  const hop = async (i: number) => hops.nth(i).innerText();
  assert.match(await hop(0), new RegExp(`pod default/${a.name} \\(${a.ip}\\) eth0[\\s\\S]*via 10\\.244\\.\\d+\\.1 dev eth0`));
  assert.match(await hop(1), new RegExp(`${a.node} cni0 → routing[\\s\\S]*${b.ip} via 10\\.244\\.\\d+\\.0 dev flannel\\.1`), text);
  assert.match(await hop(2), /flannel\.1 \(VXLAN encapsulation\)[\s\S]*inner dst MAC [0-9a-f:]{17} \(neighbour 10\.244\.\d+\.0: 10\.244\.\d+\.0 dev flannel\.1 lladdr [0-9a-f:]{17}/, text);
  assert.match(await hop(2), /outer UDP 8472 to 10\.200\.\d+\.\d+ \((FDB [0-9a-f:]{17} dev flannel\.1 dst 10\.200\.\d+\.\d+.*; )?flannel lease 10\.244\.\d+\.0\/24 → 10\.200\.\d+\.\d+\)/, text);
  assert.match(await hop(3), /underlay[\s\S]*10\.200\.\d+\.\d+ → 10\.200\.\d+\.\d+: 10\.200\.\d+\.\d+ dev eth0/, text);
  assert.match(await hop(4), new RegExp(`${b.node} flannel\\.1 \\(decapsulation\\) → routing[\\s\\S]*${b.ip} dev cni0`), text);
  assert.match(await hop(5), new RegExp(`pod default/${b.name} \\(${b.ip}\\) eth0[\\s\\S]*on ${b.node}`), text);
  // Each hop up to the remote node names the entry deciding it; the encapsulation has all three.
  const decided = (i: number, table: string) => hops.nth(i).locator(`[data-table="${table}"]`).innerText();
  for (const i of [0, 1, 3, 4]) assert.match(await decided(i, 'route'), /route\s+\S+/, `hop ${i + 1} shows its route`);
  assert.match(await decided(2, 'arp'), /ARP\s+10\.244\.\d+\.0 dev flannel\.1 lladdr [0-9a-f:]{17}/);
  assert.match(await decided(2, 'fdb'), /FDB\s+[0-9a-f:]{17} dev flannel\.1 dst 10\.200\.\d+\.\d+/);
  assert.match(await decided(2, 'lease'), /flannel lease\s+10\.244\.\d+\.0\/24 → 10\.200\.\d+\.\d+ \(vxlan, VtepMAC [0-9a-f:]{17}\)/);
  await shot('1-trace');
  // The in-cluster addon (a pod: no way into node namespaces) traces the same path through the
  // nodes' flanneld /tables, found from the Node addresses; asked on its NodePort from the underlay.
  const [nodeIP] = [...(await nodeAddresses(c)).values()];
  let lastAnswer = 'no answer yet';
  const addon = await waitFor('the addon answers a trace', async () => {
    const res = await fetch(`http://${nodeIP}:30880/api/trace?from=default/${a.name}&to=default/${b.name}`, { signal: AbortSignal.timeout(10_000) })
      .catch((err: Error) => { lastAnswer = `fetch failed: ${err.message} (${String((err.cause as Error | undefined)?.message ?? '')})`; return undefined; });
    if (res && !res.ok) lastAnswer = `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`;
    return res?.ok ? (await res.json()) as { hops: Array<{ where: string; detail: string; decidedBy?: Array<{ table: string }> }> } : false;
  }, { timeoutMs: 60_000, intervalMs: 1000 }).catch(async (err: Error) => {
    // Say why: the addon pod, its endpoints and its log, next to the last answer on the NodePort.
    const diag = await Promise.all([
      c.kubectl('get', 'pods', '-A', '-o', 'wide'),
      c.kubectl('-n', 'kube-system', 'get', 'endpoints', 'kubesim-dashboard', '-o', 'wide'),
      c.kubectl('-n', 'kube-system', 'logs', '-l', 'k8s-app=kubesim-dashboard', '--tail', '40'),
    ].map((p) => p.catch((e: Error) => `(${e.message})`)));
    throw new Error(`${err.message}; last answer from ${nodeIP}:30880: ${lastAnswer}\n${diag.join('\n')}`);
  });
  assert.equal(addon.hops.length, 6, JSON.stringify(addon.hops));
  assert.match(addon.hops[2].detail, /lladdr [0-9a-f:]{17}.*flannel lease 10\.244\.\d+\.0\/24/);
  assert.deepEqual(addon.hops[2].decidedBy?.map((d) => d.table), ['arp', 'fdb', 'lease']);

  // 2. Traffic through the ClusterIP from pod a: kube-proxy's count for the Service is live on the page.
  const clusterIP = await jsonpath(c, 'svc', 'web', '{.spec.clusterIP}');
  const ns = await podNetns(c.name, a.ip);
  for (let i = 0; i < 3; i++) assert.match(await inNetns(ns, 'curl', ['-s', '--max-time', '5', `http://${clusterIP}/`]), /Hostname: web-/);
  await page.click('[data-tab="Services"]');
  const conns = page.locator('[data-service="default/web"] [data-connections-total]');
  await page.waitForFunction(() => Number(document.querySelector('[data-service="default/web"] [data-connections-total]')?.getAttribute('data-connections-total')) >= 3, undefined, T);
  assert.match(await conns.innerText(), /⇄ \d+ open · \d+ total/);
  await shot('2-connections');

  // 3. A terminal into pod b's container: type `echo hi`, see `hi` on a line of its own.
  await page.click('[data-tab="Topology"]');
  await page.click(`[data-pod="default/${b.name}"]`);
  await page.click('[data-testid="panel"] [role="tab"]:has-text("Terminal")');
  await page.locator('[data-testid="term-state"]:has-text("connected")').waitFor(T);
  // As a person would: type once the shell's prompt is on the screen.
  await page.waitForFunction(() => /[#$]/.test(document.querySelector('[data-testid="terminal"] .xterm-rows')?.textContent ?? ''), undefined, T);
  await page.locator('[data-testid="terminal"] .xterm-helper-textarea').focus();
  await page.keyboard.type('echo hi\n');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="terminal"] .xterm-rows > div')].some((r) => r.textContent?.trim() === 'hi'), undefined, T)
    .catch(async (err: Error) => {
      await shot('3-terminal-failed');
      const rows = await page.locator('[data-testid="terminal"] .xterm-rows').innerText().catch(() => '?');
      throw new Error(`${err.message}\nterminal state: ${await page.locator('[data-testid="term-state"]').innerText()}\nscreen:\n${rows}`);
    });
  await shot('3-terminal');
});
