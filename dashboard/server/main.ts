#!/usr/bin/env node
/**
 * kubesim-dashboard: the dashboard server as its own process (the kube-system addon, or by hand).
 * Flags: --kubeconfig/--master/--grpc-server (as every component), --bind-address, --port,
 * --token-file (the ServiceAccount token; default the in-pod path when it exists).
 */
import { Command } from 'commander';
import { addClientFlags } from '../../lib/client/flags.js';
import { clientLog } from '../../lib/client/log.js';
import { connectOptions, type ConnectFlags } from './connect.js';
import { startDashboard } from './index.js';

const program = addClientFlags(new Command('kubesim-dashboard'))
  .description('web dashboard: live topology, workloads, events, YAML, logs')
  .option('--bind-address <ip>', 'address to serve the page on', '127.0.0.1')
  .option('--port <port>', 'port to serve the page on (0 = any)', '8443')
  .option('--token-file <path>', 'bearer token file for the apiserver (default: the pod ServiceAccount token if present)')
  .option('--read-only', 'refuse apply/scale/delete from the page (look, do not touch)', false)
  .option('--flanneld-port <port>', 'port of flanneld\'s /metrics and /tables on each node address', '8471')
  .option('--kube-proxy-port <port>', 'port of kube-proxy\'s /connections (its healthz address) on each node address', '10256')
  .option('--rest-url <url>', 'apiserver REST URL for logs (default: --master or the kubeconfig server)');
program.parse();
const o = program.opts<ConnectFlags & { bindAddress: string; port: string; readOnly: boolean; flanneldPort: string; kubeProxyPort: string }>();

function portFlag(flag: string, value: string): number {
  const p = Number(value);
  if (Number.isInteger(p) && p >= 0 && p <= 65535) return p;
  clientLog('error', `invalid ${flag}`, { value });
  process.exit(2);
}
const port = portFlag('--port', o.port);
const nodeAgentPorts = { flanneld: portFlag('--flanneld-port', o.flanneldPort), kubeProxy: portFlag('--kube-proxy-port', o.kubeProxyPort) };
const dash = await startDashboard({ ...connectOptions(o), host: o.bindAddress, port, readOnly: o.readOnly, flannelMetricsFromNodes: true, nodeAgentPorts });
process.stdout.write(`Dashboard: ${dash.url}\n`);
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => { void dash.close().then(() => process.exit(0)); });
}
