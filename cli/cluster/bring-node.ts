/**
 * The per-node steps of a bring-up, shared by `kubesim up` and `kubesim node add`: start
 * flanneld and wait for its subnet lease (the others read subnet.env), then the runtime,
 * kubelet and kube-proxy; and wait until the Node is Ready.
 */
import { existsSync } from 'node:fs';
import { writeState, type ClusterState } from './state.js';
import { startProcess, isAlive } from './supervisor.js';
import { nodeSpecs, apiURL, subnetFileOf, type ClusterOptions } from './components.js';
import type { ClusterLayout, NodeLayout } from './layout.js';
import { waitFor } from '../../lib/testing/wait.js';
import { ensureBootstrapNodeCredentials, ensureNodeCredentials, tokenAccepted } from './credentials.js';

/**
 * Starts node n's components, recording each in state (written to cluster.json as it goes). With
 * `bootstrap` (kubesim node add) the kubelet joins with a bootstrap token and gets its client
 * certificate through a CSR; otherwise (kubesim up) it is given one.
 */
export async function startNodeComponents(state: ClusterState, c: ClusterLayout, n: NodeLayout, copts: ClusterOptions, bootstrap = false): Promise<void> {
  // The apiserver re-reads its token file (and watches bootstrap token Secrets), so a node added later is known without a restart.
  const creds = bootstrap ? await ensureBootstrapNodeCredentials(c, n.name, n.underlayIP, n.dir, apiURL(c)) : ensureNodeCredentials(c, n.name, n.underlayIP);
  const [flanneld, ...rest] = nodeSpecs(c, n, copts, creds);
  state.processes.push(startProcess(state.name, flanneld));
  writeState(state);
  const rec = state.processes[state.processes.length - 1];
  await waitFor(`${n.name} subnet lease`, () => {
    if (!isAlive(rec.pid)) throw new Error(`flanneld exited; see ${rec.log}`);
    return existsSync(subnetFileOf(n));
  }, { timeoutMs: 20_000 });
  await waitFor(`apiserver accepts ${n.name}'s token`, () => tokenAccepted(c, creds.token), { timeoutMs: 20_000, intervalMs: 200 });
  for (const spec of rest) state.processes.push(startProcess(state.name, spec));
  writeState(state);
}

/** Waits until Node n reports Ready; fails early when one of its components exited. */
export async function waitNodeReady(state: ClusterState, c: ClusterLayout, n: NodeLayout, timeoutMs: number): Promise<void> {
  await waitFor(`${n.name} Ready`, async () => {
    const dead = state.processes.find((p) => p.node === n.name && !isAlive(p.pid));
    if (dead) throw new Error(`${dead.component} exited; see ${dead.log}`);
    const res = await fetch(`${apiURL(c)}/api/v1/nodes/${n.name}`);
    if (!res.ok) return false;
    const node = await res.json() as { status?: { conditions?: { type: string; status: string }[] } };
    return node.status?.conditions?.some((cond) => cond.type === 'Ready' && cond.status === 'True');
  }, { timeoutMs });
}
