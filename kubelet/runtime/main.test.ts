import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
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
