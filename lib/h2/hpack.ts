/**
 * HPACK (RFC 7541) for our small HTTP/2 client (lib/h2/session.ts): a full decoder (static and
 * dynamic table, Huffman strings) for what servers send, and an encoder that only writes literals
 * without indexing and without Huffman, so it never needs a dynamic table of its own.
 */

/** RFC 7541 Appendix A. Index 1 is the first entry. */
const STATIC: ReadonlyArray<readonly [string, string]> = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];

/**
 * The Huffman code's bit length per symbol (0–255, then EOS), one base-36 digit each. The code is
 * canonical (codes of one length are consecutive, in symbol order), so the lengths define it.
 */
const HUFFMAN_LENGTHS =
  'dnsssssssoussussssssssusssssssss6aacd68baa8b8666555666666678f6cad67777777777777777777777878djde6f56565666577666567655677777fbedskmkkmmmnmnnnnnonoomnonnnnlmnmnnomlkmmnnlnmmolmnnllmlnmnnkmmmnmmnqqkjmnmpqqqrrqopjlqrrqrollqqsrrrkoklmllnmmppooqnqrqqrrrrrsrrrrrqu';
const EOS = 256;

/** Decoding tree of the canonical code: node n has children tree[2n] (bit 0) and tree[2n+1] (bit 1); a leaf holds -(symbol + 1). */
const TREE: Int32Array = (() => {
  const lengths = [...HUFFMAN_LENGTHS].map((c) => parseInt(c, 36));
  const order = lengths.map((_, s) => s).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const tree = new Int32Array(2 * 2 * 257);
  let nodes = 1;
  let code = 0;
  let prevLen = lengths[order[0]];
  order.forEach((sym, i) => {
    const len = lengths[sym];
    if (i > 0) code = (code + 1) * 2 ** (len - prevLen);
    prevLen = len;
    let node = 0;
    for (let b = len - 1; b >= 0; b--) {
      const slot = 2 * node + (Math.floor(code / 2 ** b) & 1);
      if (b === 0) tree[slot] = -(sym + 1);
      else node = tree[slot] > 0 ? tree[slot] : (tree[slot] = nodes++);
    }
  });
  return tree;
})();

export class HpackError extends Error {
  constructor(message: string) { super(`HPACK: ${message}`); this.name = 'HpackError'; }
}

function huffmanDecode(buf: Buffer, start: number, end: number): string {
  const out: number[] = [];
  let node = 0;
  let depth = 0; // bits read since the last symbol
  let allOnes = true;
  for (let i = start; i < end; i++) {
    const byte = buf[i];
    for (let b = 7; b >= 0; b--) {
      const bit = (byte >> b) & 1;
      const next = TREE[2 * node + bit];
      depth++;
      allOnes &&= bit === 1;
      if (next < 0) {
        const sym = -next - 1;
        if (sym === EOS) throw new HpackError('EOS inside a Huffman string');
        out.push(sym);
        node = 0;
        depth = 0;
        allOnes = true;
      } else if (next === 0) {
        throw new HpackError('invalid Huffman code');
      } else {
        node = next;
      }
    }
  }
  // Padding: at most 7 bits, the most significant bits of EOS (all ones).
  if (depth > 7 || !allOnes) throw new HpackError('invalid Huffman padding');
  return Buffer.from(out).toString('latin1');
}

/** One header block's fields, in order: [name, value] pairs. */
export type HeaderFields = Array<[string, string]>;

/** Decodes header blocks of one connection, keeping its dynamic table (RFC 7541 §2.3). */
export class HpackDecoder {
  private dynamic: Array<[string, string]> = []; // newest first
  private size = 0;
  private maxSize: number;

  /** `limit`: the SETTINGS_HEADER_TABLE_SIZE we announced (default 4096), the most a size update may ask for. */
  constructor(private readonly limit = 4096) { this.maxSize = limit; }

