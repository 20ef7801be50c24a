import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { Tap, Tun, native, ipToInt, intToIp, openUdpIO, type PacketIO } from './index.js';
import { createNetns, createVeth, deleteNetns, execIn, ipIn, uniqueName } from '../../lib/testing/netns.js';
import { waitFor } from '../../lib/testing/wait.js';
import { buildUdpPacket, inetChecksum, ipv4Dst, ipv4Src } from '../packet/ipv4.js';

const fdCount = (): number => readdirSync('/proc/self/fd').length;
/**
 * The fds this addon opens (TUN/TAP, UDP sockets, eventfds); child processes' stdio (pipes and
 * unix socketpairs, closed asynchronously) come and go on their own.
 */
function addonFds(): string[] {
  const unix = readFileSync('/proc/self/net/unix', 'utf8');
  return readdirSync('/proc/self/fd').map((f) => { try { return readlinkSync(`/proc/self/fd/${f}`); } catch { return ''; } })
    .filter((l) => l === '/dev/net/tun' || l === 'anon_inode:[eventfd]' || (l.startsWith('socket:') && !unix.includes(` ${/\d+/.exec(l)![0]}`)))
    .sort();
}

async function withNetns(fn: (ns: string) => Promise<void>): Promise<void> {
  const ns = await createNetns(uniqueName());
  try { await fn(ns); } finally { await deleteNetns(ns); }
}

test('ipToInt/intToIp round-trip and reject garbage', () => {
  assert.equal(intToIp(ipToInt('10.244.3.255')), '10.244.3.255');
  assert.equal(ipToInt('255.255.255.255'), 0xffffffff);
  assert.throws(() => ipToInt('10.1.2'), /bad IPv4/);
  assert.throws(() => ipToInt('10.1.2.256'), /bad IPv4/);
});

test('TUN: configure, kernel → TUN and TUN → kernel in batches, release leaves nothing', async () => {
  const before = fdCount();
  await withNetns(async (ns) => {
    const tun = new Tun({ name: 'ksimtun0', netns: ns });
    const ios: PacketIO[] = [];
    try {
      assert.equal(tun.name, 'ksimtun0');
      tun.mtu = 1400;
      tun.ipv4 = '10.9.0.1/24';
      tun.isUp = true;
      assert.equal(tun.mtu, 1400);
      assert.equal(tun.ipv4, '10.9.0.1/24');
      assert.equal(tun.isUp, true);

      const fromTun: Buffer[] = [];
      const tio = tun.packetIO((n) => {
        for (let i = 0; i < n; i++) fromTun.push(Buffer.from(tio.rxBuf.subarray(i * tio.slotSize, i * tio.slotSize + tio.rxLen[i])));
      });
      ios.push(tio);
      tio.start();
      const fromKernel: string[] = [];
      const uio = openUdpIO(5555, (n) => {
        for (let i = 0; i < n; i++) {
          const s = i * uio.slotSize;
          fromKernel.push(`${intToIp(uio.rxAddr[i])}:${uio.rxPort[i]} ${uio.rxBuf.toString('utf8', s, s + uio.rxLen[i])}`);
        }
      }, { netns: ns });
      ios.push(uio);
      uio.start();

      // 200 datagrams in batches of 64 through the kernel's routing into the TUN.
      const total = 200;
      for (let sent = 0; sent < total;) {
        const n = Math.min(uio.batch, total - sent);
        for (let i = 0; i < n; i++) {
          const s = i * uio.slotSize;
          uio.txLen[i] = uio.txBuf.write(`pkt-${sent + i}`, s);
          uio.txAddr[i] = ipToInt('10.9.0.2');
          uio.txPort[i] = 7777;
        }
        assert.equal(uio.flush(n), n);
        sent += n;
      }
      // The kernel also sends its own IPv6 chatter (router solicitations) into the TUN.
      const udp4 = (): Buffer[] => fromTun.filter((p) => p[0] >> 4 === 4 && p[9] === 17);
      await waitFor('200 packets out of the TUN', () => udp4().length >= total);
      const payloads = udp4().map((p) => p.subarray(28).toString());
      assert.deepEqual(payloads, Array.from({ length: total }, (_, i) => `pkt-${i}`), 'in order, none lost');
      assert.equal(intToIp(ipv4Src(udp4()[0], 0)), '10.9.0.1');
      assert.equal(intToIp(ipv4Dst(udp4()[0], 0)), '10.9.0.2');
      assert.ok(tio.stats().rxWakeups < total, 'several packets per wake-up');

      // And back: packets written to the TUN arrive at the UDP socket.
      for (let i = 0; i < 3; i++) {
        const p = buildUdpPacket(ipToInt('10.9.0.2'), ipToInt('10.9.0.1'), 7777, 5555, Buffer.from(`back-${i}`));
        p.copy(tio.txBuf, i * tio.slotSize);
        tio.txLen[i] = p.length;
      }
      assert.equal(tio.flush(3), 3);
      await waitFor('3 packets at the socket', () => fromKernel.length >= 3);
      assert.deepEqual(fromKernel, ['10.9.0.2:7777 back-0', '10.9.0.2:7777 back-1', '10.9.0.2:7777 back-2']);
      assert.throws(() => { tio.txLen[0] = 1 << 20; tio.flush(1); }, /txLen out of range/);
    } finally {
      for (const io of ios) io.close();
      tun.release();
    }
    assert.throws(() => native.ifInfo('ksimtun0', `/var/run/netns/${ns}`), /No such device/);
  });
  assert.equal(fdCount(), before, 'no fd leaked');
});

