/**
 * The cluster DNS server: UDP and TCP on one port, answers from a ClusterResolver, EDNS0 (the
 * client's advertised UDP size, OPT echoed), truncation (TC bit, the client retries over TCP),
 * REFUSED for names outside the cluster zones unless an upstream is set (then forwarded over UDP).
 * Encoded answers are cached per (name, type, class, EDNS size) until the store changes, so
 * repeated questions cost a decode, a map lookup and an id patch.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket } from 'dns-packet';
import type { ClusterStore } from './cluster-store.js';
import { ClusterResolver } from './resolver.js';
import { forwardQuery } from './upstream.js';
import { encodeResponse } from './wire.js';
import { log } from './log.js';

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
/** The UDP payload size we advertise in our own OPT record. */
const OUR_UDP_SIZE = 1232;
const CACHE_MAX = 10_000;

/** Settings of a DnsServer. */
export interface DnsServerOptions {
  store: ClusterStore;
  domain?: string;
  host?: string;
  port: number;
  /** host:port of an upstream resolver for names outside the cluster zones. */
  upstream?: string;
}

/** Counters the server keeps (exported on /metrics by main). */
export interface DnsCounters { requests: number; responses: Record<string, number>; truncated: number; forwarded: number; cacheHits: number }

/** A running DNS server. */
export class DnsServer {
  readonly resolver: ClusterResolver;
  readonly counters: DnsCounters = { requests: 0, responses: {}, truncated: 0, forwarded: 0, cacheHits: 0 };
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private cache = new Map<string, Buffer>();
  private cacheGeneration = -1;
  port = 0;

  constructor(private readonly o: DnsServerOptions) {
    this.resolver = new ClusterResolver(o.store, o.domain);
  }

  /** Binds UDP and TCP on the same port (port 0: TCP picks, UDP follows). */
  async start(): Promise<void> {
    const host = this.o.host ?? '0.0.0.0';
    const tcp = net.createServer((c) => this.serveTcp(c));
    await new Promise<void>((resolve, reject) => { tcp.once('error', reject); tcp.listen(this.o.port, host, () => { tcp.off('error', reject); resolve(); }); });
    this.port = (tcp.address() as net.AddressInfo).port;
    const udp = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    await new Promise<void>((resolve, reject) => { udp.once('error', reject); udp.bind(this.port, host, () => { udp.off('error', reject); resolve(); }); })
      .catch((err) => { tcp.close(); throw err; });
    udp.on('message', (msg, r) => { void this.answer(msg, true).then((out) => { if (out) udp.send(out, r.port, r.address); }); });
    udp.on('error', (err) => log('error', 'udp socket error', { error: err.message }));
    this.tcp = tcp;
    this.udp = udp;
  }

  /** Closes both sockets. */
  stop(): void {
    this.udp?.close();
    this.tcp?.close();
  }

  private serveTcp(c: net.Socket): void {
    let buf: Buffer = Buffer.alloc(0);
    c.setTimeout(10_000, () => c.destroy());
    c.on('error', () => undefined);
    c.on('data', (d: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void this.answer(msg, false).then((out) => {
          if (!out || c.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          c.write(Buffer.concat([len, out]));
        });
      }
    });
  }

  /** The wire answer to one wire query (undefined: drop it). */
  async answer(msg: Buffer, udp: boolean): Promise<Buffer | undefined> {
    this.counters.requests++;
    let q: DecodedPacket;
    try { q = dnsPacket.decode(msg); } catch {
      // Too broken to decode: answer FORMERR if at least the header is there.
      if (msg.length < 12) return undefined;
      const out = Buffer.from(msg.subarray(0, 12));
      out.writeUInt16BE(0x8000 | RCODE.FORMERR, 2);
      out.fill(0, 4);
      return this.count(out);
    }
    if (q.type === 'response') return undefined;
    const question = q.questions?.[0];
    const opt = q.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
    const maxUdp = udp ? Math.max(512, Math.min(opt?.udpPayloadSize ?? 512, 65_535)) : 65_535;
    if (!question || q.questions!.length !== 1) return this.count(this.encode(q, msg, 'FORMERR', [], [], [], !!opt, maxUdp));
    // Only standard queries: NOTIFY, UPDATE and the like are not for a cluster DNS.
    if ((q as unknown as { opcode?: string }).opcode !== 'QUERY') return this.count(this.encode(q, msg, 'NOTIMP', [], [], [], !!opt, maxUdp));
    const name = question.name.toLowerCase().replace(/\.$/, '');
    const zone = this.resolver.zoneOf(name);
    if (zone === 'outside' || (zone === 'reverse' && this.o.upstream && !this.resolver.resolve({ ...question, name }).answers.length)) {
      if (!this.o.upstream) return this.count(this.encode(q, msg, 'REFUSED', [], [], [], !!opt, maxUdp));
      this.counters.forwarded++;
      const reply = await forwardQuery(this.o.upstream, msg).catch((err: Error) => {
        log('debug', 'upstream failed', { name, error: err.message });
        return undefined;
      });
      return this.count(reply ?? this.encode(q, msg, 'SERVFAIL', [], [], [], !!opt, maxUdp));
    }
    // Cached answers are valid until the cluster state changes.
    if (this.cacheGeneration !== this.o.store.generation) { this.cache.clear(); this.cacheGeneration = this.o.store.generation; }
    const cacheKey = `${question.name}|${question.type}|${question.class}|${opt ? 1 : 0}|${maxUdp}|${q.flags ?? 0}`;
    const cached = this.cache.get(cacheKey);
    if (cached) {
      this.counters.cacheHits++;
      const out = Buffer.from(cached);
      out.writeUInt16BE(q.id ?? 0, 0);
      return this.count(out);
    }
    const r = this.resolver.resolve({ ...question, name });
    const out = this.encode(q, msg, r.rcode, r.answers, r.authorities, r.additionals, !!opt, maxUdp);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(cacheKey, out);
    return this.count(out);
  }

  private count(out: Buffer): Buffer {
    const rcode = Object.entries(RCODE).find(([, v]) => v === (out.readUInt16BE(2) & 0xf))?.[0] ?? 'OTHER';
    this.counters.responses[rcode] = (this.counters.responses[rcode] ?? 0) + 1;
    if (out.readUInt16BE(2) & dnsPacket.TRUNCATED_RESPONSE) this.counters.truncated++;
    return out;
  }

  private encode(q: DecodedPacket, msg: Buffer, rcode: keyof typeof RCODE, answers: Answer[], authorities: Answer[], additionals: Answer[], edns: boolean, maxSize: number): Buffer {
    const opt: Answer[] = edns ? [{ name: '.', type: 'OPT', udpPayloadSize: OUR_UDP_SIZE, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] } as unknown as Answer] : [];
    const flags = dnsPacket.AUTHORITATIVE_ANSWER | ((q.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | dnsPacket.RECURSION_AVAILABLE | RCODE[rcode];
    const write = (f: number, an: Answer[], ns: Answer[], ar: Answer[]): Buffer => (q.questions?.length === 1
      ? encodeResponse(msg, f, { answers: an, authorities: ns, additionals: ar }, q.questions[0].name)
      : dnsPacket.encode({ type: 'response', id: q.id, flags: f, questions: q.questions, answers: an, authorities: ns, additionals: ar }));
    const out = write(flags, answers, authorities, [...additionals, ...opt]);
    if (out.length <= maxSize) return out;
    // Too big for this UDP client: send the header and question with TC set, the client retries over TCP.
    return write(flags | dnsPacket.TRUNCATED_RESPONSE, [], [], opt);
  }
}
