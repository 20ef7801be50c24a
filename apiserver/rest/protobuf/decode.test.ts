import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs/minimal.js';
import { ApiError } from '../../../lib/errors.js';
import { decodeKubernetesProtobuf } from './decode.js';
import { SPECIAL_TYPES, messageSpec, referencedTypes } from './schema.js';

type W = protobuf.Writer;
const LEN = 2;
const VARINT = 0;
const str = (w: W, n: number, s: string) => w.uint32((n << 3) | LEN).string(s);
const msg = (w: W, n: number, body: (w: W) => void) => { w.uint32((n << 3) | LEN).fork(); body(w); w.ldelim(); };
const entry = (w: W, n: number, k: string, v: string) => msg(w, n, (e) => { str(e, 1, k); str(e, 2, v); });

/** Wraps an object's bytes in the k8s\0 + runtime.Unknown envelope, as client-go does. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const w = protobuf.Writer.create();
  msg(w, 1, (t) => { str(t, 1, apiVersion); str(t, 2, kind); });
  w.uint32((2 << 3) | LEN).bytes(raw);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), w.finish()]);
}

test('a ConfigMap decodes to the JSON a JSON client sends (empty strings and zero time dropped)', () => {
  const w = protobuf.Writer.create();
  msg(w, 1, (m) => { str(m, 1, 'cfg'); str(m, 2, ''); msg(m, 8, () => undefined); entry(m, 11, 'app', 'x'); });
  entry(w, 2, 'color', 'blue');
  entry(w, 2, 'empty', '');
  msg(w, 3, (e) => { str(e, 1, 'bin'); e.uint32((2 << 3) | LEN).bytes(Buffer.from([1, 2, 3])); });
  const obj = decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', w.finish()));
  assert.deepEqual(obj, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', labels: { app: 'x' } }, data: { color: 'blue', empty: '' }, binaryData: { bin: 'AQID' } });
});

test('nested messages, repeated fields, IntOrString, pointer zeros and timestamps decode', () => {
  const w = protobuf.Writer.create();
  msg(w, 1, (m) => { str(m, 1, 'web'); msg(m, 8, (t) => { t.uint32((1 << 3) | VARINT).int64(1_700_000_000); }); });
  msg(w, 2, (spec) => {
    spec.uint32((1 << 3) | VARINT).int32(0); // replicas: 0 is meaningful (pointer field)
    msg(spec, 3, (tpl) => msg(tpl, 2, (pod) => {
      msg(pod, 2, (c) => {
        str(c, 1, 'nginx'); str(c, 2, 'nginx:1.25'); str(c, 3, 'sleep'); str(c, 3, '10');
        msg(c, 6, (p) => { p.uint32((2 << 3) | VARINT).int32(0); p.uint32((3 << 3) | VARINT).int32(80); });
      });
    }));
    msg(spec, 4, (st) => msg(st, 2, (ru) => {
      msg(ru, 1, (ios) => { ios.uint32((1 << 3) | VARINT).int64(1); str(ios, 3, '25%'); });
      msg(ru, 2, (ios) => { ios.uint32((1 << 3) | VARINT).int64(0); ios.uint32((2 << 3) | VARINT).int32(2); });
    }));
  });
  const obj = decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', w.finish()));
  assert.deepEqual(obj, {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', creationTimestamp: '2023-11-14T22:13:20Z' },
    spec: {
      replicas: 0,
      template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', command: ['sleep', '10'], ports: [{ containerPort: 80 }] }] } },
      strategy: { rollingUpdate: { maxUnavailable: '25%', maxSurge: 2 } },
    },
  });
});

test('broken or unsupported protobuf bodies are 400/415 errors, never crashes', () => {
  const code = (b: Buffer) => { try { decodeKubernetesProtobuf(b); return 'ok'; } catch (e) { assert.ok(e instanceof ApiError); return e.code; } };
  assert.equal(code(Buffer.from('{"kind":"Pod"}')), 'BadRequest');
  assert.equal(code(envelope('v1', 'Frobnicator', new Uint8Array())), 'UnsupportedMediaType');
  const truncated = envelope('v1', 'ConfigMap', Buffer.from([0x0a, 0x10, 0x0a]));
  assert.equal(code(truncated), 'BadRequest');
  assert.equal(code(envelope('v1', 'ConfigMap', Buffer.from([0x20, 0x01]))), 'ok'); // immutable: true
  const badWire = envelope('v1', 'ConfigMap', Buffer.from([0x0d, 0, 0, 0, 0])); // metadata as fixed32
  assert.equal(code(badWire), 'BadRequest');
  for (let i = 0; i < 300; i++) {
    const junk = Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from(Array.from({ length: 1 + (i % 40) }, (_, j) => (i * 31 + j * 17) % 256))]);
    assert.ok(['ok', 'BadRequest', 'UnsupportedMediaType'].includes(code(junk)));
  }
});

test('every message the table references is defined', () => {
  for (const t of referencedTypes()) {
    if (['s', 'b', 'i32', 'i64', 'by'].includes(t) || SPECIAL_TYPES.has(t)) continue;
    assert.ok(messageSpec(t), `message ${t} is referenced but not defined`);
  }
});