test('TAP: MAC, Ethernet frames from the kernel (ARP), release removes the device', async () => {
  await withNetns(async (ns) => {
    const tap = new Tap({ name: 'ksimtap0', netns: ns });
    let io: PacketIO | undefined;
    let uio: PacketIO | undefined;
    try {
      tap.mac = '0e:11:22:33:44:55';
      tap.ipv4 = '10.9.1.1/24';
      tap.isUp = true;
      assert.equal(tap.mac, '0e:11:22:33:44:55');
      const frames: Buffer[] = [];
      io = tap.packetIO((n) => {
        for (let i = 0; i < n; i++) frames.push(Buffer.from(io!.rxBuf.subarray(i * io!.slotSize, i * io!.slotSize + io!.rxLen[i])));
      });
      io.start();
      uio = openUdpIO(0, () => {}, { netns: ns });
      uio.txLen[0] = uio.txBuf.write('x', 0);
      uio.txAddr[0] = ipToInt('10.9.1.2');
      uio.txPort[0] = 9;
      uio.flush(1);
      // The kernel must resolve 10.9.1.2 first: an ARP request leaves through the TAP.
      const arp = await waitFor('ARP request on the TAP', () => frames.find((f) => f.readUInt16BE(12) === 0x0806));
      assert.equal(arp.subarray(6, 12).toString('hex'), '0e1122334455');
      assert.equal(arp.subarray(0, 6).toString('hex'), 'ffffffffffff');
      assert.equal(intToIp(arp.readUInt32BE(14 + 24)), '10.9.1.2');
    } finally {
      uio?.close();
      io?.close();
      tap.release();
    }
    assert.throws(() => native.ifInfo('ksimtap0', `/var/run/netns/${ns}`), /No such device/);
  });
});

test('EAGAIN: what the socket refuses is queued in order and sent once it drains', async () => {
  const a = await createNetns(uniqueName());
  const b = await createNetns(uniqueName());
  let uio: PacketIO | undefined, rio: PacketIO | undefined;
  try {
    await createVeth('a0', a, 'b0', b);
    await ipIn(a, 'addr', 'add', '10.9.3.1/24', 'dev', 'a0');
    await ipIn(b, 'addr', 'add', '10.9.3.2/24', 'dev', 'b0');
    // A slow token bucket holds sent packets, and with them the socket's small send buffer: sendmmsg hits EAGAIN.
    await execIn(a, 'tc', ['qdisc', 'add', 'dev', 'a0', 'root', 'tbf', 'rate', '2mbit', 'burst', '2000', 'latency', '2s']);
    const got: string[] = [];
    rio = openUdpIO(9999, (n) => {
      for (let i = 0; i < n; i++) got.push(rio!.rxBuf.toString('utf8', i * rio!.slotSize, i * rio!.slotSize + rio!.rxLen[i]).replace(/\.+$/, ''));
    }, { netns: b });
    rio.start();
    uio = openUdpIO(0, () => {}, { netns: a, sndbuf: 4096 });
    for (let i = 0; i < 64; i++) {
      uio.txLen[i] = uio.txBuf.write(`q-${i}`.padEnd(1000, '.'), i * uio.slotSize);
      uio.txAddr[i] = ipToInt('10.9.3.2');
      uio.txPort[i] = 9999;
    }
    const now = uio.flush(64);
    assert.ok(now < 64, `sent ${now} at once`);
    assert.equal(uio.stats().pending, 64 - now);
    await waitFor('all 64 arrive', () => got.length >= 64, { timeoutMs: 15_000 });
    assert.deepEqual(got, Array.from({ length: 64 }, (_, i) => `q-${i}`), 'in order, none lost');
    assert.equal(uio.stats().pending, 0);
    assert.ok(uio.stats().txEagain > 0);
  } finally {
    uio?.close();
    rio?.close();
    await deleteNetns(a);
    await deleteNetns(b);
  }
});

