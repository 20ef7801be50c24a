/**
 * `kubesim chaos ...`: one-shot fault injection (kill, restart, partition, heal, netem, etcd, clock-skew)
 * and `chaos run <scenario.yaml>`, a scripted experiment that prints a timeline and a verdict.
 * The subcommands are registered here so cli/main.ts only adds one line.
 */
import { Command, Option } from 'commander';
import { loadContext, parseDuration, parsePercent, type ChaosContext } from '../chaos/context.js';
import { killComponent, restartComponent, recordsOf } from '../chaos/process-actions.js';
import { isAlive } from '../cluster/supervisor.js';
import { etcdMemberComponent, etcdMemberCount, etcdMembers } from '../cluster/etcd.js';
import { UserError } from './up.js';
import { parseOffset, skewClock } from '../chaos/clock-skew.js';
import { partitionNodes, splitCluster, heal, netem, clearNetem } from '../chaos/network-actions.js';
import { loadScenario, parseSets } from '../chaos/scenario.js';
import { runScenario } from '../chaos/runner.js';
import { sleep } from '../chaos/load.js';

const nameOpt = () => new Option('--name <name>', 'cluster name').default('kubesim');

/** Kills a component, then (unless downFor is undefined) starts it again after downFor ms. */
export async function chaosKill(cluster: string, component: string, node: string | undefined, signal: string, downForMs: number | undefined): Promise<void> {
  const ctx = loadContext(cluster);
  const pids = await killComponent(ctx, component, node, signal);
  console.log(`sent SIG${signal.replace(/^SIG/, '')} to ${component}${node ? ` on ${node}` : ''} (pid ${pids.join(', ')})`);
  if (downForMs === undefined) return;
  await sleep(downForMs);
  const started = await restartComponent(ctx, component, node);
  console.log(`${component} started again after ${downForMs / 1000}s (pid ${started.map((r) => r.pid).join(', ') || 'none: still running'})`);
}

/** Stops a component if it runs (SIGTERM) and starts it again; a component already down is just started. */
export async function chaosRestart(cluster: string, component: string, node?: string): Promise<void> {
  const ctx = loadContext(cluster);
  if (recordsOf(ctx, component, node).some((r) => isAlive(r.pid))) await killComponent(ctx, component, node, 'TERM');
  const started = await restartComponent(loadContext(cluster), component, node);
  console.log(`${component}${node ? ` on ${node}` : ''} started again (pid ${started.map((r) => r.pid).join(', ')})`);
}

/** The component name of etcd member `member` of a loaded cluster; UserError naming the members otherwise. */
function etcdMember(ctx: ChaosContext, member: string | undefined): string {
  const count = etcdMemberCount(ctx.state);
  const component = etcdMemberComponent(ctx.layout, count, member);
  const names = etcdMembers(ctx.layout, count).map((m) => m.component).join(', ');
  if (!component) throw new UserError(member === undefined ? `say which etcd member: ${names}` : `no etcd member "${member}" in cluster "${ctx.state.name}" (members: ${names})`);
  return component;
}

