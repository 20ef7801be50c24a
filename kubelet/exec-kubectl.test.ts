import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Pod } from '../lib/api/types.js';
import { startControlPlane } from '../lib/testing/control-plane.js';
import { waitFor } from '../lib/testing/wait.js';
import { Kubelet } from './kubelet.js';
import { createLogger } from './runtime/log.js';
import { run } from './runtime/run.js';
import { shellQuote } from './runtime/exec.js';
import { startRuntimeHarness } from './testing/runtime-harness.js';

const KUBECTL_127 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.27';
const KUBECTL_133 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
const NODE = 'ksimt-exec-node';

test('kubectl 1.27 (SPDY/3.1) and the current kubectl (WebSocket) exec, exec -it and port-forward through the apiserver into a pod', async (t) => {
  const cp = await startControlPlane();
  const ac = new AbortController();
  const forwards: ChildProcess[] = [];
  let h: Awaited<ReturnType<typeof startRuntimeHarness>> | undefined;
  let running: Promise<void> | undefined;
  // One hook, in order: pod gone, kubelet stopped, runtime cleaned, control plane stopped.
  t.after(async () => {
    for (const f of forwards) f.kill('SIGKILL');
    for (const name of ['sh', 'web']) await cp.client.delete({ resource: 'pods', namespace: 'default', name }).catch(() => undefined);
    if (h) await waitFor('pod sandbox removed', async () => (await h!.cri.call('ListPodSandbox', {})).items.length === 0, { timeoutMs: 30_000 }).catch(() => undefined);
    ac.abort();
    await running?.catch(() => undefined);
    await h?.cleanup();
    await cp.stop();
  });
  h = await startRuntimeHarness(41);
  // The kubelet listens on loopback and reports its real port, which is how the apiserver finds it.
  const kubelet = new Kubelet({
    client: cp.client, criEndpoint: `unix://${join(h.dir, 'cri.sock')}`, rootDir: join(h.dir, 'kubelet'), logRoot: join(h.dir, 'pod-logs'),
    node: { name: NODE, ip: '127.0.0.1' }, cluster: { clusterDns: ['10.96.0.10'], clusterDomain: 'cluster.local', nodeResolvConf: '' },
    log: createLogger('kubelet', !process.env.KSIM_LOGS), relistMs: 300, serverHost: '127.0.0.1', serverPort: 0,
  });
  running = kubelet.run(ac.signal);
  await cp.client.create({ resource: 'pods', namespace: 'default' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sh' }, spec: { nodeName: NODE, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] },
  } as Pod);
  await waitFor('pod running', async () => (await cp.client.get<Pod>({ resource: 'pods', namespace: 'default', name: 'sh' })).status?.phase === 'Running', { timeoutMs: 30_000 });

  const cfg = join(h.dir, 'kubeconfig');
  writeFileSync(cfg, `apiVersion: v1\nkind: Config\nclusters: [{name: t, cluster: {server: '${cp.restURL}'}}]\ncontexts: [{name: t, context: {cluster: t, user: u}}]\nusers: [{name: u, user: {}}]\ncurrent-context: t\n`);
  const kubectl = (bin: string, args: string[], input?: string) => run(bin, ['--kubeconfig', cfg, ...args], { input, env: { ...process.env, HOME: h.dir, KUBECTL_KUBERC: 'false' }, timeoutMs: 30_000 });

  const both = await kubectl(KUBECTL_127, ['exec', 'sh', '--', 'sh', '-c', 'echo out; echo err >&2; hostname']);
  assert.deepEqual([both.code, both.stdout, both.stderr], [0, 'out\nsh\n', 'err\n']);
  const stdin = await kubectl(KUBECTL_127, ['exec', '-i', 'sh', '--', 'sh', '-c', 'tr a-z A-Z; echo done'], 'hello spdy\n');
  assert.deepEqual([stdin.code, stdin.stdout], [0, 'HELLO SPDY\ndone\n']);
  const big = await kubectl(KUBECTL_127, ['exec', 'sh', '--', 'sh', '-c', 'head -c 200000 /dev/zero | tr "\\0" x']);
  assert.equal(big.stdout.length, 200_000);
  const failed = await kubectl(KUBECTL_127, ['exec', 'sh', '--', 'sh', '-c', 'exit 3']);
  assert.equal(failed.code, 3, failed.stderr);
  const missing = await kubectl(KUBECTL_127, ['exec', 'sh', '-c', 'nosuch', '--', 'true']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /container "?nosuch"? (in pod "sh" is not running|is not valid for pod sh)/);
  const current = await kubectl('kubectl', ['exec', '-i', 'sh', '--', 'cat'], 'over websocket\n');
  assert.deepEqual([current.code, current.stdout], [0, 'over websocket\n']);

  // exec -it: kubectl itself runs on a terminal (util-linux script), so it asks for a tty.
  for (const bin of [KUBECTL_127, '/usr/bin/kubectl']) {
    // kubectl's terminal is 30x100: the pod's pty gets that size from kubectl's first resize message.
    const line = [bin, '--kubeconfig', cfg, 'exec', '-it', 'sh', '--', 'sh', '-c', 'tty; stty size; exit 4'].map(shellQuote).join(' ');
    const r = await run('script', ['-q', '-e', '-c', `stty cols 100 rows 30; ${line}`, '/dev/null'], { env: { ...process.env, HOME: h.dir, KUBECTL_KUBERC: 'false' }, timeoutMs: 30_000 });
    // `script` turns the end of its (empty) stdin into an end-of-file character for kubectl's
    // terminal, which the pod's terminal may echo (^@, ^D) between the two lines.
    assert.match(r.stdout, /\/dev\/pts\/\d+\r?\n(?:\^[@D])*30 100/, `${bin}: ${r.stdout} ${r.stderr}`);
    assert.equal(r.code, 4, `${bin}: ${r.stdout}`);
  }

  // port-forward (to a pod of two containers: it names no container): SPDY for 1.27; kubectl ≥ 1.31 tunnels the SPDY session through a WebSocket (it
  // would fall back to plain SPDY if refused, so -v=4 shows which one it negotiated).
  await cp.client.create({ resource: 'pods', namespace: 'default' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { nodeName: NODE, terminationGracePeriodSeconds: 0, containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }, { name: 'side', image: 'busybox', command: ['sleep', '3600'] }] },
  } as Pod);
  await waitFor('web running', async () => (await cp.client.get<Pod>({ resource: 'pods', namespace: 'default', name: 'web' })).status?.phase === 'Running', { timeoutMs: 30_000 });
  for (const bin of [KUBECTL_127, '/usr/bin/kubectl', KUBECTL_133]) {
    const pf = spawn(bin, ['--kubeconfig', cfg, '-v=4', 'port-forward', 'pod/web', ':80'], { env: { ...process.env, HOME: h.dir, KUBECTL_KUBERC: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
    forwards.push(pf);
    let out = '';
    pf.stdout!.on('data', (d) => { out += d; });
    pf.stderr!.on('data', (d) => { out += d; });
    const local = await waitFor('port-forward listening', () => /Forwarding from 127\.0\.0\.1:(\d+) -> 80/.exec(out)?.[1], { timeoutMs: 20_000 }).catch((e: Error) => { throw new Error(`${bin}: ${e.message}: ${out}`); });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`http://127.0.0.1:${local}/`, { headers: { connection: 'close' } });
      assert.equal(res.status, 200, `${bin}: ${out}`);
      assert.match(await res.text(), /nginx/i);
    }
    if (bin !== KUBECTL_127) assert.match(out, /tunneling_dialer.*negotiated protocol: portforward\.k8s\.io/, `${bin} did not use the WebSocket tunnel: ${out}`);
    pf.kill('SIGTERM');
  }
});