test('bad input gives clear errors, never a crash', async () => {
  assert.throws(() => new Tun({ name: 'x'.repeat(20) }), /too long/);
  assert.throws(() => new Tun({ name: 'ksimtbad', netns: 'ksimt-nosuchns' }), /netns/);
  assert.throws(() => native.ifConfig('ksimt-nodev', '', { mtu: 1400 }), /No such device/);
  assert.throws(() => openUdpIO(70000, () => {}), /bad UDP port/);
  assert.throws(() => new native.PacketIO(0, 'udp', { slotSize: 1 }, () => {}), /slotSize/);
});

test('Forwarder: plain packets cross TUN ↔ UDP on the native thread, the rest (malformed, unknown, fast path off) reach JavaScript in order', async () => {
  const before = addonFds();
  await withNetns(async (ns) => {
    // No IPv6 chatter of the kernel in the TUN: this test counts what reaches JavaScript.
    await execIn(ns, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    const tun = new Tun({ name: 'ksimfwd0', netns: ns });
    const ios: PacketIO[] = [];
    let fwd: ReturnType<typeof newForwarder> | undefined;
    const newForwarder = (d: PacketIO, u: PacketIO) => new native.Forwarder(d, u, { kind: 'udp', subnetLen: 24, offload: false });
    try {
      tun.mtu = 1400;
      tun.ipv4 = '10.9.0.1/16';
      tun.isUp = true;
      const slowDev: number[] = [], slowUdp: Buffer[] = [];
      const tio = tun.packetIO((n) => { slowDev.push(n); });
      ios.push(tio);
      const uio = openUdpIO(8285, (n) => {
        for (let i = 0; i < n; i++) slowUdp.push(Buffer.from(uio.rxBuf.subarray(i * uio.slotSize, i * uio.slotSize + Math.max(0, uio.rxLen[i]))));
      }, { netns: ns });
      ios.push(uio);
      // The peer node's end of the tunnel, and a socket on this node that packets from the peer are for.
      const atPeer: Buffer[] = [];
      const peer = openUdpIO(9285, (n) => {
        for (let i = 0; i < n; i++) atPeer.push(Buffer.from(peer.rxBuf.subarray(i * peer.slotSize, i * peer.slotSize + peer.rxLen[i])));
      }, { netns: ns });
      ios.push(peer);
      peer.start();
      const local: string[] = [];
      const lio = openUdpIO(5555, (n) => {
        for (let i = 0; i < n; i++) local.push(lio.rxBuf.toString('utf8', i * lio.slotSize, i * lio.slotSize + lio.rxLen[i]));
      }, { netns: ns });
      ios.push(lio);
      lio.start();

      fwd = newForwarder(tio, uio);
      assert.throws(() => newForwarder(tio, uio), /already being read/);
      assert.throws(() => tio.start(), /read by a Forwarder/);
      const lo = ipToInt('127.0.0.1');
      fwd.setPeers([{ key: ipToInt('10.9.5.0'), ip: lo, port: 9285 }], [lo]);
      fwd.start();

      const send = (io: PacketIO, payloads: Buffer[], addr: string, port: number): void => {
        payloads.forEach((p, i) => { p.copy(io.txBuf, i * io.slotSize); io.txLen[i] = p.length; io.txAddr[i] = ipToInt(addr); io.txPort[i] = port; });
        assert.equal(io.flush(payloads.length), payloads.length);
      };
      // Kernel → TUN → native encapsulation → the peer: the raw IPv4 packet, TTL one less.
      send(lio, Array.from({ length: 50 }, (_, i) => Buffer.from(`out-${i}`)), '10.9.5.7', 7777);
      await waitFor('50 packets at the peer', () => atPeer.filter((p) => p[9] === 17).length >= 50);
      const udp4 = atPeer.filter((p) => p[9] === 17);
      assert.deepEqual(udp4.map((p) => p.subarray(28).toString()), Array.from({ length: 50 }, (_, i) => `out-${i}`), 'in order');
      assert.equal(udp4[0][8], 63, 'TTL decremented');
      assert.equal(inetChecksum(udp4[0], 0, 20), 0, 'header checksum still valid');
      assert.equal(slowDev.length, 0, 'no JavaScript on the way');

      // The peer → native decapsulation → TUN → the local socket.
      const back = (i: number): Buffer => buildUdpPacket(ipToInt('10.9.5.7'), ipToInt('10.9.0.1'), 7777, 5555, Buffer.from(`back-${i}`));
      send(peer, Array.from({ length: 20 }, (_, i) => back(i)), '127.0.0.1', 8285);
      await waitFor('20 packets at the local socket', () => local.length >= 20);
      assert.deepEqual(local, Array.from({ length: 20 }, (_, i) => `back-${i}`));
      assert.equal(slowUdp.length, 0);

      // Malformed or foreign datagrams go to JavaScript (which counts them); nothing crashes.
      const junk = [Buffer.alloc(3), Buffer.alloc(40, 0x45), Buffer.from(back(0)).fill(0xff, 2, 4), Buffer.alloc(1400, 0xab)];
      for (let r = 0; r < 50; r++) send(peer, junk, '127.0.0.1', 8285);
      await waitFor('junk at JavaScript', () => slowUdp.length >= 200);
      // Unknown destination subnet: JavaScript's (ICMP unreachable in the backend).
      send(lio, [Buffer.from('nowhere')], '10.9.77.1', 7777);
      await waitFor('unknown subnet at JavaScript', () => slowDev.length > 0);
      // Fast path off (chaos rules active): everything takes the JavaScript path.
      fwd.setFast(false);
      send(peer, [back(99)], '127.0.0.1', 8285);
      await waitFor('at JavaScript', () => slowUdp.some((p) => p.subarray(28).toString() === 'back-99'));
      fwd.setFast(true);
      send(peer, [back(100)], '127.0.0.1', 8285);
      await waitFor('fast again', () => local.includes('back-100'));

      const st = fwd.stats();
      assert.ok(st.fastDevice >= 50 && st.fastUdp >= 21, JSON.stringify(st));
      assert.ok(st.slowUdp >= 201, JSON.stringify(st));
      const c = fwd.collect();
      assert.equal(c[0], lo);
      assert.ok(c[1] >= 50 && c[3] >= 21, `per-peer counters ${[...c]}`);
      assert.equal(fwd.collect().length, 0, 'collected counters start again from zero');

      // The device deleted under the thread: its fd reports an error forever; no busy loop.
      await ipIn(ns, 'link', 'del', 'ksimfwd0');
      const cpu0 = process.cpuUsage();
      await new Promise((r) => setTimeout(r, 500));
      const cpu = process.cpuUsage(cpu0);
      assert.ok(cpu.user + cpu.system < 150_000, `CPU while the device is gone: ${(cpu.user + cpu.system) / 1000} ms in 500 ms`);
    } finally {
      fwd?.close();
      for (const io of ios) io.close();
      tun.release();
    }
  });
  assert.deepEqual(addonFds(), before, 'no fd leaked');
});

/** CPU time (ns) of this process's threads named name, from the scheduler's per-thread accounting. */
function threadCpuNs(name: string): number {
  let ns = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() !== name) continue;
      ns += Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch { /* the thread ended */ }
  }
  return ns;
}

