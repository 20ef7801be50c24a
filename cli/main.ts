#!/usr/bin/env node
/** `kubesim`: a whole Kubernetes-like cluster on one Linux host, and windows into it. */
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { up, UserError } from './commands/up.js';
import { down } from './commands/down.js';
import { status } from './commands/status.js';
import { logs, etcdctl, execOnNode } from './commands/tools.js';
import { dashboard } from './commands/dashboard.js';
import { registerChaos } from './commands/chaos.js';
import { registerNode } from './commands/node.js';
import { registerTrace } from './commands/trace.js';
import { registerCompose } from './commands/compose.js';

const program = new Command('kubesim').description('a Kubernetes you can take apart').showHelpAfterError();
const nameOpt = () => new Option('--name <name>', 'cluster name').default('kubesim');

program.command('up').description('bring a local cluster up (root, Linux, no Docker)')
  .addOption(nameOpt())
  .option('--nodes <n>', 'number of nodes', (v) => Number.parseInt(v, 10), 3)
  .addOption(new Option('--backend <type>', 'flannel backend').choices(['vxlan', 'udp', 'host-gw']).default('vxlan'))
  .option('--etcd-members <n>', 'etcd members (1 or 3)', (v) => Number.parseInt(v, 10), 1)
  .option('--fast-failover', 'short node-monitor and eviction timeouts for labs', false)
  .option('--timeout <seconds>', 'how long to wait for nodes to be Ready', (v) => Number.parseInt(v, 10), 60)
  .option('--keep-on-failure', 'leave a failed bring-up in place for inspection', false)
  .option('--v <level>', 'log verbosity of the components', (v) => Number.parseInt(v, 10), 1)
  .action(async (o) => { await up({ name: o.name, nodes: o.nodes, backend: o.backend, etcdMembers: o.etcdMembers, fastFailover: o.fastFailover, v: o.v, timeout: o.timeout, keepOnFailure: o.keepOnFailure }); });

program.command('down').description('stop a local cluster and remove everything it created')
  .addOption(nameOpt())
  .action(async (o) => { await down({ name: o.name }); });

program.command('status').description('components, nodes, subnets').addOption(nameOpt())
  .action(async (o) => { await status(o.name); });

program.command('logs <component>').description('log of a component (apiserver, kubelet, flanneld, ...)')
  .addOption(nameOpt()).option('--node <node>', 'node of a per-node component').option('-f, --follow', 'follow', false)
  .action((component, o) => { process.exitCode = logs(o.name, component, o.node, o.follow); });

program.command('dashboard').description('serve the web dashboard of a local cluster on 127.0.0.1 and print its URL')
  .addOption(nameOpt()).option('--port <port>', 'port on 127.0.0.1 (0 = any free port)', (v) => Number.parseInt(v, 10), 0)
  .action(async (o) => { await dashboard(o.name, o.port); });

program.command('etcdctl').description('etcdctl against the cluster\'s etcd: kubesim etcdctl -- get --prefix /registry --keys-only')
  .addOption(nameOpt()).argument('[args...]')
  .action((args, o) => { process.exitCode = etcdctl(o.name, args); });

program.command('exec <node>').description('run a command inside a node\'s network namespace: kubesim exec node-1 -- ip route')
  .addOption(nameOpt()).argument('[cmd...]')
  .action((node, cmd, o) => { process.exitCode = execOnNode(o.name, node, cmd); });

program.command('join').description('make this host a node of a control plane elsewhere: kubesim join --apiserver http://HOST:6443 --etcd http://HOST:2379')
  .option('--apiserver <url>', 'apiserver REST URL as this host reaches it').option('--etcd <urls>', 'etcd client URL(s) for flanneld')
  .option('--grpc-server <host:port>', 'apiserver gRPC address(es) (default: <apiserver host>:8081)').option('--token <token>', 'bearer token for the apiserver')
  .option('--credentials <dir>', 'ca.crt, token (a bootstrap token: the kubelet trades it for its client certificate), kubelet.crt/.key for an https --apiserver (made by --print-command)')
  .option('--print-command', 'on the host of local cluster --name: write credentials for --node-name/--node-ip to ./<node>-credentials and print the join command', false)
  .option('--name <cluster>', 'local cluster whose join command --print-command prints', 'kubesim')
  .option('--node-name <name>', 'node name (default: this host\'s name)').option('--node-ip <ip>', 'underlay address (default: the source address towards the apiserver)')
  .option('--iface <name>', 'underlay interface for flanneld').option('--dir <dir>', 'state dir (default /var/lib/kubesim/join/<node>)')
  .option('--cluster-cidr <cidr>', 'pod network', '10.244.0.0/16').option('--cluster-dns <ip>', 'cluster DNS address', '10.96.0.10')
  .option('--timeout <seconds>', 'how long to wait for the node to be Ready', (v) => Number.parseInt(v, 10), 60)
  .option('--v <level>', 'log verbosity of the components', (v) => Number.parseInt(v, 10), 1)
  .option('--leave', 'stop this node\'s components, remove its pods and state', false)
  .action(async (o) => {
    const { joinCluster, joinCommand } = await import('./commands/join.js');
    if (o.printCommand) {
      if (!o.nodeName || !o.nodeIp) throw new UserError('--print-command needs --node-name and --node-ip');
      console.log(await joinCommand(o.name, o.nodeName, o.nodeIp, resolve(`${o.nodeName}-credentials`)));
      return;
    }
    if (!o.leave && (!o.apiserver || !o.etcd)) throw new UserError('--apiserver and --etcd are required (or --leave)');
    await joinCluster({ ...o, apiserver: o.apiserver ?? '', etcd: o.etcd ?? '' });
  });

registerChaos(program);
registerNode(program);
registerTrace(program);
registerCompose(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof UserError) console.error(`kubesim: ${err.message}`);
  else console.error(`kubesim: ${(err as Error).message ?? err}`);
  process.exitCode = 1;
});
