/** Measurements for the overlay benchmark: iperf3 throughput, UDP ping-pong RTT, CPU from /proc. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { execIn } from '../../lib/testing/netns.js';
import { waitFor } from '../../lib/testing/wait.js';

/** One iperf3 run's result. */
export interface Throughput { gbps: number; retransmits: number; bytes: number; seconds: number }

/** Runs iperf3 from clientNs to serverIp (server started in serverNs for this run). */
export async function iperf(serverNs: string, clientNs: string, serverIp: string, seconds: number, streams: number): Promise<Throughput> {
  const server = spawn('ip', ['netns', 'exec', serverNs, 'iperf3', '-s', '-1', '-p', '5201', '--forceflush'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  server.stdout!.on('data', (d) => { out += d; });
  try {
    await waitFor('iperf3 server', () => out.includes('Server listening'), { timeoutMs: 10_000 });
    const json = await execIn(clientNs, 'iperf3', ['-c', serverIp, '-p', '5201', '-t', String(seconds), '-P', String(streams), '-J'], { timeoutMs: (seconds + 20) * 1000 });
    const r = JSON.parse(json) as { end: { sum_received: { bits_per_second: number; bytes: number; seconds: number }; sum_sent: { retransmits?: number } } };
    return {
      gbps: r.end.sum_received.bits_per_second / 1e9,
      retransmits: r.end.sum_sent.retransmits ?? 0,
      bytes: r.end.sum_received.bytes,
      seconds: r.end.sum_received.seconds,
    };
  } finally {
    server.kill('SIGKILL');
  }
}

const PONG = `
const d = require('node:dgram').createSocket('udp4');
d.on('message', (m, r) => d.send(m, r.port, r.address));
d.bind(5300, () => console.log('ready'));
`;

const PING = `
const d = require('node:dgram').createSocket('udp4');
const [host, count] = [process.argv[1], Number(process.argv[2])];
const rtts = [];
let t0 = 0, i = 0;
const next = () => { t0 = process.hrtime.bigint(); d.send(Buffer.alloc(56), 5300, host); };
const timer = setTimeout(() => { console.log(JSON.stringify(rtts)); process.exit(0); }, 20000);
d.on('message', () => {
  rtts.push(Number(process.hrtime.bigint() - t0) / 1000);
  if (++i >= count) { clearTimeout(timer); console.log(JSON.stringify(rtts)); process.exit(0); }
  else setTimeout(next, 2);
});
d.bind(0, next);
`;

/** Round-trip times (µs) of `count` sequential 56-byte UDP echoes (p50, p99). ping(8) is not installed everywhere. */
export async function udpRtt(serverNs: string, clientNs: string, serverIp: string, count = 300): Promise<{ p50: number; p99: number }> {
  const server = spawn('ip', ['netns', 'exec', serverNs, process.execPath, '-e', PONG], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  server.stdout!.on('data', (d) => { out += d; });
  try {
    await waitFor('echo server', () => out.includes('ready'));
    const rtts = (JSON.parse(await execIn(clientNs, process.execPath, ['-e', PING, serverIp, String(count)], { timeoutMs: 30_000 })) as number[])
      .slice(10) // warm-up (ARP, JIT)
      .sort((x, y) => x - y);
    if (rtts.length === 0) throw new Error('no echo replies');
    return { p50: rtts[Math.floor(rtts.length / 2)], p99: rtts[Math.min(rtts.length - 1, Math.floor(rtts.length * 0.99))] };
  } finally {
    server.kill('SIGKILL');
  }
}

/** Busy CPU seconds of the whole machine so far (all cores, from /proc/stat). */
export function machineBusySeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return (user + nice + system + irq + softirq + (steal ?? 0)) / 100;
}

/** CPU seconds (user + system) a process has used so far; 0 if it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** Counters of a namespace's /proc/net/netstat and /proc/net/snmp, as "TcpExt.TCPOFOQueue", "Udp.RcvbufErrors", ... */
export async function netCounters(ns: string): Promise<Record<string, number>> {
  const text = await execIn(ns, 'cat', ['/proc/net/netstat', '/proc/net/snmp']);
  const out: Record<string, number> = {};
  const lines = text.split('\n');
  // Each group is a header line of names followed by a line of values with the same prefix.
  for (let i = 0; i + 1 < lines.length; i++) {
    const [hp, ...names] = lines[i].trim().split(/\s+/), [vp, ...values] = lines[i + 1].trim().split(/\s+/);
    if (hp !== vp || !hp.endsWith(':') || !/^-?\d/.test(values[0] ?? '')) continue;
    names.forEach((n, k) => { out[`${hp.slice(0, -1)}.${n}`] = Number(values[k]); });
    i++;
  }
  return out;
}

/** Packets the kernel dropped on the links of a namespace so far (rx + tx, all links). */
export async function linkDrops(ns: string): Promise<number> {
  const links = JSON.parse(await execIn(ns, 'ip', ['-j', '-s', 'link'])) as { stats64?: { rx: { dropped: number }; tx: { dropped: number } } }[];
  return links.reduce((sum, l) => sum + (l.stats64 ? l.stats64.rx.dropped + l.stats64.tx.dropped : 0), 0);
}