/**
 * A TUN (10.9.0.1/16) in `ns` with its packet IO, the tunnel's UDP socket (8285), the peer node's
 * end (9285) and a local socket (5555), the last two counting what reaches them; close() frees all.
 */
async function countingRig(ns: string, tunName: string) {
  // No IPv6 chatter of the kernel in the TUN.
  await execIn(ns, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  const tun = new Tun({ name: tunName, netns: ns });
  const ios: PacketIO[] = [];
  const counts = { atPeer: 0, local: 0 };
  const close = (): void => { for (const io of ios.splice(0)) io.close(); tun.release(); };
  try {
    tun.mtu = 1400;
    tun.ipv4 = '10.9.0.1/16';
    tun.isUp = true;
    const open = <T extends PacketIO>(io: T): T => { ios.push(io); return io; };
    const tio = open(tun.packetIO(() => {}));
    const uio = open(openUdpIO(8285, () => {}, { netns: ns }));
    const peer = open(openUdpIO(9285, (n) => { counts.atPeer += n; }, { netns: ns }));
    peer.start();
    const lio = open(openUdpIO(5555, (n) => { counts.local += n; }, { netns: ns }));
    lio.start();
    return { tio, uio, peer, lio, counts, close };
  } catch (err) {
    close();
    throw err;
  }
}

test('Forwarder busy-polling: the reply within the budget finds the thread awake; idle it burns no CPU; a burst costs at most the budget', async () => {
  const before = addonFds();
  await withNetns(async (ns) => {
    const { tio, uio, peer, lio, counts, close } = await countingRig(ns, 'ksimspin0');
    const fwds: { close(): void }[] = [];
    try {
      const send = (io: PacketIO, p: Buffer, addr: string, port: number): void => {
        p.copy(io.txBuf, 0); io.txLen[0] = p.length; io.txAddr[0] = ipToInt(addr); io.txPort[0] = port;
        assert.equal(io.flush(1), 1);
      };
      const reply = buildUdpPacket(ipToInt('10.9.5.7'), ipToInt('10.9.0.1'), 7777, 5555, Buffer.from('reply'));
      const lo = ipToInt('127.0.0.1');

      assert.throws(() => new native.Forwarder(tio, uio, { kind: 'udp', subnetLen: 24, offload: false, spinMicros: -1 }), /spinMicros/);
      assert.throws(() => new native.Forwarder(tio, uio, { kind: 'udp', subnetLen: 24, offload: false, spinMicros: 1e6 }), /spinMicros/);
      const budgetUs = 50_000;
      const fwd = new native.Forwarder(tio, uio, { kind: 'udp', subnetLen: 24, offload: false, spinMicros: budgetUs });
      fwds.push(fwd);
      fwd.setPeers([{ key: ipToInt('10.9.5.0'), ip: lo, port: 9285 }], [lo]);
      fwd.start();

      // Idle (nothing forwarded yet): the thread sleeps in poll.
      await new Promise((r) => setTimeout(r, 100));
      let cpu0 = threadCpuNs('flannel-fwd');
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(threadCpuNs('flannel-fwd') - cpu0 < 5e6, `idle forwarder used ${(threadCpuNs('flannel-fwd') - cpu0) / 1e6} ms in 500 ms`);
      assert.equal(fwd.stats().spinHits, 0);

      // A request out, its reply back at once: the reply is read while the thread still busy-polls.
      cpu0 = threadCpuNs('flannel-fwd');
      send(lio, Buffer.from('request'), '10.9.5.7', 7777);
      await waitFor('request at the peer', () => counts.atPeer >= 1, { intervalMs: 1 });
      send(peer, reply, '127.0.0.1', 8285);
      await waitFor('reply at the local socket', () => counts.local >= 1);
      await waitFor('busy-polling over', () => fwd.stats().spinMicros > 0);
      const st = fwd.stats();
      assert.ok(st.spinHits >= 1, `the reply was found busy-polling: ${JSON.stringify(st)}`);
      assert.equal(st.fastDevice + st.fastUdp, 2, JSON.stringify(st));
      // One burst spins for the budget after its last packet, then sleeps: bounded, then nothing.
      assert.ok(st.spinMicros >= budgetUs && st.spinMicros < budgetUs * 10, JSON.stringify(st));
      const burst = threadCpuNs('flannel-fwd') - cpu0;
      assert.ok(burst < budgetUs * 1000 * 10, `a burst cost ${burst / 1e6} ms of CPU`);
      cpu0 = threadCpuNs('flannel-fwd');
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(threadCpuNs('flannel-fwd') - cpu0 < 5e6, `after the burst the forwarder used ${(threadCpuNs('flannel-fwd') - cpu0) / 1e6} ms in 500 ms`);
      fwd.close();

      // spinMicros 0: no busy-polling at all.
      const still = new native.Forwarder(tio, uio, { kind: 'udp', subnetLen: 24, offload: false, spinMicros: 0 });
      fwds.push(still);
      still.setPeers([{ key: ipToInt('10.9.5.0'), ip: lo, port: 9285 }], [lo]);
      still.start();
      send(lio, Buffer.from('request'), '10.9.5.7', 7777);
      await waitFor('second request at the peer', () => counts.atPeer >= 2);
      send(peer, reply, '127.0.0.1', 8285);
      await waitFor('second reply', () => counts.local >= 2);
      assert.deepEqual([still.stats().spinHits, still.stats().spinMicros], [0, 0]);
    } finally {
      for (const f of fwds) f.close();
      close();
    }
  });
  assert.deepEqual(addonFds(), before, 'no fd leaked');
});

/** Scheduling policy (stat field 41) of each flannel-fwd thread of this process. */
function forwarderPolicies(): number[] {
  const out: number[] = [];
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() !== 'flannel-fwd') continue;
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      out.push(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]));
    } catch { /* the thread ended */ }
  }
  return out;
}

