/**
 * RTT side by side: the modes are up at the same time and their echo runs alternate, round
 * after round, so a change in the shared machine's load hits every mode alike (measured one
 * mode after the other, the kernel reference and our datapaths see different loads).
 */
import { iperf, udpRtt } from './measure.js';
import { startMode, type Running } from './setup.js';

/** Per mode: the p50 of each round and their median, in µs. */
export type SideBySide = Map<string, { rounds: number[]; p50: number }>;

/** Brings the modes up together, warms each datapath with a short TCP run, then alternates echo runs. */
export async function sideBySideRtt(modes: string[], rps: boolean, rounds = 5, count = 200): Promise<SideBySide> {
  const up = new Map<string, Running>();
  try {
    for (const m of modes) up.set(m, await startMode(m, rps));
    // Warm-up: the daemons' datapath code is compiled and hot, as in a long-lived cluster.
    for (const r of up.values()) await iperf(r.site.serverNs, r.site.clientNs, r.site.serverIp, 1, 1);
    const out: SideBySide = new Map(modes.map((m) => [m, { rounds: [], p50: 0 }]));
    for (let i = 0; i < rounds; i++) {
      for (const [m, r] of up) out.get(m)!.rounds.push((await udpRtt(r.site.serverNs, r.site.clientNs, r.site.serverIp, count)).p50);
    }
    for (const v of out.values()) v.p50 = [...v.rounds].sort((x, y) => x - y)[Math.floor(v.rounds.length / 2)];
    return out;
  } finally {
    for (const r of up.values()) await r.close();
  }
}
