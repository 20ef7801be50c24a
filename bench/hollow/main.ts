#!/usr/bin/env node
/**
 * Hollow kubelet scale: one kubelet process running N hollow nodes (default 1,000) against a real
 * apiserver process + etcd, then P pods (default 30,000) created already bound (spec.nodeName,
 * round robin), so the figures are the kubelet's and the apiserver's, not the scheduler's.
 * Reports node registration time, pod create rate, create→all Running/Ready time and rate, and the
 * kubelet's resident memory (peak VmHWM; goal < 2 GiB) and CPU time.
 * Flags: --nodes N --pods N --startup-ms N --concurrency N (pod creates in flight) --logs DIR
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ApiClient } from '../../lib/client/api-client.js';
import { SharedInformer } from '../../lib/client/informer.js';
import type { Lease, Node, Pod } from '../../lib/api/types.js';
import { startApiServerProcess } from '../scheduler/apiserver-process.js';

const { values: args } = parseArgs({ options: {
  nodes: { type: 'string', default: '1000' }, pods: { type: 'string', default: '30000' }, 'startup-ms': { type: 'string', default: '100' },
  concurrency: { type: 'string', default: '64' }, logs: { type: 'string' },
} });
const NODES = Number(args.nodes);
const PODS = Number(args.pods);
const dist = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

/** VmHWM / VmRSS (KiB) and CPU seconds of a process. */
function usage(pid: number): { peakMiB: number; rssMiB: number; cpuS: number } {
  const st = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(st)?.[1] ?? 0);
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { peakMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024, cpuS: (Number(fields[11]) + Number(fields[12])) / 100 };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, progress?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let report = Date.now() + 5000;
  while (!(await Promise.resolve(check()).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${progress ? ` (${progress()})` : ''}`);
    if (progress && Date.now() > report) { report = Date.now() + 5000; process.stderr.write(`${what}: ${progress()}\n`); }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  const api = await startApiServerProcess();
  const client = ApiClient.connect(api.grpcTarget);
  const ac = new AbortController();
  let kubelet: ChildProcess | undefined;
  try {
    const err = args.logs ? openSync(join(args.logs, 'kubelet-hollow.log'), 'w') : 'ignore';
    const t0 = performance.now();
    kubelet = spawn(process.execPath, [dist('kubelet/main.js'), '--grpc-server', api.grpcTarget, `--hollow-nodes=${NODES}`, '--hollow-node-prefix', 'hb-',
      '--hollow-startup-ms', args['startup-ms']!], { stdio: ['ignore', 'ignore', err], env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' } });
    const pid = kubelet.pid!;
    await until(`${NODES} node leases`, async () => (await client.list<Lease>({ group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease' })).items.length >= NODES, 10 * 60_000);
    const registerS = (performance.now() - t0) / 1000;
    const afterRegister = usage(pid);

    const pods = new SharedInformer<Pod>(client, { resource: 'pods', namespace: 'default' });
    void pods.run(ac.signal);
    const running = () => pods.lister.list().filter((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    const t1 = performance.now();
    let next = 0;
    let createdAt = 0;
    await Promise.all(Array.from({ length: Number(args.concurrency) }, async () => {
      while (next < PODS) {
        const i = next++;
        await client.create<Pod>({ resource: 'pods', namespace: 'default' }, {
          apiVersion: 'v1', kind: 'Pod', metadata: { name: `hp-${i}`, labels: { app: 'hollow-bench' } },
          spec: { nodeName: `hb-${i % NODES}`, containers: [{ name: 'c', image: 'nginx' }] },
        } as Pod);
      }
    }));
    createdAt = performance.now();
    const createS = (createdAt - t1) / 1000;
    await until(`${PODS} pods Running/Ready`, () => running() >= PODS, 60 * 60_000, () => `${running()} ready, kubelet RSS ${usage(pid).rssMiB.toFixed(0)} MiB`);
    const readyS = (performance.now() - t1) / 1000;
    const end = usage(pid);
    const nodes = (await client.list<Node>({ resource: 'nodes' })).items.length;

    console.log(`\n### Hollow kubelet: ${NODES} nodes, ${PODS} pods in one process (hollow pod start ${args['startup-ms']} ms)\n`);
    console.log('| measure | value |');
    console.log('| --- | ---: |');
    console.log(`| nodes registered (+ Lease) | ${nodes} in ${registerS.toFixed(1)} s (${(NODES / registerS).toFixed(0)}/s) |`);
    console.log(`| pods created (bound) | ${PODS} in ${createS.toFixed(1)} s (${(PODS / createS).toFixed(0)}/s) |`);
    console.log(`| create → all Running/Ready | ${readyS.toFixed(1)} s (${(PODS / readyS).toFixed(0)} pods/s) |`);
    console.log(`| kubelet RSS after registration | ${afterRegister.rssMiB.toFixed(0)} MiB |`);
    console.log(`| kubelet RSS at end / peak (goal < 2048) | ${end.rssMiB.toFixed(0)} / ${end.peakMiB.toFixed(0)} MiB |`);
    console.log(`| kubelet CPU time | ${end.cpuS.toFixed(1)} s |`);
    console.log(`| machine load average | ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} |`);
  } finally {
    ac.abort();
    client.close();
    if (kubelet && kubelet.exitCode === null) {
      await new Promise<void>((r) => { kubelet!.once('exit', () => r()); kubelet!.kill('SIGTERM'); setTimeout(() => kubelet!.kill('SIGKILL'), 5000).unref(); });
    }
    await api.stop();
  }
}

main().catch((err) => { console.error((err as Error).message); process.exit(1); });
