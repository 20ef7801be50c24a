/**
 * A small HTTP/2 client connection (RFC 9113) for gRPC calls to etcd, on a plain or TLS socket.
 *
 * Why not node:http2: a request there costs a Duplex stream, an AsyncResource and a bound
 * function with deprecation wrappers (~6 µs in bind alone), events per frame, and header objects;
 * the apiserver makes one call per write and per read, so that overhead was ~10% of its CPU per
 * create. This connection does only what a gRPC client needs: requests with a prebuilt header
 * block, DATA in both directions with flow control, trailers, RST_STREAM, SETTINGS, PING, GOAWAY.
 * Response headers are decoded in full (HPACK with the dynamic table and Huffman, lib/h2/hpack.ts).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { HpackDecoder, type HeaderFields } from './hpack.js';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const enum Type { DATA = 0, HEADERS = 1, PRIORITY = 2, RST_STREAM = 3, SETTINGS = 4, PUSH_PROMISE = 5, PING = 6, GOAWAY = 7, WINDOW_UPDATE = 8, CONTINUATION = 9 }
const enum Flag { END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4, PADDED = 0x8, PRIORITY = 0x20 }
/** HTTP/2 error codes we send or name. */
export const H2_NO_ERROR = 0;
export const H2_PROTOCOL_ERROR = 1;
export const H2_CANCEL = 8;

/** Our receive windows: large, so a response is never held up by us; topped up as data arrives. */
const RECV_WINDOW = 8 << 20;
const DEFAULT_WINDOW = 65_535;

/** What a stream reports: response headers/trailers, data, and its end. */
export interface H2StreamHandler {
  /** A header block (response headers or trailers); `end` when it closes the stream. */
  onHeaders(fields: HeaderFields, end: boolean): void;
  onData(chunk: Buffer, end: boolean): void;
  /**
   * The stream ended without a normal close: RST_STREAM, GOAWAY, or the connection failed.
   * `notSent` when the server cannot have seen the request (connection never up, or GOAWAY below it).
   */
  onReset(code: number, message: string, notSent: boolean): void;
}

export interface H2Tls { ca: Buffer; cert?: Buffer; key?: Buffer }

/** One open stream, as the caller holds it. */
export class H2Stream {
  /** Data not yet sent (no window yet, or the stream still waits to open). */
  pending: Buffer[] = [];
  sendWindow: number;
  recvUnacked = 0;
  /** Our side ends: END_STREAM follows the pending data. */
  localEnded = false;
  endSent = false;
  closed = false;

  /** 0 while the stream waits for the server's concurrency limit; its id once opened. */
  id = 0;
  /** The request's header block until the stream is opened. */
  headerBlock?: Buffer;

  constructor(readonly session: H2Session, readonly handler: H2StreamHandler) {
    this.sendWindow = 0;
  }

  /** Sends DATA (flow-controlled); `end` half-closes our side. */
  write(data: Buffer, end = false): void { this.session.sendData(this, data, end); }

  /** Abandons the stream: RST_STREAM(CANCEL); the handler hears nothing more. */
  cancel(code = H2_CANCEL): void { this.session.resetStream(this, code); }
}

/**
 * A client connection. Requests made before the socket is up are written once it is; when it
 * never comes up their handlers get onReset(notSent = true). Once it closes or fails, every open
 * stream is reset and `closed` is true; make a new session.
 */
export class H2Session {
  closed = false;
  /** Set once the server's SETTINGS arrived (the connection really speaks HTTP/2). */
  established = false;
  private readonly socket: Socket;
  private connected = false;
  private goingAway = false;
  private nextId = 1;
  private readonly streams = new Map<number, H2Stream>();
  /** Streams asked for beyond the server's SETTINGS_MAX_CONCURRENT_STREAMS, opened in order as others end. */
  private waiting: H2Stream[] = [];
  private peerMaxStreams = Infinity;
  private readonly decoder = new HpackDecoder();
  private inbuf: Buffer | undefined;
  private connSendWindow = DEFAULT_WINDOW;
  private connRecvUnacked = 0;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrame = 16_384;
  /** A header block spread over HEADERS + CONTINUATION frames. */
  private partial?: { id: number; end: boolean; parts: Buffer[] };
  /** Streams waiting for send window, in order. */
  private readonly blocked = new Set<H2Stream>();
  private out: Buffer[] = [];
  private flushQueued = false;
  private readonly closeListeners: Array<(err?: Error) => void> = [];

