/**
 * `kubesim dashboard`: serves the dashboard on 127.0.0.1 for a local cluster and prints its URL
 * (the in-cluster addon serves the same page on NodePort 30880 of every node).
 */
import { startDashboard } from '../../dashboard/server/index.js';
import { clusterLayout, nodeLayout } from '../cluster/layout.js';
import { readState } from '../cluster/state.js';
import { apiURL, grpcAddr, FLANNEL_HEALTHZ_PORT } from '../cluster/components.js';
import { UserError } from './up.js';

/** Runs the dashboard until SIGINT/SIGTERM. */
export async function dashboard(name: string, port: number): Promise<void> {
  const state = readState(name);
  if (!state) throw new UserError(`no cluster named "${name}" (start one with: kubesim up --name ${name})`);
  const c = clusterLayout(name, state.index);
  const nodes = state.nodes.map((n) => nodeLayout(c, n.index, n.name));
  const dash = await startDashboard({
    grpcServer: grpcAddr(c),
    restURL: apiURL(c),
    host: '127.0.0.1',
    port,
    flannelMetrics: () => Object.fromEntries(nodes.map((n) => [n.name, `http://${n.underlayIP}:${FLANNEL_HEALTHZ_PORT}/metrics`])),
  });
  console.log(`kubesim dashboard for cluster "${name}": ${dash.url}\n(Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await dash.close();
}
