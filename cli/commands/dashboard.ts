/**
 * `kubesim dashboard`: serves the dashboard on 127.0.0.1 for a local cluster and prints its URL
 * (the in-cluster addon serves the same page on NodePort 30880 of every node).
 */
import { startDashboard } from '../../dashboard/server/index.js';
import { clusterLayout, nodeLayout } from '../cluster/layout.js';
import { readState } from '../cluster/state.js';
import { apiURL, grpcAddr, FLANNEL_HEALTHZ_PORT } from '../cluster/components.js';
import { resolveApiServer } from '../../lib/client/flags.js';
import { UserError } from './up.js';
import type { ChaosActions } from '../../dashboard/server/index.js';
import { loadContext } from '../chaos/context.js';
import { killComponent, stopNode, startNode } from '../chaos/process-actions.js';
import { partitionNodes, heal, netem, clearNetem } from '../chaos/network-actions.js';

/** The dashboard's chaos buttons, backed by the same functions as `kubesim chaos`. */
function chaosActions(name: string): ChaosActions {
  const ctx = () => loadContext(name);
  return {
    'stop-node': { label: 'Stop node', target: 'node', run: async (n) => { await stopNode(ctx(), n); return `stopped ${n}`; } },
    'start-node': { label: 'Start node', target: 'node', run: async (n) => { await startNode(ctx(), n); return `started ${n}`; } },
    'partition-node': { label: 'Partition node', target: 'node', run: async (n) => { await partitionNodes(ctx(), [n]); return `partitioned ${n}`; } },
    heal: { label: 'Heal partitions', target: 'none', run: async () => { await heal(ctx()); return 'healed'; } },
    'netem-node': { label: 'Delay 100ms ±10ms, 5% loss', target: 'node', run: async (n) => { await netem(ctx(), n, { delayMs: 100, jitterMs: 10, loss: 0.05, seed: 42 }); return `netem on ${n}`; } },
    'clear-netem': { label: 'Clear netem', target: 'node', run: async (n) => { await clearNetem(ctx(), n); return `netem cleared on ${n}`; } },
    'kill-component': { label: 'Kill component (kubelet@node-1, apiserver, ...)', target: 'component', run: async (t) => {
      const [comp, node] = t.split('@');
      const pids = await killComponent(ctx(), comp, node, 'KILL');
      return `killed ${comp}${node ? ` on ${node}` : ''} (pid ${pids.join(', ')}); restart it with kubesim chaos or kubesim node start`;
    } },
  };
}

/** Runs the dashboard until SIGINT/SIGTERM. */
export async function dashboard(name: string, port: number): Promise<void> {
  const state = readState(name);
  if (!state) throw new UserError(`no cluster named "${name}" (start one with: kubesim up --name ${name})`);
  const c = clusterLayout(name, state.index);
  const nodes = state.nodes.map((n) => nodeLayout(c, n.index, n.name));
  const api = resolveApiServer({ kubeconfig: c.kubeconfig });
  const dash = await startDashboard({
    grpcServer: grpcAddr(c),
    restURL: apiURL(c),
    // The gRPC port wants the admin's credentials over TLS (the REST URL is the local plain port).
    token: api.token,
    tls: api.tls,
    host: '127.0.0.1',
    port,
    chaos: chaosActions(name),
    flannelMetrics: () => Object.fromEntries(nodes.map((n) => [n.name, `http://${n.underlayIP}:${FLANNEL_HEALTHZ_PORT}/metrics`])),
  });
  console.log(`kubesim dashboard for cluster "${name}": ${dash.url}\n(Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await dash.close();
}
