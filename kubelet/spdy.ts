/**
 * The part of SPDY/3.1 that kubectl ≤ 1.29 speaks for exec/attach/portforward (Go's
 * moby/spdystream): frame parsing and encoding, and header blocks. Header blocks are one zlib
 * stream per direction primed with the SPDY/3 dictionary. Incoming blocks are inflated by
 * re-inflating everything received so far (a connection carries a handful of small blocks);
 * outgoing blocks use stored (uncompressed) deflate blocks ended like a sync flush, which every
 * zlib reader accepts without the dictionary, so no compressor state is needed.
 */
import { inflateSync, constants } from 'node:zlib';

/** Control frame types used here. */
export const SPDY = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goaway: 7, headers: 8, windowUpdate: 9 } as const;
/** Flag ending a stream's half. */
export const FLAG_FIN = 0x01;

const WORDS = ('options head post put delete trace accept accept-charset accept-encoding accept-language accept-ranges age allow authorization ' +
  'cache-control connection content-base content-encoding content-language content-length content-location content-md5 content-range content-type ' +
  'date etag expect expires from host if-match if-modified-since if-none-match if-range if-unmodified-since last-modified location max-forwards ' +
  'pragma proxy-authenticate proxy-authorization range referer retry-after server te trailer transfer-encoding upgrade user-agent vary via warning ' +
  'www-authenticate method get status 200_OK version HTTP/1.1 url public set-cookie keep-alive origin').split(' ').map((w) => w.replace('_', ' '));
const TAIL = '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden404 Not Found' +
  '500 Internal Server Error501 Not Implemented503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 ' +
  'Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,' +
  'text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

/** The SPDY/3 header compression dictionary (1423 bytes: length-prefixed words, then text). */
export const SPDY3_DICTIONARY = Buffer.concat([...WORDS.map((w) => { const b = Buffer.alloc(4 + w.length); b.writeUInt32BE(w.length); b.write(w, 4, 'latin1'); return b; }), Buffer.from(TAIL, 'latin1')]);

/** A parsed frame: control (type set) or data (streamId + data). */
export interface SpdyFrame { control: boolean; type: number; flags: number; streamId: number; data: Buffer }

/** Splits a byte stream into frames. */
export class SpdyFrameParser {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly onFrame: (f: SpdyFrame) => void) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 8) {
      const len = this.buf.readUIntBE(5, 3);
      if (this.buf.length < 8 + len) return;
      const control = (this.buf[0] & 0x80) !== 0;
      const flags = this.buf[4];
      const data = this.buf.subarray(8, 8 + len);
      if (control) {
        const type = this.buf.readUInt16BE(2);
        const streamId = len >= 4 && type !== SPDY.settings && type !== SPDY.ping ? data.readUInt32BE(0) & 0x7fffffff : 0;
        this.onFrame({ control, type, flags, streamId, data });
      } else {
        this.onFrame({ control, type: 0, flags, streamId: this.buf.readUInt32BE(0) & 0x7fffffff, data });
      }
      this.buf = this.buf.subarray(8 + len);
    }
  }
}

/** A control frame (version 3). */
export function controlFrame(type: number, flags: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8003, 0);
  head.writeUInt16BE(type, 2);
  head[4] = flags;
  head.writeUIntBE(body.length, 5, 3);
  return Buffer.concat([head, body]);
}

/** A data frame. */
export function dataFrame(streamId: number, data: Buffer, fin = false): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head[4] = fin ? FLAG_FIN : 0;
  head.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([head, data]);
}

/** Serialises headers as SPDY/3 name/value pairs (names lower-case). */
export function encodeHeaderPairs(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [u32(Object.keys(headers).length)];
  for (const [k, v] of Object.entries(headers)) parts.push(u32(Buffer.byteLength(k)), Buffer.from(k.toLowerCase()), u32(Buffer.byteLength(v)), Buffer.from(v));
  return Buffer.concat(parts);
}

function u32(n: number): Buffer { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; }

/** Outgoing header blocks of one connection: a zlib stream of stored blocks. */
export class HeaderEncoder {
  private started = false;
  /** The next header block for `headers`. */
  encode(headers: Record<string, string>): Buffer {
    const raw = encodeHeaderPairs(headers);
    const parts: Buffer[] = [];
    // zlib header without a preset dictionary (0x7801: check bits valid, fastest level).
    if (!this.started) { parts.push(Buffer.from([0x78, 0x01])); this.started = true; }
    for (let off = 0; off === 0 || off < raw.length; off += 65535) {
      const piece = raw.subarray(off, off + 65535);
      const h = Buffer.alloc(5);
      h[0] = 0; // BFINAL 0, BTYPE 00 (stored); byte-aligned because each block ends one
      h.writeUInt16LE(piece.length, 1);
      h.writeUInt16LE(~piece.length & 0xffff, 3);
      parts.push(h, piece);
    }
    // An empty stored block, as a sync flush ends with: Go's inflater hands out a block's bytes
    // only when the next block starts, so without it the peer would wait for more input.
    parts.push(Buffer.from([0, 0, 0, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

/** Incoming header blocks of one connection (the peer's single zlib stream). */
export class HeaderDecoder {
  private input: Buffer = Buffer.alloc(0);
  private consumed = 0;
  /** Decodes the next header block; names as sent (lower-case), multi-values joined by NUL split. */
  decode(block: Buffer): Record<string, string[]> {
    this.input = Buffer.concat([this.input, block]);
    const all = inflateSync(this.input, { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    const raw = all.subarray(this.consumed);
    this.consumed = all.length;
    const out: Record<string, string[]> = {};
    let off = 4;
    const n = raw.readUInt32BE(0);
    for (let i = 0; i < n; i++) {
      const kl = raw.readUInt32BE(off); const k = raw.subarray(off + 4, off + 4 + kl).toString(); off += 4 + kl;
      const vl = raw.readUInt32BE(off); const v = raw.subarray(off + 4, off + 4 + vl).toString(); off += 4 + vl;
      (out[k] ??= []).push(...v.split('\0'));
    }
    return out;
  }
}
