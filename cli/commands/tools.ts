/** `kubesim logs`, `kubesim etcdctl`, `kubesim exec`: windows into a running cluster. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { clusterLayout, nodeLayout } from '../cluster/layout.js';
import { readState, type ClusterState } from '../cluster/state.js';
import { etcdClientURLs, etcdctlTlsArgs, etcdMemberCount } from '../cluster/etcd.js';
import { UserError } from './up.js';

function mustState(name: string): ClusterState {
  const s = readState(name);
  if (!s) throw new UserError(`no cluster named "${name}"`);
  return s;
}

/** Prints (or follows) the log of one component. */
export function logs(name: string, component: string, node: string | undefined, follow: boolean): number {
  const s = mustState(name);
  const p = s.processes.find((r) => r.component === component && (node ? r.node === node : true));
  if (!p) throw new UserError(`no component "${component}"${node ? ` on ${node}` : ''}; known: ${[...new Set(s.processes.map((r) => r.component))].join(', ')}`);
  if (!existsSync(p.log)) throw new UserError(`no log yet at ${p.log}`);
  if (!follow) { process.stdout.write(readFileSync(p.log)); return 0; }
  return spawnSync('tail', ['-n', '+1', '-F', p.log], { stdio: 'inherit' }).status ?? 1;
}

/** Runs etcdctl against the cluster's etcd (every member's endpoint, so it works with one member down), with etcd's CA and the healthcheck client certificate. */
export function etcdctl(name: string, args: string[]): number {
  const s = mustState(name);
  const c = clusterLayout(name, s.index);
  return spawnSync('etcdctl', ['--endpoints', etcdClientURLs(c, etcdMemberCount(s), 'loopback').join(','), ...etcdctlTlsArgs(c), ...args], {
    stdio: 'inherit', env: { ...process.env, ETCDCTL_API: '3' },
  }).status ?? 1;
}

/** Runs a command inside a node's network namespace. */
export function execOnNode(name: string, node: string, cmd: string[]): number {
  const s = mustState(name);
  const entry = s.nodes.find((n) => n.name === node);
  if (!entry) throw new UserError(`no node "${node}" in cluster "${name}" (nodes: ${s.nodes.map((n) => n.name).join(', ')})`);
  const n = nodeLayout(clusterLayout(name, s.index), entry.index, entry.name);
  if (cmd.length === 0) cmd = [process.env.SHELL ?? '/bin/bash'];
  return spawnSync('ip', ['netns', 'exec', n.netns, ...cmd], { stdio: 'inherit' }).status ?? 1;
}
