/**
 * The compose-mode cluster end to end: images built with testcontainers (offline base images),
 * etcd + control plane + two nodes on an internal docker network, driven with the real kubectl.
 * Steps build on each other (one cluster: starting it costs a minute), so they run in order.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Stack } from './stack.js';
import { writeKubeconfig } from '../../cli/cluster/kubeconfig.js';
import { waitFor } from '../../lib/testing/wait.js';
import { acquireHostLock } from '../../lib/testing/host-lock.js';
import { dockerUnavailable } from './env.js';

const run = promisify(execFile);

interface Pod { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string }; status: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] } }

// Without a Docker engine this suite cannot run: it says so in the test report (a named skip), never silently.
const noDocker = dockerUnavailable();
if (noDocker) console.error(`\n*** compose tests NOT RUN: ${noDocker} ***\n`);

describe('compose-mode cluster (testcontainers)', { timeout: 15 * 60_000, skip: noDocker ? `DOCKER UNAVAILABLE: ${noDocker}` : false }, () => {
  const stack = new Stack();
  const kubeconfig = join(stack.stateDir, 'kubeconfig');
  const kubectl = async (...args: string[]) => (await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 })).stdout;
  const getJSON = async <T>(...args: string[]) => JSON.parse(await kubectl('get', ...args, '-o', 'json')) as T;
  const webPods = async () => (await getJSON<{ items: Pod[] }>('pods', '-l', 'app=web')).items
    .filter((p) => !p.metadata.deletionTimestamp && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  const nodesReady = async (names: string[]) => {
    const nodes = (await getJSON<{ items: { metadata: { name: string }; status: { conditions?: { type: string; status: string }[] } }[] }>('nodes')).items;
    return names.every((n) => nodes.find((x) => x.metadata.name === n)?.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  };

  let release: (() => void) | undefined;
  before(async () => {
    // One whole cluster at a time on this machine (other test files bring up local clusters).
    release = await acquireHostLock('cluster');
    await stack.build();
    try {
      await stack.startControlPlane();
      writeKubeconfig(kubeconfig, 'ksimt-compose', stack.apiURL);
      await stack.startNode(1);
      await stack.startNode(2);
    } catch (err) {
      await stack.dumpLogs();
      throw err;
    }
  }, { timeout: 10 * 60_000 });
  after(async () => { try { await stack.stop(); } finally { release?.(); } }, { timeout: 3 * 60_000 });

  it('registers both nodes Ready', async () => {
    await waitFor('node-1 and node-2 Ready', () => nodesReady(['node-1', 'node-2']), { timeoutMs: 90_000, intervalMs: 1000 });
  });

  it('spreads a Deployment across both nodes', async () => {
    await kubectl('create', 'deployment', 'web', '--image=traefik/whoami', '--replicas=4');
    const pods = await waitFor('4 ready web pods', async () => { const p = await webPods(); return p.length === 4 && p; }, { timeoutMs: 90_000, intervalMs: 1000 });
    assert.deepEqual(new Set(pods.map((p) => p.spec.nodeName)), new Set(['node-1', 'node-2']));
  });

  it('reaches a pod on the other node from a pod (overlay across node containers)', async () => {
    await kubectl('run', 'client', '--image=busybox', '--restart=Never', '--overrides={"spec":{"nodeName":"node-1"}}', '--', 'sleep', '3600');
    await kubectl('wait', '--for=condition=Ready', 'pod/client', '--timeout=60s');
    const target = (await webPods()).find((p) => p.spec.nodeName === 'node-2')!;
    const out = await kubectl('exec', 'client', '--', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${target.status.podIP} 80`);
    assert.match(out, new RegExp(`Hostname: ${target.metadata.name}`));
  });

  it('answers on a NodePort from the test process', async () => {
    await kubectl('expose', 'deployment', 'web', '--port=80', '--type=NodePort');
    const svc = await getJSON<{ spec: { ports: { nodePort: number }[] } }>('service', 'web');
    const port = svc.spec.ports[0].nodePort;
    for (const n of stack.nodes) {
      const body = await waitFor(`NodePort ${port} on ${n.name}`, async () => {
        const res = await fetch(`http://${n.ip}:${port}/`, { signal: AbortSignal.timeout(3000) });
        return res.ok && res.text();
      }, { timeoutMs: 30_000, intervalMs: 500 });
      assert.match(body, /Hostname: web-/);
    }
  });

  it('reschedules the pods of a node whose containers are stopped', async () => {
    const node2 = stack.nodes[1];
    for (const c of [...node2.containers].reverse()) await run('docker', ['stop', '-t', '5', c.getId()]);
    const pods = await waitFor('4 ready web pods, all on node-1', async () => {
      const p = await webPods();
      return p.length === 4 && p.every((x) => x.spec.nodeName === 'node-1') && p;
    }, { timeoutMs: 150_000, intervalMs: 2000 });
    assert.equal(pods.length, 4);
  });

  it('comes back after a restart of the whole stack with nothing lost', async () => {
    await kubectl('create', 'configmap', 'keep', '--from-literal=k=v');
    const before = await getJSON<{ metadata: { uid: string; resourceVersion: string } }>('configmap', 'keep');
    const deploy = await getJSON<{ metadata: { uid: string } }>('deployment', 'web');
    const leases = async () => (await stack.etcd!.exec(['/usr/local/bin/etcdctl', 'get', '--prefix', '--keys-only', '/coreos.com/network/subnets'])).output
      .split('\n').filter(Boolean).sort();
    const leasesBefore = await leases();
    assert.equal(leasesBefore.length, 2);
    for (const c of stack.all().reverse()) await run('docker', ['stop', '-t', '5', c.getId()]);
    for (const c of stack.all()) {
      await run('docker', ['start', c.getId()]);
      if (c === stack.apiserver) await waitFor('apiserver ready', async () => (await fetch(`${stack.apiURL}/readyz`)).ok, { timeoutMs: 60_000, intervalMs: 500 });
    }
    await waitFor('both nodes Ready again', () => nodesReady(['node-1', 'node-2']), { timeoutMs: 120_000, intervalMs: 1000 });
    const after_ = await getJSON<{ metadata: { uid: string; resourceVersion: string }; data: Record<string, string> }>('configmap', 'keep');
    assert.equal(after_.metadata.uid, before.metadata.uid);
    assert.equal(after_.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.deepEqual(after_.data, { k: 'v' });
    assert.equal((await getJSON<{ metadata: { uid: string } }>('deployment', 'web')).metadata.uid, deploy.metadata.uid);
    assert.deepEqual(await leases(), leasesBefore);
    await waitFor('4 ready web pods after the restart', async () => (await webPods()).length === 4, { timeoutMs: 120_000, intervalMs: 2000 });
  });
});
