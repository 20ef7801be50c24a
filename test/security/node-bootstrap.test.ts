/**
 * `kubesim node add` joins a node through kubelet TLS bootstrapping: the CLI creates a bootstrap
 * token Secret, the new kubelet asks for its client certificate with it (a CSR the controller
 * manager's csrapproving approves and csrsigning signs with the cluster CA), writes its kubeconfig
 * and registers as system:node:<name>; the node becomes Ready and runs pods. The bootstrap token
 * itself may create CSRs but not read pods.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { upCluster, type E2ECluster } from '../e2e/helpers.js';
import { addNode } from '../../cli/commands/node.js';

let c: E2ECluster;
const node = 'boot-2';

before(async () => { c = await upCluster(1); });
after(async () => { await c?.down(); });

/** A flag's value among the kubelet's recorded arguments. */
function kubeletFlag(name: string): string {
  const state = JSON.parse(readFileSync(join(c.kubeconfig, '..', 'cluster.json'), 'utf8')) as { processes: { node?: string; component: string; args: string[] }[] };
  const args = state.processes.find((p) => p.node === node && p.component === 'kubelet')?.args ?? [];
  const i = args.indexOf(name);
  assert.ok(i >= 0, `kubelet of ${node} has ${name}: ${args.join(' ')}`);
  return args[i + 1];
}

test('kubesim node add: the kubelet bootstraps its certificate through an auto-approved CSR and the node becomes Ready', { timeout: 240_000 }, async () => {
  await addNode(c.name, node, 120_000);
  assert.match(await c.kubectl('get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'), /^True$/);

  const csrs = await c.kubectl('get', 'csr');
  assert.match(csrs, /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION$/m);
  assert.match(csrs, /^node-csr-\S+\s+\S+\s+kubernetes\.io\/kube-apiserver-client-kubelet\s+system:bootstrap:[a-z0-9]{6}\s+<none>\s+Approved,Issued$/m);
  const tokenId = /system:bootstrap:([a-z0-9]{6})/.exec(csrs)![1];
  const secret = JSON.parse(await c.kubectl('get', 'secret', '-n', 'kube-system', `bootstrap-token-${tokenId}`, '-o', 'json')) as { type: string; data: Record<string, string> };
  assert.equal(secret.type, 'bootstrap.kubernetes.io/token');
  assert.equal(Buffer.from(secret.data['usage-bootstrap-authentication'], 'base64').toString(), 'true');
  assert.ok(Date.parse(Buffer.from(secret.data.expiration, 'base64').toString()) > Date.now());

  // The kubeconfig the kubelet wrote names its certificate: it is system:node:<name>.
  const kubeconfig = kubeletFlag('--kubeconfig');
  assert.match(readFileSync(kubeconfig, 'utf8'), /client-certificate: \S+kubelet-client-current\.pem/);
  assert.match(await c.kubectl('--kubeconfig', kubeconfig, 'auth', 'whoami'), /Username\s+system:node:boot-2\n(UID .*\n)?Groups\s+\[system:nodes system:authenticated\]/);
  // The bootstrap token: CSRs yes, pods no.
  const boot = kubeletFlag('--bootstrap-kubeconfig');
  assert.equal((await c.kubectlStatus('--kubeconfig', boot, 'auth', 'can-i', 'create', 'certificatesigningrequests')).stdout.trim(), 'yes');
  const pods = await c.kubectlStatus('--kubeconfig', boot, 'get', 'pods', '-A');
  assert.notEqual(pods.code, 0);
  assert.match(pods.stderr, /User "system:bootstrap:[a-z0-9]{6}" cannot list resource "pods"/);

  await c.kubectl('run', 'onboot', '--image=busybox', '--restart=Never', `--overrides={"spec":{"nodeName":"${node}"}}`, '--', 'sh', '-c', 'echo hello from a bootstrapped node; sleep 3600');
  await c.kubectl('wait', '--for=condition=Ready', 'pod/onboot', '--timeout=90s');
  assert.match(await c.kubectl('logs', 'onboot'), /hello from a bootstrapped node/);
  await c.kubectl('delete', 'pod', 'onboot', '--grace-period=0', '--force').catch(() => undefined);
});
