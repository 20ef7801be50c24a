/**
 * The small part of RFC 6455 the kubelet needs for kubectl's exec streams: the handshake
 * answer, frame encoding (server frames are unmasked) and an incremental frame parser
 * (client frames are masked). Fragmented messages are joined; ping is answered with pong.
 */
import { createHash } from 'node:crypto';
import { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Sec-WebSocket-Accept for a client's Sec-WebSocket-Key. */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** WebSocket opcodes used here. */
export const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** One frame; `mask` is for clients (tests), servers send unmasked frames. */
export function encodeFrame(opcode: number, payload: Buffer, mask = false): Buffer {
  const len = payload.length;
  const head: number[] = [0x80 | opcode];
  const m = mask ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 255);
  else { head.push(m | 127, 0, 0, 0, 0); const b = Buffer.alloc(4); b.writeUInt32BE(len); head.push(...b); }
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = Buffer.from([Math.random() * 256, Math.random() * 256, Math.random() * 256, Math.random() * 256].map(Math.floor));
  const body = Buffer.from(payload.map((byte, i) => byte ^ key[i % 4]));
  return Buffer.concat([Buffer.from(head), key, body]);
}

/** Feeds bytes in, calls onMessage(opcode, payload) for each complete (unfragmented or joined) message. */
export class FrameParser {
  private buf = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragOpcode = 0;
  constructor(private readonly onMessage: (opcode: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (this.buf.length < 2) return;
      const fin = (this.buf[0] & 0x80) !== 0;
      const opcode = this.buf[0] & 0x0f;
      const masked = (this.buf[1] & 0x80) !== 0;
      let len = this.buf[1] & 0x7f;
      let off = 2;
      if (len === 126) { if (this.buf.length < 4) return; len = this.buf.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (this.buf.length < 10) return; len = Number(this.buf.readBigUInt64BE(2)); off = 10; }
      const maskLen = masked ? 4 : 0;
      if (this.buf.length < off + maskLen + len) return;
      const key = this.buf.subarray(off, off + maskLen);
      let payload = Buffer.from(this.buf.subarray(off + maskLen, off + maskLen + len));
      if (masked) payload = Buffer.from(payload.map((b, i) => b ^ key[i % 4]));
      this.buf = this.buf.subarray(off + maskLen + len);
      if (opcode >= 8) { this.onMessage(opcode, payload); continue; } // control frames are never fragmented
      if (opcode !== OP.continuation) this.fragOpcode = opcode;
      this.fragments.push(payload);
      if (fin) {
        const whole = Buffer.concat(this.fragments);
        this.fragments = [];
        this.onMessage(this.fragOpcode, whole);
      }
    }
  }
}

/**
 * A byte stream carried in WebSocket binary messages (Kubernetes' "tunneling": kubectl ≥ 1.31
 * speaks SPDY inside a WebSocket with subprotocol `SPDY/3.1+portforward.k8s.io`). Reads yield
 * each message's payload, writes send one binary message, end sends a close frame; pings are
 * answered. `socket` must already be upgraded.
 */
export function webSocketTunnel(socket: Duplex): Duplex {
  let closing = false;
  const tunnel = new Duplex({
    read() { socket.resume(); },
    write(chunk: Buffer, _enc, cb) {
      if (socket.destroyed) { cb(); return; }
      socket.write(encodeFrame(OP.binary, chunk), () => cb());
    },
    final(cb) { closing = true; socket.end(encodeFrame(OP.close, Buffer.from([0x03, 0xe8]))); cb(); },
    destroy(err, cb) { socket.destroy(); cb(err); },
  });
  const parser = new FrameParser((op, payload) => {
    if (op === OP.ping) socket.write(encodeFrame(OP.pong, payload));
    else if (op === OP.close) { if (!closing) { closing = true; socket.end(encodeFrame(OP.close, payload.subarray(0, 2))); } tunnel.push(null); }
    else if ((op === OP.binary || op === OP.text) && payload.length && !tunnel.push(payload)) socket.pause();
  });
  socket.on('data', (d: Buffer) => { try { parser.push(d); } catch (err) { tunnel.destroy(err as Error); } });
  socket.on('end', () => tunnel.push(null));
  socket.on('close', () => tunnel.destroy());
  socket.on('error', (err) => tunnel.destroy(err));
  return tunnel;
}
