/**
 * `kubesim join` into a secure `kubesim up` cluster: `--print-command` on the control-plane host
 * writes the node's credentials (CA, bootstrap token, kubelet serving certificate); a "host" (a
 * network namespace on the cluster's underlay bridge) joins with them over HTTPS, its kubelet
 * trades the bootstrap token for a client certificate (CSR) and is system:node:<name> under the Node authorizer, and `kubectl logs` of a pod there goes through the
 * apiserver to the joined kubelet's TLS server.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { upCluster, type E2ECluster } from '../e2e/helpers.js';
import { createNetns, deleteNetns, execIn, ipIn, run, uniqueName } from '../../lib/testing/netns.js';
import { joinCommand } from '../../cli/commands/join.js';
import { DIST } from '../../cli/cluster/components.js';

const CLI = join(DIST, 'cli', 'main.js');
let c: E2ECluster;
let ns = '';
let hostEnd = '';
let dir = '';
const node = 'joiner';

before(async () => {
  c = await upCluster(1);
  dir = mkdtempSync(join(tmpdir(), 'ksimt-join-'));
});
after(async () => {
  if (ns) {
    await execIn(ns, process.execPath, [CLI, 'join', '--leave', '--node-name', node, '--dir', join(dir, 'state')], { timeoutMs: 120_000 }).catch(() => undefined);
    await deleteNetns(ns);
  }
  if (hostEnd) await run('ip', ['link', 'del', hostEnd]).catch(() => undefined);
  await c?.down();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a host joins a secure cluster with --print-command credentials; logs reach its kubelet over TLS', { timeout: 300_000 }, async () => {
  const state = JSON.parse(readFileSync(join(c.kubeconfig, '..', 'cluster.json'), 'utf8')) as { index: number };
  const bridge = state.index === 0 ? 'kubesim0' : `kubesim${state.index}`;
  const ip = `10.200.${state.index}.60`;
  ns = await createNetns(uniqueName(), { forward: true });
  hostEnd = uniqueName('ksj');
  await run('ip', ['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  await run('ip', ['link', 'set', hostEnd, 'master', bridge, 'up']);
  await ipIn(ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0');
  await ipIn(ns, 'link', 'set', 'eth0', 'up');

  const cmd = await joinCommand(c.name, node, ip, join(dir, 'creds'));
  assert.match(cmd, /^kubesim join --apiserver https:\/\/\S+ --grpc-server \S+ --etcd https:\/\/\S+ --node-name joiner --node-ip 10\.200\.\d+\.60 --credentials \S+$/);
  // etcd admits certified clients only: the credentials carry etcd's CA and flanneld's certificate.
  for (const f of ['etcd-ca.crt', 'flanneld-etcd-client.crt', 'flanneld-etcd-client.key']) assert.ok(existsSync(join(dir, 'creds', f)), f);
  const args = cmd.split(' ').slice(1);
  await execIn(ns, process.execPath, [CLI, ...args, '--iface', 'eth0', '--dir', join(dir, 'state'), '--timeout', '120'], { timeoutMs: 180_000 });
  assert.match(await c.kubectl('get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'), /^True$/);
  // The kubelet joined with a bootstrap token and wrote its kubeconfig with the certificate its CSR got.
  assert.match(await c.kubectl('get', 'csr'), /^node-csr-\S+\s+\S+\s+kubernetes\.io\/kube-apiserver-client-kubelet\s+system:bootstrap:[a-z0-9]{6}\s+<none>\s+Approved,Issued$/m);
  const kc = join(dir, 'state', 'kubeconfig');
  assert.match(readFileSync(kc, 'utf8'), /client-certificate: \S+kubelet-client-current\.pem/);
  // Its kubeconfig is the node's identity: its own Node yes, secrets no.
  assert.match(await c.kubectl('--kubeconfig', kc, 'auth', 'whoami'), /Username\s+system:node:joiner\n(UID .*\n)?Groups\s+\[system:nodes system:authenticated\]/);
  const listSecrets = await c.kubectlStatus('--kubeconfig', kc, 'auth', 'can-i', 'list', 'secrets', '-A');
  assert.equal(listSecrets.code, 1);
  assert.match(listSecrets.stdout, /^no\b/);

  await c.kubectl('run', 'onjoiner', '--image=busybox', '--restart=Never', `--overrides={"spec":{"nodeName":"${node}"}}`, '--', 'sh', '-c', 'echo hello from the joined node; sleep 3600');
  await c.kubectl('wait', '--for=condition=Ready', 'pod/onjoiner', '--timeout=90s');
  assert.match(await c.kubectl('logs', 'onjoiner'), /hello from the joined node/);
  await c.kubectl('delete', 'pod', 'onjoiner', '--grace-period=0', '--force').catch(() => undefined);
});