/** Adds the `chaos` command tree to program. */
export function registerChaos(program: Command): void {
  const chaos = program.command('chaos').description('fault injection: kill, partition, netem, scripted experiments');
  chaos.command('kill <component>').description('kill a component (apiserver, scheduler, controller-manager, etcd, kubelet, flanneld, kube-proxy, runtime)')
    .addOption(nameOpt()).option('--node <node>', 'node of a per-node component').option('--signal <sig>', 'signal to send', 'KILL')
    .option('--down-for <duration>', 'start it again after this long (e.g. 10s)').option('--no-restart', 'leave it down (start it with: kubesim chaos restart)')
    .action(async (component: string, o) => {
      await chaosKill(o.name, component, o.node, String(o.signal).toUpperCase(), o.restart === false ? undefined : parseDuration(o.downFor ?? '5s'));
    });
  chaos.command('restart <component>').description('start a killed component again with its recorded command line')
    .addOption(nameOpt()).option('--node <node>', 'node of a per-node component')
    .action(async (component: string, o) => {
      const started = await restartComponent(loadContext(o.name), component, o.node);
      console.log(started.length ? `started ${component} (pid ${started.map((r) => r.pid).join(', ')})` : `${component} was already running`);
    });
  chaos.command('partition <nodes...>').description('cut nodes off the underlay; with --from, split them from the other group instead')
    .addOption(nameOpt()).option('--from <nodes>', 'comma-separated other group: the two groups lose each other but keep the control plane')
    .action(async (nodes: string[], o) => {
      const ctx = loadContext(o.name);
      if (o.from) await splitCluster(ctx, nodes, String(o.from).split(',').filter(Boolean));
      else await partitionNodes(ctx, nodes);
      console.log(o.from ? `split [${nodes.join(', ')}] from [${o.from}]` : `partitioned ${nodes.join(', ')} (undo with: kubesim chaos heal)`);
    });
  chaos.command('heal').description('undo every partition').addOption(nameOpt())
    .action(async (o) => { await heal(loadContext(o.name)); console.log('healed'); });
  chaos.command('netem <node>').description('delay/jitter/loss/duplicate/reorder on what a node (or "all") sends over the overlay')
    .addOption(nameOpt()).option('--delay <d>', 'e.g. 100ms').option('--jitter <d>', 'e.g. 10ms').option('--loss <p>', 'e.g. 5%')
    .option('--duplicate <p>', 'e.g. 1%').option('--reorder <p>', 'e.g. 1%').option('--seed <n>', 'PRNG seed (repeatable runs)', (v) => Number.parseInt(v, 10))
    .option('--tc', 'use the kernel\'s tc netem on the node\'s eth0 instead of flanneld (needs sch_netem)', false)
    .option('--clear', 'remove netem from the node', false)
    .action(async (node: string, o) => {
      const ctx = loadContext(o.name);
      if (o.clear) { await clearNetem(ctx, node); console.log(`netem cleared on ${node}`); return; }
      const opt = (v: string | undefined, f: (x: string) => number) => (v === undefined ? undefined : f(v));
      await netem(ctx, node, {
        delayMs: opt(o.delay, parseDuration), jitterMs: opt(o.jitter, parseDuration), loss: opt(o.loss, parsePercent),
        duplicate: opt(o.duplicate, parsePercent), reorder: opt(o.reorder, parsePercent), seed: o.seed, tc: o.tc,
      });
      console.log(`netem set on ${node}${o.tc ? ' (tc)' : ' (flanneld userspace encapsulation)'}`);
    });
  chaos.command('etcd <action> [member]').description('etcd kill|restart <member> (etcd-1, etcd-2 … or 1, 2 …; optional with one member)')
    .addOption(nameOpt()).option('--down-for <duration>', 'with kill: start it again after this long')
    .action(async (action: string, member: string | undefined, o) => {
      const component = etcdMember(loadContext(o.name), member);
      if (action === 'kill') await chaosKill(o.name, component, undefined, 'KILL', o.downFor ? parseDuration(o.downFor) : undefined);
      else if (action === 'restart') await chaosRestart(o.name, component);
      else throw new UserError(`unknown etcd action "${action}": use kill or restart`);
    });
  chaos.command('clock-skew <component>').description('restart a component with its wall clock off (e.g. --offset 5m or -90s; 0 for the true clock)')
    .addOption(nameOpt()).option('--node <node>', 'node of a per-node component').requiredOption('--offset <duration>', 'how far ahead (or behind, with -) its clock runs')
    .action(async (component: string, o) => {
      const offset = parseOffset(String(o.offset));
      const pids = await skewClock(o.name, component, o.node, offset);
      console.log(`${component}${o.node ? ` on ${o.node}` : ''} restarted (pid ${pids.join(', ')}) with ${offset === 0 ? 'the true clock' : `its wall clock off by ${offset / 1000}s`}`);
    });
  chaos.command('run <scenario>').description('run a scripted experiment (YAML) and print its timeline and verdict')
    .addOption(nameOpt()).option('--set <k=v...>', 'override scenario parameters', [])
    .action(async (file: string, o) => {
      const scenario = loadScenario(file, parseSets(o.set));
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      const result = await runScenario(o.name, scenario, (line) => console.log(line), ac.signal);
      console.log(`\nVERDICT: ${result.verdict}${result.failures.map((f) => `\n  - ${f}`).join('')}`);
      if (result.verdict !== 'PASS') process.exitCode = 1;
    });
}
