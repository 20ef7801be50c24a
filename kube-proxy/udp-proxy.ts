/**
 * One UDP listener of a service port: each client (ip:port) gets a flow with its own socket to
 * one endpoint; replies go back to the client from the service socket (so they come from the
 * service address). A flow idle for `idleTimeoutMs` is closed; the next datagram picks again.
 */
import dgram from 'node:dgram';
import type { PortMetrics } from './metrics.js';
import type { ListenerOptions } from './listener.js';
import { log } from './log.js';

/** Settings of a UDP listener. */
export interface UdpListenerOptions extends ListenerOptions {
  idleTimeoutMs?: number;
}

interface Flow { socket: dgram.Socket; lastActiveMs: number }

/** A bound UDP proxy socket with its client flows. */
export class UdpListener {
  private socket?: dgram.Socket;
  private readonly flows = new Map<string, Flow>();
  private sweeper?: NodeJS.Timeout;
  private readonly m: PortMetrics;

  constructor(private readonly o: UdpListenerOptions) {
    this.m = o.metrics.forPort(o.key, 'UDP');
  }

  /** Binds; rejects with the bind error. */
  async listen(): Promise<void> {
    const s = dgram.createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind({ address: this.o.host, port: this.o.port }, () => { s.off('error', reject); resolve(); });
    });
    s.on('error', (err) => log('error', 'udp listener error', { servicePort: this.o.key, error: err.message }));
    s.on('message', (msg, rinfo) => this.fromClient(msg, rinfo));
    this.socket = s;
    const idle = this.idleMs();
    this.sweeper = setInterval(() => this.sweep(), Math.max(50, idle / 2));
    this.sweeper.unref();
  }

  private idleMs(): number { return this.o.idleTimeoutMs ?? 250; }

  private fromClient(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const id = `${rinfo.address}:${rinfo.port}`;
    let flow = this.flows.get(id);
    if (!flow) {
      const lb = this.o.lb();
      const ep = lb?.candidates(rinfo.address, this.o.kind)[0];
      if (!lb || !ep) {
        this.m.rejected.inc();
        return;
      }
      lb.served(rinfo.address, ep);
      const socket = dgram.createSocket('udp4');
      socket.on('error', (err) => {
        this.m.connectErrors.inc();
        log('debug', 'udp endpoint error', { servicePort: this.o.key, endpoint: `${ep.ip}:${ep.port}`, error: err.message });
        this.closeFlow(id);
      });
      socket.on('message', (reply) => {
        const f = this.flows.get(id);
        if (f) f.lastActiveMs = Date.now();
        this.m.bytesOut.inc(reply.length);
        this.socket?.send(reply, rinfo.port, rinfo.address);
      });
      socket.connect(ep.port, ep.ip);
      flow = { socket, lastActiveMs: Date.now() };
      this.flows.set(id, flow);
      this.m.connections.inc();
      this.m.active.inc();
    }
    flow.lastActiveMs = Date.now();
    this.m.bytesIn.inc(msg.length);
    const f = flow;
    // send() on a socket whose connect() has not finished yet throws ERR_SOCKET_DGRAM_NOT_CONNECTED.
    const send = () => f.socket.send(msg, (err) => { if (err) this.closeFlow(id); });
    try { f.socket.remoteAddress(); send(); } catch { f.socket.once('connect', send); }
  }

  private closeFlow(id: string): void {
    const f = this.flows.get(id);
    if (!f) return;
    this.flows.delete(id);
    f.socket.close();
    this.m.active.dec();
  }

  private sweep(): void {
    const cutoff = Date.now() - this.idleMs();
    for (const [id, f] of this.flows) if (f.lastActiveMs < cutoff) this.closeFlow(id);
  }

  /** Stops receiving; flows end at once (UDP has no connection to drain). */
  close(): void {
    clearInterval(this.sweeper);
    for (const id of [...this.flows.keys()]) this.closeFlow(id);
    this.socket?.close();
    this.socket = undefined;
  }

  /** Same as close (for symmetry with TcpListener). */
  destroy(): void { this.close(); }
}