  decode(block: Buffer): HeaderFields {
    const fields: HeaderFields = [];
    let pos = 0;
    const int = (prefixBits: number): number => {
      const mask = (1 << prefixBits) - 1;
      let v = block[pos++] & mask;
      if (v < mask) return v;
      let shift = 0;
      for (;;) {
        if (pos >= block.length) throw new HpackError('truncated integer');
        const b = block[pos++];
        v += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if (!(b & 0x80)) return v;
        if (shift > 28) throw new HpackError('integer too large');
      }
    };
    const str = (): string => {
      if (pos >= block.length) throw new HpackError('truncated string');
      const huffman = (block[pos] & 0x80) !== 0;
      const len = int(7);
      const end = pos + len;
      if (end > block.length) throw new HpackError('truncated string');
      const s = huffman ? huffmanDecode(block, pos, end) : block.toString('latin1', pos, end);
      pos = end;
      return s;
    };
    const entry = (index: number): readonly [string, string] => {
      if (index >= 1 && index <= STATIC.length) return STATIC[index - 1];
      const d = this.dynamic[index - STATIC.length - 1];
      if (!d) throw new HpackError(`index ${index} is not in the table`);
      return d;
    };
    let sizeUpdateAllowed = true;
    while (pos < block.length) {
      const b = block[pos];
      if (b & 0x80) { // indexed field
        const index = int(7);
        if (index === 0) throw new HpackError('index 0');
        const [n, v] = entry(index);
        fields.push([n, v]);
      } else if (b & 0x40) { // literal with incremental indexing
        const index = int(6);
        const name = index ? entry(index)[0] : str();
        const value = str();
        fields.push([name, value]);
        this.add(name, value);
      } else if (b & 0x20) { // dynamic table size update, only at the start of a block
        if (!sizeUpdateAllowed) throw new HpackError('table size update after a field');
        const size = int(5);
        if (size > this.limit) throw new HpackError(`table size ${size} over the announced ${this.limit}`);
        this.maxSize = size;
        this.evict();
        continue;
      } else { // literal without indexing (0000) or never indexed (0001)
        const index = int(4);
        const name = index ? entry(index)[0] : str();
        fields.push([name, str()]);
      }
      sizeUpdateAllowed = false;
    }
    return fields;
  }

  private add(name: string, value: string): void {
    const size = name.length + value.length + 32;
    if (size > this.maxSize) { this.dynamic = []; this.size = 0; return; }
    this.dynamic.unshift([name, value]);
    this.size += size;
    this.evict();
  }

  private evict(): void {
    while (this.size > this.maxSize) {
      const [n, v] = this.dynamic.pop()!;
      this.size -= n.length + v.length + 32;
    }
  }
}

function pushInt(out: number[], value: number, prefixBits: number, first: number): void {
  const max = (1 << prefixBits) - 1;
  if (value < max) { out.push(first | value); return; }
  out.push(first | max);
  value -= max;
  while (value >= 128) { out.push((value % 128) | 0x80); value = Math.floor(value / 128); }
  out.push(value);
}

function pushString(out: number[], s: string): void {
  const bytes = Buffer.from(s, 'latin1');
  pushInt(out, bytes.length, 7, 0);
  for (const b of bytes) out.push(b);
}

/**
 * Encodes fields as literals without indexing (names by static index where one exists), plain
 * (no Huffman): the peer's dynamic table is never touched, so blocks can be built ahead of time.
 */
export function encodeHeaders(fields: ReadonlyArray<readonly [string, string]>): Buffer {
  const out: number[] = [];
  for (const [name, value] of fields) {
    const full = STATIC.findIndex(([n, v]) => n === name && v === value);
    if (full >= 0) { pushInt(out, full + 1, 7, 0x80); continue; }
    const byName = STATIC.findIndex(([n]) => n === name);
    pushInt(out, byName + 1, 4, 0x00); // byName = -1 gives index 0: a literal name follows
    if (byName < 0) pushString(out, name);
    pushString(out, value);
  }
  return Buffer.from(out);
}
