import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptKey, encodeFrame, FrameParser, OP } from './websocket.js';
import { exitStatus } from './exec-stream.js';

test('websocket: RFC 6455 accept key, masked/unmasked frames of all length classes, fragments joined', () => {
  assert.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  const got: Array<[number, number]> = [];
  const p = new FrameParser((op, payload) => got.push([op, payload.length]));
  const sizes = [0, 125, 126, 65535, 70000];
  const wire = Buffer.concat(sizes.map((n, i) => encodeFrame(OP.binary, Buffer.alloc(n, 7), i % 2 === 1)));
  for (let i = 0; i < wire.length; i += 999) p.push(wire.subarray(i, i + 999)); // arrives in arbitrary pieces
  assert.deepEqual(got, sizes.map((n) => [OP.binary, n]));
  const frag = Buffer.concat([Buffer.from([0x02, 0x02, 1, 2]), Buffer.from([0x89, 0x00]), Buffer.from([0x80, 0x01, 3])]);
  const seen: Array<[number, string]> = [];
  new FrameParser((op, pl) => seen.push([op, pl.toString('hex')])).push(frag);
  assert.deepEqual(seen, [[OP.ping, ''], [OP.binary, '010203']]);
  assert.deepEqual(exitStatus(0), { metadata: {}, status: 'Success' });
  assert.equal((exitStatus(3) as { details: { causes: Array<{ message: string }> } }).details.causes[0].message, '3');
});
