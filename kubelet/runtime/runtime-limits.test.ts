import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../lib/testing/wait.js';
import { isApiError } from '../../lib/errors.js';
import { startRuntimeHarness, httpGet, type RuntimeHarness } from '../testing/runtime-harness.js';

const RUNNING = 1;
const EXITED = 2;
let h: RuntimeHarness;
before(async () => { h = await startRuntimeHarness(32); });
after(async () => { await h?.cleanup(); });

const exited = (id: string) => waitFor(`container ${id.slice(0, 8)} exits`, async () => { const s = await h.status(id); return s.state === EXITED && s; }, { timeoutMs: 20_000 });

test('exit codes and reasons: Completed, Error, OOMKilled (memory limit), and cgroup stats while running', async () => {
  const pod = await h.runPod('jobs');
  const ok = await h.startContainer(pod, { metadata: { name: 'ok' }, image: { image: 'busybox' }, command: ['true'] });
  const bad = await h.startContainer(pod, { metadata: { name: 'bad' }, image: { image: 'busybox' }, command: ['sh', '-c', 'exit 3'] });
  const oom = await h.startContainer(pod, {
    metadata: { name: 'hog' }, image: { image: 'perl:5.34.0' }, command: ['perl', '-e', '$x = "a" x (256*1024*1024); sleep 5'],
    linux: { resources: { memory_limit_in_bytes: 32 * 1024 * 1024 } },
  });
  const spin = await h.startContainer(pod, {
    metadata: { name: 'spin' }, image: { image: 'busybox' }, command: ['sh', '-c', 'while :; do :; done'],
    linux: { resources: { cpu_quota: 10_000, cpu_period: 100_000 } },
  });
  assert.deepEqual([(await exited(ok)).exit_code, (await exited(ok)).reason], [0, 'Completed']);
  assert.deepEqual([(await exited(bad)).exit_code, (await exited(bad)).reason], [3, 'Error']);
  const o = await exited(oom);
  assert.deepEqual([o.exit_code, o.reason], [137, 'OOMKilled']);

  // The CPU quota (10% of a core) holds: usage grows, but far slower than wall time.
  const before = (await h.cri.call('ContainerStats', { container_id: spin })).stats;
  const t0 = Date.now();
  await waitFor('cpu usage grows', async () => (await h.cri.call('ContainerStats', { container_id: spin })).stats.cpu.usage_core_nano_seconds.value > before.cpu.usage_core_nano_seconds.value + 50e6, { timeoutMs: 5000 });
  await new Promise((r) => setTimeout(r, 500)); // measure over a window longer than a few CFS periods
  const afterStats = (await h.cri.call('ContainerStats', { container_id: spin })).stats;
  const used = afterStats.cpu.usage_core_nano_seconds.value - before.cpu.usage_core_nano_seconds.value;
  const wall = (Date.now() - t0) * 1e6;
  assert.ok(used < wall * 0.3, `cpu used ${used} ns in ${wall} ns wall`);
  assert.ok(afterStats.memory.usage_bytes.value > 0);
  const listed = (await h.cri.call('ListContainerStats', { filter: { pod_sandbox_id: pod.id } })).stats;
  assert.deepEqual(listed.map((s: { attributes: { id: string } }) => s.attributes.id), [spin]);
  await h.cri.call('StopPodSandbox', { pod_sandbox_id: pod.id });
  assert.equal((await h.status(spin)).state, EXITED);
  await h.cri.call('RemovePodSandbox', { pod_sandbox_id: pod.id });
});

