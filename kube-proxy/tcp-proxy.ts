/**
 * One TCP listener of a service port (ClusterIP, external IP, LB IP or NodePort): accepts, asks
 * the load balancer for endpoints, connects (a refused or timed-out connect tries the next one),
 * then copies both ways with back-pressure and half-close. No endpoint → the client gets a RST.
 */
import net from 'node:net';
import type { EndpointInfo } from './endpoints.js';
import type { PortMetrics } from './metrics.js';
import type { ListenerOptions } from './listener.js';
import { log } from './log.js';

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

  constructor(private readonly o: TcpListenerOptions) {
    this.m = o.metrics.forPort(o.key, 'TCP');
  }

  /** Binds and listens; rejects with the bind error (e.g. EADDRINUSE). */
  async listen(): Promise<void> {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (c) => this.accept(c));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.o.host, port: this.o.port }, () => { server.off('error', reject); resolve(); });
    });
    server.on('error', (err) => log('error', 'listener error', { servicePort: this.o.key, address: `${this.o.host}:${this.o.port}`, error: err.message }));
    this.server = server;
  }

  /** Stops accepting; established connections live on (they drain). */
  close(): void { this.server?.close(); }

  /** Closes the listener and every connection it made (process shutdown). */
  destroy(): void {
    this.close();
    for (const c of this.conns) c.destroy();
  }

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
