#!/usr/bin/env node
/** `kubesim`: a whole Kubernetes-like cluster on one Linux host, and windows into it. */
import { Command, Option } from 'commander';
import { up, UserError } from './commands/up.js';
import { down } from './commands/down.js';
import { status } from './commands/status.js';
import { logs, etcdctl, execOnNode } from './commands/tools.js';

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

program.command('etcdctl').description('etcdctl against the cluster\'s etcd: kubesim etcdctl -- get --prefix /registry --keys-only')
  .addOption(nameOpt()).argument('[args...]')
  .action((args, o) => { process.exitCode = etcdctl(o.name, args); });

program.command('exec <node>').description('run a command inside a node\'s network namespace: kubesim exec node-1 -- ip route')
  .addOption(nameOpt()).argument('[cmd...]')
  .action((node, cmd, o) => { process.exitCode = execOnNode(o.name, node, cmd); });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof UserError) console.error(`kubesim: ${err.message}`);
  else console.error(`kubesim: ${(err as Error).message ?? err}`);
  process.exitCode = 1;
});
