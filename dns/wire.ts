/**
 * A compressing encoder for the responses this server builds (dns-packet writes every name in
 * full; CoreDNS and every real server compress, which lets ~4× more records fit in 512 bytes).
 * Handles the record types the resolver produces: A, AAAA, CNAME, PTR, NS, SRV, SOA, OPT. The
 * question is copied byte for byte from the query (its case is kept, as resolvers expect).
 * A single self-contained algorithm (RFC 1035 4.1.4), hence one file.
 */
import type { Answer } from 'dns-packet';

const TYPE: Record<string, number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, AAAA: 28, SRV: 33, OPT: 41 };

/** The end offset of the question section of a query with one question (throws when malformed). */
export function questionEnd(query: Buffer): number {
  let off = 12;
  for (;;) {
    const len = query[off];
    if (len === undefined) throw new Error('truncated question');
    if (len === 0) { off += 1; break; }
    if (len & 0xc0) throw new Error('compressed question name');
    off += 1 + len;
  }
  if (off + 4 > query.length) throw new Error('truncated question');
  return off + 4;
}

class Writer {
  buf = Buffer.allocUnsafe(512);
  off = 0;
  private readonly names = new Map<string, number>();

  private ensure(n: number): void {
    if (this.off + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.off + n));
    this.buf.copy(next, 0, 0, this.off);
    this.buf = next;
  }
  u8(v: number): void { this.ensure(1); this.buf.writeUInt8(v, this.off); this.off += 1; }
  u16(v: number): void { this.ensure(2); this.buf.writeUInt16BE(v & 0xffff, this.off); this.off += 2; }
  u32(v: number): void { this.ensure(4); this.buf.writeUInt32BE(v >>> 0, this.off); this.off += 4; }
  bytes(b: Buffer): void { this.ensure(b.length); b.copy(this.buf, this.off); this.off += b.length; }

  /** Remembers the suffixes of a name already written at `at` (for the copied question). */
  remember(name: string, at: number): void {
    const labels = name.split('.').filter(Boolean);
    for (let i = 0; i < labels.length && at < 0x3fff; i++) {
      const key = labels.slice(i).join('.').toLowerCase();
      if (!this.names.has(key)) this.names.set(key, at);
      at += 1 + Buffer.byteLength(labels[i]);
    }
  }

  /** Writes a domain name, pointing at an earlier copy of its longest known suffix. */
  name(name: string, compress = true): void {
    const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
    for (let i = 0; i < labels.length; i++) {
      const key = labels.slice(i).join('.').toLowerCase();
      const ptr = compress ? this.names.get(key) : undefined;
      if (ptr !== undefined) { this.u16(0xc000 | ptr); return; }
      if (compress && this.off < 0x3fff) this.names.set(key, this.off);
      const b = Buffer.from(labels[i]);
      if (b.length > 63) throw new Error(`label too long in ${name}`);
      this.u8(b.length);
      this.bytes(b);
    }
    this.u8(0);
  }
}

function record(w: Writer, a: Answer): void {
  const type = TYPE[a.type];
  if (type === undefined) throw new Error(`cannot encode record type ${a.type}`);
  if (a.type === 'OPT') {
    const o = a as unknown as { udpPayloadSize?: number; extendedRcode?: number; ednsVersion?: number; flags?: number };
    w.u8(0); w.u16(41); w.u16(o.udpPayloadSize ?? 1232);
    w.u8(o.extendedRcode ?? 0); w.u8(o.ednsVersion ?? 0); w.u16(o.flags ?? 0); w.u16(0);
    return;
  }
  w.name(a.name);
  w.u16(type); w.u16(1); w.u32(a.ttl ?? 0);
  const lenAt = w.off;
  w.u16(0);
  const start = w.off;
  switch (a.type) {
    case 'A': for (const p of (a.data as string).split('.')) w.u8(Number(p)); break;
    case 'AAAA': throw new Error('AAAA records are not produced');
    case 'CNAME': case 'PTR': case 'NS': w.name(a.data as string); break;
    case 'SRV': {
      const d = a.data as { priority?: number; weight?: number; port?: number; target: string };
      w.u16(d.priority ?? 0); w.u16(d.weight ?? 0); w.u16(d.port ?? 0);
      // RFC 2782: the target must not be compressed.
      w.name(d.target, false);
      break;
    }
    case 'SOA': {
      const d = a.data as { mname: string; rname: string; serial?: number; refresh?: number; retry?: number; expire?: number; minimum?: number };
      w.name(d.mname); w.name(d.rname);
      for (const v of [d.serial, d.refresh, d.retry, d.expire, d.minimum]) w.u32(v ?? 0);
      break;
    }
    default: throw new Error(`cannot encode record type ${a.type}`);
  }
  w.buf.writeUInt16BE(w.off - start, lenAt);
}

/** Sections of a response. */
export interface ResponseSections { answers: Answer[]; authorities: Answer[]; additionals: Answer[] }

/** Encodes a response to `query` (one question, copied) with the given flags (incl. rcode) and sections. */
export function encodeResponse(query: Buffer, flags: number, s: ResponseSections, questionName: string): Buffer {
  const w = new Writer();
  const qEnd = questionEnd(query);
  w.u16(query.readUInt16BE(0));
  w.u16(0x8000 | (flags & 0x7fff));
  w.u16(1); w.u16(s.answers.length); w.u16(s.authorities.length); w.u16(s.additionals.length);
  w.bytes(query.subarray(12, qEnd));
  w.remember(questionName, 12);
  for (const a of s.answers) record(w, a);
  for (const a of s.authorities) record(w, a);
  for (const a of s.additionals) record(w, a);
  return w.buf.subarray(0, w.off);
}
