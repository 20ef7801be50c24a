/**
 * The apiserver's kubelet proxy against the real kubelet HTTP server (kubelet/server.ts) on
 * loopback: `kubectl logs` (plain and --tail) is streamed from the pod's node kubelet, found from
 * the Node's InternalIP and kubeletEndpoint port; `kubectl exec` is tunnelled as a WebSocket
 * upgrade and reaches the kubelet (which answers for a pod it does not run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../lib/api/types.js';
import { startKubeletServer } from '../../kubelet/server.js';
import { podLogDir } from '../../kubelet/pod-config.js';
import type { CriClient } from '../../kubelet/runtime/cri-client.js';
import { kubectl, kubectlOk, startCluster } from './harness.js';

test('kubectl logs and exec go through the apiserver to the pod node\'s kubelet', async (t) => {
  const c = await startCluster();
  t.after(() => c.stop());
  const logRoot = mkdtempSync(join(tmpdir(), 'ksimt-logs-'));
  t.after(() => rmSync(logRoot, { recursive: true, force: true }));
  const node = `ksimt-node-${randomBytes(2).toString('hex')}`;
  const known = new Map<string, Pod>();
  // Only log reads happen here; CRI calls (follow, exec of a running container) are not reached.
  const noCri = { call: () => Promise.reject(new Error('no container runtime in this test')) } as unknown as CriClient;
  const kubelet = await startKubeletServer({ cri: noCri, logRoot, nodeName: node, pods: () => [...known.values()], getPod: (ns, name) => known.get(`${ns}/${name}`) }, '127.0.0.1', 0);
  t.after(() => kubelet.close());

  const api = async (method: string, path: string, body: unknown, type = 'application/json') => {
    const res = await fetch(c.url + path, { method, body: JSON.stringify(body), headers: { 'content-type': type } });
    const json = await res.json();
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  await api('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: node } });
  await api('PATCH', `/api/v1/nodes/${node}/status`, { status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } } }, 'application/merge-patch+json');
  await api('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'logger' }, spec: { containers: [{ name: 'main', image: 'busybox' }] } });
  await api('POST', '/api/v1/namespaces/default/pods/logger/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'logger' }, target: { kind: 'Node', name: node } });
  const pod = await api('GET', '/api/v1/namespaces/default/pods/logger', undefined as unknown) as Pod;
  known.set('default/logger', pod);
  const dir = join(podLogDir(logRoot, pod), 'main');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '0.log'), ['2026-11-22T10:00:00.000000000Z stdout F hello from the pod', '2026-11-22T10:00:01.000000000Z stderr F second line', ''].join('\n'));

  for (const bin of ['/usr/bin/kubectl', '/usr/lib/google-cloud-sdk/bin/kubectl.1.27']) {
    assert.equal(await kubectlOk(bin, c, ['logs', 'logger']), 'hello from the pod\nsecond line\n', bin);
    assert.equal(await kubectlOk(bin, c, ['logs', 'logger', '--tail=1']), 'second line\n', bin);
  }
  const wrong = await kubectl('/usr/bin/kubectl', c, ['logs', 'logger', '-c', 'nope']);
  assert.match(wrong.stderr, /container nope is not valid for pod logger/);

  // The kubelet does not run this pod: its own error text proves the exec upgrade was tunnelled to
  // it (kubectl tries WebSocket, gets the kubelet's 404, falls back to SPDY, which the kubelet refuses).
  known.delete('default/logger');
  const exec = await kubectl('/usr/bin/kubectl', c, ['exec', 'logger', '--', 'ls']);
  assert.notEqual(exec.code, 0);
  assert.match(exec.stderr, /exec needs a WebSocket upgrade|pod "logger" not found/);
});