  /** `url`: http://host:port or https://host:port. */
  constructor(url: string, tls?: H2Tls) {
    const u = new URL(url);
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    const host = u.hostname.replace(/^\[|\]$/g, '');
    if (u.protocol === 'https:') {
      this.socket = tlsConnect({ host, port, ca: tls?.ca, cert: tls?.cert, key: tls?.key, ALPNProtocols: ['h2'], servername: /^[\d.:]+$/.test(host) ? undefined : host });
      this.socket.once('secureConnect', () => { this.connected = true; });
    } else {
      this.socket = netConnect({ host, port });
      this.socket.once('connect', () => { this.connected = true; });
    }
    this.socket.setNoDelay(true);
    // An idle connection must not keep the process alive: the socket is referenced only while streams are open.
    this.socket.unref();
    this.socket.on('data', (d: Buffer) => this.receive(d));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.fail(new Error('connection closed')));
    // Preface, our SETTINGS (no push, large stream window), then a large connection window.
    this.queue(PREFACE);
    this.frame(Type.SETTINGS, 0, 0, settingsPayload([[0x2, 0], [0x4, RECV_WINDOW]]));
    this.frame(Type.WINDOW_UPDATE, 0, 0, u32(RECV_WINDOW - DEFAULT_WINDOW));
  }

  /** True when new requests can go on this connection. */
  get usable(): boolean { return !this.closed && !this.goingAway; }

  /** Whether the socket ever connected: a request on a connection that never did was never seen. */
  get wasConnected(): boolean { return this.connected; }

  onClose(fn: (err?: Error) => void): void { this.closeListeners.push(fn); }

  /**
   * Opens a stream with a ready HPACK block (lib/h2/hpack.ts encodeHeaders) and optional body.
   * `end` closes our side after the body (a unary call).
   */
  request(headerBlock: Buffer, body: Buffer | undefined, end: boolean, handler: H2StreamHandler): H2Stream {
    if (!this.usable) throw new Error(this.closed ? 'HTTP/2 connection closed' : 'HTTP/2 connection going away');
    const stream = new H2Stream(this, handler);
    stream.headerBlock = headerBlock;
    if (body?.length) stream.pending.push(body);
    if (end) stream.localEnded = true;
    if (this.streams.size + this.waiting.length === 0) this.socket.ref();
    if (this.streams.size < this.peerMaxStreams) this.open(stream);
    else this.waiting.push(stream);
    return stream;
  }

  /** Gives `stream` its id and sends its headers and whatever body it has. */
  private open(stream: H2Stream): void {
    stream.id = this.nextId;
    this.nextId += 2;
    stream.sendWindow = this.peerInitialWindow;
    this.streams.set(stream.id, stream);
    const block = stream.headerBlock!;
    stream.headerBlock = undefined;
    const headersOnly = stream.localEnded && !stream.pending.length;
    this.headersFrame(stream.id, block, headersOnly);
    if (headersOnly) stream.endSent = true;
    else this.drain(stream);
  }

  /** Takes no new requests, and closes once the streams still open are done (a watch keeps it open). */
  close(): void {
    if (this.closed) return;
    this.goingAway = true;
    if (!this.streams.size && !this.waiting.length) this.destroy();
  }

  /** Closes the connection now (GOAWAY, then the socket); open streams are reset. */
  destroy(): void {
    if (this.closed) return;
    this.frame(Type.GOAWAY, 0, 0, Buffer.concat([u32(0), u32(H2_NO_ERROR)]));
    this.flush();
    this.socket.end();
    this.fail(new Error('HTTP/2 connection closed by the client'));
  }

  /** @internal */
  sendData(stream: H2Stream, data: Buffer, end: boolean): void {
    if (stream.closed || stream.localEnded) return;
    if (data.length) stream.pending.push(data);
    if (end) stream.localEnded = true;
    if (stream.id) this.drain(stream); // a waiting stream sends it all once opened
  }

  /** @internal */
  resetStream(stream: H2Stream, code: number): void {
    if (stream.closed) return;
    if (stream.id) this.frame(Type.RST_STREAM, 0, stream.id, u32(code));
    this.forget(stream);
  }

  /** Sends what `stream` may: DATA up to both windows and the peer's frame size, then END_STREAM. */
  private drain(stream: H2Stream): void {
    while (stream.pending.length) {
      const chunk = stream.pending[0];
      const room = Math.min(stream.sendWindow, this.connSendWindow, this.peerMaxFrame);
      if (room <= 0) { this.blocked.add(stream); return; }
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      if (part === chunk) stream.pending.shift(); else stream.pending[0] = chunk.subarray(room);
      stream.sendWindow -= part.length;
      this.connSendWindow -= part.length;
      const last = !stream.pending.length && stream.localEnded;
      this.frame(Type.DATA, last ? Flag.END_STREAM : 0, stream.id, part);
      if (last) stream.endSent = true;
    }
    this.blocked.delete(stream);
    if (stream.localEnded && !stream.endSent) {
      stream.endSent = true;
      this.frame(Type.DATA, Flag.END_STREAM, stream.id, Buffer.alloc(0));
    }
  }

  private headersFrame(id: number, block: Buffer, end: boolean): void {
    const max = this.peerMaxFrame;
    if (block.length <= max) { this.frame(Type.HEADERS, Flag.END_HEADERS | (end ? Flag.END_STREAM : 0), id, block); return; }
    this.frame(Type.HEADERS, end ? Flag.END_STREAM : 0, id, block.subarray(0, max));
    for (let off = max; off < block.length; off += max) {
      const last = off + max >= block.length;
      this.frame(Type.CONTINUATION, last ? Flag.END_HEADERS : 0, id, block.subarray(off, off + max));
    }
  }

  private frame(type: number, flags: number, id: number, payload: Buffer): void {
    const h = Buffer.allocUnsafe(9);
    h.writeUIntBE(payload.length, 0, 3);
    h[3] = type;
    h[4] = flags;
    h.writeUInt32BE(id, 5);
    this.queue(h);
    if (payload.length) this.queue(payload);
  }

  /** Frames queued in one turn of the event loop go out in one write: the calls of every request read in that turn share a syscall. */
  private queue(b: Buffer): void {
    if (this.closed) return;
    this.out.push(b);
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    if (!this.out.length || this.socket.destroyed) { this.out = []; return; }
    const data = this.out.length === 1 ? this.out[0] : Buffer.concat(this.out);
    this.out = [];
    this.socket.write(data);
  }

  private forget(stream: H2Stream): void {
    stream.closed = true;
    this.blocked.delete(stream);
    if (!stream.id) { this.waiting = this.waiting.filter((w) => w !== stream); }
    else {
      this.streams.delete(stream.id);
      while (this.waiting.length && this.streams.size < this.peerMaxStreams && !this.closed) this.open(this.waiting.shift()!);
    }
    if (!this.streams.size && !this.waiting.length) {
      this.socket.unref();
      if (this.goingAway) this.close();
    }
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.out = [];
    const notSent = !this.connected;
    const waiting = this.waiting;
    this.waiting = [];
    for (const s of [...this.streams.values()]) {
      this.forget(s);
      s.handler.onReset(H2_CANCEL, err.message, notSent);
    }
    for (const s of waiting) { s.closed = true; s.handler.onReset(H2_CANCEL, err.message, true); }
    this.socket.destroy();
    for (const fn of this.closeListeners) fn(err);
  }

  /** A connection error: GOAWAY with `code`, then close. */
  private protocolError(code: number, message: string): void {
    this.frame(Type.GOAWAY, 0, 0, Buffer.concat([u32(0), u32(code), Buffer.from(message)]));
    this.flush();
    this.socket.end();
    this.fail(new Error(`HTTP/2 protocol error: ${message}`));
  }

  private receive(d: Buffer): void {
    const buf = this.inbuf ? Buffer.concat([this.inbuf, d]) : d;
    let pos = 0;
    while (!this.closed && buf.length - pos >= 9) {
      const len = buf.readUIntBE(pos, 3);
      if (buf.length - pos < 9 + len) break;
      const type = buf[pos + 3];
      const flags = buf[pos + 4];
      const id = buf.readUInt32BE(pos + 5) & 0x7fffffff;
      const payload = buf.subarray(pos + 9, pos + 9 + len);
      pos += 9 + len;
      try {
        this.onFrame(type, flags, id, payload);
      } catch (err) {
        this.protocolError(H2_PROTOCOL_ERROR, (err as Error).message);
        return;
      }
    }
    this.inbuf = pos < buf.length ? buf.subarray(pos) : undefined;
    if (this.inbuf && this.inbuf.length > 16 << 20) this.protocolError(H2_PROTOCOL_ERROR, 'frame too large');
  }

  private onFrame(type: number, flags: number, id: number, payload: Buffer): void {
    if (this.partial && type !== Type.CONTINUATION) throw new Error('expected CONTINUATION');
    switch (type) {
      case Type.DATA: {
        const data = unpad(payload, flags);
        this.connRecvUnacked += payload.length;
        if (this.connRecvUnacked >= RECV_WINDOW / 2) {
          this.frame(Type.WINDOW_UPDATE, 0, 0, u32(this.connRecvUnacked));
          this.connRecvUnacked = 0;
        }
        const s = this.streams.get(id);
        if (!s) return;
        const end = (flags & Flag.END_STREAM) !== 0;
        s.recvUnacked += payload.length;
        if (!end && s.recvUnacked >= RECV_WINDOW / 2) {
          this.frame(Type.WINDOW_UPDATE, 0, id, u32(s.recvUnacked));
          s.recvUnacked = 0;
        }
        if (end) this.remoteEnd(s);
        s.handler.onData(data, end);
        return;
      }
      case Type.HEADERS: {
        let block = unpad(payload, flags);
        if (flags & Flag.PRIORITY) block = block.subarray(5);
        const end = (flags & Flag.END_STREAM) !== 0;
        if (flags & Flag.END_HEADERS) this.headerBlock(id, block, end);
        else this.partial = { id, end, parts: [Buffer.from(block)] };
        return;
      }
      case Type.CONTINUATION: {
        const p = this.partial;
        if (!p || p.id !== id) throw new Error('unexpected CONTINUATION');
        p.parts.push(Buffer.from(payload));
        if (flags & Flag.END_HEADERS) {
          this.partial = undefined;
          this.headerBlock(id, Buffer.concat(p.parts), p.end);
        }
        return;
      }
      case Type.RST_STREAM: {
        const s = this.streams.get(id);
        if (!s) return;
        this.forget(s);
        const code = payload.readUInt32BE(0);
        s.handler.onReset(code, `stream reset by the server (HTTP/2 code ${code})`, false);
        return;
      }
      case Type.SETTINGS: {
        if (flags & Flag.ACK) return;
        if (payload.length % 6) throw new Error('bad SETTINGS length');
        for (let i = 0; i < payload.length; i += 6) {
          const key = payload.readUInt16BE(i);
          const value = payload.readUInt32BE(i + 2);
          if (key === 0x4) { // INITIAL_WINDOW_SIZE: applies to open streams too
            if (value > 0x7fffffff) throw new Error('window too large');
            const delta = value - this.peerInitialWindow;
            this.peerInitialWindow = value;
            for (const s of this.streams.values()) s.sendWindow += delta;
          } else if (key === 0x3) {
            this.peerMaxStreams = value;
          } else if (key === 0x5) {
            if (value < 16_384 || value > 16_777_215) throw new Error('bad MAX_FRAME_SIZE');
            this.peerMaxFrame = value;
          }
        }
        this.established = true;
        this.frame(Type.SETTINGS, Flag.ACK, 0, Buffer.alloc(0));
        while (this.waiting.length && this.streams.size < this.peerMaxStreams) this.open(this.waiting.shift()!);
        this.unblock();
        return;
      }
      case Type.PING:
        if (!(flags & Flag.ACK)) this.frame(Type.PING, Flag.ACK, 0, Buffer.from(payload));
        return;
      case Type.GOAWAY: {
        this.goingAway = true;
        const last = payload.readUInt32BE(0) & 0x7fffffff;
        const code = payload.readUInt32BE(4);
        const debug = payload.subarray(8).toString();
        // Streams above `last` were never processed, nor were those still waiting: the caller may send them elsewhere.
        for (const s of [...this.waiting, ...this.streams.values()]) {
          if (!s.id || s.id > last) {
            this.forget(s);
            s.handler.onReset(code, `server going away (HTTP/2 code ${code}${debug ? `: ${debug}` : ''})`, true);
          }
        }
        this.waiting = [];
        if (!this.streams.size) this.close();
        return;
      }
      case Type.WINDOW_UPDATE: {
        const inc = payload.readUInt32BE(0) & 0x7fffffff;
        if (id === 0) {
          this.connSendWindow += inc;
          this.unblock();
        } else {
          const s = this.streams.get(id);
          if (s) { s.sendWindow += inc; this.drain(s); }
        }
        return;
      }
      case Type.PUSH_PROMISE:
        throw new Error('PUSH_PROMISE although push is off');
      default: // PRIORITY and unknown frame types are ignored
    }
  }

  private headerBlock(id: number, block: Buffer, end: boolean): void {
    // Every block goes through the decoder, also for streams we forgot: the table must stay in step.
    const fields = this.decoder.decode(block);
    const s = this.streams.get(id);
    if (!s) return;
    if (end) this.remoteEnd(s);
    s.handler.onHeaders(fields, end);
  }

  private remoteEnd(s: H2Stream): void {
    if (s.endSent) this.forget(s);
    // The server finished first (e.g. an error before our body was all sent): we stop sending too.
    else this.resetStream(s, H2_NO_ERROR);
  }

  private unblock(): void {
    for (const s of [...this.blocked]) this.drain(s);
  }
}

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

function settingsPayload(pairs: Array<[number, number]>): Buffer {
  const b = Buffer.allocUnsafe(6 * pairs.length);
  pairs.forEach(([k, v], i) => { b.writeUInt16BE(k, 6 * i); b.writeUInt32BE(v, 6 * i + 2); });
  return b;
}

function unpad(payload: Buffer, flags: number): Buffer {
  if (!(flags & Flag.PADDED)) return payload;
  const padLen = payload[0];
  if (padLen >= payload.length) throw new Error('bad padding');
  return payload.subarray(1, payload.length - padLen);
}
