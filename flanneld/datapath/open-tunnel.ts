/** Wires a TUN/TAP device and a UDP port into a running Tunnel (shared by the udp and vxlan backends). */
import { openUdpIO, type Tun } from '../tuntap/index.js';
import { Tunnel, type Codec, type FastPathTuning } from './tunnel.js';

/**
 * Queue length for our TUN/TAP devices: the kernel drops what does not fit while the reader is
 * busy with the previous batch (the default 500-1000 overflows at ~90k packets/s, and every
 * drop costs TCP a retransmit and reordering).
 */
export const USERSPACE_TXQUEUELEN = '10000';

/**
 * Busy-polling budget of the native fast path after a batch (µs; backend config SpinMicros,
 * flanneld --spin-micros). Off by default: on this 2-vCPU machine under other sessions' load,
 * 200-500 µs took 0-50 µs off the echo RTT in most side-by-side runs and added some in others
 * (bench/overlay/README.md); an idle tunnel never spins.
 */
export const DEFAULT_SPIN_MICROS = 0;

/**
 * The fast path's thread runs under SCHED_BATCH (backend config SchedBatch, flanneld
 * --sched-batch): its wake-ups do not preempt the sender, so a packet's chain of wake-ups stays
 * on one CPU (bench/overlay/README.md: added echo RTT over kernel VXLAN ~+205 -> ~+30 µs on the 2-vCPU VM at
 * low load); it falls back to SCHED_OTHER by itself while it waits behind busy CPUs.
 */
export const DEFAULT_SCHED_BATCH = true;

/**
 * Starts the datapath: device ↔ codec ↔ UDP port (in netns). On failure nothing stays open.
 * fast: plain packets are forwarded by the addon's native thread (JavaScript handles the rest),
 * tuned by `tuning` (busy-polling, SCHED_BATCH; unset = the defaults above).
 */
export function openTunnel(device: Tun, port: number, netns: string, underlayMtu: number, makeCodec: (t: Tunnel) => Codec, fast = true,
  tuning: FastPathTuning = {}): Tunnel {
  const tunnel = new Tunnel();
  // A slot holds one MTU-sized packet plus headers (bigger datagrams arrive truncated and are
  // counted), or with offloads one 64 KB super-packet and its segments' headers.
  const slotSize = device.offload ? 73_728 : Math.max(2048, underlayMtu + 64);
  const devIO = device.packetIO(tunnel.onDevice, { slotSize });
  try {
    const udpIO = openUdpIO(port, tunnel.onUdp, { netns, slotSize, gro: device.offload });
    try {
      tunnel.attach(devIO, udpIO, makeCodec(tunnel), device.offload, fast, {
        spinMicros: tuning.spinMicros ?? DEFAULT_SPIN_MICROS,
        schedBatch: tuning.schedBatch ?? DEFAULT_SCHED_BATCH,
      });
    } catch (err) {
      udpIO.close();
      throw err;
    }
    return tunnel;
  } catch (err) {
    devIO.close();
    throw err;
  }
}

