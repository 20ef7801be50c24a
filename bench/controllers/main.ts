#!/usr/bin/env node
/**
 * Controller throughput: a 1,000-replica Deployment on 100 hollow nodes, every component its own
 * process (etcd, apiserver, scheduler, controller-manager, one kubelet running the hollow nodes).
 * Times (1) creation until every replica is available, (2) a rolling update (default 25 %/25 %)
 * until the new ReplicaSet is fully available and the old one empty. Prints a markdown table.
 * Flags: --replicas N --nodes N --startup-ms N (hollow pod start time) --progress (counts on stderr every 2 s) --logs DIR (component logs)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient } from '../../lib/client/api-client.js';
import type { Deployment, Lease, Node, Pod } from '../../lib/api/types.js';
import { startApiServerProcess } from '../scheduler/apiserver-process.js';

const { values: args } = parseArgs({ options: {
  progress: { type: 'boolean', default: false }, logs: { type: 'string' },
  replicas: { type: 'string', default: '1000' }, nodes: { type: 'string', default: '100' }, 'startup-ms': { type: 'string', default: '100' },
} });
const REPLICAS = Number(args.replicas);
const NODES = Number(args.nodes);

const dist = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

/** Starts a component; with --logs its stderr goes to <dir>/<component>.log. */
function startProcess(main: string, argv: string[]): ChildProcess {
  const err = args.logs ? openSync(join(args.logs, `${main.split('/')[0]}.log`), 'w') : 'ignore';
  return spawn(process.execPath, [dist(main), ...argv], { stdio: ['ignore', 'ignore', err], env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' } });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, progress?: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let report = Date.now() + 2000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    if (progress && args.progress && Date.now() > report) { report = Date.now() + 2000; process.stderr.write(`${what}: ${await progress().catch((e: Error) => e.message)}\n`); }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Pod counts for --progress. */
async function podCounts(client: ApiClient): Promise<string> {
  const pods = (await client.list<Pod>({ resource: 'pods', namespace: 'default' })).items;
  const ready = pods.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
  return `pods ${pods.length} bound ${pods.filter((p) => p.spec?.nodeName).length} ready ${ready}`;
}

async function main(): Promise<void> {
  const api = await startApiServerProcess();
  const procs: ChildProcess[] = [];
  const client = ApiClient.connect(api.grpcTarget);
  try {
    const g = ['--grpc-server', api.grpcTarget];
    procs.push(startProcess('kubelet/main.js', [...g, `--hollow-nodes=${NODES}`, '--hollow-node-prefix', 'bench-node-', '--hollow-startup-ms', args['startup-ms']!]));
    await until(`${NODES} hollow nodes`, async () => (await client.list<Node>({ resource: 'nodes' })).items.length >= NODES, 60_000);
    // Leader election gives a readiness signal: timing starts once both hold their Lease.
    procs.push(startProcess('scheduler/main.js', [...g, '--leader-elect']));
    procs.push(startProcess('controller-manager/main.js', [...g, '--leader-elect', '--controllers', 'replicaset,deployment,garbagecollector']));
    for (const name of ['kube-scheduler', 'kube-controller-manager']) {
      await until(`${name} leading`, async () => !!(await client.get<Lease>({ group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', name })).spec?.holderIdentity, 60_000);
    }

    const D = { group: 'apps', resource: 'deployments', namespace: 'default' };
    const complete = async (gen: number) => {
      const s = (await client.get<Deployment>({ ...D, name: 'bench' })).status ?? {};
      return (s.observedGeneration ?? 0) >= gen && s.updatedReplicas === REPLICAS && s.availableReplicas === REPLICAS && s.replicas === REPLICAS;
    };
    const t0 = performance.now();
    await client.create<Deployment>(D, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bench' },
      spec: { replicas: REPLICAS, selector: { matchLabels: { app: 'bench' } },
        template: { metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'nginx', env: [{ name: 'V', value: '1' }], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } } } });
    await until('deployment available', () => complete(1), 30 * 60_000, () => podCounts(client));
    const createS = (performance.now() - t0) / 1000;

    const t1 = performance.now();
    const d = await client.patch<Deployment>({ ...D, name: 'bench' }, 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', env: [{ name: 'V', value: '2' }] }] } } } });
    await until('rolling update complete', () => complete(d.metadata!.generation!), 30 * 60_000, () => podCounts(client));
    const rollS = (performance.now() - t1) / 1000;

    console.log(`\n### Controllers: ${REPLICAS}-replica Deployment on ${NODES} hollow nodes (hollow pod start ${args['startup-ms']} ms)\n`);
    console.log('| phase | seconds | pods/s |');
    console.log('| --- | ---: | ---: |');
    console.log(`| create until all available | ${createS.toFixed(1)} | ${(REPLICAS / createS).toFixed(0)} |`);
    console.log(`| rolling update (25 %/25 %) until complete | ${rollS.toFixed(1)} | ${(REPLICAS / rollS).toFixed(0)} |`);
  } finally {
    client.close();
    await Promise.all(procs.map((p) => new Promise<void>((r) => {
      if (p.exitCode !== null || p.signalCode !== null) { r(); return; }
      p.once('exit', () => r());
      p.kill('SIGTERM');
      setTimeout(() => p.kill('SIGKILL'), 5000).unref();
    })));
    await api.stop();
  }
}

main().catch((err) => { console.error((err as Error).message); process.exit(1); });
