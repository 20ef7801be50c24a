/**
 * Kubernetes JSON <-> protobuf wire, driven by the reflection bundle generated from proto/*.proto
 * (no per-kind code). Wrapper messages carry the JSON shapes protobuf has no words for:
 * IntOrString (8080 | "http"), Quantity and Time (strings), RawJSON (any JSON value as its text).
 * Objects travel in the `kubesim.api.Object` envelope: typed when the proto knows every field the
 * object has, otherwise as raw JSON, so the gRPC path never loses a field a component then writes back.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { ApiError } from '../errors.js';
import type { KObject } from './object.js';
import { badRequest, checkScalar, checkWrapper, isObject, wrapperOf } from './json-check.js';

type Plain = Record<string, unknown>;
type Json = Record<string, unknown>;


// protobufjs' toObject options for decoding: numbers for int64, no defaults, so presence survives.
const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, bytes: String, enums: String, defaults: false, arrays: false, objects: false, oneofs: false };

// The bundle is beside the compiled code in dist/proto/gen (copied by scripts/copy-assets.mjs) or,
// when only tsc ran or under tsx, in the source tree's proto/gen.
const BUNDLE_CANDIDATES = ['../../proto/gen/apiserver.json', '../../../proto/gen/apiserver.json'];

let root: protobuf.Root | undefined;

/** The reflection root of proto/apiserver.proto (which includes api.proto), loaded once. */
export function protoRoot(): protobuf.Root {
  if (root) return root;
  // the newest wins: after `npm run proto` without copy-assets, dist/ may hold a stale copy
  const found = BUNDLE_CANDIDATES.map((rel) => fileURLToPath(new URL(rel, import.meta.url))).filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (found.length) {
    root = protobuf.Root.fromJSON(JSON.parse(readFileSync(found[0], 'utf8')));
    root.resolveAll();
    return root;
  }
  throw new Error(`proto reflection bundle not found (run npm run proto): tried ${BUNDLE_CANDIDATES.join(', ')}`);
}

/** The message type `kubesim.api.<name>` (or a fully qualified name). */
export function messageType(name: string): protobuf.Type {
  let t = typeCache.get(name);
  if (!t) {
    t = protoRoot().lookupType(name.includes('.') ? name : `kubesim.api.${name}`);
    typeCache.set(name, t);
  }
  return t;
}

const typeCache = new Map<string, protobuf.Type>();


function encodeValue(field: protobuf.Field, v: unknown, path: string, dropped: string[]): unknown {
  const t = field.resolvedType;
  if (!(t instanceof protobuf.Type)) { checkScalar(field, v, path); return v; }
  const w = wrapperOf(t);
  if (w) checkWrapper(w, v, path);
  switch (w) {
    case 'IntOrString': return typeof v === 'number' ? { intVal: v } : { strVal: v };
    case 'Quantity': return { string: typeof v === 'number' ? String(v) : v };
    case 'Time': return { rfc3339: v };
    case 'RawJSON': return { json: JSON.stringify(v) };
    default:
      if (!isObject(v)) throw badRequest(path, `expected an object, got ${JSON.stringify(v)}`);
      return encodePlain(t, v, path, dropped);
  }
}

/** Kubernetes JSON → protobufjs plain object of `type`; fields the proto does not know are listed in `dropped`. */
export function encodePlain(type: protobuf.Type, json: Json, path = '', dropped: string[] = []): Plain {
  const out: Plain = {};
  for (const [key, v] of Object.entries(json)) {
    if (v === null || v === undefined) continue; // JSON null = unset, as in Kubernetes
    const fieldPath = path ? `${path}.${key}` : key;
    const field = type.fields[key];
    if (!field) { dropped.push(fieldPath); continue; }
    if (field.map) {
      if (!isObject(v)) throw badRequest(fieldPath, `expected an object, got ${JSON.stringify(v)}`);
      const m: Plain = {};
      for (const [mk, mv] of Object.entries(v)) if (mv !== null) m[mk] = encodeValue(field, mv, `${fieldPath}[${mk}]`, dropped);
      out[key] = m;
    } else if (field.repeated) {
      if (!Array.isArray(v)) throw badRequest(fieldPath, `expected an array, got ${JSON.stringify(v)}`);
      out[key] = v.map((item, i) => encodeValue(field, item, `${fieldPath}[${i}]`, dropped));
    } else {
      out[key] = encodeValue(field, v, fieldPath, dropped);
    }
  }
  return out;
}

function decodeValue(field: protobuf.Field, v: unknown): unknown {
  const t = field.resolvedType;
  if (!(t instanceof protobuf.Type)) return v;
  const p = v as Plain;
  switch (wrapperOf(t)) {
    case 'IntOrString': return p.intVal ?? p.strVal;
    case 'Quantity': return p.string;
    case 'Time': return p.rfc3339;
    case 'RawJSON': return p.json === undefined ? undefined : JSON.parse(p.json as string);
    default: return decodePlain(t, p);
  }
}

