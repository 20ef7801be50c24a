#!/usr/bin/env node
/**
 * Pod startup through the runtime: N pods (default 60) on one node, each a sandbox (netns +
 * bridge veth + IP + pause) and one container (`sleep 3600` from busybox), created over the CRI
 * socket as the kubelet does. Measured side by side with the floor: create a netns + veth into
 * the same bridge and spawn the same process directly, alternating pod by pod so both see the
 * same machine load. Reports create→running p50/p99, the
 * ratio (goal ≤ 3×) and memory per idle pod (PSS of pause + shim + container vs the bare process).
 * Flags: --pods N --concurrency N
 */
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startRuntimeHarness, sandboxConfig } from '../../kubelet/testing/runtime-harness.js';
import { ipBatch, runOk } from '../../kubelet/runtime/run.js';
import { signal } from '../../kubelet/runtime/procs.js';

const { values: args } = parseArgs({ options: { pods: { type: 'string', default: '60' }, concurrency: { type: 'string', default: '1' } } });
const PODS = Number(args.pods);
const CONCURRENCY = Number(args.concurrency);

async function parallel(n: number, limit: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, n) }, async () => { while (next < n) await fn(next++); }));
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Proportional set size of a process in KiB (shared pages split among their users). */
function pssKiB(pid: number): number {
  try { return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0); } catch { return 0; }
}

async function main(): Promise<void> {
  const h = await startRuntimeHarness(40);
  const floorNs: string[] = [];
  const floorPids: number[] = [];
  try {
    // Runtime path (over the CRI socket) and floor (the same kernel objects and process, made
    // directly) alternate pod by pod, so both see the same machine load.
    const rtMs: number[] = [];
    const podPids: number[][] = [];
    const floorMs: number[] = [];
    let rtTotal = 0;
    let floorTotal = 0;
    const runtimePod = async (i: number) => {
      const start = performance.now();
      const config = sandboxConfig(`bench-${i}`);
      const { pod_sandbox_id } = await h.cri.call('RunPodSandbox', { config });
      const { container_id } = await h.cri.call('CreateContainer', { pod_sandbox_id, config: { metadata: { name: 'c' }, image: { image: 'busybox' }, command: ['sleep', '3600'] }, sandbox_config: config });
      await h.cri.call('StartContainer', { container_id });
      const st = (await h.cri.call('ContainerStatus', { container_id })).status;
      if (st.state !== 1) throw new Error(`pod ${i} not running: ${JSON.stringify(st)}`);
      rtMs.push(performance.now() - start);
      const c = h.rt.containers.get(container_id);
      podPids.push([h.rt.sandboxes.get(pod_sandbox_id).pausePid, c.shimPid ?? 0, c.pid ?? 0]);
    };
    const floorPod = async (i: number) => {
      const start = performance.now();
      const ns = `${h.node}-f${i}`;
      await runOk('ip', ['netns', 'add', ns]);
      floorNs.push(ns);
      await ipBatch(h.node, [`link add vf${i} type veth peer name eth0 netns ${ns}`, `link set vf${i} master cni0 up`]);
      await ipBatch(ns, ['link set lo up', `addr add 10.244.40.${200 - i}/24 dev eth0`, 'link set eth0 up']);
      const child = spawn('nsenter', [`--net=/run/netns/${ns}`, '--', 'sleep', '3600'], { detached: true, stdio: 'ignore' });
      child.unref();
      await new Promise<void>((resolve, reject) => { child.once('spawn', resolve); child.once('error', reject); });
      floorPids.push(child.pid!);
      floorMs.push(performance.now() - start);
    };
    await parallel(PODS, CONCURRENCY, async (i) => {
      let t = performance.now();
      await runtimePod(i);
      rtTotal += performance.now() - t;
      t = performance.now();
      await floorPod(i);
      floorTotal += performance.now() - t;
    });

    await new Promise((r) => setTimeout(r, 500)); // let exec chains settle before sampling memory
    const podKiB = podPids.map((ps) => ps.reduce((a, p) => a + pssKiB(p), 0));
    const floorKiB = floorPids.map(pssKiB);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const row = (name: string, xs: number[], total: number, kib: number[]) =>
      `| ${name} | ${pct(xs, 50).toFixed(1)} | ${pct(xs, 99).toFixed(1)} | ${(total / 1000).toFixed(2)} | ${(avg(kib) / 1024).toFixed(2)} |`;
    const load = (await import('node:os')).loadavg()[0];
    console.log(`pods: ${PODS}, concurrency: ${CONCURRENCY}, load average: ${load.toFixed(1)}\n`);
    console.log('| path | create→running p50 ms | p99 ms | total s | memory per idle pod MiB (PSS) |');
    console.log('| --- | --- | --- | --- | --- |');
    console.log(row('runtime (CRI: netns+CNI+pause+shim+private root)', rtMs, rtTotal, podKiB));
    console.log(row('floor (netns+veth+spawn)', floorMs, floorTotal, floorKiB));
    const ratio50 = pct(rtMs, 50) / pct(floorMs, 50);
    const ratio99 = pct(rtMs, 99) / pct(floorMs, 99);
    console.log(`\nratio p50 ${ratio50.toFixed(2)}×, p99 ${ratio99.toFixed(2)}× (goal ≤ 3×): ${ratio50 <= 3 ? 'MET' : 'NOT MET'}`);
  } finally {
    for (const p of floorPids) signal(p, 'SIGKILL');
    for (const ns of floorNs) await runOk('ip', ['netns', 'del', ns]).catch(() => {});
    await h.cleanup();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
