/**
 * `kubesim up`: a whole cluster on this host — underlay bridge, node namespaces, etcd, the
 * control plane and per node flanneld, runtime, kubelet and kube-proxy — then waits until
 * every node is Ready.
 */
import { mkdirSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import { clusterLayout, nodeLayout } from '../cluster/layout.js';
import { readState, writeState, pickIndex, type ClusterState } from '../cluster/state.js';
import { checkPrerequisites } from '../cluster/prereq.js';
import { ensureBridge, ensureNodeNetwork } from '../cluster/network.js';
import { startProcess, isAlive } from '../cluster/supervisor.js';
import { DIST, controlPlaneSpecs, apiURL } from '../cluster/components.js';
import { ETCD_MEMBER_COUNTS, etcdMemberSpecs, ensureEtcdCerts, etcdHostClientOptions, etcdMembersHealthy } from '../cluster/etcd.js';
import { startNodeComponents, waitNodeReady } from '../cluster/bring-node.js';
import { Checklist } from '../cluster/progress.js';
import { ensureClusterCredentials, secureURL } from '../cluster/credentials.js';
import { down } from './down.js';
import { installAddon, dnsAnswers } from '../cluster/addon-steps.js';
import { waitFor } from '../../lib/testing/wait.js';

export interface UpOptions { name: string; nodes: number; backend: string; etcdMembers: number; fastFailover: boolean; v: number; timeout: number; keepOnFailure?: boolean }

const BACKENDS = ['vxlan', 'udp', 'host-gw'];

/** Brings a cluster up; resolves with its kubeconfig path. */
export async function up(o: UpOptions): Promise<string> {
  if (!BACKENDS.includes(o.backend)) throw new UserError(`unknown backend "${o.backend}": use one of ${BACKENDS.join(', ')}`);
  if (!/^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$/.test(o.name)) throw new UserError(`invalid cluster name "${o.name}": lowercase letters, digits and '-', at most 16 characters`);
  if (o.nodes < 1 || o.nodes > 20) throw new UserError('--nodes must be between 1 and 20');
  if (!ETCD_MEMBER_COUNTS.includes(o.etcdMembers)) throw new UserError(`--etcd-members must be ${ETCD_MEMBER_COUNTS.join(' or ')}`);
  const problems = checkPrerequisites(DIST, ['apiserver', 'scheduler', 'controller-manager', 'kubelet', 'flanneld', 'kube-proxy']);
  if (problems.length) {
    throw new UserError(`this host is not ready:\n${problems.map((p) => `  - ${p.what}\n      fix: ${p.fix}`).join('\n')}`);
  }
  const existing = readState(o.name);
  if (existing?.processes.some((p) => isAlive(p.pid))) {
    throw new UserError(`cluster "${o.name}" is already up (kubesim status --name ${o.name}); remove it first with: kubesim down --name ${o.name}`);
  }
  const c = clusterLayout(o.name, existing?.index ?? pickIndex(o.name));
  const nodes = Array.from({ length: o.nodes }, (_, i) => nodeLayout(c, i + 1));
  const state: ClusterState = {
    name: o.name, index: c.index, backend: o.backend, createdAt: new Date().toISOString(),
    nodes: nodes.map((n, i) => ({ name: n.name, index: i + 1 })), processes: [], options: { ...o },
  };
  mkdirSync(c.dir, { recursive: true });
  writeState(state);
  const ui = new Checklist();
  console.log(`kubesim: bringing up cluster "${o.name}" (${o.nodes} node(s), ${o.backend} backend)`);
  try {
    await ui.step(`underlay bridge ${c.bridge} ${c.hostIP}/24`, () => ensureBridge(c));
    for (const n of nodes) {
      mkdirSync(n.dir, { recursive: true });
      await ui.step(`${n.name} namespace ${n.netns} (${n.underlayIP})`, () => ensureNodeNetwork(c, n));
    }
    await ui.step(o.etcdMembers === 1 ? 'etcd' : `etcd (${o.etcdMembers} members)`, async () => {
      // etcd's CA and certificates first: members serve and talk TLS, and admit clients with a certificate only.
      ensureEtcdCerts(c);
      for (const spec of etcdMemberSpecs(c, o.etcdMembers)) state.processes.push(startProcess(o.name, spec));
      writeState(state);
      // Every member healthy: /health answers ok only once the member sees a leader.
      await waitFor('etcd health', () => etcdMembersHealthy(c, o.etcdMembers), { timeoutMs: 20_000 });
      const etcd = new Etcd3(etcdHostClientOptions(c, o.etcdMembers));
      try {
        await etcd.put('/coreos.com/network/config').value(JSON.stringify({ Network: c.clusterCIDR, SubnetLen: 24, Backend: { Type: o.backend } }));
      } finally {
        etcd.close();
      }
    });
    await ui.step(`cluster CA, certificates and kubeconfigs (${c.dir}/pki)`, async () => ensureClusterCredentials(c));
    const copts = { backend: o.backend, fastFailover: o.fastFailover, v: o.v, etcdMembers: o.etcdMembers };
    for (const spec of controlPlaneSpecs(c, copts)) {
      await ui.step(spec.component, async () => {
        state.processes.push(startProcess(o.name, spec));
        writeState(state);
        if (spec.component === 'apiserver') {
          await waitFor('apiserver /readyz', async () => (await fetch(`${apiURL(c)}/readyz`).catch(() => undefined))?.ok, { timeoutMs: 20_000 });
        }
      });
    }
    for (const n of nodes) {
      await ui.step(`${n.name} components (flanneld, runtime, kubelet, kube-proxy)`, () => startNodeComponents(state, c, n, copts));
    }
    for (const n of nodes) {
      await ui.step(`${n.name} Ready`, () => waitNodeReady(state, c, n, o.timeout * 1000));
    }
    await ui.step('DNS addon (kube-dns at ' + c.dnsIP + ')', async () => {
      await installAddon('dns', c);
      await waitFor('cluster DNS answers', () => dnsAnswers(nodes[0].netns, c.dnsIP), { timeoutMs: o.timeout * 1000, intervalMs: 500 });
    });
    await ui.step('ingress controller addon (NodePort 30080)', () => installAddon('ingress', c));
    await ui.step('dashboard addon (NodePort 30880; `kubesim dashboard` serves it on 127.0.0.1)', () => installAddon('dashboard', c));
  } catch (err) {
    if (!o.keepOnFailure) {
      console.error(`kubesim: bring-up failed; removing what was started (use --keep-on-failure to inspect; logs in ${c.dir}/logs)`);
      await down({ name: o.name, quiet: true, keepLogs: true });
    }
    throw err;
  }
  console.log(`\ncluster "${o.name}" is up in ${ui.elapsed()}s (API: ${secureURL(c)}, admin client certificate). Use it with:\n\n  export KUBECONFIG=${c.kubeconfig}\n  kubectl get nodes -o wide\n`);
  return c.kubeconfig;
}

/** An error whose message is for the user (no stack trace). */
export class UserError extends Error {}