/** protobufjs plain object of `type` (from toObject with numbers for int64) → Kubernetes JSON. */
export function decodePlain(type: protobuf.Type, plain: Plain): Json {
  const out: Json = {};
  for (const [key, v] of Object.entries(plain)) {
    const field = type.fields[key];
    if (!field || v === undefined || v === null) continue;
    if (field.map) {
      const m: Json = {};
      for (const [mk, mv] of Object.entries(v as Plain)) m[mk] = decodeValue(field, mv);
      out[key] = m;
    } else if (field.repeated) {
      out[key] = (v as unknown[]).map((item) => decodeValue(field, item));
    } else {
      const d = decodeValue(field, v);
      if (d !== undefined) out[key] = d;
    }
  }
  return out;
}

/** Kubernetes JSON of `kind` → a protobuf message of kubesim.api.<kind>. Throws ApiError BadRequest on a wrong JSON type; unknown fields are listed in `dropped`. */
export function toWire(kind: string, json: KObject, dropped: string[] = []): protobuf.Message {
  const type = messageType(kind);
  return type.fromObject(encodePlain(type, json as Json, '', dropped));
}

/** A protobuf message (of any kubesim.api type) → Kubernetes JSON. */
export function fromWire(msg: protobuf.Message): KObject {
  const type = msg.$type;
  return decodePlain(type, type.toObject(msg, TO_OBJECT) as Plain) as KObject;
}

/** Encodes a message of `type` from a plain object to bytes (gRPC serializer). */
export function encodeBytes(type: protobuf.Type, plain: Plain): Buffer {
  return Buffer.from(type.encode(type.fromObject(plain)).finish());
}

/** Decodes bytes to a plain object of `type` with numbers for int64 (gRPC deserializer). */
export function decodeBytes(type: protobuf.Type, bytes: Uint8Array): Plain {
  return type.toObject(type.decode(bytes), TO_OBJECT) as Plain;
}

/** The oneof field of `kubesim.api.Object` for a kind ("ReplicaSet" → "replicaSet"), or undefined when the proto has none. */
export function envelopeField(kind: string | undefined): string | undefined {
  if (!kind) return undefined;
  // Asked on every write (type checks, field validation): answer from a per-kind memo.
  let name = envelopeFields.get(kind);
  if (name === undefined) {
    const candidate = kind[0].toLowerCase() + kind.slice(1);
    const field = messageType('Object').fields[candidate];
    name = field && field.type.split('.').pop() === kind ? candidate : null;
    if (envelopeFields.size < 1000) envelopeFields.set(kind, name);
  }
  return name ?? undefined;
}

const envelopeFields = new Map<string, string | null>();

// Kinds whose name exists in several API groups with other shapes: only this apiVersion is typed.
const TYPED_API_VERSION: Record<string, string> = {
  Event: 'v1', HorizontalPodAutoscaler: 'autoscaling/v2', Scale: 'autoscaling/v1', Eviction: 'policy/v1',
};

const noted = new Set<string>();

// Says once per distinct reason that a known kind went raw, so gaps in api.proto are visible.
function noteRaw(kind: string, why: string): void {
  const key = `${kind}: ${why}`;
  if (noted.has(key) || noted.size >= 100) return;
  noted.add(key);
  process.stderr.write(`${new Date().toISOString()} info codec ${JSON.stringify(`${kind} sent as raw JSON`)} reason=${JSON.stringify(why)}\n`);
}

/** Kubernetes JSON → plain `kubesim.api.Object` envelope: typed when lossless, else `raw`. */
export function objectToPlain(obj: KObject): Plain {
  const field = envelopeField(obj.kind);
  const wanted = obj.kind ? TYPED_API_VERSION[obj.kind] : undefined;
  if (field && (!wanted || !obj.apiVersion || obj.apiVersion === wanted)) {
    try {
      const dropped: string[] = [];
      const plain = encodePlain(messageType(obj.kind!), obj as Json, '', dropped);
      if (dropped.length === 0) return { [field]: plain };
      noteRaw(obj.kind!, `fields unknown to proto/api.proto: ${dropped.map((d) => d.replace(/\[\d+\]/g, '[]')).join(', ')}`);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      // a JSON type the proto cannot carry: send it as raw JSON and let the registry judge it
      noteRaw(obj.kind!, err.message);
    }
  }
  return { raw: { json: JSON.stringify(obj) } };
}

/** Plain `kubesim.api.Object` envelope → Kubernetes JSON. Throws ApiError BadRequest on an empty envelope. */
export function objectFromPlain(plain: Plain | undefined): KObject {
  const envelope = messageType('Object');
  for (const [key, v] of Object.entries(plain ?? {})) {
    if (v === undefined || v === null) continue;
    const field = envelope.fields[key];
    if (!field) continue;
    if (key === 'raw') {
      const json = (v as Plain).json;
      if (typeof json !== 'string') break;
      try { return JSON.parse(json) as KObject; } catch { throw badRequest('object.raw', 'invalid JSON'); }
    }
    return decodePlain(field.resolvedType as protobuf.Type, v as Plain) as KObject;
  }
  throw badRequest('object', 'empty object envelope');
}
