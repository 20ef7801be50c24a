#!/usr/bin/env node
/**
 * Pod startup through the runtime: N pods (default 60) on one node, each a sandbox (netns +
 * bridge veth + IP + pause) and one container (`sleep 3600` from busybox), created over the CRI
 * socket as the kubelet does. Measured side by side with the floor: create a netns + veth into
 * the same bridge and spawn the same process directly, alternating pod by pod so both see the
 * same machine load. Reports create→running p50/p99, the
 * ratio (goal ≤ 3×) and memory per idle pod (PSS of pause + shim + the processes below it — the PID
 * namespace relay and the container — vs the bare process).
 * Then (unless --via cri) the whole path as a user sees it: the pod created through a real
 * apiserver + etcd, synced by a real kubelet, until the API shows it Running — again alternating
 * with floor pods.
 * Flags: --pods N --concurrency N --via cri|all
 */
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { startRuntimeHarness, sandboxConfig } from '../../kubelet/testing/runtime-harness.js';
import { ipBatch, runOk } from '../../kubelet/runtime/run.js';
import { signal } from '../../kubelet/runtime/procs.js';
import { join } from 'node:path';
import type { Pod } from '../../lib/api/types.js';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';
import { Kubelet } from '../../kubelet/kubelet.js';
import { createLogger } from '../../kubelet/runtime/log.js';

const { values: args } = parseArgs({ options: { pods: { type: 'string', default: '60' }, concurrency: { type: 'string', default: '1' }, via: { type: 'string', default: 'all' } } });
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

/** A process and all its descendants (the shim's relay and the container's processes below it). */
function withDescendants(roots: number[]): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch { /* gone */ }
  }
  const out = new Set<number>();
  const walk = (p: number) => { if (!p || out.has(p)) return; out.add(p); for (const c of children.get(p) ?? []) walk(c); };
  roots.forEach(walk);
  return [...out];
}

async function main(): Promise<void> {
  const h = await startRuntimeHarness(40);
  const floorNs: string[] = [];
  const floorPids: number[] = [];
  let cp: TestControlPlane | undefined;
  const ac = new AbortController();
  let kubeletRun: Promise<void> | undefined;
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
    const floorPod = async () => {
      const start = performance.now();
      const ns = `${h.node}-f${floorNs.length}`;
      const n = floorNs.length;
      await runOk('ip', ['netns', 'add', ns]);
      floorNs.push(ns);
      await ipBatch(h.node, [`link add vf${n} type veth peer name eth0 netns ${ns}`, `link set vf${n} master cni0 up`]);
      await ipBatch(ns, ['link set lo up', `addr add 10.244.40.${254 - n}/24 dev eth0`, 'link set eth0 up']);
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
      await floorPod();
      floorTotal += performance.now() - t;
    });

    await new Promise((r) => setTimeout(r, 500)); // let exec chains settle before sampling memory
    const podKiB = podPids.map((ps) => withDescendants(ps).reduce((a, p) => a + pssKiB(p), 0));
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
    if (args.via === 'cri') return;

    // The user's path: API create → kubelet sync → CRI → status Running in the API.
    for (const sb of (await h.cri.call('ListPodSandbox', {})).items as Array<{ id: string }>) {
      await h.cri.call('StopPodSandbox', { pod_sandbox_id: sb.id });
      await h.cri.call('RemovePodSandbox', { pod_sandbox_id: sb.id });
    }
    cp = await startControlPlane();
    const client = cp.client;
    const node = 'ksimt-bench-node';
    kubeletRun = new Kubelet({
      client, criEndpoint: `unix://${join(h.dir, 'cri.sock')}`, rootDir: join(h.dir, 'kubelet'), logRoot: join(h.dir, 'pod-logs'),
      node: { name: node, ip: '127.0.0.1' }, cluster: { clusterDns: ['10.96.0.10'], clusterDomain: 'cluster.local', nodeResolvConf: '' },
      log: createLogger('kubelet', true), serverHost: '127.0.0.1', serverPort: 0,
    }).run(ac.signal);
    // A watch tells when each pod shows Running (polling would load the same process it measures).
    const running = new Map<string, () => void>();
    const from = (await client.list({ resource: 'pods', namespace: 'default' })).metadata.resourceVersion;
    void (async () => {
      for await (const ev of client.watch<Pod>({ resource: 'pods', namespace: 'default' }, { resourceVersion: from, signal: ac.signal })) {
        if (ev.object.status?.phase === 'Running') running.get(ev.object.metadata!.name!)?.();
      }
    })().catch(() => undefined);
    const kMs: number[] = [];
    const kFloorMs: number[] = [];
    let kTotal = 0;
    let kFloorTotal = 0;
    await parallel(PODS, CONCURRENCY, async (i) => {
      let t = performance.now();
      const name = `bench-${i}`;
      const seen = new Promise<void>((resolve) => running.set(name, resolve));
      await client.create({ resource: 'pods', namespace: 'default' }, { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } } as Pod);
      await seen;
      running.delete(name);
      kMs.push(performance.now() - t);
      kTotal += performance.now() - t;
      t = performance.now();
      await floorPod();
      kFloorMs.push(floorMs[floorMs.length - 1]);
      kFloorTotal += performance.now() - t;
    });
    const kLoad = (await import('node:os')).loadavg()[0];
    console.log(`\nthrough the API (apiserver + etcd + kubelet; Running seen by a watch), load average: ${kLoad.toFixed(1)}\n`);
    console.log('| path | create→Running p50 ms | p99 ms | total s |');
    console.log('| --- | --- | --- | --- |');
    console.log(`| kubelet (API create → status Running) | ${pct(kMs, 50).toFixed(1)} | ${pct(kMs, 99).toFixed(1)} | ${(kTotal / 1000).toFixed(2)} |`);
    console.log(`| floor (netns+veth+spawn) | ${pct(kFloorMs, 50).toFixed(1)} | ${pct(kFloorMs, 99).toFixed(1)} | ${(kFloorTotal / 1000).toFixed(2)} |`);
    console.log(`\nratio p50 ${(pct(kMs, 50) / pct(kFloorMs, 50)).toFixed(2)}×, p99 ${(pct(kMs, 99) / pct(kFloorMs, 99)).toFixed(2)}×`);
  } finally {
    if (cp) {
      for (let i = 0; i < PODS; i++) await cp.client.delete({ resource: 'pods', namespace: 'default', name: `bench-${i}` }).catch(() => undefined);
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && ((await h.cri.call('ListPodSandbox', {})).items as unknown[]).length > 0) await new Promise((r) => setTimeout(r, 200));
    }
    ac.abort();
    await kubeletRun?.catch(() => undefined);
    await cp?.stop();
    for (const p of floorPids) signal(p, 'SIGKILL');
    for (const ns of floorNs) await runOk('ip', ['netns', 'del', ns]).catch(() => {});
    await h.cleanup();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
