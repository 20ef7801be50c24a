/**
 * compose.yaml's promises, checked statically (fast, no Docker): internal node network, nothing
 * published beyond loopback, no privileged containers, each node made of its namespace owner and
 * four components joining it, and a start order from healthchecks.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addNodeToOverride, highestNode, nodeServices, type ComposeFile } from '../../cli/commands/compose.js';
import { parse } from 'yaml';

interface Service {
  image?: string; command?: string[]; profiles?: string[]; privileged?: boolean; init?: boolean; ports?: string[];
  network_mode?: string; networks?: Record<string, unknown> | string[]; cap_add?: string[]; devices?: string[];
  healthcheck?: unknown; depends_on?: Record<string, { condition: string }>; volumes?: string[]; environment?: Record<string, string>;
}
const ROOT = join(import.meta.dirname, '..', '..', '..');
const file = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>; networks: Record<string, { internal?: boolean; ipam?: { config: { subnet: string }[] } }>;
  volumes: Record<string, { driver_opts?: { type?: string } } | null>;
};
const services = Object.entries(file.services);

it('publishes only the apiserver\'s HTTPS port and gives every client its credentials volume read-only', () => {
  assert.deepEqual(file.services.apiserver.ports, ['127.0.0.1:${KUBESIM_APISERVER_PORT:-6443}:6443']);
  assert.equal(file.services.apiserver.depends_on?.pki.condition, 'service_completed_successfully');
  for (const name of ['scheduler', 'controller-manager', 'addons', 'kubeconfig', 'kubelet-node-1', 'kube-proxy-node-2', 'flanneld-node-3', 'etcd', 'etcd2', 'etcd3', 'netconfig']) {
    assert.ok(file.services[name].volumes?.includes('pki:/pki:ro'), `${name} lacks pki:/pki:ro`);
  }
  // etcd: TLS for clients and peers, client certificates required, certificates from the pki job.
  for (const name of ['etcd', 'etcd2', 'etcd3']) {
    const cmd = (file.services[name] as { command: string[] }).command;
    for (const flag of ['--client-cert-auth', '--peer-client-cert-auth', '--trusted-ca-file', '--peer-trusted-ca-file']) assert.ok(cmd.includes(flag), `${name} lacks ${flag}`);
    assert.ok(cmd.every((a) => !a.includes('http://')), `${name} has a plain URL: ${cmd.join(' ')}`);
    assert.equal(file.services[name].depends_on?.pki.condition, 'service_completed_successfully', name);
  }
  // `up -d` waits for this one's start, which waits for the kubeconfig job, which waits for DNS.
  assert.equal(file.services.ready.depends_on?.kubeconfig.condition, 'service_completed_successfully');
});

it('keeps the node network internal on 10.201.0.0/24 and publishes only on 127.0.0.1', () => {
  assert.equal(file.networks.cluster.internal, true);
  assert.equal(file.networks.cluster.ipam?.config[0].subnet, '10.201.0.0/24');
  for (const [name, s] of services) {
    for (const p of s.ports ?? []) assert.match(p, /^127\.0\.0\.1:/, `${name} publishes ${p} beyond loopback`);
    const nets = Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? {});
    if (nets.includes('edge')) assert.equal(name, 'apiserver', `only the apiserver may join the non-internal edge network (${name} does)`);
  }
});

it('runs nothing privileged and every long-running kubesim container under an init', () => {
  for (const [name, s] of services) {
    assert.notEqual(s.privileged, true, `${name} is privileged`);
    if (s.image?.includes('kubesim:local') && !['kubeconfig'].includes(name)) assert.equal(s.init, true, `${name} lacks init: true`);
  }
});

it('builds every node from a namespace owner and four components joining it', () => {
  const nodes = services.filter(([, s]) => s.command?.[0] === 'node').map(([n]) => n);
  assert.deepEqual(nodes.sort(), ['node-1', 'node-2', 'node-3']);
  for (const n of nodes) {
    for (const comp of ['flanneld', 'runtime', 'kubelet', 'kube-proxy']) {
      const s = file.services[`${comp}-${n}`];
      assert.ok(s, `${comp}-${n} missing`);
      assert.equal(s.network_mode, `service:${n}`);
      assert.equal(s.command?.[0], comp);
      assert.equal(s.environment?.NODE_NAME, n);
      assert.deepEqual(s.profiles, file.services[n].profiles, `${comp}-${n} must share ${n}'s profile`);
    }
    assert.deepEqual(file.services[`flanneld-${n}`].devices, ['/dev/net/tun']);
    assert.ok(file.services[`runtime-${n}`].cap_add?.includes('SYS_ADMIN'));
    assert.ok(file.services[`runtime-${n}`].volumes?.includes(`${n}:/node`));
    // Pod volumes (secrets) live on one tmpfs the kubelet and the runtime both see.
    for (const c of ['runtime', 'kubelet']) assert.ok(file.services[`${c}-${n}`].volumes?.includes(`${n}-pods:/node/kubelet/pods`), `${c}-${n} lacks the pods tmpfs`);
    assert.equal(file.volumes[`${n}-pods`]?.driver_opts?.type, 'tmpfs');
    assert.equal(file.services[`kubelet-${n}`].depends_on?.[`runtime-${n}`]?.condition, 'service_healthy');
  }
});

it('orders the start with healthchecks: etcd → apiserver → nodes', () => {
  assert.ok(file.services.etcd.healthcheck);
  assert.ok(file.services.apiserver.healthcheck);
  assert.equal(file.services.apiserver.depends_on?.etcd.condition, 'service_healthy');
  for (const name of ['scheduler', 'controller-manager', 'node-1', 'kubeconfig', 'addons']) {
    assert.equal(file.services[name].depends_on?.apiserver.condition, 'service_healthy', name);
  }
  for (const [name, s] of services) {
    for (const dep of Object.keys(s.depends_on ?? {})) assert.ok(file.services[dep], `${name} depends on unknown ${dep}`);
  }
  // `up -d` returns once the addons job (DNS answering) is done: the kubeconfig job waits for it.
  assert.equal(file.services.kubeconfig.depends_on?.addons.condition, 'service_completed_successfully');
});

it('add-node clones node-1 into the next node in compose.override.yaml, again and again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-addnode-'));
  try {
    copyFileSync(join(ROOT, 'compose.yaml'), join(dir, 'compose.yaml'));
    assert.equal(highestNode(file as unknown as ComposeFile), 3);
    const first = addNodeToOverride(dir);
    assert.equal(first.n, 4);
    assert.deepEqual(first.services, ['node-4', 'flanneld-node-4', 'runtime-node-4', 'kubelet-node-4', 'kube-proxy-node-4']);
    const second = addNodeToOverride(dir);
    assert.equal(second.n, 5);
    const o = parse(readFileSync(join(dir, 'compose.override.yaml'), 'utf8')) as typeof file;
    const owner = o.services['node-5'] as Service & { hostname?: string; networks: { cluster: { ipv4_address: string } } };
    assert.equal(owner.hostname, 'node-5');
    assert.equal(owner.networks.cluster.ipv4_address, '10.201.0.15');
    assert.equal(o.services['kubelet-node-5'].network_mode, 'service:node-5');
    assert.equal(o.services['kubelet-node-5'].environment?.NODE_NAME, 'node-5');
    assert.deepEqual(Object.keys(o.services['kubelet-node-5'].depends_on ?? {}).sort(), ['apiserver', 'flanneld-node-5', 'runtime-node-5']);
    assert.ok(o.services['runtime-node-5'].volumes?.includes('node-5-pods:/node/kubelet/pods'));
    assert.deepEqual(o.services['runtime-node-5'].cap_add, file.services['runtime-node-1'].cap_add);
    assert.equal(o.volumes['node-5-pods']?.driver_opts?.type, 'tmpfs');
    assert.ok('node-4' in o.services && 'node-4' in o.volumes, 'the first added node stays');
    assert.throws(() => nodeServices(file as unknown as ComposeFile, 118), /out of range/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
