#!/usr/bin/env node
/**
 * Overlay benchmark: in one run, iperf3 TCP throughput (1 and 4 streams) and UDP echo RTT
 * between pods on two nodes for: plain bridge (floor), kernel VXLAN, our userspace VXLAN, our
 * UDP backend (both with offloads, and per packet: *-pp), host-gw. Prints ratios to kernel VXLAN,
 * packets/s, CPU s/GB, reordering/drops/spurious retransmits of the single stream, the goals of
 * issue 5 next to them and the load average.
 * Usage: node dist/bench/overlay/main.js [--seconds 5] [--modes bridge,kernel-vxlan,...] [--rps on|off] [--out file.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Command } from 'commander';
import { MODES, startMode, type Site } from './setup.js';
import { sideBySideRtt, type SideBySide } from './rtt.js';
import { iperf, linkDrops, machineBusySeconds, netCounters, processCpuSeconds, udpRtt, type Throughput } from './measure.js';

interface ModeResult {
  mode: string;
  single: Throughput;
  multi: Throughput;
  rttP50us: number;
  rttP99us: number;
  /** Machine-wide busy CPU seconds and flanneld's own, during the single-stream run. */
  machineCpuS: number;
  flanneldCpuS: number;
  /** MTU-sized packets/s node a sent into the tunnel during the single-stream run (userspace modes). */
  pps?: number;
  /** Single-stream run: segments the receiver queued out of order, reorderings the sender saw. */
  ofo: number;
  sackReorder: number;
  /** Retransmitted segments the receiver reported as duplicates (DSACK): spurious, nothing was lost. */
  spuriousRetrans: number;
  /** Single-stream run: drops on the topology's links and UDP sockets, and in flanneld's datapath. */
  kernelDrops: number;
  drops?: number;
  /** Load average (1 min) when the mode started and ended. */
  load: [number, number];
}

const metric = (text: string, re: RegExp): number => [...text.matchAll(re)].reduce((s, m) => s + Number(m[1]), 0);

/** Counters that say whether a single TCP stream lost or reordered anything. */
async function lossCounters(site: Site): Promise<{ sender: Record<string, number>; receiver: Record<string, number>; drops: number }> {
  const [sender, receiver] = await Promise.all([netCounters(site.clientNs), netCounters(site.serverNs)]);
  let drops = 0;
  for (const ns of site.allNss) drops += await linkDrops(ns);
  for (const ns of site.nodeNss) {
    const c = await netCounters(ns);
    drops += (c['Udp.RcvbufErrors'] ?? 0) + (c['Udp.SndbufErrors'] ?? 0);
  }
  return { sender, receiver, drops };
}

async function measure(mode: string, seconds: number, site: Site, pids: number[], metrics?: () => Promise<[string, string]>): Promise<ModeResult> {
  const load0 = loadavg()[0];
  const cpu0 = machineBusySeconds(), f0 = pids.reduce((s, p) => s + processCpuSeconds(p), 0);
  const m0 = metrics ? await metrics() : ['', ''];
  const l0 = await lossCounters(site);
  const single = await iperf(site.serverNs, site.clientNs, site.serverIp, seconds, 1);
  const machineCpuS = machineBusySeconds() - cpu0, flanneldCpuS = pids.reduce((s, p) => s + processCpuSeconds(p), 0) - f0;
  const l1 = await lossCounters(site);
  const m1 = metrics ? await metrics() : ['', ''];
  const d = (side: 'sender' | 'receiver', k: string): number => (l1[side][k] ?? 0) - (l0[side][k] ?? 0);
  const multi = await iperf(site.serverNs, site.clientNs, site.serverIp, seconds, 4);
  // RTT last: the datapath has run for a while, as in a long-lived daemon (JIT-compiled).
  const rtt = await udpRtt(site.serverNs, site.clientNs, site.serverIp);
  const r: ModeResult = {
    mode, single, multi, rttP50us: rtt.p50, rttP99us: rtt.p99, machineCpuS, flanneldCpuS,
    ofo: d('receiver', 'TcpExt.TCPOFOQueue'), sackReorder: d('sender', 'TcpExt.TCPSACKReorder'),
    spuriousRetrans: d('sender', 'TcpExt.TCPDSACKRecvSegs'), kernelDrops: l1.drops - l0.drops, load: [load0, loadavg()[0]],
  };
  if (metrics && /side="device"/.test(m1[0])) {
    const pk = /^flannel_peer_tx_packets_total\{[^}]*\} (\d+)/gm; // MTU-sized packets the sender's node put on the wire
    r.pps = (metric(m1[0], pk) - metric(m0[0], pk)) / single.seconds;
    const dr = /^flannel_(?:io_tx_dropped\{[^}]*|peer_drops_total\{[^}]*)\} (\d+)/gm; // both ends' datapaths
    r.drops = metric(m1.join('\n'), dr) - metric(m0.join('\n'), dr);
  }
  return r;
}