test('two containers of one pod share the network: nginx answers from the node, a second bind of port 80 fails (EADDRINUSE)', async () => {
  const pod = await h.runPod('two', { port_mappings: [{ protocol: 'TCP', container_port: 80 }] });
  const ip = (await h.cri.call('PodSandboxStatus', { pod_sandbox_id: pod.id })).status.network.ip;
  const web = await h.startContainer(pod, { metadata: { name: 'nginx' }, image: { image: 'nginx:1.14.2' } });
  const res = await waitFor('nginx answers', () => httpGet(h.node, `http://${ip}/`).catch(() => undefined), { timeoutMs: 10_000 });
  assert.equal(res.status, 200);
  assert.match(res.body, /Welcome to nginx!/);
  // The second server is started the way manifests often do it: `nginx -g 'daemon off;'`.
  const second = await h.startContainer(pod, { metadata: { name: 'clash' }, image: { image: 'nginx' }, command: ['nginx', '-g', 'daemon off;'] });
  const s = await exited(second);
  assert.notEqual(s.exit_code, 0);
  assert.match(readFileSync(s.log_path, 'utf8'), /EADDRINUSE/);
  assert.equal((await h.status(web)).state, RUNNING);
  // nginx logged the request.
  assert.match(readFileSync((await h.status(web)).log_path, 'utf8'), /"GET \/ HTTP\/1\.1" 200/);
  await h.cri.call('RemovePodSandbox', { pod_sandbox_id: pod.id });
});

test('volumes are bind-mounted (read-write and read-only); hostNetwork pods use the node namespace', async () => {
  const vol = join(h.dir, 'vol');
  mkdirSync(vol);
  writeFileSync(join(h.dir, 'cfg.txt'), 'config-value\n');
  const pod = await h.runPod('vols');
  const c = await h.startContainer(pod, {
    metadata: { name: 'w' }, image: { image: 'busybox' },
    command: ['sh', '-c', 'echo from-container > /data/out.txt; cat /etc/cfg.txt; echo x > /etc/cfg.txt || echo readonly-ok'],
    mounts: [{ host_path: vol, container_path: '/data' }, { host_path: join(h.dir, 'cfg.txt'), container_path: '/etc/cfg.txt', readonly: true }],
  });
  const s = await exited(c);
  assert.equal(readFileSync(join(vol, 'out.txt'), 'utf8'), 'from-container\n');
  const log = readFileSync(s.log_path, 'utf8');
  assert.match(log, / stdout F config-value$/m);
  assert.match(log, / stdout F readonly-ok$/m);
  assert.equal(readFileSync(join(h.dir, 'cfg.txt'), 'utf8'), 'config-value\n');
  await assert.rejects(h.cri.call('CreateContainer', { pod_sandbox_id: pod.id, config: { metadata: { name: 'x' }, image: { image: 'busybox' }, mounts: [{ host_path: '/nonexistent-ksimt', container_path: '/x' }] } }), (e) => isApiError(e, 'Invalid'));

  const hostPod = await h.runPod('hostnet', { linux: { security_context: { namespace_options: { network: 2 } } } });
  const hn = await h.startContainer(hostPod, { metadata: { name: 'h' }, image: { image: 'busybox' }, command: ['cat', '/proc/net/dev'] });
  assert.match(readFileSync((await exited(hn)).log_path, 'utf8'), /cni0:/);
  await h.cri.call('RemovePodSandbox', { pod_sandbox_id: pod.id });
  await h.cri.call('RemovePodSandbox', { pod_sandbox_id: hostPod.id });
});

test('images: pull resolves built-ins; an unknown image is ErrImagePull; bad requests are clear errors', async () => {
  assert.match((await h.cri.image('PullImage', { image: { image: 'registry.k8s.io/nginx-slim:0.8' } })).image_ref, /^sha256:/);
  await assert.rejects(h.cri.image('PullImage', { image: { image: 'nosuch:1.0' } }), (e) => isApiError(e, 'NotFound') && /ErrImagePull/.test(e.message));
  assert.equal((await h.cri.image('ImageStatus', { image: { image: 'nosuch' } })).image, null);
  assert.ok((await h.cri.image('ListImages', {})).images.length >= 10);
  await assert.rejects(h.cri.call('RunPodSandbox', { config: { metadata: { name: 'x' } } }), (e) => isApiError(e, 'Invalid'));
  await assert.rejects(h.cri.call('CreateContainer', { pod_sandbox_id: 'nope', config: { metadata: { name: 'x' }, image: { image: 'busybox' } } }), (e) => isApiError(e, 'NotFound'));
  await assert.rejects(h.cri.call('StartContainer', { container_id: 'nope' }), (e) => isApiError(e, 'NotFound'));
});
