import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adler32 } from './testing/adler32.js';
import { createDeflate, constants, type Deflate } from 'node:zlib';
import { controlFrame, dataFrame, HeaderDecoder, HeaderEncoder, SPDY, SPDY3_DICTIONARY, SpdyFrameParser, encodeHeaderPairs, type SpdyFrame } from './spdy.js';

/** Compresses blocks as a Go peer does: one zlib stream with the dictionary, sync-flushed per block. */
function flushBlock(d: Deflate, raw: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const onData = (c: Buffer) => out.push(c);
    d.on('data', onData);
    d.write(raw);
    d.flush(constants.Z_SYNC_FLUSH, () => { d.off('data', onData); resolve(Buffer.concat(out)); });
  });
}

test('the SPDY/3 dictionary is the 1423-byte one of the spec (adler32 e3c6a7c2)', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
  assert.equal(adler32(SPDY3_DICTIONARY), 0xe3c6a7c2);
});

test('header blocks compressed with the dictionary by a peer decode in order on one stream', async () => {
  const d = createDeflate({ dictionary: SPDY3_DICTIONARY });
  const dec = new HeaderDecoder();
  const a = await flushBlock(d, encodeHeaderPairs({ streamtype: 'error' }));
  const b = await flushBlock(d, encodeHeaderPairs({ streamtype: 'stdout', 'x-multi': 'one\0two' }));
  d.close();
  assert.deepEqual(dec.decode(a), { streamtype: ['error'] });
  assert.deepEqual(dec.decode(b), { streamtype: ['stdout'], 'x-multi': ['one', 'two'] });
});

test('our header blocks (stored deflate) decode as one zlib stream', () => {
  const enc = new HeaderEncoder();
  const dec = new HeaderDecoder();
  assert.deepEqual(dec.decode(enc.encode({})), {});
  assert.deepEqual(dec.decode(enc.encode({ Status: '200' })), { status: ['200'] });
});

test('frames split across chunks parse whole; control frames carry their stream id', () => {
  const got: SpdyFrame[] = [];
  const p = new SpdyFrameParser((f) => got.push(f));
  const id = Buffer.alloc(4); id.writeUInt32BE(5);
  const bytes = Buffer.concat([controlFrame(SPDY.synReply, 0, Buffer.concat([id, Buffer.from([1, 2])])), dataFrame(5, Buffer.from('hello'), true), controlFrame(SPDY.ping, 0, Buffer.from([0, 0, 0, 1]))]);
  for (const b of bytes) p.push(Buffer.from([b]));
  assert.deepEqual(got.map((f) => [f.control, f.type, f.streamId, f.flags]), [[true, SPDY.synReply, 5, 0], [false, 0, 5, 1], [true, SPDY.ping, 0, 0]]);
  assert.equal(got[1].data.toString(), 'hello');
});

test('resize messages give the last valid terminal size of a chunk (SPDY carries them as a byte stream)', async () => {
  const { parseResize } = await import('./tty-size.js');
  assert.deepEqual(parseResize(Buffer.from('{"Width":100,"Height":30}\n{"Width":120,"Height":40}\n')), { cols: 120, rows: 40 });
  assert.deepEqual(parseResize(Buffer.from('{"Width":100,"Height":30}\n{"Width":0,"Height":0}\n')), { cols: 100, rows: 30 });
  assert.equal(parseResize(Buffer.from('{"Width":0,"Height":0}')), undefined);
  assert.equal(parseResize(Buffer.from('not json')), undefined);
});