const SCHED_OTHER = 0, SCHED_BATCH = 3;

test('Forwarder schedBatch: the thread runs under SCHED_BATCH (only it: the main thread keeps SCHED_OTHER), forwards, and falls back to SCHED_OTHER while CPUs are busy', async () => {
  const before = addonFds();
  const hogs: ChildProcess[] = [];
  await withNetns(async (ns) => {
    const { tio, uio, peer, lio, counts, close } = await countingRig(ns, 'ksimbat0');
    const fwds: { close(): void }[] = [];
    try {
      const lo = ipToInt('127.0.0.1');
      const opts = { kind: 'udp', subnetLen: 24, offload: false } as const;
      const mainPolicy = (): number => Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[38]);

      // Not asked for (the option's default): SCHED_OTHER.
      const plain = new native.Forwarder(tio, uio, opts);
      fwds.push(plain);
      plain.start();
      await waitFor('thread running', () => forwarderPolicies().length === 1);
      assert.deepEqual(forwarderPolicies(), [SCHED_OTHER]);
      assert.equal(plain.stats().schedBatch, 0);
      plain.close();
      await waitFor('thread gone', () => forwarderPolicies().length === 0);

      const fwd = new native.Forwarder(tio, uio, { ...opts, schedBatch: true });
      fwds.push(fwd);
      fwd.setPeers([{ key: ipToInt('10.9.5.0'), ip: lo, port: 9285 }], [lo]);
      fwd.start();
      await waitFor('SCHED_BATCH thread', () => forwarderPolicies()[0] === SCHED_BATCH);
      assert.equal(fwd.stats().schedBatch, 1);
      assert.equal(mainPolicy(), SCHED_OTHER, 'the main thread is left alone');
      Buffer.from('x').copy(lio.txBuf, 0);
      lio.txLen[0] = 1; lio.txAddr[0] = ipToInt('10.9.5.7'); lio.txPort[0] = 7777;
      assert.equal(lio.flush(1), 1);
      await waitFor('forwarded natively', () => counts.atPeer >= 1 && fwd.stats().fastDevice >= 1);

      // CPUs kept busy by other tasks: a batch thread would wait for their slices (ms), so it
      // goes back to SCHED_OTHER for a cool-down, and returns to SCHED_BATCH once they are gone.
      const cpus = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1];
      for (const cpu of cpus.split(',').flatMap((r) => { const [x, y] = r.split('-').map(Number); return Array.from({ length: (y ?? x) - x + 1 }, (_, k) => x + k); })) {
        // The loop ends by itself once this test process is gone (killed mid-test: no orphan hog).
        hogs.push(spawn('taskset', ['-c', String(cpu), 'sh', '-c', 'while kill -0 $PPID 2>/dev/null; do :; done'], { stdio: 'ignore' }));
      }
      let sent = 1;
      const ping = (): void => {
        lio.txLen[0] = 1; lio.txAddr[0] = ipToInt('10.9.5.7'); lio.txPort[0] = 7777;
        lio.flush(1);
        sent++;
      };
      await waitFor('back to SCHED_OTHER behind busy CPUs', () => { ping(); return fwd.stats().schedBatchFallbacks >= 1; }, { timeoutMs: 30_000, intervalMs: 2 });
      assert.deepEqual(forwarderPolicies(), [SCHED_OTHER]);
      assert.equal(fwd.stats().schedBatch, 0);
      for (const h of hogs.splice(0)) h.kill('SIGKILL');
      await waitFor('SCHED_BATCH again after the cool-down', () => { ping(); return fwd.stats().schedBatch === 1; }, { timeoutMs: 30_000, intervalMs: 2 });
      assert.deepEqual(forwarderPolicies(), [SCHED_BATCH]);
      assert.ok(counts.atPeer > 1 && sent > 1, 'still forwarding');
    } finally {
      for (const h of hogs) h.kill('SIGKILL');
      for (const f of fwds) f.close();
      close();
    }
  });
  assert.deepEqual(addonFds(), before, 'no fd leaked');
});
