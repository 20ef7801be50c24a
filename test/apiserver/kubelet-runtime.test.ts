/**
 * The apiserver with a real container runtime behind the real kubelet server: `kubectl exec` runs a
 * command in a running container through the apiserver's upgrade tunnel, `kubectl logs` shows its
 * output, and `kubectl top pod|node`
 * reads metrics.k8s.io computed from the kubelet's /stats/summary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import type { Pod } from '../../lib/api/types.js';
import { startKubeletServer } from '../../kubelet/server.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID } from '../../kubelet/pod-config.js';
import { startRuntimeHarness } from '../../kubelet/testing/runtime-harness.js';
import { waitFor } from '../../lib/testing/wait.js';
import { kubectl, kubectlOk, startCluster } from './harness.js';

test('kubectl exec and kubectl top through the apiserver to a kubelet with a real runtime', async (t) => {
  const c = await startCluster();
  t.after(() => c.stop());
  const h = await startRuntimeHarness(randomInt(150, 250));
  t.after(() => h.cleanup());
  const node = `ksimt-node-${randomBytes(2).toString('hex')}`;

  const api = async (method: string, path: string, body?: unknown, type = 'application/json') => {
    const res = await fetch(c.url + path, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': type } });
    const json = await res.json();
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  await api('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: node }, status: { allocatable: { cpu: '2', memory: '4Gi' }, capacity: { cpu: '2', memory: '4Gi' } } });
  await api('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'busy', labels: { app: 'busy' } }, spec: { containers: [{ name: 'main', image: 'busybox' }] } });
  await api('POST', '/api/v1/namespaces/default/pods/busy/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'busy' }, target: { kind: 'Node', name: node } });
  const pod = await api('GET', '/api/v1/namespaces/default/pods/busy') as Pod;
  const uid = pod.metadata!.uid!;

  const sandbox = await h.runPod('busy', { metadata: { name: 'busy', namespace: 'default', uid, attempt: 0 } });
  await h.startContainer(sandbox, {
    metadata: { name: 'main', attempt: 0 }, image: { image: 'busybox' }, command: ['sh', '-c', 'echo started in $(hostname); exec sleep 600'],
    labels: { [LABEL_POD_UID]: uid, [LABEL_POD_NAME]: 'busy', [LABEL_POD_NAMESPACE]: 'default', [LABEL_CONTAINER_NAME]: 'main' },
  });
  const kubelet = await startKubeletServer({ cri: h.cri, logRoot: `${h.dir}/logs`, nodeName: node, pods: () => [pod], getPod: (ns, name) => (ns === 'default' && name === 'busy' ? pod : undefined) }, '127.0.0.1', 0);
  t.after(() => kubelet.close());
  await api('PATCH', `/api/v1/nodes/${node}/status`, { status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } } }, 'application/merge-patch+json');

  assert.equal(await kubectlOk('/usr/bin/kubectl', c, ['exec', 'busy', '--', 'sh', '-c', 'echo hello from $(hostname)']), 'hello from busy\n');
  await waitFor('kubectl logs shows the container output', async () => (await kubectl('/usr/bin/kubectl', c, ['logs', 'busy'])).stdout === 'started in busy\n');
  const failing = await kubectl('/usr/bin/kubectl', c, ['exec', 'busy', '--', 'sh', '-c', 'exit 3']);
  assert.equal(failing.code, 3, failing.stderr);

  const top = await waitFor('kubectl top pod', async () => {
    const r = await kubectl('/usr/bin/kubectl', c, ['top', 'pod', 'busy']);
    return r.code === 0 && r.stdout;
  }, { timeoutMs: 20_000 });
  assert.match(top, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\n/);
  assert.match(top, /^busy\s+\d+m\s+\d+Mi/m);
  const nodes = await kubectlOk('/usr/bin/kubectl', c, ['top', 'node']);
  assert.match(nodes, /CPU\(cores\)\s+CPU(\(%\)|%)\s+MEMORY\(bytes\)\s+MEMORY(\(%\)|%)/);
  assert.match(nodes, new RegExp(`^${node}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%`, 'm'));
});
