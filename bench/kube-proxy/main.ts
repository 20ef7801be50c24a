#!/usr/bin/env node
/**
 * kube-proxy benchmark, side by side in one run: iperf3 TCP throughput, short-connection rate and
 * ping-pong latency from a node namespace straight to a backend pod vs through a ClusterIP of the
 * userspace proxier; then sync time after one endpoint change with many services (O(changed)).
 * Goals: throughput ≥ 0.7× direct, connection rate ≥ 0.6×, added p50 latency ≤ 150 µs, sync ≤ 50 ms.
 * Usage: node dist/bench/kube-proxy/main.js [--seconds 5] [--services 1000] [--endpoints 10000] [--out file.json]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { Command } from 'commander';
import { iperf, type Throughput } from '../overlay/measure.js';
import { addAddress, createNetns, createVeth, deleteNetns, execIn, spawnIn, uniqueName } from '../../lib/testing/netns.js';

const o = new Command('bench-kube-proxy')
  .option('--seconds <n>', 'seconds per throughput / rate run', '5')
  .option('--services <n>', 'services in the sync-time run', '1000')
  .option('--endpoints <n>', 'endpoints in total in the sync-time run', '10000')
  .option('--out <file>', 'write the results as JSON here (default bench/out/kube-proxy-<time>.json)')
  .parse(process.argv).opts();
const seconds = Number(o.seconds);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const id = uniqueName('');
const nodeNs = `ksimt-bn${id}`;
const podNs = `ksimt-bp${id}`;
const scratchNs = `ksimt-bs${id}`;
const POD = '10.250.11.2';
const dir = mkdtempSync(join(tmpdir(), 'ksimt-bench-kp-'));
const procs: ChildProcess[] = [];

function waitLine(p: ChildProcess, want: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    p.stdout!.on('data', (d: Buffer) => { buf += d.toString(); if (buf.includes(want)) resolve(); });
    p.once('exit', (c) => reject(new Error(`exited ${c} before "${want}": ${buf}`)));
  });
}

async function load(ns: string, ...args: string[]): Promise<Record<string, number>> {
  return JSON.parse(await execIn(ns, process.execPath, [here('./tcp-load.js'), ...args], { timeoutMs: (seconds + 30) * 1000 }));
}

async function main(): Promise<void> {
  await createNetns(nodeNs);
  await createNetns(podNs);
  await createNetns(scratchNs);
  await createVeth(`ksimt-n${id}`, nodeNs, `ksimt-p${id}`, podNs);
  await addAddress(nodeNs, `ksimt-n${id}`, '10.250.11.1/24');
  await addAddress(podNs, `ksimt-p${id}`, `${POD}/24`);
  const backend = spawnIn(podNs, process.execPath, [here('../../kube-proxy/testing/backend.js'), `${POD}:8080`], { stdio: ['ignore', 'pipe', 'inherit'] });
  procs.push(backend);
  await waitLine(backend, 'ready');
  const state = {
    nodeName: 'bench',
    services: [
      { metadata: { namespace: 'default', name: 'iperf' }, spec: { clusterIP: '10.96.11.1', ports: [{ port: 5201 }] } },
      { metadata: { namespace: 'default', name: 'echo' }, spec: { clusterIP: '10.96.11.2', ports: [{ port: 8080 }] } },
    ],
    endpoints: [
      { metadata: { namespace: 'default', name: 'iperf' }, subsets: [{ addresses: [{ ip: POD }], ports: [{ port: 5201 }] }] },
      { metadata: { namespace: 'default', name: 'echo' }, subsets: [{ addresses: [{ ip: POD }], ports: [{ port: 8080 }] }] },
    ],
  };
  writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
  const proxier = spawnIn(nodeNs, process.execPath, [here('../../kube-proxy/testing/run-proxier.js'), join(dir, 'state.json')], { stdio: ['ignore', 'pipe', 'inherit'] });
  procs.push(proxier);
  await waitLine(proxier, '"ready"');

  // Direct and service runs alternate in short rounds (order flipped each round) so that load
  // from other processes on the machine hits both sides alike; totals over the rounds are compared.
  const rounds = 3;
  const per = Math.max(1, Math.round(seconds / rounds));
  const gbps = { direct: [] as number[], service: [] as number[] };
  const conns = { direct: 0, service: 0, errors: 0 };
  const perRound = { direct: [] as number[], service: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    for (const side of (r % 2 ? ['service', 'direct'] : ['direct', 'service']) as Array<'direct' | 'service'>) {
      const t: Throughput = await iperf(podNs, nodeNs, side === 'direct' ? POD : '10.96.11.1', per, 1);
      gbps[side].push(t.gbps);
      const l = await load(nodeNs, 'rate', side === 'direct' ? POD : '10.96.11.2', '8080', String(per), '8');
      conns[side] += l.conns;
      perRound[side].push(l.conns / per);
      if (side === 'service') conns.errors += l.errors;
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const through = { direct: { gbps: mean(gbps.direct) }, service: { gbps: mean(gbps.service) } };
  const rate = { direct: { perSecond: conns.direct / (per * rounds) }, service: { perSecond: conns.service / (per * rounds), errors: conns.errors } };
  const rtt = { direct: await load(nodeNs, 'rtt', POD, '8080', '2000'), service: await load(nodeNs, 'rtt', '10.96.11.2', '8080', '2000') };
  const sync = JSON.parse(await execIn(scratchNs, process.execPath, [here('./sync-time.js'), o.services, o.endpoints, '20'], { timeoutMs: 300_000 })) as Record<string, number>;

  const results = {
    throughputGbps: { direct: through.direct.gbps, service: through.service.gbps, ratio: through.service.gbps / through.direct.gbps, rounds: gbps },
    connectionsPerSecond: { direct: rate.direct.perSecond, service: rate.service.perSecond, ratio: rate.service.perSecond / rate.direct.perSecond, errors: rate.service.errors, rounds: perRound },
    rttP50us: { direct: rtt.direct.p50us, service: rtt.service.p50us, added: rtt.service.p50us - rtt.direct.p50us },
    sync,
  };
  const ok = (b: boolean) => (b ? 'meets goal' : 'MISSES goal');
  console.log(`throughput      direct ${results.throughputGbps.direct.toFixed(2)} Gbit/s, service ${results.throughputGbps.service.toFixed(2)} → ${results.throughputGbps.ratio.toFixed(2)}× (${ok(results.throughputGbps.ratio >= 0.7)} ≥ 0.7×)`);
  console.log(`connection rate direct ${results.connectionsPerSecond.direct.toFixed(0)}/s, service ${results.connectionsPerSecond.service.toFixed(0)}/s → ${results.connectionsPerSecond.ratio.toFixed(2)}× (${ok(results.connectionsPerSecond.ratio >= 0.6)} ≥ 0.6×)`);
  console.log(`latency p50     direct ${results.rttP50us.direct.toFixed(0)} µs, service ${results.rttP50us.service.toFixed(0)} µs → +${results.rttP50us.added.toFixed(0)} µs (${ok(results.rttP50us.added <= 150)} ≤ 150 µs)`);
  console.log(`sync            ${sync.services} services / ${sync.endpoints} endpoints: first ${sync.initialSyncMs.toFixed(0)} ms; one endpoint change p50 ${sync.p50Ms.toFixed(3)} ms, max ${sync.maxMs.toFixed(3)} ms (${ok(sync.maxMs <= 50)} ≤ 50 ms)`);
  const out = o.out ?? join(fileURLToPath(new URL('../../../bench/out/', import.meta.url)), `kube-proxy-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 2));
  console.log(`results in ${out}`);
}

try {
  await main();
} finally {
  for (const p of procs) p.kill('SIGKILL');
  await deleteNetns(podNs);
  await deleteNetns(nodeNs);
  await deleteNetns(scratchNs);
  rmSync(dir, { recursive: true, force: true });
}
