import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../lib/testing/wait.js';
import { CriClient } from './cri-client.js';
import { run } from './run.js';
import { createNetns, deleteNetns, tempDir } from '../testing/netns.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

test('the runtime process serves the CRI on its socket and exits cleanly on SIGTERM', async (t) => {
  const tmp = tempDir();
  const socket = join(tmp.dir, 'cri.sock');
  const child = spawn(process.execPath, [here('./main.js'), '--listen', `unix://${socket}`, '--root-dir', join(tmp.dir, 'state'), '--subnet-file', join(tmp.dir, 'none.env')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(() => { child.kill('SIGKILL'); tmp.remove(); });
  await waitFor('socket', () => existsSync(socket), { timeoutMs: 10_000 });
  const cri = new CriClient(socket);
  try {
    assert.equal((await cri.call('Version', {})).runtime_name, 'kubesim');
    assert.ok((await cri.image('ListImages', {})).images.some((i: { repo_tags: string[] }) => i.repo_tags.includes('nginx:latest')));
  } finally {
    cri.close();
  }
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.ok(!existsSync(socket));
  assert.match(stderr, /"msg":"serving CRI"/);
});

test('the CNI executable follows the CNI protocol (VERSION, ADD result, DEL, error object)', async (t) => {
  const tmp = tempDir();
  const ns = await createNetns();
  t.after(async () => { await deleteNetns(ns); tmp.remove(); });
  const subnetFile = join(tmp.dir, 'subnet.env');
  writeFileSync(subnetFile, 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.33.1/24\nFLANNEL_MTU=1450\n');
  const pod = await createNetns();
  t.after(() => deleteNetns(pod));
  const conf = JSON.stringify({ cniVersion: '1.0.0', name: 'cbr0', type: 'kubesim', subnetFile, dataDir: join(tmp.dir, 'ipam') });
  const cni = (env: Record<string, string>) => run('ip', ['netns', 'exec', ns, process.execPath, here('../cni/main.js')], { input: conf, env: { ...process.env, ...env } });
  const v = await cni({ CNI_COMMAND: 'VERSION' });
  assert.deepEqual(JSON.parse(v.stdout).supportedVersions, ['0.4.0', '1.0.0']);
  const add = await cni({ CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: `/run/netns/${pod}`, CNI_IFNAME: 'eth0' });
  assert.equal(add.code, 0, add.stdout + add.stderr);
  const res = JSON.parse(add.stdout);
  assert.match(res.ips[0].address, /^10\.244\.33\.\d+\/24$/);
  const del = await cni({ CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'c1', CNI_NETNS: `/run/netns/${pod}`, CNI_IFNAME: 'eth0' });
  assert.equal(del.code, 0);
  const bad = await cni({ CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c2', CNI_NETNS: '/proc/1/ns/net', CNI_IFNAME: 'eth0' });
  assert.notEqual(bad.code, 0);
  assert.match(JSON.parse(bad.stdout).msg, /named namespace/);
});

test('deployed like `kubesim up` (runtime inside the node namespace): pods outlive a runtime restart, a new runtime adopts them and starts containers in them, --cleanup removes everything', async (t) => {
  const tmp = tempDir();
  const node = await createNetns();
  const tag = node.slice(-6);
  const pids: number[] = [];
  const runtimes: Array<{ kill: (s: NodeJS.Signals) => boolean }> = [];
  t.after(async () => {
    for (const r of runtimes) r.kill('SIGKILL');
    for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
    await deleteNetns(node);
    // Pod netns names made inside the runtime's own mount namespace leave their file in /run/netns.
    for (const n of readdirSync('/run/netns').filter((x) => x.startsWith(`ksimt-${tag}-`))) await deleteNetns(n);
    for (const c of ['memory', 'cpu', 'cpuacct']) await run('sh', ['-c', `find /sys/fs/cgroup/${c} -depth -type d -name 'ksimt-${tag}*' -exec find {} -depth -type d \\; | xargs -r rmdir`]);
    tmp.remove();
  });
  writeFileSync(join(tmp.dir, 'subnet.env'), 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.35.1/24\nFLANNEL_MTU=1450\n');
  const socket = join(tmp.dir, 'cri.sock');
  const args = ['--listen', `unix://${socket}`, '--root-dir', join(tmp.dir, 'state'), '--log-root', join(tmp.dir, 'logs'), '--subnet-file', join(tmp.dir, 'subnet.env'), '--netns-prefix', `ksimt-${tag}-`, '--cgroup-prefix', `ksimt-${tag}`];
  const startRuntime = async (extra: string[] = []) => {
    rmSync(socket, { force: true });
    const child = spawn('ip', ['netns', 'exec', node, process.execPath, here('./main.js'), ...args, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
    runtimes.push(child);
    let err = '';
    child.stderr!.on('data', (d) => { err += d; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    if (!extra.includes('--cleanup')) await waitFor('runtime socket', () => existsSync(socket), { timeoutMs: 10_000 }).catch((e) => { throw new Error(`${e.message}: ${err}`); });
    return { child, exited, stderr: () => err };
  };

  let rt = await startRuntime();
  let cri = new CriClient(socket);
  const config = { metadata: { name: 'p', namespace: 'default', uid: `u-${tag}` }, hostname: 'p' };
  const { pod_sandbox_id } = await cri.call('RunPodSandbox', { config });
  const mk = async (name: string) => {
    const { container_id } = await cri.call('CreateContainer', { pod_sandbox_id, config: { metadata: { name }, image: { image: 'busybox' }, command: ['sleep', '3600'] } });
    await cri.call('StartContainer', { container_id });
    const st = (await cri.call('ContainerStatus', { container_id })).status;
    pids.push(st.pid);
    return st.pid as number;
  };
  const first = await mk('first');
  cri.close();
  rt.child.kill('SIGTERM');
  assert.equal(await rt.exited, 0);
  assert.doesNotThrow(() => process.kill(first, 0), 'the container outlives the runtime');

  rt = await startRuntime();
  cri = new CriClient(socket);
  assert.equal((await cri.call('ListContainers', { filter: { state: { state: 1 } } })).containers.length, 1);
  const second = await mk('second'); // enters the adopted pod's netns from a new mount namespace
  const ex = await cri.call('ExecSync', { container_id: (await cri.call('ListContainers', { filter: { state: { state: 1 } } })).containers[0].id, cmd: ['sh', '-c', 'ip -o -4 addr show dev eth0'] });
  assert.match(ex.stdout.toString(), /inet 10\.244\.35\.\d+\/24/);
  cri.close();
  rt.child.kill('SIGTERM');
  assert.equal(await rt.exited, 0);

  const clean = await startRuntime(['--cleanup']);
  assert.equal(await clean.exited, 0, clean.stderr());
  for (const p of [first, second]) await waitFor(`pid ${p} gone`, () => { try { process.kill(p, 0); return false; } catch { return true; } });
  const links = await run('ip', ['-n', node, '-o', 'link', 'show', 'type', 'veth']);
  assert.equal(links.stdout.trim(), '');
});