async function runMode(mode: string, seconds: number, rps: boolean): Promise<ModeResult> {
  const m = await startMode(mode, rps);
  try {
    return await measure(mode, seconds, m.site, m.pids, m.metrics);
  } finally {
    await m.close();
  }
}

const pidsMeasured = (r: ModeResult): boolean => r.pps !== undefined;

/** Retransmissions not proven spurious by a DSACK: what may really have been lost. */
const unexplained = (r: ModeResult): number => Math.max(0, r.single.retransmits - r.spuriousRetrans);

function report(results: ModeResult[]): string {
  const ref = results.find((r) => r.mode === 'kernel-vxlan');
  const refRtt = ref?.rttP50us;
  const f = (n: number, d = 2): string => n.toFixed(d);
  const rows = [['mode', '1 stream Gbit/s', 'x kernel', '4 streams Gbit/s', 'x kernel', 'RTT p50 µs', '+µs vs kernel', 'p99 µs',
    'pkts/s', 'CPU s per GB', 'flanneld CPU s per GB', 'cores per Gbit/s', 'retrans (spurious)', 'ofo', 'reorder', 'drops', 'load']];
  for (const r of results) {
    const cores = r.machineCpuS / r.single.seconds;
    const gbytes = r.single.bytes / 1e9;
    rows.push([r.mode, f(r.single.gbps), ref ? f(r.single.gbps / ref.single.gbps) : '-', f(r.multi.gbps), ref ? f(r.multi.gbps / ref.multi.gbps) : '-',
      f(r.rttP50us, 0), refRtt !== undefined ? f(r.rttP50us - refRtt, 0) : '-', f(r.rttP99us, 0), r.pps !== undefined ? f(r.pps, 0) : '-',
      f(r.machineCpuS / gbytes), pidsMeasured(r) ? f(r.flanneldCpuS / gbytes) : '-', f(cores / r.single.gbps), `${r.single.retransmits} (${r.spuriousRetrans})`,
      String(r.ofo), String(r.sackReorder), String(r.kernelDrops + (r.drops ?? 0)), `${f(r.load[0], 1)}-${f(r.load[1], 1)}`]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((c, i) => c.padStart(widths[i])).join('  ')).join('\n');
}

/** The modes the goals are about. */
const GOAL_MODES = ['userspace-vxlan', 'udp'];

function sideBySideReport(rtt: SideBySide): string[] {
  const ref = rtt.get('kernel-vxlan')!.p50;
  const out = ['', `RTT side by side (modes up together, echo runs alternating; p50 of each round, µs):`];
  for (const [m, v] of rtt) {
    out.push(`  ${m.padEnd(22)} ${v.rounds.map((x) => x.toFixed(0).padStart(5)).join(' ')}   median ${v.p50.toFixed(0)}`
      + (m === 'kernel-vxlan' ? '' : `  (+${(v.p50 - ref).toFixed(0)} vs kernel)`));
  }
  return out;
}

function goals(results: ModeResult[], rtt?: SideBySide): string[] {
  const ref = results.find((r) => r.mode === 'kernel-vxlan');
  if (!ref) return [];
  const out = ['', 'goals (single stream, same run; kernel VXLAN = ' + ref.single.gbps.toFixed(2) + ' Gbit/s, RTT p50 ' + ref.rttP50us.toFixed(0) + ' us):'];
  const met = (ok: boolean): string => (ok ? 'met' : 'missed');
  for (const r of results.filter((x) => GOAL_MODES.includes(x.mode))) {
    const ratio = r.single.gbps / ref.single.gbps;
    // The side-by-side figure when there is one: both ends of the difference under the same load.
    const p50 = rtt?.get(r.mode)?.p50 ?? r.rttP50us, added = p50 - (rtt?.get('kernel-vxlan')?.p50 ?? ref.rttP50us);
    const reordered = r.ofo + r.sackReorder, dropped = r.kernelDrops + (r.drops ?? 0);
    out.push(`  ${r.mode}: ${r.single.gbps.toFixed(2)} Gbit/s = ${ratio.toFixed(3)}x kernel (goal >= 0.30: ${met(ratio >= 0.3)}); `
      + `RTT p50 ${p50.toFixed(0)} us = +${added.toFixed(0)} us${rtt ? ' side by side' : ''} (goal <= +150: ${met(added <= 150)}); `
      + `${reordered} reordered, ${dropped} dropped, ${unexplained(r)} retransmits not shown spurious (goal 0: ${met(reordered + dropped + unexplained(r) === 0)}); `
      + `${((r.pps ?? 0) / 1000).toFixed(0)}k packets/s, ${(r.machineCpuS / (r.single.bytes / 1e9)).toFixed(1)} CPU s/GB (kernel ${(ref.machineCpuS / (ref.single.bytes / 1e9)).toFixed(1)}; `
      + `flanneld ${(r.flanneldCpuS / (r.single.bytes / 1e9)).toFixed(1)})`);
  }
  return out;
}

const program = new Command('bench-overlay')
  .option('--seconds <n>', 'iperf3 duration per run', (v) => Number(v), 5)
  .option('--modes <list>', 'comma-separated modes', Object.keys(MODES).join(','))
  .option('--repeat <n>', 'runs per mode: the best single-stream run is kept, and the best RTT (the machine is shared)', (v) => Number(v), 1)
  .option('--side-by-side <on|off>', 'also measure the RTT of kernel VXLAN and the userspace modes up together, alternating', 'on')
  .option('--rps <on|off>', 'receive packet steering on the pods\' veths (a flow stays on one CPU, as with RSS on a NIC)', 'on')
  .option('--out <file>', 'JSON results file', `bench/out/overlay-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  .parse();
const o = program.opts();
const rps = o.rps !== 'off';
const load0 = loadavg();
const modes = String(o.modes).split(',').map((m) => m.trim());
const runs = new Map<string, ModeResult[]>(modes.map((m) => [m, []]));
// Repeats go round the modes (A B C A B C), so a change in the machine's load spreads over all of them.
for (let i = 0; i < o.repeat; i++) {
  for (const mode of modes) {
    process.stderr.write(`bench/overlay: ${mode} run ${i + 1}/${o.repeat}...\n`);
    runs.get(mode)!.push(await runMode(mode, o.seconds, rps));
  }
}
const results: ModeResult[] = modes.map((mode) => {
  const rs = runs.get(mode)!;
  const best = rs.reduce((a, b) => (b.single.gbps > a.single.gbps ? b : a));
  const bestRtt = rs.reduce((a, b) => (b.rttP50us < a.rttP50us ? b : a));
  // Best of n for each figure: the machine is shared, and load only ever makes both worse.
  return { ...best, rttP50us: bestRtt.rttP50us, rttP99us: bestRtt.rttP99us };
});
const rttModes = ['kernel-vxlan', ...GOAL_MODES, 'userspace-vxlan-nobatch', 'udp-nobatch', 'userspace-vxlan-spin', 'udp-spin', 'userspace-vxlan-js', 'udp-js'].filter((m) => results.some((r) => r.mode === m));
let rtt: SideBySide | undefined;
if (o.sideBySide !== 'off' && rttModes.length > 1 && rttModes[0] === 'kernel-vxlan') {
  process.stderr.write(`bench/overlay: RTT side by side (${rttModes.join(', ')})...\n`);
  rtt = await sideBySideRtt(rttModes, rps);
}
const load1 = loadavg();
console.log(report(results));
if (rtt) for (const line of sideBySideReport(rtt)) console.log(line);
for (const line of goals(results, rtt)) console.log(line);
mkdirSync('bench/out', { recursive: true });
writeFileSync(o.out, JSON.stringify({ date: new Date().toISOString(), seconds: o.seconds, rps, loadavg: { start: load0, end: load1 }, results, rttSideBySide: rtt ? Object.fromEntries(rtt) : undefined }, null, 2));
console.log(`\nload average ${load0.map((x) => x.toFixed(2)).join(' ')} at start, ${load1.map((x) => x.toFixed(2)).join(' ')} at end; rps ${rps ? 'on' : 'off'}`);
console.log(`results: ${o.out}  (RTT = 56-byte UDP echo between Node processes in the pods, measured after the iperf runs; `
  + 'CPU = whole machine during the 1-stream run (other load included), flanneld = both daemons; retrans = iperf3 single stream, spurious = DSACKed by the receiver; '
  + 'ofo = receiver out-of-order queue, reorder = sender SACK reordering; drops = topology links + UDP socket buffers + flanneld datapath)');
