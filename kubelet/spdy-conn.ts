/**
 * A server-side SPDY/3.1 connection as kubectl's streams need it: every stream the client opens
 * is accepted (SYN_REPLY) and announced with its headers; data and FIN are delivered per stream;
 * PING is echoed. Exec (exec-spdy.ts) and port-forward (portforward-spdy.ts) build on it.
 */
import type { Duplex } from 'node:stream';
import { controlFrame, dataFrame, FLAG_FIN, HeaderDecoder, HeaderEncoder, SPDY, SpdyFrameParser, type SpdyFrame } from './spdy.js';

const MAX_DATA = 32 * 1024;

/** Callbacks of a stream the client opened. */
export interface SpdyStreamHandlers { onData?(data: Buffer): void; onEnd?(): void }

/** One SPDY connection on an upgraded socket. */
export class SpdyConnection {
  private readonly decoder = new HeaderDecoder();
  private readonly encoder = new HeaderEncoder();
  private readonly handlers = new Map<number, SpdyStreamHandlers>();

  /** `onStream` is called for each new stream with its headers; it returns the stream's handlers. */
  constructor(readonly socket: Duplex, private readonly onStream: (id: number, headers: Record<string, string[]>) => SpdyStreamHandlers) {
    const parser = new SpdyFrameParser((f) => this.onFrame(f));
    socket.on('data', (d: Buffer) => { try { parser.push(d); } catch { socket.destroy(); } });
  }

  private onFrame(f: SpdyFrame): void {
    if (!f.control) {
      const h = this.handlers.get(f.streamId);
      if (f.data.length) h?.onData?.(f.data);
      if (f.flags & FLAG_FIN) h?.onEnd?.();
      return;
    }
    if (f.type === SPDY.ping) { this.socket.write(controlFrame(SPDY.ping, 0, f.data)); return; }
    if (f.type === SPDY.goaway) { this.socket.end(); return; }
    if (f.type === SPDY.rstStream) { this.handlers.get(f.streamId)?.onEnd?.(); this.handlers.delete(f.streamId); return; }
    if (f.type !== SPDY.synStream) return; // SETTINGS and WINDOW_UPDATE need no answer here
    const headers = this.decoder.decode(f.data.subarray(10));
    const id = Buffer.alloc(4);
    id.writeUInt32BE(f.streamId);
    this.socket.write(controlFrame(SPDY.synReply, 0, Buffer.concat([id, this.encoder.encode({})])));
    this.handlers.set(f.streamId, this.onStream(f.streamId, headers));
    if (f.flags & FLAG_FIN) this.handlers.get(f.streamId)?.onEnd?.();
  }

  /** Sends data on a stream (in frames of at most 32 KiB); `fin` ends our half of it. */
  send(streamId: number, data: Buffer, fin = false): void {
    if (this.socket.destroyed) return;
    for (let off = 0; off < data.length; off += MAX_DATA) this.socket.write(dataFrame(streamId, data.subarray(off, off + MAX_DATA), fin && off + MAX_DATA >= data.length));
    if (fin && data.length === 0) this.socket.write(dataFrame(streamId, data, true));
  }
}
