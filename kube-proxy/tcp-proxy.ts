/**
 * One TCP listener of a service port (ClusterIP, external IP, LB IP or NodePort): accepts, asks
 * the load balancer for endpoints, connects (a refused or timed-out connect tries the next one),
 * then copies both ways with back-pressure and half-close. No endpoint → the client gets a RST.
 * IPv4 listeners run in the native data plane (native/: epoll thread, splice(2), no JavaScript per
 * connection; its counters are read into the metrics when they are read); without the addon, or
 * for other addresses, Node sockets and pipe() do the same here.
 */
import net from 'node:net';
import type { EndpointInfo } from './endpoints.js';
import type { PortMetrics } from './metrics.js';
import type { ListenerOptions } from './listener.js';
import { log } from './log.js';
import { native, STAT } from './native/index.js';

/**
 * A listening net.Server keeps Node running; a native listener does not, so while any is open a
 * ref'd timer does.
 */
let openNative = 0;
let keepAlive: NodeJS.Timeout | undefined;
function nativeOpened(delta: 1 | -1): void {
  openNative += delta;
  if (openNative > 0 && !keepAlive) keepAlive = setInterval(() => undefined, 1 << 30);
  if (openNative === 0 && keepAlive) { clearInterval(keepAlive); keepAlive = undefined; }
}

/** Closed native listeners whose connections still drain: their counters are read until they end. */
const draining = new Set<TcpListener>();
let drainTimer: NodeJS.Timeout | undefined;
function watchDraining(l: TcpListener): void {
  draining.add(l);
  if (drainTimer) return;
  drainTimer = setInterval(() => {
    for (const d of draining) d.harvest();
    if (!draining.size) { clearInterval(drainTimer); drainTimer = undefined; }
  }, 1000);
  drainTimer.unref();
}

/** Settings of a TCP listener. */
export interface TcpListenerOptions extends ListenerOptions {
  /** Per-attempt connect timeout. */
  connectTimeoutMs?: number;
}

/** A listening TCP proxy socket. */
export class TcpListener {
  private server?: net.Server;
  private readonly conns = new Set<net.Socket>();
  private readonly m: PortMetrics;
  private nativeId?: number;
  private closed = false;
  private readonly seen = new Float64Array(STAT.size);
  private readonly now = new Float64Array(STAT.size);

  constructor(private readonly o: TcpListenerOptions) {
    this.m = o.metrics.forPort(o.key, 'TCP');
  }

  /** Binds and listens; rejects with the bind error (e.g. EADDRINUSE). */
  async listen(): Promise<void> {
    const balancer = native && net.isIPv4(this.o.host) ? this.o.lb()?.nativeId() : undefined;
    if (native && balancer !== undefined) {
      this.nativeId = native.listen(this.o.host, this.o.port, balancer, this.o.kind === 'external', this.o.connectTimeoutMs ?? 2000);
      this.o.metrics.sources.add(this.harvest);
      nativeOpened(1);
      return;
    }
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (c) => this.accept(c));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.o.host, port: this.o.port }, () => { server.off('error', reject); resolve(); });
    });
    server.on('error', (err) => log('error', 'listener error', { servicePort: this.o.key, address: `${this.o.host}:${this.o.port}`, error: err.message }));
    this.server = server;
  }

  /** Stops accepting; established connections live on (they drain). */
  close(): void {
    this.server?.close();
    if (this.nativeId !== undefined && !this.closed) {
      this.closed = true;
      native!.close(this.nativeId);
      nativeOpened(-1);
      watchDraining(this);
    }
  }

  /** Closes the listener and every connection it made (process shutdown). */
  destroy(): void {
    this.close();
    for (const c of this.conns) c.destroy();
    if (this.nativeId !== undefined) {
      native!.destroy(this.nativeId);
      this.harvest();
    }
  }

  /**
   * Adds what the native listener counted since the last call to the metrics; once it is closed
   * and its last connection has ended, the native listener is freed.
   */
  readonly harvest = (): void => {
    const id = this.nativeId;
    if (id === undefined || !native!.stats(id, this.now)) return;
    const d = (i: number) => this.now[i] - this.seen[i];
    const m = this.m;
    if (d(STAT.total)) m.connections.inc(d(STAT.total));
    const active = d(STAT.active);
    if (active > 0) m.active.inc(active); else if (active < 0) m.active.dec(-active);
    if (d(STAT.bytesIn)) m.bytesIn.inc(d(STAT.bytesIn));
    if (d(STAT.bytesOut)) m.bytesOut.inc(d(STAT.bytesOut));
    if (d(STAT.connectErrors)) m.connectErrors.inc(d(STAT.connectErrors));
    if (d(STAT.rejected)) m.rejected.inc(d(STAT.rejected));
    this.seen.set(this.now);
    if (this.closed && this.now[STAT.connections] === 0) {
      native!.free(id);
      this.nativeId = undefined;
      this.o.metrics.sources.delete(this.harvest);
      draining.delete(this);
    }
  };

  private accept(client: net.Socket): void {
    const candidates = this.o.lb()?.candidates(client.remoteAddress ?? '', this.o.kind) ?? [];
    if (!candidates.length) {
      this.m.rejected.inc();
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    this.conns.add(client);
    client.on('close', () => this.conns.delete(client));
    client.on('error', () => undefined);
    this.tryConnect(client, candidates, 0);
  }

  private tryConnect(client: net.Socket, candidates: EndpointInfo[], i: number): void {
    if (client.destroyed) return;
    if (i >= candidates.length) {
      this.m.rejected.inc();
      client.resetAndDestroy();
      return;
    }
    const ep = candidates[i];
    const up = net.connect({ host: ep.ip, port: ep.port, allowHalfOpen: true, noDelay: true, timeout: this.o.connectTimeoutMs ?? 2000 });
    const fail = (reason: string) => {
      up.destroy();
      this.m.connectErrors.inc();
      log('debug', 'endpoint connect failed', { servicePort: this.o.key, endpoint: `${ep.ip}:${ep.port}`, reason });
      this.tryConnect(client, candidates, i + 1);
    };
    up.once('timeout', () => fail('timeout'));
    up.once('error', (err) => fail(err.message));
    up.once('connect', () => {
      up.removeAllListeners('timeout');
      up.removeAllListeners('error');
      up.setTimeout(0);
      // The client may have gone while we were connecting: do not leave the backend side open.
      if (client.destroyed) { up.destroy(); return; }
      this.o.lb()?.served(client.remoteAddress ?? '', ep);
      this.splice(client, up);
    });
  }

  private splice(client: net.Socket, up: net.Socket): void {
    const m = this.m;
    m.connections.inc();
    m.active.inc();
    this.conns.add(up);
    let closed = 0;
    const onClose = () => {
      if (++closed < 2) return;
      m.active.dec();
      // The sockets count their own bytes: no per-chunk work here.
      m.bytesIn.inc(client.bytesRead);
      m.bytesOut.inc(up.bytesRead);
    };
    const kill = () => { client.destroy(); up.destroy(); };
    up.on('error', kill);
    client.on('error', kill);
    client.on('close', onClose);
    up.on('close', () => { this.conns.delete(up); onClose(); });
    // pipe() ends the other side's write half when one side sends FIN (half-close) and
    // pauses the reader while the writer's buffer is full (back-pressure).
    client.pipe(up);
    up.pipe(client);
    client.resume();
  }
}
