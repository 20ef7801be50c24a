/**
 * Decodes a Kubernetes protobuf request body (`application/vnd.kubernetes.protobuf`: the 4-byte
 * `k8s\0` magic, then runtime.Unknown{typeMeta, raw}) into the same Kubernetes JSON a JSON client
 * would have sent, using the field table in schema.ts. Zero scalars are dropped as Go's
 * `omitempty` would, so the registry sees what it sees from JSON clients.
 */
import protobuf from 'protobufjs/minimal.js';
import { ApiError } from '../../../lib/errors.js';
import type { KObject } from '../../../lib/api/object.js';
import { messageSpec, type FieldSpec } from './schema.js';

/** Media type of Kubernetes protobuf bodies. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const MAX_DEPTH = 64;
const WIRE_VARINT = 0;
const WIRE_LEN = 2;

type Reader = protobuf.Reader;
type Json = Record<string, unknown>;

const bad = (msg: string) => new ApiError('BadRequest', `couldn't decode the protobuf request body: ${msg}`);

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  const long = v as { toNumber?: () => number; low: number; high: number };
  return long.toNumber ? long.toNumber() : long.high * 2 ** 32 + (long.low >>> 0);
}

/** Decodes a whole protobuf body into a Kubernetes object (apiVersion/kind from its envelope). */
export function decodeKubernetesProtobuf(buf: Buffer): KObject {
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw bad('missing the k8s\\0 prefix');
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array | undefined;
  let encoding = '';
  walk(buf.subarray(MAGIC.length), (num, wt, r) => {
    if (num === 1 && wt === WIRE_LEN) {
      const tm = readMessage(r.bytes(), 'TypeMeta', 0);
      apiVersion = String(tm.apiVersion ?? '');
      kind = String(tm.kind ?? '');
    } else if (num === 2 && wt === WIRE_LEN) raw = r.bytes();
    else if (num === 3 && wt === WIRE_LEN) encoding = r.string();
    else r.skipType(wt);
  });
  if (encoding) throw new ApiError('UnsupportedMediaType', `protobuf bodies with contentEncoding ${JSON.stringify(encoding)} are not supported`);
  if (!kind) throw bad('the envelope has no kind');
  if (!messageSpec(kind)) {
    throw new ApiError('UnsupportedMediaType', `kubesim cannot decode ${kind} from protobuf: send it as application/json`);
  }
  const body = readMessage(raw ?? new Uint8Array(), kind, 0);
  return { apiVersion, kind, ...body };
}

/** Calls `onField` for each field of a message; it must consume or skip the value. */
function walk(bytes: Uint8Array, onField: (num: number, wireType: number, r: Reader) => void): void {
  const r = protobuf.Reader.create(bytes);
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      const num = tag >>> 3;
      if (num === 0) throw bad('field number 0');
      onField(num, tag & 7, r);
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw bad((err as Error).message);
  }
}

/** Decodes one message of the named type into JSON. */
function readMessage(bytes: Uint8Array, type: string, depth: number): Json {
  if (depth > MAX_DEPTH) throw bad('nesting too deep');
  const spec = messageSpec(type);
  if (!spec) throw bad(`unknown message type ${type}`);
  const out: Json = {};
  walk(bytes, (num, wt, r) => {
    const f = spec.get(num);
    if (!f) { r.skipType(wt); return; } // a field kubesim does not model: ignored, as an old server would
    if (f.type === 'map') { readMapEntry(r, wt, f, out, depth); return; }
    if (f.repeated) {
      const list = (out[f.name] ??= []) as unknown[];
      if (wt === WIRE_LEN && isPackable(f.type)) {
        const end = r.uint32() + r.pos;
        while (r.pos < end) list.push(readScalar(r, f.type));
      } else {
        list.push(readValue(r, wt, f, depth));
      }
      return;
    }
    const v = readValue(r, wt, f, depth);
    if (f.inline && v && typeof v === 'object') Object.assign(out, v);
    else if (v !== undefined && (f.keepZero || !isZero(v))) out[f.name] = v;
  });
  return out;
}

function isPackable(type: string): boolean {
  return type === 'b' || type === 'i32' || type === 'i64';
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function readScalar(r: Reader, type: string): unknown {
  switch (type) {
    case 'b': return r.bool();
    case 'i32': return r.int32();
    case 'i64': return toNumber(r.int64());
    default: throw bad(`type ${type} is not a varint`);
  }
}

function readValue(r: Reader, wt: number, f: FieldSpec, depth: number): unknown {
  const scalar = f.type === 'b' || f.type === 'i32' || f.type === 'i64';
  if (scalar) {
    if (wt !== WIRE_VARINT) throw bad(`field ${f.name}: expected a varint, got wire type ${wt}`);
    return readScalar(r, f.type);
  }
  if (wt !== WIRE_LEN) throw bad(`field ${f.name}: expected length-delimited data, got wire type ${wt}`);
  return readLengthDelimited(r.bytes(), f.type, depth);
}

function readLengthDelimited(bytes: Uint8Array, type: string, depth: number): unknown {
  switch (type) {
    case 's': return Buffer.from(bytes).toString('utf8');
    case 'by': return Buffer.from(bytes).toString('base64');
    case 'Time': return readTime(bytes);
    case 'Quantity': return String(readMessageRaw(bytes)[1] ?? '');
    case 'IntOrString': return readIntOrString(bytes);
    default: return readMessage(bytes, type, depth + 1);
  }
}

/** Reads a tiny message as field number → value (strings for LEN, numbers for varints). */
function readMessageRaw(bytes: Uint8Array): Record<number, string | number> {
  const out: Record<number, string | number> = {};
  walk(bytes, (num, wt, r) => {
    if (wt === WIRE_LEN) out[num] = r.string();
    else if (wt === WIRE_VARINT) out[num] = toNumber(r.int64());
    else r.skipType(wt);
  });
  return out;
}

function readTime(bytes: Uint8Array): string | undefined {
  const t = readMessageRaw(bytes);
  const seconds = Number(t[1] ?? 0);
  if (seconds === 0 && !t[2]) return undefined;
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() <= 1 ? undefined : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function readIntOrString(bytes: Uint8Array): number | string {
  const v = readMessageRaw(bytes);
  return Number(v[1] ?? 0) === 1 ? String(v[3] ?? '') : Number(v[2] ?? 0);
}

function readMapEntry(r: Reader, wt: number, f: FieldSpec, out: Json, depth: number): void {
  if (wt !== WIRE_LEN) throw bad(`field ${f.name}: a map entry must be length-delimited`);
  let key = '';
  let value: unknown = f.mapOf === 's' ? '' : undefined;
  walk(r.bytes(), (num, ewt, er) => {
    if (num === 1 && ewt === WIRE_LEN) key = er.string();
    else if (num === 2) value = readValue(er, ewt, { ...f, type: f.mapOf!, repeated: false, keepZero: true, inline: false }, depth);
    else er.skipType(ewt);
  });
  const map = (out[f.name] ??= {}) as Json;
  map[key] = value ?? (f.mapOf === 'by' ? '' : null);
}
